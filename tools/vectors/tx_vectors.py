#!/usr/bin/env python3
"""Writes Tests/ChainTests/Vectors/transactions.json: transactions of types 0 (with and without EIP-155), 1 and 2
signed by eth-account (RFC 6979, so signatures are deterministic), with the raw encoding, hash, signing hash and
sender. Independent of our RLP, Keccak and libsecp256k1 bindings.
Usage: tools/.venv/bin/python tools/vectors/tx_vectors.py Tests/ChainTests/Vectors/transactions.json"""
import json, sys
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from eth_account._utils.legacy_transactions import serializable_unsigned_transaction_from_dict
from eth_utils import keccak, to_checksum_address

keys = [keccak(text="gfl tx key %d" % i) for i in range(4)]
to = to_checksum_address("0x" + keccak(text="recipient")[:20].hex())
slot = "0x" + keccak(text="slot").hex()

cases = [
    {"nonce": 0, "gasPrice": 1, "gas": 21000, "to": to, "value": 1, "data": b""},
    {"nonce": 7, "gasPrice": 20 * 10**9, "gas": 90000, "to": to, "value": 10**18, "data": b"\x00\x01\xff" * 5, "chainId": 1},
    {"nonce": 1, "gasPrice": 10**9, "gas": 500000, "to": None, "value": 0, "data": bytes(range(100)), "chainId": 31337},
    {"nonce": 2**64 - 2, "gasPrice": 2**255, "gas": 2**63, "to": to, "value": 2**256 - 1, "data": b"", "chainId": 2**40 + 3},
    {"type": 1, "nonce": 3, "gasPrice": 5, "gas": 60000, "to": to, "value": 0, "data": b"\x12\x34", "chainId": 31337,
     "accessList": [{"address": to, "storageKeys": [slot, "0x" + "00" * 32]}, {"address": "0x" + "11" * 20, "storageKeys": []}]},
    {"type": 1, "nonce": 0, "gasPrice": 0, "gas": 53000, "to": None, "value": 0, "data": b"", "chainId": 1, "accessList": []},
    {"type": 2, "nonce": 9, "maxPriorityFeePerGas": 10**9, "maxFeePerGas": 3 * 10**9, "gas": 21000, "to": to, "value": 12345,
     "data": b"", "chainId": 31337, "accessList": []},
    {"type": 2, "nonce": 0, "maxPriorityFeePerGas": 0, "maxFeePerGas": 7, "gas": 1000000, "to": None, "value": 0,
     "data": b"\x60\x00" * 300, "chainId": 1, "accessList": [{"address": to, "storageKeys": [slot]}]},
]

out = []
for i, c in enumerate(cases):
    key = keys[i % len(keys)]
    tx = dict(c)
    tx["data"] = "0x" + c["data"].hex()
    if tx.get("to") is None:
        tx.pop("to")
    if "type" in tx:
        tx["type"] = hex(tx["type"])
        signing_hash = TypedTransaction.from_dict(tx).hash()
    else:
        signing_hash = serializable_unsigned_transaction_from_dict(tx).hash()
    signed = Account.sign_transaction(tx, key)
    raw = bytes(signed.raw_transaction)
    entry = {k: (v if not isinstance(v, int) or isinstance(v, bool) else str(v)) for k, v in c.items() if k != "data"}
    entry["data"] = c["data"].hex()
    entry["to"] = c["to"]
    entry["type"] = c.get("type", 0)
    entry["chainId"] = str(c["chainId"]) if "chainId" in c else None
    entry.update({"key": key.hex(), "sender": Account.from_key(key).address, "raw": raw.hex(),
                  "hash": keccak(raw).hex(), "signingHash": bytes(signing_hash).hex(),
                  "v": str(signed.v), "r": hex(signed.r), "s": hex(signed.s)})
    assert bytes(signed.hash) == keccak(raw)
    out.append(entry)

json.dump({"generator": "eth-account Account.sign_transaction", "transactions": out}, open(sys.argv[1], "w"), indent=1)
