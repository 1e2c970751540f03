#!/usr/bin/env bash
# backends.sh NMSIM SCENARIO_DIR CASE: the VMM backends (docs/simulator.md,
# "Backends") show the published direction, each run clean (no violation,
# every packet accounted for):
#   tap       e1000 and virtio through a tap and the host bridge are slower
#             than through VALE; one host copy each way and no switch copy;
#             e1000 (a userspace VMM) makes a write() per frame, vhost none;
#             chains (3000-byte frames in 2048-byte buffers) arrive whole
#   tapfull   a slow receiver behind a short tap queue: drops counted as
#             tap_queue_full, conservation holds
#   hint      more_hint: frames per txsync grow from 1 to a burst, fewer
#             system calls, more packets per second (e1000, one packet per
#             TDT write)
#   indirect  indirect: the VMM's copy per packet goes from 1 to 0 and the
#             switch's stays 1 at 1514 bytes (it copies the payload from
#             guest memory straight into the destination; 2 at 60 bytes,
#             where it copies a short frame into the slot first), chains of
#             indirect slots arrive whole,
#             and the guest's descriptors complete only after the txsync
#             that consumed them (e1000 with the hint: an interrupt per
#             burst, not per TDT write)
set -u
nmsim=$1
dir=$2
case=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: the run's JSON into $tmp/NAME.json, checked clean.
run() {
	local name=$1
	shift
	"$nmsim" run "$@" --quiet --json "$tmp/$name.json" 2>"$tmp/$name.err" ||
		{ echo "$name: status $?"; head -c 2000 "$tmp/$name.err"; exit 1; }
	python3 - "$tmp/$name.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and d["in_flight"] == 0, (d["ok"], d["in_flight"])
assert d["packets_in"] == d["packets_out"] + d["drops"]["total"]
PY
}
# check PYTHON: assertions over runs r (name -> JSON) and ep(name, who).
check() {
	python3 - "$tmp" "$1" <<'PY'
import json, os, sys
tmp, code = sys.argv[1], sys.argv[2]
r = {f[:-5]: json.load(open(os.path.join(tmp, f))) for f in os.listdir(tmp) if f.endswith(".json")}
def ep(name, who):
    return next(e for e in r[name]["endpoints"] if e["name"] == who)
def cp(name, who, by):
    return ep(name, who)["backend"]["copies_per_pkt"][by]
for n in sorted(r):
    d = r[n]
    print("%-14s %.3f Mpps, drops %s" % (n, d["mpps"], {k: v for k, v in d["drops"].items() if v and k != "total"}),
          "| " + "; ".join("%s: txsyncs %d (%.1f frames), copies/pkt device %.2f switch %.2f host %.2f, syscalls %d" %
                           (e["name"], e["backend"]["txsyncs"], e["backend"]["frames_per_txsync"],
                            e["backend"]["copies_per_pkt"]["device"], e["backend"]["copies_per_pkt"]["switch"],
                            e["backend"]["copies_per_pkt"]["host"], e["syscalls"]) for e in d["endpoints"]))
exec(code)
PY
}

case $case in
tap)
	python3 "$(dirname "$0")/pcap_write.py" "$tmp/big.pcap" 3000 64 1000 || exit 1
	for d in e1000 virtio; do
		run "$d" "$dir/$d.yaml"
		run "$d-tap" "$dir/$d-tap.yaml"
		run "$d-tap-chain" "$dir/$d-tap.yaml" --trace "$tmp/big.pcap"
	done
	rm -f "$tmp/big.pcap"
	check '
for d in ("e1000", "virtio"):
    assert r[d + "-tap"]["mpps"] < 0.5 * r[d]["mpps"], d
    for who in ("tx", "rx"):
        assert abs(cp(d + "-tap", who, "host") - 1) < 1e-9 and cp(d + "-tap", who, "switch") == 0, (d, who)
        assert cp(d + "-tap", who, "device") == 0 and cp(d, who, "device") == 1, (d, who)
    assert r[d + "-tap-chain"]["packets_out"] == 64 and r[d + "-tap-chain"]["drops"]["total"] == 0, d
# a write() per frame from the userspace VMM (e1000), none from vhost
# (the netmap run: the application'"'"'s syscalls plus one per txsync)
app = ep("e1000", "tx")["syscalls"] - ep("e1000", "tx")["backend"]["txsyncs"]
assert ep("e1000-tap", "tx")["syscalls"] == app + 20000
assert ep("virtio-tap", "tx")["syscalls"] == ep("virtio", "tx")["syscalls"]
' ;;
tapfull)
	run slow "$dir/virtio-tap.yaml" --set endpoints.rx.pkt_work_ns=1000 --set endpoints.rx.txqueuelen=64
	run fast "$dir/virtio-tap.yaml" --set endpoints.rx.txqueuelen=64
	check '
s = r["slow"]["drops"]
assert s["tap_queue_full"] > 0 and s["total"] == s["tap_queue_full"], s
assert r["fast"]["drops"]["total"] == 0
assert ep("slow", "tx")["backend"]["drops_tap_queue_full"] == s["tap_queue_full"]
' ;;
hint)
	run off "$dir/e1000-more-hint.yaml" --set endpoints.tx.more_hint=false
	run on "$dir/e1000-more-hint.yaml"
	check '
off, on = ep("off", "tx")["backend"], ep("on", "tx")["backend"]
assert off["frames_per_txsync"] == 1, off
assert on["frames_per_txsync"] >= 100, on
assert ep("on", "tx")["syscalls"] < 0.6 * ep("off", "tx")["syscalls"]
assert r["on"]["mpps"] > r["off"]["mpps"]
' ;;
indirect)
	run off "$dir/virtio-indirect.yaml" --set endpoints.tx.indirect=false
	run on "$dir/virtio-indirect.yaml"
	run e1000-on "$dir/e1000.yaml" --set endpoints.tx.indirect=true --set trace.size=1514
	python3 "$(dirname "$0")/pcap_write.py" "$tmp/big.pcap" 3000 64 1000 || exit 1
	run chain "$dir/virtio-indirect.yaml" --trace "$tmp/big.pcap" --set endpoints.tx.more_hint=true
	rm -f "$tmp/big.pcap"
	run hint "$dir/e1000-more-hint.yaml"
	run hint-indirect "$dir/e1000-more-hint.yaml" --set endpoints.tx.indirect=true
	check '
# completion when the switch has consumed the frames: e1000 interrupts
# when cons moves, so with the deferred txsync once per burst, not per
# TDT write
n = r["hint"]["packets_out"]
assert ep("hint", "tx")["interrupts"] > 0.9 * n
assert ep("hint-indirect", "tx")["interrupts"] < 0.05 * n
assert cp("hint-indirect", "tx", "device") == 0
# chains of NS_INDIRECT slots (3000-byte frames, 2048-byte buffers) whole
assert r["chain"]["packets_out"] == 64 and r["chain"]["drops"]["total"] == 0
assert cp("off", "tx", "device") == 1 and cp("on", "tx", "device") == 0
assert cp("e1000-on", "tx", "device") == 0
# the core copies an NS_INDIRECT payload once, from guest memory into the
# destination (docs/vale.md, "Indirect buffers"): one copy per delivered
# packet; the sender, one copy lighter, now outruns the receiving guest a
# little, whose full ring VALE drops at (and only there)
on = r["on"]
assert abs(cp("off", "tx", "switch") - 1) < 1e-9
assert abs(cp("on", "tx", "switch") * on["packets_in"] - on["packets_out"]) < 1e-6
assert abs(cp("e1000-on", "tx", "switch") - 1) < 1e-9
assert r["off"]["packets_out"] == on["packets_in"] == 20000
assert on["drops"]["total"] == on["drops"]["switch_rx_full"] < 0.05 * 20000
assert on["mpps"] > r["off"]["mpps"]
# short frames take the fallback: copied into the slot, then delivered
assert abs(cp("hint-indirect", "tx", "switch") - cp("hint", "tx", "switch") - 1) < 1e-9
' ;;
*) echo "unknown case $case"; exit 1 ;;
esac
