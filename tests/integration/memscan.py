#!/usr/bin/env python3
# respite - count a string in a running process's writable memory.
#
# memscan.py PID STRING: reads every readable, writable mapping of PID
# (heap, anonymous arenas, stacks) through /proc/PID/mem and prints how
# many times STRING occurs, then each mapping it was found in.  Exit 77
# when the memory cannot be read (no ptrace access: another user without
# CAP_SYS_PTRACE, Yama, a non-dumpable process).
import sys


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
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            readable += 1
            n = data.count(needle)
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
