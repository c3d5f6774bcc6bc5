"""An independent model of STDLIB-CORE §15 (SipHash-1-3 key hashes, the
Robin Hood table, resize and backward-shift removal), written from the
specification text only. It derived the expected orders in
core/s15_hash_map_*.inko; test_hash_map_model checks it against every
order and check value §15 publishes."""

import struct

M = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M


def sip13(data, k0=0, k1=0):
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def rnd():
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & M
        v1 = rotl(v1, 13)
        v1 ^= v0
        v0 = rotl(v0, 32)
        v2 = (v2 + v3) & M
        v3 = rotl(v3, 16)
        v3 ^= v2
        v0 = (v0 + v3) & M
        v3 = rotl(v3, 21)
        v3 ^= v0
        v2 = (v2 + v1) & M
        v1 = rotl(v1, 17)
        v1 ^= v2
        v2 = rotl(v2, 32)

    n = len(data)
    end = n - n % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i : i + 8], "little")
        v3 ^= m
        rnd()
        v0 ^= m
    b = (n & 0xFF) << 56
    for i, c in enumerate(data[end:]):
        b |= c << (8 * i)
    v3 ^= b
    rnd()
    v0 ^= b
    v2 ^= 0xFF
    rnd()
    rnd()
    rnd()
    return v0 ^ v1 ^ v2 ^ v3


def conv(u):
    return u - 2**63 if u > 2**63 - 1 else u - (2**63 - 1)


def h(key):
    if isinstance(key, bool) or key is None:
        raise ValueError
    if isinstance(key, int):
        data = struct.pack("<q", key)
    elif isinstance(key, float):
        bits = struct.unpack("<Q", struct.pack("<d", key))[0]
        data = struct.pack("<q", conv(bits))
    else:
        data = key.encode() + b"\xff"
    return conv(sip13(data))


class Pair:
    def __init__(s, k, v):
        s.k = k
        s.v = v
        s.hash = h(k)
        s.d = 0


class HM:
    def __init__(s):
        s.b = []
        s.length = 0
        s.cap = 1
        s.thr = 1

    def set(s, k, v):
        if s.length >= s.thr:
            s.resize()
        s.insert(Pair(k, v))

    def resize(s):
        s.cap *= 2
        s.thr = int(0.75 * s.cap)
        old = len(s.b)
        s.b += [None] * (s.cap - len(s.b))
        for p in s.b:
            if p:
                p.d = -1
        for i in range(old):
            p = s.b[i]
            if p is not None and p.d < 0:
                s.b[i] = None
                p.d = 0
                s.rehash_insert(p)

    def rehash_insert(s, p):
        s.insert(p, rehash=True)

    def insert(s, p, rehash=False):
        i = p.hash % s.cap
        while True:
            cur = s.b[i] if i < len(s.b) else None
            if cur is None:
                while len(s.b) <= i:
                    s.b.append(None)
                s.b[i] = p
                if not rehash:
                    s.length += 1
                return
            if cur.k == p.k and type(cur.k) is type(p.k):
                s.b[i] = p
                return
            if cur.d < p.d:
                s.b[i] = p
                p = cur
            i = (i + 1) % s.cap
            p.d += 1

    def find(s, k):
        if not s.b:
            return None
        st = h(k) % s.cap
        i = st
        while True:
            cur = s.b[i] if i < len(s.b) else None
            if cur is not None and cur.k == k:
                return i
            i = (i + 1) % s.cap
            if i == st:
                return None

    def remove(s, k):
        i = s.find(k)
        if i is None:
            return None
        p = s.b[i]
        s.b[i] = None
        s.length -= 1
        j = i + 1
        while j < len(s.b):
            q = s.b[j]
            if q is None or q.d <= 0:
                break
            s.b[j - 1] = q
            s.b[j] = None
            q.d -= 1
            j += 1
        return p.v

    def order(s):
        return [p.k for p in s.b if p]


def build(keys):
    m = HM()
    for k in keys:
        m.set(k, k)
    return m
