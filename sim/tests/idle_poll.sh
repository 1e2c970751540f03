#!/usr/bin/env bash
# idle_poll.sh NMSIM SCENARIO_DIR: a busy-polling kloop waiting an hour of
# simulated time between two packets costs events, not wall time (issue 17
# item 7): the run ends within the caller's timeout, delivers both, and
# its latencies are those of the same two packets 999,325 ns apart, a gap
# at which the receiving kloop's 1 us poll grid meets the second packet at
# the same phase as after an hour (found by a search with the step-by-step
# model; a skipped poll that changed any figure would show here).
set -u
nmsim=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
w="$(dirname "$0")/pcap_write.py"
python3 "$w" "$tmp/hour.pcap" 60 2 3600000000000 || exit 1
python3 "$w" "$tmp/near.pcap" 60 2 999325 || exit 1
lat() {
	"$nmsim" run "$dir/ptnet-pipe-timestamps.yaml" --trace "$1" --set trace.mode=timestamps \
		--set endpoints.rx.kloop=busy --quiet --json - |
		tr -d ' \n' | grep -o '"latency_ns":{[^}]*}\|"packets_out":[0-9]*' | tr '\n' ' '
}
a=$(timeout 20 bash -c "$(declare -f lat); nmsim='$nmsim' dir='$dir' lat '$tmp/hour.pcap'") ||
	{ echo "an hour of idle polling did not finish in 20 s"; exit 1; }
b=$(lat "$tmp/near.pcap")
echo "hour: $a"
echo "near: $b"
case $a in *'"packets_out":2'*) ;; *) echo "expected 2 packets delivered"; exit 1 ;; esac
[ "$a" = "$b" ] || { echo "latencies differ"; exit 1; }
