#!/usr/bin/env python3
# respite - count a string in a running process's writable memory.
#
# memscan.py PID STRING: reads every readable, writable mapping of PID
# (heap, anonymous arenas, stacks) through /proc/PID/mem and prints how
# many times STRING occurs, then each mapping it was found in.  Exit 77
# when the memory cannot be read (no ptrace access: another user without
# CAP_SYS_PTRACE, Yama, a non-dumpable process).
import sys

HUGE = 4 << 30
CHUNK = 16 << 20


def count_in(mem, lo, hi, needle):
    """Occurrences of needle in [lo, hi), read a chunk at a time."""
    n, tail, off = 0, b"", lo
    while off < hi:
        mem.seek(off)
        data = tail + mem.read(min(CHUNK, hi - off))
        n += data.count(needle)
        # Keep the last len-1 bytes: a needle across two chunks.
        tail = data[-(len(needle) - 1):] if len(needle) > 1 else b""
        off += CHUNK
    return n


def main():
    pid, needle = sys.argv[1], sys.argv[2].encode()
    try:
        maps = open("/proc/%s/maps" % pid).read().splitlines()
        mem = open("/proc/%s/mem" % pid, "rb", 0)
    except OSError as e:
        print("cannot read the memory of %s: %s" % (pid, e))
        return 77
    hits, where, readable = 0, [], 0
    with mem:
        for line in maps:
            f = line.split(None, 5)
            perms = f[1]
            name = f[5] if len(f) > 5 else "[anon]"
            if perms[0] != "r" or perms[1] != "w" or name in (
                    "[vvar]", "[vsyscall]", "[vdso]"):
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            # A sanitizer's shadow memory: terabytes reserved, no heap.
            if hi - lo > HUGE:
                continue
            try:
                n = count_in(mem, lo, hi, needle)
            except (OSError, ValueError, OverflowError):
                continue
            readable += 1
            if n:
                hits += n
                where.append("%s %s: %d" % (f[0], name, n))
    if readable == 0:
        print("no mapping of %s could be read" % pid)
        return 77
    print(hits)
    for w in where:
        print(w)
    return 0


sys.exit(main())
