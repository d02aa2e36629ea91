#!/usr/bin/env python3
"""Writes Tests/ChainTests/Vectors/chain.json: receipts (consensus encoding), log blooms, block headers (RLP and
hash) of each fork's field set, and EIP-1559 base-fee steps, computed with pyrlp, eth-utils' keccak and the
formulas of the Yellow Paper / EIP-1559 written out here in Python integers.
Usage: tools/.venv/bin/python tools/vectors/chain_vectors.py Tests/ChainTests/Vectors/chain.json"""
import json, sys
import rlp
from eth_utils import keccak

def h(i, tag="h"):
    return keccak(text="%s %d" % (tag, i))

def bloom(logs):
    bits = 0
    for address, topics, _ in logs:
        for item in [address] + topics:
            d = keccak(item)
            for i in (0, 2, 4):
                bits |= 1 << (((d[i] << 8) | d[i + 1]) & 2047)
    return bits.to_bytes(256, "big")

def log_json(l):
    return {"address": l[0].hex(), "topics": [t.hex() for t in l[1]], "data": l[2].hex()}

receipts = []
log_sets = [
    [],
    [(h(1)[:20], [h(2)], b"")],
    [(h(3)[:20], [h(4), h(5), h(6), h(7)], bytes(range(70))), (h(8)[:20], [], b"\x01")],
    [(bytes(20), [bytes(32)], b"\x00" * 33)] * 3,
]
for i, logs in enumerate(log_sets):
    for tx_type in (0, 1, 2):
        status = (i + tx_type) % 2 == 0
        cumulative = [0, 21000, 2**40 + 7, 2**64 - 1][i]
        b = bloom(logs)
        body = rlp.encode([b"\x01" if status else b"", cumulative, b, [[a, t, d] for a, t, d in logs]])
        enc = body if tx_type == 0 else bytes([tx_type]) + body
        receipts.append({"type": tx_type, "status": status, "cumulativeGasUsed": str(cumulative),
                         "logs": [log_json(l) for l in logs], "bloom": b.hex(), "encoded": enc.hex(),
                         "logsHash": keccak(rlp.encode([[a, t, d] for a, t, d in logs])).hex()})

headers = []
for n, count in enumerate((15, 16, 17, 20, 20)):
    f = [h(n, "parent"), keccak(rlp.encode([])), h(n, "coinbase")[:20], h(n, "state"), h(n, "txs"), h(n, "receipts"),
         bloom(log_sets[2]) if n % 2 else bytes(256), [2**60, 0, 0, 0, 0][n], [1, 1000, 17034870, 19426587, 2**64 - 1][n],
         [5000, 30000000, 30000000, 36000000, 2**63][n], [0, 21000, 12345678, 0, 2**63][n],
         [1438269988, 1681338455, 1710338135, 1, 2**64 - 1][n], [b"", b"geth", b"\xff" * 32, b"x" * 7, b"\x00"][n],
         h(n, "mix"), [0x539, 0, 0, 0, 2**64 - 1][n].to_bytes(8, "big")]
    if count >= 16: f.append([0, 7, 10**9, 2**70, 2**256 - 1][n])
    if count >= 17: f.append(h(n, "withdrawals"))
    if count >= 18: f += [[0, 0, 0, 131072 * 6, 0][n], [0, 0, 0, 2**40, 2**64 - 1][n], h(n, "beacon")]
    enc = rlp.encode(f)
    names = ["parentHash", "ommersHash", "coinbase", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom",
             "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce",
             "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot"]
    fields = {}
    for name, v in zip(names, f):
        fields[name] = str(v) if isinstance(v, int) else v.hex()
    fields["nonce"] = str(int.from_bytes(f[14], "big"))
    headers.append({"fields": fields, "encoded": enc.hex(), "hash": keccak(enc).hex()})

def next_base_fee(base, used, limit):
    target = limit // 2
    if used == target:
        return base
    if used > target:
        return base + max(base * (used - target) // target // 8, 1)
    return max(base - base * (target - used) // target // 8, 0)

base_fees = []
for base, used, limit in [(10**9, 15000000, 30000000), (10**9, 30000000, 30000000), (10**9, 0, 30000000),
                          (7, 21000, 30000000), (1, 30000000, 30000000), (875000000, 21000, 30000000),
                          (2**200, 29999999, 30000000), (123456789, 15000001, 30000000), (100, 0, 1)]:
    base_fees.append({"baseFee": str(base), "gasUsed": str(used), "gasLimit": str(limit),
                      "next": str(next_base_fee(base, used, limit))})

json.dump({"generator": "pyrlp %s + eth-utils keccak + Python formulas" % rlp.__version__ if hasattr(rlp, "__version__") else "pyrlp + eth-utils",
           "receipts": receipts, "headers": headers, "baseFees": base_fees}, open(sys.argv[1], "w"), indent=1)
