#!/usr/bin/env bash
# pcap_roundtrip.sh NMSIM SCENARIO_DIR: a run writes the receiver's pcap
# (libpcap pcap_dump, nanosecond timestamps); a second run replays that
# file honouring its timestamps through another datapath, twice, with the
# same fingerprint and every packet delivered.
set -eu
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nmsim" run "$dir/host-vale.yaml" --set trace.packets=3000 --pcap-out "$tmp" --quiet
out=$("$dir/../tests/twice.sh" "$nmsim" "$dir/ptnet-pipe.yaml" --trace "$tmp/rx.pcap" --set trace.mode=timestamps)
echo "$out"
n=$("$nmsim" run "$dir/ptnet-pipe.yaml" --trace "$tmp/rx.pcap" --set trace.mode=timestamps --quiet --json - | sed -n 's/.*"packets_out": \([0-9]*\).*/\1/p')
echo "replayed $n packets"
[ "$n" = 3000 ]
