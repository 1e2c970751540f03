#!/usr/bin/env python3
"""offload_pcap.py - an independent check of what a receiver's pcap sink
wrote in an offload scenario (sim/tests/offload.sh).

Reads the sender's capture (Ethernet) and the receiver's pcap and checks,
with its own parser and RFC 1071 checksum (not the simulator's, not the
core's):
  - every frame is at most 14 + MTU bytes (--mtu; 0: no limit);
  - with --csum: every IPv4 header checksum, every TCP and UDP checksum
    of an unfragmented packet and every ICMP checksum of a reassembled
    datagram is valid;
  - per flow (addresses, protocol, ports), the L4 payload bytes the
    receiver got, in order, are the capture's x --loops (for IPv4
    fragments: the reassembled IP payloads);
  - with --segmented: some frame of the receiver is a segment (more
    frames than the capture's records x loops).
Exit 0 and one summary line, or 1 with the first failure.
"""
import argparse
import struct
import sys


def records(path):
    d = open(path, 'rb').read()
    if len(d) < 24:
        sys.exit(f'{path}: not a pcap file')
    magic = struct.unpack('<I', d[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = '>'
    else:
        sys.exit(f'{path}: magic {magic:#x} (expected a pcap file)')
    lt = struct.unpack(e + 'I', d[20:24])[0]
    if lt != 1:
        sys.exit(f'{path}: link type {lt} (expected EN10MB 1)')
    off = 24
    out = []
    while off + 16 <= len(d):
        _, _, cl, ol = struct.unpack(e + 'IIII', d[off:off + 16])
        if cl != ol or off + 16 + cl > len(d):
            sys.exit(f'{path}: record {len(out) + 1} cut')
        out.append(d[off + 16:off + 16 + cl])
        off += 16 + cl
    return out


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def parse(f):
    """(key, payload, info) of an IPv4/IPv6 frame, else None."""
    l3 = 14
    et = struct.unpack('!H', f[12:14])[0]
    if et == 0x8100:
        et = struct.unpack('!H', f[16:18])[0]
        l3 = 18
    if et == 0x0800:
        ihl = (f[l3] & 15) * 4
        tot = struct.unpack('!H', f[l3 + 2:l3 + 4])[0]
        fr = struct.unpack('!H', f[l3 + 6:l3 + 8])[0]
        proto = f[l3 + 9]
        src, dst = f[l3 + 12:l3 + 16], f[l3 + 16:l3 + 20]
        ip = dict(v6=False, l3=l3, ihl=ihl, tot=tot, mf=bool(fr & 0x2000),
                  fo=(fr & 0x1fff) * 8, ipid=f[l3 + 4:l3 + 6], proto=proto,
                  src=src, dst=dst, l4=l3 + ihl, end=l3 + tot)
    elif et == 0x86dd:
        plen = struct.unpack('!H', f[l3 + 4:l3 + 6])[0]
        ip = dict(v6=True, l3=l3, proto=f[l3 + 6], src=f[l3 + 8:l3 + 24],
                  dst=f[l3 + 24:l3 + 40], l4=l3 + 40, end=l3 + 40 + plen,
                  mf=False, fo=0)
    else:
        return None
    return ip


def l4_ok(f, ip, seg):
    if ip['v6']:
        ph = ip['src'] + ip['dst'] + struct.pack('!IxxxB', len(seg), ip['proto'])
    else:
        ph = ip['src'] + ip['dst'] + struct.pack('!xBH', ip['proto'], len(seg))
    if ip['proto'] == 17 and not ip['v6'] and seg[6:8] == b'\0\0':
        return True
    return csum(ph + seg) == 0xffff


def streams(frames, mtu, check, what):
    """Per flow key: the payload bytes in order; and frame count."""
    out = {}
    frags = {}
    for n, f in enumerate(frames, 1):
        if mtu and len(f) > 14 + mtu:
            sys.exit(f'{what} frame {n}: {len(f)} bytes, over 14 + MTU {mtu}')
        ip = parse(f)
        if ip is None:
            out.setdefault(('other',), bytearray()).extend(f)
            continue
        if check and not ip['v6'] and csum(f[ip['l3']:ip['l4']]) != 0xffff:
            sys.exit(f'{what} frame {n}: IPv4 header checksum invalid')
        body = f[ip['l4']:ip['end']]
        if not ip['v6'] and (ip['mf'] or ip['fo']):
            k = (ip['src'], ip['dst'], ip['proto'], ip['ipid'])
            frags.setdefault(k, []).append((ip['fo'], body, ip['mf']))
            if ip['mf']:
                continue
            parts = sorted(frags.pop(k))
            body = b''.join(p[1] for p in parts)
        if ip['proto'] in (6, 17):
            if check and not (ip['mf'] or ip['fo']) and not l4_ok(f, ip, body):
                sys.exit(f'{what} frame {n}: {"TCP" if ip["proto"] == 6 else "UDP"} checksum invalid')
            hl = (body[12] >> 4) * 4 if ip['proto'] == 6 else 8
            key = (ip['src'], ip['dst'], ip['proto'], body[0:4])
            out.setdefault(key, bytearray()).extend(body[hl:])
        else:
            if check and ip['proto'] == 1 and csum(bytes(body)) != 0xffff:
                sys.exit(f'{what} frame {n}: ICMP checksum invalid')
            out.setdefault((ip['src'], ip['dst'], ip['proto']), bytearray()).extend(body)
    if frags:
        sys.exit(f'{what}: {len(frags)} IPv4 datagrams with fragments missing')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--trace', required=True)
    ap.add_argument('--loops', type=int, default=1)
    ap.add_argument('--rx', required=True)
    ap.add_argument('--mtu', type=int, default=0)
    ap.add_argument('--csum', action='store_true')
    ap.add_argument('--segmented', action='store_true')
    a = ap.parse_args()
    orig = records(a.trace)
    got = records(a.rx)
    want = streams(orig * a.loops, 0, False, 'trace')
    have = streams(got, a.mtu, a.csum, 'receiver')
    if set(want) != set(have):
        sys.exit(f'flows differ: {len(want)} in the trace, {len(have)} received')
    for k in want:
        if want[k] != have[k]:
            sys.exit(f'flow {k!r}: {len(have[k])} payload bytes received, '
                     f'{len(want[k])} in the trace x {a.loops}, or they differ')
    if a.segmented and len(got) <= len(orig) * a.loops:
        sys.exit(f'{len(got)} frames received for {len(orig) * a.loops} sent: nothing was segmented')
    print(f'offload_pcap: ok: {len(got)} frames, {len(want)} flows, '
          f'{sum(len(v) for v in have.values())} payload bytes'
          f'{", checksums valid" if a.csum else ""}')


if __name__ == '__main__':
    main()
