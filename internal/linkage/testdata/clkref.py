#!/usr/bin/env python3
"""Independent transcription of clkhash's encoding (schema v3) using only
the Python standard library, used to produce testdata/clk-vectors.json.

It follows clkhash's published algorithm: HKDF key derivation (two keys per
feature), n-gram tokenisation with space padding, bitsPerFeature/bitsPerToken
strategies, doubleHash (HMAC-SHA1 + i*HMAC-MD5 mod l) and blakeHash (keyed,
salted BLAKE2b read as little-endian uint16). It is not clkhash itself.

Usage: python3 clkref.py SCHEMA.json SECRET CSVFILE N
"""
import base64, csv, datetime, hashlib, hmac, json, struct, sys


def hkdf(secret, n, size, salt, info, algo):
    h = hashlib.sha256 if algo == "SHA256" else hashlib.sha512
    if not salt:
        salt = b"\0" * h().digest_size
    prk = hmac.new(salt, secret, h).digest()
    out, t, i = b"", b"", 1
    while len(out) < n * size:
        t = hmac.new(prk, t + info + bytes([i]), h).digest()
        out += t
        i += 1
    return [out[j * size:(j + 1) * size] for j in range(n)]


def tokens(h, v):
    if v == "":
        return []
    c = h.get("comparison", {})
    if c.get("type") == "exact":
        return [v]
    n = c["n"]
    if n > 1:
        v = " " * (n - 1) + v + " " * (n - 1)
    grams = [v[i:i + n] for i in range(len(v) - n + 1)]
    if c.get("positional"):
        grams = ["%d %s" % (i + 1, g) for i, g in enumerate(grams)]
    return grams


def ks(h, n):
    s = h["strategy"]
    if "bitsPerToken" in s:
        return [s["bitsPerToken"]] * n
    k, r = divmod(s["bitsPerFeature"], n)
    return [k + 1] * r + [k] * (n - r)


def encode(schema, keys, row):
    l = schema["clkConfig"]["l"]
    bf = [0] * l
    for i, f in enumerate(schema["features"]):
        if f.get("ignored"):
            continue
        h = f["hashing"]
        v = row[f["identifier"]].strip()
        mv = h.get("missingValue")
        if mv is not None and v == mv["sentinel"]:
            v = mv.get("replaceWith", mv["sentinel"])
        elif f["format"]["type"] == "integer":
            v = str(int(v))
        elif f["format"]["type"] == "date":
            v = datetime.datetime.strptime(v, f["format"]["format"]).strftime("%Y%m%d")
        toks = tokens(h, v)
        if not toks:
            continue
        k1, k2 = keys[2 * i], keys[2 * i + 1]
        for t, k in zip(toks, ks(h, len(toks))):
            tb = t.encode("utf-8")
            if h.get("hash", {}).get("type") == "doubleHash":
                a = int(hmac.new(k1, tb, hashlib.sha1).hexdigest(), 16) % l
                b = int(hmac.new(k2, tb, hashlib.md5).hexdigest(), 16) % l
                for j in range(k):
                    bf[(a + j * b) % l] = 1
            else:
                shorts = []
                for c in range((k + 31) // 32):
                    shorts += struct.unpack("<32H", hashlib.blake2b(tb, key=k1, salt=str(c).encode()).digest())
                for j in range(k):
                    bf[shorts[j] % l] = 1
    out = bytearray((l + 7) // 8)
    for j, bit in enumerate(bf):
        if bit:
            out[j // 8] |= 0x80 >> (j % 8)
    return base64.b64encode(bytes(out)).decode()


def main():
    schema = json.load(open(sys.argv[1]))
    secret = sys.argv[2].encode()
    kdf = schema["clkConfig"]["kdf"]
    keys = hkdf(secret, 2 * len(schema["features"]), kdf.get("keySize", 64),
                base64.b64decode(kdf.get("salt", "")), base64.b64decode(kdf.get("info", "")),
                kdf.get("hash", "SHA256"))
    rows = list(csv.DictReader(open(sys.argv[3]), skipinitialspace=True))[: int(sys.argv[4])]
    idcol = "id" if "id" in rows[0] else list(rows[0].keys())[0]
    print(json.dumps({"clks": [encode(schema, keys, r) for r in rows],
                      "ids": [r[idcol] for r in rows]}, indent=1))


if __name__ == "__main__":
    main()
