/*
 * vale_bridge_impl.h - the learning bridge's classification, inline, for
 * vale_lookup.c (the pluggable entry point) and vale_fwd.c (which calls it
 * directly when the default lookup is installed, saving an indirect call
 * per packet).  See vale_lookup.c for the table's behaviour and
 * concurrency.
 */
#ifndef VALE_BRIDGE_IMPL_H
#define VALE_BRIDGE_IMPL_H

#include "vale.h"

#define VALE_ENT_VALID 1ULL
#define VALE_MAC_MASK 0xffffffffffffULL

/* The 48-bit MAC at p: one 8-byte load (the frame has at least 14 bytes,
 * so p .. p + 7 is inside it for p = buf and p = buf + 6), masked.  The
 * value's byte order only has to agree with itself. */
static inline uint64_t vale_mac48(const uint8_t *p)
{
	uint64_t v;

	nm_os_memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return v >> 16;
#else
	return v & VALE_MAC_MASK;
#endif
}

static inline uint32_t vale_hash48(uint64_t mac)
{
	/* Fibonacci multiply-shift: the top 10 bits of mac * 2^64/phi. */
	return (uint32_t)((mac * 0x9e3779b97f4a7c15ULL) >> 54);
}

NM_STATIC_ASSERT(VALE_HASH_SIZE == 1024, "vale_hash48 yields 10 bits");

/*
 * What one source remembers between consecutive packets of one TX sync:
 * the last source MAC it learnt (its entry was checked or written in this
 * sync) and the last destination MAC it looked up, with the result.  A
 * stream of packets between the same two hosts then costs one table read
 * per sync instead of two per packet.  Reusing them gives exactly what the
 * table would say if no other port learnt during the sync, which is one of
 * the interleavings the lock-free table allows anyway (see
 * vale_lookup.c); the destination is forgotten whenever this source writes
 * the table, so its own learning is always seen.
 */
struct vale_bridge_memo {
	uint64_t smac, dmac; /* VALE_MEMO_NONE: nothing remembered */
	uint32_t dst;
};

#define VALE_MEMO_NONE (~0ULL) /* above 48 bits: never a MAC */

static inline void vale_bridge_memo_init(struct vale_bridge_memo *m)
{
	m->smac = VALE_MEMO_NONE;
	m->dmac = VALE_MEMO_NONE;
	m->dst = VALE_BROADCAST;
}

static inline uint32_t vale_bridge_classify(struct vale_bridge *b,
					    struct vale_bridge_memo *m,
					    const uint8_t *buf, uint32_t len,
					    uint16_t flags, uint32_t src_port)
{
	uint64_t smac, dmac, e, want;
	uint32_t h;

	if (len < VALE_MIN_FRAME)
		return VALE_DROP;
	dmac = vale_mac48(buf);
	smac = vale_mac48(buf + 6);
	if (!(buf[6] & 1) && !(flags & NS_NO_LEARN) && smac != m->smac) {
		h = vale_hash48(smac);
		want = smac << 16 | (uint64_t)src_port << 8 | VALE_ENT_VALID;
		if (nm_os_shared_load64(&b->ent[h]) != want) {
			nm_os_shared_store64(&b->ent[h], want);
			m->dmac = VALE_MEMO_NONE;
		}
		m->smac = smac;
	}
	if (buf[0] & 1)
		return VALE_BROADCAST;
	if (dmac != m->dmac) {
		e = nm_os_shared_load64(&b->ent[vale_hash48(dmac)]);
		m->dst = (e & VALE_ENT_VALID) && (e >> 16) == dmac ?
				 (uint32_t)(e >> 8) & 0xff :
				 VALE_BROADCAST;
		m->dmac = dmac;
	}
	return m->dst;
}

#endif /* VALE_BRIDGE_IMPL_H */
