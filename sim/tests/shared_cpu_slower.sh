#!/usr/bin/env bash
# shared_cpu_slower.sh NMSIM SCENARIO: the scenario as written (the two
# kloops pinned to host CPU 0) must succeed with no violation and a lower
# simulated Mpps than the same scenario with the receiver's kloop on CPU 1.
set -u
nmsim=$1
sc=$2
mpps() {
	local out
	out=$("$nmsim" run "$sc" "$@" --quiet --json -) || { echo "run $* failed (status $?)" >&2; return 1; }
	printf '%s\n' "$out" | grep -q '"violations": [1-9]' && { echo "run $*: a violation" >&2; return 1; }
	printf '%s\n' "$out" | sed -n 's/^  "mpps": \([0-9.e+-]*\),*$/\1/p'
}
shared=$(mpps) || exit 1
separate=$(mpps --set endpoints.rx.kloop_cpu=1) || exit 1
echo "kloops on one CPU: $shared Mpps; on two: $separate Mpps"
[ -n "$shared" ] && [ -n "$separate" ] || { echo "no figures"; exit 1; }
awk -v a="$shared" -v b="$separate" 'BEGIN { exit !(a < b) }' || { echo "expected the shared CPU to be slower"; exit 1; }
