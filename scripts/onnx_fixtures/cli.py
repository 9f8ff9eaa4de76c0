"""Command line of scripts/gen-onnx-fixtures."""

import argparse
import filecmp
import json
import os
import sys
import tempfile

import numpy as np

from . import core
from .core import CASES, ORDER, GOLDEN, BIG


def _load_cases():
    from . import cases_ops, cases_bnn  # noqa: F401  (registration)


def _compare(a, b, out):
    """Compare two generated case directories; append differences."""
    fa = sorted(os.path.relpath(os.path.join(r, f), a)
                for r, _, fs in os.walk(a) for f in fs)
    fb = sorted(os.path.relpath(os.path.join(r, f), b)
                for r, _, fs in os.walk(b) for f in fs)
    if fa != fb:
        out.append('%s: files differ: %s vs %s' % (a, fa, fb))
        return
    for f in fa:
        pa, pb = os.path.join(a, f), os.path.join(b, f)
        if f.endswith('.npy') and not f.startswith('input'):
            x, y = np.load(pa), np.load(pb)
            if x.shape != y.shape or x.dtype != y.dtype:
                out.append('%s: shape/dtype differ' % pa)
            elif x.dtype.kind == 'f':
                tol = 1e-6 * max(float(np.max(np.abs(y))) if y.size else 0, 1e-3)
                if x.size and float(np.max(np.abs(x - y))) > tol:
                    out.append('%s: values differ by %g' % (pa, np.max(np.abs(x - y))))
            elif not np.array_equal(x, y):
                out.append('%s: values differ' % pa)
        elif f == 'meta.json':
            ja, jb = json.load(open(pa)), json.load(open(pb))
            for j in (ja, jb):
                j['provenance'].pop('python', None)
            if ja != jb:
                out.append('%s: meta.json differs' % pa)
        elif not filecmp.cmp(pa, pb, shallow=False):
            out.append('%s: bytes differ' % pa)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--case', action='append', help='only this case (repeatable)')
    ap.add_argument('--list', action='store_true', help='list the cases')
    ap.add_argument('--big', action='store_true',
                    help='the large on-demand cases, into build/onnx-models')
    ap.add_argument('--all', action='store_true', help='committed and large cases')
    ap.add_argument('--out', help='write here instead of tests/golden/onnx '
                    '(and build/onnx-models)')
    ap.add_argument('--check', action='store_true',
                    help='regenerate the committed cases into a temporary '
                    'directory and compare with tests/golden/onnx')
    args = ap.parse_args(argv)
    _load_cases()
    if args.list:
        for n in ORDER:
            g, _, d, committed = CASES[n]
            print('%-28s %-8s %s %s' % (n, g, 'committed' if committed else 'on demand',
                                        d))
        return 0
    names = args.case or [n for n in ORDER
                          if args.all or CASES[n][3] != args.big]
    for n in names:
        if n not in CASES:
            print('unknown case %s' % n, file=sys.stderr)
            return 2
    if args.check:
        diffs = []
        with tempfile.TemporaryDirectory() as tmp:
            for n in names:
                if not CASES[n][3]:
                    continue
                core.write_case(n, tmp, 'scripts/gen-onnx-fixtures --case %s' % n)
                _compare(os.path.join(tmp, n), os.path.join(GOLDEN, n), diffs)
        for d in diffs:
            print(d)
        print('%d cases checked, %d differences' % (len(names), len(diffs)))
        return 1 if diffs else 0
    for n in names:
        root = args.out or (GOLDEN if CASES[n][3] else BIG)
        os.makedirs(root, exist_ok=True)
        d = core.write_case(n, root, 'scripts/gen-onnx-fixtures --case %s' % n)
        size = sum(os.path.getsize(os.path.join(r, f))
                   for r, _, fs in os.walk(d) for f in fs)
        print('%-28s %8d bytes  %s' % (n, size, d))
    return 0
