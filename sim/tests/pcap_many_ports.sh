#!/usr/bin/env bash
# pcap_many_ports.sh NMSIM SCENARIO_DIR: a capture (a run's receiver pcap,
# 8 flows) replayed as the trace of many-port VALE switches: through 1:4
# every packet arrives, each receiver gets a share by unicast (the flows are
# readdressed to the learnt receivers); through 4:1 the run is clean; each
# twice with the same fingerprint.
set -eu
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nmsim" run "$dir/host-vale.yaml" --set trace.packets=3000 --set trace.flows=8 --pcap-out "$tmp" --quiet
"$dir/../tests/twice.sh" "$nmsim" "$dir/vale-1to4.yaml" --trace "$tmp/rx.pcap"
"$dir/../tests/twice.sh" "$nmsim" "$dir/vale-4to1.yaml" --trace "$tmp/rx.pcap"
"$nmsim" run "$dir/vale-1to4.yaml" --trace "$tmp/rx.pcap" > "$tmp/report.txt"
grep -q "packets    in 3000, out 3000, dropped 0" "$tmp/report.txt"
for r in 0 1 2 3; do
	n=$(sed -n "s/.*port vale0:rx$r: in 0 out \([0-9]*\) .*/\1/p" "$tmp/report.txt")
	echo "receiver rx$r: $n packets"
	[ "${n:-0}" -gt 500 ]
done
