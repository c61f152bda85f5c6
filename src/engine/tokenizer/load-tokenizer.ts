// Opens a tokenizer.json with the best backend this platform has: the Rust core ('native',
// exact offsets, any tokenizer.json) when its N-API binary loads, else the pure-JS library
// ('js', offsets recovered by alignment). docs/tokenizers.md explains the choice.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { JsTextTokenizer } from './js-tokenizer';
import { loadNativeBinding, NativeTextTokenizer } from './native-tokenizer';
import type { TextTokenizer, TokenizerBackendName } from './text-tokenizer';
import { parseTokenizerJson, TokenizerFileError } from './tokenizer-json';

export interface LoadTokenizerOptions {
  /** 'auto' (default) prefers native and falls back to js; the others force one backend. */
  backend?: 'auto' | TokenizerBackendName;
}

/** Why the native backend was not used in the last 'auto' load, for logs and the provider report. */
let nativeUnavailableReason: string | undefined;
export function nativeTokenizerUnavailableReason(): string | undefined {
  return nativeUnavailableReason;
}

export async function loadTokenizer(path: string, options: LoadTokenizerOptions = {}): Promise<TextTokenizer> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TokenizerFileError(file, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const json = parseTokenizerJson(text, file);
  const backend = options.backend ?? 'auto';

  if (backend !== 'js') {
    let binding: ReturnType<typeof loadNativeBinding> | undefined;
    try {
      binding = loadNativeBinding();
    } catch (e) {
      nativeUnavailableReason = `the native tokenizers binding did not load on ${process.platform}-${process.arch}: ${(e as Error).message.split('\n')[0]}`;
      if (backend === 'native') throw new Error(nativeUnavailableReason);
    }
    if (binding) {
      try {
        return NativeTextTokenizer.create(binding, file, text, json);
      } catch (e) {
        // The Rust core refused the file: that is a problem of the file, not of the platform.
        throw new TokenizerFileError(file, `${file} is not a tokenizer the Hugging Face tokenizers library accepts: ${(e as Error).message}`);
      }
    }
  }

  const configPath = join(dirname(file), 'tokenizer_config.json');
  let config: object = {};
  if (existsSync(configPath)) {
    try {
      config = JSON.parse(readFileSync(configPath, 'utf8')) as object;
    } catch {
      config = {};
    }
  }
  try {
    return JsTextTokenizer.create(file, json, config);
  } catch (e) {
    throw new TokenizerFileError(file, `${file} cannot be loaded by the JavaScript tokenizer: ${(e as Error).message}`);
  }
}
