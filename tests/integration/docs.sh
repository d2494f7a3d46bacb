#!/usr/bin/env bash
# respite - the documentation holds together (issue 14): README.md is the
# front door (under 400 lines) and links to each page of docs/*.md; every
# relative link of README.md and docs/*.md names a file of the tree, and
# every #anchor a heading of its page (GitHub's rule: lower case, spaces
# to hyphens, punctuation dropped).
#
# Needs no daemon and no build: it reads the sources.

. "$(dirname "$0")/lib.sh"

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

readme="$TOP_SRCDIR/README.md"
[ -r "$readme" ] || bail_out "no README.md in $TOP_SRCDIR"
have_python || skip_all "python3 is not installed"

n=$(wc -l <"$readme")
if [ "$n" -lt 400 ]; then
	ok "README.md is under 400 lines ($n)"
else
	not_ok "README.md is under 400 lines" "it has $n"
fi

missing=
for f in "$TOP_SRCDIR"/docs/*.md; do
	grep -qF "](docs/${f##*/})" "$readme" || missing="$missing ${f##*/}"
done
if [ -z "$missing" ]; then
	ok "README.md links to every page of docs/"
else
	not_ok "README.md links to every page of docs/" "not linked:$missing"
fi

bad=$(python3 - "$TOP_SRCDIR" <<'EOF'
import glob, os, re, sys
top = sys.argv[1]
def slug(h):
    h = re.sub(r'[`*_]', '', h.strip().lower())
    h = re.sub(r'[^\w\- ]', '', h)
    return h.replace(' ', '-')
def anchors(path):
    out, fence = set(), False
    for l in open(path, encoding='utf-8'):
        if l.startswith('```'):
            fence = not fence
        elif not fence and re.match(r'#{1,6} ', l):
            out.add(slug(l.split(' ', 1)[1]))
    return out
pages = [os.path.join(top, 'README.md')] + sorted(glob.glob(os.path.join(top, 'docs', '*.md')))
for page in pages:
    fence = False
    for no, l in enumerate(open(page, encoding='utf-8'), 1):
        if l.startswith('```'):
            fence = not fence
            continue
        if fence:
            continue
        for target in re.findall(r'\]\(([^)\s]+)\)', l):
            if re.match(r'[a-z]+:', target):
                continue
            path, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            where = '%s:%d: %s' % (os.path.relpath(page, top), no, target)
            if not os.path.exists(dest):
                print(where + ' (no such file)')
            elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
                print(where + ' (no such heading)')
EOF
)
if [ -z "$bad" ]; then
	ok "every relative link of README.md and docs/*.md resolves"
else
	not_ok "every relative link of README.md and docs/*.md resolves" \
	    "$bad"
fi

done_testing
