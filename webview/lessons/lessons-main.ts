// Webview entry point of the lessons panel (its own esbuild bundle: dist/webview/lessons.js;
// no inline script: the host's CSP admits only this file, by nonce).
import './lessons.css';
import { LessonChannel } from './lesson-channel';
import { LessonsApp } from './lessons-app';

const root = document.getElementById('lessons');
if (root) {
  const channel = LessonChannel.connect();
  if (channel) new LessonsApp(root, channel);
  else root.textContent = 'Attention Lessons runs inside VS Code.';
}
