#!/usr/bin/env python3
"""
respite - hostility: the features of fixed strings, as features.py
computes them, for tests/unit/test_hostility.c to compare with the C side.

    check_features.py            print them (tests/data/hostility-features.txt)
    check_features.py --check F  exit 1 if F differs from what it prints

A line: the input in hex, a tab, its tokens (hex, comma-separated), a
tab, the hashes of its features in order (8 hex digits, space-separated).
The inputs are hand-picked cases and seeded random strings drawn from the
characters the tokeniser treats specially.  Needs only Python 3.
"""

import random
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features as F  # noqa: E402

CASES = [
    b'', b' ', b'a', b'ab', b'Du bist ein VOLLIDIOT!!!',
    'Arschlöcher ÄÖÜ Straße GRÜSSE'.encode(),
    b'fuuuuuck yooouuu', b'!!!???!!', b'aa aaa aaaa',
    '😡😡😡 you 👍🏽 👨‍👩‍👧 ❤️'.encode(),
    b'@someone_1 hi @ @@x http://example.com/a?b https://x.y/z httpx',
    b'\xff\xfe bad \xc3 \xe2\x82 ok \xed\xa0\x80 \xf4\x90\x80\x80',
    b'x' * 60 + b' ' + 'ü'.encode() * 30,
    'Æsir Øre ÞORN ×÷ ĀĂ Привет 日本語 ，。'.encode(),
    'l’homme «quote» — dash… ‚x‘'.encode(),
    b'I will find you.', b'Scheisse, das Paket ist weg',
    b'a b c du bist! ein @x Vollidiot url',
    b'a!b?c#d$e%f&g', b'TAB\there\nnew\rline',
]

ALPHABET = (list('aAzZ09 !?@#.-_') + ['ä', 'Ö', 'ß', 'é', 'ẞ', '😡',
            '🏽', '\u200d', '\ufe0f', '—', '日', '\u00a0', 'http://', 'x'] +
            ['\udcff'])


def randoms(n, seed=7):
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        s = ''.join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 30)))
        out.append(s.encode('utf-8', 'surrogateescape'))
    return out


def lines():
    out = []
    for b in CASES + randoms(80):
        toks = ','.join(t.hex() for _, t in F.tokens(b))
        hs = ' '.join('%08x' % F.fnv1a32(f) for f in F.feature_strings(b))
        out.append('%s\t%s\t%s\n' % (b.hex(), toks, hs))
    return ''.join(out)


def main():
    text = lines()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as f:
            if f.read() != text:
                sys.exit('%s differs from features.py: run %s >%s' %
                         (sys.argv[2], sys.argv[0], sys.argv[2]))
        return
    sys.stdout.write(text)


if __name__ == '__main__':
    main()
