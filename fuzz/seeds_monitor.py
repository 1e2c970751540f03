#!/usr/bin/env python3
# Writes the hand-made seed inputs of fuzz_monitor into fuzz/corpus/monitor/.
# The encodings follow the decoders of fuzz/fuzz_monitor.c.
# Usage: fuzz/seeds_monitor.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MOREFRAG, INDIRECT, TXMON = 0x20, 0x10, 0x40


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def ports(rings=0, cs=6, wide=0):
    return bytes([rings, cs]) + u16(wide)


def mon(m, cs=0, wide=0):
    return bytes([0, m, cs]) + u16(wide)


def send(r=0, ln=60, flags=0, how=0):
    return bytes([1, r, how]) + u16(ln) + u16(flags)


def atx(r=0):
    return bytes([2, r])


def brx(r=0):
    return bytes([3, r])


def read(m, r=0, rel=255):
    return bytes([4, m, r, rel])


def scribble(m, what, at, v):
    return bytes([5, m, what]) + u16(at) + u32(v)


def reopen():
    return bytes([6])


def arx(r=0):
    return bytes([7, r])


seeds = {}
all3 = mon(0) + mon(1) + mon(2)
seeds['basic_tx_rx_both'] = ports() + all3 + b''.join(send(ln=60 + k) for k in range(5)) + atx() + read(0) + brx() + read(1) + read(2)
seeds['full_small_monitor'] = ports(cs=30) + mon(0, cs=1) + b''.join(send() for _ in range(20)) + atx() + read(0, rel=3) + b''.join(send() for _ in range(9)) + atx() + read(0) + read(0)
seeds['two_rings'] = ports(rings=3) + all3 + b''.join(send(r=k % 2, ln=64) for k in range(12)) + atx(0) + atx(1) + brx(0) + brx(1) + read(0, 0) + read(0, 1) + read(1, 0) + read(1, 1) + read(2, 1)
seeds['hostile_slots_and_indirect'] = ports() + all3 + send(how=0x38) + send(how=0xf8) + send(ln=2049, how=1) + send(ln=65535, how=1) + send(flags=INDIRECT) + send(flags=INDIRECT, how=2) + send(flags=INDIRECT, how=4) + send(flags=INDIRECT, how=6) + send(flags=INDIRECT, ln=0, how=1) + send(flags=TXMON) + atx() + brx() + read(0) + read(1) + read(2)
seeds['frags'] = ports() + all3 + send(flags=MOREFRAG) + send(flags=MOREFRAG) + send() + send(flags=MOREFRAG) + atx() + send() + atx() + brx() + read(0) + read(1)
seeds['scribbles'] = ports() + all3 + b''.join(scribble(m, w, a, v) for m in range(3) for w, a, v in ((0, 0, 7), (0, 1, 0x12345), (0x10, 0, 99), (0x20, 0, 3), (0x30, 0, 5))) + send() + atx() + brx() + read(0) + read(1) + read(2) + scribble(0, 0x10, 0, 0) + scribble(0, 0x20, 0, 0) + read(0)
seeds['close_mid_traffic_and_reopen'] = ports() + all3 + send() + send() + mon(0) + atx() + mon(1) + brx() + reopen() + send() + atx() + read(2) + mon(2) + reopen() + mon(0) + send() + atx() + read(0) + mon(1) + arx()
seeds['big_rings'] = ports(cs=0xff, wide=1100) + mon(0, cs=0xff, wide=1100) + mon(1, cs=0xff, wide=2) + b''.join(send(ln=60) for _ in range(300)) + atx() + brx() + read(0) + read(1)

out = os.path.join(HERE, 'corpus', 'monitor')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
