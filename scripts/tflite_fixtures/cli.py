"""Command line of scripts/gen-tflite-fixtures."""

import argparse
import filecmp
import json
import os
import shutil
import sys
import tempfile

import numpy as np

from . import core
from . import cases
from . import flexvectors
from . import zoo

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIXTURES = os.path.join(REPO, 'tests', 'golden', 'tflite')
MODELS = os.path.join(REPO, 'build', 'tflite-models')
SIZE_LIMIT = 200 * 1024


def _modules():
    import tensorflow as tf
    import larq as lq
    tf.get_logger().setLevel('ERROR')
    tf.config.experimental.enable_op_determinism()
    return tf, lq


def _calibration_batch(model, rng, n=4):
    xs = [rng.standard_normal((n,) + tuple(int(d) for d in i.shape[1:])).astype(np.float32)
          for i in model.inputs]
    return xs if len(xs) > 1 else xs[0]


def convert_case(name, rng, tf, lq):
    b = cases.BUILDERS[name]
    model = b['build'](tf, lq, rng)
    core.randomise_weights(model, rng)
    core.calibrate_bn(model, rng, _calibration_batch(model, rng))
    if b['converter'] == 'tflite':
        fb = tf.lite.TFLiteConverter.from_keras_model(model).convert()
        conv = {'function': 'tf.lite.TFLiteConverter.from_keras_model(model).convert'}
    elif b['int8'] and not b['int8_io']:
        import larq_compute_engine as lce
        fb = lce.convert_keras_model(model, experimental_default_int8_range=(-3.0, 3.0))
        conv = {'function': 'larq_compute_engine.convert_keras_model', 'target': 'arm',
                'experimental_default_int8_range': [-3.0, 3.0]}
    else:
        fb = core.convert(model, int8=b['int8'])
        conv = core.conversion_args(b['int8'])
    if isinstance(b['post'], tuple) and b['post'][0] == 'bitpacked_output':
        fb = core.with_bitpacked_output(fb, b['post'][1])
        conv['then'] = ('outputs replaced by the bitpacked output of the first %s; '
                        'operators that no longer lead to it removed' % b['post'][1])
    if b['post'] == 'constant_input_1':
        fb = core.with_constant_input(fb, 1, rng)
        conv['then'] = ('model input 1 made a constant (N(0, 0.25) values, quantised with '
                        "the input's own parameters when int8): the operators on it run "
                        'on a constant')
    if b['post'] == 'external_buffers':
        fb = core.externalize_buffers(fb)
        conv['then'] = 'constant data moved after the FlatBuffer (Buffer.offset/size)'
    return fb, conv


def gen_op(name, root, command):
    tf, lq = _modules()
    group, fn, desc = core.CASES[name]
    seed = core.seed_of(name)
    core.keras_reset(seed)
    rng = np.random.default_rng(seed)
    fb, conv = convert_case(name, rng, tf, lq)
    reading = core.read_model(fb)
    check = cases.BUILDERS[name]['check']
    if check:
        check(reading, core.bconv_output_kinds(reading))
    inputs = core.make_inputs(fb, rng, cases.BUILDERS[name]['input_scale'],
                              values=cases.BUILDERS[name]['values'])
    if cases.BUILDERS[name]['post'] == 'bitpacked_input':
        fb, inputs = core.with_bitpacked_input(fb, inputs)
        conv['then'] = ('the LceQuantize of the model input removed: its bitpacked output '
                        '(computed by the interpreter from a float input) is the model input')
    out = os.path.join(root, name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    core.record(out, name, desc, fb, seed=seed, conversion=conv, inputs=inputs,
                command=command, internals=cases.BUILDERS[name]['internals'])
    size = core.dir_size(out)
    if size > SIZE_LIMIT:
        raise SystemExit('%s: %d bytes, more than the %d allowed for a committed case'
                         % (name, size, SIZE_LIMIT))
    return size


def compare_dirs(a, b):
    """Differences between two generated case trees (model bytes and npy
    files exactly, meta.json as JSON without provenance.python)."""
    diffs = []
    for d, _, files in os.walk(a):
        for f in files:
            pa = os.path.join(d, f)
            pb = os.path.join(b, os.path.relpath(pa, a))
            if not os.path.exists(pb):
                diffs.append('missing ' + os.path.relpath(pb, b))
            elif f == 'meta.json':
                ja, jb = json.load(open(pa)), json.load(open(pb))
                for j in (ja, jb):
                    j['provenance'].pop('python', None)
                if ja != jb:
                    diffs.append('differs ' + os.path.relpath(pb, b))
            elif not filecmp.cmp(pa, pb, shallow=False):
                diffs.append('differs ' + os.path.relpath(pb, b))
    return diffs


def main(argv=None):
    p = argparse.ArgumentParser(
        prog='scripts/gen-tflite-fixtures',
        description='Generate .tflite fixtures with Larq Compute Engine 0.16.0 and record '
        "LCE's interpreter outputs. Needs build/venv-lce (scripts/bootstrap --lce).")
    p.add_argument('--case', action='append', help='one per-op case (repeatable)')
    p.add_argument('--list', action='store_true', help='list the cases and zoo models')
    p.add_argument('--check', action='store_true',
                   help='regenerate the per-op cases into a temp dir and compare')
    p.add_argument('--out', help='directory for per-op cases (default tests/golden/tflite)')
    p.add_argument('--zoo', nargs='*', metavar='MODEL',
                   help='generate Larq Zoo models (all when no name is given) into '
                   '--models-out instead of the per-op cases')
    p.add_argument('--models-out', default=MODELS,
                   help='directory for zoo models (default build/tflite-models)')
    p.add_argument('--size', type=int, default=None,
                   help='zoo input size (default 224, or the largest a model converts at: '
                   'DoReFa-Net 203)')
    p.add_argument('--no-internals', action='store_true',
                   help='zoo: do not record intermediate tensors')
    p.add_argument('--variants', choices=('both', 'float', 'int8'), default='both',
                   help='zoo: which conversions to write (default both)')
    args = p.parse_args(argv)

    if args.list:
        for n in core.ORDER:
            print('%-32s %s' % (n, core.CASES[n][2]))
        for n in zoo.MODELS:
            print('zoo %-28s %s' % (n, zoo.MODELS[n][2]))
        return 0

    if args.zoo is not None:
        names = args.zoo or list(zoo.MODELS)
        for n in names:
            if n not in zoo.MODELS:
                raise SystemExit('unknown zoo model %s (see --list)' % n)
        for n in names:
            size = args.size or zoo.MAX_SIZE.get(n, zoo.SIZE)
            zoo.generate(n, args.models_out, size, internals=not args.no_internals,
                         variants={'both': (False, True), 'float': (False,),
                                   'int8': (True,)}[args.variants])
        return 0

    names = args.case or list(core.ORDER)
    for n in names:
        if n not in core.CASES:
            raise SystemExit('unknown case %s (see --list)' % n)
    if args.check:
        tmp = tempfile.mkdtemp(prefix='tflite-fixtures-')
        for n in names:
            print('[gen] %s' % n, flush=True)
            gen_op(n, tmp, 'scripts/gen-tflite-fixtures --case %s' % n)
        diffs = []
        if not args.case:
            flexvectors.generate(tmp)
            diffs += compare_dirs(os.path.join(tmp, 'flexbuffers'),
                                  os.path.join(FIXTURES, 'flexbuffers'))
        for n in names:
            diffs += compare_dirs(os.path.join(tmp, n), os.path.join(FIXTURES, n))
        shutil.rmtree(tmp)
        for d in diffs:
            print(d)
        print('%d differences' % len(diffs))
        return 1 if diffs else 0
    root = args.out or FIXTURES
    total = 0
    for n in names:
        size = gen_op(n, root, 'scripts/gen-tflite-fixtures --case %s' % n)
        total += size
        print('[gen] %-32s %7d bytes' % (n, size), flush=True)
    if not args.case:
        flexvectors.generate(root)
    print('%d cases, %d bytes' % (len(names), total))
    return 0
