// Jupyter notebooks for attention-lint: the code cells are joined into one Python text (so a
// definition in one cell is visible from the next), IPython magics are commented out, and
// every finding is mapped back to (cell index, line in cell) and to the line of the .ipynb
// JSON file that holds that source line (for SARIF, which points into the raw file).

export interface NotebookCell {
  /** Index of the cell among all cells of the notebook (0-based, markdown cells included). */
  index: number;
  /** First line of the cell in the joined text (0-based). */
  startLine: number;
  lineCount: number;
  /** For each line of the cell, the 1-based line of the .ipynb file holding it (when known). */
  rawLines: number[];
}

export interface NotebookText {
  text: string;
  cells: NotebookCell[];
  language: string;
}

/** Where a (0-based) line of the joined text lives in the notebook. */
export interface CellPosition {
  cell: number;
  /** 0-based line inside the cell. */
  line: number;
  /** 1-based line in the raw .ipynb file, if known. */
  rawLine?: number;
}

interface JsonString {
  value: string;
  line: number;
}

/** A tiny JSON reader that also remembers the 1-based line of every string under cells[i].source. */
class JsonWithLines {
  private i = 0;
  private line = 1;
  readonly sourceLines = new Map<number, JsonString[]>();

  constructor(private readonly s: string) {}

  parse(): unknown {
    const v = this.value([]);
    this.ws();
    if (this.i !== this.s.length) throw new Error('trailing characters after the notebook JSON');
    return v;
  }

  private ws(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === '\n') this.line++;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else return;
    }
  }

  private value(path: (string | number)[]): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') {
      const line = this.line;
      const v = this.string();
      // cells[i].source[j] or cells[i].source (a single string)
      if (path[0] === 'cells' && typeof path[1] === 'number' && path[2] === 'source') {
        const list = this.sourceLines.get(path[1]) ?? [];
        list.push({ value: v, line });
        this.sourceLines.set(path[1], list);
      }
      return v;
    }
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i, this.i + 40));
    if (!m) throw new Error(`invalid JSON at line ${this.line}`);
    this.i += m[0].length;
    return JSON.parse(m[0]);
  }

  private object(path: (string | number)[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') throw new Error(`expected ':' at line ${this.line}`);
      out[key] = this.value([...path, key]);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') throw new Error(`expected ',' or '}' at line ${this.line}`);
    }
  }

  private array(path: (string | number)[]): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value([...path, out.length]));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') throw new Error(`expected ',' or ']' at line ${this.line}`);
    }
  }

  private string(): string {
    if (this.s[this.i] !== '"') throw new Error(`expected a string at line ${this.line}`);
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') {
      if (this.s[this.i] === '\\') this.i++;
      else if (this.s[this.i] === '\n') this.line++;
      this.i++;
    }
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }
}

/** IPython line magics and shell escapes are not Python: comment them out in place. */
function neutraliseMagics(line: string): string {
  return /^\s*[%!]/.test(line) ? line.replace(/^(\s*)[%!]/, '$1#') : line;
}

export function notebookText(raw: string): NotebookText {
  const reader = new JsonWithLines(raw);
  const nb = reader.parse() as { cells?: { cell_type?: string; source?: string | string[] }[]; metadata?: { kernelspec?: { language?: string }; language_info?: { name?: string } } };
  const language = (nb.metadata?.language_info?.name ?? nb.metadata?.kernelspec?.language ?? 'python').toLowerCase();
  const parts: string[] = [];
  const cells: NotebookCell[] = [];
  let line = 0;
  (nb.cells ?? []).forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const src = Array.isArray(cell.source) ? cell.source.join('') : cell.source ?? '';
    // Cell magics (%%bash, %%time …) make the whole cell something else.
    if (/^\s*%%/.test(src) && !/^\s*%%(time|timeit|capture)\b/.test(src)) return;
    const lines = src.split('\n').map(neutraliseMagics);
    if (/^\s*#%%/.test(lines[0] ?? '')) lines[0] = lines[0].replace(/^(\s*)#%%/, '$1# %');
    const stored = reader.sourceLines.get(index) ?? [];
    const rawLines: number[] = [];
    if (stored.length === 1 && !Array.isArray(cell.source)) {
      for (let k = 0; k < lines.length; k++) rawLines.push(stored[0].line);
    } else {
      // One JSON string per source line (nbformat's usual layout).
      let k = 0;
      for (const s of stored) {
        const n = Math.max(1, s.value.split('\n').length - (s.value.endsWith('\n') ? 1 : 0));
        for (let t = 0; t < n; t++) rawLines[k++] = s.line;
      }
    }
    cells.push({ index, startLine: line, lineCount: lines.length, rawLines });
    parts.push(lines.join('\n'));
    line += lines.length;
  });
  return { text: parts.join('\n'), cells, language };
}

export function cellPosition(nb: NotebookText, line: number): CellPosition | undefined {
  for (const c of nb.cells) {
    if (line >= c.startLine && line < c.startLine + c.lineCount) {
      const inCell = line - c.startLine;
      return { cell: c.index, line: inCell, rawLine: c.rawLines[inCell] };
    }
  }
  return undefined;
}
