#!/usr/bin/env bash
# trace_memory.sh NMSIM: issue 14 item 7, memory bounded by what is in
# flight, not by the trace.  3,000,000 packets of the embedded default
# took 246 MB resident when the trace was loaded whole (82 bytes a
# record); streamed, the run stays under 64 MB, and the same run with ten
# times fewer packets uses about as much (no growth with the trace).
set -u
nmsim=$1
rss() { # packets -> max resident KiB of one run
	python3 - "$nmsim" "$1" <<'PY'
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], "run", "--set", "trace.packets=" + sys.argv[2],
                    "--quiet", "--strict"], stdout=subprocess.DEVNULL)
assert r.returncode == 0, r.returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
small=$(rss 300000) || exit 1
big=$(rss 3000000) || exit 1
echo "max resident: 300000 packets $small KiB, 3000000 packets $big KiB"
[ "$big" -lt 65536 ] || { echo "over 64 MB"; exit 1; }
[ "$big" -lt $((small + 8192)) ] || { echo "memory grows with the trace"; exit 1; }
