#!/usr/bin/env python3
# pcap_write.py OUT LEN COUNT GAP_NS: COUNT Ethernet frames of LEN bytes
# (02:..:01 -> 02:..:02, each with its own payload), GAP_NS apart, in a
# nanosecond pcap; for tests that need frames or spans the built-in trace
# cannot make.
import struct
import sys

out, length, count, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, max(length, 64), 1))
    for k in range(count):
        t = k * gap
        frame = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5])
        frame += bytes((k * 7 + i) & 0xff for i in range(length - len(frame)))
        f.write(struct.pack("<IIII", t // 10**9, t % 10**9, length, length))
        f.write(frame)
