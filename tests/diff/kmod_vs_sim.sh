#!/usr/bin/env bash
# kmod_vs_sim.sh CONSOLE NMSIM GEN_TRACE PCAP_DIGEST SCENARIOS vale|pipe|vale-csb|pipe-csb
#
# Differential replay, the kernel module's leg (issue 19): the guest step
# diff-replay KIND (kmod/clients/diff_replay.c) printed "NMDIFF KIND ..."
# digest lines on the QEMU console (kmod.qemu, this test's fixture); they
# must equal nmsim's digest of the same trace (nm-gen-trace) through the
# same topology (tests/diff/topology.sh).
set -euo pipefail
console=$1 nmsim=$2 gen=$3 digest=$4 scen=$5 kind=$6
. "$(dirname "$0")/topology.sh"
scenario=$(diff_scenario "$kind")
[ -f "$console" ] || { echo "no console log $console (kmod.qemu did not run)"; exit 1; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"

"$gen" trace.pcap
"$nmsim" run "$scen/$scenario.yaml" --trace trace.pcap --pcap-out sim --quiet
"$digest" sim/rx.pcap > sim.txt
tr -d '\r' < "$console" | sed -n "s/^NMDIFF $kind //p" > kmod.txt
[ -s kmod.txt ] || { echo "no NMDIFF $kind lines on the console"; exit 1; }
cat kmod.txt
if ! diff -u sim.txt kmod.txt; then
	echo "FAILED: nmlab.ko and the simulator delivered different frames ($kind)"
	exit 1
fi
echo "nmlab.ko and nmsim agree ($kind): $(grep -c . kmod.txt) lines"
