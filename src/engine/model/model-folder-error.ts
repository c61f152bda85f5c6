// The one error a bad model folder produces: what is wrong, in which file, and how to fix it.
// Every check of openModelFolder throws exactly one of these, so the host and the CLI can show
// a single clear message (and never crash on a half-read model).

export type ModelFolderErrorCode =
  | 'folder-missing'
  | 'model-missing'
  | 'model-unreadable'
  | 'model-corrupt'
  | 'external-data-missing'
  | 'tokenizer-missing'
  | 'tokenizer-invalid'
  | 'manifest-invalid'
  | 'vocab-larger-than-embedding'
  | 'vocab-smaller-than-embedding'
  | 'no-attention';

export class ModelFolderError extends Error {
  constructor(
    readonly code: ModelFolderErrorCode,
    /** The file (or folder) the problem is in. */
    readonly file: string,
    /** What is wrong, in one sentence that names the file. */
    message: string,
    /** What the user can do about it. */
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ModelFolderError';
  }

  /** "message Fix: fix" — the single line shown to users. */
  describe(): string {
    return `${this.message} Fix: ${this.fix}`;
  }
}
