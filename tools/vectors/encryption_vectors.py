#!/usr/bin/env python3
"""Writes Tests/ContentStoreTests/Vectors/encryption.json: HKDF-SHA256, AES-256-GCM, GFL envelope and GFL ECIES
outputs computed independently of the Swift code: pycryptodome (HKDF, AES-GCM, its own C code, not OpenSSL) and
eth_keys' pure-Python secp256k1 arithmetic (public keys and the ECDH point, not libsecp256k1).
The formats are the ones documented in Sources/Primitives/Crypto/Envelope.swift and ECIES.swift.
Inputs are generated from their length: byte i = (i * mul + length) & 0xff.
Usage: tools/.venv/bin/python tools/vectors/encryption_vectors.py Tests/ContentStoreTests/Vectors/encryption.json"""
import json, sys
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from eth_keys.backends.native.jacobian import fast_multiply
from eth_keys.backends.native.ecdsa import private_key_to_public_key


def data(n, mul=13):
    return bytes((i * mul + n) & 0xFF for i in range(n))


def hkdf(ikm, salt, info, length):
    # pycryptodome treats an empty salt as HashLen zeros, as RFC 5869 does.
    return HKDF(ikm, length, salt, SHA256, 1, context=info)


def gcm(key, nonce, aad, plaintext):
    c = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=16)
    c.update(aad)
    ct, tag = c.encrypt_and_digest(plaintext)
    return ct + tag


def compressed(pub64):
    x, y = pub64[:32], pub64[32:]
    return bytes([2 + (y[-1] & 1)]) + x


hkdfs = []
for ikm_len, salt_len, info_len, length in [(22, 13, 10, 42), (80, 80, 80, 82), (22, 0, 0, 42), (32, 66, 24, 32),
                                            (1, 1, 0, 1), (32, 0, 5, 255 * 32)]:
    ikm, salt, info = data(ikm_len, 3), data(salt_len, 5), data(info_len, 11)
    hkdfs.append({"ikm": ikm.hex(), "salt": salt.hex(), "info": info.hex(), "length": length,
                  "okm": hkdf(ikm, salt, info, length).hex()})

gcms = []
for pt_len, aad_len in [(0, 0), (0, 20), (1, 0), (16, 16), (31, 7), (1000, 85)]:
    key, nonce, aad, pt = data(32, 7), data(12, 17), data(aad_len, 19), data(pt_len)
    gcms.append({"key": key.hex(), "nonce": nonce.hex(), "aad": aad.hex(), "plaintext": pt.hex(),
                 "sealed": gcm(key, nonce, aad, pt).hex()})

envelopes = []
for pt_len, job, rnd, sender in [(46, 1, 0, "00" * 20), (0, 2**256 - 1, 2**64 - 1, "ff" * 20),
                                 (300, 123456789, 7, "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")]:
    key, nonce, pt = data(32, 29), data(12, 31), data(pt_len)
    aad = b"GFL envelope v1" + bytes([1]) + job.to_bytes(32, "big") + rnd.to_bytes(8, "big") + bytes.fromhex(sender)
    envelopes.append({"key": key.hex(), "nonce": nonce.hex(), "plaintext": pt.hex(), "jobId": hex(job),
                      "round": str(rnd), "sender": sender,
                      "envelope": (bytes([1]) + nonce + gcm(key, nonce, aad, pt)).hex()})

ecies = []
for pt_len, aad_len, recipient_seed, ephemeral_seed in [(32, 0, 1, 2), (0, 12, 3, 4), (200, 40, 5, 6)]:
    recipient = SHA256.new(bytes([recipient_seed]) * 32).digest()
    ephemeral = SHA256.new(bytes([ephemeral_seed]) * 32).digest()
    nonce, pt, aad = data(12, 37), data(pt_len), data(aad_len, 41)
    p_pub = private_key_to_public_key(recipient)
    r_pub = private_key_to_public_key(ephemeral)
    point = fast_multiply((int.from_bytes(p_pub[:32], "big"), int.from_bytes(p_pub[32:], "big")),
                          int.from_bytes(ephemeral, "big"))
    shared = point[0].to_bytes(32, "big")
    r_c, p_c = compressed(r_pub), compressed(p_pub)
    key = hkdf(shared, r_c + p_c, b"GFL ECIES v1 AES-256-GCM", 32)
    header = bytes([1]) + r_c
    message = header + nonce + gcm(key, nonce, header + aad, pt)
    ecies.append({"recipientSecret": recipient.hex(), "recipientPublic64": p_pub.hex(),
                  "recipientPublicCompressed": p_c.hex(), "ephemeralSecret": ephemeral.hex(), "nonce": nonce.hex(),
                  "aad": aad.hex(), "plaintext": pt.hex(), "message": message.hex()})

json.dump({"hkdf": hkdfs, "aesgcm": gcms, "envelope": envelopes, "ecies": ecies}, open(sys.argv[1], "w"), indent=1)
