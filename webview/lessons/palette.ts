// Colours for canvas plots, read from the theme: VS Code's CSS variables resolved to RGB
// through a probe element (canvas cannot use var() directly), refreshed when the theme changes.

export type Rgb = [number, number, number];

let cache: { key: string; colors: Record<string, Rgb> } | undefined;

function resolve(cssColor: string): Rgb {
  const probe = document.createElement('span');
  probe.style.color = cssColor; // CSSOM, allowed by the CSP (no inline style attribute)
  probe.style.display = 'none';
  document.body.appendChild(probe);
  const m = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0'];
  probe.remove();
  return [Number(m[0]), Number(m[1]), Number(m[2])];
}

/** Theme colours used by the plots. */
export function themeColors(): Record<'bg' | 'fg' | 'muted' | 'pos' | 'neg' | 'mask' | 'focus' | 'accent', Rgb> {
  const key = document.body.className;
  if (!cache || cache.key !== key) {
    cache = {
      key,
      colors: {
        bg: resolve('var(--vscode-editor-background, #1e1e1e)'),
        fg: resolve('var(--vscode-editor-foreground, #d4d4d4)'),
        muted: resolve('var(--vscode-descriptionForeground, #9d9d9d)'),
        pos: resolve('var(--vscode-charts-blue, #3794ff)'),
        neg: resolve('var(--vscode-charts-red, #f14c4c)'),
        mask: resolve('var(--vscode-disabledForeground, #6b6b6b)'),
        focus: resolve('var(--vscode-focusBorder, #007fd4)'),
        accent: resolve('var(--vscode-charts-orange, #d18616)'),
      },
    };
  }
  return cache.colors as ReturnType<typeof themeColors>;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const f = Math.max(0, Math.min(1, t));
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export function css([r, g, b]: Rgb, alpha = 1): string {
  return `rgba(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}, ${alpha})`;
}

/** Readable text colour on a given background. */
export function textOn([r, g, b]: Rgb): string {
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
}
