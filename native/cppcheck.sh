#!/bin/sh
# npm run lint:native: Debian's cppcheck over every C file of the project
# (native/ and bench/), every preprocessor configuration (--force: each
# design, mutant and architecture of pause.c), warnings and style included.
# Any finding fails (exit 1). Suppressions, each with its reason:
#
#   variableScope  "the scope of the variable can be reduced": the project's
#                  C declares its variables at the top of a function, as the
#                  kernel and catatonit do; not a defect.
#
# A finding that is a false positive is suppressed in place, on its line,
# with `// cppcheck-suppress <id>` and the reason beside it (--inline-suppr).
set -eu
cd "$(dirname "$0")/.."
command -v cppcheck >/dev/null 2>&1 || {
	echo "lint:native: cppcheck not found (Debian: apt-get install cppcheck)" >&2
	exit 2
}
exec cppcheck --force --quiet --error-exitcode=1 --inline-suppr \
	--enable=warning,style,performance,portability \
	--suppress=variableScope \
	native/pause.c native/failcall.c native/leftover.c native/driver/*.c bench/*.c
