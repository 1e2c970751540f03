#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_pcap (fuzz/corpus/pcap/): valid pcap and
pcapng files and the ways they go wrong (truncation, link type, snap and
record lengths, timestamps).  Run: python3 fuzz/seeds/pcap.py fuzz/corpus/pcap"""
import os
import struct
import sys


def udp(sport, size=60):
    f = bytearray(size)
    f[0:6] = b"\x02\x00\x00\x00\x00\x02"
    f[6:12] = b"\x02\x00\x00\x00\x00\x01"
    f[12:14] = b"\x08\x00"
    f[14] = 0x45
    f[23] = 17
    f[26:30] = bytes([10, 0, 0, 1])
    f[30:34] = bytes([10, 0, 0, 2])
    f[34:36] = struct.pack(">H", sport)
    f[36:38] = struct.pack(">H", 1234)
    return bytes(f)


def pcap(records, e="<", nano=False, snap=2048, link=1, major=2, minor=4):
    """records: (sec, frac, frame[, caplen override])"""
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = struct.pack(e + "IHHiIII", magic, major, minor, 0, 0, snap, link)
    for r in records:
        sec, frac, frame = r[0], r[1], r[2]
        caplen = r[3] if len(r) > 3 else len(frame)
        out += struct.pack(e + "iiII", sec, frac, caplen, len(frame)) + frame
    return out


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def shb():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(link=1, snap=0, tsresol=None):
    opts = b""
    if tsresol is not None:
        opts = struct.pack("<HH", 9, 1) + bytes([tsresol]) + b"\0\0\0"
        opts += struct.pack("<HH", 0, 0)
    return block(1, struct.pack("<HHI", link, 0, snap) + opts)


def epb(ts, frame, caplen=None, iface=0):
    caplen = len(frame) if caplen is None else caplen
    return block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xffffffff,
                                caplen, len(frame)) + frame)


def seeds():
    yield "valid_us_le", pcap([(100, 5, udp(1)), (100, 900000, udp(2))])
    yield "valid_ns_be", pcap([(7, 999999999, udp(1)), (8, 0, udp(1), )],
                              e=">", nano=True)
    yield "valid_pcapng", shb() + idb() + epb(1000, udp(1)) + epb(2000, udp(2))
    yield "empty", b""
    yield "header_truncated", pcap([])[:10]
    yield "header_only", pcap([])
    yield "record_truncated", pcap([(0, 0, udp(1)), (0, 1, udp(2))])[:-30]
    yield "link_type_raw_ip", pcap([(0, 0, udp(1))], link=101)
    yield "snaplen_9000", pcap([(0, 0, udp(1))], snap=9000)
    yield "snaplen_0_no_limit", pcap([(0, 0, udp(1))], snap=0)
    yield "caplen_over_snaplen", pcap([(0, 0, udp(1, 100))], snap=64)
    yield "frame_10_bytes", pcap([(0, 0, udp(1)[:10])])
    yield "pcapng_record_3000", shb() + idb() + epb(0, udp(1, 3000))
    yield "ts_out_of_order", pcap([(5, 0, udp(1)), (3, 0, udp(2)), (6, 0, udp(1))])
    # Timestamps before 1970 (negative 32-bit seconds, negative fraction).
    yield "ts_negative_seconds", pcap([(-1, 0, udp(1)), (0, 0, udp(2)),
                                       (-2147483648, 0, udp(3))])
    yield "ts_negative_fraction", pcap([(10, -5, udp(1)), (10, 0, udp(2))])
    # pcapng at 1 s resolution: 2^40 s does not fit in 64-bit nanoseconds.
    yield "pcapng_ts_1s_resolution_huge", (shb() + idb(tsresol=0) +
                                           epb(0, udp(1)) + epb(1 << 40, udp(2)))
    yield "pcapng_two_link_types", (shb() + idb() + idb(link=101) +
                                    epb(0, udp(1)) + epb(0, udp(2), iface=1))
    # 600 flows: the flow table grows past its first 1024 slots' half.
    yield "many_flows", pcap([(0, i, udp(i)[:38]) for i in range(600)])
    # Issue 14: the link types of a Linux host's captures, each record
    # an IP packet (udp(n)[14:]) behind that type's header.
    ip4 = udp(1)[14:]
    ip6 = bytes([0x60]) + bytes(5) + b"\x11\x40" + bytes(32) + bytes(8)
    sll = struct.pack(">HHH8sH", 0, 772, 0, bytes(8), 0x0800)
    sll2 = struct.pack(">HHIHBB8s", 0x0800, 0, 1, 772, 0, 0, bytes(8))
    yield "link_sll", pcap([(0, 0, sll + ip4)], link=113)
    yield "link_sll2_ns", pcap([(0, 0, sll2 + ip4), (0, 9, sll2 + ip4)],
                               nano=True, link=276)
    yield "link_sll2_protocol_not_ethertype", pcap(
        [(0, 0, struct.pack(">H", 4) + sll2[2:] + ip4)], link=276)
    yield "link_ipv4", pcap([(0, 0, ip4)], link=228)
    yield "link_ipv6_raw", pcap([(0, 0, ip6)], link=101)
    yield "link_null_host_order", pcap([(0, 0, struct.pack("<I", 2) + ip4),
                                         (0, 1, struct.pack("<I", 10) + ip6)], link=0)
    yield "link_loop_network_order", pcap([(0, 0, struct.pack(">I", 24) + ip6)],
                                          link=108)
    yield "link_unknown_147", pcap([(0, 0, udp(1))], link=147)
    # pcapng: interfaces of three link types and two resolutions, a
    # simple packet block (interface 0), an unknown block skipped.
    yield "pcapng_three_link_types_spb", (
        shb() + idb() + idb(link=276, tsresol=9) + idb(link=0) +
        epb(5, udp(1)) + epb(7, sll2 + ip4, iface=1) +
        block(3, struct.pack("<I", 60) + udp(2)) +
        block(0x0BAD, b"skip me") +
        epb(9, struct.pack("<I", 2) + ip4, iface=2))
    # A frame over one buffer (a chain in a run): loads only when the
    # largest frame allows it.
    yield "frame_1600_chain", pcap([(0, 0, udp(1, 1600)), (0, 1, udp(2))], snap=65535)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
