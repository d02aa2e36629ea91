#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/abi.json: Solidity ABI vectors from eth_abi / eth_utils / web3 / Vyper,
independent implementations, for the Swift codec's tests.

  encode    (types, values, encoding) by eth_abi.encode: every int width at its limits, bytesN, bytes and
            strings of many lengths (unicode included), nested and fixed arrays of dynamic types, tuples,
            arrays of tuples, plus seeded random types and values.
  decode    (types, data, ok, values | error) from mutating those encodings (truncation, hostile words,
            random bytes) and hand-made hostile inputs; eth_abi's strict decoder decides which are valid,
            and the Swift decoder must agree, with the same values when valid.
  selectors / events / reverts / topics / contracts  from eth_utils, web3's log decoder and Vyper's JSON ABI.

Usage: tools/.venv/bin/python tools/vectors/abi_vectors.py Tests/PrimitivesTests/Vectors/abi.json
"""
import json, random, subprocess, sys, os, tempfile
import eth_abi
from eth_abi.grammar import normalize, parse as parse_type
from eth_abi.packed import encode_packed
from eth_utils import (keccak, to_checksum_address, function_abi_to_4byte_selector, event_abi_to_log_topic,
                       abi_to_signature)

rng = random.Random(20240521)

# ---------------------------------------------------------------- values <-> JSON

def jsonify(t, v):
    """A value as JSON for type t: ints as decimal strings, bytes as 0x hex, addresses checksummed."""
    if isinstance(t, str):
        t = parse_type(t)
    if t.is_array:
        return [jsonify(t.item_type, x) for x in v]
    if hasattr(t, "components"):
        return [jsonify(c, x) for c, x in zip(t.components, v)]
    base = t.base
    if base in ("uint", "int"):
        return str(v)
    if base == "address":
        return to_checksum_address(v)
    if base == "bool":
        return bool(v)
    if base == "bytes":
        return "0x" + bytes(v).hex()
    if base == "string":
        return v
    raise ValueError(t)

# ---------------------------------------------------------------- random types and values

ADDRS = ["0x0000000000000000000000000000000000000000", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
         "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]
WORDS = ["", "a", "hello", "héllo wörld ✓", "🚀 日本語 ünïcödé", "x" * 31, "y" * 32, "z" * 33, "long " * 30,
         "quote \" comma , bracket ] paren ) backslash \\"]

def random_type(depth=0):
    r = rng.random()
    if depth < 3 and r < 0.30:
        inner = random_type(depth + 1)
        return inner + ("[]" if rng.random() < 0.6 else "[%d]" % rng.randint(1, 3))
    if depth < 3 and r < 0.45:
        return "(" + ",".join(random_type(depth + 1) for _ in range(rng.randint(1, 3))) + ")"
    k = rng.choice(["uint", "int", "address", "bool", "bytesN", "bytes", "string"])
    if k in ("uint", "int"):
        return k + str(8 * rng.randint(1, 32))
    if k == "bytesN":
        return "bytes%d" % rng.randint(1, 32)
    return k

def random_value(t):
    if isinstance(t, str):
        t = parse_type(t)
    if t.is_array:
        dim = t.arrlist[-1]
        n = dim[0] if dim else rng.randint(0, 3)
        return [random_value(t.item_type) for _ in range(n)]
    if hasattr(t, "components"):
        return tuple(random_value(c) for c in t.components)
    base, sub = t.base, t.sub
    if base == "uint":
        return rng.choice([0, 1, 2 ** sub - 1, rng.randrange(2 ** sub)])
    if base == "int":
        lo, hi = -(2 ** (sub - 1)), 2 ** (sub - 1) - 1
        return rng.choice([0, -1, lo, hi, rng.randint(lo, hi)])
    if base == "address":
        return rng.choice(ADDRS)
    if base == "bool":
        return rng.random() < 0.5
    if base == "bytes":
        n = sub if sub else rng.choice([0, 1, 31, 32, 33, 65])
        return bytes(rng.randrange(256) for _ in range(n))
    if base == "string":
        return rng.choice(WORDS)
    raise ValueError(t)

# ---------------------------------------------------------------- encode cases

def encode_cases():
    cases = []
    def add(types, values):
        enc = eth_abi.encode(types, values)
        assert eth_abi.decode(types, enc) is not None
        cases.append({"types": types, "values": [jsonify(t, v) for t, v in zip(types, values)], "encoded": enc.hex()})
    for m in range(8, 257, 8):
        add(["uint%d" % m, "uint%d" % m, "uint%d" % m], [0, 1, 2 ** m - 1])
        add(["int%d" % m] * 5, [-(2 ** (m - 1)), 2 ** (m - 1) - 1, -1, 0, 1])
    add(["uint", "int"], [2 ** 256 - 1, -(2 ** 255)])
    for n in range(1, 33):
        add(["bytes%d" % n], [bytes(range(0xA0, 0xA0 + n))])
    add(["address", "address", "bool", "bool"], [ADDRS[0], ADDRS[1], True, False])
    for n in [0, 1, 31, 32, 33, 63, 64, 65, 100, 1000]:
        add(["bytes"], [bytes((i * 7 + n) & 0xFF for i in range(n))])
    for s in WORDS:
        add(["string"], [s])
    add(["uint256[]"], [[]])
    add(["uint256[]"], [[1, 2, 3]])
    add(["uint8[3]"], [[1, 2, 255]])
    add(["int8[]"], [[-128, 127, -1, 0]])
    add(["address[2]"], [[ADDRS[1], ADDRS[3]]])
    add(["string[]"], [["a", "", "héllo", "x" * 40]])
    add(["bytes[]"], [[b"", b"\x01", bytes(33)]])
    add(["string[2]"], [["first", "second"]])
    add(["bytes[3]", "uint256"], [[b"\xaa", b"", b"\xbb" * 40], 7])
    add(["uint256[][]"], [[[1, 2], [], [3]]])
    add(["uint256[][][]"], [[[[1], [2, 3]], [], [[4, 5, 6]]]])
    add(["uint256[2][]"], [[[1, 2], [3, 4], [5, 6]]])
    add(["uint256[][2]"], [[[1], [2, 3]]])
    add(["string[][]"], [[["a", "b"], [], ["c"]]])
    add(["string[][2]"], [[["a"], ["b", "c"]]])
    add(["bool[2][3]"], [[[True, False], [False, True], [True, True]]])
    add(["(uint256,string)"], [(1, "one")])
    add(["(uint256,(bool,bytes)[],string[2])"], [(5, [(True, b"\x01\x02"), (False, b"")], ["p", "q"])])
    add(["(address,uint256)[]"], [[(ADDRS[1], 10), (ADDRS[2], 20)]])
    add(["((uint8,bytes32)[2],string)"], [([(1, bytes(32)), (2, b"\x11" * 32)], "s")])
    add(["(uint256,uint256)", "(string,bytes)[]"], [(1, 2), [("a", b"b"), ("c", b"d")]])
    add(["(uint256[],string)[2]"], [[([1], "x"), ([], "y")]])
    add(["uint256", "string", "bytes", "address", "bool[]", "int256"],
        [42, "mixed", b"\xde\xad\xbe\xef", ADDRS[3], [True, False, True], -42])
    seen = set()
    while len(seen) < 160:
        n = rng.randint(1, 4)
        types = [random_type() for _ in range(n)]
        key = tuple(types)
        if key in seen:
            continue
        seen.add(key)
        add(types, [random_value(t) for t in types])
    return cases

# ---------------------------------------------------------------- decode (differential) cases

def eth_abi_verdict(types, data):
    try:
        values = eth_abi.decode(types, data)
        return {"ok": True, "values": [jsonify(t, v) for t, v in zip(types, values)]}
    except Exception as e:  # DecodingError subclasses, or UnicodeDecodeError for bad strings
        return {"ok": False, "error": type(e).__name__}

def word(n):
    return (n % 2 ** 256).to_bytes(32, "big")

def decode_cases(encode):
    out, seen = [], set()
    def add(types, data, why, require_reject=False):
        key = (tuple(types), data)
        if key in seen:
            return
        seen.add(key)
        v = eth_abi_verdict(types, data)
        if require_reject:
            assert not v["ok"], (why, types, data.hex())
        out.append(dict({"types": types, "data": data.hex(), "why": why}, **v))
    # Hand-made hostile inputs, each of which eth_abi must reject.
    bad = [
        (["uint8"], word(0x100), "uint8 with bit 8 set"),
        (["uint8"], b"\xff" + bytes(30) + b"\x01", "uint8 with the top byte set"),
        (["uint32"], word(2 ** 32), "uint32 just past its range"),
        (["int8"], word(0x80), "int8 0x80 not sign-extended"),
        (["int8"], b"\xff" * 31 + b"\x7f", "int8 with 0xff padding but a positive low byte"),
        (["int16"], word(-(2 ** 15) - 1), "int16 one below its minimum"),
        (["bool"], word(2), "bool 2"),
        (["bool"], word(2 ** 255 + 1), "bool with a high bit"),
        (["address"], b"\x01" + bytes(11) + b"\x22" * 20, "address with dirty padding"),
        (["bytes4"], b"\x01\x02\x03\x04\x05" + bytes(27), "bytes4 with a dirty right pad"),
        (["bytes"], word(32) + word(1) + b"\x01\x02" + bytes(30), "bytes with a dirty tail pad"),
        (["string"], word(32) + word(2) + b"\xff\xfe" + bytes(30), "string that is not UTF-8"),
        (["string"], word(32) + word(33) + b"a" * 32, "string shorter than its length"),
        (["bytes"], word(32) + word(2 ** 64) + bytes(32), "bytes with a huge length"),
        (["bytes"], word(32) + word(2 ** 256 - 1), "bytes with length 2^256-1"),
        (["bytes"], word(0), "bytes offset into the head"),
        (["bytes"], word(64) + word(0), "bytes offset past the end"),
        (["bytes"], word(2 ** 255) + word(0), "bytes offset 2^255"),
        (["bytes"], word(2 ** 256 - 32) + word(0), "bytes offset that wraps to -32"),
        (["uint256[]"], word(32) + word(2 ** 255), "array length 2^255"),
        (["uint256[]"], word(32) + word(2) + word(1), "array shorter than its length"),
        (["uint256[][]"], word(32) + word(1) + word(0), "inner offset into the array's head"),
        (["string[2]"], word(32) + word(64) + word(0) + word(0), "fixed array element offset into its head"),
        (["(uint256,string)"], word(32) + word(1) + word(32), "tuple member offset into the tuple's head"),
        (["uint256"], b"", "empty data"),
        (["uint256"], bytes(31), "31 bytes for a uint256"),
        (["uint256", "uint256"], bytes(32), "missing second argument"),
        (["string"], word(32), "string without its length"),
        (["address[]"], word(32) + word(1) + b"\x01" * 32, "dirty address in an array"),
    ]
    for types, data, why in bad:
        add(types, data, why, require_reject=True)
    # Hostile but valid in eth_abi: trailing bytes, non-canonical offsets, a shared tail.
    add(["uint256"], word(5) + b"\x01\x02", "trailing bytes are ignored")
    add(["string"], word(64) + word(0) + word(3) + b"abc" + bytes(29), "offset past a gap")
    add(["string", "string"], word(64) + word(64) + word(2) + b"hi" + bytes(30), "two offsets sharing one tail")
    add(["bytes"], word(33) + b"\x00" + word(1) + b"\x07" + bytes(31), "offset not a multiple of 32")
    # Mutations of the valid encodings.
    # Mutations of the (smaller) valid encodings: a few of each kind per case keeps the file small.
    for case in encode:
        types, enc = case["types"], bytes.fromhex(case["encoded"])
        n = len(enc)
        if n > 448:
            continue
        add(types, enc[:-1], "truncated by 1")
        add(types, enc[: (n // 64) * 32], "truncated to half")
        hostile = [b"\xff" * 32, word(2 ** 255), word(n), word(32), word(2 ** 64)]
        for _ in range(4):
            w = rng.randrange(n // 32)
            old = enc[32 * w: 32 * w + 32]
            value = rng.choice(hostile + [old[:31] + bytes([(old[31] + 1) & 0xFF]), bytes([old[0] ^ 0x80]) + old[1:]])
            if value != old:
                add(types, enc[: 32 * w] + value + enc[32 * w + 32:], "word %d replaced" % w)
        for _ in range(2):
            i = rng.randrange(n)
            mutated = enc[:i] + bytes([rng.randrange(256)]) + enc[i + 1:]
            if mutated != enc:
                add(types, mutated, "byte %d randomised" % i)
    return out

# ---------------------------------------------------------------- selectors, events, reverts, contracts

SIGNATURES = ["transfer(address,uint256)", "balanceOf(address)", "approve(address,uint256)", "totalSupply()",
              "f(uint256,uint32[],bytes10,bytes)", "g(uint256[][],string[])", "h((uint256,string)[],bool)",
              "baz(uint32,bool)", "sam(bytes,bool,uint256[])", "nested(((address,uint8)[2],bytes32)[])",
              "Transfer(address,address,uint256)", "Approval(address,address,uint256)",
              "Error(string)", "Panic(uint256)", "InsufficientBalance(uint256,uint256)"]

def selector_cases():
    return [{"signature": s, "selector": keccak(text=s)[:4].hex(), "topic": keccak(text=s).hex()} for s in SIGNATURES]

def inplace(t, v, top=True):
    """The in-place encoding of an indexed event field (the Solidity spec's rules), built by hand."""
    t = parse_type(t) if isinstance(t, str) else t
    if t.is_array:
        return b"".join(inplace(t.item_type, x, False) for x in v)
    if hasattr(t, "components"):
        return b"".join(inplace(c, x, False) for c, x in zip(t.components, v))
    if t.base in ("string", "bytes") and not t.sub:
        raw = v.encode() if t.base == "string" else v
        return raw if top else raw + bytes((32 - len(raw) % 32) % 32)
    return eth_abi.encode([t.to_type_str()], [v])

def topic_cases():
    cases = [("string", "hello"), ("bytes", b"\x01\x02\x03"), ("uint256[]", [1, 2, 3]), ("string[]", ["a", "bc"]),
             ("(uint256,string)", (7, "seven")), ("(bytes,uint8[2])[]", [(b"\xff", [1, 2]), (b"", [3, 4])]),
             ("uint8", 200), ("int16", -2), ("address", ADDRS[1]), ("bool", True), ("bytes3", b"abc")]
    out = []
    for t, v in cases:
        value_type = "[" not in t and "(" not in t and t not in ("string", "bytes")
        topic = eth_abi.encode([t], [v]) if value_type else keccak(inplace(t, v))
        # Cross-check the simple array/string cases against eth_abi's packed encoder.
        if t in ("string", "bytes", "uint256[]"):
            assert topic == keccak(encode_packed([t], [v]))
        out.append({"type": t, "value": jsonify(t, v), "topic": topic.hex()})
    return out

def event_cases():
    from web3 import Web3
    from web3._utils.events import get_event_data
    codec = Web3().codec
    events = [
        ({"name": "Transfer", "type": "event", "anonymous": False, "inputs": [
            {"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
            {"name": "value", "type": "uint256", "indexed": False}]},
         [ADDRS[1], ADDRS[3], 10 ** 18]),
        ({"name": "Mixed", "type": "event", "anonymous": False, "inputs": [
            {"name": "label", "type": "string", "indexed": True}, {"name": "payload", "type": "bytes", "indexed": False},
            {"name": "ids", "type": "uint256[]", "indexed": True}, {"name": "delta", "type": "int8", "indexed": True},
            {"name": "note", "type": "string", "indexed": False},
            {"name": "pair", "type": "tuple", "indexed": False,
             "components": [{"name": "a", "type": "uint256"}, {"name": "b", "type": "string"}]}]},
         ["round-1", b"\x01\x02\x03", [4, 5], -7, "ünïcode", (9, "nine")]),
        ({"name": "Anon", "type": "event", "anonymous": True, "inputs": [
            {"name": "who", "type": "address", "indexed": True}, {"name": "flag", "type": "bool", "indexed": True},
            {"name": "tag", "type": "bytes32", "indexed": False}]},
         [ADDRS[2], True, b"\x42" * 32]),
    ]
    out = []
    for abi, values in events:
        inputs = abi["inputs"]
        types = [abi_type(p) for p in inputs]
        topics = [] if abi["anonymous"] else [event_abi_to_log_topic(abi)]
        for p, t, v in zip(inputs, types, values):
            if p["indexed"]:
                simple = not parse_type(t).is_dynamic and "[" not in t and "(" not in t
                topics.append(eth_abi.encode([t], [v]) if simple else keccak(inplace(t, v)))
        data_types = [t for p, t in zip(inputs, types) if not p["indexed"]]
        data = eth_abi.encode(data_types, [v for p, v in zip(inputs, values) if not p["indexed"]])
        log = {"topics": topics, "data": data, "logIndex": 0, "transactionIndex": 0, "transactionHash": b"\x00" * 32,
               "address": ADDRS[1], "blockHash": b"\x00" * 32, "blockNumber": 1}
        decoded = get_event_data(codec, abi, log)["args"]
        fields = []
        for p, t, v in zip(inputs, types, values):
            got = decoded[p["name"]]
            if isinstance(got, dict):  # web3 returns named tuples as dicts
                got = tuple(got[c["name"]] for c in p["components"])
            if p["indexed"] and (parse_type(t).is_dynamic or "[" in t or "(" in t):
                fields.append({"name": p["name"], "hash": bytes(got).hex()})
            else:
                assert jsonify(t, got) == jsonify(t, v), (p, got, v)
                fields.append({"name": p["name"], "value": jsonify(t, got)})
        out.append({"abi": abi, "signature": abi_to_signature(abi), "topics": [t.hex() for t in topics],
                    "data": data.hex(), "values": [jsonify(t, v) for t, v in zip(types, values)], "fields": fields})
    return out

def abi_type(p):
    t = p["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in p["components"]) + ")" + t[len("tuple"):]
    return t

def revert_cases():
    out = []
    for msg in ["", "Ownable: caller is not the owner", "ünïcode ✓", "x" * 100]:
        out.append({"data": (keccak(text="Error(string)")[:4] + eth_abi.encode(["string"], [msg])).hex(), "message": msg})
    for code in [0x01, 0x11, 0x12, 0x32]:
        out.append({"data": (keccak(text="Panic(uint256)")[:4] + eth_abi.encode(["uint256"], [code])).hex(),
                    "panic": str(code)})
    sel = keccak(text="InsufficientBalance(uint256,uint256)")[:4]
    out.append({"data": (sel + eth_abi.encode(["uint256", "uint256"], [5, 9])).hex(),
                "custom": "InsufficientBalance", "values": ["5", "9"]})
    return out

VYPER_SOURCE = '''# pragma version ~=0.4.3
struct Point:
    x: int128
    y: uint256
    tag: String[32]

event Moved:
    who: indexed(address)
    p: Point
    note: String[64]

event Batch:
    points: DynArray[Point, 4]
    count: indexed(uint256)

owner: public(address)
points: public(HashMap[uint256, Point])

@deploy
def __init__(start: uint256, name: String[20]):
    self.owner = msg.sender

@external
def move(p: Point, steps: DynArray[uint8, 10]) -> (bool, Bytes[100]):
    log Moved(who=msg.sender, p=p, note="hi")
    return True, b""

@external
def grid(g: DynArray[Point[2], 3], scale: uint256 = 1) -> Point[2]:
    return g[0]

@external
@view
def total(a: int256, b: bytes32) -> int256:
    return a

@external
@payable
def __default__():
    pass
'''

HAND_ABI = [
    {"type": "function", "name": "transfer", "stateMutability": "nonpayable",
     "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"type": "function", "name": "transfer", "stateMutability": "nonpayable",
     "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}, {"name": "data", "type": "bytes"}],
     "outputs": []},
    {"type": "function", "name": "deep", "stateMutability": "pure",
     "inputs": [{"name": "x", "type": "tuple[][2]", "components": [
         {"name": "inner", "type": "tuple", "components": [{"name": "a", "type": "address"}, {"name": "b", "type": "uint8"}]},
         {"name": "blob", "type": "bytes"}]}],
     "outputs": [{"name": "", "type": "string[]"}]},
    {"type": "function", "name": "legacy", "constant": True, "inputs": [], "outputs": [{"name": "", "type": "uint"}]},
    {"type": "error", "name": "InsufficientBalance",
     "inputs": [{"name": "available", "type": "uint256"}, {"name": "required", "type": "uint256"}]},
    {"type": "error", "name": "Unauthorized", "inputs": []},
    {"type": "event", "name": "Transfer", "anonymous": False,
     "inputs": [{"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
                {"name": "value", "type": "uint256", "indexed": False}]},
    {"type": "constructor", "stateMutability": "payable", "inputs": [{"name": "supply", "type": "uint256"}]},
    {"type": "receive", "stateMutability": "payable"},
    {"type": "fallback", "stateMutability": "nonpayable"},
]

def contract_cases():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "Shapes.vy")
        open(path, "w").write(VYPER_SOURCE)
        vyper = os.path.join(os.path.dirname(sys.executable), "vyper")
        vyper_abi = json.loads(subprocess.check_output([vyper, "-f", "abi", path]))
    out = []
    for name, abi in [("vyper Shapes.vy", vyper_abi), ("hand-written", HAND_ABI)]:
        functions = [{"name": e["name"], "signature": abi_to_signature(e),
                      "selector": function_abi_to_4byte_selector(e).hex(),
                      "outputs": [normalize(abi_type(o)) for o in e.get("outputs", [])]}
                     for e in abi if e.get("type", "function") == "function"]
        events = [{"signature": abi_to_signature(e), "topic": event_abi_to_log_topic(e).hex()}
                  for e in abi if e["type"] == "event"]
        errors = [{"signature": abi_to_signature(e), "selector": keccak(text=abi_to_signature(e))[:4].hex()}
                  for e in abi if e["type"] == "error"]
        out.append({"name": name, "abi": abi, "functions": functions, "events": events, "errors": errors})
    return out

def call_cases():
    """Calldata for a few functions, from the selector and eth_abi's argument encoding."""
    out = []
    for sig, types, values in [("transfer(address,uint256)", ["address", "uint256"], [ADDRS[1], 10 ** 18]),
                               ("h((uint256,string)[],bool)", ["(uint256,string)[]", "bool"], [[(1, "a"), (2, "bc")], True]),
                               ("totalSupply()", [], [])]:
        data = keccak(text=sig)[:4] + eth_abi.encode(types, values)
        out.append({"signature": sig, "types": types, "values": [jsonify(t, v) for t, v in zip(types, values)],
                    "calldata": data.hex()})
    return out

def main():
    enc = encode_cases()
    doc = {
        "generator": "tools/vectors/abi_vectors.py with eth_abi %s, eth_utils, web3 get_event_data, vyper" % eth_abi.__version__,
        "encode": enc,
        "decode": decode_cases(enc),
        "selectors": selector_cases(),
        "topics": topic_cases(),
        "events": event_cases(),
        "reverts": revert_cases(),
        "contracts": contract_cases(),
        "calls": call_cases(),
    }
    with open(sys.argv[1], "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print("encode %d, decode %d (%d rejected)" % (len(doc["encode"]), len(doc["decode"]),
                                                  sum(1 for d in doc["decode"] if not d["ok"])))

if __name__ == "__main__":
    main()
