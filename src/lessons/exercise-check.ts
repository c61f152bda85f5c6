// "Check my solution":
//
//   1. The file must still define the exercise's entry point.
//   2. TODO exercises: a file that still raises/throws the TODO placeholder is not attempted yet.
//   3. Lint: any finding fails the check, named by rule code and line (the planted rule first).
//   4. Probe: each of the exercise's probe checks must pass; the probe's own sentence is the
//      feedback ("position 0 changes when token 6 changes: the mask keeps the wrong triangle…").
//      Without a probe (untrusted workspace, no interpreter) or for an exercise the probe cannot
//      call yet, the verdict is 'incomplete': the static part passed, the behaviour was not run.
import { initLinter, lintText, type Finding } from '../lint/index';
import type { ProbeCheckId } from '../lint/probe';
import type { ExerciseDefinition } from './exercises';

export interface ProbeVerdict {
  check: ProbeCheckId;
  passed: boolean;
  /** What was observed, for the learner. */
  message: string;
}

/** The probe ran the learner's code (verdicts), or could not run it for a reason that is not theirs. */
export type ExerciseProbeOutcome = { ran: true; verdicts: ProbeVerdict[] } | { ran: false; reason: string };

/** Runs the exercise's probe checks on the learner's saved file. */
export type ExerciseProbe = (exercise: ExerciseDefinition, filePath: string) => Promise<ExerciseProbeOutcome>;

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
  const incomplete = (message: string, verdicts: ProbeVerdict[] = []): ExerciseCheckResult => ({ status: 'incomplete', message, findings: [], probe: verdicts });
  if (!definesEntry(text, exercise)) return fail(`The file no longer defines \`${exercise.entry}\`, which the checker calls.`);
  if (exercise.kind === 'todo' && PLACEHOLDER.test(text)) return fail('The TODO placeholder is still there: replace it with your implementation.');

  await initLinter();
  const lint = lintText(text, exercise.language);
  const planted = new Set(exercise.plantedRules);
  const ordered = [...lint].sort((a, b) => Number(planted.has(b.code)) - Number(planted.has(a.code)) || a.line - b.line);
  const findings = ordered.map((f) => ({ code: f.code, line: f.line, message: f.message }));
  if (ordered.length > 0) return fail(`${ordered[0].code} (line ${ordered[0].line + 1}): ${ordered[0].message}`, findings);

  if (exercise.probe.length === 0) {
    return incomplete(`The linter finds nothing wrong. The behaviour check needs a probe that supports ${exercise.probeGap ?? 'this exercise'}; it is not available yet.`);
  }
  if (!probe) return incomplete('The linter finds nothing wrong. The probe, which runs your code, was not available (it needs a trusted workspace).');
  const outcome = await probe(exercise, filePath);
  if (!outcome.ran) return incomplete(`The linter finds nothing wrong, but the probe could not run: ${outcome.reason}`);
  const failed = outcome.verdicts.filter((v) => !v.passed);
  if (failed.length > 0) return fail([...new Set(failed.map((v) => v.message))].join(' '), [], outcome.verdicts);
  return { status: 'passed', message: `Passed: no lint findings, and the probe confirmed ${exercise.probe.filter((c) => c !== 'runs').join(', ')}.`, findings, probe: outcome.verdicts };
}
