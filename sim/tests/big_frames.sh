#!/usr/bin/env bash
# big_frames.sh NMSIM SCENARIO_DIR: frames over the old fixed 2048-byte
# port buffers cross every kind of port whole: 3000-byte frames with
# buf_size 4096 through each datapath, and 60000-byte frames with
# buf_size 65536 on 8-slot rings (where a copy into a 2048-byte buffer
# runs off the end of the region).  Each run delivers every frame, drops
# none, and the payload invariant holds (under ASan an overflow fails).
set -u
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$(dirname "$0")/pcap_write.py" "$tmp/big.pcap" 3000 8 1000 || exit 1
python3 "$(dirname "$0")/pcap_write.py" "$tmp/huge.pcap" 60000 8 1000 || exit 1
small=(--set endpoints.tx.batch=4 --set endpoints.rx.batch=4
       --set endpoints.tx.slots=8 --set endpoints.rx.slots=8)
fail=0
run() { # run NAME ARGS...: expect 8 frames delivered, none dropped
	local name=$1 out rc n d
	shift
	out=$("$nmsim" run "$@" --quiet --json - 2>"$tmp/err")
	rc=$?
	n=$(printf '%s\n' "$out" | sed -n 's/.*"packets_out": \([0-9]*\).*/\1/p')
	d=$(printf '%s\n' "$out" | sed -n 's/.*"total": \([0-9]*\).*/\1/p' | head -1)
	echo "$name: status $rc, delivered $n of 8, dropped $d"
	if [ "$rc" != 0 ] || [ "$n" != 8 ] || [ "$d" != 0 ]; then
		head -c 2000 "$tmp/err"
		fail=1
	fi
}
for sc in host-vale host-pipe e1000 ptnet-vale ptnet-pipe virtio xen two-switch-link; do
	run "$sc 3000 B" "$dir/$sc.yaml" --trace "$tmp/big.pcap" --set buf_size=4096
done
for sc in host-vale host-pipe e1000 ptnet-pipe; do
	run "$sc 60000 B" "$dir/$sc.yaml" --trace "$tmp/huge.pcap" --set buf_size=65536 "${small[@]}"
done
exit $fail
