// Webview entry point of the attention panel (its own esbuild bundle).
const root = document.getElementById('app');
if (root) root.textContent = 'Attention Inspector';
