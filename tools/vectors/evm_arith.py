#!/usr/bin/env python3
"""Writes Tests/EVMTests/Vectors/arith.json: EVM arithmetic results computed with Python's integers, as
the Yellow Paper defines them, for random and edge-case operands. Run: python3 tools/vectors/evm_arith.py"""
import json, os, random

M = 1 << 256
def s(x): return x - M if x >> 255 else x
def u(x): return x % M

def op(name, a, b, c=0):
    if name == "mul": return u(a * b)
    if name == "div": return 0 if b == 0 else a // b
    if name == "mod": return 0 if b == 0 else a % b
    if name == "sdiv":
        if b == 0: return 0
        q = abs(s(a)) // abs(s(b))
        return u(-q if (s(a) < 0) != (s(b) < 0) else q)
    if name == "smod":
        if b == 0: return 0
        r = abs(s(a)) % abs(s(b))
        return u(-r if s(a) < 0 else r)
    if name == "addmod": return 0 if c == 0 else (a + b) % c
    if name == "mulmod": return 0 if c == 0 else (a * b) % c
    if name == "exp": return pow(a, b, M)
    if name == "shl": return 0 if a >= 256 else u(b << a)
    if name == "shr": return 0 if a >= 256 else b >> a
    if name == "sar": return u(s(b) >> min(a, 256))
    if name == "signextend":
        if a >= 31: return b
        bit = a * 8 + 7
        mask = (1 << (bit + 1)) - 1
        return u(b | (M - 1 - mask)) if (b >> bit) & 1 else b & mask
    if name == "byte": return 0 if a >= 32 else (b >> (8 * (31 - a))) & 0xff
    raise ValueError(name)

rng = random.Random(20241121)
edges = [0, 1, 2, 3, 255, 256, 2**63, 2**64 - 1, 2**64, 2**64 + 1, 2**128 - 1, 2**128, 2**192 + 7,
         2**255, 2**255 - 1, M - 1, M - 2]
def rand():
    k = rng.choice([8, 64, 65, 128, 129, 192, 200, 256])
    return rng.getrandbits(k)
cases = []
for name in ["mul", "div", "mod", "sdiv", "smod", "addmod", "mulmod", "exp", "shl", "shr", "sar", "signextend", "byte"]:
    pool = [(rng.choice(edges), rng.choice(edges), rng.choice(edges)) for _ in range(60)]
    pool += [(rand(), rand(), rand()) for _ in range(140)]
    if name in ("shl", "shr", "sar", "byte", "signextend"):
        pool = [(rng.choice([0, 1, 7, 31, 32, 63, 64, 100, 255, 256, 1000, M - 1]) if i % 2 else rng.randrange(260), b, c)
                for i, (a, b, c) in enumerate(pool)]
    if name in ("div", "mod", "sdiv", "smod"):
        # divisors that exercise the multi-limb path, including powers of two
        pool += [(rand(), rng.choice([2**k for k in (64, 100, 128, 200, 255)]), 0) for _ in range(20)]
        pool += [(rand() | (1 << 255), rng.getrandbits(130) | (1 << 129), 0) for _ in range(40)]
    for a, b, c in pool:
        cases.append({"op": name, "a": hex(a), "b": hex(b), "c": hex(c), "result": hex(op(name, a, b, c))})
path = os.path.join(os.path.dirname(__file__), "../../Tests/EVMTests/Vectors/arith.json")
json.dump(cases, open(path, "w"), indent=0)
print("wrote", len(cases), "cases to", os.path.normpath(path))
