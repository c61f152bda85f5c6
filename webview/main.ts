// Webview entry point of the attention panel (its own esbuild bundle, ESM, no inline
// script: the host's CSP only admits this file by nonce).
import './styles.css';
import { Channel } from './channel';
import { PanelApp } from './panel-app';
import { startStandaloneHost } from './standalone-host';

const root = document.getElementById('app');
if (root) {
  const channel = Channel.inVsCode() ?? startStandaloneHost();
  if (channel) new PanelApp(root, channel);
  else root.textContent = 'Attention Inspector: no data to show.';
}
