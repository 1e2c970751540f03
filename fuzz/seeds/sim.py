#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_sim (fuzz/corpus/sim/): every scenario
skeleton with a tiny valid trace, and a few settings (timestamps, rate, a
slow link, a raw pcap, a refused trace).  Layout of an input (fuzz/fuzz_sim.c):
a 32-byte header, then records (a header byte h: length class h & 3, time
class (h >> 2) & 3, UDP flow (h >> 4) & 7, bit 7 non-IP) or, with flag 0x08,
raw pcap bytes.  Run: python3 fuzz/seeds/sim.py fuzz/corpus/sim
The corpus also holds REGRESSIONS: the minimal inputs of the four defects
this target found (issue 17), each fixed on main."""
import os
import struct
import sys

SKELETONS = ["host-vale", "host-pipe", "ptnet-vale", "e1000", "virtio", "xen",
             "two-switch-link", "vale-1to4"]
F_RAW, F_NSEC, F_TWICE, F_SNAP, F_REPORT = 0x08, 0x10, 0x20, 0x40, 0x80


def header(skel, buf=2048, seed=1, mode=0, rate=0, loops=0, max_time=99,
           work=0, devopt=0, bw=(30, 9), delay=0, queue=6, lslots=3, snap=0,
           flags=0, eps=()):
    h = bytearray(32)
    h[0] = SKELETONS.index(skel) | flags
    h[1:3] = struct.pack("<H", buf // 64 - 1)
    h[3], h[4] = seed, mode
    h[5:7] = struct.pack("<H", rate)
    h[7], h[8], h[9], h[10] = loops, max_time, work, devopt
    h[11], h[12], h[13], h[14], h[15] = bw[0], bw[1], delay, queue, lslots
    h[16:20] = struct.pack("<I", snap)
    for i, (slots, batch) in enumerate(eps):
        h[20 + 2 * i], h[21 + 2 * i] = slots, batch
    return bytes(h)


def records(*recs):
    """recs: (length class byte h, extra bytes) pairs."""
    return b"".join(bytes([h]) + extra for h, extra in recs)


# Four 60-byte frames of four flows, 1 us apart.
FOUR = records(*[(0x04 | f << 4, b"\x01") for f in range(4)])


def raw_pcap(n=3, size=60):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 2048, 1)
    for i in range(n):
        f = bytearray(size)
        f[0:12] = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"
        f[12:14] = b"\x08\x06"
        f[20] = i
        out += struct.pack("<IIII", 0, i, size, size) + bytes(f)
    return out


SEEDS = {s: header(s) + FOUR for s in SKELETONS}
SEEDS.update({
    "host-vale-timestamps": header("host-vale", mode=1, flags=F_NSEC) +
    records((0x04, b"\x10"), (0x05, b"\x30\x20"), (0x06, b"\x08\x40")),
    "host-pipe-rate-twice": header("host-pipe", mode=2, rate=10, loops=2,
                                   flags=F_TWICE | F_REPORT) + FOUR,
    "ptnet-vale-busy-small-rings": header("ptnet-vale", devopt=1,
                                          eps=((8, 3), (9, 1))) + FOUR,
    "e1000-csb-itr": header("e1000", devopt=0x57) + FOUR,
    "xen-fast-buf64": header("xen", buf=64, devopt=1) + FOUR,
    "link-slow-queue2": header("two-switch-link", bw=(20, 99), delay=30, queue=1,
                               flags=F_REPORT) + FOUR,
    "vale-1to4-eight-flows": header("vale-1to4", loops=1) +
    records(*[(0x04 | f << 4, b"\x02") for f in range(8)]),
    "raw-pcap-host-vale": header("host-vale", flags=F_RAW) + raw_pcap(),
    "refused-record-over-buf": header("host-pipe", buf=128, flags=F_SNAP) +
    records((0x00, b""), (0x02, b"\x10")),
    "refused-snap-over-buf": header("e1000", buf=128, snap=65535, flags=F_SNAP) +
    records((0x00, b"")),
    "refused-short-frame": header("virtio") + records((0x01, b"\x00"), (0x03, b"\x0d\x00")),
})
# Issue 14: frames over buf_size travel as NS_MOREFRAG chains (6000 bytes
# in 2048-byte buffers: 3 slots; 9000 in 1024: 9), through each skeleton;
# e1000 carries up to 16128 bytes, a link drops a chain whole.
CHAINS = records((0x00, b""), (0x03, struct.pack("<H", 6000)), (0x04, b"\x01"),
                 (0x03, struct.pack("<H", 9000)))
SEEDS.update({"chain-" + s: header(s, buf=1024) + CHAINS for s in SKELETONS})

# Minimal inputs of the defects this target found when it was written (all
# fixed since; each file is named regress-<defect>).
REGRESSIONS = {
    # sim_trace: a 65536-byte record is stored as length 0 (uint16_t).
    "trace-record-65536-len0": header("host-vale", buf=65536, eps=((8, 0), (8, 0))) +
    records((0x03, b"\x00\x00")),
    # VALE ports have 2048-byte buffers whatever buf_size says: a larger
    # frame is copied past them (ASan heap-buffer-overflow).
    "frame-over-2048-heap-overflow": header("host-vale", buf=65536, eps=((8, 0), (8, 0))) +
    records((0x03, b"\xff\xff"), (0x03, b"\xff\xff")),
    # sim_app_release_time(): loop x src_loop_ns + ts wraps at 2^64 (a
    # timestamp 2^31 s after the first, 8 loops): packet 9 leaves before 8.
    "release-time-overflow-loops": header("host-vale", mode=1, loops=0xf3) +
    records((0x00, b""), (0x0c, struct.pack("<II", 0x7fffffff, 0))),
    # sim_pkt: more than the tag table's 8192 packets queued on a slow link
    # overwrite live entries: a false "invariant payload violated".
    "tag-table-slow-link": header("two-switch-link", buf=64, loops=0xf8, bw=(30, 0),
                                  queue=14, lslots=0, max_time=255, eps=((8, 0), (8, 0))) +
    records(*[(0x00, b"")] * 64),
}


def main():
    args = sys.argv[1:]
    seeds = dict(SEEDS)
    seeds.update({"regress-" + k: v for k, v in REGRESSIONS.items()})
    out = args[0] if args else "fuzz/corpus/sim"
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
