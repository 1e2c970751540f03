#!/usr/bin/env bash
# captures.sh NMSIM TRACES_DIR SCENARIO_DIR: the captures of this repo's
# own loopback (scripts/capture-loopback: tcpdump while iperf3 and ping
# ran) replay end to end.  First the files are checked to be what they
# claim, by an independent reading of the pcap format: lo-us.pcap is
# EN10MB with microsecond timestamps, any-ns.pcap LINUX_SLL2 with
# nanosecond ones, both hold TCP frames over a 2048-byte buffer (GSO),
# UDP, and ICMP of at least 9000 bytes.  Then each replays through the
# embedded default, the ptnet, virtio and offload (virtio-net header,
# TSO: whole, and segmented by the switch) scenarios with --strict: exit
# 0, every record injected, every packet accounted for (nothing in
# flight), under 1% dropped.
set -u
nmsim=$1 traces=$2 scenarios=$3
fail=0
check_file() { # FILE LINKTYPE NANO
	python3 - "$@" <<'PY'
import struct, sys
path, want_lt, want_nano = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
b = open(path, "rb").read()
magic, = struct.unpack_from("<I", b, 0)
assert magic in (0xa1b2c3d4, 0xa1b23c4d), hex(magic)
assert (magic == 0xa1b23c4d) == want_nano, "timestamp precision"
lt = struct.unpack_from("<I", b, 20)[0] & 0x03ffffff
assert lt == want_lt, lt
hdr = 14 if lt == 1 else 20
o, n, big, protos, icmp_max = 24, 0, 0, set(), 0
while o < len(b):
    cap, wire = struct.unpack_from("<II", b, o + 8)
    assert cap == wire, (n, cap, wire)
    p = b[o + 16:o + 16 + cap]
    ip = p[hdr:]
    proto = ip[9]
    protos.add(proto)
    if proto == 6 and cap - hdr + 14 > 2048:
        big += 1
    if proto == 1:
        icmp_max = max(icmp_max, cap - hdr)
    o += 16 + cap
    n += 1
assert protos >= {1, 6, 17}, protos
assert big > 0, "no TCP frame over 2048 bytes"
assert icmp_max >= 9000, icmp_max
print("%s: %d records, link type %d, %s, %d GSO frames, ICMP up to %d bytes"
      % (path, n, lt, "ns" if want_nano else "us", big, icmp_max))
PY
}
replay() { # FILE SCENARIO...
	local f=$1 records out
	shift
	records=$(python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(); o=24; n=0
while o < len(b): o += 16 + struct.unpack_from("<I", b, o + 8)[0]; n += 1
print(n)' "$f")
	out=$("$nmsim" run "$@" --trace "$f" --strict --quiet --json -)
	rc=$?
	printf '%s\n' "$out" | python3 -c '
import json, sys
name, records, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.load(sys.stdin)
loss = d["drops"]["total"] / d["packets_in"]
print("%s: exit %d, in %d, out %d, dropped %d, in flight %d" % (name, rc,
      d["packets_in"], d["packets_out"], d["drops"]["total"], d["in_flight"]))
assert rc == 0 and d["ok"]
# Frames a guest stack cut from a record (the MTU of an offload scenario)
# are packets of their own: the records are what is left.
recs = d["packets_in"] - d["split_extra"]
assert recs % records == 0 and recs >= records
assert d["in_flight"] == 0
assert d["packets_in"] == d["packets_out"] + d["drops"]["total"]
assert loss < 0.01, loss
' "$(basename "$f") ${1:-default}" "$records" "$rc" || fail=1
}
check_file "$traces/lo-us.pcap" 1 0 || fail=1
check_file "$traces/any-ns.pcap" 276 1 || fail=1
for f in "$traces/lo-us.pcap" "$traces/any-ns.pcap"; do
	replay "$f"
	for sc in ptnet-vale ptnet-pipe virtio xen vale-1to4 ptnet-offload \
		ptnet-offload-seg virtio-offload virtio-offload-seg; do
		replay "$f" "$scenarios/$sc.yaml"
	done
done
exit "$fail"
