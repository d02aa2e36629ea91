#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/keccak.json: Keccak-256 digests from pycryptodome (an independent
implementation) for inputs of byte i = (i * 7 + len) & 0xff, at lengths around the 136-byte rate."""
import json, sys
from Crypto.Hash import keccak

def data(n):
    return bytes((i * 7 + n) & 0xFF for i in range(n))

lengths = sorted(set(list(range(0, 20)) + [31, 32, 33, 63, 64, 65, 134, 135, 136, 137, 138, 271, 272, 273, 1000, 4096, 100_000]))
out = [{"length": n, "digest": keccak.new(digest_bits=256, data=data(n)).hexdigest()} for n in lengths]
json.dump({"generator": "pycryptodome Crypto.Hash.keccak", "input": "byte i = (i*7 + length) & 0xff", "vectors": out},
          open(sys.argv[1], "w"), indent=1)
