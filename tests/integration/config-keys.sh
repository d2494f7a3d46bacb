#!/usr/bin/env bash
# respite - every configuration key is documented (issue 13): each key of
# daemon/common/config.c's table appears in docs/respite.conf.5 as an `.It Ic`
# item of its section's part ("SERVER SECTION", ...) and in README.md or
# docs/*.md (docs/configuration.md has the table) as `key`; each key a
# plugin section takes (the adapters' common keys, each adapter's and
# sink's own) appears in the page's PLUGIN SECTIONS.
#
# Needs no daemon and no build: it reads the sources.

. "$(dirname "$0")/lib.sh"

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

man="$TOP_SRCDIR/docs/respite.conf.5"
readme="$TOP_SRCDIR/README.md"
[ -r "$man" ] && [ -r "$readme" ] || bail_out "no docs in $TOP_SRCDIR"
# The Markdown documentation: the README and the pages of docs/.
markdown=$(cat "$readme" "$TOP_SRCDIR"/docs/*.md)

# The keys an `.It Ic` item names in the part of the page headed HEADING
# (continued lines included), one a line.
items() {
	awk -v h="$1" '
	/^\.Sh / { on = ($0 == ".Sh " h) ; next }
	!on { cont = 0; next }
	/^\.It Ic / || cont {
		cont = /\\$/
		line = $0
		sub(/^\.It Ic /, "", line)
		n = split(line, w, /[ ,\\]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^[a-z][a-z0-9_]*$/ && w[i] != "Ic" &&
			    w[i] != "Ar")
				print w[i]
	}' "$man" | sort -u
}

# The table of daemon/common/config.c: { "section", "key", ...
keys=$(sed -n '/config_keys\[\] = {/,/^};/p' "$TOP_SRCDIR/daemon/common/config.c" |
    sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", "\([a-z_0-9]*\)".*/\1 \2/p')
[ "$(printf '%s\n' "$keys" | wc -l)" -ge 50 ] ||
    bail_out "could not read the key table of daemon/common/config.c"

missing_man=
missing_readme=
n=0
while read -r sec key; do
	n=$((n + 1))
	heading="$(printf '%s' "$sec" | tr '[:lower:]' '[:upper:]') SECTION"
	items "$heading" | grep -qx -- "$key" ||
	    missing_man="$missing_man [$sec] $key"
	grep -qF -- "\`$key\`" <<<"$markdown" ||
	    missing_readme="$missing_readme [$sec] $key"
done <<<"$keys"
if [ -z "$missing_man" ]; then
	ok "respite.conf.5 has an item for each of the $n keys of daemon/common/config.c"
else
	not_ok "respite.conf.5 has an item for each key of daemon/common/config.c" \
	    "missing:$missing_man"
fi
if [ -z "$missing_readme" ]; then
	ok "README.md or docs/*.md names each of the $n keys of daemon/common/config.c"
else
	not_ok "README.md or docs/*.md names each key of daemon/common/config.c" \
	    "missing:$missing_readme"
fi

# The plugins' keys: the lists in their sources.
plugin_keys() {
	awk -v re="$2" '$0 ~ re { on = 1 } on { print } on && /NULL/ { exit }' \
	    "$TOP_SRCDIR/$1" | grep -o '"[a-z_]*"' | tr -d '"'
}
pkeys=$( {
	plugin_keys plugins/common/webhook.c 'common\[\] = {'
	plugin_keys plugins/zammad/zammad.c 'zammad_keys\[\] = {'
	plugin_keys plugins/freshdesk/freshdesk.c 'freshdesk_keys\[\] = {'
	plugin_keys plugins/twilio/twilio.c 'twilio_keys\[\] = {'
	plugin_keys plugins/asterisk/asterisk.c 'asterisk_keys\[\] = {'
	plugin_keys plugins/webhook/webhook.c 'known\[\] = {'
	plugin_keys plugins/log/log.c 'known\[\] = {'
	grep -o 'strcmp(k, "[a-z_]*")' "$TOP_SRCDIR/plugins/lexicon/plugin.c" |
	    sed 's/.*"\(.*\)")/\1/'
} | sort -u)
[ "$(printf '%s\n' "$pkeys" | wc -l)" -ge 20 ] ||
    bail_out "could not read the plugins' key lists"
documented=$(items "PLUGIN SECTIONS")
missing=
for key in $pkeys; do
	printf '%s\n' "$documented" | grep -qx -- "$key" ||
	    missing="$missing $key"
done
if [ -z "$missing" ]; then
	ok "respite.conf.5 has an item for each of the $(printf '%s\n' "$pkeys" | wc -l) plugin keys"
else
	not_ok "respite.conf.5 has an item for each plugin key" "missing:$missing"
fi

done_testing
