"""Case registry, oracles and the fixture directory writer for the ONNX
fixtures (tests/golden/onnx/README.md describes the format).

Every case is a function that returns a `Case`: the model file bytes (as
the real exporter or onnx.helper wrote them), named inputs, the oracle to
run, and notes. `write_case` runs the oracle on the committed file, records
inputs, outputs and intermediate tensors as .npy, and writes meta.json with
provenance and the `reader` section: what an independent reader (the
`onnx` Python package) decodes from the file, for the C reader's tests.
"""

import hashlib
import json
import math
import os
import platform
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper, TensorProto, AttributeProto

# onnx 1.23 stamps IR version 14 on models it builds, which onnxruntime
# 1.31 refuses; qonnx's node-by-node executor builds such models. Every
# model written here is stamped 13 (onnx 1.23's helpers produce nothing
# that needs 14).
onnx.IR_VERSION = 13

CASES = {}      # name -> (group, function, description, committed)
ORDER = []

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GOLDEN = os.path.join(REPO, 'tests', 'golden', 'onnx')
BIG = os.path.join(REPO, 'build', 'onnx-models')

ORT_MAX_OPSET = 26      # newest default-domain opset onnxruntime 1.31 runs


def case(name, group, description, committed=True):
    """Register a case. committed=False: generated on demand into
    build/onnx-models (too large for the repository)."""
    def deco(fn):
        assert name not in CASES, name
        CASES[name] = (group, fn, description, committed)
        ORDER.append(name)
        return fn
    return deco


def seed_of(name):
    """Stable per-case seed (FNV-1a of the name)."""
    h = 2166136261
    for ch in name.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h & 0x7FFFFFFF


class Case:
    """What a case function returns.

    model: onnx.ModelProto (written with onnx.save) or bytes (written as
    is); external: {file name: bytes} written beside model.onnx;
    inputs: list of (name, ndarray) in graph input order; oracle: 'ort'
    or 'qonnx'; internals: record every node output (True), none (False)
    or the outputs of these op types (a set); reference: optional ndarray list from the framework the
    model came from (PyTorch), checked against the oracle; tol: allowed
    |oracle - reference| relative to max |reference|."""

    def __init__(self, model, inputs, oracle='ort', notes='', external=None,
                 reference=None, tol=1e-5, internals=True, extra=None,
                 producer=None):
        self.model = model
        self.inputs = inputs
        self.oracle = oracle
        self.notes = notes
        self.external = external or {}
        self.reference = reference
        self.tol = tol
        self.internals = internals
        self.extra = extra or {}
        self.producer = producer


# ---------------------------------------------------------------------------
# Versions and determinism

def versions():
    from importlib.metadata import version
    v = {'onnx': version('onnx'), 'onnxruntime': version('onnxruntime'),
         'numpy': version('numpy'), 'python': platform.python_version()}
    for mod in ('torch', 'torchvision', 'brevitas', 'qonnx'):
        if mod in sys.modules:
            v[mod] = version(mod)
    return v


def seed_everything(seed):
    """Seed numpy and torch (imported here, so that a case that builds
    a PyTorch model never starts from an unseeded generator). Without
    torch installed only numpy is seeded: the cases built with onnx.helper
    need nothing else, and the PyTorch ones fail on their own import."""
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------
# Real-looking images: crops of scikit-learn's two sample photographs
# (china.jpg, flower.jpg; CC BY 2.0, shipped with scikit-learn) and its
# handwritten digits.

_PHOTOS = None


def photos():
    global _PHOTOS
    if _PHOTOS is None:
        from sklearn.datasets import load_sample_images
        _PHOTOS = [np.asarray(im, dtype=np.float32) / 255.0
                   for im in load_sample_images().images]
    return _PHOTOS


def photo_batch(rng, n, size, normalize=True):
    """n random crops (NCHW float32, RGB) of the sample photographs,
    resized by striding to size x size; ImageNet mean/std when
    normalize."""
    out = np.empty((n, 3, size, size), np.float32)
    for i in range(n):
        im = photos()[rng.randint(len(photos()))]
        h, w, _ = im.shape
        span = rng.randint(size, min(h, w) + 1)
        y = rng.randint(h - span + 1)
        x = rng.randint(w - span + 1)
        idx = (np.arange(size) * span) // size
        crop = im[y + idx][:, x + idx]
        out[i] = crop.transpose(2, 0, 1)
    if normalize:
        mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
        std = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)
        out = (out - mean) / std
    return out.astype(np.float32)


def digit_batch(rng, n, size=8):
    """n scikit-learn digits as (n, 1, size, size) float32 in [0, 1]
    (nearest-neighbour upscaled from 8x8)."""
    from sklearn.datasets import load_digits
    d = load_digits().images.astype(np.float32) / 16.0
    pick = d[rng.randint(len(d), size=n)]
    idx = (np.arange(size) * 8) // size
    return np.ascontiguousarray(pick[:, idx][:, :, idx][:, None])


# ---------------------------------------------------------------------------
# Oracles

def data_dependent(model):
    """Names of the tensors whose value depends on a graph input (weight-
    only subgraphs, such as the binarisation of a weight initializer, are
    left out of the recorded intermediates)."""
    inits = {t.name for t in model.graph.initializer}
    live = {i.name for i in model.graph.input if i.name not in inits}
    for n in model.graph.node:
        if any(i in live for i in n.input if i):
            live.update(o for o in n.output if o)
    return live


def run_ort(path, feeds, internals):
    """Run the model file with onnxruntime (CPU, one thread, graph
    optimisations off so that nodes run as written). With internals, every
    node output is also returned (the model is copied with those added as
    graph outputs). Returns (outputs, {tensor name: value})."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
    outs = sess.run(None, feeds)
    inter = {}
    if internals:
        m = onnx.load(path)
        live = data_dependent(m)
        names = [o for n in m.graph.node for o in n.output if o in live
                 if internals is True or n.op_type in internals]
        declared = {o.name for o in m.graph.output}
        inferred = onnx.shape_inference.infer_shapes(m)
        types = {v.name: v for v in inferred.graph.value_info}
        extra = [n for n in names if n not in declared and n in types]
        for n in extra:
            m.graph.output.append(types[n])
        tmp = path + '.internals.onnx'
        onnx.save(m, tmp)
        try:
            s2 = ort.InferenceSession(tmp, so, providers=['CPUExecutionProvider'])
            vals = s2.run(extra, feeds)
        finally:
            os.remove(tmp)
        inter = dict(zip(extra, vals))
    return outs, inter


def run_qonnx(path, feeds, internals):
    """Run with qonnx's executor (custom ops in Python, standard nodes
    through onnxruntime one by one), on the committed file as it is."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes
    mw = ModelWrapper(path)
    # the executor needs every tensor's shape; shape inference only adds
    # value_info annotations (in memory), the nodes run as written
    mw = mw.transform(InferShapes())
    ctx = execute_onnx(mw, dict(feeds), return_full_exec_context=True)
    outs = [ctx[o.name] for o in mw.graph.output]
    inter = {}
    if internals:
        live = data_dependent(mw.model)
        declared = {x.name for x in mw.graph.output}
        for n in mw.graph.node:
            if internals is not True and n.op_type not in internals:
                continue
            for o in n.output:
                if o in live and o in ctx and o not in declared:
                    inter[o] = ctx[o]
    return outs, inter


# ---------------------------------------------------------------------------
# The independent reading recorded for the C reader's tests

def _float(x):
    x = float(x)
    if math.isnan(x):
        return 'nan'
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return x


def _bytes(b):
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return {'hex': b.hex()}


def tensor_expect(t, base_dir):
    """dtype, dims, where the values are, and SHA-256 of the values as
    little-endian raw bytes (the C reader's layout)."""
    from onnx.external_data_helper import uses_external_data
    if uses_external_data(t):
        src = 'external'
        tc = TensorProto()
        tc.CopyFrom(t)
        onnx.external_data_helper.load_external_data_for_tensor(tc, base_dir)
        tc.data_location = TensorProto.DEFAULT
        del tc.external_data[:]
    else:
        tc = t
        src = 'raw' if t.HasField('raw_data') else 'typed'
    e = {'name': t.name, 'dtype': t.data_type, 'dims': list(t.dims)}
    count = int(np.prod(t.dims)) if len(t.dims) else 1
    if count == 0:
        src = 'none'
    e['source'] = src
    if t.data_type == TensorProto.STRING:
        e['strings'] = [_bytes(s) for s in tc.string_data]
        return e
    a = numpy_helper.to_array(tc)
    assert sys.byteorder == 'little'
    e['sha256'] = hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
    e['first'] = [_float(v) if a.dtype.kind == 'f' else int(v)
                  for v in a.ravel()[:4]]
    return e


def type_expect(tp):
    if tp.HasField('tensor_type'):
        tt = tp.tensor_type
        dims = None
        if tt.HasField('shape'):
            dims = []
            for d in tt.shape.dim:
                if d.HasField('dim_value'):
                    dims.append(d.dim_value)
                elif d.HasField('dim_param'):
                    dims.append(d.dim_param)
                else:
                    dims.append(None)
        return {'kind': 'tensor', 'elem_type': tt.elem_type, 'dims': dims}
    return {'kind': tp.WhichOneof('value') or 'none'}


def vi_expect(v):
    e = {'name': v.name}
    e.update(type_expect(v.type))
    return e


def attr_expect(a, base_dir):
    e = {'name': a.name, 'type': a.type}
    T = AttributeProto
    if a.type == T.FLOAT:
        e['f'] = _float(a.f)
    elif a.type == T.INT:
        e['i'] = a.i
    elif a.type == T.STRING:
        e['s'] = _bytes(a.s)
    elif a.type == T.TENSOR:
        e['t'] = tensor_expect(a.t, base_dir)
    elif a.type == T.GRAPH:
        e['g'] = graph_expect(a.g, base_dir)
    elif a.type == T.FLOATS:
        e['floats'] = [_float(x) for x in a.floats]
    elif a.type == T.INTS:
        e['ints'] = list(a.ints)
    elif a.type == T.STRINGS:
        e['strings'] = [_bytes(s) for s in a.strings]
    elif a.type == T.TENSORS:
        e['tensors'] = [tensor_expect(t, base_dir) for t in a.tensors]
    elif a.type == T.GRAPHS:
        e['graphs'] = [graph_expect(g, base_dir) for g in a.graphs]
    return e


def graph_expect(g, base_dir):
    return {
        'name': g.name,
        'inputs': [vi_expect(v) for v in g.input],
        'outputs': [vi_expect(v) for v in g.output],
        'value_info': len(g.value_info),
        'initializers': [tensor_expect(t, base_dir) for t in g.initializer],
        'nodes': [{'name': n.name, 'op_type': n.op_type,
                   'domain': '' if n.domain == 'ai.onnx' else n.domain,
                   'inputs': list(n.input), 'outputs': list(n.output),
                   'attrs': [attr_expect(a, base_dir) for a in n.attribute]}
                  for n in g.node],
    }


def model_expect(path):
    """Independent reading of the file (the onnx package's protobuf)."""
    m = onnx.load(path, load_external_data=False)
    base = os.path.dirname(path)
    return {
        'ir_version': m.ir_version,
        'producer_name': m.producer_name,
        'producer_version': m.producer_version,
        'opsets': [['' if o.domain == 'ai.onnx' else o.domain, o.version]
                   for o in m.opset_import],
        'functions': len(m.functions),
        'graph': graph_expect(m.graph, base),
    }


# ---------------------------------------------------------------------------
# Writing a case

def save_npy(path, arr):
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, np.ascontiguousarray(arr), version=(1, 0),
                                  allow_pickle=False)


def _safe(name):
    keep = ''.join(c if c.isalnum() or c in '._-' else '_' for c in name)
    return keep[:80] or 'unnamed'


def sign_inputs(model, values):
    """For every Sign and BipolarQuant node: how many exact zeros reach
    it (ONNX Sign gives 0 there, BipolarQuant +1), how many values within
    1e-6 of zero, and the smallest nonzero magnitude."""
    res = []
    for n in model.graph.node:
        if n.op_type not in ('Sign', 'BipolarQuant') or n.input[0] not in values:
            continue
        v = values[n.input[0]]
        nz = np.abs(v[v != 0])
        res.append({'node': n.name, 'op': n.op_type, 'input': n.input[0],
                    'exact_zeros': int(np.sum(v == 0)),
                    'within_1e-6': int(np.sum(np.abs(v) <= 1e-6)),
                    'smallest_nonzero_abs': float('%.3g' % nz.min()) if nz.size else None,
                    'elements': int(v.size)})
    return res


def write_case(name, out_root, command):
    group, fn, description, committed = CASES[name]
    seed = seed_of(name)
    seed_everything(seed)
    c = fn(np.random.RandomState(seed))
    d = os.path.join(out_root, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    path = os.path.join(d, 'model.onnx')
    for fname, data in c.external.items():
        with open(os.path.join(d, fname), 'wb') as f:
            f.write(data)
    if isinstance(c.model, (bytes, bytearray)):
        with open(path, 'wb') as f:
            f.write(c.model)
    else:
        onnx.save(c.model, path)
    model = onnx.load(path)     # with external data
    feeds = {k: v for k, v in c.inputs}
    run = run_ort if c.oracle == 'ort' else run_qonnx
    outs, inter = run(path, feeds, c.internals)
    checks = []
    if c.reference is not None:
        ref_name = c.extra.get('reference_name', 'the framework')
        for i, (o, r) in enumerate(zip(outs, c.reference)):
            scale = max(float(np.max(np.abs(r))), 1e-30)
            err = float(np.max(np.abs(o.astype(np.float64) - r))) if o.size else 0.0
            if c.tol is not None:
                assert err <= c.tol * scale, (name, i, err, scale)
                checks.append('output %d: oracle == %s within %.3g (max |ref| %.4g)'
                              % (i, ref_name, err, scale))
            else:
                top1 = bool(np.all(np.argmax(o, axis=-1) == np.argmax(r, axis=-1)))
                checks.append('output %d: max |oracle - %s| = %.3g (max |ref| %.4g), '
                              'top-1 %s; not asserted: in a deep binary network '
                              'two float implementations flip signs of near-ties'
                              % (i, ref_name, err, scale,
                                 'equal' if top1 else 'DIFFERENT'))
    io = {'inputs': [], 'outputs': [], 'internals': []}
    for i, (k, v) in enumerate(c.inputs):
        f = 'input_%d.npy' % i
        save_npy(os.path.join(d, f), v)
        io['inputs'].append({'name': k, 'file': f, 'dtype': str(v.dtype),
                             'shape': list(v.shape)})
    for i, (o, v) in enumerate(zip(model.graph.output, outs)):
        f = 'output_%d.npy' % i
        save_npy(os.path.join(d, f), v)
        io['outputs'].append({'name': o.name, 'file': f, 'dtype': str(v.dtype),
                              'shape': list(v.shape)})
    if inter:
        os.makedirs(os.path.join(d, 'internals'))
        used = set()
        for k in sorted(inter, key=lambda k: [o for n in model.graph.node
                                              for o in n.output].index(k)):
            f = _safe(k)
            while f in used:
                f += '_'
            used.add(f)
            f = 'internals/%s.npy' % f
            save_npy(os.path.join(d, f), inter[k])
            io['internals'].append({'name': k, 'file': f,
                                    'dtype': str(inter[k].dtype),
                                    'shape': list(inter[k].shape)})
    values = dict(feeds)
    values.update(inter)
    signs = sign_inputs(model, values)
    opsets = {('' if o.domain == 'ai.onnx' else o.domain): o.version
              for o in model.opset_import}
    meta = {
        'case': name,
        'group': group,
        'description': description,
        'opset': opsets.get('', None),
        'oracle': ('onnxruntime %s, CPUExecutionProvider, one thread, graph '
                   'optimisations off' % versions()['onnxruntime'])
                  if c.oracle == 'ort' else
                  'qonnx %s execute_onnx after InferShapes (custom ops in '
                  'Python, standard nodes through onnxruntime %s)'
                  % (versions().get('qonnx', '?'), versions()['onnxruntime']),
        'producer': c.producer or 'onnx.helper (onnx %s)' % onnx.__version__,
        'provenance': dict(versions(), seed=seed, command=command),
    }
    meta.update(io)
    if signs:
        meta['sign_inputs'] = signs
    if checks:
        meta['checks'] = checks
    if c.notes:
        meta['notes'] = c.notes
    meta.update({k: v for k, v in c.extra.items() if k != 'reference_name'})
    meta['files'] = sorted(os.listdir(d)) + ['meta.json']
    meta['reader'] = model_expect(path)
    with open(os.path.join(d, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1, sort_keys=False)
        f.write('\n')
    return d
