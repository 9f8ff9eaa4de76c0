"""Small models, one per LCE option and one per TFLite builtin bnnc reads,
converted by Larq Compute Engine and run by its interpreter."""

import numpy as np

from .core import case

# Each builder gets (tf, lq, rng) and returns a Keras model; `int8` converts
# with int8 I/O and a dummy int8 range; `check` asserts what the converter
# must have produced, so a converter that changes its output stops the
# generator instead of silently changing what a fixture covers.

BUILDERS = {}


def op_case(name, description, *, int8=False, int8_io=None, check=None, converter='lce',
            post=None, internals=True, input_scale=1.0, values=None):
    """Register a per-op case. int8: quantise with a dummy range; int8_io
    (default = int8): int8 model inputs and outputs; values: float values
    the random input takes at every other element (before int8
    quantisation), to reach chosen cases such as rounding ties."""
    def deco(fn):
        BUILDERS[name] = dict(build=fn, int8=int8,
                              int8_io=int8 if int8_io is None else int8_io,
                              check=check, converter=converter, post=post,
                              internals=internals, input_scale=input_scale,
                              values=values)
        case(name, description)(fn)
        return fn
    return deco


def _bconv(lq, filters, kernel, **kw):
    args = dict(input_quantizer='ste_sign', kernel_quantizer='ste_sign',
                kernel_constraint='weight_clip', use_bias=False)
    args.update(kw)
    return lq.layers.QuantConv2D(filters, kernel, **args)


def ops_of(r):
    return [op['name'] for op in r['subgraphs'][0]['operators']]


def lce_opts(r, name, k=0):
    return [op['options'] for op in r['subgraphs'][0]['operators'] if op['name'] == name][k]


def expect(cond, what):
    if not cond:
        raise AssertionError('converter output differs from what the case is for: ' + what)


def _bconv_check(**want):
    def chk(r, kinds):
        o = lce_opts(r, 'LceBconv2d')
        for k, v in want.items():
            if k == 'output':
                expect(kinds[0] == v, 'first LceBconv2d output %s, not %s' % (kinds[0], v))
            else:
                expect(o[k] == v, 'LceBconv2d %s = %s, not %s' % (k, o[k], v))
    return chk


def _has(*names):
    def chk(r, kinds):
        got = ops_of(r)
        for n in names:
            expect(n in got, '%s not in %s' % (n, got))
    return chk


# --------------------------------------------------------------- LCE ops

@op_case('lce_bconv_valid', 'LceBconv2d 3x3 VALID, 32 -> 16 channels, float output with '
         'post-activation multiplier and bias from a BatchNorm',
         check=_bconv_check(padding=1, pad_values=0, channels_in=32, output='float32'))
def _(tf, lq, rng):
    x = tf.keras.Input((9, 9, 32))
    y = _bconv(lq, 16, 3, padding='valid')(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_same_one', 'LceBconv2d 3x3 SAME with pad_values=1, channels_in 33 '
         '(not a multiple of 32), 40 outputs, float output',
         check=_bconv_check(padding=0, pad_values=1, channels_in=33, output='float32'))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 33))
    y = _bconv(lq, 40, 3, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_same_zero', 'LceBconv2d 5x5 SAME with pad_values=0 (zero padding, '
         'needs the per-position correction) on a 7x6 image, 64 -> 24 channels',
         check=_bconv_check(padding=0, pad_values=0, channels_in=64, output='float32'))
def _(tf, lq, rng):
    x = tf.keras.Input((7, 6, 64))
    y = _bconv(lq, 24, 5, padding='same', pad_values=0.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_same_zero_odd', 'LceBconv2d 3x3 SAME zero padding with channels_in 66 '
         '(even, not a multiple of 32), stride 2 on a 9x9 image',
         check=_bconv_check(padding=0, pad_values=0, channels_in=66, stride_h=2, stride_w=2))
def _(tf, lq, rng):
    x = tf.keras.Input((9, 9, 66))
    y = _bconv(lq, 20, 3, strides=2, padding='same', pad_values=0.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_same_zero_stride2', 'LceBconv2d 3x3 SAME zero padding, stride 2 on an 8x10 '
         'image: TFLite pads 0 before and 1 after (bottom/right only), 64 -> 24 channels',
         check=_bconv_check(padding=0, pad_values=0, channels_in=64, stride_h=2, stride_w=2))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 10, 64))
    y = _bconv(lq, 24, 3, strides=2, padding='same', pad_values=0.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_same_zero_even_kernel', 'LceBconv2d 4x2 SAME zero padding, stride 1 on a '
         '6x7 image: an even kernel pads one more after than before, 32 -> 16 channels',
         check=_bconv_check(padding=0, pad_values=0, channels_in=32))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 7, 32))
    y = _bconv(lq, 16, (4, 2), padding='same', pad_values=0.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_stride', 'LceBconv2d 3x3 VALID with strides (2, 1) on a 10x9 image, '
         'channels_in 35',
         check=_bconv_check(padding=1, stride_h=2, stride_w=1, channels_in=35))
def _(tf, lq, rng):
    x = tf.keras.Input((10, 9, 35))
    y = _bconv(lq, 32, 3, strides=(2, 1), padding='valid')(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_stride_same_one', 'LceBconv2d 3x3 SAME pad_values=1 with stride 2 on '
         'an odd 9x7 image (extra padding at the bottom/right)',
         check=_bconv_check(padding=0, pad_values=1, stride_h=2, stride_w=2))
def _(tf, lq, rng):
    x = tf.keras.Input((9, 7, 32))
    y = _bconv(lq, 16, 3, strides=2, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_dilation', 'LceBconv2d 3x3 VALID with dilation (2, 3), 40 -> 16 '
         'channels',
         check=_bconv_check(padding=1, dilation_h=2, dilation_w=3, channels_in=40))
def _(tf, lq, rng):
    x = tf.keras.Input((12, 13, 40))
    y = _bconv(lq, 16, 3, dilation_rate=(2, 3), padding='valid')(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_dilation_same_one', 'LceBconv2d 3x3 SAME pad_values=1 with dilation 2',
         check=_bconv_check(padding=0, pad_values=1, dilation_h=2, dilation_w=2))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 32))
    y = _bconv(lq, 16, 3, dilation_rate=2, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_groups', 'LceBconv2d 3x3 SAME pad_values=1 with 2 groups (64 -> 32 '
         'channels, 32 input channels per group)',
         check=_bconv_check(channels_in=64, pad_values=1))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 6, 64))
    y = _bconv(lq, 32, 3, groups=2, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_relu', 'LceBconv2d 3x3 VALID, no BatchNorm, then ReLU: fused '
         'activation RELU (multiplier 1, bias 0)',
         check=_bconv_check(activation=1, padding=1))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 32))
    y = _bconv(lq, 32, 3, padding='valid')(x)
    y = tf.keras.layers.ReLU()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_relu6', 'LceBconv2d 1x1, then ReLU6: fused activation RELU6 (with '
         'K = 32 the clamp matters)',
         check=_bconv_check(activation=3))
def _(tf, lq, rng):
    x = tf.keras.Input((5, 5, 32))
    y = _bconv(lq, 24, 1, padding='valid')(x)
    y = tf.keras.layers.ReLU(max_value=6.0)(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_relu_n1_to_1', 'LceBconv2d 3x3 SAME pad_values=1, then clip to [-1, 1]: '
         'fused activation RELU_N1_TO_1',
         check=_bconv_check(activation=2))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 6, 32))
    y = _bconv(lq, 16, 3, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.Lambda(lambda t: tf.minimum(tf.maximum(t, -1.0), 1.0))(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_scaled', 'LceBconv2d with magnitude_aware_sign weights: a per-channel '
         'post-activation multiplier from the filter scale, plus a bias',
         check=_bconv_check(padding=1))
def _(tf, lq, rng):
    x = tf.keras.Input((7, 7, 32))
    y = _bconv(lq, 16, 3, padding='valid', kernel_quantizer='magnitude_aware_sign',
               use_bias=True)(x)
    return tf.keras.Model(x, y)


def _fake_quant(tf, lo, hi):
    """A fake-quantisation node as quantisation-aware training leaves it: the
    converter takes the tensor's int8 range from it."""
    return tf.keras.layers.Lambda(
        lambda t: tf.quantization.fake_quant_with_min_max_args(t, lo, hi))


@op_case('lce_bconv_int8', 'LceBconv2d with int8 output in an int8 model (int8 I/O, '
         'fake-quant ranges as after quantisation-aware training): LceQuantize from int8, '
         'bconv writes int8', int8=True, check=_bconv_check(output='int8', pad_values=1))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 32))
    y = _bconv(lq, 24, 3, padding='same', pad_values=1.0)(_fake_quant(tf, -3.0, 3.0)(x))
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, _fake_quant(tf, -6.0, 6.0)(y))


@op_case('lce_bconv_int8_relu', 'LceBconv2d VALID with fused RELU and int8 output '
         '(fake-quant ranges)', int8=True, check=_bconv_check(output='int8', activation=1))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 6, 40))
    y = _bconv(lq, 16, 3, padding='valid')(_fake_quant(tf, -3.0, 3.0)(x))
    y = tf.keras.layers.ReLU()(y)
    return tf.keras.Model(x, _fake_quant(tf, 0.0, 100.0)(y))


@op_case('lce_bconv_bitpacked', 'Two LceBconv2d in a row: the first writes bitpacked output '
         'through per-channel thresholds (BatchNorm with negative and zero gammas folded, '
         'flipped filters), the second reads it',
         check=_bconv_check(output='bitpacked'))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 32))
    y = _bconv(lq, 64, 3, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    y = _bconv(lq, 32, 3, padding='same', pad_values=1.0)(y)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bconv_bitpacked_valid', 'LceBconv2d VALID with 45 outputs (not a multiple of '
         '32) written bitpacked, read by a 1x1 bconv',
         check=_bconv_check(output='bitpacked', padding=1))
def _(tf, lq, rng):
    x = tf.keras.Input((7, 7, 36))
    y = _bconv(lq, 45, 3, padding='valid')(x)
    y = tf.keras.layers.BatchNormalization()(y)
    y = _bconv(lq, 16, 1, padding='valid')(y)
    return tf.keras.Model(x, y)


@op_case('lce_bitpacked_output', 'A model whose output is bitpacked (int32 words): the first '
         'of two LceBconv2d writes bitpacked output through per-channel thresholds and is '
         'the model output',
         check=_bconv_check(output='bitpacked'), post=('bitpacked_output', 'LceBconv2d'))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 32))
    y = _bconv(lq, 64, 3, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    y = _bconv(lq, 32, 3, padding='same', pad_values=1.0)(y)
    return tf.keras.Model(x, y)


@op_case('lce_bitpacked_output_45', 'Bitpacked model output with 45 channels (the tail bits '
         'of the second word are zero): LceBconv2d VALID writing bitpacked output',
         check=_bconv_check(output='bitpacked', padding=1),
         post=('bitpacked_output', 'LceBconv2d'))
def _(tf, lq, rng):
    x = tf.keras.Input((7, 7, 36))
    y = _bconv(lq, 45, 3, padding='valid')(x)
    y = tf.keras.layers.BatchNormalization()(y)
    y = _bconv(lq, 16, 1, padding='valid')(y)
    return tf.keras.Model(x, y)


@op_case('lce_quantize_output', 'Bitpacked model output straight from LceQuantize of the '
         'float32 input (70 channels: 3 words, 26 zero tail bits)',
         check=_has('LceQuantize'), post=('bitpacked_output', 'LceQuantize'))
def _(tf, lq, rng):
    x = tf.keras.Input((5, 5, 70))
    y = lq.quantizers.SteSign()(x)
    return tf.keras.Model(x, y)


@op_case('lce_bitpacked_input', 'A model whose input is bitpacked (int32 words, 40 '
         'channels): LceBconv2d SAME with float output and a BatchNorm reads it',
         check=_bconv_check(output='float32', channels_in=40), post='bitpacked_input')
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 40))
    y = _bconv(lq, 24, 3, padding='same', pad_values=1.0)(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bitpacked_input_maxpool', 'Bitpacked model input (70 channels) through '
         'LceBMaxPool2d into an LceBconv2d (the channel count comes from the LceBconv2d)',
         check=_has('LceBMaxPool2d', 'LceBconv2d'), post='bitpacked_input')
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 70))
    y = lq.quantizers.SteSign()(x)
    y = tf.keras.layers.MaxPool2D(2)(y)
    y = _bconv(lq, 16, 3, padding='same', pad_values=1.0)(y)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bitpacked_input_dequantize', 'Bitpacked model input (45 channels) unpacked by '
         'LceDequantize to +-1 floats',
         check=_has('LceQuantize', 'LceDequantize'), post='bitpacked_input')
def _(tf, lq, rng):
    x = tf.keras.Input((4, 5, 45))
    y = lq.quantizers.SteSign()(x)
    return tf.keras.Model(x, y)


@op_case('lce_quantize_dequantize', 'LceQuantize then LceDequantize (a sign function) on '
         'float32, 70 channels', check=_has('LceQuantize', 'LceDequantize'))
def _(tf, lq, rng):
    x = tf.keras.Input((4, 5, 70))
    y = lq.quantizers.SteSign()(x)
    return tf.keras.Model(x, y)


@op_case('lce_quantize_dequantize_int8', 'LceQuantize from int8 and LceDequantize to int8 '
         '(int8 I/O, dummy range)', int8=True, check=_has('LceQuantize', 'LceDequantize'))
def _(tf, lq, rng):
    x = tf.keras.Input((3, 4, 40))
    y = lq.quantizers.SteSign()(x)
    return tf.keras.Model(x, y)


@op_case('lce_bmaxpool_same', 'LceBMaxPool2d 3x3 stride 2 SAME (MaxPool2D before a binary '
         'conv becomes a max pool of the packed bits)', check=_has('LceBMaxPool2d'))
def _(tf, lq, rng):
    x = tf.keras.Input((9, 9, 48))
    y = tf.keras.layers.MaxPooling2D(3, 2, padding='same')(x)
    y = _bconv(lq, 32, 3, padding='same', pad_values=1.0)(y)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


@op_case('lce_bmaxpool_valid', 'LceBMaxPool2d 2x3 with strides (2, 1) VALID',
         check=_has('LceBMaxPool2d'))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 9, 32))
    y = tf.keras.layers.MaxPooling2D((2, 3), (2, 1), padding='valid')(x)
    y = _bconv(lq, 16, 1, padding='valid')(y)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)


# ------------------------------------------------------- TFLite builtins

def both(name, description, check_names, input_scale=1.0, values=None):
    """Register a float32 case and an int8 one (int8 I/O, dummy range)."""
    def deco(fn):
        op_case(name, description + ' (float32)', check=_has(*check_names),
                input_scale=input_scale, values=values)(fn)
        op_case(name + '_int8', description + ' (int8)', int8=True,
                check=_has(*check_names), input_scale=input_scale, values=values)(fn)
        return fn
    return deco


@both('conv2d', 'CONV_2D 3x3 stride 2 SAME with bias and fused RELU', ['CONV_2D'])
def _(tf, lq, rng):
    x = tf.keras.Input((9, 8, 3))
    y = tf.keras.layers.Conv2D(8, 3, strides=2, padding='same', activation='relu')(x)
    return tf.keras.Model(x, y)


@op_case('split', 'SPLIT of the channels into 4, each part through its own CONV_2D, '
         'concatenated again (a grouped convolution, as in MeliusNet)',
         check=_has('SPLIT', 'CONCATENATION'))
@op_case('split_int8', 'SPLIT of int8 channels into 4, each part through its own int8 '
         'CONV_2D, concatenated again (the int8 grouped convolution of MeliusNet)',
         int8=True, check=_has('SPLIT', 'CONCATENATION'))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 7, 16))
    parts = tf.split(x, 4, axis=-1)
    ys = [tf.keras.layers.Conv2D(3, 3, padding='same')(p) for p in parts]
    return tf.keras.Model(x, tf.keras.layers.Concatenate()(ys))


@op_case('pad_channels', 'PAD of the channel axis with zeros, 1 before and 3 after '
         "(MeliusNet's improvement blocks), then ADD", check=_has('PAD'))
def _(tf, lq, rng):
    x = tf.keras.Input((5, 6, 8))
    y = tf.keras.layers.Conv2D(4, 3, padding='same')(x)
    y = tf.pad(y, [[0, 0], [0, 0], [0, 0], [1, 3]])
    return tf.keras.Model(x, tf.keras.layers.Add()([x, 2.0 * y]))


def _xnor_weight_scale(tf, lq, rng):
    """larq_zoo XNORNet's quantised 6x6 convolution with its kernel as a
    model input (made a constant after conversion, post='constant_input_1'),
    so that the converter keeps xnor_weight_scale as operators."""
    from larq_zoo.literature.xnornet import xnor_weight_scale
    x = tf.keras.Input((6, 6, 8))
    k = tf.keras.Input((6, 6, 8, 16), batch_size=1)
    y = tf.keras.layers.Lambda(lambda t: tf.nn.conv2d(
        lq.quantizers.ste_sign(t[0]), xnor_weight_scale(tf.reshape(t[1], (6, 6, 8, 16))), 1,
        'VALID'))([x, k])
    return tf.keras.Model([x, k], y)


for _int8 in (False, True):
    op_case('xnor_weight_scale' + ('_int8' if _int8 else ''),
            "XNOR-Net's scaled binary kernel as operators on a constant kernel "
            '(RELU_N1_TO_1, ABS, MEAN over three axes, LceQuantize, LceDequantize, MUL, '
            'TRANSPOSE) feeding a CONV_2D 6x6 VALID on a 6x6 input, as the converter leaves '
            'larq_zoo XNORNet' + (' (int8)' if _int8 else ' (float32)'),
            int8=_int8, post='constant_input_1',
            check=_has('RELU_N1_TO_1', 'ABS', 'MEAN', 'TRANSPOSE', 'CONV_2D'))(
                _xnor_weight_scale)


@both('conv2d_dilated', 'CONV_2D 3x2 VALID with dilation (2, 1), no activation',
      ['CONV_2D'])
def _(tf, lq, rng):
    x = tf.keras.Input((9, 8, 5))
    y = tf.keras.layers.Conv2D(6, (3, 2), dilation_rate=(2, 1), padding='valid')(x)
    return tf.keras.Model(x, y)


@op_case('depthwise_conv2d_stride2', 'DEPTHWISE_CONV_2D 3x3 stride 2 SAME with bias, depth '
         "multiplier 1 (QuickNet's blur layer), 32 channels: each output from its bias, "
         'products rounded', check=_has('DEPTHWISE_CONV_2D'))
def _(tf, lq, rng):
    x = tf.keras.Input((12, 11, 32))
    return tf.keras.Model(x, tf.keras.layers.DepthwiseConv2D(3, strides=2, padding='same')(x))


@both('depthwise_conv2d', 'DEPTHWISE_CONV_2D 3x3 SAME, depth multiplier 2, fused RELU6',
      ['DEPTHWISE_CONV_2D'])
def _(tf, lq, rng):
    x = tf.keras.Input((7, 7, 6))
    y = tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding='same')(x)
    y = tf.keras.layers.ReLU(max_value=6.0)(y)
    return tf.keras.Model(x, y)


@both('fully_connected', 'FULLY_CONNECTED 24 -> 10 with bias and fused RELU',
      ['FULLY_CONNECTED'])
def _(tf, lq, rng):
    x = tf.keras.Input((24,))
    y = tf.keras.layers.Dense(10, activation='relu')(x)
    return tf.keras.Model(x, y)


@both('add', 'ADD of two inputs', ['ADD'])
def _(tf, lq, rng):
    a = tf.keras.Input((4, 4, 8))
    b = tf.keras.Input((4, 4, 8))
    return tf.keras.Model([a, b], tf.keras.layers.Add()([a, b]))


@both('sub', 'SUB of two inputs', ['SUB'])
def _(tf, lq, rng):
    a = tf.keras.Input((4, 4, 8))
    b = tf.keras.Input((4, 4, 8))
    return tf.keras.Model([a, b], tf.keras.layers.Subtract()([a, b]))


@both('mul', 'MUL by a per-channel constant (broadcast)', ['MUL'])
def _(tf, lq, rng):
    c = tf.constant(rng.uniform(-2, 2, (1, 1, 1, 8)).astype(np.float32))
    x = tf.keras.Input((4, 4, 8))
    y = tf.keras.layers.Lambda(lambda t: t * c)(x)
    return tf.keras.Model(x, y)


@op_case('mul_channel_gate', 'MUL of an image by a per-channel gate computed from it, (1, C) '
         'against (1, H, W, C) (squeeze-excitation as in Real-to-Binary Net: MEAN, '
         'FULLY_CONNECTED, LOGISTIC)', check=_has('MUL', 'LOGISTIC'))
def _(tf, lq, rng):
    x = tf.keras.Input((5, 5, 8))
    s = tf.keras.layers.GlobalAveragePooling2D()(x)
    s = tf.keras.layers.Dense(8, activation='sigmoid')(s)
    y = tf.keras.layers.Lambda(lambda t: t[0] * t[1])([x, s])
    return tf.keras.Model(x, y)


@both('average_pool', 'AVERAGE_POOL_2D 3x3 stride 2 SAME (edge windows average fewer '
      'taps)', ['AVERAGE_POOL_2D'])
def _(tf, lq, rng):
    x = tf.keras.Input((7, 8, 4))
    y = tf.keras.layers.AveragePooling2D(3, 2, padding='same')(x)
    return tf.keras.Model(x, y)


@both('max_pool', 'MAX_POOL_2D 2x2 stride 2 VALID on an odd 7x7 image', ['MAX_POOL_2D'])
def _(tf, lq, rng):
    x = tf.keras.Input((7, 7, 4))
    y = tf.keras.layers.MaxPooling2D(2, 2, padding='valid')(x)
    return tf.keras.Model(x, y)


@both('mean', 'MEAN over height and width (GlobalAveragePooling2D)', ['MEAN'])
def _(tf, lq, rng):
    x = tf.keras.Input((5, 6, 8))
    y = tf.keras.layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(x, y)


@both('pad', 'PAD with asymmetric zero padding (ZeroPadding2D ((1, 2), (0, 1)))', ['PAD'])
def _(tf, lq, rng):
    x = tf.keras.Input((4, 5, 3))
    y = tf.keras.layers.ZeroPadding2D(((1, 2), (0, 1)))(x)
    return tf.keras.Model(x, y)


@both('reshape', 'RESHAPE [1,4,4,8] -> [1,8,16] between two ReLUs', ['RESHAPE'])
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    y = tf.keras.layers.Reshape((8, 16))(tf.keras.layers.ReLU()(x))
    y = tf.keras.layers.ReLU(max_value=6.0)(y)
    return tf.keras.Model(x, y)


@both('softmax', 'SOFTMAX over 10 logits', ['SOFTMAX'])
def _(tf, lq, rng):
    x = tf.keras.Input((10,))
    return tf.keras.Model(x, tf.keras.layers.Softmax()(x))


@both('concatenation', 'CONCATENATION of two inputs along channels (8 + 5)',
      ['CONCATENATION'])
def _(tf, lq, rng):
    a = tf.keras.Input((3, 3, 8))
    b = tf.keras.Input((3, 3, 5))
    return tf.keras.Model([a, b], tf.keras.layers.Concatenate()([a, b]))


@both('relu', 'RELU', ['RELU'])
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    return tf.keras.Model(x, tf.keras.layers.ReLU()(x))


@both('relu6', 'RELU6 on inputs drawn from N(0, 4^2), so that values above 6 occur',
      ['RELU6'], input_scale=4.0)
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    return tf.keras.Model(x, tf.keras.layers.ReLU(max_value=6.0)(x))


@both('prelu', 'PRELU with per-channel alpha shared over height and width', ['PRELU'])
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    return tf.keras.Model(x, tf.keras.layers.PReLU(shared_axes=[1, 2])(x))


@both('leaky_relu', 'LEAKY_RELU with alpha 0.2', ['LEAKY_RELU'])
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    return tf.keras.Model(x, tf.keras.layers.LeakyReLU(alpha=0.2)(x))


@both('hard_swish', 'HARD_SWISH (x * relu6(x + 3) / 6)', ['HARD_SWISH'])
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    y = tf.keras.layers.Lambda(lambda t: t * tf.nn.relu6(t + 3.0) * (1.0 / 6.0))(
        tf.keras.layers.Lambda(lambda t: t * 3.0)(x))
    return tf.keras.Model(x, y)


@both('logistic', 'LOGISTIC (sigmoid) on inputs spread over the whole int8 range (int8: '
      "TFLite's 256-entry table, output scale 1/256 and zero point -128)", ['LOGISTIC'],
      input_scale=2.0)
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 8))
    return tf.keras.Model(x, tf.keras.layers.Activation('sigmoid')(x))


@both('round', "ROUND (TFLite's: halves to the even integer) of multiples of 0.25 and "
      'random values (int8: a DEQUANTIZE, then ROUND in float)', ['ROUND'], input_scale=2.0,
      values=np.arange(-12, 12.25, 0.25))
def _(tf, lq, rng):
    x = tf.keras.Input((8, 8, 8))
    return tf.keras.Model(x, tf.keras.layers.Lambda(lambda t: tf.round(t))(x))


@both('minimum_maximum', 'MINIMUM with the constant 1 and MAXIMUM with -0.5, each of a '
      'tensor and a one-value constant (int8: the stored integers compared)',
      ['MINIMUM', 'MAXIMUM'], input_scale=1.5)
def _(tf, lq, rng):
    x = tf.keras.Input((4, 4, 8))
    y = tf.keras.layers.Lambda(lambda t: tf.maximum(tf.minimum(t, 1.0), -0.5))(x)
    return tf.keras.Model(x, y)


@op_case('quantize_dequantize', 'QUANTIZE of a float32 input and DEQUANTIZE of the output '
         'around an int8 CONV_2D (float I/O, dummy int8 range)', int8=True, int8_io=False,
         check=_has('QUANTIZE', 'DEQUANTIZE', 'CONV_2D'))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 6, 4))
    y = tf.keras.layers.Conv2D(8, 3, padding='same')(x)
    return tf.keras.Model(x, y)


@op_case('flatten_dynamic_batch', 'Flatten that keeps a dynamic batch, '
         'reshape(x, [shape(x)[0], -1]): SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE, then '
         'FULLY_CONNECTED (converted by tf.lite.TFLiteConverter, which keeps the batch '
         'dimension dynamic: shape_signature -1)',
         converter='tflite', check=_has('SHAPE', 'STRIDED_SLICE', 'PACK', 'RESHAPE'))
def _(tf, lq, rng):
    x = tf.keras.Input((3, 4, 5))
    y = tf.keras.layers.ReLU()(x)
    y = tf.keras.layers.Lambda(lambda t: tf.reshape(t, [tf.shape(t)[0], -1]),
                               output_shape=(60,))(y)
    y = tf.keras.layers.Reshape((60,))(y)
    y = tf.keras.layers.Dense(6)(y)
    return tf.keras.Model(x, y)


@op_case('external_buffers', 'LceBconv2d VALID with a BatchNorm, every constant stored '
         'after the FlatBuffer (Buffer.offset/size, the layout of models over 2 GB), '
         "read back by LCE's interpreter (no internals: rewriting the model's outputs "
         'would move the FlatBuffer end)', post='external_buffers', internals=False,
         check=_bconv_check(padding=1))
def _(tf, lq, rng):
    x = tf.keras.Input((6, 6, 32))
    y = _bconv(lq, 16, 3, padding='valid')(x)
    y = tf.keras.layers.BatchNormalization()(y)
    return tf.keras.Model(x, y)
