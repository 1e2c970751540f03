#!/usr/bin/env bash
# monitor_pcap.sh NMSIM SCENARIO_DIR [--set K=V]...: the monitors of
# vale-monitor.yaml see the frames the ports really moved (the --set
# options go to every run: the same monitors on devices' ports).  A monitor captures a frame as it
# was on the ring, with the simulator's packet tag (the 48-bit id and a
# checksum word, in its last 8 bytes: sim_pkt.h); the receiver's pcap has
# the original bytes back.  So frames are
# compared but for those 8 bytes, and the monitor's ids must increase
# (one sender: its packets in order).  A zero-copy RX monitor sees the
# buffer after the receiver released it, so with the bytes the receiver
# restored: its frames are the receiver's whole.  When they keep up: the
# copy RX
# monitor's pcap holds exactly the receiver's frames, in order, as does
# the zero-copy TX monitor of the (only) sender; the zero-copy RX
# monitor's holds them in order up to the frames the receiver had read
# but not yet released when the run ended (at most one batch).  With
# 64-slot monitor rings (they cannot hold a batch): each pcap is an
# in-order subsequence of the receiver's, the report counts the drops as
# the monitors' own (not the run's), and the run still passes.
set -eu
nmsim=$1
sc=$2/vale-monitor.yaml
shift 2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

"$nmsim" run "$sc" "$@" --pcap-out "$d/keep" --quiet
"$nmsim" run "$sc" "$@" --pcap-out "$d/drop" --set endpoints.rx.monitors.slots=64 \
	--set endpoints.tx.monitors.slots=64 >"$d/drop.txt"
for m in 'tx         monitor 0 (zero-copy, rings tx)' 'rx         monitor 0 (copy, rings rx)' \
	'rx         monitor 1 (zero-copy, rings rx)'; do
	grep -F "$m" "$d/drop.txt" | grep -q 'dropped [1-9][0-9]* slots (monitor ring full)' ||
		{ echo "no drops reported for $m:"; grep monitor "$d/drop.txt"; exit 1; }
done
grep -q 'dropped 0 (rx ring full 0)' "$d/drop.txt" || { echo "the run itself dropped"; exit 1; }
# The JSON report carries the same figures as the text lines.
"$nmsim" run "$sc" "$@" --set endpoints.rx.monitors.slots=64 \
	--set endpoints.tx.monitors.slots=64 --json "$d/drop.json" --quiet
python3 - "$d/drop.txt" "$d/drop.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
got = [(m['endpoint'], m['index'], m['mode'], m['rings'], m['seen_tx'],
        m['seen_rx'], m['dropped'], m['bad'])
       for m in json.load(open(sys.argv[2]))['monitors']]
want = [(e, int(k), mode, r, int(tx), int(rx), int(dr), int(bad)) for e, k, mode, r, tx, rx, dr, bad in
        re.findall(r'^ +(\S+) +monitor (\d+) \(([a-z-]+), rings ([a-z]+)\): seen tx (\d+) rx (\d+) frames, '
                   r'dropped (\d+) slots \(monitor ring full\), bad (\d+)', text, re.M)]
assert len(want) == 3 and got == want, (got, want)
PY
# One-slot frames: what a monitor saw plus what its ring dropped is every
# frame its port moved (an RX zero-copy one: those the receiver released).
sed -n 's/.*monitor [0-9] (\([a-z-]*\), rings \([a-z]*\)): seen tx \([0-9]*\) rx \([0-9]*\) frames, dropped \([0-9]*\) slots.*/\1 \2 \3 \4 \5/p' \
	"$d/drop.txt" | while read -r mode rings tx rx dropped; do
	sum=$((tx + rx + dropped))
	if [ "$mode/$rings" = zero-copy/rx ]; then
		[ "$sum" -le 20000 ] && [ "$sum" -ge $((20000 - 256)) ]
	else
		[ "$sum" -eq 20000 ]
	fi || { echo "monitor $mode $rings: seen $tx + $rx, dropped $dropped: $sum"; exit 1; }
done

python3 - "$d" <<'PY'
import struct, sys

def frames(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    assert magic in (0xa1b2c3d4, 0xa1b23c4d), (path, hex(magic))
    o, out = 24, []
    while o < len(data):
        _, _, cap, _ = struct.unpack('<IIII', data[o:o + 16])
        out.append(data[o + 16:o + 16 + cap])
        o += 16 + cap
    return out

def body(fs):
    return [f[:-8] if len(f) >= 22 else f for f in fs]

def ids_increase(fs):
    # The tag's id: 48 bits, little-endian, then its checksum word.
    ids = [int.from_bytes(f[-8:-2], 'little') for f in fs]
    return all(a < b for a, b in zip(ids, ids[1:]))

def mon(path):
    fs = frames(path)
    assert ids_increase(fs), path + ': packet ids not increasing'
    return body(fs)

def subseq(small, big):
    it = iter(big)
    return all(any(f == g for g in it) for f in small)

d = sys.argv[1]
rx = body(frames(d + '/keep/rx.pcap'))
assert len(rx) == 20000, len(rx)
assert mon(d + '/keep/rx-copy.pcap') == rx, 'copy RX monitor != receiver'
assert mon(d + '/keep/tx-zcopy.pcap') == rx, 'zero-copy TX monitor != receiver'
z = frames(d + '/keep/rx-zcopy.pcap')
whole = frames(d + '/keep/rx.pcap')
# Released by the receiver itself (a host process, a ptnet guest: the
# port's ring is its own), its buffers hold the bytes it restored; released
# by an emulated device's backend, which copied them into the guest's
# ring, they still hold the tags.
assert len(z) >= len(whole) - 256, ('zero-copy RX monitor', len(z))
assert z == whole[:len(z)] or mon(d + '/keep/rx-zcopy.pcap') == rx[:len(z)], \
    ('zero-copy RX monitor', len(z))
rx = body(frames(d + '/drop/rx.pcap'))
assert len(rx) == 20000, len(rx)
for name in ('rx-copy', 'rx-zcopy', 'tx-zcopy'):
    m = (body(frames(d + '/drop/' + name + '.pcap')) if name == 'rx-zcopy'
         else mon(d + '/drop/' + name + '.pcap'))
    assert 0 < len(m) < len(rx), (name, len(m))
    assert subseq(m, rx), name + ': not an in-order subsequence of the receiver'
print('monitor pcaps: ok (%d frames; with drops %s)' % (len(rx), ', '.join(
    '%s %d' % (n, len(frames(d + '/drop/' + n + '.pcap')))
    for n in ('rx-copy', 'rx-zcopy', 'tx-zcopy'))))
PY
