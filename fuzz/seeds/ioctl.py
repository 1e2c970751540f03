#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ioctl (fuzz/corpus/ioctl/): valid and
hostile NIOCCTRL layouts.  Layout of an input (fuzz/fuzz_ioctl.c): 8 control
bytes, then user memory, which the fuzzer maps at BASE, so pointers are
BASE + offset.  Run: python3 fuzz/seeds/ioctl.py fuzz/corpus/ioctl"""
import os
import struct
import sys

BASE = 0x40000000
HDR, OPT = 88, 24
REGISTER, KLOOP_START, KLOOP_STOP, CSB_ENABLE = 1, 13, 14, 15
OPT_EXTMEM, OPT_EVENTFDS, OPT_CSB, OPT_MODE, OPT_OFFSETS = 1, 2, 3, 4, 5
BODY = {REGISTER: 56, KLOOP_START: 8}
F_FAULT_DECODE, F_FAULT_FINISH, F_RESULTS, F_HANDLER_FAILS = 1, 2, 4, 8


def ua(ofs):
    return BASE + ofs


class Mem:
    def __init__(self, size):
        self.b = bytearray(size)

    def put(self, ofs, data):
        # Pieces are cut at the end of user memory (never extend it).
        data = data[:max(0, len(self.b) - ofs)]
        self.b[ofs:ofs + len(data)] = data

    def header(self, ofs, reqtype, body=0, options=0, version=14,
               reserved=0, name=b"vale0:a"):
        self.put(ofs, struct.pack("<HHI64sQQ", version, reqtype, reserved,
                                  name, options, body))

    def option(self, ofs, otype, size=0, nxt=0, body=b""):
        self.put(ofs, struct.pack("<QIIQ", nxt, otype, 12345, size) + body)


def control(flags=0, kdec=0, kfin=0, take=0, fail=0, hdr=0, split=0):
    return struct.pack("<BBBBBHB", flags, kdec, kfin, take, fail, hdr, split)


def bit(*types):
    return sum(1 << (t - 1) for t in types)


def seeds():
    m = Mem(256)
    m.header(0, REGISTER, body=ua(128))
    m.put(128, bytes(range(1, 57)))
    yield "register_valid", control(flags=F_RESULTS), m

    m = Mem(256)
    m.header(0, REGISTER, body=ua(96), options=ua(160))
    m.option(160, OPT_CSB, 40, body=struct.pack("<QQ", ua(0), ua(64)))
    yield "register_csb_taken_results", control(flags=F_RESULTS, take=bit(OPT_CSB)), m

    m = Mem(512)
    m.header(0, KLOOP_START, body=ua(88), options=ua(96))
    m.option(96, OPT_CSB, 0, ua(136), struct.pack("<QQ", 1, 2))
    m.option(136, OPT_MODE, 0, ua(168), struct.pack("<I", 1))
    m.option(168, OPT_EVENTFDS, OPT + 16, ua(208), struct.pack("<ii", 3, 4))
    m.option(208, 77, 0, 0)
    yield "kloop_full_unknown_left", control(
        flags=F_RESULTS, take=bit(OPT_CSB, OPT_MODE, OPT_EVENTFDS)), m
    yield "kloop_full_fault_decode_4", control(flags=F_FAULT_DECODE, kdec=4), m
    yield "kloop_full_fault_finish_2", control(
        flags=F_FAULT_FINISH, kfin=2, take=bit(OPT_CSB, OPT_MODE, OPT_EVENTFDS)), m

    m = Mem(128)
    m.header(0, CSB_ENABLE, options=ua(88))
    m.option(88, OPT_CSB, 0, ua(88))
    yield "loop_self", control(), m

    m = Mem(256)
    m.header(0, CSB_ENABLE, options=ua(100))
    m.option(100, 99, 0, ua(180))
    m.option(180, 98, 0, ua(100))
    yield "loop_two_unaligned", control(), m

    m = Mem(256)
    m.header(0, CSB_ENABLE, options=ua(88))
    m.option(88, 0, 0, 0)
    yield "option_type0", control(), m

    m = Mem(256)
    m.header(0, CSB_ENABLE, options=ua(88))
    m.option(88, OPT_CSB, 0, ua(152))
    m.option(152, OPT_CSB, 0, 0)
    yield "option_duplicate", control(), m

    m = Mem(256)
    m.header(0, KLOOP_START, body=ua(200), options=ua(88))
    m.option(88, OPT_EVENTFDS, 23, 0)
    yield "eventfds_below_header", control(), m
    m = Mem(256)
    m.header(0, KLOOP_START, body=ua(200), options=ua(88))
    m.option(88, OPT_EVENTFDS, 0xFFFFFFFFFFFFFFFF, 0)
    yield "eventfds_size_u64max", control(), m

    m = Mem(128)
    m.header(0, REGISTER, body=ua(100))  # 56 bytes from 100 run past 128
    yield "body_past_end", control(), m

    m = Mem(128)
    m.header(0, REGISTER, body=0xFFFFFFFFFFFFFFF8)
    yield "body_pointer_wraps", control(), m

    m = Mem(192)
    m.header(0, REGISTER, body=ua(100))  # straddles the split at 128
    yield "body_straddles_ranges", control(split=2), m

    m = Mem(128)
    m.header(64, REGISTER, body=ua(0))
    yield "header_past_end", control(hdr=64), m

    m = Mem(256)
    m.header(0, CSB_ENABLE, body=ua(128))
    yield "body_forbidden", control(), m
    m = Mem(256)
    m.header(0, REGISTER)
    yield "body_missing", control(), m
    m = Mem(256)
    m.header(0, REGISTER, body=ua(128), version=13)
    yield "version_13", control(), m
    m = Mem(256)
    m.header(0, REGISTER, body=ua(128), reserved=1)
    yield "reserved_set", control(), m
    m = Mem(256)
    m.header(0, 99, body=ua(128))
    yield "reqtype_unknown", control(), m
    m = Mem(256)
    m.header(0, REGISTER, body=ua(128), name=b"x" * 64)
    yield "name_unterminated", control(flags=F_RESULTS), m

    # The option header lies inside nr_name, its CSB body is the header's
    # own nr_options/nr_body, and the request body covers all of it: the
    # write-back pieces overlap (the later copy wins).
    m = Mem(128)
    m.header(0, REGISTER, body=ua(56), options=ua(48))
    m.put(48, struct.pack("<QII", 0, OPT_CSB, 12345))
    yield "overlapping_writeback", control(flags=F_RESULTS, take=bit(OPT_CSB)), m

    # The option cap: 170 header-only options fill 4080 bytes; one more
    # is over NETMAP_REQ_MAXSIZE.
    for n, name in ((170, "chain_at_cap"), (171, "chain_over_cap")):
        m = Mem(HDR + 24 * n)
        m.header(0, CSB_ENABLE, options=ua(HDR))
        for i in range(n):
            nxt = ua(HDR + 24 * (i + 1)) if i + 1 < n else 0
            m.option(HDR + 24 * i, 1000 + i, 0, nxt)
        yield name, control(), m

    m = Mem(256)
    m.header(0, REGISTER, body=ua(96), options=ua(160))
    m.option(160, OPT_CSB, 40, body=struct.pack("<QQ", 1, 2))
    yield "handler_fails_option", control(
        flags=F_HANDLER_FAILS | F_RESULTS, take=bit(OPT_CSB), fail=bit(OPT_CSB)), m


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, ctl, mem in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(ctl + bytes(mem.b))


if __name__ == "__main__":
    main()
