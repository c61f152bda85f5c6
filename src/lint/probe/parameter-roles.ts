// What a parameter is for, read from its name. The probe fills arguments by role: tensors
// for q/k/v/x, neutral values for masks and flags, the probe's sizes for size parameters.
// Names are compared after lower-casing and removing `_`, so `head_dim` and `headDim` agree.
// Some roles ask for a value the probe builds from the reference engine: `window` gets a small
// causal window, `cos`/`sin` get rotary tables, and `memory` (the encoder side of a cross-
// attention block) gets a second sequence of a different length.

export type ParameterRole =
  | 'query'
  | 'key'
  | 'value'
  | 'input'
  | 'mask'
  | 'paddingMask'
  | 'causalFlag'
  | 'scale'
  | 'dropout'
  | 'training'
  | 'deterministic'
  | 'heads'
  | 'kvHeads'
  | 'repeats'
  | 'headSize'
  | 'modelWidth'
  | 'queryLength'
  | 'keyLength'
  | 'length'
  | 'batch'
  | 'window'
  | 'cos'
  | 'sin'
  | 'memory'
  | 'unknown';

const PATTERNS: [ParameterRole, RegExp][] = [
  ['query', /^(x?q|qs|query|queries|q(heads|states|tensor|mat|matrix|in|input|layer))$/],
  ['key', /^(x?k|ks|key|keys|k(heads|states|tensor|mat|matrix|in|input|layer))$/],
  ['value', /^(x?v|vs|value|values|v(heads|states|tensor|mat|matrix|in|input|layer))$/],
  ['paddingMask', /^(keypaddingmask|paddingmask|padmask|attentionmask|keymask|srckeypaddingmask|lengthsmask)$/],
  ['mask', /mask/],
  ['causalFlag', /^(causal|iscausal|usecausal|autoregressive|isdecoder|maskfuture|decoder)$/],
  ['scale', /^(scale|smscale|softmaxscale|scaling|scalefactor|qkscale)$/],
  ['dropout', /^(dropout|dropoutp|p|attndropout|dropoutrate|pdrop|attnpdrop|droprate|attentiondropout)$/],
  ['training', /^(training|train|istraining)$/],
  ['deterministic', /^deterministic$/],
  ['kvHeads', /^(nkvheads?|numkvheads|numkeyvalueheads|kvheads|nkv|numkv|numgroups|ngroups|groups|nkvhead|numquerygroups)$/],
  ['repeats', /^(nrep|numrep|repeats|groupsize|nrepeat)$/],
  ['heads', /^(nh|nheads?|numheads|nhead|heads|numattentionheads|headcount)$/],
  ['headSize', /^(d|dk|dh|dhead|headdim|headsize|dimhead|dq|dv|dimk|dimperhead)$/],
  ['modelWidth', /^(dmodel|embeddim|dim|hiddensize|nembd|c|channels|modeldim|dembed|embdim|width|nstate)$/],
  ['queryLength', /^(lq|nq|tq|sq|querylength|querylen|qlen|seqlenq|tgtlen|numqueries)$/],
  ['keyLength', /^(lk|nk|tk|sk|keylength|keylen|klen|seqlenk|srclen|kvlen|numkeys)$/],
  ['length', /^(n|t|l|seqlen|seqlength|length|len|ntokens|numtokens|s|seq)$/],
  ['batch', /^(b|bs|batch|batchsize|nbatch)$/],
  ['window', /^(window|windowsize|slidingwindow|localwindow|windowlength|windowlen|win|winsize)$/],
  ['cos', /^(cos|coscache|coscached|costable|cosines?|freqscos|ropecos|rotarycos)$/],
  ['sin', /^(sin|sincache|sincached|sintable|sines?|freqssin|ropesin|rotarysin)$/],
  ['memory', /^(memory|mem|encoderout|encoderoutputs?|encoderhiddenstates|encout|encoded|encoderstates|context|ctx|crossinput|source)$/],
  ['input', /^(x|xs|h|hs|hidden|hiddenstates?|inputs?|tokens?|sequence|src|tgt|emb|embeddings?|features?|z)$/],
];

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

/** The role of a parameter; `position` disambiguates `h` (hidden input first, head count later). */
export function roleOf(name: string, position: number): ParameterRole {
  const n = normalizeName(name);
  if (n === 'h') return position === 0 ? 'input' : 'heads';
  for (const [role, re] of PATTERNS) if (re.test(n)) return role;
  return 'unknown';
}

/** True when the first three fillable parameters read as query, key, value. */
export function isQkvSignature(names: readonly string[]): boolean {
  if (names.length < 3) return false;
  return roleOf(names[0], 0) === 'query' && roleOf(names[1], 1) === 'key' && roleOf(names[2], 2) === 'value';
}

/** True when the first parameter reads as a single input sequence. */
export function isInputSignature(names: readonly string[]): boolean {
  return names.length >= 1 && roleOf(names[0], 0) === 'input';
}

const CHUNK_PARAMETER = /^(chunks|tiles|blocks|parts|pieces|chunkedscores|scorechunks|rowchunks)$/;

/** A chunked softmax like `onlineSoftmax(chunks)`: softmax in its name, a list of chunks first. */
export function isChunkedSoftmaxSignature(name: string, names: readonly string[]): boolean {
  return /softmax/i.test(name) && names.length >= 1 && CHUNK_PARAMETER.test(normalizeName(names[0]));
}

/** Roles that take tensors. */
export function isTensorRole(role: ParameterRole): boolean {
  return role === 'query' || role === 'key' || role === 'value' || role === 'input';
}
