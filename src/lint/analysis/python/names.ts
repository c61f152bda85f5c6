// Naming conventions used by real attention code. Names are evidence, never proof: rules that
// use them also need a structural signal (a score product, a mask reaching the scores).
import type { Role } from '../values';
import { memoByString } from '../memo-string';

export function roleFromName(name: string | undefined): Role | undefined {
  return name ? roleFromNameMemo(name) : undefined;
}

const roleFromNameMemo = memoByString((name: string): Role | undefined => {
  const n = name.replace(/^self\./, '');
  if (/^(q|Q|query|queries|xq|q_?states?|query_states|query_layer|q_h|qh|q_heads|q_rot|q_s|q_i|q_t|q_new|q_embed|q_pe|q_nope|q_|q_scaled|query_layer)$/.test(n)) return 'q';
  if (/^(k|K|key|keys|xk|k_?states?|key_states|key_layer|k_h|kh|k_heads|k_rot|k_s|k_j|k_t|k_new|k_embed|k_pe|keys_|k_|k_cache|key_cache|cached_k|k_all|k_full|k_ext)$/.test(n)) return 'k';
  if (/^(v|V|value|values|xv|v_?states?|value_states|value_layer|v_h|vh|v_heads|v_s|v_j|v_t|v_new|v_|v_cache|value_cache|cached_v|v_all|v_full|v_ext)$/.test(n)) return 'v';
  if (/^(context|ctx|memory|mem|enc|encoder_out|encoder_outputs?|encoder_hidden_states?|encoder_states?|cond|conditioning|condition|kv_input|enc_out|enc_output|encoder_output|text_embeds|text_emb|memory_bank|src_enc|enc_hidden)$/.test(n)) return 'ctx';
  if (/^(x|h|hidden|hidden_states?|inputs?|tgt|dec|decoder_hidden|decoder_out|decoder_output|decoder_states?|dec_out|dec_hidden|latents|y|seq|embeddings|tokens_emb|image_latents|img|image)$/.test(n)) return 'x';
  return undefined;
});

export type PaddingName = 'valid' | 'pad';

/** Per-token padding masks recognisable by name, and what True means for them. */
export const paddingFromName = memoByString((name: string): PaddingName | undefined => {
  const n = name.replace(/^self\./, '');
  if (/^(attention_mask|input_mask|valid_mask|keep_mask|non_pad_mask|nonpad_mask|token_mask|seq_mask|valid|keep|is_valid|not_pad|src_valid|tgt_valid|visible|allowed|lengths_mask|length_mask)$/.test(n)) return 'valid';
  if (/^(key_padding_mask|padding_mask|pad_mask|src_key_padding_mask|tgt_key_padding_mask|memory_key_padding_mask|is_pad|pad|src_pad_mask|tgt_pad_mask|src_padding_mask|tgt_padding_mask|pad_positions|padded)$/.test(n)) return 'pad';
  return undefined;
});

export const isTokenIdsName = memoByString((name: string): boolean => {
  return /^(input_ids|ids|tokens|token_ids|src|tgt|src_tokens|tgt_tokens|src_seq|tgt_seq|seq|trg|x_ids|idx|inputs|input_seq)$/.test(name.replace(/^self\./, ''));
});

export function isPadIdName(text: string): boolean {
  return /pad/i.test(text);
}

export const isCacheName = memoByString((name: string): boolean => {
  return /^(past_key_values?|past_key_value|layer_past|past|kv_cache|cache|past_kv|start_pos|past_len|past_length|cache_position|cache_index|offset|pos_offset|cache_k|cache_v|k_cache|v_cache|prev_k|prev_v|past_k|past_v|past_keys|past_values)$/.test(name.replace(/^self\./, ''));
});

export function isCacheLikeText(text: string): boolean {
  return /past|cache|prev_k|prev_v|layer_past|kv_cache/i.test(text);
}

/** Projection modules by attribute name: to_q / q_proj / W_q / wq / query / c_attn … */
export const projectionKind = memoByString((callee: string): 'q' | 'k' | 'v' | 'kv' | 'qkv' | undefined => {
  const last = callee.replace(/^self\./, '').split('.').pop() ?? callee;
  if (/^(to_qkv|qkv|qkv_proj|c_attn|in_proj|Wqkv|wqkv|qkv_linear|to_qkv_proj|W_qkv|qkv_net)$/.test(last)) return 'qkv';
  if (/^(to_kv|kv|kv_proj|Wkv|wkv|W_kv|kv_linear|to_kv_proj|linear_kv|kv_net)$/.test(last)) return 'kv';
  if (/^(to_q|q_proj|W_q|wq|Wq|w_q|query|q_linear|linear_q|q|w_qs|query_proj|proj_q|q_net|to_queries|W_Q|fc_q)$/.test(last)) return 'q';
  if (/^(to_k|k_proj|W_k|wk|Wk|w_k|key|k_linear|linear_k|k|w_ks|key_proj|proj_k|k_net|to_keys|W_K|fc_k)$/.test(last)) return 'k';
  if (/^(to_v|v_proj|W_v|wv|Wv|w_v|value|v_linear|linear_v|v|w_vs|value_proj|proj_v|v_net|to_values|W_V|fc_v)$/.test(last)) return 'v';
  return undefined;
});

export const isRopeCallee = memoByString((callee: string): boolean => {
  const last = callee.split('.').pop() ?? callee;
  if (/^(rotate_half|rotate_every_two|rope_theta|rotary_dim|rotary_ndims)$/.test(last)) return false;
  return /rotary|rope|apply_rot|rot_pos|rotate_queries_or_keys|rotate_queries_and_keys|apply_pos_emb|apply_rotary_pos_emb|pos_emb_rotate/i.test(last);
});

export function isInverseRopeCallee(callee: string): boolean {
  return /inv|inverse|unrotate|derotate|counter/i.test(callee.split('.').pop() ?? callee);
}
