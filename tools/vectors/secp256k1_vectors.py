#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/secp256k1.json from eth-keys' pure-Python backend (RFC 6979 nonces,
low-s signatures) and its Jacobian point arithmetic (for ECDH x coordinates): independent of libsecp256k1.
Usage: tools/.venv/bin/python tools/vectors/secp256k1_vectors.py Tests/PrimitivesTests/Vectors/secp256k1.json"""
import json, sys
from eth_keys import keys
from eth_keys.backends.native import ecdsa
from eth_utils import keccak

N = ecdsa.N
assert keys.PrivateKey(b"\x01" * 32).backend.__class__.__name__ == "NativeECCBackend"

secrets = [keccak(text="gfl key %d" % i) for i in range(8)] + [
    (1).to_bytes(32, "big"), (N - 1).to_bytes(32, "big"), (N // 2).to_bytes(32, "big")]
digests = [keccak(b""), keccak(text="gfl digest"), bytes(32), b"\xff" * 32,
           (N).to_bytes(32, "big"), keccak(text="x")]

out_keys = []
for sk in secrets:
    k = keys.PrivateKey(sk)
    pub = k.public_key
    sigs = []
    for d in digests:
        s = k.sign_msg_hash(d)
        assert s.s <= N // 2
        sigs.append({"digest": d.hex(), "r": "%064x" % s.r, "s": "%064x" % s.s, "v": s.v})
    out_keys.append({"secret": sk.hex(), "public": pub.to_bytes().hex(),
                     "compressed": pub.to_compressed_bytes().hex(),
                     "address": pub.to_checksum_address(), "signatures": sigs})

ecdh = []
for i in range(0, len(secrets) - 1):
    a, b = secrets[i], secrets[i + 1]
    pub_b = keys.PrivateKey(b).public_key
    point = (int.from_bytes(pub_b.to_bytes()[:32], "big"), int.from_bytes(pub_b.to_bytes()[32:], "big"))
    shared = ecdsa.fast_multiply(point, int.from_bytes(a, "big"))
    ecdh.append({"secret": a.hex(), "public": pub_b.to_bytes().hex(), "x": "%064x" % shared[0]})

json.dump({"generator": "eth-keys %s native backend" % __import__("eth_keys").__version__ if hasattr(__import__("eth_keys"), "__version__") else "eth-keys native backend",
           "keys": out_keys, "ecdh": ecdh}, open(sys.argv[1], "w"), indent=1)
