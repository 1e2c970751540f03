#!/usr/bin/env bash
# report_sane.sh NMSIM SCENARIO_DIR DATA_DIR: what the text report shows is
# sane on hostile but valid inputs:
#  - no actor or CPU is busy more than 100% of the run, on a capture whose
#    packets are 1 ns apart (steps end after the last event starts);
#  - a scenario name with control characters and an escape sequence is
#    shown escaped: the report holds no raw control byte.
set -u
nmsim=$1 scen=$2 data=$3
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in host-vale ptnet-pipe-timestamps e1000; do
	out=$("$nmsim" run "$scen/$s.yaml" --trace "$data/ns-gap1.pcap" \
		--set trace.mode=timestamps) || { echo "$s: nmsim failed"; fail=1; continue; }
	over=$(printf '%s\n' "$out" | awk '{ for (i = 1; i < NF; i++) if ($i == "busy") { v = $(i + 1); sub("%", "", v); if (v + 0 > 100) print } }')
	if [ -n "$over" ]; then
		echo "$s: busy above 100%:"; printf '%s\n' "$over"; fail=1
	fi
done
sed 's/^name: .*/name: "evil\\e[2J\\a\\x01\\nsecond line"/' "$scen/host-vale.yaml" >"$tmp/evil.yaml"
"$nmsim" run "$tmp/evil.yaml" --set trace.packets=100 >"$tmp/out" || { echo "evil name: nmsim failed"; fail=1; }
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then
	echo "raw control bytes in the report:"; LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out" | cat -v; fail=1
fi
head -1 "$tmp/out" | grep -qF 'evil\x1b[2J\x07\x01\nsecond line' || { echo "name not shown escaped:"; head -2 "$tmp/out" | cat -v; fail=1; }
[ "$fail" = 0 ] && echo "report sane"
exit "$fail"
