#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/uint256.json: expected results of every UInt256 operation, computed with
Python's unbounded integers (an independent reference) from the EVM definitions in the Yellow Paper (appendix H,
"Virtual Machine Specification") and EIP-145 (SHL, SHR, SAR).

Usage: tools/vectors/uint256_vectors.py Tests/PrimitivesTests/Vectors/uint256.json

Numbers are written as minimal 0x-hex strings. Every case is a list [inputs..., outputs...]; related operations
share a list (e.g. "shlShrSar" is [shift, value, shl, shr, sar]); operands are in the EVM's stack order.

Besides edge values and random values of every bit width, the division cases include operands constructed to
reach the rare branches of Knuth's algorithm D as the Swift code runs it (64-bit limbs, quotient limbs estimated
from the top three dividend limbs and top two divisor limbs): the "add back" correction and the branch where the
top two limbs of the partial remainder equal the divisor's. A simulation of that algorithm checks that each
constructed case really takes the branch.
"""
import json
import random
import sys

B = 1 << 64
M = 1 << 256
MASK = M - 1
rng = random.Random(0x6F1)  # fixed seed: the file is reproducible


def h(x):
    return hex(x)


def signed(x):
    return x - M if x >> 255 else x


def unsigned(x):
    return x & MASK


# ---- EVM reference definitions -------------------------------------------------------------------------------

def evm_div(a, b):
    return 0 if b == 0 else a // b


def evm_mod(a, b):
    return 0 if b == 0 else a % b


def evm_sdiv(a, b):
    # Yellow Paper: 0 if b = 0; -2^255 if a = -2^255 and b = -1; otherwise sgn(a / b) * floor(|a / b|).
    sa, sb = signed(a), signed(b)
    if sb == 0:
        return 0
    if sa == -(1 << 255) and sb == -1:
        return unsigned(-(1 << 255))
    q = abs(sa) // abs(sb)
    return unsigned(-q if (sa < 0) != (sb < 0) else q)


def evm_smod(a, b):
    # Yellow Paper: 0 if b = 0; otherwise sgn(a) * (|a| mod |b|).
    sa, sb = signed(a), signed(b)
    if sb == 0:
        return 0
    r = abs(sa) % abs(sb)
    return unsigned(-r if sa < 0 else r)


def evm_addmod(a, b, n):
    return 0 if n == 0 else (a + b) % n


def evm_mulmod(a, b, n):
    return 0 if n == 0 else (a * b) % n


def evm_exp(a, e):
    return pow(a, e, M)


def evm_signextend(b, x):
    # Yellow Paper: for b < 31, bit t = 256 - 8(b + 1) (counted from the most significant end) is copied into all
    # more significant bits; counted from the least significant end that is bit 8b + 7.
    if b >= 31:
        return x
    bit = 8 * b + 7
    if (x >> bit) & 1:
        return x | (MASK ^ ((1 << (bit + 1)) - 1))
    return x & ((1 << (bit + 1)) - 1)


def evm_byte(i, x):
    return (x >> (248 - 8 * i)) & 0xFF if i < 32 else 0


def evm_shl(shift, value):
    return (value << shift) & MASK if shift < 256 else 0


def evm_shr(shift, value):
    return value >> shift if shift < 256 else 0


def evm_sar(shift, value):
    # Python's >> on a negative int rounds toward minus infinity: exactly an arithmetic shift.
    return unsigned(signed(value) >> min(shift, 256))


# ---- Operand pools ------------------------------------------------------------------------------------------

EDGE = sorted(set([
    0, 1, 2, 3, 7, 10, 255, 256,
    (1 << 63) - 1, 1 << 63, B - 1, B, B + 1,
    (1 << 127), (1 << 128) - 1, 1 << 128, (1 << 128) + 1,
    (1 << 192) - 1, 1 << 192, (1 << 192) + 1,
    (1 << 255) - 1, 1 << 255, (1 << 255) + 1,
    M - 2, M - 1,
    10 ** 18, 10 ** 77,
    0xFFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF0000000000000000,
    0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF,
    0x8000000000000000000000000000000000000000000000000000000000000001,
]))


def rand_width(w):
    """A random value of exactly w bits (w >= 1)."""
    return rng.getrandbits(w - 1) | (1 << (w - 1)) if w > 1 else 1


def rand_value():
    """Random value; widths uniform over 1..256 so short and long operands are equally likely."""
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(EDGE)
    if kind < 0.2:
        return unsigned(-rand_width(rng.randint(1, 200)))  # small negative
    if kind < 0.3:
        # Limbs that are all ones or all zeros stress carries and borrows.
        return sum(rng.choice([0, B - 1, rng.getrandbits(64)]) << (64 * i) for i in range(4))
    return rand_width(rng.randint(1, 256))


ALL_WIDTHS = [rand_width(w) for w in range(1, 257)]


# The edges that are paired with each other in every binary operation (all of EDGE squared would be too many).
EDGE_CORE = [0, 1, 2, 1 << 63, B - 1, B, (1 << 128) - 1, (1 << 128) + 1, (1 << 255) - 1, 1 << 255, M - 1,
             0xFFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF0000000000000000]


def pairs(n_random, edges=EDGE_CORE):
    out = [(a, b) for a in edges for b in edges]
    out += [(rand_value(), rand_value()) for _ in range(n_random)]
    return out


# ---- Simulation of the Swift division, to prove constructed cases take the rare branches ---------------------

def limbs(x):
    out = []
    while x:
        out.append(x & (B - 1))
        x >>= 64
    return out


def simulate_knuth(x, d):
    """Counts of ('add back', 'equal top limbs') steps when the Swift code divides x by d (d >= 2^64).

    The Swift code also runs steps for the dividend's leading zero limbs; those find a zero quotient limb and
    can reach neither branch, so skipping them here changes no count."""
    stats = {"addback": 0, "equal": 0}
    if x < d:
        return stats
    dl = limbs(d)
    n = len(dl)
    s = 64 - dl[-1].bit_length()
    dn = d << s
    dnl = limbs(dn)
    m = len(limbs(x))
    u = limbs(x << s)
    u += [0] * (m + 1 - len(u))
    d1, d0 = dnl[-1], dnl[-2]
    for j in range(m - n, -1, -1):
        u2, u1, u0 = u[j + n], u[j + n - 1], u[j + n - 2]
        if (u2, u1) == (d1, d0):
            stats["equal"] += 1
            qhat = B - 1
        else:
            qhat = (u2 * B * B + u1 * B + u0) // (d1 * B + d0)
            assert qhat < B
        top = sum(u[j + i] << (64 * i) for i in range(n + 1))
        val = top - qhat * dn
        if val < 0:
            stats["addback"] += 1
            val += dn
        assert 0 <= val < dn
        for i in range(n + 1):
            u[j + i] = (val >> (64 * i)) & (B - 1)
    return stats


def construct(kind, n, total_limbs, low_limbs=True):
    """A dividend x (< 2^(64 * total_limbs)) and divisor d (n limbs) whose division reaches `kind` at some step.

    In normalized form the step sees u_top = R * 2^64 + u_j with R < d the previous remainder. For an add back,
    u_top = q * top2 * 2^(64(n-2)) (top2 = the divisor's top two limbs): the 3-by-2 estimate is then q, but
    q * d exceeds u_top by q * (the divisor's lower limbs). For the equal branch, R's top two limbs equal top2.
    """
    while True:
        s = rng.choice([0, 0, 1, 7, 31, 63, rng.randint(1, 63)])
        top = rng.getrandbits(63 - s) | (1 << (63 - s))
        d = (top << (64 * (n - 1))) | rng.getrandbits(64 * (n - 1))
        dn = d << s
        lower = dn % (1 << (64 * (n - 2)))
        top2 = dn >> (64 * (n - 2))
        if lower == 0:
            continue
        if kind == "addback":
            q = rng.choice([1, 2, rng.getrandbits(rng.randint(1, 64)) or 1])
            u_top = q * top2 << (64 * (n - 2))
            r, uj = u_top >> 64, u_top & (B - 1)
        else:
            r = (top2 << (64 * (n - 2))) + rng.randrange(lower)
            # MULMOD's dividend must be a * 2^t with a < 2^256, so it needs zero low limbs there.
            uj = rng.getrandbits(64) if low_limbs else 0
        j = rng.randint(0, total_limbs)
        qhigh = rng.choice([0, 0, rng.getrandbits(64 * rng.randint(1, 3))])
        low = rng.getrandbits(64 * j) if j and low_limbs and rng.random() < 0.5 else 0
        u = ((((qhigh * dn + r) << 64) + uj) << (64 * j)) + low
        if u % (1 << s):
            continue  # not the normalized form of an integer dividend
        x = u >> s
        if x >= 1 << (64 * total_limbs) or x < d:
            continue
        if simulate_knuth(x, d)[kind] > 0:
            return x, d


def knuth_cases():
    out = {"addback_div": [], "equal_div": [], "addback_mulmod": [], "equal_mulmod": []}
    for kind in ("addback", "equal"):
        for n in (3, 4):
            # With a 256-bit dividend and a four-limb divisor the only step sees a top limb below 2^63, so
            # the equal branch cannot happen there.
            for _ in range(0 if (kind, n) == ("equal", 4) else 12):
                x, d = construct(kind, n, 4)
                out[kind + "_div"].append([h(x), h(d), h(x // d), h(x % d)])
            for _ in range(12):
                # MULMOD reduces a 512-bit product; write the constructed dividend as a * 2^t with a < 2^256.
                while True:
                    x, d = construct(kind, n, 8, low_limbs=False)
                    t = min((x & -x).bit_length() - 1, 255)
                    if x >= M and x >> t < M:
                        a, b = x >> t, 1 << t
                        break
                out[kind + "_mulmod"].append([h(a), h(b), h(d), h(x % d)])
    return out


# ---- Cases --------------------------------------------------------------------------------------------------

def main(path):
    cases = {}
    cases["add"] = [[h(a), h(b), h((a + b) & MASK)] for a, b in pairs(150)]
    cases["sub"] = [[h(a), h(b), h((a - b) & MASK)] for a, b in pairs(150)]
    cases["mul"] = [[h(a), h(b), h((a * b) & MASK)] for a, b in pairs(200)]
    cases["mulFull"] = [[h(a), h(b), h((a * b) >> 256), h((a * b) & MASK)] for a, b in pairs(200)]

    # Division: edges, random widths, then divisor shapes that pick each path of the Swift code.
    div = pairs(300, EDGE)
    for _ in range(100):
        a = rand_value()
        div.append((a, rng.choice([1, 2, 3, 7, 10, 16, 255, 1000, 10 ** 9, (1 << 63) + 1, B - 1])))  # small
        div.append((rand_width(256), rand_width(rng.randint(193, 256))))             # divisor top limb set
        div.append((rand_width(256), rand_width(rng.randint(1, 64))))                # 256 / 64
        div.append((rand_width(256), rand_width(rng.randint(65, 128))))              # 256 / 128
        div.append((rand_width(256), rand_width(rng.randint(129, 192))))             # 256 / 192
        div.append((rand_width(rng.randint(65, 128)), rand_width(rng.randint(1, 128))))  # both in 128 bits
        div.append((rand_width(rng.randint(1, 64)), rand_width(rng.randint(1, 64))))     # both in 64 bits
        d = rand_width(rng.randint(1, 256))
        k = rand_width(rng.randint(1, 256 - d.bit_length() + 1))
        if k * d < M:
            div.append((k * d, d))                                              # exact
            div.append((k * d - 1, d))                                          # just below a multiple
    for w in ALL_WIDTHS[::3]:
        div.append((M - 1, w))
        div.append((w, w))
        div.append((w, w + 1 if w + 1 < M else 1))
    cases["divmod"] = [[h(a), h(b), h(evm_div(a, b)), h(evm_mod(a, b))] for a, b in div]

    signed_edges = [unsigned(v) for v in (-1, -2, -3, -(1 << 255), -(1 << 255) + 1, -(1 << 64), -(1 << 128))]
    signed_pairs = pairs(200, signed_edges + [0, 1, 2, 3, 1 << 64, (1 << 255) - 1, (1 << 255) - 2])
    cases["sdivSmod"] = [[h(a), h(b), h(evm_sdiv(a, b)), h(evm_smod(a, b))] for a, b in signed_pairs]
    cases["sltSgt"] = [[h(a), h(b), h(int(signed(a) < signed(b))), h(int(signed(a) > signed(b)))]
                       for a, b in signed_pairs]
    cases["lt"] = [[h(a), h(b), h(int(a < b))] for a, b in pairs(50)]

    triples = []
    modulus_edges = [0, 1, 2, 3, 10, B - 1, B, (1 << 128) - 1, 1 << 255, M - 1, M - 2]
    for n in modulus_edges:
        for a in (0, 1, n - 1 if n else 0, M - 1, 1 << 255, B):
            for b in (0, 1, M - 1, (1 << 255) + 1, n // 2 + 1):
                triples.append((a & MASK, b & MASK, n))
    for _ in range(200):
        triples.append((rand_value(), rand_value(), rand_value()))
    for _ in range(100):
        n = rand_width(rng.randint(1, 256))
        triples.append((rng.randrange(n), rng.randrange(n), n))                 # operands already reduced
        triples.append((M - 1 - rng.getrandbits(64), M - 1 - rng.getrandbits(64), n))  # sum carries
    cases["addmodMulmod"] = [[h(a), h(b), h(n), h(evm_addmod(a, b, n)), h(evm_mulmod(a, b, n))]
                             for a, b, n in triples]

    exps = []
    for base in EDGE_CORE + [unsigned(-1), unsigned(-2), 3, 5, 6, 10]:
        for e in (0, 1, 2, 3, 8, 63, 64, 65, 255, 256, 257, 1000, B - 1, M - 1, (1 << 255) + 3):
            exps.append((base, e))
    for e in range(0, 300, 7):
        exps.append((2, e))
    for _ in range(150):
        exps.append((rand_value(), rand_value()))
        exps.append((rand_value(), rng.getrandbits(rng.randint(1, 16))))
    cases["exp"] = [[h(a), h(e), h(evm_exp(a, e))] for a, e in exps]

    shift_amounts = [0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 191, 192, 193, 254, 255, 256, 257, 1000,
                     B, B + 1, 1 << 128, 1 << 255, M - 1] + [rng.randrange(256) for _ in range(20)]
    shift_values = [0, 1, M - 1, 1 << 255, (1 << 255) - 1, unsigned(-2), rand_width(256), rand_width(130),
                    unsigned(-rand_width(100)), rand_width(64)]
    shifts = [(s, v) for s in shift_amounts for v in shift_values]
    shifts += [(rng.randrange(300), rand_value()) for _ in range(200)]
    cases["shlShrSar"] = [[h(s), h(v), h(evm_shl(s, v)), h(evm_shr(s, v)), h(evm_sar(s, v))] for s, v in shifts]

    positions = list(range(0, 34)) + [B, B + 3, 1 << 255, M - 1]
    values = [0, M - 1, 1 << 255, 0x7F, 0x80, 0xFF, 0x8000, 0x7FFF, rand_width(256), unsigned(-5)]
    values += [rand_width(w) for w in (16, 65, 200, 255)]
    per_pos = [(i, v) for i in positions for v in values]
    per_pos += [(rng.randrange(40), rand_value()) for _ in range(150)]
    cases["signextendByte"] = [[h(i), h(v), h(evm_signextend(i, v)), h(evm_byte(i, v))] for i, v in per_pos]

    cases["andOrXor"] = [[h(a), h(b), h(a & b), h(a | b), h(a ^ b)] for a, b in pairs(60)]
    cases["not"] = [[h(a), h(MASK ^ a)] for a in EDGE + ALL_WIDTHS]

    # Text: every width's decimal and hex forms, and bytes widths for EXP gas.
    text = [[h(v), str(v), (v.bit_length() + 7) // 8] for v in EDGE + ALL_WIDTHS]

    out = {
        "generator": "tools/vectors/uint256_vectors.py (Python integers; Yellow Paper appendix H, EIP-145)",
        "format": "numbers are minimal 0x-hex; each case lists inputs then outputs in EVM stack order",
        "cases": cases,
        "knuth": knuth_cases(),
        "text": text,
    }
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    total = sum(len(v) for v in cases.values()) + sum(len(v) for v in out["knuth"].values())
    print(f"wrote {total} cases and {len(text)} text values to {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/PrimitivesTests/Vectors/uint256.json")
