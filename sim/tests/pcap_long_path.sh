#!/usr/bin/env bash
# pcap_long_path.sh NMSIM SCENARIOS: --pcap-out into a directory whose path
# is longer than any fixed buffer (about 600 characters) puts the capture
# inside that directory.
set -eu
nmsim=$1 scenarios=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp
for i in 1 2 3 4 5 6 7 8 9 10; do d=$d/$(printf 'd%.0s' {1..58}); done
mkdir -p "$d"
echo "path length ${#d}"
"$nmsim" run "$scenarios/host-vale.yaml" --set trace.packets=100 --quiet --pcap-out "$d"
[ -s "$d/rx.pcap" ] || { echo "no capture inside the directory"; find "$tmp" -name '*.pcap'; exit 1; }
[ "$(find "$tmp" -name '*.pcap' | wc -l)" = 1 ] || { echo "a capture outside the directory"; exit 1; }
echo ok
