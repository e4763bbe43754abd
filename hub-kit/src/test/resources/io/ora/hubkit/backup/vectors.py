"""Recomputes the Ora backup v1 known answers without BouncyCastle and without the Java code.

Argon2id, ChaCha20 and ChaCha20-Poly1305 come from Python's `cryptography` (its bundled OpenSSL); HKDF-SHA256
is written out here over `hmac`/`hashlib`; HChaCha20 is read off a ChaCha20 keystream block; the envelope header
and the canonical JSON are built from docs/backup.md. Each primitive is first checked against its published
vector, so a wrong helper here cannot produce a matching Ora value by accident. It reads the vector files beside
it and checks every value in them; --print shows what it computes for the Ora values instead.

    python3 vectors.py            # exits non-zero, naming the value, on any mismatch
    python3 vectors.py --print
"""
import hashlib
import hmac
import json
import os
import struct
import sys

import cryptography
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id


def hkdf_sha256(ikm, salt, info, length):
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def hchacha20(key, nonce16):
    """ChaCha20's first block is rounds(state) + state; subtracting the state leaves rounds(state)."""
    block = Cipher(algorithms.ChaCha20(key, nonce16), None).encryptor().update(bytes(64))
    state = list(struct.unpack("<4I", b"expand 32-byte k")) + list(struct.unpack("<8I", key)) \
        + list(struct.unpack("<4I", nonce16))
    mixed = [(w - s) & 0xFFFFFFFF for w, s in zip(struct.unpack("<16I", block), state)]
    return struct.pack("<8I", *(mixed[0:4] + mixed[12:16]))


def xchacha20poly1305(key, nonce24, plaintext, aad):
    return ChaCha20Poly1305(hchacha20(key, nonce24[:16])).encrypt(bytes(4) + nonce24[16:], plaintext, aad)


def argon2id(password, salt, memory_kib, passes, lanes, secret=None, ad=None):
    return Argon2id(salt=salt, length=32, iterations=passes, lanes=lanes, memory_cost=memory_kib,
                    secret=secret, ad=ad).derive(password)


def check(name, actual, expected):
    if actual != expected:
        sys.exit(name + ": " + actual.hex() + " != " + expected.hex())


HERE = os.path.dirname(os.path.abspath(__file__))


def vectors(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


def published():
    h = bytes.fromhex
    rfc9106 = vectors("argon2id.json")["vectors"][0]
    check(rfc9106["name"], argon2id(h(rfc9106["password"]), h(rfc9106["salt"]), rfc9106["memoryKiB"],
                                    rfc9106["passes"], rfc9106["lanes"], h(rfc9106["secret"]),
                                    h(rfc9106["associatedData"])), h(rfc9106["tag"]))
    for v in vectors("hkdf-sha256.json")["vectors"]:
        check(v["name"], hkdf_sha256(h(v["ikm"]), h(v["salt"]), h(v["info"]), v["length"]), h(v["okm"]))
    for v in vectors("xchacha20-poly1305.json")["vectors"]:
        check(v["name"], xchacha20poly1305(h(v["key"]), h(v["nonce"]), v["plaintextText"].encode("utf-8"),
                                           h(v["associatedData"])), h(v["ciphertext"] + v["tag"]))


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def gf32_multiply(a, b):
    product = 0
    for i in range(5):
        if b >> i & 1:
            product ^= a << i
    for bit in range(8, 4, -1):
        if product >> bit & 1:
            product ^= 0b100101 << (bit - 5)
    return product


def key_characters(display):
    """The 28 key characters, after checking each group's check character as docs/backup.md defines it."""
    groups = display.split("-")
    for position, group in enumerate(groups, 1):
        check_value = gf32_multiply(5, position)
        for weight, c in zip([2, 4, 8, 16], group[:4]):
            check_value ^= gf32_multiply(weight, ALPHABET.index(c))
        if ALPHABET[check_value] != group[4]:
            sys.exit("group " + str(position) + " of the Recovery Key does not check")
    return "".join(group[:4] for group in groups)


def b64url(raw):
    import base64
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# What HubConfigProjection must make of hub-config.json, written out by hand: node ids padded to 16 upper-case
# digits, every unlisted field gone, absent optionals (a group binding's node) left out.
MODEL = {
    "format": "ora.hub-backup/1",
    "topology": {"nodes": [
        {"nodeId": "000000000000001A", "vendorId": 4937, "productId": 32769, "endpoints": [
            {"id": 1, "deviceTypes": [{"id": 256, "revision": 3}], "serverClusters": [6, 8, 768],
             "clientClusters": [], "bindings": [{"group": 5, "cluster": 6}]}]},
        {"nodeId": "00000000B0B0CAFE", "vendorId": 65521, "productId": 0, "endpoints": [
            {"id": 0, "deviceTypes": [{"id": 22, "revision": 1}], "serverClusters": [29], "clientClusters": [],
             "bindings": []},
            {"id": 2, "deviceTypes": [{"id": 15, "revision": 2}], "serverClusters": [59], "clientClusters": [6],
             "bindings": [{"node": "000000000000001A", "endpoint": 1, "cluster": 6},
                          {"node": "000000000000001A", "endpoint": 1}]}]}]},
    "layout": {
        "floors": [{"id": "f0", "name": "Erdgeschoß", "level": 0}, {"id": "f-1", "name": "Keller \"alt\"",
                                                                      "level": -1}],
        "rooms": [{"id": "kitchen", "name": "Küche", "floor": "f0",
                   "devices": [{"node": "000000000000001A", "endpoint": 1}]},
                  {"id": "hall", "name": "Hall ☀", "devices": [{"node": "00000000B0B0CAFE", "endpoint": 2}]}]},
}

def ora(end_to_end):
    key = end_to_end["recoveryKey"]
    salt, nonce = bytes.fromhex(end_to_end["envelopeSalt"]), bytes.fromhex(end_to_end["envelopeNonce"])
    root = argon2id(key_characters(key).encode("ascii"), b"ora/backup/v1/root", 262144, 3, 1)
    hkdf_salt = b"ora/backup/v1"
    locator = hkdf_sha256(root, hkdf_salt, b"ora/backup/v1/locator", 32)
    credential = hkdf_sha256(root, hkdf_salt, b"ora/backup/v1/write-credential", 32)
    sealing = hkdf_sha256(root, salt, b"ora/backup/v1/seal", 32)
    plaintext = json.dumps(MODEL, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header = b"ORABAK" + bytes([1, 1]) + struct.pack(">IHB", 262144, 3, 1) + salt + bytes([1]) + nonce \
        + struct.pack(">I", len(plaintext) + 16)
    assert len(header) == 60
    envelope = header + xchacha20poly1305(sealing, nonce, plaintext, header)
    return {
        "root": root.hex(),
        "locatorText": b64url(locator),
        "credentialText": b64url(credential),
        "sealingKey": sealing.hex(),
        "plaintext": plaintext.decode("utf-8"),
        "envelope": envelope.hex(),
    }


if __name__ == "__main__":
    published()
    end_to_end = vectors("ora-backup-v1.json")
    computed = ora(end_to_end)
    if "--print" in sys.argv:
        print("# cryptography", cryptography.__version__, "with", default_backend().openssl_version_text())
        print(json.dumps(computed, indent=2, ensure_ascii=False))
        sys.exit(0)
    root = vectors("argon2id.json")["vectors"][1]
    if root["recoveryKey"] != end_to_end["recoveryKey"] or key_characters(root["recoveryKey"]) != root["passwordAscii"]:
        sys.exit("the Argon2id root vector is not of the end-to-end Recovery Key")
    check(root["name"], bytes.fromhex(computed["root"]), bytes.fromhex(root["tag"]))
    for field in ("locatorText", "credentialText", "sealingKey", "plaintext", "envelope"):
        if computed[field] != end_to_end[field]:
            sys.exit(field + " differs")
    print("all vectors match")
