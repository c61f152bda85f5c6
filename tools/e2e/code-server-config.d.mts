// Types for code-server-config.mjs (imported by the TypeScript test harness).
export type ThemeName = 'dark' | 'light' | 'high-contrast' | 'high-contrast-light';
export declare const THEMES: Record<ThemeName, string>;
export type Settings = Record<string, unknown>;
export declare function userSettings(opts?: { theme?: ThemeName | string; trustWorkspace?: boolean; extra?: Settings }): Settings;
export declare function writeUserSettings(userDataDir: string, settings: Settings): void;
export declare function isolatedEnv(stateDir: string, baseEnv?: NodeJS.ProcessEnv): { configFile: string; env: NodeJS.ProcessEnv };
export declare function codeServerArgs(opts: {
  port: number;
  host?: string;
  userDataDir: string;
  extensionsDir: string;
  configFile: string;
  folder?: string;
  trustWorkspace?: boolean;
}): string[];
export declare function installExtensionArgs(opts: { userDataDir: string; extensionsDir: string; configFile: string; vsix: string }): string[];
