#!/usr/bin/env bash
# expect_bad.sh NMSIM EXPECTED [nmsim arguments]: pass when nmsim exits with
# status 2 and prints exactly one line on stderr that contains EXPECTED.
set -u
nmsim=$1
want=$2
shift 2
err=$("$nmsim" "$@" 2>&1 >/dev/null)
rc=$?
echo "status $rc: $err"
[ "$rc" = 2 ] || { echo "expected exit status 2"; exit 1; }
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || { echo "expected one line"; exit 1; }
case $err in *"$want"*) ;; *) echo "expected '$want' in the message"; exit 1 ;; esac
