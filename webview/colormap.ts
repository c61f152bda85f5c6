// Heatmap colours that read on light, dark and high-contrast themes. A weight in [0, 1]
// (already divided by the view's maximum) maps to an RGB ramp chosen from the body's theme
// class; the ramp is sampled into a 256-entry table once so painting a cell is a lookup.

type Stop = [number, number, number, number]; // position, r, g, b

const DARK: Stop[] = [
  [0, 24, 24, 32], [0.25, 60, 40, 110], [0.5, 170, 60, 110], [0.75, 245, 140, 60], [1, 252, 240, 160],
];
const LIGHT: Stop[] = [
  [0, 250, 250, 252], [0.25, 190, 215, 240], [0.5, 100, 160, 220], [0.75, 40, 90, 180], [1, 10, 30, 100],
];
const HIGH_CONTRAST: Stop[] = [[0, 0, 0, 0], [0.5, 0, 160, 255], [1, 255, 255, 0]];

function ramp(stops: Stop[]): Uint8ClampedArray {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let s = 0;
    while (s < stops.length - 2 && t > stops[s + 1][0]) s++;
    const [p0, r0, g0, b0] = stops[s];
    const [p1, r1, g1, b1] = stops[s + 1];
    const f = p1 === p0 ? 0 : (t - p0) / (p1 - p0);
    table[i * 3] = r0 + (r1 - r0) * f;
    table[i * 3 + 1] = g0 + (g1 - g0) * f;
    table[i * 3 + 2] = b0 + (b1 - b0) * f;
  }
  return table;
}

let cachedFor = '';
let cached: Uint8ClampedArray = ramp(DARK);

/** The colour table for the current theme (256 × RGB). */
export function colorTable(): Uint8ClampedArray {
  const cls = document.body.classList;
  const theme = cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light')
    ? 'hc'
    : cls.contains('vscode-light')
      ? 'light'
      : 'dark';
  if (theme !== cachedFor) {
    cachedFor = theme;
    cached = ramp(theme === 'hc' ? HIGH_CONTRAST : theme === 'light' ? LIGHT : DARK);
  }
  return cached;
}

/**
 * Display gamma: attention is heavy-tailed (a few keys take most weight), so a square-root
 * curve keeps the weak-but-real structure visible. The read-out always shows the exact value.
 */
export function toByte(normalized: number): number {
  if (!(normalized > 0)) return 0;
  return Math.min(255, Math.round(Math.sqrt(normalized) * 255));
}

export function cssColor(normalized: number, alpha = 1): string {
  const t = colorTable();
  const i = toByte(normalized) * 3;
  return `rgba(${t[i]}, ${t[i + 1]}, ${t[i + 2]}, ${alpha})`;
}

/** Paints bytes (0..255 of value/max) into an ImageData-sized RGBA buffer. */
export function paintBytes(values: ArrayLike<number>, maxValue: number, rgba: Uint8ClampedArray): void {
  const t = colorTable();
  const lut = new Uint8Array(maxValue + 1);
  for (let v = 0; v <= maxValue; v++) lut[v] = toByte(v / maxValue);
  for (let i = 0; i < values.length; i++) {
    const c = lut[values[i]] * 3;
    const o = i * 4;
    rgba[o] = t[c];
    rgba[o + 1] = t[c + 1];
    rgba[o + 2] = t[c + 2];
    rgba[o + 3] = 255;
  }
}
