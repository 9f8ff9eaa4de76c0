"""FlexBuffers test vectors written by the flatbuffers package's own
encoder, with the typed values that went in (tests/golden/tflite/
flexbuffers/): an independent reference for the C FlexBuffers reader."""

import json
import os
import struct

from flatbuffers import flexbuffers


def _f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def _vectors():
    """(name, bytes, expected typed value) triples."""
    out = []

    b = flexbuffers.Builder()
    with b.Map():
        b.Int('a', 1)
        b.Int('bb', -300)
        b.Int('ccc', 70000)
        b.Int('d', -5000000000)
        b.UInt('e', 200)
    out.append(('map_int_widths', b.Finish(), {'t': 'map', 'v': {
        'a': {'t': 'int', 'v': 1}, 'bb': {'t': 'int', 'v': -300},
        'ccc': {'t': 'int', 'v': 70000}, 'd': {'t': 'int', 'v': -5000000000},
        'e': {'t': 'uint', 'v': 200}}}))

    b = flexbuffers.Builder()
    with b.Map():
        b.Float('f64', 0.1)
        b.Bool('flag', True)
        b.Bool('no', False)
        b.String('name', 'LceBconv2d')
        b.IndirectInt('ind', -7)
        b.IndirectUInt('indu', 9)
        b.IndirectFloat('indf', 2.5)
        b.TypedVectorFromElements('ints', [3, -1, 400])
        b.FixedTypedVectorFromElements('xyz', [1.5, -2.0, 0.25])
        b.Blob('blob', bytes([0, 1, 2, 255]))
        b.Null('nothing')
        with b.Vector('mixed'):
            b.Int(5)
            b.String('s')
            b.Float(-0.5)
    out.append(('map_mixed', b.Finish(), {'t': 'map', 'v': {
        'f64': {'t': 'float', 'v': 0.1}, 'flag': {'t': 'bool', 'v': 1},
        'no': {'t': 'bool', 'v': 0}, 'name': {'t': 'string', 'v': 'LceBconv2d'},
        'ind': {'t': 'indirect int', 'v': -7}, 'indu': {'t': 'indirect uint', 'v': 9},
        'indf': {'t': 'indirect float', 'v': 2.5},
        'ints': {'t': 'int vector', 'v': [3, -1, 400]},
        'xyz': {'t': 'float vector of 3', 'v': [1.5, -2.0, 0.25]},
        'blob': {'t': 'blob', 'v': [0, 1, 2, 255]}, 'nothing': {'t': 'null'},
        'mixed': {'t': 'vector', 'v': [{'t': 'int', 'v': 5}, {'t': 'string', 'v': 's'},
                                       {'t': 'float', 'v': -0.5}]}}}))

    # LceBconv2d options as LCE writes them, with a value > 127 (2-byte values)
    keys = [('channels_in', 128), ('dilation_height_factor', 1),
            ('dilation_width_factor', 1), ('fused_activation_function', 0),
            ('pad_values', 1), ('padding', 0), ('stride_height', 2), ('stride_width', 2)]
    b = flexbuffers.Builder()
    with b.Map():
        for k, v in keys:
            b.Int(k, v)
    out.append(('lce_bconv2d_wide', b.Finish(),
                {'t': 'map', 'v': {k: {'t': 'int', 'v': v} for k, v in keys}}))

    b = flexbuffers.Builder()
    b.Int(-123456)
    out.append(('root_int', b.Finish(), {'t': 'int', 'v': -123456}))

    b = flexbuffers.Builder()
    b.TypedVectorFromElements([1.0, 2.0, -3.5])
    out.append(('root_float_vector', b.Finish(),
                {'t': 'float vector', 'v': [1.0, 2.0, -3.5]}))
    return out


def generate(root):
    d = os.path.join(root, 'flexbuffers')
    os.makedirs(d, exist_ok=True)
    expected = {}
    for name, data, value in _vectors():
        with open(os.path.join(d, name + '.flexbuf'), 'wb') as f:
            f.write(bytes(data))
        expected[name] = value
    with open(os.path.join(d, 'expected.json'), 'w') as f:
        json.dump({'generator': 'flatbuffers.flexbuffers.Builder (Python package)',
                   'values': expected}, f, indent=1, sort_keys=True)
        f.write('\n')
    return d
