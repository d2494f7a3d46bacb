"""
respite - hostility: the features of a message, exactly as
plugins/hostility/hostility.c computes them (the C side is the reference
at run time; tests/unit/test_hostility.c and check_features.py compare the
two on fixed strings).

A message is read as UTF-8 code points (an invalid byte is a separator):

  - lower case: A-Z, and U+00C0..U+00DE except U+00D7 (Latin-1 capitals);
  - a code point repeated three times or more in a row counts once
    ("fuuuuck" is "fuck", "!!!" is "!");
  - German umlauts and ß fold to ae, oe, ue, ss ("Arschlöcher" is
    "arschloecher");
  - words are runs of a-z, 0-9 and code points >= U+00C0 that are no
    emoji or punctuation, at most TOK_MAX bytes (longer is cut);
  - "@name" is the token "@u", "http://..." and "https://..." "url";
  - an emoji (U+2600..U+27BF, U+2B00..U+2BFF, U+1F000..U+1FAFF) is a token
    of its own; U+FE0F, U+200D and skin tones U+1F3FB..U+1F3FF are
    skipped; "!" and "?" are tokens; everything else separates.

Features of the token list t, at most MAX_FEAT of them in this order:
  "w" + t[i]                      each token
  "b" + t[i] + "\\x01" + t[i+1]    each pair of neighbours
  "c" + 3..5-byte slices of " " + t[i] + " " for words of >= 2 bytes
                                  (not @u, url, emoji, ! or ?)
  "x" + 3..5-byte slices of " " + t[i] + " " + t[i+1] + " " that
                                  have the middle space inside (neither
                                  first nor last), for neighbours that
                                  are both words: n-grams across words
Each is hashed with 32-bit FNV-1a over its bytes: the low HASH_BITS bits
are its index, bit 31 its sign (set: -1).  The vector is divided by the
square root of the number of features (no sort, no table at run time).
"""

import math

TOK_MAX = 40
MAX_TOK = 1024
MAX_FEAT = 8192
FNV_OFFSET = 0x811c9dc5
FNV_PRIME = 0x01000193


def fnv1a32(b, h=FNV_OFFSET):
    for c in b:
        h ^= c
        h = (h * FNV_PRIME) & 0xffffffff
    return h


def _decode(b):
    """Code points of b; an invalid or truncated sequence gives -1 a byte."""
    out = []
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        if c < 0x80:
            out.append(c)
            i += 1
            continue
        if 0xc2 <= c <= 0xdf:
            need, cp, lo = 1, c & 0x1f, 0x80
        elif 0xe0 <= c <= 0xef:
            need, cp, lo = 2, c & 0x0f, 0x800
        elif 0xf0 <= c <= 0xf4:
            need, cp, lo = 3, c & 0x07, 0x10000
        else:
            out.append(-1)
            i += 1
            continue
        ok = True
        for k in range(1, need + 1):
            if i + k >= n or (b[i + k] & 0xc0) != 0x80:
                ok = False
                break
            cp = (cp << 6) | (b[i + k] & 0x3f)
        if not ok or cp < lo or cp > 0x10ffff or 0xd800 <= cp <= 0xdfff:
            out.append(-1)
            i += 1
            continue
        out.append(cp)
        i += need + 1
    return out


def _is_emoji(cp):
    return (0x2600 <= cp <= 0x27bf or 0x2b00 <= cp <= 0x2bff or
            0x1f000 <= cp <= 0x1faff)


def _is_skip(cp):
    return cp == 0xfe0f or cp == 0x200d or 0x1f3fb <= cp <= 0x1f3ff


def _is_word(cp):
    if 0x30 <= cp <= 0x39 or 0x61 <= cp <= 0x7a:
        return True
    if cp < 0xc0 or cp == 0xd7 or cp == 0xf7:
        return False
    if 0x2000 <= cp <= 0x2bff or 0x3000 <= cp <= 0x303f:
        return False
    if 0xfe00 <= cp <= 0xfe0f or 0xfff0 <= cp <= 0xffff:
        return False
    if _is_emoji(cp) or _is_skip(cp):
        return False
    return True


def _lower(cp):
    if 0x41 <= cp <= 0x5a or (0xc0 <= cp <= 0xde and cp != 0xd7):
        return cp + 0x20
    return cp


FOLD = {0xe4: b'ae', 0xf6: b'oe', 0xfc: b'ue', 0xdf: b'ss'}


def _utf8(cp):
    return chr(cp).encode('utf-8')


def normalise(b):
    """Lower-cased, squeezed code points of bytes b (-1: invalid byte)."""
    cps = [_lower(c) if c >= 0 else c for c in _decode(b)]
    cps = [c for c in cps if not _is_skip(c)]
    out = []
    i, n = 0, len(cps)
    while i < n:
        j = i
        while j < n and cps[j] == cps[i]:
            j += 1
        out.extend([cps[i]] * (1 if j - i >= 3 else j - i))
        i = j
    return out


def tokens(b):
    """The tokens of bytes b: a list of (kind, bytes), kind 'w' a word."""
    cps = normalise(b)
    toks = []
    i, n = 0, len(cps)
    while i < n and len(toks) < MAX_TOK:
        c = cps[i]
        if c == 0x40 and i + 1 < n and _is_word(cps[i + 1]):
            i += 1
            while i < n and (_is_word(cps[i]) or cps[i] == 0x5f):
                i += 1
            toks.append(('o', b'@u'))
            continue
        if c == 0x68 and _starts(cps, i, 'http://') or \
           c == 0x68 and _starts(cps, i, 'https://'):
            while i < n and cps[i] not in (0x20, 0x09, 0x0a, 0x0d):
                i += 1
            toks.append(('o', b'url'))
            continue
        if _is_word(c):
            w = bytearray()
            while i < n and _is_word(cps[i]):
                cp = cps[i]
                piece = FOLD.get(cp) or _utf8(cp)
                if len(w) + len(piece) <= TOK_MAX:
                    w += piece
                i += 1
            toks.append(('w', bytes(w)))
            continue
        if c >= 0 and _is_emoji(c):
            toks.append(('o', _utf8(c)))
        elif c == 0x21 or c == 0x3f:
            toks.append(('o', bytes([c])))
        i += 1
    return toks


def _starts(cps, i, s):
    if i + len(s) > len(cps):
        return False
    return all(cps[i + k] == ord(s[k]) for k in range(len(s)))


def feature_strings(b):
    """The feature strings of bytes b, in order, at most MAX_FEAT."""
    toks = tokens(b)
    fs = []
    for _, t in toks:
        fs.append(b'w' + t)
    for (_, a), (_, c) in zip(toks, toks[1:]):
        fs.append(b'b' + a + b'\x01' + c)
    for kind, t in toks:
        if kind != 'w' or len(t) < 2:
            continue
        s = b' ' + t + b' '
        for k in (3, 4, 5):
            for i in range(0, len(s) - k + 1):
                fs.append(b'c' + s[i:i + k])
    for (ka, a), (kb, c) in zip(toks, toks[1:]):
        if ka != 'w' or kb != 'w':
            continue
        s = b' ' + a + b' ' + c + b' '
        m = len(a) + 1
        for k in (3, 4, 5):
            for i in range(max(0, m - k + 2), min(m, len(s) - k + 1)):
                fs.append(b'x' + s[i:i + k])
    return fs[:MAX_FEAT]


def features(b, bits):
    """(index, sign) of each feature of bytes b, and the divisor."""
    mask = (1 << bits) - 1
    out = []
    for f in feature_strings(b):
        h = fnv1a32(f)
        out.append((h & mask, -1.0 if h & 0x80000000 else 1.0))
    return out, math.sqrt(len(out)) if out else 1.0
