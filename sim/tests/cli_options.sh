#!/usr/bin/env bash
# cli_options.sh NMSIM SCENARIOS: the command line's accepted forms and
# what they promise: --opt=value, '--' ending options, decimal seeds,
# '--json -' alone on stdout, sweeps of any length, --quiet and --strict
# for sweep, no partial sweep table when a value cannot be built, and no
# empty chart left when gnuplot fails.
set -eu
nmsim=$1 scenarios=$2
hv=$scenarios/host-vale.yaml
lossy=$scenarios/two-switch-link.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
json() { python3 -m json.tool "$1" > /dev/null || fail "$1 is not JSON"; }

# '--json -' is JSON alone on stdout; a seed is decimal (010 is ten).
"$nmsim" run "$hv" --set=trace.packets=100 --seed 010 --json - > "$tmp/r.json"
json "$tmp/r.json"
grep -q '"seed": 10,' "$tmp/r.json" || fail "--seed 010 is not ten"
"$nmsim" run "$hv" --set trace.packets=100 --seed=9223372036854775807 --json=- > "$tmp/r.json"
grep -q '"seed": 9223372036854775807,' "$tmp/r.json" || fail "seed 2^63-1"

# '--' ends the options: a scenario file named like an option.
cp "$hv" "$tmp/--odd.yaml"
(cd "$tmp" && "$nmsim" run --set trace.packets=100 --quiet -- --odd.yaml) || fail "'--' did not end the options"

# A sweep of more than 64 values; --quiet prints no table; JSON parses.
vals=$(seq -s, 100 170)
"$nmsim" sweep "$hv" "trace.packets=$vals" --quiet --json "$tmp/s.json" > "$tmp/out"
[ ! -s "$tmp/out" ] || fail "sweep --quiet printed a table"
json "$tmp/s.json"
[ "$(grep -c '"param"' "$tmp/s.json")" = 71 ] || fail "sweep dropped values past 64"
"$nmsim" sweep "$hv" trace.packets=100,200 --json - > "$tmp/s.json"
json "$tmp/s.json"
"$nmsim" sweep "$hv" trace.packets=100,200 > "$tmp/table"
[ "$(wc -l < "$tmp/table")" = 3 ] || fail "sweep table is not a header and two rows"

# A value that only fails when its run is built fails before any output.
set +e
"$nmsim" sweep default trace.size=60,1000 --set buf_size=128 --set trace.packets=100 \
	--json "$tmp/p.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
set -e
cat "$tmp/err"
[ "$rc" = 2 ] || fail "sweep with an unbuildable value: status $rc, expected 2"
[ ! -s "$tmp/out" ] || fail "sweep printed a partial table"
[ ! -e "$tmp/p.json" ] || fail "sweep wrote JSON for a failed sweep"
grep -q 'trace.size 1000 is over buf_size 128' "$tmp/err" || fail "message"

# A chart gnuplot could not draw: exit 3, and no empty file left behind
# (but a file that was there before is not removed).
set +e
(cd "$tmp" && PATH=/nonexistent "$nmsim" run "$hv" --set trace.packets=100 --quiet --plot new.svg)
r1=$?
touch "$tmp/old.svg"
(cd "$tmp" && PATH=/nonexistent "$nmsim" run "$hv" --set trace.packets=100 --quiet --plot old.svg)
r2=$?
set -e
[ "$r1" = 3 ] && [ "$r2" = 3 ] || fail "gnuplot missing: status $r1 and $r2, expected 3"
[ ! -e "$tmp/new.svg" ] || fail "an empty chart was left behind"
[ -e "$tmp/old.svg" ] || fail "a file that was there before was removed"

# A closed stdout fails a run that writes to it, not one that does not.
set +e
"$nmsim" run "$hv" --set trace.packets=100 --quiet --json "$tmp/c.json" >&-; r1=$?
"$nmsim" run "$hv" --set trace.packets=100 >&- 2>/dev/null; r2=$?
set -e
[ "$r1" = 0 ] || fail "closed, unused stdout: status $r1, expected 0"
[ "$r2" = 3 ] || fail "report to a closed stdout: status $r2, expected 3"

# --strict: exit 1 when a drop reason passes 1%, for run and for sweep.
# The lossy run: a sender offering more than a 10 Gbit/s link carries
# (its queue overflows, 13%), a loss by mechanism in either model.
"$nmsim" run "$hv" --set trace.packets=1000 --quiet --strict || fail "--strict on a clean run"
"$nmsim" run "$lossy" --quiet || fail "a lossy run without --strict"
set +e
"$nmsim" run "$lossy" --quiet --strict; r1=$?
"$nmsim" sweep "$lossy" endpoints.tx.batch=64,256 --quiet --strict; r2=$?
set -e
[ "$r1" = 1 ] || fail "run --strict on a lossy run: status $r1, expected 1"
[ "$r2" = 1 ] || fail "sweep --strict on a lossy run: status $r2, expected 1"
echo ok
