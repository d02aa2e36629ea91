#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/rlp.json: random nested byte-string/list structures and integers encoded
by pyrlp (an independent RLP implementation), around every length boundary (55/56 bytes, 1/2/3-byte lengths).
Structures are described as JSON: a string is hex bytes, a list is a list.
Usage: tools/.venv/bin/python tools/vectors/rlp_vectors.py Tests/PrimitivesTests/Vectors/rlp.json"""
import json, random, sys
import rlp
from rlp.sedes import big_endian_int

rng = random.Random(20261121)


def blob(n):
    return bytes(rng.randrange(256) for _ in range(n))


def random_item(depth):
    if depth > 3 or rng.random() < 0.55:
        n = rng.choice([0, 1, 1, 2, 3, 20, 32, 54, 55, 56, 57, 100, 255, 256])
        b = blob(n)
        if n == 1 and rng.random() < 0.5:
            b = bytes([rng.choice([0, 0x7F, 0x80, 0xFF])])
        return b
    return [random_item(depth + 1) for _ in range(rng.choice([0, 1, 2, 3, 5, 9]))]


def describe(item):
    return item.hex() if isinstance(item, bytes) else [describe(x) for x in item]


structures = []
# Long-length forms with 2- and 3-byte lengths, then random structures.
fixed = [blob(1024), blob(70000), [blob(300)] * 250, [[blob(54)], [blob(55)], [blob(56)]]]
for i in range(120):
    item = fixed[i] if i < len(fixed) else random_item(0)
    structures.append({"item": describe(item), "rlp": rlp.encode(item).hex()})

ints = []
for bits in list(range(0, 257, 1)):
    for v in {(1 << bits) - 1, 1 << bits if bits < 256 else 0, rng.getrandbits(bits) if bits else 0}:
        ints.append({"value": "%x" % v, "rlp": rlp.encode(v, sedes=big_endian_int).hex()})

json.dump({"generator": "pyrlp %s" % rlp.__version__ if hasattr(rlp, "__version__") else "pyrlp",
           "structures": structures, "integers": ints}, open(sys.argv[1], "w"), indent=0)
