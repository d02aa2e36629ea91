#!/usr/bin/env python3
"""Writes Tests/PrimitivesTests/Vectors/crypto.json: SHA-256, RIPEMD-160, HMAC-SHA256, PBKDF2-HMAC-SHA256, scrypt and
AES-CTR outputs from pycryptodome (its own C code, not OpenSSL, so it is independent of what GFL wraps).
Inputs are generated from their length: byte i = (i * 13 + length) & 0xff.
Usage: tools/.venv/bin/python tools/vectors/crypto_vectors.py Tests/PrimitivesTests/Vectors/crypto.json"""
import json, sys
from Crypto.Hash import SHA256, RIPEMD160, HMAC
from Crypto.Protocol.KDF import PBKDF2, scrypt
from Crypto.Cipher import AES


def data(n, mul=13):
    return bytes((i * mul + n) & 0xFF for i in range(n))


lengths = [0, 1, 3, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 262144 + 17]
digests = [{"length": n,
            "sha256": SHA256.new(data(n)).hexdigest(),
            "ripemd160": RIPEMD160.new(data(n)).hexdigest()} for n in lengths]

hmacs = []
for key_len in [0, 1, 20, 32, 64, 65, 131]:
    for msg_len in [0, 50, 200]:
        key, msg = data(key_len, 7), data(msg_len)
        hmacs.append({"key": key.hex(), "message": msg.hex(),
                      "mac": HMAC.new(key, msg, digestmod=SHA256).hexdigest()})

pbkdf2 = []
for pw, salt, c, dklen in [(b"password", b"salt", 1, 32), (b"password", b"salt", 4096, 32),
                           (b"passwordPASSWORDpassword", b"saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40),
                           ("pässwörd €".encode(), data(32), 1000, 64), (b"", data(16), 10, 16)]:
    pbkdf2.append({"password": pw.hex(), "salt": salt.hex(), "c": c, "dklen": dklen,
                   "key": PBKDF2(pw, salt, dkLen=dklen, count=c, hmac_hash_module=SHA256).hex()})

scrypts = []
for pw, salt, n, r, p, dklen in [(b"", b"", 16, 1, 1, 64), (b"password", b"NaCl", 1024, 8, 16, 64),
                                 (b"testpassword", data(32), 4096, 8, 1, 32), (b"x", data(16), 2, 1, 3, 32),
                                 (b"pleaseletmein", b"SodiumChloride", 16384, 8, 1, 64),
                                 # N >= 2^(16r): OpenSSL refuses these (RFC 7914's bound), geth and pycryptodome don't.
                                 (b"testpassword", data(32), 65536, 1, 3, 32), (b"pw", b"s", 4, 1, 1, 32)]:
    scrypts.append({"password": pw.hex(), "salt": salt.hex(), "n": n, "r": r, "p": p, "dklen": dklen,
                    "key": scrypt(pw, salt, key_len=dklen, N=n, r=r, p=p).hex()})

aes = []
for key_len in [16, 24, 32]:
    for iv in [bytes(16), bytes.fromhex("ffffffffffffffffffffffffffffffff"), data(16, 3)]:
        for n in [0, 1, 15, 16, 17, 100, 1024]:
            key, plain = data(key_len, 5), data(n)
            # Full 128-bit big-endian counter that wraps, as OpenSSL's CTR mode and the keystore spec use.
            c = AES.new(key, AES.MODE_CTR, nonce=b"", initial_value=iv)
            aes.append({"key": key.hex(), "iv": iv.hex(), "plaintext": plain.hex(), "ciphertext": c.encrypt(plain).hex()})

json.dump({"generator": "pycryptodome (Crypto.Hash, Crypto.Protocol.KDF, Crypto.Cipher.AES)",
           "input": "byte i = (i*13 + length) & 0xff; keys and IVs use multipliers 7, 5, 3",
           "digests": digests, "hmac_sha256": hmacs, "pbkdf2_sha256": pbkdf2, "scrypt": scrypts, "aes_ctr": aes},
          open(sys.argv[1], "w"), indent=1)
