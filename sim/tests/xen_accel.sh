#!/usr/bin/env bash
# xen_accel.sh NMSIM SCENARIO_DIR: the Xen accelerator plugin's report and
# invariants (issue 18 item 5).  Split: both paths carry packets, their
# sum is what the sender sent, the classifier's rules are complements, no
# loss, no reorder.  Migrate: the withdraw and the restore both happen and
# drain, frames were held, nothing lost or reordered.  Naive: the same
# migration without the drain fails the flow-order invariant (the checker
# is live).
set -u
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

run() { # run NAME OUT [options]: a run that must succeed
	local sc=$1 out=$2
	shift 2
	"$nmsim" run "$dir/$sc.yaml" --quiet --json "$out" "$@" ||
		fail "$sc $*: exit status $?"
}

# The keys are listed, in columns (the longest device key names fit).
"$nmsim" list keys > "$tmp/keys.txt"
for k in "accel  +enum +off\|all\|none\|even\|odd +off +-" \
	"accel_withdraw_us  +integer +0..3600000000 +0 +us" \
	"accel_restore_us  +integer +0..3600000000 +0 +us" \
	"accel_switch  +enum +drain\|naive +drain +-"; do
	grep -Eq "^  $k +xen\$" "$tmp/keys.txt" || fail "nmsim list keys: no line like '$k'"
done
run xen-accel-split "$tmp/even.json"
run xen-accel-split "$tmp/odd.json" --set endpoints.tx.accel=odd
run xen-accel-split "$tmp/all.json" --set endpoints.tx.accel=all
run xen-accel-split "$tmp/none.json" --set endpoints.tx.accel=none
run xen-migrate "$tmp/migrate.json"
# A capture of TCP, UDP and ICMP with 9 KB frames: chains of up to 9
# slots cross both paths and both switch-overs whole and in order.
run xen-migrate "$tmp/capture.json" --trace "$dir/../traces/any-ns.pcap" \
	--set trace.loops=100 --set buf_size=1024 \
	--set endpoints.tx.accel_withdraw_us=300 --set endpoints.tx.accel_restore_us=900
python3 - "$tmp" <<'PY' || exit 1
import json, sys
d = sys.argv[1]
def load(n):
    with open(f"{d}/{n}.json") as f:
        return json.load(f)
def tx(r):
    return next(e for e in r["endpoints"] if e["name"] == "tx")
def clean(name, r):
    assert r["ok"], name
    assert r["drops"]["total"] == 0, (name, r["drops"])
    inv = r["invariants"]
    for k, v in inv.items():
        assert v["violations"] == 0, (name, k, v)
    assert inv["flow_order"]["checked"] == r["packets_out"] > 0, (name, inv)
    assert inv["no_lost_notification"]["checked"] > 0, name
    a = tx(r)["accel"]
    assert a["paths"]["slow"]["packets"] + a["paths"]["fast"]["packets"] == tx(r)["packets"], (name, a)
    return a
even = clean("even", load("even"))
odd = clean("odd", load("odd"))
assert even["paths"]["slow"]["packets"] > 0 and even["paths"]["fast"]["packets"] > 0, even
assert even["paths"]["fast"]["mpps"] > 0 and even["paths"]["slow"]["mpps"] > 0, even
assert odd["paths"]["fast"]["packets"] == even["paths"]["slow"]["packets"], (odd, even)
assert odd["paths"]["slow"]["packets"] == even["paths"]["fast"]["packets"], (odd, even)
assert not even["withdraw"]["requested"] and not even["restore"]["requested"], even
assert even["present"] and even["held_max"] == 0, even
assert clean("all", load("all"))["paths"]["slow"]["packets"] == 0
assert clean("none", load("none"))["paths"]["fast"]["packets"] == 0
m = clean("migrate", load("migrate"))
for so, t in (("withdraw", 1000000), ("restore", 3000000)):
    s = m[so]
    assert s["requested"] and s["begun"] and s["done"], (so, s)
    assert s["requested_ns"] == t, (so, s)
    assert t <= s["begun_ns"] <= s["done_ns"], (so, s)
    assert s["switch_ns"] == s["done_ns"] - t, (so, s)
assert m["withdraw"]["pending_slots"] > 0 and m["restore"]["pending_slots"] > 0, m
assert m["restore"]["held"] > 0 and m["held_max"] > 0, m
assert m["present"], m
assert m["paths"]["slow"]["packets"] > 0 and m["paths"]["fast"]["packets"] > 0, m
c = clean("capture", load("capture"))
assert c["withdraw"]["done"] and c["restore"]["done"] and c["held_max"] > 0, c
# Here both directions hold frames (in xen-migrate the withdraw's come
# while netback's full ring stops the queue, so none is held there).
assert c["withdraw"]["held"] > 0 and c["restore"]["held"] > 0, c
assert c["paths"]["slow"]["packets"] > 0 and c["paths"]["fast"]["packets"] > 0, c
print("split: slow %d fast %d packets; migrate: withdraw %d ns, restore %d ns, %d held"
      % (even["paths"]["slow"]["packets"], even["paths"]["fast"]["packets"],
         m["withdraw"]["switch_ns"], m["restore"]["switch_ns"], m["restore"]["held"]))
PY
# The naive switch-over reorders a moving flow: the run must fail, and
# fail on flow_order.
"$nmsim" run "$dir/xen-migrate.yaml" --set endpoints.tx.accel_switch=naive \
	--quiet --json "$tmp/naive.json" 2>"$tmp/naive.err" && fail "naive switch-over passed"
grep -q "invariant flow_order violated" "$tmp/naive.err" ||
	fail "naive switch-over: $(cat "$tmp/naive.err")"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["ok"] and r["invariants"]["flow_order"]["violations"] > 0, r["invariants"]
' "$tmp/naive.json" || fail "naive: the report does not show the flow_order violation"
echo "naive switch-over caught: $(head -c 200 "$tmp/naive.err")"
