#!/usr/bin/env bash
# offload.sh NMSIM SCENARIO_DIR TRACES_DIR: the offload scenarios
# (virtio-net header, TSO) replay the checked-in capture with --strict,
# and what the receiver's pcap sink wrote is checked independently
# (offload_pcap.py: its own parser and RFC 1071 sums; tshark's checksum
# validation too where tshark is installed):
#  - ptnet-offload-seg (to a guest without a header): more frames than
#    packets (the switch segmented), every frame within 14 + MTU 1500
#    bytes, every IPv4, TCP, UDP and ICMP checksum valid, each flow's
#    payload bytes those of the capture; and a copy of that pcap with one
#    payload byte flipped is refused (the check can fail);
#  - virtio-offload-seg and virtio-offload: the same checks of their pcaps;
#  - ptnet-offload (both with headers): frames whole (some over 1514
#    bytes), as many as packets, each flow's payload the capture's;
#  - the payload throughput of the whole frames is above the segmented
#    one's (the switch's per-segment and checksum work, the receiver's
#    per-frame work).
set -u
nmsim=$1 scenarios=$2 traces=$3
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "offload: $*"; exit 1; }
run() { # NAME: run scenario NAME into $d/NAME (pcap) and $d/NAME.json
	mkdir -p "$d/$1"
	"$nmsim" run "$scenarios/$1.yaml" --strict --quiet --json "$d/$1.json" \
		--pcap-out "$d/$1" || fail "$1: nmsim exit status $?"
	python3 - "$d/$1.json" "$1" <<'PY' || fail "$1: report"
import json, sys
d = json.load(open(sys.argv[1]))
name = sys.argv[2]
print("%s: in %d out %d dropped %d, %d frames at the receiver, %.3f Gbit/s payload, %.3f Gbit/s wire, %.3f Mpps"
      % (name, d["packets_in"], d["packets_out"], d["drops"]["total"], d["frames_out"],
         d["gbps_payload"], d["gbps_wire"], d["mpps"]))
assert d["ok"] and d["finished"] and d["in_flight"] == 0
assert d["packets_in"] == d["packets_out"] + d["drops"]["total"]
assert d["drops"]["total"] / d["packets_in"] < 0.01
for inv in d["invariants"].values() if isinstance(d["invariants"], dict) else d["invariants"]:
    assert inv["violations"] == 0, inv
PY
}
run ptnet-offload-seg
run ptnet-offload
run virtio-offload-seg
run virtio-offload
loops=50
chk="$(dirname "$0")/offload_pcap.py"
# The virtio variants: the same pcaps (vhost copies chains as they are).
python3 "$chk" --trace "$traces/lo-us.pcap" --loops $loops --rx "$d/virtio-offload-seg/rx.pcap" \
	--mtu 1500 --csum --segmented || fail "virtio segmented pcap"
python3 "$chk" --trace "$traces/lo-us.pcap" --loops $loops --rx "$d/virtio-offload/rx.pcap" \
	|| fail "virtio whole pcap"
python3 "$chk" --trace "$traces/lo-us.pcap" --loops $loops --rx "$d/ptnet-offload-seg/rx.pcap" \
	--mtu 1500 --csum --segmented || fail "segmented pcap"
python3 "$chk" --trace "$traces/lo-us.pcap" --loops $loops --rx "$d/ptnet-offload/rx.pcap" \
	|| fail "whole pcap"
python3 - "$d" <<'PY' || fail "frames, or throughput"
import json, struct, sys
d = sys.argv[1]
seg = json.load(open(d + "/ptnet-offload-seg.json"))
whole = json.load(open(d + "/ptnet-offload.json"))
assert seg["frames_out"] > seg["packets_out"], "nothing segmented"
assert whole["frames_out"] == whole["packets_out"], "frames cut on the whole path"
b = open(d + "/ptnet-offload/rx.pcap", "rb").read()
o, big = 24, 0
while o < len(b):
    cl = struct.unpack_from("<I", b, o + 8)[0]
    big += cl > 1514
    o += 16 + cl
assert big > 0, "no frame over 1514 bytes passed whole"
assert whole["gbps_payload"] > seg["gbps_payload"], (whole["gbps_payload"], seg["gbps_payload"])
print("whole: %d frames over 1514 bytes; payload %.3f Gbit/s whole > %.3f segmented"
      % (big, whole["gbps_payload"], seg["gbps_payload"]))
# The check can fail: one payload byte of the first long TCP frame flipped.
b = bytearray(open(d + "/ptnet-offload-seg/rx.pcap", "rb").read())
o = 24
while o < len(b):
    cl = struct.unpack_from("<I", b, o + 8)[0]
    if cl > 1000 and b[o + 16 + 23] == 6:
        b[o + 16 + cl - 100] ^= 0x40
        break
    o += 16 + cl
open(d + "/bad.pcap", "wb").write(b)
PY
if python3 "$chk" --trace "$traces/lo-us.pcap" --loops $loops --rx "$d/bad.pcap" \
	--mtu 1500 --csum > "$d/bad.txt" 2>&1; then
	fail "a flipped payload byte was not noticed"
fi
grep -q "checksum invalid" "$d/bad.txt" || fail "flipped byte: $(cat "$d/bad.txt")"
if command -v tshark > /dev/null; then
	t=$(tshark -r "$d/ptnet-offload-seg/rx.pcap" -o tcp.check_checksum:TRUE \
		-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-T fields -e ip.checksum.status -e tcp.checksum.status 2> /dev/null) ||
		fail "tshark could not read the pcap"
	# Status 1 is good, 0 bad (2: not checked, e.g. a fragment's L4).
	bad=$(printf '%s\n' "$t" | grep -c '\b0\b')
	good=$(printf '%s\n' "$t" | awk -F'\t' '$2 == 1' | wc -l)
	[ "$bad" = 0 ] && [ "$good" -gt 0 ] || fail "tshark: $bad bad checksums, $good good TCP ones"
	echo "tshark: $good TCP frames with good checksums, none bad"
else
	echo "tshark: not installed, its check skipped"
fi
echo "offload: ok"
