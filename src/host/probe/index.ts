// The probe's VS Code side: CodeLens, command, diagnostics and results panel.
export { registerProbe } from './register-probe';
