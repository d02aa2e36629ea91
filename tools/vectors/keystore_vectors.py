#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/keystore.json: Web3 Secret Storage v3 files made by eth_account.Account.encrypt
(eth-keyfile), with the password and private key that must come back out.
Usage: tools/.venv/bin/python tools/vectors/keystore_vectors.py Tests/PrimitivesTests/Vectors/keystore.json"""
import json, sys
from eth_account import Account
from eth_utils import keccak

cases = [
    ("default scrypt (n=262144, r=8, p=1)", keccak(text="keystore 1"), "correct horse battery staple", None, None),
    ("pbkdf2 c=262144", keccak(text="keystore 2"), "hunter2", "pbkdf2", 262144),
    ("scrypt n=1024, unicode password", keccak(text="keystore 3"), "pässwörd ✓ 密码", "scrypt", 1024),
    ("pbkdf2 c=1000, empty password", keccak(text="keystore 4"), "", "pbkdf2", 1000),
]
out = []
for name, key, password, kdf, iterations in cases:
    encrypted = Account.encrypt(key, password, kdf=kdf, iterations=iterations)
    out.append({"name": name, "password": password, "priv": key.hex(),
                "address": Account.from_key(key).address, "json": encrypted})
json.dump({"generator": "eth_account.Account.encrypt", "vectors": out}, open(sys.argv[1], "w"), indent=1,
          ensure_ascii=False)
