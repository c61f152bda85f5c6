// How we run code-server, shared by the test harness (test/e2e/harness) and `npm start`:
// its command line, an isolated home for it, and the user settings written before it starts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** VS Code's built-in colour themes by the names our tests and `npm start` use. */
export const THEMES = {
  dark: 'Default Dark Modern',
  light: 'Default Light Modern',
  'high-contrast': 'Default High Contrast',
  'high-contrast-light': 'Default High Contrast Light',
};

/**
 * User settings for a quiet, deterministic workbench: no welcome page, no telemetry, no update
 * or extension-gallery traffic, no trust prompt, no restored editors, the chosen theme.
 * `extra` wins over the defaults.
 */
export function userSettings({ theme = 'dark', trustWorkspace = true, extra = {} } = {}) {
  return {
    'workbench.colorTheme': THEMES[theme] ?? theme,
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.editor.restoreViewState': false,
    'window.restoreWindows': 'none',
    'security.workspace.trust.enabled': !trustWorkspace,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.commandCenter.enabled': false,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'editor.minimap.enabled': false,
    'files.autoSave': 'off',
    ...extra,
  };
}

/** Writes `settings` as the user settings of a code-server user-data dir. */
export function writeUserSettings(userDataDir, settings) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

/**
 * Prepares an isolated home for one code-server: its own config file (code-server would otherwise
 * write ~/.config/code-server/config.yaml with a password) and XDG folders, so nothing lands in
 * the user's home. Returns the environment to start it with.
 */
export function isolatedEnv(stateDir, baseEnv = process.env) {
  const config = join(stateDir, 'config.yaml');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(config, 'auth: none\ncert: false\n');
  const xdg = (name) => {
    const d = join(stateDir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  return {
    configFile: config,
    env: {
      ...baseEnv,
      XDG_CONFIG_HOME: xdg('xdg-config'),
      XDG_DATA_HOME: xdg('xdg-data'),
      XDG_CACHE_HOME: xdg('xdg-cache'),
      CS_DISABLE_GETTING_STARTED_OVERRIDE: '1',
      // The extension host inherits this; keep it from reporting anywhere.
      VSCODE_TELEMETRY_LEVEL: 'off',
    },
  };
}

/** The code-server command line (after `node entry.js`). `folder` is opened; omit for none. */
export function codeServerArgs({ port, host = '127.0.0.1', userDataDir, extensionsDir, configFile, folder, trustWorkspace = true }) {
  const args = [
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `${host}:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (trustWorkspace) args.push('--disable-workspace-trust');
  if (folder) args.push(folder);
  return args;
}

/** Installs a .vsix (or an extension folder's package) into `extensionsDir`, synchronously. */
export function installExtensionArgs({ userDataDir, extensionsDir, configFile, vsix }) {
  return ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--force', '--install-extension', vsix];
}
