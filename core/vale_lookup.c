/*
 * vale_lookup.c - the default VALE lookup: a learning bridge.
 *
 * Owns: the 1024-entry direct-mapped MAC table of a switch.  Same behaviour
 * as the reference table (shared/reference section 4.4): learn the source
 * MAC of every unicast source, flood multicast/broadcast and unknown
 * destinations, no aging, a colliding address overwrites.  Differences:
 * a multiply-shift hash (the table is internal; ~2.5x cheaper than the
 * Jenkins mix per frame), NS_NO_LEARN is honoured (defect D8), and an entry
 * is rewritten only when it changes, so steady traffic does not bounce the
 * table's cache lines between senders.
 *
 * Concurrency: many sources classify at once with no lock.  Each entry is
 * one 64-bit word read and written with single untorn accesses, so a reader
 * sees either the old or the new (mac, port) pair, never a mix; a lost
 * update only delays learning by one packet, as in the reference.
 */
#include "vale.h"

#define VALE_ENT_VALID 1ULL
#define VALE_MAC_MASK 0xffffffffffffULL

/* Bytes 0..5 as a 48-bit value (native order: only compared with itself). */
static inline uint64_t vale_mac48(const uint8_t *p)
{
	uint64_t v = 0;

	nm_os_memcpy(&v, p, 6);
	return v;
}

static inline uint32_t vale_hash48(uint64_t mac)
{
	/* Fibonacci multiply-shift: the top 10 bits of mac * 2^64/phi. */
	return (uint32_t)((mac * 0x9e3779b97f4a7c15ULL) >> 54);
}

NM_STATIC_ASSERT(VALE_HASH_SIZE == 1024, "vale_hash48 yields 10 bits");

uint32_t vale_bridge_hash(const uint8_t *mac)
{
	return vale_hash48(vale_mac48(mac));
}

void vale_bridge_init(struct vale_bridge *b)
{
	uint32_t i;

	for (i = 0; i < VALE_HASH_SIZE; i++)
		nm_os_shared_store64(&b->ent[i], 0);
}

uint32_t vale_bridge_lookup(const struct vale_pkt *pkt, uint32_t *dst_ring,
			    void *priv)
{
	struct vale_bridge *b = priv;
	const uint8_t *buf = pkt->buf;
	uint64_t smac, dmac, e, want;
	uint32_t h;

	(void)dst_ring; /* stays the source ring, as in the reference */
	if (pkt->len < VALE_MIN_FRAME)
		return VALE_DROP;
	dmac = vale_mac48(buf);
	smac = vale_mac48(buf + 6);
	if (!(buf[6] & 1) && !(pkt->flags & NS_NO_LEARN)) {
		h = vale_hash48(smac);
		want = smac << 16 | (uint64_t)pkt->src_port << 8 | VALE_ENT_VALID;
		if (nm_os_shared_load64(&b->ent[h]) != want)
			nm_os_shared_store64(&b->ent[h], want);
	}
	if (buf[0] & 1)
		return VALE_BROADCAST;
	e = nm_os_shared_load64(&b->ent[vale_hash48(dmac)]);
	if ((e & VALE_ENT_VALID) && (e >> 16) == (dmac & VALE_MAC_MASK))
		return (uint32_t)(e >> 8) & 0xff;
	return VALE_BROADCAST;
}

void vale_bridge_forget_port(struct vale_bridge *b, uint32_t port)
{
	uint32_t i;
	uint64_t e;

	for (i = 0; i < VALE_HASH_SIZE; i++) {
		e = nm_os_shared_load64(&b->ent[i]);
		if ((e & VALE_ENT_VALID) && ((e >> 8) & 0xff) == port)
			nm_os_shared_store64(&b->ent[i], 0);
	}
}
