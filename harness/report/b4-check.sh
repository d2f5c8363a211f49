#!/bin/sh
# b4's review-perpatch-check-cmd for dioscope: b4 pipes one patch mail on
# stdin and reads a JSON array of {tool, status, summary, url, details} on
# stdout. The mail is kept in a temporary file for `dioscope check`.
# DIOSCOPE_CHECK_ARGS adds check options (e.g. "--base 6.12");
# DIOSCOPE_CMD replaces the dioscope command (default: this checkout's CLI).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dioscope-b4.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/patch.mbox"
# From the checkout: node resolves --import tsx from the working directory.
dioscope() { (cd "$here" && node --import tsx harness/cli/dioscope.ts "$@"); }
if [ -n "${DIOSCOPE_CMD:-}" ]; then dioscope() { eval "$DIOSCOPE_CMD \"\$@\""; }; fi
# shellcheck disable=SC2086
dioscope check "$tmp/patch.mbox" ${DIOSCOPE_CHECK_ARGS:-} --format b4 > "$tmp/out.json" 2> "$tmp/err.txt"
rc=$?
# 0 = nothing regressed, 1 = a regression: both are results, shown as JSON.
if [ "$rc" -le 1 ] && [ -s "$tmp/out.json" ]; then
  cat "$tmp/out.json"
  exit 0
fi
cat "$tmp/err.txt" >&2
exit "$rc"
