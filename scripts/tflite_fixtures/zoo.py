"""Larq Zoo architectures with random weights and calibrated BatchNorm,
converted in float and int8 variants (generated on demand, not committed)."""

import os
import shutil

import numpy as np

from . import core

# name -> (module, class name, description)
MODELS = {
    'quicknet': ('sota', 'QuickNet', 'QuickNet (Larq Zoo sota)'),
    'quicknet_small': ('sota', 'QuickNetSmall', 'QuickNetSmall (Larq Zoo sota)'),
    'quicknet_large': ('sota', 'QuickNetLarge', 'QuickNetLarge (Larq Zoo sota)'),
    'birealnet': ('literature', 'BiRealNet', 'Bi-Real Net (zero-padded bconvs)'),
    'binary_resnet_e18': ('literature', 'BinaryResNetE18', 'Binary ResNet-E 18'),
    'binary_densenet28': ('literature', 'BinaryDenseNet28', 'BinaryDenseNet 28'),
    'real_to_binary_net': ('literature', 'RealToBinaryNet', 'Real-to-Binary Net'),
    'xnornet': ('literature', 'XNORNet', 'XNOR-Net'),
    'binary_alexnet': ('literature', 'BinaryAlexNet', 'Binary AlexNet'),
    'dorefanet': ('literature', 'DoReFaNet', 'DoReFa-Net (2-bit activations, no LCE ops)'),
    'meliusnet22': ('literature', 'MeliusNet22', 'MeliusNet 22'),
}
NUM_CLASSES = 1000
SIZE = 224
# Models LCE's converter cannot convert at 224x224: DoReFa-Net's first
# QuantDense kernel is 9216 x 4096 floats (144 MiB) for every input size
# from 204 to 224, and larq-compute-engine 0.16.0's converter fails on it
# ("cannot create std::vector larger than max_size()" from the saved-model
# path, a crash in its graph-def fallback); up to 203 the kernel is 6400 x
# 4096 (100 MiB) and the model converts. Their largest convertible size.
MAX_SIZE = {'dorefanet': 203}
INT8_RANGE = (-3.0, 3.0)


def build(name, size, rng):
    import larq_zoo as lqz
    mod, cls, _ = MODELS[name]
    ctor = getattr(getattr(lqz, mod), cls)
    model = ctor(weights=None, input_shape=(size, size, 3), num_classes=NUM_CLASSES)
    core.randomise_weights(model, rng)
    x = rng.standard_normal((4, size, size, 3)).astype(np.float32)
    core.calibrate_bn(model, rng, x)
    return model


def generate(name, root, size, internals=True, variants=(False, True)):
    """Build and calibrate the model once, then convert and record each
    variant (float32, int8)."""
    seed = core.seed_of(name)   # the same weights for both variants
    core.keras_reset(seed)
    rng = np.random.default_rng(seed)
    print('[zoo] %s: building and calibrating' % name, flush=True)
    model = build(name, size, rng)
    for int8 in variants:
        case = name + ('_int8' if int8 else '')
        print('[zoo] %s: converting' % case, flush=True)
        fb = core.convert(model, int8=int8, int8_range=INT8_RANGE)
        out = os.path.join(root, case)
        if os.path.isdir(out):
            shutil.rmtree(out)
        # a model of TFLite builtins only is a plain TFLite model: its
        # oracle is TFLite's own interpreter (core.ORACLE_ARGS)
        oracle = 'lce' if core.has_lce_ops(core.read_model(fb)) else 'tflite'
        inputs = core.make_inputs(fb, np.random.default_rng(seed + 1), oracle=oracle)
        print('[zoo] %s: running the interpreter' % case, flush=True)
        cmd = 'scripts/gen-tflite-fixtures --zoo %s%s' % (
            name, '' if size == MAX_SIZE.get(name, SIZE) else ' --size %d' % size)
        _, reading = core.record(
            out, case, MODELS[name][2] + (' int8' if int8 else ' float32'), fb, seed=seed,
            conversion=core.conversion_args(int8, INT8_RANGE), inputs=inputs, command=cmd,
            internals=internals, oracle=oracle,
            extra={'zoo': {'model': 'larq_zoo.%s.%s' % MODELS[name][:2], 'weights': None,
                           'input_shape': [size, size, 3], 'num_classes': NUM_CLASSES,
                           'batchnorm': 'statistics calibrated on 4 N(0,1) images; '
                           'gamma/beta randomised with negative, zero (dead) and skewed '
                           'channels'}})
        print('[zoo] %s: %d bytes model, ops %s' % (case, len(fb), core.op_counts(reading)),
              flush=True)
