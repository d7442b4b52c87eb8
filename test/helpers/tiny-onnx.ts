/**
 * Writes a tiny BERT-shaped model, built entirely in code, that transformers.js 2.17.2
 * loads through its `feature-extraction` pipeline. No downloads, deterministic weights.
 *
 * Layout (what transformers.js expects under `env.localModelPath`):
 *   <dir>/<name>/config.json
 *   <dir>/<name>/tokenizer.json            (WordPiece, BERT normalizer / pre-tokenizer)
 *   <dir>/<name>/tokenizer_config.json
 *   <dir>/<name>/onnx/model.onnx
 *   <dir>/<name>/onnx/model_quantized.onnx (same graph; optional)
 *
 * Graph (opset 13), for input_ids / attention_mask / token_type_ids int64 [batch, seq]:
 *   tok = word_emb[input_ids] ; typ = type_emb[token_type_ids] ; pos = pos_emb[0..seq)
 *   ctx = sum_s(tok * mask) / sum_s(mask)          -- masked sentence mean, broadcast to every token
 *   last_hidden_state = tanh((tok + typ + pos + ctx) @ W)   float [batch, seq, hidden]
 * The `ctx` term makes every position (including [CLS]) depend on the whole sentence, and the
 * attention mask keeps padding from changing a sentence's output — like a real encoder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

export const TINY_HIDDEN_SIZE = 16;
export const TINY_MAX_LENGTH = 64;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const WORDS = [
  'the',
  'a',
  'an',
  'of',
  'and',
  'to',
  'in',
  'is',
  'it',
  'that',
  'this',
  'for',
  'on',
  'with',
  'as',
  'was',
  'be',
  'by',
  'are',
  'or',
  'from',
  'what',
  'who',
  'how',
  'why',
  'where',
  'when',
  'represent',
  'sentence',
  'search',
  'relevant',
  'passage',
  'passages',
  'query',
  'cat',
  'dog',
  'bird',
  'fish',
  'horse',
  'red',
  'blue',
  'green',
  'yellow',
  'quick',
  'slow',
  'brown',
  'fox',
  'jump',
  'over',
  'lazy',
  'river',
  'mountain',
  'sky',
  'sea',
  'tree',
  'stone',
  'house',
  'road',
  'city',
  'light',
  'dark',
  'sun',
  'moon',
  'star',
  'rain',
  'wind',
  'fire',
  'water',
  'book',
  'word',
  'page',
  'line',
  'one',
  'two',
  'three',
  'four',
  'five',
  '##s',
  '##ing',
  '##ed',
  '##er',
  '##ly',
  '.',
  ',',
  ':',
  ';',
  '?',
  '!',
  "'",
  '-',
  '(',
  ')',
];

/** Words of the tiny vocabulary that are whole words (handy for generating test sentences). */
export const TINY_WORDS: readonly string[] = WORDS.filter((w) => /^[a-z]+$/.test(w));

/** mulberry32: small deterministic PRNG, values in [-scale, scale). */
function weights(count: number, seed: number, scale: number): number[] {
  let a = seed >>> 0;
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (u * 2 - 1) * scale;
  }
  return out;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], data: number[]): Onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: data };
}
function int64Tensor(name: string, dims: number[], data: number[]): Onnx.ITensorProto {
  return { name, dims, dataType: INT64, int64Data: data };
}
function valueInfo(name: string, elemType: number, dims: Array<string | number>): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: Onnx.IAttributeProto[] = [],
): Onnx.INodeProto {
  return { opType, input, output, name: `${opType}_${output[0]}`, attribute };
}
const intAttr = (name: string, i: number): Onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i,
});

/** Serialized ONNX model bytes for the tiny encoder. */
export function buildTinyBertOnnx(vocabSize: number, hidden = TINY_HIDDEN_SIZE, maxLen = TINY_MAX_LENGTH): Uint8Array {
  const initializer: Onnx.ITensorProto[] = [
    floatTensor('word_emb', [vocabSize, hidden], weights(vocabSize * hidden, 1, 1)),
    floatTensor('pos_emb', [maxLen, hidden], weights(maxLen * hidden, 2, 0.3)),
    floatTensor('type_emb', [2, hidden], weights(2 * hidden, 3, 0.1)),
    floatTensor('proj', [hidden, hidden], weights(hidden * hidden, 4, 0.6)),
    int64Tensor('idx_one', [], [1]),
    int64Tensor('zero', [], [0]),
    int64Tensor('one', [], [1]),
    int64Tensor('axes_2', [1], [2]),
    int64Tensor('axes_1', [1], [1]),
  ];
  const nodes: Onnx.INodeProto[] = [
    node('Gather', ['word_emb', 'input_ids'], ['tok'], [intAttr('axis', 0)]),
    node('Gather', ['type_emb', 'token_type_ids'], ['typ'], [intAttr('axis', 0)]),
    node('Shape', ['input_ids'], ['ids_shape']),
    node('Gather', ['ids_shape', 'idx_one'], ['seq_len'], [intAttr('axis', 0)]),
    node('Range', ['zero', 'seq_len', 'one'], ['pos_ids']),
    node('Gather', ['pos_emb', 'pos_ids'], ['pos'], [intAttr('axis', 0)]),
    node('Cast', ['attention_mask'], ['mask_f'], [intAttr('to', FLOAT)]),
    node('Unsqueeze', ['mask_f', 'axes_2'], ['mask3']),
    node('Mul', ['tok', 'mask3'], ['tok_masked']),
    node('ReduceSum', ['tok_masked', 'axes_1'], ['tok_sum'], [intAttr('keepdims', 1)]),
    node('ReduceSum', ['mask3', 'axes_1'], ['tok_count'], [intAttr('keepdims', 1)]),
    node('Div', ['tok_sum', 'tok_count'], ['ctx']),
    node('Add', ['tok', 'typ'], ['h1']),
    node('Add', ['h1', 'pos'], ['h2']),
    node('Add', ['h2', 'ctx'], ['h3']),
    node('MatMul', ['h3', 'proj'], ['h4']),
    node('Tanh', ['h4'], ['last_hidden_state']),
  ];
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'quotebot-test-tiny-onnx',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_bert',
      node: nodes,
      initializer,
      input: [
        valueInfo('input_ids', INT64, ['batch', 'seq']),
        valueInfo('attention_mask', INT64, ['batch', 'seq']),
        valueInfo('token_type_ids', INT64, ['batch', 'seq']),
      ],
      output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'seq', hidden])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function tokenizerJson(vocab: Record<string, number>): unknown {
  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tok = (id: string, type_id = 0) => ({ SpecialToken: { id, type_id } });
  const seq = (id: 'A' | 'B', type_id: number) => ({ Sequence: { id, type_id } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [tok('[CLS]'), seq('A', 0), tok('[SEP]')],
      pair: [tok('[CLS]'), seq('A', 0), tok('[SEP]'), seq('B', 1), tok('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export interface TinyModelOptions {
  /** Write `onnx/model_quantized.onnx` too (default true). With false only `onnx/model.onnx` exists. */
  quantized?: boolean;
}

/**
 * Write the tiny model to `<dir>/<name>/`. Returns `modelDir` (pass as `env.localModelPath`)
 * and `model` (the model id, i.e. `name`).
 */
export async function writeTinyBertModel(
  dir: string,
  name = 'test/tiny-bge-en',
  opts: TinyModelOptions = {},
): Promise<{ modelDir: string; model: string }> {
  const root = path.join(dir, ...name.split('/'));
  await mkdir(path.join(root, 'onnx'), { recursive: true });

  const vocab: Record<string, number> = {};
  for (const t of [...SPECIAL_TOKENS, ...WORDS]) if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  const vocabSize = Object.keys(vocab).length;

  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: TINY_HIDDEN_SIZE,
    intermediate_size: TINY_HIDDEN_SIZE * 2,
    num_attention_heads: 2,
    num_hidden_layers: 1,
    max_position_embeddings: TINY_MAX_LENGTH,
    type_vocab_size: 2,
    vocab_size: vocabSize,
    pad_token_id: 0,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: TINY_MAX_LENGTH,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  };

  const onnxBytes = buildTinyBertOnnx(vocabSize);
  await Promise.all([
    writeFile(path.join(root, 'config.json'), JSON.stringify(config, null, 2)),
    writeFile(path.join(root, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab))),
    writeFile(path.join(root, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2)),
    writeFile(path.join(root, 'onnx', 'model.onnx'), onnxBytes),
    opts.quantized === false
      ? Promise.resolve()
      : writeFile(path.join(root, 'onnx', 'model_quantized.onnx'), onnxBytes),
  ]);
  return { modelDir: dir, model: name };
}
