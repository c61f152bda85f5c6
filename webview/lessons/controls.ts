// Labelled, keyboard-accessible controls for a lesson's parameters. Each control reports its
// key and new value; the app debounces and asks the host to recompute. Number ranges come from
// the protocol's PARAM_LIMITS, the same limits the host validates against.
import { el } from './lesson-dom';

export type Control =
  | { kind: 'range'; key: string; label: string; min: number; max: number; step?: number; hint?: string }
  | { kind: 'number'; key: string; label: string; min: number; max: number; step?: number; hint?: string }
  | { kind: 'select'; key: string; label: string; options: { value: string | number; label: string }[]; hint?: string }
  | { kind: 'checkbox'; key: string; label: string; hint?: string }
  | { kind: 'text'; key: string; label: string; rows?: number; hint?: string };

let nextId = 1;

export function renderControls(
  container: HTMLElement,
  controls: readonly Control[],
  values: Readonly<Record<string, unknown>>,
  onChange: (key: string, value: string | number | boolean) => void,
): void {
  const form = el('form', { className: 'controls-grid', attrs: { 'aria-label': 'Lesson parameters' } });
  form.addEventListener('submit', (e) => e.preventDefault());
  for (const c of controls) {
    const id = `ctl-${nextId++}`;
    const label = el('label', { text: c.label, attrs: { for: id } });
    const hint = c.hint ? el('span', { className: 'control-hint', text: c.hint, attrs: { id: `${id}-hint` } }) : null;
    const describe = (input: HTMLElement) => {
      if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
    };
    let input: HTMLElement;
    switch (c.kind) {
      case 'range': {
        const r = el('input', { attrs: { id, type: 'range', min: String(c.min), max: String(c.max), step: String(c.step ?? 1) } });
        r.value = String(values[c.key]);
        const out = el('output', { className: 'range-value', text: String(values[c.key]), attrs: { for: id } });
        r.addEventListener('input', () => {
          out.textContent = r.value;
          onChange(c.key, Number(r.value));
        });
        describe(r);
        input = el('span', { className: 'range-wrap' }, [r, out]);
        break;
      }
      case 'number': {
        const n = el('input', { attrs: { id, type: 'number', min: String(c.min), max: String(c.max), step: String(c.step ?? 1) } });
        n.value = String(values[c.key]);
        n.addEventListener('change', () => {
          const v = Number(n.value);
          if (Number.isInteger(v) && v >= c.min && v <= c.max) {
            n.removeAttribute('aria-invalid');
            onChange(c.key, v);
          } else n.setAttribute('aria-invalid', 'true');
        });
        describe(n);
        input = n;
        break;
      }
      case 'select': {
        const s = el('select', { attrs: { id } }, c.options.map((o) => el('option', { text: o.label, attrs: { value: String(o.value) } })));
        s.value = String(values[c.key]);
        s.addEventListener('change', () => {
          const opt = c.options.find((o) => String(o.value) === s.value);
          if (opt) onChange(c.key, opt.value);
        });
        describe(s);
        input = s;
        break;
      }
      case 'checkbox': {
        const b = el('input', { attrs: { id, type: 'checkbox' } });
        b.checked = values[c.key] === true;
        b.addEventListener('change', () => onChange(c.key, b.checked));
        describe(b);
        input = b;
        break;
      }
      case 'text': {
        const t = el('textarea', { attrs: { id, rows: String(c.rows ?? 2), spellcheck: 'false', maxlength: '4000' } });
        t.value = String(values[c.key] ?? '');
        t.addEventListener('input', () => onChange(c.key, t.value));
        describe(t);
        input = t;
        break;
      }
    }
    form.appendChild(el('div', { className: `control control-${c.kind}` }, [label, input, hint]));
  }
  container.appendChild(form);
}
