# SPDX-License-Identifier: GPL-2.0
# Helpers of the install selftests (host side): the tree, hexoctl's own
# vocabulary, the packages. Source after ../lib/ktap.sh.

top=$(cd ../.. && pwd)
version=$(cat "$top/VERSION")

# The hexoctl this machine runs: the server's build, else the host's.
hexoctl_bin() {
	local b
	for b in "$top/build/x86_64/bin/hexoctl" "$top/build/host/bin/hexoctl"; do
		[ -x "$b" ] && { echo "$b"; return 0; }
	done
	nice -n 19 make -s -C "$top" "$top/build/x86_64/bin/hexoctl" >&2 &&
		echo "$top/build/x86_64/bin/hexoctl"
}

# hexoctl_vocab HEXOCTL: what hexoctl's help names, one a line:
#   object OBJ | verb OBJ VERB | keyword OBJ VERB KEYWORD | option OPT
# (VERB "-": an object that takes keywords and no verb).
# from `hexoctl help` and each object's `hexoctl OBJ help` (usage lines and
# their continuation lines; keywords are the lower-case words, the
# placeholders the upper-case ones).
hexoctl_vocab() {
	local h=$1 objs o
	"$h" help | sed -n 's/^OPTIONS := { \(.*\) }$/\1/p' | tr '|' '\n' |
		sed -n 's/^ *\(-[A-Za-z]\).*/option \1/p'
	objs=$("$h" help | sed -n 's/^OBJECT := { \(.*\) }$/\1/p' | sed 's/([^)]*)//g' | tr -d '|')
	for o in $objs; do
		echo "object $o"
		"$h" "$o" help | awk -v o="$o" '
			{ sub(/^Usage: +/, "") }
			$1 == "hexoctl" && $2 == o {
				verb = $3
				if (verb == "") next
				# "hexoctl stats [ prometheus ]": keywords, no verb.
				if (verb !~ /^[a-z]/) {
					for (i = 3; i <= NF; i++)
						if ($i ~ /^[a-z][a-z-]*$/) print "keyword", o, "-", $i
					verb = ""
					next
				}
				print "verb", o, verb
				for (i = 4; i <= NF; i++)
					if ($i ~ /^[a-z][a-z-]*$/) print "keyword", o, verb, $i
				next
			}
			/^ +\[/ && verb != "" {
				for (i = 1; i <= NF; i++)
					if ($i ~ /^[a-z][a-z-]*$/) print "keyword", o, verb, $i
				next
			}
			{ verb = "" }'
	done
}

# need_debs: the packages of this tree in build/deb/, built (make deb) when
# missing or older than what goes into them.
debdir=$top/build/deb
need_debs() {
	local d=$debdir/hexo-dkms_${version}_all.deb newer
	if [ -e "$d" ]; then
		newer=$(cd "$top" && find Kbuild VERSION kernel include debian user Documentation scripts/deb.sh \
			scripts/dkms-conf.sh -newer "$d" -type f 2>/dev/null | head -n 1)
		[ -z "$newer" ] && return 0
	fi
	nice -n 19 make -s -C "$top" deb >&2
}
