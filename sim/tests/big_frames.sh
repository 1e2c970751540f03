#!/usr/bin/env bash
# big_frames.sh NMSIM SCENARIO_DIR: frames over the old fixed 2048-byte
# port buffers cross every kind of port whole: 3000-byte frames with
# buf_size 4096 through each datapath, and 60000-byte frames with
# buf_size 65536 on 8-slot rings (where a copy into a 2048-byte buffer
# runs off the end of the region).  Issue 14: 60000-byte frames with the
# default buf_size 2048 travel as NS_MOREFRAG chains of 30 slots through
# every datapath; e1000 (no frame over its jumbo limit, 16128 bytes)
# drops each one as device_over_mtu, a link (one NIC buffer per frame) as
# link_too_big.  Each run accounts for every frame, the payload invariant
# holds on what arrives (under ASan an overflow fails), and a delivered
# chain is written whole to the pcap sink.
set -u
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$(dirname "$0")/pcap_write.py" "$tmp/big.pcap" 3000 8 1000 || exit 1
python3 "$(dirname "$0")/pcap_write.py" "$tmp/huge.pcap" 60000 8 1000 || exit 1
python3 "$(dirname "$0")/pcap_write.py" "$tmp/max.pcap" 65536 8 1000 || exit 1
small=(--set endpoints.tx.batch=4 --set endpoints.rx.batch=4
       --set endpoints.tx.slots=8 --set endpoints.rx.slots=8)
fail=0
run() { # run NAME DELIVERED REASON ARGS...: expect DELIVERED of 8 delivered,
	# the rest dropped for REASON (- when none may be)
	local name=$1 want=$2 reason=$3 out rc
	shift 3
	out=$("$nmsim" run "$@" --quiet --json - 2>"$tmp/err")
	rc=$?
	if ! printf '%s\n' "$out" | python3 -c '
import json, sys
name, want, reason = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = json.load(sys.stdin)
drops = {k: v for k, v in d["drops"].items() if v and k != "total"}
print("%s: delivered %d of 8, drops %s" % (name, d["packets_out"], drops))
assert d["ok"] and d["packets_in"] == 8 and d["in_flight"] == 0
assert d["packets_out"] == want, d["packets_out"]
assert drops == ({} if want == 8 else {reason: 8 - want}), drops
' "$name" "$want" "$reason"; then
		echo "$name: status $rc"
		head -c 2000 "$tmp/err"
		fail=1
	fi
}
for sc in host-vale host-pipe e1000 ptnet-vale ptnet-pipe virtio xen two-switch-link; do
	run "$sc 3000 B" 8 - "$dir/$sc.yaml" --trace "$tmp/big.pcap" --set buf_size=4096
done
for sc in host-vale host-pipe ptnet-pipe; do
	run "$sc 60000 B" 8 - "$dir/$sc.yaml" --trace "$tmp/huge.pcap" --set buf_size=65536 "${small[@]}"
done
# 65536 bytes in 65536-byte buffers: a slot's length is 16 bits, so the
# frame is a chain of 65535 + 1 bytes (one slot of length 0 lost it all).
small64=("${small[@]/=8/=16}")
for sc in host-vale host-pipe; do
	run "$sc 65536 B" 8 - "$dir/$sc.yaml" --trace "$tmp/max.pcap" --set buf_size=65536 "${small64[@]}"
done
run "e1000 60000 B" 0 device_over_mtu "$dir/e1000.yaml" --trace "$tmp/huge.pcap" \
	--set buf_size=65536 "${small[@]}"
# Chains of 30 slots of 2048 bytes.
for sc in host-vale host-pipe ptnet-vale ptnet-pipe virtio virtio-flags xen xen-fast; do
	run "$sc 60000 B chains" 8 - "$dir/$sc.yaml" --trace "$tmp/huge.pcap"
done
# The Xen plugin's two paths (its classifier sends these frames, which
# have no TCP/UDP port, slow; all sends them fast): netfront copies the
# chains slot by slot into either path's ring.
for acc in all none; do
	run "xen-accel-split accel $acc 3000 B" 8 - "$dir/xen-accel-split.yaml" \
		--trace "$tmp/big.pcap" --set buf_size=4096 --set endpoints.tx.accel=$acc
	run "xen-accel-split accel $acc 60000 B chains" 8 - "$dir/xen-accel-split.yaml" \
		--trace "$tmp/huge.pcap" --set endpoints.tx.accel=$acc
done
for sc in e1000 e1000-stock e1000-csb; do
	run "$sc 60000 B chains" 0 device_over_mtu "$dir/$sc.yaml" --trace "$tmp/huge.pcap"
done
run "two-switch-link 60000 B chains" 0 link_too_big "$dir/two-switch-link.yaml" --trace "$tmp/huge.pcap"
# The sink writes a chain's frame whole: the capture equals the input.
"$nmsim" run "$dir/ptnet-vale.yaml" --trace "$tmp/huge.pcap" --quiet \
	--set trace.addresses=keep --pcap-out "$tmp/out" || fail=1
"$nmsim" run "$dir/host-pipe.yaml" --trace "$tmp/max.pcap" --quiet \
	--set trace.addresses=keep --set buf_size=65536 "${small64[@]}" \
	--pcap-out "$tmp/out64" || fail=1
for pair in "huge.pcap out/rx.pcap" "max.pcap out64/rx.pcap"; do
set -- $pair
python3 - "$tmp/$1" "$tmp/$2" <<'PY' || { echo "sink: frames differ"; fail=1; }
import struct, sys
def frames(p):
    b = open(p, "rb").read()
    o, out = 24, []
    while o < len(b):
        cap = struct.unpack_from("<I", b, o + 8)[0]
        out.append(b[o + 16:o + 16 + cap])
        o += 16 + cap
    return out
a, b = frames(sys.argv[1]), frames(sys.argv[2])
assert len(a) == len(b) == 8 and a == b, (len(a), len(b), [len(x) for x in b])
print("sink: 8 frames of %d bytes written whole" % len(a[0]))
PY
done
exit $fail
