#!/usr/bin/env bash
# sim_vs_shim.sh NMSIM REPLAY_SHIM PCAP_DIGEST GEN_TRACE SCENARIOS vale|pipe|vale-csb|pipe-csb
#
# Differential replay (issue 19): one trace through the same topology in
# the simulator (nmsim) and in real threads over the shim (nm-replay-shim)
# must deliver the same frames to the receiving port in the same per-flow
# order.  Timing differs; content must not.  Compares the per-flow digests
# (tests/diff/frame_digest.h).  The simulator's scenario per topology:
# tests/diff/topology.sh.
set -euo pipefail
nmsim=$1 replay=$2 digest=$3 gen=$4 scen=$5 kind=$6
. "$(dirname "$0")/topology.sh"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"

"$gen" trace.pcap 3000
scenario=$(diff_scenario "$kind")
"$nmsim" run "$scen/$scenario.yaml" --trace trace.pcap --pcap-out sim --quiet
"$digest" sim/rx.pcap > sim.txt
"$replay" "$kind" trace.pcap > shim.txt
cat sim.txt
grep -qx 'rx total 3000' sim.txt || { echo "sim: not every frame arrived"; exit 1; }
[ "$(grep -vc total sim.txt)" = 6 ] || { echo "sim: expected 6 flows"; exit 1; }
if ! diff -u sim.txt shim.txt; then
	echo "FAILED: the simulator and the shim delivered different frames ($kind)"
	exit 1
fi
echo "sim and shim agree ($kind): $(grep -c . sim.txt) lines"
