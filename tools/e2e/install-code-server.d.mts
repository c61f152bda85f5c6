// Types for install-code-server.mjs (imported by the TypeScript test runners).
export declare const CODE_SERVER_VERSION: string;
export declare const DEBIAN_PACKAGES: string[];
export declare const CHROMIUM_PATH: string;
export interface CodeServerPaths {
  /** The cache folder holding this version's install. */
  root: string;
  /** node_modules/code-server */
  pkg: string;
  /** The script to run with node: out/node/entry.js */
  entry: string;
  /** lib/vscode, the VS Code server */
  vscode: string;
  stamp: string;
}
export declare function e2eCacheDir(): string;
export declare function codeServerPaths(cacheDir?: string): CodeServerPaths;
export declare function ensureDebianPackages(): void;
export declare function codeServerWorks(paths?: CodeServerPaths): boolean;
export declare function ensureCodeServer(opts?: { force?: boolean }): CodeServerPaths;
