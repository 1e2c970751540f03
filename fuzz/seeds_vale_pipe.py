#!/usr/bin/env python3
# Writes the hand-made seed inputs of fuzz_vale and fuzz_pipe into
# fuzz/corpus/{vale,pipe}/ (boundary cases; minimised finds are kept as
# files of their own).  The encodings follow the operation decoders of
# fuzz/fuzz_vale.c and fuzz/fuzz_pipe.c.  Usage: fuzz/seeds_vale_pipe.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


# ---- fuzz_vale: op % 12; pick byte = slot | ring << 2.
def v_open(s, tx2=False, rx2=False, ct=8, cr=8, wide=0):
    return bytes([0, s, (1 if tx2 else 0) | (2 if rx2 else 0), ct, cr]) + u16(wide)


def v_close(s):
    return bytes([1, s])


def v_slot(s, ln, flags=0, mode=0, h0=1, h1=0, arg=0, ring=0):
    return bytes([2, s | ring << 2]) + u16(ln) + u16(flags) + bytes([mode, h0, h1]) + u16(arg)


def v_chain(s, frags, h0=1, h1=0, how=0, ln=60, ring=0):
    return bytes([3, s | ring << 2, frags - 1, h0, h1, how]) + u16(ln)


def v_bulk(s, count, lenb=7, h0=1, h1=0, step=0, ring=0):
    return bytes([4, s | ring << 2]) + u16(count) + bytes([lenb, h0, h1, step])


def v_tx(s, ring=0):
    return bytes([5, s | ring << 2])


def v_release(s, k, ring=0):
    return bytes([7, s | ring << 2]) + u16(k)


def v_drain(s):
    return bytes([8, s])


def v_scribble(s, at, kind, ring=0):
    return bytes([9, s | ring << 2]) + u16(at) + bytes([kind])


def v_restore(s):
    return bytes([10, s])


def v_bad_head(s, v, ring=0):
    return bytes([11, s | ring << 2]) + u16(v)


NS_MOREFRAG = 0x20
NS_INDIRECT = 0x10

vale = {}
three = v_open(0) + v_open(1) + v_open(2)
vale['basic_unicast_bcast'] = three + v_slot(0, 60, h0=1) + v_slot(0, 60, h0=0x80) + v_tx(0) + v_drain(1) + v_drain(2)
vale['len_boundaries'] = three + b''.join(
    v_slot(0, ln, h0=1) for ln in (0, 1, 5, 6, 7, 63, 64, 65, 1024, 1025, 2047, 2048, 2049, 65535)) + v_tx(0) + v_drain(1)
vale['frags_64_65_100'] = three + v_chain(0, 64, h0=1) + v_chain(0, 65, h0=1) + v_chain(0, 100, h0=2) + v_tx(0) + v_drain(1) + v_drain(2)
vale['chain_cut_by_head'] = three + v_chain(0, 5, h0=1, how=1) + v_tx(0) + v_chain(0, 3, h0=1) + v_tx(0) + v_drain(1)
vale['hostile_tx_buf_idx'] = three + b''.join(
    v_slot(0, 60, mode=5, arg=a) for a in (0, 1, 2, 3, 4, 12, 0xffff)) + v_chain(0, 4, h0=1, how=2) + v_chain(0, 4, h0=1, how=4) + v_tx(0) + v_drain(1)
vale['indirect_and_odd_flags'] = three + v_slot(0, 60, flags=NS_INDIRECT) + v_slot(0, 60, flags=0xffdf) + v_slot(0, 60, flags=0x0008) + v_slot(0, 60, flags=NS_MOREFRAG) + v_slot(0, 60, flags=NS_INDIRECT) + v_tx(0) + v_drain(1)
vale['lookup_results'] = three + b''.join(
    v_slot(0, 60, h0=h0, h1=h1) for h0 in (0, 1, 2, 3, 5, 7, 0x80, 0xc0, 0xd0, 0xe0, 0xf0, 0xff)
    for h1 in (0, 1, 0x40, 0x80, 0xc0, 0xff)) + v_tx(0) + v_drain(1) + v_drain(2)
vale['rx_ring_full_2_slots'] = v_open(0) + v_open(1, ct=1, cr=1) + v_bulk(0, 20, h0=1) + v_tx(0) + v_chain(0, 2, h0=1) + v_tx(0) + v_drain(1)
vale['big_rings_1100_flushes'] = v_open(0, ct=0xf0, cr=0xf0, wide=1100) + v_open(1, ct=0xf0, cr=0xf0, wide=1100) + v_bulk(0, 1099, h0=1) + v_tx(0) + v_drain(1)
vale['default_geometry_1024'] = v_open(0, ct=0, cr=0) + v_open(1, ct=0, cr=0) + v_bulk(0, 1023, h0=0x80) + v_tx(0) + v_drain(1)
vale['geometry_1_slot_raised'] = v_open(0, ct=0xf0, cr=0xf0, wide=1) + v_open(1, ct=0xf0, cr=0xf0, wide=0) + v_slot(0, 60, h0=1) + v_tx(0) + v_drain(1)
vale['rx_scribble_pads'] = three + b''.join(v_scribble(1, at, kind) for at, kind in ((0, 0), (1, 1), (2, 2), (3, 3), (5, 4))) + v_chain(0, 3, h0=1) + v_bulk(0, 6, h0=1) + v_tx(0) + v_drain(1) + v_restore(1) + v_slot(0, 60, h0=1) + v_tx(0) + v_drain(1)
vale['close_reopen_refs'] = three + v_open(1) + v_slot(0, 60, h0=1) + v_tx(0) + v_close(1) + v_slot(0, 60, h0=1) + v_tx(0) + v_close(1) + v_slot(0, 60, h0=1) + v_slot(0, 60, h0=0x80) + v_tx(0) + v_open(1, ct=3, cr=3) + v_slot(0, 60, h0=3) + v_tx(0) + v_drain(1) + v_drain(3)
vale['bad_head'] = three + v_slot(0, 60, h0=1) + v_bad_head(0, 0) + v_bad_head(0, 0xffff) + v_tx(0) + v_drain(1)
vale['partial_release_mid_chain'] = three + v_chain(0, 5, h0=1) + v_chain(0, 3, h0=1) + v_tx(0) + v_release(1, 2) + v_release(1, 2) + v_release(1, 1) + v_release(1, 7) + v_drain(1)
vale['two_rings_folding'] = v_open(0, True, True) + v_open(1, True, True) + v_open(2, False, False) + b''.join(
    v_slot(0, 60, h0=d, h1=r, ring=1) for d in (1, 2, 0x80) for r in (0, 1, 2, 3, 15, 0x40, 0x81)) + v_tx(0, ring=1) + v_drain(1) + v_drain(2)
vale['broadcast_alone'] = v_open(0) + v_slot(0, 60, h0=0x80) + v_tx(0) + v_open(1) + v_close(0) + v_slot(1, 60, h0=0x80) + v_tx(1)
vale['bcast_absent_port_ring0'] = v_open(0) + v_open(1) + v_slot(0, 60, h0=5) + v_slot(0, 60, h0=0x80) + v_tx(0)

# ---- fuzz_pipe: op % 10; pick byte = end | ring << 1.
def p_open(k, tx_rings=1, rx_rings=1, ct=8, cr=8, wide=0):
    return bytes([0, k, (tx_rings - 1) + 3 * (rx_rings - 1), ct, cr]) + u16(wide)


def p_close(k):
    return bytes([1, k])


def p_put(k, ln, flags=0, mode=0, arg=0, ring=0):
    return bytes([2, k | ring << 1]) + u16(ln) + u16(flags) + bytes([mode]) + u32(arg)


def p_chain(k, frags, how=0, ln=60, ring=0):
    return bytes([3, k | ring << 1, frags - 1, how]) + u16(ln)


def p_bulk(k, count, ln=60, ring=0):
    return bytes([4, k | ring << 1]) + u16(count) + u16(ln)


def p_tx(k, ring=0):
    return bytes([5, k | ring << 1])


def p_rx(k, release, ring=0):
    return bytes([6, k | ring << 1]) + u16(release)


def p_scribble(k, dirn, field, at, v, ring=0):
    return bytes([7, dirn, field, k | ring << 1]) + u16(at) + u32(v)


def p_hostile(k, dirn, what, v, ring=0):
    return bytes([8, dirn | what << 1, k | ring << 1]) + u32(v)


def p_syncall():
    return bytes([9])


both = p_open(0) + p_open(1)
pipe = {}
pipe['basic_chain'] = both + p_chain(0, 6) + p_tx(0) + p_rx(1, 0) + p_rx(1, 100) + p_tx(0)
pipe['default_geometry_1024'] = p_open(0, ct=0, cr=0) + p_open(1) + p_bulk(0, 1023) + p_tx(0) + p_rx(1, 0) + p_rx(1, 1023) + p_tx(0)
pipe['asymmetric_3tx_1rx'] = p_open(1, 3, 1, ct=5, cr=40) + p_open(0) + p_bulk(1, 10, ring=2) + p_tx(1, ring=2) + p_rx(0, 0, ring=2) + p_rx(0, 5, ring=2) + p_syncall()
pipe['bad_descriptors'] = both + p_put(0, 60, mode=2, arg=0) + p_put(0, 60, mode=2, arg=1) + p_put(0, 60, mode=2, arg=0xffffffff) + p_put(0, 2049) + p_put(0, 65535) + p_put(0, 60, flags=0x10) + p_put(0, 2048) + p_tx(0) + p_rx(1, 0) + p_rx(1, 7) + p_tx(0)
pipe['duplicate_buffer'] = both + p_put(0, 60, mode=3, arg=7) + p_put(0, 60, mode=3, arg=7) + p_tx(0) + p_rx(1, 0) + p_rx(1, 2) + p_tx(0)
pipe['open_chain_unpublished'] = both + p_chain(0, 4, how=1) + p_tx(0) + p_rx(1, 0) + p_put(0, 60) + p_tx(0) + p_rx(1, 0) + p_rx(1, 5)
pipe['chain_with_bad_slots'] = both + p_chain(0, 9, how=2 | 4 | 8) + p_tx(0) + p_rx(1, 0) + p_rx(1, 9) + p_tx(0)
pipe['close_reopen_in_flight'] = both + p_bulk(0, 5) + p_tx(0) + p_close(1) + p_bulk(0, 1) + p_tx(0) + p_open(1, 3, 3, ct=60) + p_rx(1, 0) + p_rx(1, 6) + p_close(0) + p_open(0) + p_tx(0)
pipe['both_closed_recreate'] = both + p_bulk(0, 3) + p_tx(0) + p_close(0) + p_close(1) + p_open(1, 2, 3, ct=0xf0, cr=3, wide=2) + p_open(0) + p_bulk(1, 3, ring=1) + p_tx(1, ring=1) + p_syncall()
pipe['busy_open'] = both + p_open(0) + p_open(1) + p_close(0) + p_open(0)
pipe['hostile_head_cur_tail'] = both + b''.join(p_hostile(0, d, w, v) for d in (0, 1) for w in (0, 1, 2, 3) for v in (0, 1, 9, 10, 0xffffffff)) + p_syncall()
pipe['rx_scribbles_back_to_tx'] = both + p_bulk(0, 3) + p_tx(0) + p_rx(1, 0) + p_scribble(1, 1, 0, 0, 0xffffffff) + p_scribble(1, 1, 0, 1, 3) + p_scribble(1, 1, 2, 2, 0x20) + p_rx(1, 3) + p_bulk(0, 5) + p_tx(0) + p_rx(1, 0) + p_rx(1, 5)
pipe['tx_scribbles_in_flight'] = both + p_bulk(0, 4) + p_scribble(0, 0, 0, 1, 0) + p_scribble(0, 0, 1, 2, 4000) + p_scribble(0, 0, 2, 3, 0x30) + p_tx(0) + p_rx(1, 0) + p_rx(1, 4) + p_syncall()
pipe['slots_2_wrap'] = p_open(0, ct=1, cr=1) + p_open(1) + (p_put(0, 60) + p_tx(0) + p_rx(1, 0) + p_rx(1, 1)) * 7
pipe['slots_1100_full'] = p_open(0, ct=0xf0, cr=0xf0, wide=1100) + p_open(1) + p_bulk(0, 1099) + p_tx(0) + p_rx(1, 0) + p_rx(1, 500) + p_tx(0) + p_bulk(0, 600) + p_tx(0) + p_syncall()


def write(target, seeds):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


write('vale', vale)
write('pipe', pipe)


# ---- fuzz_vale, virtio-net mode (issue 14): the first byte has 0x40 set
# (with 0x80: the bridge), the second is 'V', the next 32 bytes are the
# template: the virtio-net header (12 bytes), then t[12] (bit 0 IPv6,
# bit 1 UDP), t[13] the TCP flags, t[14..] pairs (offset < 66: XOR into
# the L3/L4 headers; 0xff: nothing); the operations follow, and every
# open reads one more byte, the header length index (0: none, 1: 10
# bytes, 2: 12).
def vv_open(s, vh, ct=0, cr=0):
    return v_open(s, ct=ct, cr=cr) + bytes([vh])


def vv_tmpl(flags=1, gso=1, mss=200, cstart=34, coff=16, l34=0, tcpf=0x19, xor=()):
    t = bytes([flags, gso]) + u16(54) + u16(mss) + u16(cstart) + u16(coff) + u16(1)
    t += bytes([l34, tcpf])
    pairs = list(xor) + [(0xff, 0)] * 9
    for off, v in pairs[:9]:
        t += bytes([off, v])
    return t


def vv(ops, tmpl=None, bridge=False):
    return bytes([0xc0 if bridge else 0x40, 0x56]) + (tmpl or vv_tmpl()) + ops


# port 0 (slot 2) has the header, port 1 (slot 1) none; h0 = 1 routes to
# port 1, h1 = 0x40 keeps the ring.
vbase = vv_open(2, 1) + vv_open(1, 0)
vnet = {}
vnet['vnet-tso4'] = vv(vbase + v_chain(2, 3, h0=1, h1=0x40, ln=1000) + v_tx(2) + v_drain(1))
vnet['vnet-tso6'] = vv(vbase + v_chain(2, 4, h0=1, h1=0x40, ln=1500) + v_tx(2) + v_drain(1), vv_tmpl(gso=4, cstart=54, l34=1, mss=1000))
vnet['vnet-udp4'] = vv(vbase + v_chain(2, 2, h0=1, h1=0x40, ln=1800) + v_tx(2) + v_drain(1), vv_tmpl(gso=3, coff=6, l34=2, mss=333))
vnet['vnet-udp6'] = vv(vbase + v_chain(2, 2, h0=1, h1=0x40, ln=1800) + v_tx(2) + v_drain(1), vv_tmpl(gso=3, coff=6, l34=3, mss=1400))
vnet['vnet-csum'] = vv(vbase + v_chain(2, 2, h0=1, h1=0x40, ln=700) + v_slot(2, 99, h0=1, h1=0x40) + v_tx(2) + v_drain(1), vv_tmpl(gso=0, cstart=21, coff=31))
vnet['vnet-hdr-alone'] = vv(vbase + v_slot(2, 10, flags=0x20, h0=1, h1=0x40) + v_slot(2, 900, h0=1, h1=0x40) + v_slot(2, 10, h0=1) + v_tx(2) + v_drain(1))
vnet['vnet-10-to-12'] = vv(vv_open(2, 1) + vv_open(1, 2) + v_chain(2, 3, h0=1, h1=0x40, ln=1000) + v_tx(2) + v_drain(1))
vnet['vnet-0-to-10'] = vv(vv_open(2, 0) + vv_open(1, 1) + v_chain(2, 2, h0=1, h1=0x40, ln=1000) + v_bulk(2, 20, h0=1, h1=0x40) + v_tx(2) + v_drain(1))
vnet['vnet-bcast-mixed'] = vv(vbase + vv_open(0, 2) + vv_open(3, 0) + v_chain(2, 3, h0=0x80, h1=0x40, ln=1000) + v_bulk(1, 30, h0=0x80) + v_tx(2) + v_tx(1) + v_drain(0) + v_drain(1) + v_drain(3))
vnet['vnet-reopen-changes-len'] = vv(vbase + v_chain(2, 3, h0=1, h1=0x40, ln=1000) + vv_open(2, 2) + v_tx(2) + vv_open(1, 1) + v_chain(2, 3, h0=1, h1=0x40, ln=1000) + v_tx(2) + v_drain(1) + v_close(2))
vnet['vnet-hostile-tmpl'] = vv(vbase + v_chain(2, 3, h0=1, h1=0x40, ln=1000) + v_tx(2) + v_drain(1), vv_tmpl(flags=3, gso=0x81, mss=1, xor=[(0, 0x10), (9, 0x0b), (52, 0xf0)]))
vnet['vnet-many-segments'] = vv(vbase + v_chain(2, 40, h0=1, h1=0x40, ln=2000) + v_tx(2) + v_drain(1), vv_tmpl(mss=8))
vnet['vnet-scribbled-rx'] = vv(vbase + v_scribble(1, 3, 2) + v_chain(2, 3, h0=1, h1=0x40, ln=1000) + v_tx(2) + v_drain(1) + v_restore(1))
vnet['vnet-bridge'] = vv(vv_open(1, 0) + vv_open(2, 1) + v_chain(2, 3, h0=1, h1=2, ln=1000) + v_tx(2) + v_slot(1, 60, h0=2, h1=1) + v_tx(1) + v_chain(2, 2, h0=1, h1=2, ln=1000) + v_tx(2) + v_drain(2) + v_drain(1), bridge=True)
write('vale', vnet)
# A harness bug found while writing the mode: the id written over the
# bridge's destination MAC made the switch and the model disagree.
vnet_old_bridge = bytes([0xc0, 0x56, 0, 8, 8]) + u16(0) + bytes([1]) + vv_open(1, 0, 8, 8) + vv_open(0, 2, 8, 8) + v_chain(2, 3, h0=1, h1=2, ln=1000) + v_tx(2) + v_slot(1, 60, h0=2, h1=1) + v_tx(1) + v_chain(2, 2, h0=1, h1=2, ln=1000) + v_tx(2) + v_drain(0) + v_drain(1) + vv_tmpl()
write('vale', {'vnet-bridge-mac-intact': vv(vnet_old_bridge, bridge=True)})
