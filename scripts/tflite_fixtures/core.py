"""Shared machinery: conversion with Larq Compute Engine, running LCE's
interpreter, an independent reading of the .tflite file (TensorFlow's own
generated Python schema and the flatbuffers package's FlexBuffers reader),
and writing a case directory."""

import hashlib
import importlib.metadata
import json
import os
import platform
import sys

import numpy as np

CASES = {}
ORDER = []


def case(name, description, group='op'):
    def deco(fn):
        assert name not in CASES, name
        CASES[name] = (group, fn, description)
        ORDER.append(name)
        return fn
    return deco


def seed_of(name):
    """Stable per-case seed (FNV-1a of the name)."""
    h = 2166136261
    for ch in name.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h & 0x7FFFFFFF


def versions():
    v = {}
    for pkg in ('larq-compute-engine', 'tensorflow-cpu', 'tf-keras', 'larq', 'larq-zoo',
                'numpy', 'flatbuffers'):
        try:
            v[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            v[pkg] = None
    v['python'] = platform.python_version()
    return v


# ---------------------------------------------------------------------------
# Conversion and the oracle

def convert(model, int8=False, int8_range=(-3.0, 3.0)):
    import tensorflow as tf
    import larq_compute_engine as lce
    if not int8:
        return lce.convert_keras_model(model)
    return lce.convert_keras_model(model, inference_input_type=tf.int8,
                                   inference_output_type=tf.int8,
                                   experimental_default_int8_range=int8_range)


def conversion_args(int8, int8_range=(-3.0, 3.0)):
    if not int8:
        return {'function': 'larq_compute_engine.convert_keras_model', 'target': 'arm'}
    return {'function': 'larq_compute_engine.convert_keras_model', 'target': 'arm',
            'inference_input_type': 'int8', 'inference_output_type': 'int8',
            'experimental_default_int8_range': list(int8_range)}


class TfliteOracle:
    """TensorFlow Lite's own interpreter (the runtime LCE's interpreter is
    built on, with TFLite's builtin kernels and no delegate), one thread,
    with the attributes and predict() of LCE's Interpreter."""

    def __init__(self, fb):
        import tensorflow as tf
        self.it = tf.lite.Interpreter(
            model_content=fb, num_threads=1,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.
            BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        self.it.allocate_tensors()
        for which in ('input', 'output'):
            ds = getattr(self.it, 'get_%s_details' % which)()
            setattr(self, which + '_types', [d['dtype'] for d in ds])
            setattr(self, which + '_shapes', [tuple(int(x) for x in d['shape']) for d in ds])
            setattr(self, which + '_scales', [None if d['dtype'] == np.float32
                                              else float(d['quantization'][0]) for d in ds])
            setattr(self, which + '_zero_points', [None if d['dtype'] == np.float32
                                                   else int(d['quantization'][1]) for d in ds])

    def predict(self, x):
        xs = x if isinstance(x, list) else [x]
        for d, v in zip(self.it.get_input_details(), xs):
            self.it.set_tensor(d['index'], v)
        self.it.invoke()
        out = [np.array(self.it.get_tensor(d['index'])) for d in self.it.get_output_details()]
        return out if len(out) > 1 else out[0]


# The oracles: LCE's interpreter for the per-op cases and the zoo models
# with LCE operators; TensorFlow Lite's own interpreter (its builtin
# kernels, no delegate), the runtime LCE's interpreter is built on, for a
# zoo model without LCE operators (DoReFa-Net), which is a plain TFLite
# model.
ORACLE_ARGS = {
    'lce': {'class': 'larq_compute_engine.tflite.python.interpreter.Interpreter',
            'num_threads': 1, 'use_reference_bconv': True},
    'tflite': {'class': 'tensorflow.lite.Interpreter', 'num_threads': 1,
               'experimental_op_resolver_type': 'BUILTIN_WITHOUT_DEFAULT_DELEGATES'},
}
INTERPRETER_ARGS = ORACLE_ARGS['lce']


def interpreter(fb, oracle='lce'):
    if oracle == 'tflite':
        return TfliteOracle(fb)
    from larq_compute_engine.tflite.python.interpreter import Interpreter
    return Interpreter(fb, num_threads=1, use_reference_bconv=True)


def run(fb, inputs, oracle='lce'):
    """Outputs of the oracle for one batch (a list of arrays)."""
    it = interpreter(fb, oracle)
    out = it.predict(inputs if len(inputs) > 1 else inputs[0])
    if not isinstance(out, list):
        out = [out]
    return [np.asarray(o) for o in out]


REFERENCE_ARGS = {'class': 'tensorflow.lite.Interpreter', 'num_threads': 1,
                  'experimental_op_resolver_type': 'BUILTIN_REF'}


def run_reference(fb, inputs):
    """Outputs of TensorFlow Lite's reference kernels (the op resolver
    BUILTIN_REF, which has no LCE operators) for one batch. The optimized
    kernels LCE's interpreter runs may round int8 results otherwise; the
    reference kernels are the formulas bnnc implements."""
    import tensorflow as tf
    it = tf.lite.Interpreter(
        model_content=fb, num_threads=1,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d['index'], x)
    it.invoke()
    return [np.array(it.get_tensor(d['index'])) for d in it.get_output_details()]


def has_lce_ops(reading):
    return any(oc['custom_code'] is not None for oc in reading['opcodes'])


# builtins TFLite's reference op resolver (BUILTIN_REF) does not register
NOT_IN_REFERENCE = {'ROUND'}


def wants_reference(reading):
    """Int8 models made of builtins only get reference-kernel outputs
    (when the reference op resolver has every one of them)."""
    sg = reading['subgraphs'][0]
    if has_lce_ops(reading) or NOT_IN_REFERENCE & set(op_counts(reading)):
        return False
    return any(t['type'] == 9 for t in sg['tensors'])    # INT8


def make_inputs(fb, rng, scale=1.0, oracle='lce', values=None):
    """One random input per model input: N(0, scale^2) floats, or for int8
    inputs the quantisation of such floats with the input's own
    parameters. values: given floats placed at the even elements (cycled)."""
    it = interpreter(fb, oracle)
    xs = []
    for dt, shape, qscale, zp in zip(it.input_types, it.input_shapes, it.input_scales,
                                     it.input_zero_points):
        x = (rng.standard_normal(shape) * scale).astype(np.float32)
        if values is not None:
            flat = x.reshape(-1)
            flat[0::2] = np.resize(np.asarray(values, np.float32), flat[0::2].shape)
        if np.dtype(dt) == np.int8:
            q = np.round(x / qscale) + zp
            xs.append(np.clip(q, -128, 127).astype(np.int8))
        elif np.dtype(dt) == np.float32:
            xs.append(x)
        else:
            raise ValueError('input type %s' % dt)
    return xs


# ---------------------------------------------------------------------------
# Independent reading of the file

def _schema():
    from tensorflow.lite.python import schema_py_generated as s
    return s


def builtin_names():
    s = _schema()
    return {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith('_')}


# C field name <- ObjectAPI attribute, per builtin operator
_ACT = 'fusedActivationFunction'
_OPTIONS = {
    'CONV_2D': [('padding', 'padding'), ('stride_w', 'strideW'), ('stride_h', 'strideH'),
                ('activation', _ACT), ('dilation_w', 'dilationWFactor'),
                ('dilation_h', 'dilationHFactor'),
                ('quantized_bias_type', 'quantizedBiasType')],
    'DEPTHWISE_CONV_2D': [('padding', 'padding'), ('stride_w', 'strideW'),
                          ('stride_h', 'strideH'), ('depth_multiplier', 'depthMultiplier'),
                          ('activation', _ACT), ('dilation_w', 'dilationWFactor'),
                          ('dilation_h', 'dilationHFactor')],
    'AVERAGE_POOL_2D': [('padding', 'padding'), ('stride_w', 'strideW'),
                        ('stride_h', 'strideH'), ('filter_w', 'filterWidth'),
                        ('filter_h', 'filterHeight'), ('activation', _ACT)],
    'FULLY_CONNECTED': [('activation', _ACT), ('weights_format', 'weightsFormat'),
                        ('keep_num_dims', 'keepNumDims'),
                        ('asymmetric_quantize_inputs', 'asymmetricQuantizeInputs'),
                        ('quantized_bias_type', 'quantizedBiasType')],
    'SOFTMAX': [('beta', 'beta')],
    'CONCATENATION': [('axis', 'axis'), ('activation', _ACT)],
    'ADD': [('activation', _ACT), ('pot_scale_int16', 'potScaleInt16')],
    'MUL': [('activation', _ACT)],
    'RESHAPE': [('new_shape', 'newShape')],
    'MEAN': [('keep_dims', 'keepDims')],
    'SQUEEZE': [('dims', 'squeezeDims')],
    'STRIDED_SLICE': [('begin_mask', 'beginMask'), ('end_mask', 'endMask'),
                      ('ellipsis_mask', 'ellipsisMask'), ('new_axis_mask', 'newAxisMask'),
                      ('shrink_axis_mask', 'shrinkAxisMask'), ('offset', 'offset')],
    'SPLIT': [('num_splits', 'numSplits')],
    'LEAKY_RELU': [('alpha', 'alpha')],
    'PACK': [('values_count', 'valuesCount'), ('axis', 'axis')],
    'SHAPE': [('out_type', 'outType')],
}
_OPTIONS['MAX_POOL_2D'] = _OPTIONS['AVERAGE_POOL_2D']
_OPTIONS['SUB'] = _OPTIONS['ADD']
_OPTIONS['DIV'] = _OPTIONS['MUL']
_OPTIONS_CLASS = {
    'CONV_2D': 'Conv2DOptionsT', 'DEPTHWISE_CONV_2D': 'DepthwiseConv2DOptionsT',
    'AVERAGE_POOL_2D': 'Pool2DOptionsT', 'MAX_POOL_2D': 'Pool2DOptionsT',
    'FULLY_CONNECTED': 'FullyConnectedOptionsT', 'SOFTMAX': 'SoftmaxOptionsT',
    'CONCATENATION': 'ConcatenationOptionsT', 'ADD': 'AddOptionsT', 'SUB': 'SubOptionsT',
    'MUL': 'MulOptionsT', 'DIV': 'DivOptionsT', 'RESHAPE': 'ReshapeOptionsT',
    'MEAN': 'ReducerOptionsT', 'SQUEEZE': 'SqueezeOptionsT',
    'STRIDED_SLICE': 'StridedSliceOptionsT', 'SPLIT': 'SplitOptionsT',
    'LEAKY_RELU': 'LeakyReluOptionsT', 'PACK': 'PackOptionsT', 'SHAPE': 'ShapeOptionsT',
}
_LCE_KEYS = {
    'LceBconv2d': [('channels_in', 'channels_in'), ('dilation_h', 'dilation_height_factor'),
                   ('dilation_w', 'dilation_width_factor'),
                   ('activation', 'fused_activation_function'),
                   ('pad_values', 'pad_values'), ('padding', 'padding'),
                   ('stride_h', 'stride_height'), ('stride_w', 'stride_width')],
    'LceBMaxPool2d': [('filter_h', 'filter_height'), ('filter_w', 'filter_width'),
                      ('padding', 'padding'), ('stride_h', 'stride_height'),
                      ('stride_w', 'stride_width')],
}


def _plain(v):
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(np.float32(v))
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_plain(x) for x in v]
    return v


def read_model(fb):
    """What the file says, read with TensorFlow's generated schema code (and
    flatbuffers' FlexBuffers reader for LCE options), in the shape the C
    unit test compares: operator codes, tensors, operators with options."""
    from flatbuffers import flexbuffers
    s = _schema()
    names = builtin_names()
    m = s.ModelT.InitFromPackedBuf(bytearray(fb), 0)
    opcodes = []
    for oc in m.operatorCodes or []:
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
        cc = oc.customCode.decode() if isinstance(oc.customCode, bytes) else oc.customCode
        opcodes.append({'builtin': code, 'custom_code': cc if code == 32 else None,
                        'version': oc.version})
    subgraphs = []
    for sg in m.subgraphs:
        tensors = []
        for t in sg.tensors:
            buf = m.buffers[t.buffer] if t.buffer else None
            data = b''
            if buf is not None and buf.data is not None:
                data = bytes(bytearray(buf.data))
            elif buf is not None and buf.offset > 1:   # stored after the FlatBuffer
                data = bytes(fb[buf.offset:buf.offset + buf.size])
            q = t.quantization
            quant = None
            if q is not None and q.scale is not None and len(q.scale):
                quant = {'scale': _plain(list(q.scale)),
                         'zero_point': [int(z) for z in q.zeroPoint],
                         'quantized_dimension': int(q.quantizedDimension)}
            name = t.name.decode() if isinstance(t.name, bytes) else (t.name or '')
            tensors.append({
                'name': name, 'type': int(t.type),
                'shape': _plain(list(t.shape)) if t.shape is not None else [],
                'shape_signature': _plain(list(t.shapeSignature))
                if t.shapeSignature is not None else None,
                'buffer': int(t.buffer), 'nbytes': len(data),
                'sha256': hashlib.sha256(data).hexdigest() if data else None,
                'quant': quant, 'is_variable': int(t.isVariable)})
        ops = []
        for op in sg.operators or []:
            oc = opcodes[op.opcodeIndex]
            name = oc['custom_code'] if oc['builtin'] == 32 else names[oc['builtin']]
            rec = {'opcode_index': int(op.opcodeIndex), 'name': name,
                   'inputs': _plain(list(op.inputs)) if op.inputs is not None else [],
                   'outputs': _plain(list(op.outputs)) if op.outputs is not None else [],
                   'options_type': int(op.builtinOptionsType)}
            if name in _OPTIONS:
                o = op.builtinOptions
                if o is None:   # absent table: the schema's defaults
                    o = getattr(s, _OPTIONS_CLASS[name])()
                opts = {}
                for cname, attr in _OPTIONS[name]:
                    v = getattr(o, attr)
                    if v is None:
                        v = []
                    opts[cname] = _plain(v)
                rec['options'] = opts
            elif name in _LCE_KEYS:
                d = flexbuffers.Loads(bytes(bytearray(op.customOptions)))
                rec['options'] = {c: int(d[k]) for c, k in _LCE_KEYS[name]}
            elif op.customOptions is not None and len(op.customOptions):
                rec['custom_options_size'] = len(op.customOptions)
            ops.append(rec)
        subgraphs.append({'name': (sg.name.decode() if isinstance(sg.name, bytes)
                                   else sg.name) or '',
                          'inputs': _plain(list(sg.inputs)),
                          'outputs': _plain(list(sg.outputs)),
                          'tensors': tensors, 'operators': ops})
    desc = m.description.decode() if isinstance(m.description, bytes) else m.description
    return {'version': int(m.version), 'description': desc, 'buffers': len(m.buffers),
            'opcodes': opcodes, 'subgraphs': subgraphs}


def with_outputs(fb, tensor_ids):
    """The same model with the given tensors appended to subgraph 0's
    outputs, so that the interpreter returns them (intermediate tensors)."""
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(fb), 0)
    sg = m.subgraphs[0]
    sg.outputs = list(sg.outputs) + [t for t in tensor_ids if t not in list(sg.outputs)]
    m.signatureDefs = None
    b = flatbuffers.Builder(len(fb) + 4096)
    b.Finish(m.Pack(b), file_identifier=b'TFL3')
    return bytes(b.Output())


def with_bitpacked_output(fb, op_name):
    """The same model whose only output is the bitpacked (int32) output of
    the first `op_name` operator (LceQuantize, or an LceBconv2d that writes
    bitpacked output), without the operators that no longer lead to it: a
    model that hands its caller the packed signs, as a model cut after a
    binary layer does."""
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(fb), 0)
    sg = m.subgraphs[0]

    def name(op):
        oc = m.operatorCodes[op.opcodeIndex]
        return oc.customCode.decode() if oc.customCode else None
    want = None
    for op in sg.operators:
        if name(op) == op_name and sg.tensors[op.outputs[0]].type == s.TensorType.INT32:
            want = op.outputs[0]
            break
    if want is None:
        raise AssertionError('no %s with a bitpacked output' % op_name)
    sg.outputs = [want]
    needed, keep = {want}, []
    for op in reversed(sg.operators):
        if any(t in needed for t in op.outputs):
            keep.append(op)
            needed.update(t for t in op.inputs if t >= 0)
    sg.operators = list(reversed(keep))
    m.signatureDefs = None
    b = flatbuffers.Builder(len(fb) + 4096)
    b.Finish(m.Pack(b), file_identifier=b'TFL3')
    return bytes(b.Output())


def with_bitpacked_input(fb, inputs):
    """The model whose input goes through an LceQuantize first, given the
    LceQuantize's bitpacked output instead: that operator removed, its
    output the model input. Returns the new model and its input, the
    words LCE's interpreter computes for `inputs` (so that bits past the
    channel count are LCE's own zeros)."""
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(fb), 0)
    sg = m.subgraphs[0]
    first = None
    for k, op in enumerate(sg.operators):
        oc = m.operatorCodes[op.opcodeIndex]
        if oc.customCode and oc.customCode.decode() == 'LceQuantize' and \
                op.inputs[0] == sg.inputs[0]:
            first = k
            break
    if first is None or len(sg.inputs) != 1:
        raise AssertionError('no LceQuantize of the only model input')
    q = sg.operators[first].outputs[0]
    words = run(with_outputs(fb, [q]), inputs)[-1]
    sg.inputs = [q]
    sg.operators = sg.operators[:first] + sg.operators[first + 1:]
    m.signatureDefs = None
    b = flatbuffers.Builder(len(fb) + 4096)
    b.Finish(m.Pack(b), file_identifier=b'TFL3')
    return bytes(b.Output()), [np.asarray(words, dtype=np.int32)]


def with_constant_input(fb, k, rng, scale=0.5):
    """The model with its input k turned into a constant: N(0, scale^2)
    values from rng (quantised with the input's own parameters when it is
    int8) stored in the tensor's buffer, the tensor no longer a model
    input. The operators on it stay as the converter wrote them, which is
    how converters leave run-time operators on constants they do not fold
    (larq_zoo XNORNet's 150 MB kernel is beyond the size TensorFlow's
    constant folding takes on)."""
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(fb), 0)
    sg = m.subgraphs[0]
    t = sg.tensors[sg.inputs[k]]
    x = (rng.standard_normal(tuple(t.shape)) * scale).astype(np.float32)
    if t.type == s.TensorType.INT8:
        q = t.quantization
        x = np.clip(np.round(x / q.scale[0]) + q.zeroPoint[0], -128, 127).astype(np.int8)
    elif t.type != s.TensorType.FLOAT32:
        raise ValueError('input %d: type %d' % (k, t.type))
    buf = s.BufferT()
    buf.data = np.frombuffer(x.tobytes(), dtype=np.uint8)
    m.buffers.append(buf)
    t.buffer = len(m.buffers) - 1
    t.shapeSignature = None
    sg.inputs = [i for j, i in enumerate(sg.inputs) if j != k]
    m.signatureDefs = None
    b = flatbuffers.Builder(len(fb) + x.nbytes + 4096)
    b.Finish(m.Pack(b), file_identifier=b'TFL3')
    return bytes(b.Output())


def externalize_buffers(fb):
    """The same model with every non-empty buffer stored after the
    FlatBuffer (Buffer.offset/size, as converters write models larger than
    2 GB): data 16-byte aligned, offsets from the start of the file."""
    import flatbuffers
    s = _schema()
    m = s.ModelT.InitFromPackedBuf(bytearray(fb), 0)
    blobs = []
    for buf in m.buffers:
        if buf.data is not None and len(buf.data):
            blobs.append((buf, bytes(bytearray(buf.data))))
            buf.data = None
            buf.offset, buf.size = 1, 1      # placeholders: same layout as the final

    def pack():
        b = flatbuffers.Builder(len(fb) + 4096)
        b.Finish(m.Pack(b), file_identifier=b'TFL3')
        return bytes(b.Output())
    head = pack()
    pos = (len(head) + 15) // 16 * 16
    tail = b''
    for buf, data in blobs:
        buf.offset, buf.size = pos + len(tail), len(data)
        tail += data + bytes((-len(data)) % 16)
    head2 = pack()
    assert len(head2) == len(head)
    return head2 + bytes(pos - len(head2)) + tail


def op_counts(reading):
    counts = {}
    for op in reading['subgraphs'][0]['operators']:
        counts[op['name']] = counts.get(op['name'], 0) + 1
    return dict(sorted(counts.items()))


def bconv_output_kinds(reading):
    """'float32', 'int8' or 'bitpacked' per LceBconv2d, in order."""
    sg = reading['subgraphs'][0]
    kinds = []
    for op in sg['operators']:
        if op['name'] == 'LceBconv2d':
            t = sg['tensors'][op['outputs'][0]]['type']
            kinds.append({0: 'float32', 9: 'int8', 2: 'bitpacked'}.get(t, str(t)))
    return kinds


# ---------------------------------------------------------------------------
# Writing a case

def save_npy(path, arr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, np.ascontiguousarray(arr), version=(1, 0),
                                  allow_pickle=False)


def _fmt(v, ind):
    """Dicts one key per line, lists of scalars on one line, lists of
    dicts one item per line: readable and diff-friendly."""
    pad = ' ' * ind
    if isinstance(v, dict):
        if not v:
            return '{}'
        items = ['%s %s: %s' % (pad, json.dumps(k), _fmt(x, ind + 1)) for k, x in v.items()]
        return '{\n' + ',\n'.join(items) + '\n' + pad + '}'
    if isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
        items = [pad + ' ' + _fmt(x, ind + 1) for x in v]
        return '[\n' + ',\n'.join(items) + '\n' + pad + ']'
    return json.dumps(v, separators=(', ', ': '))


def dump_json(path, obj):
    with open(path, 'w') as f:
        f.write(_fmt(obj, 0) + '\n')


def io_desc(it, which):
    types = getattr(it, which + '_types')
    shapes = getattr(it, which + '_shapes')
    scales = getattr(it, which + '_scales')
    zps = getattr(it, which + '_zero_points')
    out = []
    for dt, shape, sc, zp in zip(types, shapes, scales, zps):
        d = {'dtype': np.dtype(dt).name, 'shape': [int(x) for x in shape]}
        if sc is not None:
            d['scale'] = _plain(sc)
            d['zero_point'] = _plain(zp)
        out.append(d)
    return out


def record(out_dir, name, description, fb, *, seed, conversion, inputs, command,
           internals=True, notes=None, extra=None, oracle='lce'):
    """Run the oracle on inputs and write out_dir/ with model.tflite,
    input*.npy, output*.npy, internals/ and meta.json."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'model.tflite'), 'wb') as f:
        f.write(fb)
    outputs = run(fb, inputs, oracle)
    for i, x in enumerate(inputs):
        save_npy(os.path.join(out_dir, 'input.npy' if len(inputs) == 1
                              else 'input_%d.npy' % i), x)
    for i, y in enumerate(outputs):
        save_npy(os.path.join(out_dir, 'output.npy' if len(outputs) == 1
                              else 'output_%d.npy' % i), y)
    reading = read_model(fb)
    it = interpreter(fb, oracle)
    meta = {'case': name, 'description': description,
            'provenance': dict(versions(), seed=seed, command=command),
            'conversion': conversion, 'interpreter': ORACLE_ARGS[oracle],
            'inputs': io_desc(it, 'input'), 'outputs': io_desc(it, 'output'),
            'op_counts': op_counts(reading),
            'bconv_outputs': bconv_output_kinds(reading)}
    if extra:
        meta.update(extra)
    if wants_reference(reading):
        for i, y in enumerate(run_reference(fb, inputs)):
            save_npy(os.path.join(out_dir, 'output_reference.npy' if len(outputs) == 1
                                  else 'output_reference_%d.npy' % i), y)
        meta['reference_interpreter'] = REFERENCE_ARGS
    if internals:
        meta['internals'] = record_internals(out_dir, fb, reading, inputs, oracle)
    if notes:
        meta['notes'] = notes
    meta['reading'] = reading
    dump_json(os.path.join(out_dir, 'meta.json'), meta)
    return outputs, reading


def record_internals(out_dir, fb, reading, inputs, oracle='lce'):
    """internals/t<index>.npy: every operator output that is not a model
    output, computed by the interpreter on a copy of the model that lists
    them as outputs. Returns {file: tensor name}."""
    sg = reading['subgraphs'][0]
    ids = []
    for op in sg['operators']:
        for t in op['outputs']:
            # scalars are left out: the interpreter's predict() cannot
            # batch them
            if t >= 0 and t not in sg['outputs'] and t not in ids and \
                    sg['tensors'][t]['shape']:
                ids.append(t)
    if not ids:
        return {}
    fb2 = with_outputs(fb, ids)
    outs = run(fb2, inputs, oracle)[len(sg['outputs']):]
    index = {}
    for t, y in zip(ids, outs):
        fname = 't%d.npy' % t
        save_npy(os.path.join(out_dir, 'internals', fname), y)
        index[fname] = sg['tensors'][t]['name']
    return index


def dir_size(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(d, f))
    return total


def keras_reset(seed):
    import tensorflow as tf
    tf.keras.backend.clear_session()
    tf.random.set_seed(seed)
    np.random.seed(seed)


def randomise_weights(model, rng, bn=True):
    """Deterministic weights from rng for every layer (Keras' own
    initialisers are replaced so the files do not depend on TF's RNG).
    BatchNorm gets gamma/beta/mean/variance with negative, near-zero and
    skewed channels unless bn is False."""
    import tensorflow as tf
    for layer in model.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        names = [w.name.split('/')[-1].split(':')[0] for w in layer.weights]
        new = []
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            for n, w in zip(names, ws):
                c = w.shape[0]
                if n == 'gamma':
                    g = rng.normal(1.0, 0.4, c)
                    g[rng.random(c) < 0.15] *= -1
                    g[rng.random(c) < 0.05] = 0.0 if bn else 1.0
                    new.append(g.astype(np.float32))
                elif n == 'beta':
                    new.append(rng.normal(0, 0.5, c).astype(np.float32))
                elif n == 'moving_mean':
                    new.append(rng.normal(0, 2.0, c).astype(np.float32))
                elif n == 'moving_variance':
                    new.append(rng.uniform(0.5, 4.0, c).astype(np.float32))
                else:
                    new.append(w)
            layer.set_weights(new)
            continue
        for n, w in zip(names, ws):
            if n in ('bias',):
                new.append(rng.normal(0, 0.2, w.shape).astype(np.float32))
            elif n == 'alpha':
                new.append(rng.uniform(0.05, 0.5, w.shape).astype(np.float32))
            else:
                fan_in = int(np.prod(w.shape[:-1])) if w.ndim > 1 else 1
                if 'depthwise' in n:
                    fan_in = int(np.prod(w.shape[:2]))
                new.append((rng.standard_normal(w.shape) *
                            np.sqrt(2.0 / max(fan_in, 1))).astype(np.float32))
        layer.set_weights(new)


def calibrate_bn(model, rng, x, skew=True):
    """Set every BatchNorm's moving statistics from the activations it sees
    on the calibration batch x (layer by layer, in order), then randomise
    gamma/beta so that some channels are negative-gamma, some dead
    (gamma 0, or a strongly skewed mean) and some skewed."""
    import tensorflow as tf
    bns = [l for l in model.layers if isinstance(l, tf.keras.layers.BatchNormalization)]
    for bn in bns:
        sub = tf.keras.Model(model.inputs, bn.input)
        a = sub.predict(x, verbose=0)
        axes = tuple(range(a.ndim - 1))
        mean = a.mean(axis=axes)
        var = a.var(axis=axes) + 1e-3
        c = mean.shape[0]
        gamma = rng.normal(1.0, 0.3, c)
        gamma[rng.random(c) < 0.15] *= -1
        beta = rng.normal(0.0, 0.3, c)
        if skew:
            dead = rng.random(c) < 0.03
            gamma[dead] = 0.0
            sk = rng.random(c) < 0.05
            beta[sk] = rng.choice([-1, 1], sk.sum()) * 3.0 * np.abs(gamma[sk]) + 0.5
        ws = {w.name.split('/')[-1].split(':')[0]: w for w in bn.weights}
        vals = []
        for w in bn.weights:
            n = w.name.split('/')[-1].split(':')[0]
            vals.append({'gamma': gamma, 'beta': beta, 'moving_mean': mean,
                         'moving_variance': var}[n].astype(np.float32))
        del ws
        bn.set_weights(vals)


def describe_env():
    return '%s on %s' % (sys.version.split()[0], platform.machine())
