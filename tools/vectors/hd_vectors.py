#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/hd.json: BIP-39 seeds and BIP-32 / BIP-44 keys from eth-account's own
implementation (eth_account.hdaccount and Account.from_mnemonic), independent of libsecp256k1 and OpenSSL.
Usage: tools/.venv/bin/python tools/vectors/hd_vectors.py Tests/PrimitivesTests/Vectors/hd.json"""
import json, sys
from eth_account import Account
from eth_account.hdaccount import seed_from_mnemonic, key_from_seed
from eth_account.hdaccount.mnemonic import Mnemonic, Language
from eth_utils import keccak

Account.enable_unaudited_hdwallet_features()
TEST = "test test test test test test test test test test test junk"
m = Mnemonic(Language.ENGLISH)

# Mnemonics from fixed entropies of every allowed length (the phrase itself is a vector for entropy → words).
phrases = []
for n in (16, 20, 24, 28, 32):
    ent = keccak(text="gfl entropy %d" % n)[:n]
    phrases.append({"entropy": ent.hex(), "mnemonic": m.to_mnemonic(ent)})
phrases.append({"entropy": bytes(16).hex(), "mnemonic": m.to_mnemonic(bytes(16))})
phrases.append({"entropy": (b"\xff" * 32).hex(), "mnemonic": m.to_mnemonic(b"\xff" * 32)})

seeds = []
for mn, pw in [(TEST, ""), (TEST, "gfl"), (phrases[0]["mnemonic"], ""), (phrases[4]["mnemonic"], "Grüße ǅ"),
               (phrases[5]["mnemonic"], "TREZOR")]:
    seeds.append({"mnemonic": mn, "passphrase": pw, "seed": seed_from_mnemonic(mn, pw).hex()})

# Keys at mixed hardened / normal paths.
paths = ["m/44'/60'/0'/0/0", "m/0", "m/0'", "m/0/1/2/3", "m/44'/60'/1'/1/7", "m/2147483647'/1/2147483647",
         "m/44'/60'/0'/0/2147483647"]
derived = []
for s in seeds[:3]:
    seed = bytes.fromhex(s["seed"])
    for p in paths:
        derived.append({"seed": s["seed"], "path": p, "key": key_from_seed(seed, p).hex()})

accounts = []
for i in range(10):
    a = Account.from_mnemonic(TEST, account_path="m/44'/60'/0'/0/%d" % i)
    accounts.append({"index": i, "address": a.address, "key": a.key.hex()})
assert accounts[0]["address"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

invalid = []
words = TEST.split()
invalid.append({"mnemonic": " ".join(words[:-1] + ["test"]), "why": "checksum"})
invalid.append({"mnemonic": " ".join(words[:11]), "why": "wordCount"})
invalid.append({"mnemonic": " ".join(words[:-1] + ["junkk"]), "why": "unknownWord"})
invalid.append({"mnemonic": " ".join(["abandon"] * 12), "why": "checksum"})
for v in invalid:
    assert not m.is_mnemonic_valid(v["mnemonic"])

json.dump({"generator": "eth-account %s (hdaccount)" % __import__("eth_account").__version__ if hasattr(__import__("eth_account"), "__version__") else "eth-account hdaccount",
           "phrases": phrases, "seeds": seeds, "derived": derived, "devAccounts": {"mnemonic": TEST, "accounts": accounts},
           "invalid": invalid}, open(sys.argv[1], "w"), indent=1, ensure_ascii=False)
