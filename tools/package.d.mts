// Types for package.mjs (imported by the TypeScript test runner).
export declare const TARGETS: string[];
export declare const NATIVE_BINARIES: Record<string, string[]>;
export declare function checkUniversalBlock(vscodeignore?: string): void;
export declare function ignoreFileFor(target: string, vscodeignore?: string): string;
export declare function packageVsix(opts?: { target?: string; outDir?: string }): string;
export declare function buildAndPackage(opts?: { targets?: Array<string | undefined>; outDir?: string; build?: boolean }): string[];
