#!/usr/bin/env bash
# research.sh NMSIM SCENARIOS CASE: the researcher's commands (issue 15).
#   grid     a 2x2 grid, --seeds 1..3, -j 2, --csv: 12 tidy rows with loss
#            columns, the same table and CSV as -j 1, JSON that parses
#   shard    shards 1/2 and 2/2 merged equal the local sweep (table, CSV, JSON)
#   interval run --interval: a time series in JSON and CSV, the same
#            fingerprint as the run without it
#   meta     the JSON report carries version, scenario hash, overrides,
#            in flight, latency percentiles and bins, device options
#   flows    run --flows: per-flow counts add up to the run's
#   ci       the table's mean and 95% interval over seeds (Student t)
#   list     --version, list and check
set -euo pipefail
nmsim=$1 S=$2 case=$3
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
grid=(sweep "$S/host-vale.yaml" endpoints.tx.batch=8,64 trace.size=60..1000+940
      --seeds 1..3 --set trace.packets=2000)
case $case in
grid)
	"$nmsim" "${grid[@]}" -j 2 --csv a.csv --json a.json > a.txt
	"$nmsim" "${grid[@]}" -j 1 --csv b.csv --json b.json > b.txt
	cat a.txt
	[ "$(wc -l < a.csv)" = 13 ] || { echo "expected 12 rows and a header"; exit 1; }
	head -1 a.csv | grep -q ',drops,loss_percent,in_flight,'
	cmp a.txt b.txt && cmp a.csv b.csv && cmp a.json b.json
	python3 -m json.tool a.json > /dev/null
	[ "$(grep -c ' 3 ' a.txt)" = 4 ] ;;
shard)
	"$nmsim" "${grid[@]}" --csv l.csv --json l.json > l.txt
	"$nmsim" "${grid[@]}" --shard 1/2 --out s1
	"$nmsim" "${grid[@]}" --shard 2/2 --out s2
	"$nmsim" merge s1 s2 --csv m.csv --json m.json > m.txt
	cmp l.txt m.txt && cmp l.csv m.csv && cmp l.json m.json
	# A shard missing is one line and exit 2, not a short table.
	set +e
	err=$("$nmsim" merge s1 2>&1 >/dev/null); rc=$?
	set -e
	[ "$rc" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]
	case $err in *"is missing or twice"*) ;; *) echo "merge s1: $err"; exit 1 ;; esac ;;
interval)
	"$nmsim" run "$S/host-vale.yaml" --set trace.packets=5000 --interval 20000 \
		--json i.json --csv i.csv --plot i.svg --quiet
	grep -q '<svg' i.svg
	"$nmsim" run "$S/host-vale.yaml" --set trace.packets=5000 --json p.json --quiet
	python3 - i.json p.json i.csv <<'PY'
import json, sys
i, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows = open(sys.argv[3]).read().splitlines()
assert len(i["series"]) >= 2, i["series"]
assert len(rows) == len(i["series"]) + 1 and rows[0].startswith("t_ns,"), rows[:2]
assert sum(s["delivered"] for s in i["series"]) == i["packets_out"]
assert i["fingerprint"] == p["fingerprint"], (i["fingerprint"], p["fingerprint"])
PY
	;;
meta)
	"$nmsim" run "$S/e1000.yaml" --set trace.packets=2000 --seed 7 --json m.json --quiet
	python3 - m.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["nmsim_version"] and len(j["scenario_fnv1a64"]) == 16
assert j["overrides"] == ["trace.packets=2000"] and j["seed"] == 7
assert j["in_flight"] == j["packets_in"] - j["packets_out"] - j["drops"]["total"]
l = j["latency_ns"]
assert l["min"] <= l["p50"] <= l["p90"] <= l["p99"] <= l["p99_9"] <= l["max"]
assert sum(c for _, c in l["histogram"]) == j["packets_out"]
assert any(e["options"] for e in j["endpoints"])
PY
	;;
flows)
	"$nmsim" run "$S/vale-1to4.yaml" --set trace.packets=4000 --flows --json f.json > f.txt
	grep -q '^  flows ' f.txt
	python3 - f.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f = j["flows"]
assert len(f) >= 2, f
assert sum(x["delivered"] for x in f) == j["packets_out"]
assert sum(x["injected"] for x in f) == j["packets_in"]
assert sum(x["drops"] for x in f) == j["drops"]["total"]
for x in f:
    l = x["latency_ns"]
    assert x["delivered"] == 0 or 0 < l["p50"] <= l["p99"] <= l["max"]
PY
	;;
ci)
	# Three seeds at 1, 2 and 3 Mpps: mean 2, s = 1, and the 95% interval
	# t(0.975, 2) * s / sqrt(3) = 4.303 / 1.732 = 2.484.
	mkdir r
	for i in 0 1 2; do
		printf '{"run": %d, "runs_total": 3, "seed": %d, "param_names": ["x"], "params": {"x": "a"}, "mpps": %d, "ok": true, "drops": {"total": %d}, "loss_percent": %d}\n' \
			"$i" "$((i + 1))" "$((i + 1))" "$i" "$i" > "r/run-00000$i.json"
	done
	"$nmsim" merge r --json ci.json > ci.txt
	cat ci.txt
	grep -Eq '^a +3 +2\.000 +2\.484 +1 +1\.000 ' ci.txt
	python3 -c 'import json,sys; s=json.load(open("ci.json"))["summary"][0]; assert abs(s["mpps_ci95"]-2.4843)<1e-3, s' ;;
list)
	"$nmsim" --version | grep -Eq '^nmsim [0-9.]+ \(git [^ ]+\)$'
	# Into files first: grep -q stops reading at its match, and under
	# pipefail the writer's EPIPE would fail the line at random.
	"$nmsim" list devices > devices.txt
	grep -q e1000 devices.txt
	"$nmsim" list keys > keys.txt
	grep -q itr_us keys.txt
	grep -Eq '^  trace.size +integer +60..1514 +60 +bytes ' keys.txt
	grep -Eq '^  hosts.timeslice_us +integer +0..1000000 +750 +us ' keys.txt
	"$nmsim" list costs > costs.txt
	grep -q vmexit_ns costs.txt
	grep -q 'dist   enum     none|normal|exp|uniform' costs.txt
	# costs.jitter makes --seed matter on a 1:1 scenario (issue 15).
	a=$("$nmsim" run "$S/host-vale.yaml" --seed 1 --json - | grep -o '"fingerprint": "[0-9a-f]*"')
	b=$("$nmsim" run "$S/host-vale.yaml" --seed 2 --json - | grep -o '"fingerprint": "[0-9a-f]*"')
	[ "$a" = "$b" ]
	a=$("$nmsim" run "$S/host-vale.yaml" --seed 1 --set costs.jitter.wakeup_ns.dist=exp --json - | grep -o '"fingerprint": "[0-9a-f]*"')
	b=$("$nmsim" run "$S/host-vale.yaml" --seed 2 --set costs.jitter.wakeup_ns.dist=exp --json - | grep -o '"fingerprint": "[0-9a-f]*"')
	[ "$a" != "$b" ]
	NMSIM_SCENARIOS=$S "$nmsim" list scenarios > scenarios.txt
	grep -q e1000.yaml scenarios.txt
	"$nmsim" list > all.txt && grep -q '^costs' all.txt
	"$nmsim" check "$S/e1000.yaml" | grep -q ': ok$'
	"$nmsim" check --set trace.packets=10 ;;
*) echo "unknown case $case"; exit 1 ;;
esac
echo "research $case: ok"
