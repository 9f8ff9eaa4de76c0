"""Binary networks as the real tools export them: Brevitas' bnn_pynq
examples through export_qonnx (oracle: qonnx's executor), FINN-style
MultiThreshold graphs, dabnn's Sign/Pad/Conv patterns, and Bi-Real Net /
ReActNet written in PyTorch from their papers and exported with
torch.onnx.export (oracle: onnxruntime). Small models are committed; the
full-size ones (committed=False) are generated into build/onnx-models.

Weights are random; BatchNorm statistics are calibrated on real-looking
inputs (crops of scikit-learn's sample photographs, or its digits), then a
few channels are made dead (always below the threshold), flipped (negative
gamma) or nearly constant (tiny gamma), as in trained models."""

import io
import os
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

from .core import case, Case, photo_batch, digit_batch
from .cases_ops import build, vi, init, randn

QONNX_DOMAIN = 'qonnx.custom_op.general'


# ---------------------------------------------------------------- helpers

def _torch():
    import torch
    torch.set_num_threads(1)
    return torch


def calibrate(model, batch, rng):
    """Running statistics of every BatchNorm from one pass over batch (a
    cumulative average), then some channels made dead, flipped or nearly
    constant. Returns what was changed, for meta.json."""
    torch = _torch()
    bns = [m for m in model.modules()
           if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(batch))
    model.eval()
    changed = {'dead': 0, 'flipped': 0, 'tiny_gamma': 0, 'channels': 0}
    with torch.no_grad():
        for m in bns:
            c = m.num_features
            changed['channels'] += c
            if m.weight is None:
                continue
            sd = torch.sqrt(m.running_var + m.eps)
            pick = rng.permutation(c)
            dead, flip, tiny = pick[:c // 10], pick[c // 10:c // 5], pick[c // 5:c // 4]
            for i in dead:
                m.bias[i] = -abs(float(m.weight[i])) * 6.0 - 1.0
            for i in flip:
                m.weight[i] = -m.weight[i]
            for i in tiny:
                m.weight[i] = m.weight[i] * 1e-3
            changed['dead'] += len(dead)
            changed['flipped'] += len(flip)
            changed['tiny_gamma'] += len(tiny)
            del sd
    return changed


def torch_export(model, x, opset=13, **kw):
    """torch.onnx.export (TorchScript exporter, as most published BNN
    exports were made) to bytes."""
    torch = _torch()
    f = io.BytesIO()
    torch.onnx.export(model, torch.from_numpy(x), f, dynamo=False,
                      opset_version=opset, input_names=['input'],
                      output_names=['output'], **kw)
    return f.getvalue()


def torch_run(model, x):
    torch = _torch()
    with torch.no_grad():
        return [model(torch.from_numpy(x)).numpy().astype(np.float64)]


def brevitas_export(model, x):
    from brevitas.export import export_qonnx
    torch = _torch()
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, 'm.onnx')
        export_qonnx(model, torch.from_numpy(x), export_path=p, dynamo=False)
        with open(p, 'rb') as f:
            return f.read()


def _versions_note():
    import torch
    import brevitas
    return 'brevitas %s export_qonnx (TorchScript path, dynamo=False), torch %s' % (
        brevitas.__version__, torch.__version__)


# -------------------------------------------------------------- brevitas

def _bnn_pynq(rng, cfg_name, batch, calib, patch=None):
    from brevitas_examples.bnn_pynq.models import model_with_cfg
    import brevitas_examples.bnn_pynq.models.CNV as CNV
    saved = {}
    if patch:
        for k, v in patch.items():
            saved[k] = getattr(CNV, k)
            setattr(CNV, k, v)
    try:
        model, _ = model_with_cfg(cfg_name, pretrained=False)
    finally:
        for k, v in saved.items():
            setattr(CNV, k, v)
    changed = calibrate(model, calib, rng)
    data = brevitas_export(model, batch)
    return Case(data, [('global_in', batch)], oracle='qonnx',
                reference=torch_run(model, batch), tol=1e-5,
                internals=QONNX_INTERNALS,
                producer=_versions_note(),
                extra={'reference_name': 'the PyTorch model',
                       'batchnorm': changed, 'brevitas_config': cfg_name},
                notes='Input pixels in [0, 1]; the model computes 2x - 1 '
                      'itself (Mul, Sub in the graph). Weights are random '
                      '(uniform in [-1, 1] as the example initialises them), '
                      'binarised by BipolarQuant nodes on the weight '
                      'initializers.')


# intermediates recorded for the Brevitas models: each layer's
# convolution or product, BatchNorm, quantiser and pooling
QONNX_INTERNALS = {'Conv', 'MatMul', 'BatchNormalization', 'BipolarQuant',
                   'Quant', 'MaxPool'}


def _input_name_fix(c):
    """Feed the input under the name the exporter gave it."""
    m = onnx.load_from_string(c.model)
    c.inputs = [(m.graph.input[0].name, c.inputs[0][1])]
    return c


@case('brevitas_tfc_w1a1', 'qonnx', "Brevitas bnn_pynq TFC (784-64-64-64-10, "
      "1-bit weights and activations) exported with export_qonnx; digits "
      "upscaled to 28x28, batch 4")
def _(rng):
    calib = digit_batch(rng, 256, 28)
    return _input_name_fix(_bnn_pynq(rng, 'tfc_1w1a', digit_batch(rng, 4, 28),
                                     calib))


@case('brevitas_tfc_w1a2', 'qonnx', 'Brevitas bnn_pynq TFC with 1-bit '
      'weights and 2-bit activations (Quant nodes)')
def _(rng):
    calib = digit_batch(rng, 256, 28)
    return _input_name_fix(_bnn_pynq(rng, 'tfc_1w2a', digit_batch(rng, 4, 28),
                                     calib))


_TINY_CNV = {'CNV_OUT_CH_POOL': [(16, False), (16, True), (32, False), (32, True),
                                 (32, False), (32, False)],
             'INTERMEDIATE_FC_FEATURES': [(32, 64), (64, 64)],
             'LAST_FC_IN_FEATURES': 64}


@case('brevitas_cnv_tiny_w1a1', 'qonnx', 'Brevitas bnn_pynq CNV structure '
      '(8-bit input quantiser, 6 binary 3x3 convs, 2 max-pools, binary FCs, '
      'TensorNorm) with 16/32 channels; a photo crop 32x32')
def _(rng):
    calib = photo_batch(rng, 64, 32, normalize=False)
    return _input_name_fix(_bnn_pynq(rng, 'cnv_1w1a', photo_batch(rng, 1, 32, False),
                                     calib, patch=_TINY_CNV))


@case('brevitas_cnv_tiny_w1a2', 'qonnx', 'the tiny CNV with 2-bit '
      'activations')
def _(rng):
    calib = photo_batch(rng, 64, 32, normalize=False)
    return _input_name_fix(_bnn_pynq(rng, 'cnv_1w2a', photo_batch(rng, 1, 32, False),
                                     calib, patch=_TINY_CNV))


for _name, _cfg, _shape in [('cnv_w1a1', 'cnv_1w1a', 32), ('cnv_w1a2', 'cnv_1w2a', 32),
                            ('sfc_w1a1', 'sfc_1w1a', 28), ('lfc_w1a1', 'lfc_1w1a', 28)]:
    def _make(cfg=_cfg, size=_shape):
        def fn(rng):
            if size == 32:
                calib = photo_batch(rng, 128, 32, normalize=False)
                x = photo_batch(rng, 4, 32, normalize=False)
            else:
                calib = digit_batch(rng, 256, 28)
                x = digit_batch(rng, 4, 28)
            return _input_name_fix(_bnn_pynq(rng, cfg, x, calib))
        return fn
    case('brevitas_' + _name, 'qonnx', 'Brevitas bnn_pynq %s as published '
         '(full size), export_qonnx' % _cfg, committed=False)(_make())


# ------------------------------------------------------------------ FINN

def _mt(name, x, thr, y, domain, **attrs):
    return helper.make_node('MultiThreshold', [x, thr], [y], name=name,
                            domain=domain, **attrs)


def _pm1(rng, *shape):
    return np.where(rng.standard_normal(shape) >= 0, 1.0, -1.0).astype(np.float32)


@case('finn_multithreshold_fc', 'finn', 'FINN-style streamlined MLP: '
      'MultiThreshold (BIPOLAR, out_scale 2, out_bias -1) -> MatMul with +-1 '
      'weights -> per-channel MultiThreshold -> ... -> 3-threshold UINT2 '
      'activation -> float MatMul; integer thresholds, so ties occur')
def _(rng):
    d = QONNX_DOMAIN
    x = np.round(randn(rng, 4, 64) * 2) / 2        # exact zeros and ties
    w1, w2 = _pm1(rng, 64, 32), _pm1(rng, 32, 16)
    t1 = np.sort(np.round(randn(rng, 32, 1) * 4), axis=1)
    t2 = np.sort(np.round(randn(rng, 16, 3) * 3), axis=1)
    nodes = [_mt('mt_in', 'x', 't0', 'a0', d, out_dtype='BIPOLAR', out_scale=2.0,
                 out_bias=-1.0),
             helper.make_node('MatMul', ['a0', 'w1'], ['m1'], name='mm1'),
             _mt('mt1', 'm1', 't1', 'a1', d, out_dtype='BIPOLAR', out_scale=2.0,
                 out_bias=-1.0),
             helper.make_node('MatMul', ['a1', 'w2'], ['m2'], name='mm2'),
             _mt('mt2', 'm2', 't2', 'a2', d, out_dtype='UINT2'),
             helper.make_node('Mul', ['a2', 's'], ['a3'], name='scale'),
             helper.make_node('MatMul', ['a3', 'w3'], ['y'], name='classifier')]
    m = build(nodes, [vi('x', [4, 64])], [vi('y', [4, 10])],
              [init('t0', np.zeros((1, 1), np.float32)), init('w1', w1),
               init('t1', t1.astype(np.float32)), init('w2', w2),
               init('t2', t2.astype(np.float32)),
               init('s', np.array(0.5, np.float32)),
               init('w3', randn(rng, 16, 10))], opset=11, domains=[(d, 1)])
    return Case(m, [('x', x)], oracle='qonnx',
                notes='MultiThreshold counts thresholds <= the value (ties '
                      'reach the threshold); the binary dot products are '
                      'integers and the thresholds too.')


@case('finn_multithreshold_conv', 'finn', "FINN-style conv layers in the old "
      "domain 'finn.custom_op.general': MultiThreshold on NCHW (per-channel "
      "thresholds [C,1], data_layout NCHW), Conv with +-1 weights, MaxPool "
      "between conv and threshold, global thresholds [1,1]")
def _(rng):
    d = 'finn.custom_op.general'
    x = np.round(randn(rng, 1, 4, 6, 6) * 2) / 2
    w1, w2 = _pm1(rng, 8, 4, 3, 3), _pm1(rng, 8, 8, 3, 3)
    t1 = np.round(randn(rng, 8, 1) * 3).astype(np.float32)
    nodes = [_mt('mt_in', 'x', 't0', 'a0', d, out_dtype='BIPOLAR', out_scale=2.0,
                 out_bias=-1.0, data_layout='NCHW'),
             helper.make_node('Conv', ['a0', 'w1'], ['c1'], name='conv1',
                              kernel_shape=[3, 3]),
             helper.make_node('MaxPool', ['c1'], ['p1'], name='pool',
                              kernel_shape=[2, 2], strides=[2, 2]),
             _mt('mt1', 'p1', 't1', 'a1', d, out_dtype='BIPOLAR', out_scale=2.0,
                 out_bias=-1.0),
             helper.make_node('Conv', ['a1', 'w2'], ['y'], name='conv2',
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    m = build(nodes, [vi('x', [1, 4, 6, 6])], [vi('y', [1, 8, 2, 2])],
              [init('t0', np.zeros((1, 1), np.float32)), init('w1', w1),
               init('t1', t1), init('w2', w2)], opset=11, domains=[(d, 1)])
    return Case(m, [('x', x)], oracle='qonnx',
                notes="The domain 'finn.custom_op.general' is the old name of "
                      "qonnx.custom_op.general. conv2 pads its +-1 input with "
                      "0 (ONNX Conv), a value no bit can hold.")


# ----------------------------------------------------------------- dabnn

@case('dabnn_strict_op10', 'dabnn', "dabnn's strict pattern at opset 10: "
      "Sign -> Pad (constant -1, attributes) -> Conv whose weight is "
      "Sign(W) -> BatchNormalization; then its moderate pattern: Pad(-1) -> "
      "Conv with exact +-1 float weights -> BatchNormalization")
def _(rng):
    x = np.round(randn(rng, 1, 8, 6, 6) * 2) / 2      # exact zeros reach Sign
    pads = [0, 0, 1, 1, 0, 0, 1, 1]

    def bn(i, c):
        return [init('bn%d_s' % i, randn(rng, c)), init('bn%d_b' % i, randn(rng, c)),
                init('bn%d_m' % i, randn(rng, c)),
                init('bn%d_v' % i, np.abs(randn(rng, c)) + 0.5)]
    nodes = [helper.make_node('Sign', ['x'], ['s0'], name='sign0'),
             helper.make_node('Pad', ['s0'], ['p0'], name='pad0', pads=pads,
                              value=-1.0),
             helper.make_node('Sign', ['w0'], ['w0s'], name='sign_w0'),
             helper.make_node('Conv', ['p0', 'w0s'], ['c0'], name='bconv0'),
             helper.make_node('BatchNormalization',
                              ['c0', 'bn0_s', 'bn0_b', 'bn0_m', 'bn0_v'], ['n0'],
                              name='bn0'),
             helper.make_node('Sign', ['n0'], ['s1'], name='sign1'),
             helper.make_node('Pad', ['s1'], ['p1'], name='pad1', pads=pads,
                              value=-1.0),
             helper.make_node('Conv', ['p1', 'w1'], ['c1'], name='bconv1'),
             helper.make_node('BatchNormalization',
                              ['c1', 'bn1_s', 'bn1_b', 'bn1_m', 'bn1_v'], ['y'],
                              name='bn1')]
    m = build(nodes, [vi('x', [1, 8, 6, 6])], [vi('y', None)],
              [init('w0', randn(rng, 8, 8, 3, 3)), init('w1', _pm1(rng, 8, 8, 3, 3))]
              + bn(0, 8) + bn(1, 8), opset=10)
    return Case(m, [('x', x)],
                notes='Exact zeros in the input reach sign0 (ONNX Sign(0) = '
                      '0, so those positions contribute 0 to bconv0, not '
                      '+-1). Pad value -1 keeps the border binary.')


@case('dabnn_aggressive_op13', 'dabnn', "dabnn's aggressive pattern at "
      "opset 13: Conv with exact +-1 weights and its own zero padding after "
      "a Sign; Pad(-1) with the opset-11 input form; Gemm with +-1 weights")
def _(rng):
    x = np.round(randn(rng, 1, 4, 5, 5) * 2) / 2
    nodes = [helper.make_node('Sign', ['x'], ['s0'], name='sign0'),
             helper.make_node('Conv', ['s0', 'w0'], ['c0'], name='bconv_zero_pad',
                              pads=[1, 1, 1, 1]),
             helper.make_node('Sign', ['c0'], ['s1'], name='sign1'),
             helper.make_node('Pad', ['s1', 'pp', 'pv'], ['p1'], name='pad_m1'),
             helper.make_node('Conv', ['p1', 'w1'], ['c1'], name='bconv_m1_pad',
                              strides=[2, 2]),
             helper.make_node('Sign', ['c1'], ['s2'], name='sign2'),
             helper.make_node('Flatten', ['s2'], ['f'], name='flatten'),
             helper.make_node('Gemm', ['f', 'wf'], ['y'], name='bgemm', transB=1)]
    m = build(nodes, [vi('x', [1, 4, 5, 5])], [vi('y', None)],
              [init('w0', _pm1(rng, 6, 4, 3, 3)), init('w1', _pm1(rng, 6, 6, 3, 3)),
               init('pp', np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
               init('pv', np.array(-1.0, np.float32)),
               init('wf', _pm1(rng, 10, 6 * 3 * 3))])
    return Case(m, [('x', x)],
                notes='bconv_zero_pad pads its +-1 input with 0 (the ONNX '
                      'result; dabnn would pad with -1). Binary dot products '
                      'are integers, so exact zeros also reach sign1/sign2.')


# ------------------------------------------------ PyTorch Bi-Real, ReActNet

# samples in the inputs of the full-size ImageNet models (each one's top-1
# is checked)
BIG_SAMPLES = 4


def _bnn_modules():
    torch = _torch()
    nn = torch.nn
    F = torch.nn.functional

    class ApproxSign(nn.Module):
        """Bi-Real Net's activation binariser: sign(x) forward, the
        gradient of a piecewise quadratic approximation (2 + 2x on
        [-1, 0), 2 - 2x on [0, 1), 0 elsewhere) backward, written as the
        usual detach trick so that the export contains both."""

        def forward(self, x):
            lo, mid, hi = (x < -1).float(), (x < 0).float(), (x < 1).float()
            poly = lo * -1.0 + (1 - lo) * (x * x + 2 * x)
            poly = mid * poly + (1 - mid) * (2 * x - x * x)
            poly = hi * poly + (1 - hi) * 1.0
            return torch.sign(x).detach() - poly.detach() + poly

    class ScaledBinaryConv(nn.Module):
        """Binary weights scaled per output channel by mean |W| (Bi-Real
        Net's magnitude-aware sign), with clamp(W) as straight-through
        surrogate. torch.randn draws an exact 0 about once in a million
        values; sign(0) = 0 would make that weight ternary (a float layer
        for bnnc, computed exactly, but not the binary network meant), so
        exact zeros are moved to 1e-4 (trained latent weights are not
        exactly 0)."""

        def __init__(self, cin, cout, k=3, stride=1, padding=1):
            super().__init__()
            self.stride, self.padding = stride, padding
            w = torch.randn(cout, cin, k, k) * 0.05
            self.weight = nn.Parameter(torch.where(w == 0, torch.full_like(w, 1e-4), w))

        def forward(self, x):
            w = self.weight
            alpha = w.abs().mean(dim=(1, 2, 3), keepdim=True).detach()
            wb = alpha * torch.sign(w)
            wc = torch.clamp(w, -1.0, 1.0)
            w = wb.detach() - wc.detach() + wc
            return F.conv2d(x, w, stride=self.stride, padding=self.padding)

    class LearnableBias(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.bias = nn.Parameter(torch.randn(1, c, 1, 1) * 0.1)

        def forward(self, x):
            return x + self.bias

    class RSign(nn.Module):
        """ReActNet's sign with a learnable per-channel threshold."""

        def __init__(self, c):
            super().__init__()
            self.shift = LearnableBias(c)
            self.sign = ApproxSign()

        def forward(self, x):
            return self.sign(self.shift(x))

    class RPReLU(nn.Module):
        """ReActNet's PReLU with learnable shifts before and after."""

        def __init__(self, c):
            super().__init__()
            self.pre, self.prelu, self.post = LearnableBias(c), nn.PReLU(c), LearnableBias(c)
            with torch.no_grad():
                self.prelu.weight.uniform_(0.05, 0.5)

        def forward(self, x):
            return self.post(self.prelu(self.pre(x)))

    class BiRealUnit(nn.Module):
        """One Bi-Real unit: sign -> scaled binary 3x3 conv -> BN, plus the
        real-valued shortcut (avgpool + 1x1 conv + BN when the shape
        changes)."""

        def __init__(self, cin, cout, stride):
            super().__init__()
            self.act = ApproxSign()
            self.conv = ScaledBinaryConv(cin, cout, 3, stride, 1)
            self.bn = nn.BatchNorm2d(cout)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.AvgPool2d(2, stride) if stride != 1
                                          else nn.Identity(),
                                          nn.Conv2d(cin, cout, 1, bias=False),
                                          nn.BatchNorm2d(cout))

        def forward(self, x):
            short = x if self.down is None else self.down(x)
            return self.bn(self.conv(self.act(x))) + short

    class BiReal(nn.Module):
        """Bi-Real Net 18: ResNet-18's stem and head (float), 16 binary
        units in 4 stages of 64, 128, 256, 512 channels."""

        def __init__(self, widths=(64, 128, 256, 512), units=4, classes=1000,
                     stem=True):
            super().__init__()
            c = widths[0]
            self.stem = nn.Sequential(
                nn.Conv2d(3, c, 7, 2, 3, bias=False), nn.BatchNorm2d(c),
                nn.ReLU(), nn.MaxPool2d(3, 2, 1)) if stem else nn.Identity()
            layers = []
            cin = c
            for i, w in enumerate(widths):
                for u in range(units):
                    layers.append(BiRealUnit(cin, w, 2 if (u == 0 and i > 0) else 1))
                    cin = w
            self.units = nn.Sequential(*layers)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(cin, classes)

        def forward(self, x):
            x = self.units(self.stem(x))
            return self.fc(torch.flatten(self.pool(x), 1))

    class ReActBlock(nn.Module):
        """ReActNet-A block (MobileNet-v1 layout): RSign -> binary 3x3
        (stride) -> BN, shortcut (avgpool when strided), RPReLU; RSign ->
        binary 1x1 -> BN, shortcut, RPReLU; a doubled width concatenates
        two 1x1 branches."""

        def __init__(self, cin, cout, stride):
            super().__init__()
            self.stride = stride
            self.sign3 = RSign(cin)
            self.conv3 = ScaledBinaryConv(cin, cin, 3, stride, 1)
            self.bn3 = nn.BatchNorm2d(cin)
            self.act3 = RPReLU(cin)
            self.sign1 = RSign(cin)
            self.pool = nn.AvgPool2d(2, 2) if stride == 2 else None
            self.double = cout == 2 * cin
            n = 2 if self.double else 1
            self.conv1 = nn.ModuleList([ScaledBinaryConv(cin, cin, 1, 1, 0)
                                        for _ in range(n)])
            self.bn1 = nn.ModuleList([nn.BatchNorm2d(cin) for _ in range(n)])
            self.act1 = RPReLU(cout)

        def forward(self, x):
            short = self.pool(x) if self.pool is not None else x
            x = self.act3(self.bn3(self.conv3(self.sign3(x))) + short)
            s = self.sign1(x)
            outs = [bn(conv(s)) + x for conv, bn in zip(self.conv1, self.bn1)]
            return self.act1(torch.cat(outs, 1) if self.double else outs[0])

    class ReActNetA(nn.Module):
        """ReActNet-A: float 3x3 stem (stride 2, 32 channels), 13 binary
        blocks with MobileNet-v1's widths and strides, float classifier."""

        CFG = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2),
               (256, 256, 1), (256, 512, 2), (512, 512, 1), (512, 512, 1),
               (512, 512, 1), (512, 512, 1), (512, 512, 1), (512, 1024, 2),
               (1024, 1024, 1)]

        def __init__(self, cfg=None, classes=1000, stem=32):
            super().__init__()
            cfg = cfg or self.CFG
            self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, 2, 1, bias=False),
                                      nn.BatchNorm2d(stem))
            self.blocks = nn.Sequential(*[ReActBlock(a, b, s) for a, b, s in cfg])
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(cfg[-1][1], classes)

        def forward(self, x):
            x = self.blocks(self.stem(x))
            return self.fc(torch.flatten(self.pool(x), 1))

    return BiReal, ReActNetA, LearnableBias


# intermediate tensors recorded for the PyTorch models: the binary layers
# and what surrounds them, not every step of the STE arithmetic
PT_INTERNALS = {'Sign', 'Conv', 'BatchNormalization', 'PRelu', 'Concat',
                'AveragePool', 'GlobalAveragePool'}


def _pytorch_case(rng, model, x, calib, notes, fold=True, big=False):
    torch = _torch()
    changed = calibrate(model, calib, rng)
    # the full-size models take any batch (the samples checked, and one
    # image in scripts/bench)
    dyn = {'dynamic_axes': {'input': {0: 'batch'}, 'output': {0: 'batch'}}} if big else {}
    data = torch_export(model, x, do_constant_folding=fold, **dyn)
    return Case(data, [('input', x)], reference=torch_run(model, x),
                tol=None if big else 2e-5,
                internals=False if big else PT_INTERNALS,
                producer='torch %s torch.onnx.export (TorchScript exporter, '
                         'dynamo=False, opset 13, constant folding %s)'
                         % (torch.__version__, 'on' if fold else 'off'),
                extra={'reference_name': 'the PyTorch model', 'batchnorm': changed},
                notes=notes)


@case('pytorch_bireal_tiny', 'pytorch', 'Bi-Real Net units (ApproxSign, '
      'mean-|W|-scaled binary conv, BN, real shortcut with avgpool + 1x1 '
      'downsampling) at 8/16 channels, no stem; torch.onnx.export with '
      'constant folding; input with exact zeros')
def _(rng):
    BiReal, _, _ = _bnn_modules()
    model = BiReal(widths=(8, 16), units=2, classes=10, stem=False)
    x = np.round(photo_batch(rng, 2, 8) * 2) / 2      # exact zeros
    x = x[:, :3].repeat(3, axis=1)[:, :8].copy()
    calib = photo_batch(rng, 32, 8)
    calib = calib.repeat(3, axis=1)[:, :8].copy()
    return _pytorch_case(rng, model, x, calib,
                         'Exact zeros in the input reach the first Sign (ONNX '
                         'Sign(0) = 0; PyTorch sign too). The ApproxSign '
                         'straight-through arithmetic is exported as '
                         'Less/Cast/Mul/Add/Sub around Sign; the folded '
                         'binary weights are (alpha*sign(W) - clamp(W)) + '
                         'clamp(W), +-alpha up to rounding.')


@case('pytorch_reactnet_tiny', 'pytorch', 'ReActNet-A blocks (RSign = '
      'learnable bias + sign, scaled binary 3x3 and 1x1 convs, RPReLU, '
      'doubled width by concatenation, strided block with avgpool shortcut) '
      'at 8/16 channels; exported without constant folding (weight '
      'binarisation visible as Abs/ReduceMean/Sign/Clip nodes)')
def _(rng):
    _, ReActNetA, _ = _bnn_modules()
    model = ReActNetA(cfg=[(8, 8, 1), (8, 16, 2)], classes=10, stem=8)
    x = photo_batch(rng, 2, 16)
    calib = photo_batch(rng, 32, 16)
    return _pytorch_case(rng, model, x, calib,
                         'Weight binarisation is left in the graph (constant '
                         'folding off): Sign(W) on the weight initializers, '
                         'scaled by ReduceMean(Abs(W)).', fold=False)


@case('bireal18', 'pytorch', 'Bi-Real Net 18 (ImageNet, 224x224), random '
      'weights with calibrated BatchNorm, torch.onnx.export', committed=False)
def _(rng):
    BiReal, _, _ = _bnn_modules()
    model = BiReal()
    return _pytorch_case(rng, model, photo_batch(rng, BIG_SAMPLES, 224),
                         photo_batch(rng, 16, 224), 'Full size, dynamic batch; '
                         'inputs are ImageNet-normalised photo crops.', big=True)


@case('reactnet_a', 'pytorch', 'ReActNet-A (ImageNet, 224x224), random '
      'weights with calibrated BatchNorm, torch.onnx.export', committed=False)
def _(rng):
    _, ReActNetA, _ = _bnn_modules()
    model = ReActNetA()
    return _pytorch_case(rng, model, photo_batch(rng, BIG_SAMPLES, 224),
                         photo_batch(rng, 16, 224), 'Full size, dynamic batch.', big=True)


def _torchvision(rng, name):
    import torchvision
    torch = _torch()
    model = getattr(torchvision.models, name)(weights=None)
    calib = photo_batch(rng, 16, 224)
    changed = calibrate(model, calib, rng)
    x = photo_batch(rng, BIG_SAMPLES, 224)
    data = torch_export(model, x, dynamic_axes={'input': {0: 'batch'},
                                                'output': {0: 'batch'}})
    return Case(data, [('input', x)], reference=torch_run(model, x), tol=1e-4,
                producer='torchvision %s, torch %s torch.onnx.export (dynamo=False)'
                         % (torchvision.__version__, torch.__version__),
                extra={'reference_name': 'the PyTorch model', 'batchnorm': changed},
                internals=False,
                notes='BatchNorm is folded into the convolutions by the '
                      'exporter (eval mode).')


@case('resnet18_float', 'float', 'torchvision ResNet-18, random weights, '
      'calibrated BatchNorm, dynamic batch', committed=False)
def _(rng):
    return _torchvision(rng, 'resnet18')


@case('mobilenetv2_float', 'float', 'torchvision MobileNetV2, random '
      'weights, calibrated BatchNorm, dynamic batch', committed=False)
def _(rng):
    return _torchvision(rng, 'mobilenet_v2')
