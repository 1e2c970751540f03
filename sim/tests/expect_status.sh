#!/usr/bin/env bash
# expect_status.sh STATUS WANT STDOUT NMSIM [nmsim arguments]: pass when
# nmsim, its standard output sent to the file STDOUT (e.g. /dev/full),
# exits with STATUS and prints exactly one line on stderr containing WANT.
# An argument holding @TMP@ has it replaced by a fresh temporary directory;
# NMSIM_FSIZE_KB, when set, is the file-size limit (ulimit -f) of the run.
set -u
status=$1 want=$2 out=$3 nmsim=$4
shift 4
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
args=()
for a in "$@"; do args+=("${a//@TMP@/$tmp}"); done
want=${want//@TMP@/$tmp}
err=$( { [ -z "${NMSIM_FSIZE_KB:-}" ] || ulimit -f "$NMSIM_FSIZE_KB"
	 "$nmsim" "${args[@]}" 2>&1 >"$out"; } )
rc=$?
echo "status $rc: $err"
[ "$rc" = "$status" ] || { echo "expected exit status $status"; exit 1; }
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || { echo "expected one line"; exit 1; }
case $err in *"$want"*) ;; *) echo "expected '$want' in the message"; exit 1 ;; esac
