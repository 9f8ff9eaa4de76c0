"""Per-operator models built with onnx.helper, one per standard operator
family of the importer, at the opsets where their semantics changed.
Oracle: onnxruntime."""

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

from .core import case, Case, ORT_MAX_OPSET

F = TP.FLOAT
PRODUCER = 'bnnc scripts/gen-onnx-fixtures'


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def build(nodes, inputs, outputs, inits=(), opset=13, name='g', domains=()):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    ops = [helper.make_opsetid('', opset)] + [helper.make_opsetid(d, v)
                                             for d, v in domains]
    m = helper.make_model(g, opset_imports=ops, producer_name=PRODUCER,
                          producer_version='1')
    return m


def randn(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ------------------------------------------------------------------ conv

@case('conv_groups_dilations_op13', 'ops', 'Conv group 2, dilations (2,1), '
      'strides (1,2), asymmetric pads [1,2,0,1], bias')
def _(rng):
    x = randn(rng, 1, 4, 9, 9)
    w = randn(rng, 6, 2, 3, 3, scale=0.3)
    b = randn(rng, 6)
    n = helper.make_node('Conv', ['x', 'w', 'b'], ['y'], name='conv',
                         group=2, dilations=[2, 1], strides=[1, 2],
                         pads=[1, 2, 0, 1], kernel_shape=[3, 3])
    return Case(build([n], [vi('x', ['N', 4, 9, 9])], [vi('y', None)],
                      [init('w', w), init('b', b)]), [('x', x)])


def _autopad(rng, mode, opset, bias=True):
    x = randn(rng, 1, 2, 8, 7)
    w = randn(rng, 3, 2, 4, 3, scale=0.3)
    ins, inits = ['x', 'w'], [init('w', w)]
    if bias:
        ins.append('b')
        inits.append(init('b', randn(rng, 3)))
    n = helper.make_node('Conv', ins, ['y'], name='conv', auto_pad=mode,
                         strides=[2, 2])
    return Case(build([n], [vi('x', [1, 2, 8, 7])], [vi('y', None)], inits,
                      opset=opset), [('x', x)])


@case('conv_same_upper_op11', 'ops', 'Conv auto_pad SAME_UPPER, kernel 4x3 '
      'stride 2 (odd total padding: the extra row at the end)')
def _(rng):
    return _autopad(rng, 'SAME_UPPER', 11)


@case('conv_same_lower_op11', 'ops', 'Conv auto_pad SAME_LOWER, kernel 4x3 '
      'stride 2 (odd total padding: the extra row at the beginning)')
def _(rng):
    return _autopad(rng, 'SAME_LOWER', 11)


@case('conv_valid_op7', 'ops', 'Conv auto_pad VALID, no bias, opset 7')
def _(rng):
    return _autopad(rng, 'VALID', 7, bias=False)


@case('conv_depthwise_op13', 'ops', 'depthwise Conv (group = channels = 8), '
      '3x3 stride 2 pad 1, then 1x1 Conv')
def _(rng):
    x = randn(rng, 1, 8, 10, 10)
    n1 = helper.make_node('Conv', ['x', 'dw', 'db'], ['t'], name='dw',
                          group=8, strides=[2, 2], pads=[1, 1, 1, 1])
    n2 = helper.make_node('Conv', ['t', 'pw'], ['y'], name='pw')
    return Case(build([n1, n2], [vi('x', [1, 8, 10, 10])], [vi('y', None)],
                      [init('dw', randn(rng, 8, 1, 3, 3)),
                       init('db', randn(rng, 8)),
                       init('pw', randn(rng, 5, 8, 1, 1, scale=0.3))]),
                [('x', x)])


@case('convtranspose_op13', 'ops', 'ConvTranspose stride 2, pads 1, '
      'output_padding 1, bias; and group 2 with dilations 2')
def _(rng):
    x = randn(rng, 1, 4, 5, 5)
    n1 = helper.make_node('ConvTranspose', ['x', 'w1', 'b1'], ['y1'], name='ct',
                          strides=[2, 2], pads=[1, 1, 1, 1],
                          output_padding=[1, 1])
    n2 = helper.make_node('ConvTranspose', ['x', 'w2'], ['y2'], name='ct_g',
                          group=2, dilations=[2, 2], strides=[1, 2])
    return Case(build([n1, n2], [vi('x', [1, 4, 5, 5])],
                      [vi('y1', None), vi('y2', None)],
                      [init('w1', randn(rng, 4, 3, 3, 3, scale=0.3)),
                       init('b1', randn(rng, 3)),
                       init('w2', randn(rng, 4, 2, 2, 3, scale=0.3))]),
                [('x', x)])


# ------------------------------------------------------- dense, norm

@case('gemm_op13', 'ops', 'Gemm transB=1 (PyTorch Linear), alpha 0.5, '
      'beta 2, C [4] broadcast; and transA=1 without C')
def _(rng):
    a = randn(rng, 2, 5)
    n1 = helper.make_node('Gemm', ['a', 'b', 'c'], ['y1'], name='gemm',
                          transB=1, alpha=0.5, beta=2.0)
    n2 = helper.make_node('Gemm', ['at', 'b2'], ['y2'], name='gemm_ta',
                          transA=1)
    return Case(build([n1, n2], [vi('a', [2, 5]), vi('at', [5, 2])],
                      [vi('y1', None), vi('y2', None)],
                      [init('b', randn(rng, 4, 5)), init('c', randn(rng, 4)),
                       init('b2', randn(rng, 5, 3))]),
                [('a', a), ('at', randn(rng, 5, 2))])


@case('gemm_op7', 'ops', 'Gemm at opset 7 with C of shape [1] '
      '(unidirectional broadcast)')
def _(rng):
    n = helper.make_node('Gemm', ['a', 'b', 'c'], ['y'], name='gemm', transB=1)
    return Case(build([n], [vi('a', [3, 6])], [vi('y', None)],
                      [init('b', randn(rng, 4, 6)), init('c', randn(rng, 1))],
                      opset=7), [('a', randn(rng, 3, 6))])


@case('matmul_op13', 'ops', 'MatMul 3-D x 2-D (batched) and 2-D x 2-D')
def _(rng):
    n1 = helper.make_node('MatMul', ['a', 'w'], ['y1'], name='mm3')
    n2 = helper.make_node('MatMul', ['b', 'w'], ['y2'], name='mm2')
    return Case(build([n1, n2], [vi('a', [2, 3, 4]), vi('b', [5, 4])],
                      [vi('y1', None), vi('y2', None)],
                      [init('w', randn(rng, 4, 6))]),
                [('a', randn(rng, 2, 3, 4)), ('b', randn(rng, 5, 4))])


def _bn(rng, opset, attrs):
    x = randn(rng, 2, 6, 4, 4)
    var = np.abs(randn(rng, 6)) + 0.05
    var[1] = 1e-6          # a nearly dead channel: tiny variance
    scale = randn(rng, 6)
    scale[2] = -1.5        # negative gamma
    scale[3] = 0.0         # gamma 0: constant channel
    n = helper.make_node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'],
                         name='bn', **attrs)
    return Case(build([n], [vi('x', ['N', 6, 4, 4])], [vi('y', None)],
                      [init('s', scale), init('b', randn(rng, 6)),
                       init('m', randn(rng, 6)), init('v', var)], opset=opset),
                [('x', x)])


@case('batchnorm_op7', 'ops', 'BatchNormalization opset 7 with spatial=1, '
      'epsilon 1e-3; negative, zero gamma and tiny variance channels')
def _(rng):
    return _bn(rng, 7, {'epsilon': 1e-3, 'spatial': 1})


@case('batchnorm_op15', 'ops', 'BatchNormalization opset 15 (default '
      'epsilon 1e-5), same channel mix')
def _(rng):
    return _bn(rng, 15, {})


# ------------------------------------------------------------ activations

@case('activations_op14', 'ops', 'Relu, PRelu (slope [C,1,1] and scalar), '
      'LeakyRelu 0.1, Sigmoid, Tanh, HardSigmoid (0.3, 0.4), HardSwish')
def _(rng):
    x = randn(rng, 1, 3, 4, 5, scale=3)
    x[0, 0, 0, :3] = [0.0, -0.0, 3.0]
    ops = [('Relu', {}, []), ('PRelu', {}, ['slope']), ('PRelu', {}, ['slope1']),
           ('LeakyRelu', {'alpha': 0.1}, []), ('Sigmoid', {}, []), ('Tanh', {}, []),
           ('HardSigmoid', {'alpha': 0.3, 'beta': 0.4}, []), ('HardSwish', {}, [])]
    nodes, outs = [], []
    for i, (op, at, extra) in enumerate(ops):
        nodes.append(helper.make_node(op, ['x'] + extra, ['y%d' % i],
                                      name='%s_%d' % (op.lower(), i), **at))
        outs.append(vi('y%d' % i, None))
    return Case(build(nodes, [vi('x', [1, 3, 4, 5])], outs,
                      [init('slope', randn(rng, 3, 1, 1)),
                       init('slope1', np.array([0.25], np.float32))], opset=14),
                [('x', x)])


def _clip_x(rng):
    x = randn(rng, 2, 8)
    x[0, :4] = [-0.5, 0.7, 0.0, 5.0]
    return x


@case('clip_op7', 'ops', 'Clip opset 7: min -0.5 and max 0.7 as attributes; '
      'and with no attributes (no bounds)')
def _(rng):
    n1 = helper.make_node('Clip', ['x'], ['y1'], name='clip', min=-0.5, max=0.7)
    n2 = helper.make_node('Clip', ['x'], ['y2'], name='clip_none')
    return Case(build([n1, n2], [vi('x', [2, 8])], [vi('y1', None), vi('y2', None)],
                      opset=7), [('x', _clip_x(rng))])


@case('clip_op11', 'ops', 'Clip opset 11: min and max as inputs; min only '
      '(max omitted); max only (min given as "")')
def _(rng):
    n1 = helper.make_node('Clip', ['x', 'lo', 'hi'], ['y1'], name='clip')
    n2 = helper.make_node('Clip', ['x', 'lo'], ['y2'], name='clip_min')
    n3 = helper.make_node('Clip', ['x', '', 'hi'], ['y3'], name='clip_max')
    return Case(build([n1, n2, n3], [vi('x', [2, 8])],
                      [vi('y1', None), vi('y2', None), vi('y3', None)],
                      [init('lo', np.array(-0.5, np.float32)),
                       init('hi', np.array(0.7, np.float32))], opset=11),
                [('x', _clip_x(rng))])


@case('clip_op13', 'ops', 'Clip opset 13 as ReLU6 (min 0, max 6 from '
      'Constant nodes)')
def _(rng):
    c0 = helper.make_node('Constant', [], ['lo'], name='c0',
                          value=numpy_helper.from_array(np.array(0, np.float32)))
    c1 = helper.make_node('Constant', [], ['hi'], name='c1',
                          value=numpy_helper.from_array(np.array(6, np.float32)))
    n = helper.make_node('Clip', ['x', 'lo', 'hi'], ['y'], name='relu6')
    return Case(build([c0, c1, n], [vi('x', [2, 8])], [vi('y', None)], opset=13),
                [('x', _clip_x(rng) * 4)])


# ------------------------------------------------------------- arithmetic

def _arith(rng, opset):
    a = randn(rng, 2, 3, 4, 5)
    nodes = [helper.make_node('Add', ['a', 'c3'], ['t0'], name='add_c11'),
             helper.make_node('Sub', ['t0', 'w5'], ['t1'], name='sub_w'),
             helper.make_node('Mul', ['t1', 's'], ['t2'], name='mul_scalar'),
             helper.make_node('Div', ['t2', 'd'], ['t3'], name='div_2141'),
             helper.make_node('Sub', ['one', 't3'], ['y'], name='rsub')]
    d = np.abs(randn(rng, 2, 1, 4, 1)) + 0.5
    return Case(build(nodes, [vi('a', [2, 3, 4, 5])], [vi('y', None)],
                      [init('c3', randn(rng, 3, 1, 1)), init('w5', randn(rng, 5)),
                       init('s', np.array(1.5, np.float32)), init('d', d),
                       init('one', np.array([1.0], np.float32))], opset=opset),
                [('a', a)])


@case('arith_broadcast_op7', 'ops', 'Add/Sub/Mul/Div with multidirectional '
      'broadcasting ([3,1,1], [5], scalar, [2,1,4,1], [1]) at opset 7')
def _(rng):
    return _arith(rng, 7)


@case('arith_broadcast_op14', 'ops', 'the same arithmetic at opset 14')
def _(rng):
    return _arith(rng, 14)


# ---------------------------------------------------------------- pooling

@case('maxpool_ceil_op12', 'ops', 'MaxPool 3x3 stride 2, pads [1,0,1,1], '
      'dilations (1,2), ceil_mode 1, with Indices (int64); and 2x2 floor')
def _(rng):
    x = randn(rng, 1, 2, 7, 8)
    n1 = helper.make_node('MaxPool', ['x'], ['y1', 'idx'], name='pool_ceil',
                          kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 1],
                          dilations=[1, 2], ceil_mode=1)
    n2 = helper.make_node('MaxPool', ['x'], ['y2'], name='pool2',
                          kernel_shape=[2, 2], strides=[2, 2])
    return Case(build([n1, n2], [vi('x', [1, 2, 7, 8])],
                      [vi('y1', None), vi('idx', None, TP.INT64), vi('y2', None)],
                      opset=12), [('x', x)])


@case('maxpool_dilations_op12', 'ops', 'MaxPool dilations (1,2) 3x3 stride 2, '
      'pads [1,0,1,1], ceil_mode 1; dilations (2,2) 2x2 stride 1 pads [1,0,0,1]')
def _(rng):
    x = randn(rng, 1, 2, 7, 8)
    n1 = helper.make_node('MaxPool', ['x'], ['y1'], name='pool_ceil',
                          kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 1],
                          dilations=[1, 2], ceil_mode=1)
    n2 = helper.make_node('MaxPool', ['x'], ['y2'], name='pool_pads',
                          kernel_shape=[2, 2], dilations=[2, 2], pads=[1, 0, 0, 1])
    return Case(build([n1, n2], [vi('x', [1, 2, 7, 8])], [vi('y1', None), vi('y2', None)],
                      opset=12), [('x', x)])


@case('maxpool_dilations_same_op12', 'ops', 'MaxPool dilations (3,2) with '
      'SAME_UPPER, where onnxruntime pads as if undilated (refused by bnnc)')
def _(rng):
    n = helper.make_node('MaxPool', ['x'], ['y'], name='pool_same',
                         kernel_shape=[2, 2], dilations=[3, 2], auto_pad='SAME_UPPER')
    return Case(build([n], [vi('x', [1, 2, 7, 8])], [vi('y', None)], opset=12),
                [('x', randn(rng, 1, 2, 7, 8))])


@case('avgpool_dilations_op19', 'ops', 'AveragePool with dilations (opset 19): '
      '2x2 dilations (2,2); 3x3 stride 2 dilations (2,1) pads 1 with '
      'count_include_pad 0 and 1; 3x3 stride 2 dilations 2 pads [1,0,1,1] '
      'ceil_mode 1 with count_include_pad 0 and 1; 2x3 dilations (3,2) '
      'asymmetric pads')
def _(rng):
    x = randn(rng, 1, 3, 9, 10)
    specs = [
        ('avg_dilated', dict(kernel_shape=[2, 2], dilations=[2, 2])),
        ('avg_excl', dict(kernel_shape=[3, 3], strides=[2, 2], dilations=[2, 1],
                          pads=[1, 1, 1, 1])),
        ('avg_incl', dict(kernel_shape=[3, 3], strides=[2, 2], dilations=[2, 1],
                          pads=[1, 1, 1, 1], count_include_pad=1)),
        ('avg_ceil_excl', dict(kernel_shape=[3, 3], strides=[2, 2], dilations=[2, 2],
                               pads=[1, 0, 1, 1], ceil_mode=1)),
        ('avg_ceil_incl', dict(kernel_shape=[3, 3], strides=[2, 2], dilations=[2, 2],
                               pads=[1, 0, 1, 1], ceil_mode=1, count_include_pad=1)),
        ('avg_asym', dict(kernel_shape=[2, 3], strides=[1, 2], dilations=[3, 2],
                          pads=[1, 1, 0, 2], count_include_pad=1)),
    ]
    nodes = [helper.make_node('AveragePool', ['x'], ['y%d' % i], name=nm, **at)
             for i, (nm, at) in enumerate(specs)]
    return Case(build(nodes, [vi('x', [1, 3, 9, 10])],
                      [vi('y%d' % i, None) for i in range(len(specs))], opset=19),
                [('x', x)])


@case('avgpool_ceil_op11', 'ops', 'AveragePool 3x3 stride 2 pads 1 ceil_mode '
      '1 with count_include_pad 0 and 1; GlobalAveragePool')
def _(rng):
    x = randn(rng, 1, 3, 6, 7)
    at = dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
    n1 = helper.make_node('AveragePool', ['x'], ['y1'], name='avg_excl', **at)
    n2 = helper.make_node('AveragePool', ['x'], ['y2'], name='avg_incl',
                          count_include_pad=1, **at)
    n3 = helper.make_node('GlobalAveragePool', ['x'], ['y3'], name='gap')
    return Case(build([n1, n2, n3], [vi('x', [1, 3, 6, 7])],
                      [vi('y1', None), vi('y2', None), vi('y3', None)], opset=11),
                [('x', x)])


@case('avgpool_op7', 'ops', 'AveragePool opset 7 (no ceil_mode), '
      'count_include_pad 1, pads [0,1,1,0]; MaxPool opset 7')
def _(rng):
    x = randn(rng, 1, 2, 6, 6)
    n1 = helper.make_node('AveragePool', ['x'], ['y1'], name='avg',
                          kernel_shape=[2, 3], pads=[0, 1, 1, 0],
                          count_include_pad=1)
    n2 = helper.make_node('MaxPool', ['x'], ['y2'], name='max',
                          kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    return Case(build([n1, n2], [vi('x', [1, 2, 6, 6])],
                      [vi('y1', None), vi('y2', None)], opset=7), [('x', x)])


# ------------------------------------------------------------ shape ops

@case('flatten_reshape_op13', 'ops', 'Flatten axis 1 and -1, Reshape with 0 '
      'and -1, Transpose perm (0,2,3,1) and default (reversed)')
def _(rng):
    x = randn(rng, 2, 3, 4, 5)
    nodes = [helper.make_node('Flatten', ['x'], ['f1'], name='flat1', axis=1),
             helper.make_node('Flatten', ['x'], ['f2'], name='flat_neg', axis=-1),
             helper.make_node('Reshape', ['x', 'shp'], ['r'], name='reshape'),
             helper.make_node('Transpose', ['x'], ['t1'], name='nhwc',
                              perm=[0, 2, 3, 1]),
             helper.make_node('Transpose', ['x'], ['t2'], name='reverse')]
    return Case(build(nodes, [vi('x', [2, 3, 4, 5])],
                      [vi(o, None) for o in ('f1', 'f2', 'r', 't1', 't2')],
                      [init('shp', np.array([0, -1, 5], np.int64))]),
                [('x', x)])


@case('flatten_reshape_op7', 'ops', 'Flatten axis 2 and Reshape (shape '
      'input with 0 and -1) at opset 7')
def _(rng):
    x = randn(rng, 2, 3, 4, 5)
    nodes = [helper.make_node('Flatten', ['x'], ['f'], name='flat2', axis=2),
             helper.make_node('Reshape', ['x', 'shp'], ['r'], name='reshape')]
    return Case(build(nodes, [vi('x', [2, 3, 4, 5])], [vi('f', None), vi('r', None)],
                      [init('shp', np.array([2, -1, 0], np.int64))], opset=7),
                [('x', x)])


@case('concat_op13', 'ops', 'Concat of three inputs along axis -1 and '
      'along axis 1')
def _(rng):
    a, b, c = randn(rng, 1, 2, 3, 4), randn(rng, 1, 2, 3, 2), randn(rng, 1, 2, 3, 1)
    n1 = helper.make_node('Concat', ['a', 'b', 'c'], ['y1'], name='cat_last',
                          axis=-1)
    n2 = helper.make_node('Concat', ['a', 'a', 'w'], ['y2'], name='cat_c', axis=1)
    return Case(build([n1, n2], [vi('a', [1, 2, 3, 4]), vi('b', [1, 2, 3, 2]),
                                 vi('c', [1, 2, 3, 1])],
                      [vi('y1', None), vi('y2', None)],
                      [init('w', randn(rng, 1, 3, 3, 4))]),
                [('a', a), ('b', b), ('c', c)])


@case('pad_op7', 'ops', 'Pad opset 7: pads and value as attributes '
      '(constant -1, the dabnn border), and edge and reflect modes')
def _(rng):
    x = randn(rng, 1, 2, 4, 5)
    p = [0, 0, 1, 2, 0, 0, 2, 1]
    nodes = [helper.make_node('Pad', ['x'], ['y1'], name='pad_m1', pads=p,
                              value=-1.0),
             helper.make_node('Pad', ['x'], ['y2'], name='pad_edge', pads=p,
                              mode='edge'),
             helper.make_node('Pad', ['x'], ['y3'], name='pad_reflect', pads=p,
                              mode='reflect')]
    return Case(build(nodes, [vi('x', [1, 2, 4, 5])],
                      [vi('y%d' % i, None) for i in (1, 2, 3)], opset=7),
                [('x', x)])


@case('pad_op11', 'ops', 'Pad opset 11: pads as an int64 input, '
      'constant_value input -1; the same without constant_value (0); '
      'a negative pad (crop)')
def _(rng):
    x = randn(rng, 1, 2, 4, 5)
    nodes = [helper.make_node('Pad', ['x', 'p', 'v'], ['y1'], name='pad_m1'),
             helper.make_node('Pad', ['x', 'p'], ['y2'], name='pad_0'),
             helper.make_node('Pad', ['x', 'pc'], ['y3'], name='pad_crop')]
    return Case(build(nodes, [vi('x', [1, 2, 4, 5])],
                      [vi('y%d' % i, None) for i in (1, 2, 3)],
                      [init('p', np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
                       init('v', np.array(-1.0, np.float32)),
                       init('pc', np.array([0, 0, -1, 2, 0, 0, 1, -2], np.int64))],
                      opset=11), [('x', x)])


@case('pad_channels_op11', 'ops', 'Pad opset 11 on the channel axis only: '
      'constant 0.5 (2 channels before, 1 after) and the default 0 (1 before, '
      '3 after), each feeding a 1x1 convolution so the padded channels are used')
def _(rng):
    x = randn(rng, 1, 3, 4, 5)
    nodes = [helper.make_node('Pad', ['x', 'pa', 'v'], ['pa_out'], name='pad_ch_half'),
             helper.make_node('Pad', ['x', 'pb'], ['pb_out'], name='pad_ch_zero'),
             helper.make_node('Conv', ['pa_out', 'wa'], ['y1'], name='conv_a'),
             helper.make_node('Conv', ['pb_out', 'wb'], ['y2'], name='conv_b'),
             helper.make_node('Identity', ['pb_out'], ['y3'], name='pad_out')]
    return Case(build(nodes, [vi('x', [1, 3, 4, 5])],
                      [vi('y%d' % i, None) for i in (1, 2, 3)],
                      [init('pa', np.array([0, 2, 0, 0, 0, 1, 0, 0], np.int64)),
                       init('pb', np.array([0, 1, 0, 0, 0, 3, 0, 0], np.int64)),
                       init('v', np.array(0.5, np.float32)),
                       init('wa', randn(rng, 4, 6, 1, 1)),
                       init('wb', randn(rng, 4, 7, 1, 1))],
                      opset=11), [('x', x)])


@case('pad_modes_op19', 'ops', 'Pad opset 19: edge, reflect and wrap, each '
      'with a negative pad (crop) on another side; constant with pads '
      'positive and negative')
def _(rng):
    x = randn(rng, 1, 2, 5, 6)
    pads = {'edge': [0, 0, 2, -1, 0, 0, -2, 3], 'reflect': [0, 0, -1, 2, 0, 0, 3, -2],
            'wrap': [0, 0, 4, 1, 0, 0, -1, 5], 'constant': [0, 0, -2, 1, 0, 0, 2, -3]}
    nodes, inits = [], [init('v', np.array(0.5, np.float32))]
    for m, p in pads.items():
        inits.append(init('p_' + m, np.array(p, np.int64)))
        ins = ['x', 'p_' + m] + (['v'] if m == 'constant' else [])
        nodes.append(helper.make_node('Pad', ins, ['y_' + m], name='pad_' + m, mode=m))
    return Case(build(nodes, [vi('x', [1, 2, 5, 6])], [vi('y_' + m, None) for m in pads],
                      inits, opset=19), [('x', x)])


@case('pad_op18', 'ops', 'Pad opset 18 with the axes input (pads only H '
      'and W)')
def _(rng):
    x = randn(rng, 1, 2, 4, 5)
    n = helper.make_node('Pad', ['x', 'p', 'v', 'ax'], ['y'], name='pad_axes')
    return Case(build([n], [vi('x', [1, 2, 4, 5])], [vi('y', None)],
                      [init('p', np.array([1, 2, 1, 0], np.int64)),
                       init('v', np.array(-1.0, np.float32)),
                       init('ax', np.array([2, 3], np.int64))], opset=18),
                [('x', x)])


def _softmax(rng, opset):
    x = randn(rng, 2, 3, 4)
    n1 = helper.make_node('Softmax', ['x'], ['y1'], name='sm_axis1', axis=1)
    n2 = helper.make_node('Softmax', ['x'], ['y2'], name='sm_default')
    return Case(build([n1, n2], [vi('x', [2, 3, 4])], [vi('y1', None), vi('y2', None)],
                      opset=opset), [('x', x)])


@case('softmax_op11', 'ops', 'Softmax opset 11: axis 1 on [2,3,4] '
      'flattens to [2,12]; default axis 1')
def _(rng):
    return _softmax(rng, 11)


@case('softmax_op13', 'ops', 'Softmax opset 13: axis 1 on [2,3,4] is one '
      'axis; default axis -1')
def _(rng):
    return _softmax(rng, 13)


@case('identity_constant_op13', 'ops', 'Constant (value tensor, '
      'value_floats, value_int), Identity, Dropout at inference')
def _(rng):
    nodes = [helper.make_node('Constant', [], ['c'], name='c_tensor',
                              value=numpy_helper.from_array(randn(rng, 1, 3, 1, 1))),
             helper.make_node('Constant', [], ['cf'], name='c_floats',
                              value_floats=[0.5, -2.0, 3.25]),
             helper.make_node('Constant', [], ['ci'], name='c_int', value_int=7),
             helper.make_node('Add', ['x', 'c'], ['t0'], name='add'),
             helper.make_node('Identity', ['t0'], ['t1'], name='identity'),
             helper.make_node('Dropout', ['t1'], ['t2'], name='dropout'),
             helper.make_node('Mul', ['t2', 'cf'], ['y'], name='mul'),
             helper.make_node('Cast', ['ci'], ['yi'], name='cast', to=TP.FLOAT)]
    return Case(build(nodes, [vi('x', [1, 3, 2, 3])], [vi('y', None), vi('yi', None)]),
                [('x', randn(rng, 1, 3, 2, 3))])


@case('resize_nearest_op11', 'ops', 'Resize nearest opset 11: scales '
      '[1,1,2,2] with an empty roi, asymmetric/floor; and sizes (empty scales) '
      'with half_pixel/round_prefer_floor')
def _(rng):
    x = randn(rng, 1, 2, 3, 4)
    n1 = helper.make_node('Resize', ['x', 'roi', 'sc'], ['y1'], name='up2',
                          mode='nearest', coordinate_transformation_mode='asymmetric',
                          nearest_mode='floor')
    n2 = helper.make_node('Resize', ['x', 'roi', 'sc0', 'sz'], ['y2'], name='to_5x7',
                          mode='nearest')
    return Case(build([n1, n2], [vi('x', [1, 2, 3, 4])], [vi('y1', None), vi('y2', None)],
                      [init('roi', np.zeros(0, np.float32)),
                       init('sc', np.array([1, 1, 2, 2], np.float32)),
                       init('sc0', np.zeros(0, np.float32)),
                       init('sz', np.array([1, 2, 5, 7], np.int64))], opset=11),
                [('x', x)])


@case('resize_nearest_op13', 'ops', 'Resize nearest opset 13 (roi omitted '
      'as ""), scales [1,1,2,3], asymmetric/floor')
def _(rng):
    n = helper.make_node('Resize', ['x', '', 'sc'], ['y'], name='up',
                         mode='nearest', coordinate_transformation_mode='asymmetric',
                         nearest_mode='floor')
    return Case(build([n], [vi('x', [1, 2, 3, 4])], [vi('y', None)],
                      [init('sc', np.array([1, 1, 2, 3], np.float32))]),
                [('x', randn(rng, 1, 2, 3, 4))])


@case('resize_nearest_modes_op13', 'ops', 'Resize nearest opset 13, '
      'non-integer scales and sizes, up and down, in every '
      'coordinate_transformation_mode and nearest_mode but tf_crop_and_resize')
def _(rng):
    x = randn(rng, 1, 2, 7, 9)
    combos = [('half_pixel', 'round_prefer_floor', [1, 1, 1.5, 0.5], None),
              ('half_pixel', 'round_prefer_ceil', None, [1, 2, 4, 13]),
              ('asymmetric', 'floor', [1, 1, 0.625, 1.75], None),
              ('asymmetric', 'ceil', None, [1, 2, 11, 5]),
              ('pytorch_half_pixel', 'round_prefer_floor', None, [1, 2, 1, 14]),
              ('pytorch_half_pixel', 'floor', [1, 1, 2.5, 0.75], None),
              ('tf_half_pixel_for_nn', 'round_prefer_ceil', [1, 1, 0.75, 1.25], None),
              ('tf_half_pixel_for_nn', 'ceil', None, [1, 2, 3, 20]),
              ('align_corners', 'round_prefer_floor', None, [1, 2, 10, 4]),
              ('align_corners', 'ceil', [1, 1, 1.25, 2.0], None)]
    nodes, inits, outs = [], [init('roi', np.zeros(0, np.float32)),
                              init('none', np.zeros(0, np.float32))], []
    for i, (ct, nm, sc, sz) in enumerate(combos):
        if sc is not None:
            inits.append(init('sc%d' % i, np.array(sc, np.float32)))
            ins = ['x', 'roi', 'sc%d' % i]
        else:
            inits.append(init('sz%d' % i, np.array(sz, np.int64)))
            ins = ['x', 'roi', 'none', 'sz%d' % i]
        nodes.append(helper.make_node('Resize', ins, ['y%d' % i], name='%s_%s' % (ct, nm),
                                      mode='nearest', coordinate_transformation_mode=ct,
                                      nearest_mode=nm))
        outs.append(vi('y%d' % i, None))
    return Case(build(nodes, [vi('x', [1, 2, 7, 9])], outs, inits), [('x', x)])


@case('resize_nearest_axes_op19', 'ops', 'Resize nearest opset 19: '
      'half_pixel_symmetric, the axes attribute with scales and with sizes '
      '(H and W in reverse order)')
def _(rng):
    x = randn(rng, 1, 3, 6, 5)
    n1 = helper.make_node('Resize', ['x', '', 'sc'], ['y1'], name='symmetric',
                          mode='nearest', coordinate_transformation_mode='half_pixel_symmetric',
                          nearest_mode='floor', axes=[2, 3])
    n2 = helper.make_node('Resize', ['x', '', '', 'sz'], ['y2'], name='axes_sizes',
                          mode='nearest', axes=[3, -2])
    return Case(build([n1, n2], [vi('x', [1, 3, 6, 5])], [vi('y1', None), vi('y2', None)],
                      [init('sc', np.array([1.5, 0.75], np.float32)),
                       init('sz', np.array([8, 4], np.int64))], opset=19), [('x', x)])


@case('resize_nearest_op10', 'ops', 'Resize opset 10 (scales input 1, '
      'no nearest_mode: truncation up, ceil down) and Upsample opset 9')
def _(rng):
    x = randn(rng, 1, 2, 6, 7)
    n1 = helper.make_node('Resize', ['x', 'sc1'], ['y1'], name='resize10', mode='nearest')
    n2 = helper.make_node('Resize', ['x', 'sc2'], ['y2'], name='resize10_down', mode='nearest')
    return Case(build([n1, n2], [vi('x', [1, 2, 6, 7])], [vi('y1', None), vi('y2', None)],
                      [init('sc1', np.array([1, 1, 1.5, 2.5], np.float32)),
                       init('sc2', np.array([1, 1, 0.5, 0.75], np.float32))], opset=10),
                [('x', x)])


@case('upsample_op9', 'ops', 'Upsample opset 9, nearest, scales [1,1,2,1.5]')
def _(rng):
    n = helper.make_node('Upsample', ['x', 'sc'], ['y'], name='upsample', mode='nearest')
    return Case(build([n], [vi('x', [1, 2, 3, 4])], [vi('y', None)],
                      [init('sc', np.array([1, 1, 2, 1.5], np.float32))], opset=9),
                [('x', randn(rng, 1, 2, 3, 4))])


@case('resize_nearest_tie_op13', 'ops', 'Resize nearest opset 13, sizes '
      '15 -> 8 rows, asymmetric/round_prefer_ceil: output 4 maps to 7.5 '
      'exactly, a tie that float arithmetic decides (refused by bnnc)')
def _(rng):
    n = helper.make_node('Resize', ['x', '', '', 'sz'], ['y'], name='tie',
                         mode='nearest', coordinate_transformation_mode='asymmetric',
                         nearest_mode='round_prefer_ceil')
    return Case(build([n], [vi('x', [1, 1, 15, 6])], [vi('y', None)],
                      [init('sz', np.array([1, 1, 8, 6], np.int64))]),
                [('x', randn(rng, 1, 1, 15, 6))])


@case('resize_tf_crop_op13', 'ops', 'Resize nearest opset 13 with '
      'tf_crop_and_resize (refused by bnnc)')
def _(rng):
    n = helper.make_node('Resize', ['x', 'roi', 'sc'], ['y'], name='crop_resize',
                         mode='nearest', coordinate_transformation_mode='tf_crop_and_resize')
    return Case(build([n], [vi('x', [1, 1, 6, 6])], [vi('y', None)],
                      [init('roi', np.array([0, 0, 0.2, 0.1, 1, 1, 0.9, 0.8], np.float32)),
                       init('sc', np.array([1, 1, 2, 2], np.float32))]),
                [('x', randn(rng, 1, 1, 6, 6))])


@case('argmax_op13', 'ops', 'ArgMax axis 1 keepdims 0; ArgMax axis -1 keepdims '
      '1 select_last_index 1; ArgMin; on rows with ties (int64 outputs)')
def _(rng):
    x = np.round(randn(rng, 3, 10) * 1.5).astype(np.float32)   # ties
    nodes = [helper.make_node('ArgMax', ['x'], ['a1'], name='argmax', axis=1, keepdims=0),
             helper.make_node('ArgMax', ['x'], ['a2'], name='argmax_last', axis=-1,
                              keepdims=1, select_last_index=1),
             helper.make_node('ArgMin', ['x'], ['a3'], name='argmin', axis=1)]
    return Case(build(nodes, [vi('x', [3, 10])],
                      [vi('a1', None, TP.INT64), vi('a2', None, TP.INT64),
                       vi('a3', None, TP.INT64)]), [('x', x)])


@case('argmax_nchw_op13', 'ops', 'ArgMax over the channels of a conv output '
      '(per-pixel class, keepdims 1) and over H (keepdims 0, select_last_index)')
def _(rng):
    x = randn(rng, 2, 3, 5, 6)
    w = randn(rng, 4, 3, 3, 3, scale=0.3)
    nodes = [helper.make_node('Conv', ['x', 'w'], ['c'], name='conv', pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3]),
             helper.make_node('ArgMax', ['c'], ['cls'], name='argmax_c', axis=1),
             helper.make_node('ArgMax', ['x'], ['row'], name='argmax_h', axis=-2,
                              keepdims=0, select_last_index=1)]
    return Case(build(nodes, [vi('x', [2, 3, 5, 6])],
                      [vi('cls', None, TP.INT64), vi('row', None, TP.INT64)],
                      [init('w', w)]), [('x', x)])


@case('topk_indices_op11', 'ops', 'TopK opset 11, only the int64 indices are '
      'graph outputs: k 3 along the last axis with ties, and the 2 smallest '
      'along the channels of a 4-D tensor')
def _(rng):
    x = np.round(randn(rng, 2, 4, 3, 5) * 1.5).astype(np.float32)
    nodes = [helper.make_node('TopK', ['x', 'k3'], ['v1', 'i1'], name='top3'),
             helper.make_node('TopK', ['x', 'k2'], ['v2', 'i2'], name='bottom2', axis=1,
                              largest=0)]
    return Case(build(nodes, [vi('x', [2, 4, 3, 5])],
                      [vi('i1', None, TP.INT64), vi('i2', None, TP.INT64)],
                      [init('k3', np.array([3], np.int64)), init('k2', np.array([2], np.int64))],
                      opset=11), [('x', x)])


@case('topk_values_op13', 'ops', 'TopK values only: the 2 largest along the '
      'channels through a Relu, and the 3 smallest of a row')
def _(rng):
    x = randn(rng, 1, 6, 3, 4)
    nodes = [helper.make_node('TopK', ['x', 'k2'], ['v1', 'i1'], name='top2', axis=1),
             helper.make_node('Relu', ['v1'], ['r1'], name='relu'),
             helper.make_node('Flatten', ['x'], ['f'], name='flat'),
             helper.make_node('TopK', ['f', 'k3'], ['v2', 'i2'], name='bottom3', largest=0)]
    return Case(build(nodes, [vi('x', [1, 6, 3, 4])], [vi('r1', None), vi('v2', None)],
                      [init('k2', np.array([2], np.int64)), init('k3', np.array([3], np.int64))]),
                [('x', x)])


@case('topk_unsorted_op13', 'ops', 'TopK sorted=0, whose order onnxruntime '
      'leaves unsorted (refused by bnnc)')
def _(rng):
    n = helper.make_node('TopK', ['x', 'k'], ['v', 'i'], name='unsorted', sorted=0)
    return Case(build([n], [vi('x', [2, 12])], [vi('v', None)],
                      [init('k', np.array([4], np.int64))]), [('x', randn(rng, 2, 12))])


@case('argmax_used_op13', 'ops', 'ArgMax whose int64 indices feed another node '
      '(refused by bnnc: indices only as a graph output)')
def _(rng):
    nodes = [helper.make_node('ArgMax', ['x'], ['a'], name='argmax', axis=1),
             helper.make_node('Cast', ['a'], ['af'], name='to_float', to=TP.FLOAT),
             helper.make_node('Add', ['af', 'one'], ['y'], name='plus_one')]
    return Case(build(nodes, [vi('x', [2, 5])], [vi('y', None)],
                      [init('one', np.array(1.0, np.float32))]), [('x', randn(rng, 2, 5))])


@case('argmax_topk_op13', 'ops', 'ArgMax (keepdims 0; and keepdims 1 with '
      'select_last_index on ties), TopK k=3 (values and int64 indices)')
def _(rng):
    x = np.round(randn(rng, 2, 10) * 2).astype(np.float32)   # ties
    nodes = [helper.make_node('ArgMax', ['x'], ['a1'], name='argmax', axis=1,
                              keepdims=0),
             helper.make_node('ArgMax', ['x'], ['a2'], name='argmax_last', axis=-1,
                              keepdims=1, select_last_index=1),
             helper.make_node('TopK', ['x', 'k'], ['v', 'i'], name='topk', axis=1)]
    return Case(build(nodes, [vi('x', [2, 10])],
                      [vi('a1', None, TP.INT64), vi('a2', None, TP.INT64),
                       vi('v', None), vi('i', None, TP.INT64)],
                      [init('k', np.array([3], np.int64))]), [('x', x)])


def _shape_graph(rng, opset):
    x = randn(rng, 2, 3, 4, 4)
    if opset >= 13:
        unsq = helper.make_node('Unsqueeze', ['n', 'ax0'], ['n1'], name='unsqueeze')
        extra = [init('ax0', np.array([0], np.int64))]
    else:
        unsq = helper.make_node('Unsqueeze', ['n'], ['n1'], name='unsqueeze', axes=[0])
        extra = []
    nodes = [helper.make_node('Shape', ['x'], ['s'], name='shape'),
             helper.make_node('Gather', ['s', 'i0'], ['n'], name='gather', axis=0),
             unsq,
             helper.make_node('Concat', ['n1', 'm1'], ['shp'], name='concat', axis=0),
             helper.make_node('Reshape', ['x', 'shp'], ['y'], name='reshape')]
    return Case(build(nodes, [vi('x', ['N', 3, 4, 4])], [vi('y', None)],
                      [init('i0', np.array(0, np.int64)),
                       init('m1', np.array([-1], np.int64))] + extra,
                      opset=opset), [('x', x)])


@case('shape_subgraph_op13', 'ops', 'PyTorch-style flatten: Shape -> Gather '
      '-> Unsqueeze (axes input) -> Concat [-1] -> Reshape, dynamic batch N')
def _(rng):
    return _shape_graph(rng, 13)


@case('shape_subgraph_op11', 'ops', 'the same with Unsqueeze axes as an '
      'attribute (opset 11)')
def _(rng):
    return _shape_graph(rng, 11)


@case('sign_zeros_op13', 'ops', 'Sign on inputs with exact zeros and -0.0 '
      '(ONNX Sign(0) = 0), then Mul with +-1 weights')
def _(rng):
    x = randn(rng, 1, 16)
    x[0, ::4] = 0.0
    x[0, 1] = -0.0
    nodes = [helper.make_node('Sign', ['x'], ['s'], name='sign'),
             helper.make_node('MatMul', ['s', 'w'], ['y'], name='mm')]
    w = np.where(randn(rng, 16, 4) >= 0, 1.0, -1.0).astype(np.float32)
    return Case(build(nodes, [vi('x', [1, 16])], [vi('s', None), vi('y', None)],
                      [init('w', w)]), [('x', x)],
                notes='5 of 16 inputs are exact zeros (one of them -0.0): ONNX '
                      'Sign gives 0 there, a +-1 bit cannot.')


@case('sign_op9', 'ops', 'Sign at opset 9 (the first version), exact zeros '
      'in the input')
def _(rng):
    x = np.round(randn(rng, 2, 3, 4)).astype(np.float32)
    n = helper.make_node('Sign', ['x'], ['y'], name='sign')
    return Case(build([n], [vi('x', [2, 3, 4])], [vi('y', None)], opset=9),
                [('x', x)])


@case('external_data_op13', 'ops', 'Conv whose weights and bias are stored '
      'in an external file (data_location EXTERNAL, weights.bin)')
def _(rng):
    import tempfile, os
    n = helper.make_node('Conv', ['x', 'w', 'b'], ['y'], name='conv',
                         pads=[1, 1, 1, 1])
    m = build([n], [vi('x', [1, 3, 6, 6])], [vi('y', None)],
              [init('w', randn(rng, 4, 3, 3, 3)), init('b', randn(rng, 4))])
    with tempfile.TemporaryDirectory() as d:
        onnx.save(m, os.path.join(d, 'model.onnx'), save_as_external_data=True,
                  all_tensors_to_one_file=True, location='weights.bin',
                  size_threshold=0)
        with open(os.path.join(d, 'model.onnx'), 'rb') as f:
            model = f.read()
        with open(os.path.join(d, 'weights.bin'), 'rb') as f:
            weights = f.read()
    return Case(model, [('x', randn(rng, 1, 3, 6, 6))],
                external={'weights.bin': weights})


@case('current_opset', 'ops', 'Conv, BatchNormalization, Relu, MaxPool, '
      'GlobalAveragePool, Flatten, Gemm, Softmax at the newest opset '
      'onnxruntime runs (%d)' % ORT_MAX_OPSET)
def _(rng):
    x = randn(rng, 1, 3, 8, 8)
    nodes = [helper.make_node('Conv', ['x', 'w'], ['c'], name='conv', pads=[1, 1, 1, 1]),
             helper.make_node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['n'],
                              name='bn'),
             helper.make_node('Relu', ['n'], ['r'], name='relu'),
             helper.make_node('MaxPool', ['r'], ['p'], name='pool',
                              kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node('GlobalAveragePool', ['p'], ['g'], name='gap'),
             helper.make_node('Flatten', ['g'], ['f'], name='flatten'),
             helper.make_node('Gemm', ['f', 'fw', 'fb'], ['l'], name='fc', transB=1),
             helper.make_node('Softmax', ['l'], ['y'], name='softmax')]
    return Case(build(nodes, [vi('x', ['batch', 3, 8, 8])], [vi('y', None)],
                      [init('w', randn(rng, 8, 3, 3, 3, scale=0.3)),
                       init('s', randn(rng, 8)), init('b', randn(rng, 8)),
                       init('m', randn(rng, 8)), init('v', np.abs(randn(rng, 8)) + 0.1),
                       init('fw', randn(rng, 5, 8)), init('fb', randn(rng, 5))],
                      opset=ORT_MAX_OPSET), [('x', x)])
