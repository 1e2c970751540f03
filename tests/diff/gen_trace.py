#!/usr/bin/env python3
"""gen_trace.py OUT.pcap [FRAMES]: the differential replay's trace.

Frames of 60..1514 bytes (lengths from a fixed LCG, so the file is the same
on every machine) in six flows: three IPv4/UDP, one IPv4/TCP, one IPv6/UDP
and one of a non-IP ethertype; unicast MACs 02:..:01 -> 02:..:02, payload
bytes that differ per frame.  Classic pcap, microseconds, EN10MB.
"""
import struct
import sys

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    dst = bytes([2, 0, 0, 0, 0, 2])
    src = bytes([2, 0, 0, 0, 0, 1])
    x = 12345
    recs = []
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0x7fffffff
        length = 60 + x % (1514 - 60 + 1)
        flow = i % 6
        if flow < 4:
            proto = 6 if flow == 3 else 17
            l3 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length - 14, i & 0xffff, 0, 64,
                             proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
            l4 = struct.pack("!HH", 1000 + flow, 2000)
            hdr = dst + src + b"\x08\x00" + l3 + l4
        elif flow == 4:
            l3 = struct.pack("!IHBB16s16s", 0x60000000, length - 54, 17, 64,
                             bytes(15) + b"\x01", bytes(15) + b"\x02")
            hdr = dst + src + b"\x86\xdd" + l3 + struct.pack("!HH", 3000, 4000)
        else:
            hdr = dst + src + b"\x88\xb5"
        body = bytes((i + j) & 0xff for j in range(length - len(hdr)))
        frame = hdr + body
        assert len(frame) == length
        recs.append(struct.pack("<IIII", i // 1000, (i % 1000) * 1000, length, length) + frame)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 2048, 1))
        for r in recs:
            f.write(r)

main()
