// The probe's public API: discover attention-like functions in a file, and run one on
// generated tensors to prove (or rule out) masking, scaling and softmax bugs by behaviour.
export { discoverProbeTargets, probeLanguageOf } from './discover-targets';
export { probeFile, probeTarget, defaultHarnessFolder } from './run-probe';
export type {
  ProbeCell,
  ProbeCheck,
  ProbeCheckId,
  ProbeDims,
  ProbeFailure,
  ProbeFailureKind,
  ProbeLanguage,
  ProbeLayout,
  ProbeMatrix,
  ProbeOptions,
  ProbeParameter,
  ProbeResult,
  ProbeStyle,
  ProbeTarget,
} from './probe-types';
export { DEFAULT_MEMORY_LIMIT_MB, DEFAULT_SEED, DEFAULT_TIMEOUT_SECONDS } from './probe-types';
