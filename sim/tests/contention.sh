#!/bin/sh
# contention.sh NMSIM SCENARIOS - the contention figures of the report
# (issue 12, item 3), from the command line:
#  - vale-4to1 under the concurrent model: the destination ring's lock
#    class (vale.rx_ring) has contended acquisitions with waiting time, and
#    the receiver's RX ring shows lease overlap (JSON and text);
#  - ptnet-vale-preempt: its shared host CPU reports preemptions;
#  - two-senders-one-link: every packet accounted for, both senders'
#    packets delivered.
set -eu
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nmsim" run "$dir/vale-4to1.yaml" --set sim.model=concurrent \
	--json "$tmp/4to1.json" > "$tmp/4to1.txt"
grep -q '^  locks ' "$tmp/4to1.txt"
grep -q '^    vale.rx_ring .* contended  *[1-9]' "$tmp/4to1.txt"
grep -q '^    vale0:rx .* overlap [1-9][0-9]* times' "$tmp/4to1.txt"
python3 - "$tmp/4to1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = [l for l in d["locks"] if l["class"] == "vale.rx_ring"][0]
assert c["contended"] > 0 and c["wait_ns"] > 0, c
r = [x for x in d["rx_rings"] if x["port"] == "vale0:rx"][0]
assert r["lock_wait_ns"] > 0 and r["overlaps"] > 0 and r["overlap_ns"] > 0, r
assert 2 <= r["max_holders"] <= 4, r
PY

"$nmsim" run "$dir/ptnet-vale-preempt.yaml" --json "$tmp/pre.json" > "$tmp/pre.txt"
grep -q '^  cpu h0/0 busy .* preemptions [1-9]' "$tmp/pre.txt"
python3 - "$tmp/pre.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cpus"][0]["preemptions"] > 0, d["cpus"]
assert d["concurrency"]["preemptions"] == sum(c["preemptions"] for c in d["cpus"])
PY

"$nmsim" run "$dir/two-senders-one-link.yaml" --json "$tmp/link.json" > /dev/null
python3 - "$tmp/link.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and d["finished"] and d["in_flight"] == 0, d["warnings"]
assert d["packets_in"] == d["packets_out"] + d["drops"]["total"]
assert d["invariants"]["conservation"]["violations"] == 0
s = [e for e in d["endpoints"] if e["role"] == "sender"]
assert len(s) == 2 and all(e["delivered"] > 0 for e in s), s
assert sum(e["delivered"] for e in s) == d["packets_out"], s
PY
echo "contention figures ok"
