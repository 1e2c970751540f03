#!/usr/bin/env bash
# plot_injection.sh NMSIM SCENARIOS: a scenario name and --plot paths made
# to break out of a gnuplot string must reach gnuplot as plain text: no
# command runs, and run and sweep still draw their charts.
set -eu
nmsim=$1 scenarios=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
sed "s/^name: .*/name: x'; system 'touch MARKER'; set title '/" \
	"$scenarios/host-vale.yaml" > evil.yaml
grep -q "system 'touch MARKER'" evil.yaml
"$nmsim" run evil.yaml --set trace.packets=500 --quiet --plot out.png
"$nmsim" sweep evil.yaml "endpoints.tx.batch=8,64" --set trace.packets=500 \
	--quiet --plot out.svg
"$nmsim" run evil.yaml --set trace.packets=500 --quiet --plot "it's a plot.pdf"
"$nmsim" sweep evil.yaml "endpoints.tx.batch=8,64" --set trace.packets=500 \
	--quiet --plot "it's a plot.svg"
if [ -e MARKER ]; then echo "gnuplot ran a command from the input"; exit 1; fi
for f in out.png out.svg "it's a plot.pdf" "it's a plot.svg"; do
	[ -s "$f" ] || { echo "no chart in '$f'"; exit 1; }
done
head -c 8 out.png | od -c | grep -q 'P   N   G' || { echo "out.png is not a PNG"; exit 1; }
grep -q '<svg' out.svg || { echo "out.svg is not an SVG"; exit 1; }
ls -A
[ "$(ls -A | wc -l)" = 5 ] || { echo "stray files beside the charts"; exit 1; }
echo ok
