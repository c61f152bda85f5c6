// Exercises in the editor: "open" copies an exercise's README and practice file into a scratch
// folder in the extension's global storage (never overwriting the learner's work) and opens
// them; "check" lints the file (and runs the probe when the host has one), records the result in
// the progress store and completes the walkthrough's exercise step on a pass.
import * as vscode from 'vscode';
import { checkExercise, type ExerciseProbe } from '../../lessons/exercise-check';
import { probeWith } from '../../lessons/exercise-probe';
import { exerciseById, EXERCISES, type ExerciseDefinition } from '../../lessons/exercises';
import type { LessonProgressStore } from '../../lessons/lesson-progress';
import type { ExerciseStatus } from '../../protocol/lesson-messages';
import { log } from '../log';
import { resolvePythonInterpreter } from '../probe/python-interpreter';
import { markExercisePassed } from './walkthrough-context';

export interface ExerciseWorkspaceDeps {
  extensionUri: vscode.Uri;
  storageUri: vscode.Uri;
  progress: LessonProgressStore;
  /** Overrides the probe (tests, other hosts); default: issue 5's probe, in trusted workspaces only. */
  probe?: ExerciseProbe;
  /** Told about every check result (the lessons panel shows it). */
  onResult?: (id: string, status: ExerciseStatus, message: string) => void;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export class ExerciseWorkspace {
  constructor(private readonly deps: ExerciseWorkspaceDeps) {}

  /** The learner's copy of an exercise folder. */
  folderOf(e: ExerciseDefinition): vscode.Uri {
    return vscode.Uri.joinPath(this.deps.storageUri, 'exercises', e.id);
  }

  async open(id: string): Promise<void> {
    const e = exerciseById(id);
    if (!e) {
      void vscode.window.showErrorMessage(`Attention Inspector: there is no exercise "${id}".`);
      return;
    }
    const folder = this.folderOf(e);
    await vscode.workspace.fs.createDirectory(folder);
    for (const name of ['README.md', e.file]) {
      const target = vscode.Uri.joinPath(folder, name);
      if (await exists(target)) continue; // keep the learner's work
      await vscode.workspace.fs.copy(vscode.Uri.joinPath(this.deps.extensionUri, e.folder, name), target);
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, e.file));
    await vscode.window.showTextDocument(doc, { preview: false });
    void vscode.commands.executeCommand('markdown.showPreviewToSide', vscode.Uri.joinPath(folder, 'README.md'));
    await this.deps.progress.exercise(e.id, 'opened');
  }

  /** The exercise whose scratch file is open in the active editor, if any. */
  activeExercise(): ExerciseDefinition | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri) return undefined;
    return EXERCISES.find((e) => uri.toString() === vscode.Uri.joinPath(this.folderOf(e), e.file).toString());
  }

  /** The probe runs the learner's code: only in a trusted workspace, with the interpreter the probe command would use. */
  private async probeFor(uri: vscode.Uri): Promise<ExerciseProbe | undefined> {
    if (this.deps.probe) return this.deps.probe;
    if (!vscode.workspace.isTrusted) return undefined;
    const python = await resolvePythonInterpreter(uri);
    return probeWith({ pythonPath: python.path });
  }

  async check(id?: string): Promise<void> {
    const e = id ? exerciseById(id) : this.activeExercise();
    if (!e) {
      void vscode.window.showWarningMessage('Attention Inspector: open an exercise first (Attention Inspector: Open Lessons → Exercises).');
      return;
    }
    const uri = vscode.Uri.joinPath(this.folderOf(e), e.file);
    if (!(await exists(uri))) {
      await this.open(e.id);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.isDirty) await doc.save(); // the probe imports the file from disk
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking “${e.title}”…` },
      async () => checkExercise(e, doc.getText(), uri.fsPath, await this.probeFor(uri)),
    );
    const status: ExerciseStatus = result.status === 'passed' ? 'passed' : result.status === 'failed' ? 'failed' : 'opened';
    await this.deps.progress.exercise(e.id, status);
    log().info(`exercise ${e.id}: ${result.status} — ${result.message}`);
    this.deps.onResult?.(e.id, status, result.message);
    if (result.status === 'passed') {
      markExercisePassed();
      void vscode.window.showInformationMessage(`✓ ${e.title}: ${result.message}`);
    } else if (result.status === 'failed') {
      void vscode.window.showWarningMessage(`${e.title}: ${result.message}`);
    } else {
      void vscode.window.showInformationMessage(`${e.title}: ${result.message}`);
    }
  }
}
