// "Check my solution": the linter now, the probe when the host provides it.
//
//   1. The file must still define the exercise's entry point.
//   2. TODO exercises: a file that still raises/throws the TODO placeholder is not attempted yet.
//   3. Lint: any finding fails the check, named by rule code and line (the planted rule first).
//   4. Probe (issue 5): each of the exercise's `probe` checks must pass; its failure message is
//      the learner's feedback ("position 2 changes when token 5 changes: …"). Without a probe the
//      verdict is 'incomplete': the static part passed, the behaviour was not run.
import { initLinter, lintText, type Finding } from '../lint/index';
import type { ExerciseDefinition, ProbeCheck } from './exercises';

export interface ProbeVerdict {
  check: ProbeCheck;
  passed: boolean;
  /** What was observed, for the learner. */
  message: string;
}

/** Runs the probe's checks on the learner's file (the host wires issue 5's probe in here). */
export type ExerciseProbe = (exercise: ExerciseDefinition, text: string, filePath: string) => Promise<ProbeVerdict[]>;

export interface ExerciseCheckResult {
  status: 'passed' | 'failed' | 'incomplete';
  /** One paragraph for the learner. */
  message: string;
  findings: Pick<Finding, 'code' | 'line' | 'message'>[];
  probe: ProbeVerdict[];
}

const PLACEHOLDER = /raise NotImplementedError|throw new Error\(['"]write /;

function definesEntry(text: string, exercise: ExerciseDefinition): boolean {
  const name = exercise.entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = exercise.language === 'python' ? new RegExp(`^\\s*(def|class)\\s+${name}\\b`, 'm') : new RegExp(`\\bfunction\\s+${name}\\b|\\b(const|let)\\s+${name}\\s*=`);
  return re.test(text);
}

export async function checkExercise(exercise: ExerciseDefinition, text: string, filePath: string, probe?: ExerciseProbe): Promise<ExerciseCheckResult> {
  const fail = (message: string, findings: ExerciseCheckResult['findings'] = [], verdicts: ProbeVerdict[] = []): ExerciseCheckResult => ({ status: 'failed', message, findings, probe: verdicts });
  if (!definesEntry(text, exercise)) return fail(`The file no longer defines \`${exercise.entry}\`, which the checker calls.`);
  if (exercise.kind === 'todo' && PLACEHOLDER.test(text)) return fail('The TODO placeholder is still there: replace it with your implementation.');

  await initLinter();
  const lint = lintText(text, exercise.language);
  const planted = new Set(exercise.plantedRules);
  const ordered = [...lint].sort((a, b) => Number(planted.has(b.code)) - Number(planted.has(a.code)) || a.line - b.line);
  const findings = ordered.map((f) => ({ code: f.code, line: f.line, message: f.message }));
  if (ordered.length > 0) {
    const f = ordered[0];
    return fail(`${f.code} (line ${f.line + 1}): ${f.message}`, findings);
  }
  if (!probe) {
    return {
      status: 'incomplete',
      message: `The linter finds nothing wrong. Still to run: the probe's ${exercise.probe.join(', ')} check${exercise.probe.length > 1 ? 's' : ''}, which need the probe (not available in this build).`,
      findings,
      probe: [],
    };
  }
  const verdicts = await probe(exercise, text, filePath);
  const missing = exercise.probe.filter((c) => !verdicts.some((v) => v.check === c));
  const failed = verdicts.filter((v) => !v.passed);
  if (failed.length > 0) return fail(failed.map((v) => v.message).join(' '), findings, verdicts);
  if (missing.length > 0) return { status: 'incomplete', message: `The probe did not run: ${missing.join(', ')}.`, findings, probe: verdicts };
  return { status: 'passed', message: `Passed: no lint findings; the probe confirmed ${exercise.probe.join(', ')}.`, findings, probe: verdicts };
}
