// Number formatting for the lessons (display only: the numbers themselves come from the host).

/** Bytes in SI units (GB = 10⁹, as the textbook figures are quoted) with the binary size beside it. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const si = `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
  if (bytes < 1024) return si;
  const bin = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let b = bytes / 1024;
  let k = 0;
  while (b >= 1024 && k < bin.length - 1) {
    b /= 1024;
    k++;
  }
  return `${si} (${b.toFixed(b >= 100 ? 0 : 1)} ${bin[k]})`;
}

/** Up to 4 significant digits, plain below 10⁶, scientific above; −∞ and NaN spelled out. */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(digits - 1).replace('-', '−');
  return Number(x.toPrecision(digits)).toString().replace('-', '−');
}

/** Whole numbers with thousands separators. */
export function formatCount(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** "[2, 3, 4]" */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
