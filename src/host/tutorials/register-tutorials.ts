// Registers everything the tutorials add to VS Code: the lessons panel (commands, restore after
// reload), exercises, the walkthrough's commands and context keys. extension.ts calls
// registerTutorials(context, deps) once in activate() and disposes what it returns.
import * as vscode from 'vscode';
import type { AttentionEngine } from '../../engine/engine-api';
import { bundledModelDir } from '../../engine/model/bundled-model';
import type { ExerciseProbe } from '../../lessons/exercise-check';
import { EXERCISES } from '../../lessons/exercises';
import { LESSONS } from '../../lessons/lesson-index';
import { LessonProgressStore } from '../../lessons/lesson-progress';
import { clearLessonModels } from '../../lessons/shared/lesson-model';
import { LESSONS_VIEW_TYPE, isLessonId, type LessonId } from '../../protocol/lesson-messages';
import { ExerciseWorkspace } from './exercise-workspace';
import { LessonsPanel, type LessonsPanelDeps } from './lessons-panel';
import { COMMANDS, LINT_FIX_APPLIED_COMMAND, SAMPLES, WALKTHROUGH_REF } from './tutorial-ids';
import { markLintFixApplied } from './walkthrough-context';

export { markPatternsSeen, markLintFixApplied, markExercisePassed } from './walkthrough-context';
export { COMMANDS, CONTEXT_KEYS, LINT_FIX_APPLIED_COMMAND, WALKTHROUGH_REF } from './tutorial-ids';

export interface TutorialDeps {
  /** The engine lesson 5 runs the model with (the panel's); default: the TypeScript reference in process. */
  engine?: () => AttentionEngine;
  /** Folder of the model lessons read; default: attentionInspector.modelPath, else the bundled model. */
  modelDir?: () => string;
  /** The probe (issue 5) for "Check my solution"; without it checks are lint-only ("incomplete"). */
  probe?: ExerciseProbe;
}

/** The editor selection (or nothing) as lesson 1's text. */
function selectedText(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return undefined;
  const text = editor.document.getText(editor.selection);
  return text.trim() ? text.slice(0, 4000) : undefined;
}

export function registerTutorials(context: vscode.ExtensionContext, deps: TutorialDeps = {}): vscode.Disposable {
  const extensionUri = context.extensionUri;
  const progress = new LessonProgressStore(context.globalState);
  const modelDir = (): string => {
    if (deps.modelDir) return deps.modelDir();
    const configured = vscode.workspace.getConfiguration('attentionInspector').get<string>('modelPath', '').trim();
    return configured || bundledModelDir(extensionUri.fsPath);
  };
  const exercises = new ExerciseWorkspace({
    extensionUri,
    storageUri: context.globalStorageUri,
    progress,
    probe: deps.probe,
    onResult: (id, status, message) => LessonsPanel.current?.post({ type: 'exercise/result', id, status, message }),
  });
  const openWalkthrough = async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_REF, false);
  };
  const panelDeps: LessonsPanelDeps = {
    extensionUri,
    progress,
    environment: () => ({ modelDir: modelDir(), engine: deps.engine }),
    openExercise: (id) => exercises.open(id),
    checkExercise: (id) => exercises.check(id),
    openWalkthrough,
  };

  const openLesson = async (arg?: unknown) => {
    let lesson: LessonId | undefined = isLessonId(arg) ? arg : undefined;
    if (!lesson) {
      const pick = await vscode.window.showQuickPick(
        LESSONS.map((l) => ({ label: `${l.order}. ${l.title}`, description: l.summary, id: l.id })),
        { placeHolder: 'Open an attention lesson' },
      );
      if (!pick) return;
      lesson = pick.id;
    }
    LessonsPanel.show(panelDeps, { lesson, text: lesson === 'sdpa-steps' || lesson === 'causal-masking' || lesson === 'multi-head' ? selectedText() : undefined });
  };

  const openSample = async (arg?: unknown) => {
    const name = SAMPLES[typeof arg === 'string' ? arg : 'text'] ?? SAMPLES.text;
    const target = vscode.Uri.joinPath(context.globalStorageUri, 'walkthrough', name);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(context.globalStorageUri, 'walkthrough'));
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(extensionUri, 'media', 'walkthrough', 'samples', name), target, { overwrite: true });
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target), { preview: false });
    if (name === SAMPLES.text) {
      // Select the whole sample so "Inspect Attention" is one keystroke or right-click away.
      const last = editor.document.lineAt(editor.document.lineCount - 1);
      editor.selection = new vscode.Selection(0, 0, last.lineNumber, last.text.length);
    }
  };

  const disposables: vscode.Disposable[] = [
    vscode.commands.registerCommand(COMMANDS.openLessons, () => void LessonsPanel.show(panelDeps)),
    vscode.commands.registerCommand(COMMANDS.openLesson, openLesson),
    vscode.commands.registerCommand(COMMANDS.openWalkthrough, openWalkthrough),
    vscode.commands.registerCommand(COMMANDS.openExercise, async (id?: unknown) => {
      if (typeof id === 'string') return exercises.open(id);
      const pick = await vscode.window.showQuickPick(
        EXERCISES.map((e) => ({ label: e.title, description: e.checks, id: e.id })),
        { placeHolder: 'Open an exercise' },
      );
      if (pick) await exercises.open(pick.id);
    }),
    vscode.commands.registerCommand(COMMANDS.checkExercise, (id?: unknown) => exercises.check(typeof id === 'string' ? id : undefined)),
    vscode.commands.registerCommand(COMMANDS.openSample, openSample),
    vscode.commands.registerCommand(LINT_FIX_APPLIED_COMMAND, () => markLintFixApplied()),
    vscode.window.registerWebviewPanelSerializer(LESSONS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        LessonsPanel.revive(panel, panelDeps);
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('attentionInspector.modelPath')) clearLessonModels();
    }),
    { dispose: () => LessonsPanel.current?.dispose() },
  ];
  // The caller adds this to context.subscriptions (extension.ts does).
  return vscode.Disposable.from(...disposables);
}
