// The webview side of the typed protocol: posts PanelToHost messages, dispatches
// HostToPanel ones, and matches replies to requests by id. In VS Code it wraps
// acquireVsCodeApi(); in a standalone HTML report, a local host answers instead.
import type { HostToPanel, PanelToHost } from '../src/protocol/panel-messages';

export interface HostLink {
  post(message: PanelToHost): void;
  getState<T>(): T | undefined;
  setState<T>(state: T): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Listener = (m: HostToPanel) => void;

export class Channel {
  private listeners: Listener[] = [];
  private nextRequestId = 1;

  constructor(private readonly link: HostLink) {}

  static inVsCode(): Channel | undefined {
    if (typeof acquireVsCodeApi !== 'function') return undefined;
    const api = acquireVsCodeApi(); // may be called once per page; kept private to this module
    const channel = new Channel({
      post: (m) => api.postMessage(m),
      getState: <T>() => api.getState() as T | undefined,
      setState: (s) => api.setState(s),
    });
    window.addEventListener('message', (e: MessageEvent) => channel.dispatch(e.data as HostToPanel));
    return channel;
  }

  dispatch(message: HostToPanel): void {
    if (!message || typeof message !== 'object' || typeof (message as { type?: unknown }).type !== 'string') return;
    for (const l of this.listeners) l(message);
  }

  on(listener: Listener): void {
    this.listeners.push(listener);
  }

  post(message: PanelToHost): void {
    this.link.post(message);
  }

  requestId(): number {
    return this.nextRequestId++;
  }

  getState<T>(): T | undefined {
    return this.link.getState<T>();
  }

  setState<T>(state: T): void {
    this.link.setState(state);
  }
}
