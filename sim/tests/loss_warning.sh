#!/usr/bin/env bash
# loss_warning.sh NMSIM DATA_DIR: a run that loses packets says so.  A
# two-way capture replayed as captured (trace.addresses=keep) through the
# embedded default delivers 1 of 1000 frames (the sender's port learns both
# MACs, so the switch sends the rest back to it): the text report shows the
# loss beside the rate and a warning line naming the reason and its share,
# the JSON carries the same warning, and a clean run has neither.  By
# default the capture is readdressed and every frame arrives.
set -u
nmsim=$1 data=$2
fail=0
keep=(--set trace.addresses=keep)
out=$("$nmsim" run --trace "$data/two-way.pcap" "${keep[@]}") || { echo "nmsim failed"; exit 1; }
printf '%s\n' "$out" | grep -q '^  throughput .*, loss 99.90%$' || { echo "no loss beside the rate"; fail=1; }
printf '%s\n' "$out" | grep -q '^  warning    99.90% of the packets were dropped: switch: destination MAC learnt on the sending port (999 of 1000)$' ||
	{ echo "no warning line"; fail=1; }
"$nmsim" run --trace "$data/two-way.pcap" "${keep[@]}" --quiet --json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
w = d["warnings"]
assert len(w) == 1 and w[0]["reason"] == "switch_self" and w[0]["packets"] == 999, w
assert d["drops"]["switch_self"] == 999 and d["drops"]["total"] == 999, d["drops"]
assert abs(d["loss_percent"] - 99.9) < 1e-9, d["loss_percent"]
' || { echo "JSON lacks the warning"; fail=1; }
"$nmsim" run --trace "$data/two-way.pcap" --strict --quiet --json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["packets_out"] == 1000 and d["drops"]["total"] == 0 and d["warnings"] == [], d
' || { echo "the readdressed capture did not arrive whole"; fail=1; }
clean=$("$nmsim" run --set trace.packets=2000) || { echo "clean run failed"; fail=1; }
printf '%s\n' "$clean" | grep -q '^  warning' && { echo "warning on a clean run"; fail=1; }
[ "$fail" = 0 ] && echo "loss reported"
exit "$fail"
