#!/usr/bin/env bash
# twice.sh NMSIM SCENARIO [nmsim run options]: run a scenario twice as two
# processes; pass when both runs succeed (no invariant violated, every
# packet accounted for) and print the same fingerprint.
set -u
nmsim=$1
shift
fp=()
for i in 1 2; do
	out=$("$nmsim" run "$@" --quiet --json -) || { echo "run $i failed (status $?)"; exit 1; }
	f=$(printf '%s\n' "$out" | sed -n 's/.*"fingerprint": "\([0-9a-f]*\)".*/\1/p')
	ok=$(printf '%s\n' "$out" | sed -n 's/.*"ok": \(true\|false\).*/\1/p')
	viol=$(printf '%s\n' "$out" | grep -c '"violations": [1-9]')
	[ -n "$f" ] && [ "$ok" = true ] && [ "$viol" = 0 ] || { echo "run $i: ok=$ok violations=$viol fingerprint=$f"; exit 1; }
	fp+=("$f")
done
echo "fingerprints ${fp[0]} ${fp[1]}"
[ "${fp[0]}" = "${fp[1]}" ] || { echo "fingerprints differ"; exit 1; }
