/*
 * vale_lookup.c - the default VALE lookup: a learning bridge.
 *
 * Owns: a switch's 1024-entry direct-mapped MAC table, with the reference's
 * behaviour (learn unicast sources, flood multicast and unknown
 * destinations, no aging, collisions overwrite) and a multiply-shift hash;
 * NS_NO_LEARN is honoured (D8); an entry is rewritten only when it changes.
 *
 * Concurrency: sources classify at once with no lock.  Each entry is one
 * 64-bit word read and written untorn, so a reader sees the old or the new
 * (mac, port) pair, never a mix; a lost update delays learning by a packet.
 * The forwarding path classifies through a per-sync memo (struct
 * vale_bridge_memo in vale_bridge_impl.h); this entry point remembers
 * nothing between packets.
 */
#include "vale_bridge_impl.h"

uint32_t vale_bridge_hash(const uint8_t *mac)
{
	uint64_t v = 0;

	/* Exactly 6 bytes: the caller's buffer may be a bare MAC. */
	nm_os_memcpy(&v, mac, 6);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v >>= 16;
#endif
	return vale_hash48(v);
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
	struct vale_bridge_memo m;

	(void)dst_ring; /* stays the source ring, as in the reference */
	vale_bridge_memo_init(&m); /* one packet: nothing to remember */
	return vale_bridge_classify(priv, &m, pkt->buf, pkt->len, pkt->flags,
				    pkt->src_port);
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
