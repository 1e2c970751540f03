#!/usr/bin/env bash
# rx_livelock.sh NMSIM SCENARIOS MODEL: the shape of receive livelock
# (issue 18, item 3).  Offered rates are swept over rx-livelock.yaml (the
# stock guest stack, the poll before the consumer) and rx-livelock-yield.yaml
# (the same with napi_yield), under sim.model MODEL.  Every run must succeed
# with no violation.  Without the mitigation delivery must rise and then
# fall: the highest rate delivers less than half the peak, the lowest less
# than the peak, and the losses at the highest rate are socket-queue drops.
# With it delivery must hold: the highest rate delivers at least 90% of its
# peak, which is no lower than the unmitigated peak, and nothing is dropped
# at the socket queue (the host drops the excess at the full RX ring).
set -u
nmsim=$1
dir=$2
model=$3
rates=400000,600000,800000,1000000,1500000,3000000

# The delivered Mpps of each rate, in rate order, one line.
sweep() {
	local csv
	csv=$("$nmsim" sweep "$dir/$1.yaml" trace.rate_pps=$rates --set sim.model="$model" \
	      --quiet --csv -) || { echo "sweep of $1 failed (status $?)" >&2; return 1; }
	printf '%s\n' "$csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["ok"] != "true" { bad = 1 } { printf "%s ", $c["mpps"] }
		END { print ""; exit bad }' || { echo "$1: a run was not ok" >&2; return 1; }
}

# drops.REASON of the run at the highest rate.
drops() {
	"$nmsim" run "$dir/$1.yaml" --set trace.rate_pps=3000000 --set sim.model="$model" \
		--quiet --json - | sed -n "s/^ *\"$2\": \([0-9]*\),*$/\1/p" | head -1
}

plain=$(sweep rx-livelock) || exit 1
yield=$(sweep rx-livelock-yield) || exit 1
echo "model $model, offered $rates pps"
echo "delivered Mpps, poll first:  $plain"
echo "delivered Mpps, napi_yield:  $yield"
awk -v p="$plain" -v y="$yield" 'BEGIN {
	n = split(p, a, " "); split(y, b, " ")
	for (i = 1; i <= n; i++) { if (a[i] > pa) pa = a[i]; if (b[i] > pb) pb = b[i] }
	if (!(a[n] < pa / 2)) { print "no collapse: " a[n] " at the highest rate, peak " pa; exit 1 }
	if (!(a[1] < pa)) { print "no rise: " a[1] " at the lowest rate, peak " pa; exit 1 }
	if (!(b[n] >= 0.9 * pb)) { print "the mitigation does not hold: " b[n] ", peak " pb; exit 1 }
	if (!(pb >= pa)) { print "the mitigated peak " pb " is below the unmitigated " pa; exit 1 }
}' || exit 1
sq=$(drops rx-livelock socket_queue_full)
sqy=$(drops rx-livelock-yield socket_queue_full)
rxy=$(drops rx-livelock-yield switch_rx_full)
echo "at 3 Mpps: socket queue drops $sq (poll first), $sqy (napi_yield); RX ring full $rxy (napi_yield)"
[ -n "$sq" ] && [ "$sq" -gt 0 ] || { echo "expected socket-queue drops without the mitigation"; exit 1; }
[ "$sqy" = 0 ] && [ -n "$rxy" ] && [ "$rxy" -gt 0 ] ||
	{ echo "expected the mitigation to drop at the host's RX ring, not the socket"; exit 1; }
