// Messages between the VS Code host and the engine child process (sent with Node's
// 'advanced' serialization, so typed arrays travel as binary buffers).
import type { EngineEvent, InspectRequest } from '../engine-api';

export type HostToEngine =
  | { type: 'inspect'; request: InspectRequest }
  | { type: 'cancel'; runId: number }
  | { type: 'dispose' };

export type EngineToHost = { type: 'event'; event: EngineEvent } | { type: 'ready' };
