// The probe of issue 5 (src/lint/probe) as the exercise checker's probe: it imports the
// learner's saved file, calls the exercise's entry point on generated non-square tensors and
// reports each check; the exercise keeps the checks it requires. Failures of the environment
// (no interpreter, missing NumPy/PyTorch) are not the learner's fault and say so.
import { probeFile, type ProbeFailureKind, type ProbeOptions } from '../lint/probe';
import type { ExerciseProbe } from './exercise-check';

const ENVIRONMENT: ReadonlySet<ProbeFailureKind> = new Set(['no-interpreter', 'missing-library', 'cancelled', 'unsupported']);

export function probeWith(options: ProbeOptions): ExerciseProbe {
  return async (exercise, filePath) => {
    const result = await probeFile(filePath, exercise.entry, options);
    if (result.error && ENVIRONMENT.has(result.error.kind)) return { ran: false, reason: result.error.message };
    const runs = result.checks.find((c) => c.id === 'runs');
    return {
      ran: true,
      verdicts: exercise.probe.map((id) => {
        const c = result.checks.find((x) => x.id === id);
        if (c) return { check: id, passed: c.status === 'pass', message: c.status === 'skipped' ? `${id} could not be shown: ${c.message}` : c.message };
        // a check is missing when the function did not run at all: say why once
        return { check: id, passed: false, message: id === 'runs' || !runs ? (result.error?.message ?? `the probe did not report ${id}`) : runs.message };
      }),
    };
  };
}
