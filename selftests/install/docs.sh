#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every page of Documentation/ as a reader's tools see it: reStructuredText
# that docutils parses without a warning (a malformed table, a title's
# underline, a broken reference), and every image it shows is in the tree.
. ../lib/ktap.sh
. ./lib.sh

pages=("$top"/Documentation/*.rst)
ktap_plan $((${#pages[@]} + 1))
for p in "$top"/Documentation/*.rst; do
	name=${p#"$top"/}
	if out=$(python3 - "$p" 2>&1 <<'PY'
import io
import sys

import docutils.core

path = sys.argv[1]
warn = io.StringIO()
with open(path, encoding="utf-8") as f:
    docutils.core.publish_string(f.read(), source_path=path, writer_name="null",
                                 settings_overrides={"report_level": 2, "halt_level": 5,
                                                     "warning_stream": warn})
sys.stdout.write(warn.getvalue())
sys.exit(1 if warn.getvalue() else 0)
PY
); then
		ktap_pass "$name: docutils parses it without a warning"
	else
		printf '%s\n' "$out" | head -20 | ktap_quote
		ktap_fail "$name: docutils parses it without a warning"
	fi
done
missing=$(cd "$top/Documentation" && sed -n 's/^ *\.\. \(image\|figure\):: *//p' ./*.rst |
	while read -r img; do [ -f "$img" ] || echo "$img"; done)
if [ -z "$missing" ]; then
	ktap_pass "every image the pages show is in Documentation/"
else
	printf '%s\n' "$missing" | ktap_quote
	ktap_fail "every image the pages show is in Documentation/"
fi
ktap_finish
