"""The ONNX demo model: a Brevitas binary CNN trained on scikit-learn's
handwritten digits (the data of examples/digits, same held-out split),
exported with export_qonnx to examples/digits-onnx.

Training runs Brevitas' quantised layers (binary weights and activations
with its straight-through estimator) in PyTorch on the CPU, one thread,
deterministic. The exported file is then run by qonnx's executor on every
held-out image and must give PyTorch's probabilities (rtol 1e-5); its
predictions and accuracy are recorded next to PyTorch's.
"""

import argparse
import filecmp
import json
import os
import platform
import shutil
import sys
import tempfile
import time

import numpy as np

from .core import REPO, save_npy, sign_inputs, versions  # noqa: F401

OUT = os.path.join(REPO, 'examples', 'digits-onnx')
SEED = 20240611
HELDOUT = 360
EPOCHS = 40
BATCH = 64
LR = 2e-3
GENERATED = ('digits.onnx', 'heldout_x.npy', 'heldout_y.npy',
             'heldout_probs.npy', 'meta.json')

ARCHITECTURE = [
    ('input', '1x8x8, pixel/16 in [0, 1]'),
    ('Conv 3x3 pad 1, 1 -> 32, no bias (float weights)', '32x8x8'),
    ('BatchNorm, binary activation (BipolarQuant)', '32x8x8'),
    ('binary Conv 3x3 (BipolarQuant weights), 32 -> 64, no padding', '64x6x6'),
    ('BatchNorm, binary activation', '64x6x6'),
    ('binary Conv 3x3, 64 -> 64, no padding', '64x4x4'),
    ('BatchNorm, MaxPool 2x2, binary activation', '64x2x2'),
    ('Flatten, binary MatMul 256 -> 128', '128'),
    ('BatchNorm1d, binary activation', '128'),
    ('Gemm 128 -> 10 (float, bias)', '10'),
    ('Softmax (axis 1)', '10'),
]


def load_split():
    """The fixed stratified split of examples/digits (scripts/fixtures/
    digits.py load_split): float32 NCHW images pixel / 16, int labels."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = (d.images.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=HELDOUT, random_state=0,
                                          stratify=y)
    return (np.ascontiguousarray(xtr), ytr, np.ascontiguousarray(xte), yte)


def build():
    import torch
    from torch import nn
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear
    from brevitas_examples.bnn_pynq.models.common import (CommonActQuant,
                                                          CommonWeightQuant)

    def act():
        return QuantIdentity(act_quant=CommonActQuant, bit_width=1)

    def bconv(cin, cout):
        return QuantConv2d(cin, cout, 3, padding=0, bias=False,
                           weight_quant=CommonWeightQuant, weight_bit_width=1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), act(),
                bconv(32, 64), nn.BatchNorm2d(64), act(),
                bconv(64, 64), nn.BatchNorm2d(64), nn.MaxPool2d(2), act())
            self.fc = QuantLinear(256, 128, bias=False, weight_quant=CommonWeightQuant,
                                  weight_bit_width=1)
            self.bn = nn.BatchNorm1d(128)
            self.act = act()
            self.classifier = nn.Linear(128, 10)

        def forward(self, x, probs=True):
            x = torch.flatten(self.features(x), 1)
            x = self.classifier(self.act(self.bn(self.fc(x))))
            return torch.softmax(x, dim=1) if probs else x

    return Net()


def train(log=print):
    import torch
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.RandomState(SEED)
    xtr, ytr, xte, yte = load_split()
    net = build()
    steps = EPOCHS * ((len(xtr) + BATCH - 1) // BATCH)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps, eta_min=LR * 0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = time.time()
    for epoch in range(EPOCHS):
        net.train()
        order = rng.permutation(len(xtr))
        total = 0.0
        for i in range(0, len(order), BATCH):
            idx = order[i:i + BATCH]
            xb, yb = torch.from_numpy(xtr[idx]), torch.from_numpy(ytr[idx])
            opt.zero_grad()
            loss = loss_fn(net(xb, probs=False), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            acc = accuracy(predict(net, xte), yte)
            log('[train] epoch %2d  loss %.4f  held-out accuracy %.4f  (%.0f s)'
                % (epoch + 1, total / len(xtr), acc, time.time() - t0))
    net.eval()
    return net, (xtr, ytr, xte, yte)


def predict(net, x):
    import torch
    net.eval()
    with torch.no_grad():
        return net(torch.from_numpy(x)).numpy()


def accuracy(probs, y):
    return float((np.argmax(probs, axis=1) == y).mean())


def run_qonnx(path, xs):
    """qonnx's executor on the exported file, one image at a time (the
    file's batch is 1). Also returns the exec contexts' sign statistics."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes
    mw = ModelWrapper(path).transform(InferShapes())
    name_in, name_out = mw.graph.input[0].name, mw.graph.output[0].name
    outs, zeros, smallest = [], 0, np.inf
    quant_in = [n.input[0] for n in mw.graph.node if n.op_type == 'BipolarQuant']
    for x in xs:
        ctx = execute_onnx(mw, {name_in: x[None]}, return_full_exec_context=True)
        outs.append(ctx[name_out][0])
        for t in quant_in:
            v = ctx[t]
            if v.size > 4096:     # a weight, not an activation
                continue
            zeros += int(np.sum(v == 0))
            nz = np.abs(v[v != 0])
            if nz.size:
                smallest = min(smallest, float(nz.min()))
    return np.stack(outs), zeros, smallest


def export(net, data, out, log=print):
    import torch
    from brevitas.export import export_qonnx
    xtr, ytr, xte, yte = data
    os.makedirs(out, exist_ok=True)
    for f in GENERATED:
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    path = os.path.join(out, 'digits.onnx')
    export_qonnx(net, torch.from_numpy(xte[:1]), export_path=path, dynamo=False)
    probs = predict(net, xte).astype(np.float32)
    q, zeros, smallest = run_qonnx(path, xte)
    np.testing.assert_allclose(q, probs, rtol=1e-5, atol=1e-6)
    acc = accuracy(probs, yte)
    qacc = accuracy(q, yte)
    train_acc = accuracy(predict(net, xtr), ytr)
    assert acc == qacc
    log('[digits-onnx] PyTorch held-out accuracy %.4f (%d/%d), qonnx %.4f, '
        'training accuracy %.4f' % (acc, int(round(acc * len(yte))), len(yte),
                                    qacc, train_acc))
    save_npy(os.path.join(out, 'heldout_x.npy'), xte)
    save_npy(os.path.join(out, 'heldout_y.npy'), yte)
    save_npy(os.path.join(out, 'heldout_probs.npy'), probs)
    import onnx
    m = onnx.load(path)
    v = versions()
    meta = {
        'case': 'digits-onnx',
        'description': 'Binary CNN trained with Brevitas on scikit-learn digits, '
                       'exported with export_qonnx (QONNX BipolarQuant nodes)',
        'inputs': {m.graph.input[0].name: [1, 1, 8, 8]},
        'output': m.graph.output[0].name,
        'opsets': {o.domain or 'ai.onnx': o.version for o in m.opset_import},
        'provenance': dict(v, scikit_learn=__import__('sklearn').__version__,
                           seed=SEED, command='scripts/train-digits-onnx'),
        'golden': 'PyTorch forward pass of the trained network (eval mode), '
                  'probabilities after softmax',
        'heldout': {'count': len(yte), 'correct': int(round(acc * len(yte))),
                    'accuracy': round(acc, 6), 'train_accuracy': round(train_acc, 6)},
        'checks': ['qonnx %s execute_onnx of digits.onnx == PyTorch probabilities '
                   '(rtol 1e-5) on all %d held-out images, same predictions'
                   % (v.get('qonnx', '?'), len(yte))],
        'sign_margin': {'exact_zeros_reaching_BipolarQuant': zeros,
                        'smallest_nonzero_abs': float('%.3g' % smallest)},
        'training': {'epochs': EPOCHS, 'batch': BATCH, 'optimizer': 'Adam',
                     'lr': LR, 'schedule': 'cosine to 1%'},
        'architecture': ARCHITECTURE,
    }
    with open(os.path.join(out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--check', action='store_true',
                    help='retrain into a temporary directory and compare with '
                    'examples/digits-onnx')
    ap.add_argument('--out', default=OUT)
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as d:
            net, data = train()
            export(net, data, d)
            bad = []
            for f in GENERATED:
                a, b = os.path.join(d, f), os.path.join(OUT, f)
                if f == 'meta.json':
                    ja, jb = json.load(open(a)), json.load(open(b))
                    ja['provenance'].pop('python'), jb['provenance'].pop('python')
                    if ja != jb:
                        bad.append(f)
                elif f.endswith('.npy') and f != 'heldout_y.npy':
                    if not np.allclose(np.load(a), np.load(b), rtol=1e-6, atol=1e-7):
                        bad.append(f)
                elif not filecmp.cmp(a, b, shallow=False):
                    bad.append(f)
            print('differences: %s' % (', '.join(bad) or 'none'))
            return 1 if bad else 0
    net, data = train()
    export(net, data, args.out)
    return 0
