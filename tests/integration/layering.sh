#!/usr/bin/env bash
# respite - the rooms of docs/ARCHITECTURE.md ("Rooms: who may include
# what") hold: every #include of daemon/, plugins/ and include/ names a
# header of a folder its own folder may include, and the API's route
# table is included by nobody it dispatches to.
#
# Needs no daemon and no build: it reads the sources.

. "$(dirname "$0")/lib.sh"

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

[ -d "$TOP_SRCDIR/daemon/common" ] || bail_out "no daemon/common in $TOP_SRCDIR"
have_python || skip_all "python3 is not installed"

python3 - "$TOP_SRCDIR" <<'EOF'
import os, re, sys
top = sys.argv[1]

# folder -> the folders whose headers it may include (besides build.h,
# which configure makes, and system and library headers).
def allowed(folder):
    if folder == 'include/respite':
        return {'include/respite'}
    if folder == 'daemon/common':
        return {'daemon/common', 'include/respite'}
    if folder == 'daemon/ctl':
        # respitectl classify: the classifiers' cores, which know no ABI
        return {folder, 'daemon/common', 'include/respite',
                'plugins/hostility', 'plugins/lexicon'}
    if folder in ('daemon', 'daemon/notify'):
        return {folder, 'daemon/common', 'include/respite'}
    if folder == 'plugins/common':
        return {'plugins/common', 'include/respite'}
    if folder == 'plugins/hostility':
        # lexicon = yes: the word lists' core in the same plugin
        return {folder, 'plugins/common', 'include/respite',
                'plugins/lexicon'}
    if folder.startswith('plugins/') and folder.count('/') == 1:
        return {folder, 'plugins/common', 'include/respite'}
    return None

# include/respite/ is the installed ABI: standard C headers only.
STD_C = {'assert.h', 'ctype.h', 'errno.h', 'float.h', 'inttypes.h',
         'limits.h', 'math.h', 'stdarg.h', 'stdbool.h', 'stddef.h',
         'stdint.h', 'stdio.h', 'stdlib.h', 'string.h', 'time.h'}

sources, headers = [], {}
for root in ('daemon', 'plugins', 'include'):
    for d, _, files in os.walk(os.path.join(top, root)):
        for f in files:
            if f.endswith(('.c', '.h')):
                rel = os.path.relpath(os.path.join(d, f), top)
                sources.append(rel)
                if f.endswith('.h'):
                    headers.setdefault(f, []).append(rel)
sources.sort()

inc = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
bad, n = [], 0
for src in sources:
    folder = os.path.dirname(src)
    may = allowed(folder)
    if may is None:
        bad.append('%s: a folder the rooms do not name (%s)' % (src, folder))
        continue
    for no, line in enumerate(open(os.path.join(top, src), encoding='utf-8',
                                   errors='replace'), 1):
        m = inc.match(line)
        if not m:
            continue
        n += 1
        kind, name = m.groups()
        where = '%s:%d: #include %s' % (src, no, kind + name + ('"' if kind == '"' else '>'))
        if kind == '<':
            if name.startswith('respite/'):
                target = 'include/' + name
            elif folder == 'include/respite' and name not in STD_C:
                bad.append(where + ': the ABI includes standard C headers only')
                continue
            else:
                continue        # a system or library header
        elif name == 'build.h':
            continue
        elif os.path.exists(os.path.join(top, folder, name)):
            target = os.path.normpath(os.path.join(folder, name))
        else:
            found = [h for h in headers.get(os.path.basename(name), [])
                     if h.endswith(name) and not h.startswith('include/')]
            if len(found) != 1:
                bad.append(where + ': %s' % ('no such header' if not found
                           else 'ambiguous: ' + ' '.join(found)))
                continue
            target = found[0]
        room = os.path.dirname(target)
        if room not in may:
            bad.append(where + ': %s may not include %s' % (folder, room))
        # The API: handlers depend on the helpers, not the route table.
        base = os.path.basename(src)
        if target == 'daemon/api.h' and src not in ('daemon/api.c',
                                                    'daemon/respited.c'):
            bad.append(where + ': only api.c and respited.c include the route table')
        if base in ('api_reply.c', 'api_reply.h') and target in (
                'daemon/api.h', 'daemon/api_handlers.h'):
            bad.append(where + ': the shared helpers include no handler')

print('# %d #include lines in %d files' % (n, len(sources)))
if n < 200:
    print('Bail out! could read only %d #include lines' % n)
    sys.exit(0)
if bad:
    print('not ok 1 - every #include stays in its room (docs/ARCHITECTURE.md)')
    for b in bad:
        print('# ' + b)
else:
    print('ok 1 - every #include stays in its room (docs/ARCHITECTURE.md)')
print('1..1')
EOF
