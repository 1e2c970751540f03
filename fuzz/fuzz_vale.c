/*
 * fuzz_vale.c - arbitrary frames and port operations through one VALE switch.
 *
 * Up to four ports "vale0:pK" (1..2 rings, 2..1100 slots per direction, from
 * the input) are opened, reopened and closed on one switch whose lookup is
 * ours: the frame's first byte names the destination (a port number, absent
 * ports, broadcast, >= 255), the second the ring (kept, 0..15, >= 16).  TX
 * slots get input-chosen lengths (0..65535), flags (NS_MOREFRAG chains up
 * to and beyond 64 slots, NS_INDIRECT, anything), and sometimes hostile or
 * aliased buffer indices; receivers scribble on their RX buffer indices.
 * Every frame carries a packet id, so each received packet is traced back.
 *
 * Bridge mode (the first input byte's top bit): the switch keeps its
 * default lookup, the learning bridge, so the inline path and the direct
 * run (core/vale_fwd.c) are the ones exercised.  Frames then carry a
 * destination MAC chosen by the first header byte (eight hosts, two of
 * them colliding in the table with others, broadcast, multicast), a source
 * MAC by the second (a host, or a group address that must not be learnt),
 * and a 16-bit packet id in the EtherType; the oracle keeps its own model
 * of the 1024-entry table (learn, collide, forget a closed port) and
 * predicts every packet's route in source order.
 *
 * Virtio-net mode (data[0] & 0x40 and data[1] == 'V', either lookup): each
 * opening of a port sets its header length (0, 10 or 12) from one more
 * input byte, with our lookup also on a port in use, so lengths change
 * under traffic; the first fragment of every frame starts with a
 * virtio-net header made from a template, the 32 input bytes after 'V'
 * (flags, GSO type, gso_size, csum_start/offset anything; the operations
 * follow it), then the lookup's header (or the bridge's MACs) and an
 * Ethernet type, IPv4/IPv6 and TCP/UDP skeleton from the template, so the
 * switch translates, segments, completes checksums or refuses
 * (core/vale_offload.c).  What the switch makes of a packet between ports
 * of different lengths is not predicted here (test_vale_offload.c checks
 * that against an independent reference); the oracle keeps every phase-1
 * prediction (VALE_DROP_VNET_HDR for a first fragment with no room for
 * the L2 header after the virtio-net one included), the lookup's order,
 * conservation with segmentation (rx_pkts - rx_seg_extra), whole chains
 * with consistent NS_RFRAGS/NS_MOREFRAG, and every invariant below.
 *
 * Oracle: conservation (sum of rx_pkts and every drop counter == sum of
 * tx_pkts plus broadcast fan-out, closed ports' counters kept); every drop
 * reason decided at the source (TRUNC, FRAGS, BAD_SLOT, UNSUPPORTED,
 * LOOKUP, BAD_RING, SELF, NO_PORT) predicted exactly per sync; the lookup
 * sees exactly the expected packets, in source order; every received
 * packet was routed there, arrives at most once, whole, in order per
 * (source ring, lookup ring), with the right lengths, NS_RFRAGS and bytes;
 * a full drain reads exactly rx_pkts packets; no sync touches TX slots or
 * RX slots the application owns; nm_kring_valid() and the lease invariants
 * after every call.  All randomness comes from the input.
 */
#include "fuzz_util.h"
#include "nm_port.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "vale.h"
#include "vale_lease.h"

#include <stdio.h>
#include <stdlib.h>

/* Oracle loops (hashes, byte patterns) carry no coverage worth steering by:
 * keep libFuzzer's comparison hooks out of them. */
#if defined(__clang__)
#define FV_NOCOV __attribute__((no_sanitize("coverage")))
#else
#define FV_NOCOV
#endif

#define FV_PORTS 4U
#define FV_RINGS 2U
#define FV_MAX_SLOTS 1100U
#define FV_HDR 6U /* dst byte, ring byte, packet id (4 bytes, LE) */
#define FV_BR_HDR 14U /* bridge mode: dst MAC, src MAC, id (2 bytes, LE) */
#define FV_HOSTS 8U
#define FV_MAX_REC (1U << 16)
#define FV_MAX_FRAGS (1U << 18)
#define FV_NKEYS (FV_PORTS * FV_RINGS * VALE_MAX_RINGS)
#define FV_NIL 0U /* no packet: ids start at 1 */

enum fv_route { FV_UNROUTED, FV_UNICAST, FV_BCAST, FV_DROPPED };

/* One packet as the application wrote it. */
struct fv_rec {
	uint8_t src, ring;   /* fuzzer port slot and TX ring */
	uint8_t hdr0, hdr1;  /* first two bytes of the frame */
	uint8_t route;	     /* enum fv_route, set by the lookup */
	uint8_t dst_slot;    /* FV_UNICAST: fuzzer slot it went to */
	uint8_t lring;	     /* FV_UNICAST: the lookup's ring */
	uint8_t delivered;   /* bitmask of fuzzer slots it reached */
	bool expect_lookup;  /* passed phase 1: the lookup must see it */
	int bad;	     /* phase-1 drop reason of a bad slot, or -1 */
	uint16_t flags0;
	uint32_t frags;
	uint32_t first; /* its fragments' lengths: fv_len[first ...] */
	uint32_t next;	/* next packet pending on the same TX ring */
};

static struct fv_rec fv_rec[FV_MAX_REC];
static uint16_t fv_len[FV_MAX_FRAGS];
static uint8_t fv_unknown[FV_MAX_FRAGS]; /* aliased buffer: bytes unknown */

struct fv_tx {
	uint32_t *own;	   /* each slot's own buffer index */
	uint32_t open_id;  /* packet whose chain is open, or FV_NIL */
	uint32_t pend_head, pend_tail; /* packets written since the last sync */
};

struct fv_rx {
	uint32_t *own;
	uint8_t *scribbled;
	bool ever_scribbled;
	uint32_t id, frag; /* packet being read and its next fragment */
	uint32_t last[FV_NKEYS]; /* per (src, src ring, lookup ring): last id */
};

struct fv_port {
	struct nm_port *p; /* NULL: closed */
	struct vale_port *vp;
	uint32_t users;
	struct fv_tx tx[FV_RINGS];
	struct fv_rx rx[FV_RINGS];
	uint64_t received; /* whole packets the application read */
	uint32_t vh;	   /* virtio-net header length set last */
};

/* Bridge mode: the oracle's model of the switch's learning table. */
struct fv_bridge_ent {
	bool valid;
	uint8_t mac[6];
	uint32_t port;
};

struct fv {
	struct nm_registry reg;
	struct vale_switch *sw;
	struct vale_lookup lk;
	bool bridge; /* the default lookup (see the top of this file) */
	bool vnet;   /* virtio-net mode (see the top of this file) */
	uint8_t vtmpl[32]; /* vnet mode: header and L3/L4 template */
	uint32_t cur_vh;   /* the source's header length in this sync */
	uint8_t host_mac[FV_HOSTS][6];
	struct fv_bridge_ent table[VALE_HASH_SIZE];
	struct fv_port port[FV_PORTS];
	uint64_t closed_tx, closed_out; /* counters of closed ports */
	int64_t extra;			/* broadcast fan-out beyond one */
	uint32_t nrec, nlen;
	/* During one TX sync. */
	bool in_sync;
	uint32_t cur_src, cur_ring, cursor;
	uint64_t exp[VALE_DROP_NREASONS];
};

static struct fv fv_state;

/* ---- Bridge mode: addresses and the table model. */

/* Eight hosts: 0..5 plain, 6 collides in the table with host 0, 7 with
 * host 1 (so learning one evicts the other). */
static void fv_bridge_hosts(struct fv *f)
{
	uint32_t h, id;

	for (h = 0; h < FV_HOSTS; h++) {
		uint8_t *m = f->host_mac[h];

		memset(m, 0, 6);
		m[0] = 0x02; /* locally administered unicast */
		m[5] = (uint8_t)(0x10 + h);
	}
	for (h = 6; h < FV_HOSTS; h++) {
		uint8_t *m = f->host_mac[h];

		for (id = 0x100;; id++) {
			m[3] = (uint8_t)(id >> 16);
			m[4] = (uint8_t)(id >> 8);
			m[5] = (uint8_t)id;
			if (vale_bridge_hash(m) == vale_bridge_hash(f->host_mac[h - 6]))
				break;
		}
	}
}

/* The destination and source MACs packet r carries in bridge mode. */
static void fv_bridge_macs(const struct fv *f, const struct fv_rec *r,
			   uint8_t *dst, uint8_t *src)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint32_t d = r->hdr0 & 15, sh = r->hdr1 & 15;

	if (d == 8)
		memcpy(dst, bcast, 6);
	else if (d == 9)
		memcpy(dst, mcast, 6);
	else
		memcpy(dst, f->host_mac[d & 7], 6);
	memcpy(src, f->host_mac[sh & 7], 6);
	if (sh >= 12)
		src[0] |= 1; /* a group source: never learnt */
}

/* What the bridge decides for packet r, first slot of length len, sent
 * by switch port src: learn its source, then a port, VALE_BROADCAST or
 * VALE_DROP (docs/vale.md, the learning bridge). */
static uint32_t fv_bridge_route(struct fv *f, const struct fv_rec *r,
				uint32_t len, uint32_t src)
{
	uint8_t dst[6], smac[6];
	struct fv_bridge_ent *e;

	if (len < FV_BR_HDR)
		return VALE_DROP;
	fv_bridge_macs(f, r, dst, smac);
	if (!(smac[0] & 1) && !(r->flags0 & NS_NO_LEARN)) {
		e = &f->table[vale_bridge_hash(smac)];
		e->valid = true;
		memcpy(e->mac, smac, 6);
		e->port = src;
	}
	if (dst[0] & 1)
		return VALE_BROADCAST;
	e = &f->table[vale_bridge_hash(dst)];
	if (e->valid && memcmp(e->mac, dst, 6) == 0)
		return e->port;
	return VALE_BROADCAST;
}

/* A closed port's entries leave the table (vale_bridge_forget_port()). */
static void fv_bridge_forget(struct fv *f, uint32_t port)
{
	uint32_t i;

	for (i = 0; i < VALE_HASH_SIZE; i++)
		if (f->table[i].valid && f->table[i].port == port)
			f->table[i].valid = false;
}

static void fv_bridge_macs(const struct fv *f, const struct fv_rec *r,
			   uint8_t *dst, uint8_t *src);

/*
 * Vnet mode, the first fragment: a virtio-net header (the template with
 * one byte changed by the packet id), the lookup's header or the bridge's
 * MACs, an Ethernet type and an IPv4/IPv6, TCP/UDP skeleton, the rest of
 * the template over it.  Written for the source's header length at the
 * time of writing (it may change before the sync: the switch then sees
 * other bytes, as with any hostile sender).
 */
FV_NOCOV static void fv_fill_vnet(uint8_t *buf, const struct fv_rec *r,
				  uint32_t id, uint32_t len, bool l2_only)
{
	const uint8_t *t = fv_state.vtmpl;
	uint32_t vh = l2_only ? 0 : fv_state.port[r->src].vh, k;
	uint8_t h[12 + 80];
	uint8_t *e = h + vh, *ip = e + 14, *l4;
	bool v6 = t[12] & 1, udp = t[12] & 2;

	memset(h, 0, sizeof(h));
	memcpy(h, t, vh);
	if (vh != 0)
		h[id % vh] ^= (uint8_t)(id >> 2);
	if (fv_state.bridge) {
		/* The MACs the model routes by (no id: 12..13 are the type). */
		fv_bridge_macs(&fv_state, r, e, e + 6);
	} else {
		e[0] = r->hdr0;
		e[1] = r->hdr1;
		e[2] = (uint8_t)id;
		e[3] = (uint8_t)(id >> 8);
		e[4] = (uint8_t)(id >> 16);
		e[5] = (uint8_t)(id >> 24);
	}
	e[12] = v6 ? 0x86 : 0x08;
	e[13] = v6 ? 0xdd : 0x00;
	if (!v6) {
		ip[0] = 0x45;
		ip[9] = udp ? 17 : 6;
		l4 = ip + 20;
	} else {
		ip[0] = 0x60;
		ip[6] = udp ? 17 : 6;
		l4 = ip + 40;
	}
	l4[12] = 0x50;
	l4[13] = t[13];
	/* Some template bytes over the skeleton: sometimes invalid. */
	for (k = 14; k + 1 < sizeof(fv_state.vtmpl); k += 2)
		if (t[k] < 66)
			e[14 + t[k]] ^= t[k + 1];
	memcpy(buf, h, len < vh + 80 ? len : vh + 80);
}

/*
 * The bytes fragment frag of packet id carries: one value per fragment,
 * a marker every 61 bytes (so a block copied short, long or from the wrong
 * place shows), the header on the first fragment.  buf[0 .. len).
 */
FV_NOCOV static void fv_fill(uint8_t *buf, const struct fv_rec *r,
			     uint32_t id, uint32_t frag, uint32_t len)
{
	uint8_t c = (uint8_t)(id * 7U + frag * 31U + 1U);
	uint32_t k;

	memset(buf, c, len);
	for (k = 60; k < len; k += 61)
		buf[k] = (uint8_t)(c ^ (k / 61U) ^ 0x5a);
	if (len > 0)
		buf[len - 1] = (uint8_t)~c;
	if (fv_state.vnet && frag == 0) {
		fv_fill_vnet(buf, r, id, len, false);
		return;
	}
	if (fv_state.vnet && frag == 1 && fv_state.port[r->src].vh != 0 &&
	    fv_len[r->first] == fv_state.port[r->src].vh) {
		/* The header filled the first fragment: L2 starts here. */
		fv_fill_vnet(buf, r, id, len, true);
		return;
	}
	if (frag == 0 && fv_state.bridge) {
		uint8_t h[FV_BR_HDR];

		fv_bridge_macs(&fv_state, r, h, h + 6);
		h[12] = (uint8_t)id;
		h[13] = (uint8_t)(id >> 8);
		memcpy(buf, h, len < FV_BR_HDR ? len : FV_BR_HDR);
	} else if (frag == 0) {
		uint8_t h[FV_HDR] = { r->hdr0, r->hdr1, (uint8_t)id,
				      (uint8_t)(id >> 8), (uint8_t)(id >> 16),
				      (uint8_t)(id >> 24) };

		memcpy(buf, h, len < FV_HDR ? len : FV_HDR);
	}
}

FV_NOCOV static bool fv_bytes_ok(const uint8_t *buf, const struct fv_rec *r,
				 uint32_t id, uint32_t frag, uint32_t len)
{
	static uint8_t want[VALE_BUF_SIZE];

	fv_fill(want, r, id, frag, len);
	return memcmp(buf, want, len) == 0;
}

static uint64_t fv_ctr(const struct nm_os_counter *c)
{
	return nm_os_counter_read(c);
}

/* ---- Checks after every call. */

FV_NOCOV static uint64_t fv_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/*
 * What no sync may change: every TX slot (VALE never writes its TX ring)
 * and the RX slots the application owns, [hwcur, tail); with all_rx, every
 * RX slot (an RX sync writes no slot at all).
 */
FV_NOCOV static uint64_t fv_user_hash(struct fv *f, bool all_rx)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t s, r, j, n, end;

	for (s = 0; s < FV_PORTS; s++) {
		struct nm_port *p = f->port[s].p;

		if (p == NULL)
			continue;
		for (r = 0; r < p->num_rings[NR_TX]; r++) {
			struct netmap_ring *ring = p->kring[NR_TX][r]->ring;

			for (j = 0; j < ring->num_slots; j++) {
				h = fv_mix(h, ring->slot[j].buf_idx);
				h = fv_mix(h, ring->slot[j].len);
				h = fv_mix(h, ring->slot[j].flags);
			}
		}
		for (r = 0; r < p->num_rings[NR_RX]; r++) {
			struct nm_kring *kr = p->kring[NR_RX][r];
			struct netmap_ring *ring = kr->ring;

			n = kr->num_slots;
			j = all_rx ? 0 : kr->hwcur;
			end = all_rx ? n : ring->tail;
			FUZZ_CHECK(end <= n);
			for (; j != end; j = all_rx ? j + 1 : nm_idx_next(j, n)) {
				h = fv_mix(h, ring->slot[j].buf_idx);
				h = fv_mix(h, ring->slot[j].len);
				h = fv_mix(h, ring->slot[j].flags);
			}
		}
	}
	return h;
}

FV_NOCOV static void fv_check_port(struct fv_port *fp)
{
	struct nm_port *p = fp->p;
	uint32_t r, i;

	for (r = 0; r < p->num_rings[NR_TX]; r++) {
		struct nm_kring *kr = p->kring[NR_TX][r];

		FUZZ_CHECK(nm_kring_valid(kr) && kr->busy == 0);
		/* A VALE TX sync hands every slot back. */
		FUZZ_CHECK(kr->hwtail == nm_idx_prev(kr->hwcur, kr->num_slots));
	}
	for (r = 0; r < p->num_rings[NR_RX]; r++) {
		struct nm_kring *kr = p->kring[NR_RX][r];
		struct vale_lease *ls = &fp->vp->rx[r].ls;

		FUZZ_CHECK(nm_kring_valid(kr) && kr->busy == 0);
		FUZZ_CHECK(vale_lease_valid(ls));
		/* Single-threaded: no lease outstanding between calls. */
		FUZZ_CHECK(ls->hwtail == ls->hwlease);
		FUZZ_CHECK(ls->hwcur == kr->hwcur);
		FUZZ_CHECK(nm_idx_in_window(kr->hwtail, ls->hwcur, ls->hwtail,
					    kr->num_slots));
		for (i = 0; i < ls->num_slots; i++)
			FUZZ_CHECK(ls->ends[i] == VALE_LEASE_BUSY);
	}
}

FV_NOCOV static void fv_check_all(struct fv *f)
{
	uint64_t tx = f->closed_tx, out = f->closed_out;
	uint32_t s, t;

	for (s = 0; s < FV_PORTS; s++) {
		struct fv_port *fp = &f->port[s];

		if (fp->p == NULL)
			continue;
		fv_check_port(fp);
		for (t = 0; t < s; t++)
			FUZZ_CHECK(f->port[t].p == NULL ||
				   f->port[t].vp->index != fp->vp->index);
		tx += fv_ctr(&fp->vp->stats.tx_pkts);
		out += fv_ctr(&fp->vp->stats.rx_pkts) -
		       vale_port_rx_seg_extra(fp->vp) +
		       vale_port_drops_total(fp->vp);
	}
	/* Conservation: every packet taken ends delivered or counted once
	 * per destination. */
	FUZZ_CHECK((int64_t)out == (int64_t)tx + f->extra);
}

/* ---- The lookup. */

static uint32_t fv_attached_others(const struct fv *f, uint32_t src)
{
	uint32_t s, n = 0;

	for (s = 0; s < FV_PORTS; s++)
		if (s != src && f->port[s].p != NULL)
			n++;
	return n;
}

/* The fuzzer slot at switch port number idx, or FV_PORTS. */
static uint32_t fv_slot_of(const struct fv *f, uint32_t idx)
{
	uint32_t s;

	for (s = 0; s < FV_PORTS; s++)
		if (f->port[s].p != NULL && f->port[s].vp->index == idx)
			return s;
	return FV_PORTS;
}

static void fv_expect(struct fv *f, struct fv_rec *r, uint32_t dst,
		      uint32_t ring);

/* Bytes of packet r the lookup sees: after the source's virtio-net header
 * (cur_vh) in the first fragment, or the whole second fragment (even an
 * empty one) when the header fills the first exactly (docs/vale.md); -1
 * for neither, which phase 1 drops as VALE_DROP_VNET_HDR. */
static int32_t fv_l2_len(const struct fv *f, const struct fv_rec *r)
{
	uint32_t vh = f->cur_vh, l0 = fv_len[r->first];

	if (l0 > vh || vh == 0)
		return (int32_t)(l0 - vh);
	if (l0 == vh && r->frags > 1)
		return fv_len[r->first + 1];
	return -1;
}

static uint32_t fv_lookup(const struct vale_pkt *pkt, uint32_t *dst_ring,
			  void *priv)
{
	struct fv *f = priv;
	struct fv_port *sp = &f->port[f->cur_src];
	uint32_t id = f->cursor, dst;
	struct fv_rec *r;
	uint8_t b0, b1;

	FUZZ_CHECK(f->in_sync && id != FV_NIL);
	r = &fv_rec[id];
	/* The next packet expected, in source order. */
	FUZZ_CHECK(r->expect_lookup && r->route == FV_UNROUTED);
	f->cursor = r->next;
	while (f->cursor != FV_NIL && !fv_rec[f->cursor].expect_lookup)
		f->cursor = fv_rec[f->cursor].next;
	FUZZ_CHECK(pkt->src_port == sp->vp->index);
	FUZZ_CHECK(pkt->src_ring == f->cur_ring && *dst_ring == f->cur_ring);
	FUZZ_CHECK(pkt->slots == r->frags && pkt->flags == r->flags0);
	FUZZ_CHECK((int32_t)pkt->len == fv_l2_len(f, r));
	FUZZ_CHECK(nm_region_contains(&sp->vp->region, pkt->buf, pkt->len));
	if (!f->vnet)
		FUZZ_CHECK(fv_bytes_ok(pkt->buf, r, id, 0, pkt->len));
	r->route = FV_DROPPED;
	if (pkt->len < FV_HDR) {
		f->exp[VALE_DROP_LOOKUP]++;
		return VALE_DROP;
	}
	b0 = pkt->buf[0];
	b1 = pkt->buf[1];
	if (b0 < 0x80)
		dst = b0 & 7; /* ports 0..3 mostly exist, 4..7 mostly not */
	else if (b0 < 0xc0)
		dst = VALE_BROADCAST;
	else if (b0 < 0xd0)
		dst = VALE_MAX_PORTS - 1;
	else if (b0 < 0xe0)
		dst = VALE_DROP;
	else if (b0 < 0xf0)
		dst = VALE_DROP + b0;
	else
		dst = 0xffffffffU - (b0 & 15);
	if (b1 < 0x40)
		*dst_ring = b1 & 15;
	else if (b1 < 0x80)
		; /* keep the source ring */
	else if (b1 < 0xc0)
		*dst_ring = b1 & 1;
	else if (b1 < 0xf0)
		*dst_ring = VALE_MAX_RINGS + (b1 & 15);
	else
		*dst_ring = 0xffffffffU - (b1 & 15);
	fv_expect(f, r, dst, *dst_ring);
	return dst;
}

/* What the switch must make of packet r, which the lookup (ours, or the
 * bridge's model) sent to dst, ring ring (docs/vale.md, forwarding). */
static void fv_expect(struct fv *f, struct fv_rec *r, uint32_t dst,
		      uint32_t ring)
{
	struct fv_port *sp = &f->port[f->cur_src];
	uint32_t slot;

	r->route = FV_DROPPED;
	if (dst >= VALE_DROP) {
		f->exp[VALE_DROP_LOOKUP]++;
	} else if (dst == VALE_BROADCAST) {
		r->route = FV_BCAST;
		/* One outcome per other attached port, where the packet
		 * itself was counted once. */
		f->extra += (int64_t)fv_attached_others(f, f->cur_src) - 1;
	} else if (ring >= VALE_MAX_RINGS) {
		f->exp[VALE_DROP_BAD_RING]++;
	} else if (dst == sp->vp->index) {
		f->exp[VALE_DROP_SELF]++;
	} else if ((slot = fv_slot_of(f, dst)) == FV_PORTS) {
		f->exp[VALE_DROP_NO_PORT]++;
	} else {
		r->route = FV_UNICAST;
		r->dst_slot = (uint8_t)slot;
		r->lring = (uint8_t)ring;
	}
}

/* ---- Ports. */

static void fv_port_free(struct fv_port *fp)
{
	uint32_t r;

	for (r = 0; r < FV_RINGS; r++) {
		free(fp->tx[r].own);
		free(fp->rx[r].own);
		free(fp->rx[r].scribbled);
	}
	memset(fp, 0, sizeof(*fp));
}

static uint32_t fv_slots(uint8_t code, uint16_t wide)
{
	if (code == 0)
		return 0; /* the default, 1024 */
	if (code >= 0xf0)
		return wide % (FV_MAX_SLOTS + 1); /* 0 and 1 included */
	return 1 + (code & 63);
}

static void fv_open(struct fv *f, struct fuzz_input *in)
{
	uint32_t s = in_u8(in) % FV_PORTS, r, j, n;
	uint8_t rings = in_u8(in), ct = in_u8(in), cr = in_u8(in);
	uint16_t wide = in_u16(in);
	struct nm_port_geom g = { 1 + (rings & 1), 1 + ((rings >> 1) & 1),
				  fv_slots(ct, wide), fv_slots(cr, wide), 0 };
	struct fv_port *fp = &f->port[s];
	struct nm_port *p = NULL;
	char name[16];

	uint8_t vhb = f->vnet ? in_u8(in) : 0;
	static const uint32_t vlens[3] = { 0, 10, 12 };

	snprintf(name, sizeof(name), "vale0:p%u", s);
	FUZZ_CHECK(nm_port_open(&f->reg, name, &g, &p) == 0 && p != NULL);
	if (f->vnet && (!f->bridge || fp->p == NULL)) {
		uint32_t got = 99;

		/* Set on every opening, so also on a port in use (with our
		 * lookup; the bridge's model predicts from the bytes as
		 * written, so there only a fresh port gets a length). */
		FUZZ_CHECK(vale_port_set_vnet_hdr(&f->reg, name,
						  vlens[vhb % 3]) == 0);
		FUZZ_CHECK(vale_port_get_vnet_hdr(&f->reg, name, &got) == 0 &&
			   got == vlens[vhb % 3]);
		FUZZ_CHECK(vale_port_set_vnet_hdr(&f->reg, name, 11) == -EINVAL);
		fp->vh = got;
	}
	if (fp->p != NULL) {
		/* Another reference to the same port: its geometry. */
		FUZZ_CHECK(p == fp->p);
		FUZZ_CHECK(g.tx_rings == p->num_rings[NR_TX] &&
			   g.rx_rings == p->num_rings[NR_RX] &&
			   g.tx_slots == p->num_slots[NR_TX] &&
			   g.rx_slots == p->num_slots[NR_RX]);
		fp->users++;
		return;
	}
	FUZZ_CHECK(p->kind == NM_PORT_VALE);
	FUZZ_CHECK(g.tx_slots >= NM_RING_MIN_SLOTS && g.tx_slots <= FV_MAX_SLOTS &&
		   g.rx_slots >= NM_RING_MIN_SLOTS && g.rx_slots <= FV_MAX_SLOTS);
	fp->p = p;
	fp->vp = (struct vale_port *)p;
	fp->users = 1;
	for (r = 0; r < p->num_rings[NR_TX]; r++) {
		struct netmap_ring *ring = p->kring[NR_TX][r]->ring;

		n = ring->num_slots;
		fp->tx[r].own = calloc(n, sizeof(uint32_t));
		FUZZ_CHECK(fp->tx[r].own != NULL);
		for (j = 0; j < n; j++)
			fp->tx[r].own[j] = ring->slot[j].buf_idx;
	}
	for (r = 0; r < p->num_rings[NR_RX]; r++) {
		struct netmap_ring *ring = p->kring[NR_RX][r]->ring;

		n = ring->num_slots;
		fp->rx[r].own = calloc(n, sizeof(uint32_t));
		fp->rx[r].scribbled = calloc(n, 1);
		FUZZ_CHECK(fp->rx[r].own != NULL && fp->rx[r].scribbled != NULL);
		for (j = 0; j < n; j++)
			fp->rx[r].own[j] = ring->slot[j].buf_idx;
	}
}

static void fv_close_slot(struct fv *f, uint32_t s)
{
	struct fv_port *fp = &f->port[s];
	struct vale_port *vp = fp->vp;

	if (fp->p == NULL)
		return;
	if (--fp->users > 0) {
		nm_port_close(fp->p); /* still attached: another reference */
		return;
	}
	/* Its counters leave with it, and so do its table entries. */
	f->closed_tx += fv_ctr(&vp->stats.tx_pkts);
	f->closed_out += fv_ctr(&vp->stats.rx_pkts) -
			 vale_port_rx_seg_extra(vp) + vale_port_drops_total(vp);
	fv_bridge_forget(f, vp->index);
	nm_port_close(fp->p);
	fv_port_free(fp);
}

/* ---- Application TX. */

static struct fv_port *fv_pick(struct fv *f, struct fuzz_input *in,
			       uint32_t dir, uint32_t *ring)
{
	uint8_t b = in_u8(in);
	struct fv_port *fp = &f->port[b % FV_PORTS];

	if (fp->p == NULL)
		return NULL;
	*ring = (b >> 2) % fp->p->num_rings[dir];
	return fp;
}

/*
 * Write the slot at head of TX ring r of port slot s and advance head
 * (published by the next sync).  mode: 0-4 the slot's own buffer, 5 a
 * hostile (invalid) index, 6 another valid buffer (a later fragment only:
 * its bytes are then unknown).  False if there is no room.
 */
static bool fv_put(struct fv *f, uint32_t s, uint32_t r, uint16_t len,
		   uint16_t flags, uint32_t mode, uint32_t arg, uint8_t hdr0,
		   uint8_t hdr1)
{
	struct fv_port *fp = &f->port[s];
	struct fv_tx *t = &fp->tx[r];
	struct netmap_ring *ring = fp->p->kring[NR_TX][r]->ring;
	const struct nm_buf_pool *pool = &fp->vp->region.pool;
	uint32_t n = ring->num_slots, j = ring->head, id, idx;
	struct fv_rec *rec;
	bool valid = true;

	if (nm_ring_user_space(ring, j, nm_ring_user_tail(ring)) == 0 ||
	    f->nlen >= FV_MAX_FRAGS ||
	    (t->open_id == FV_NIL && f->nrec >= FV_MAX_REC))
		return false;
	if (t->open_id == FV_NIL) {
		id = f->nrec++;
		rec = &fv_rec[id];
		memset(rec, 0, sizeof(*rec));
		rec->src = (uint8_t)s;
		rec->ring = (uint8_t)r;
		rec->hdr0 = hdr0;
		rec->hdr1 = hdr1;
		rec->bad = -1;
		rec->flags0 = flags;
		rec->first = f->nlen;
		rec->next = FV_NIL;
		if (t->pend_head == FV_NIL)
			t->pend_head = id;
		else
			fv_rec[t->pend_tail].next = id;
		t->pend_tail = id;
	} else {
		id = t->open_id;
		rec = &fv_rec[id];
		if (rec->first + rec->frags != f->nlen) {
			/* Another ring wrote meanwhile: keep this packet's
			 * lengths contiguous by moving them to the end. */
			if (f->nlen + rec->frags >= FV_MAX_FRAGS)
				return false;
			memmove(&fv_len[f->nlen], &fv_len[rec->first],
				rec->frags * sizeof(fv_len[0]));
			memmove(&fv_unknown[f->nlen], &fv_unknown[rec->first],
				rec->frags);
			rec->first = f->nlen;
			f->nlen += rec->frags;
		}
	}
	idx = t->own[j];
	fv_unknown[f->nlen] = 0;
	if (f->vnet && mode == 6)
		mode = 0; /* the L2 header may be in a later fragment */
	if (mode == 5 || (mode == 6 && rec->frags == 0)) {
		static const uint32_t bad[4] = { 0, 1, 0xffffffffU, 0x80000000U };

		idx = (arg & 4) ? pool->num_bufs + (arg >> 3) % 3 : bad[arg & 3];
		valid = false;
	} else if (mode == 6) {
		idx = NETMAP_BUF_RESERVED +
		      arg % (pool->num_bufs - NETMAP_BUF_RESERVED);
		fv_unknown[f->nlen] = 1;
	} else {
		fv_fill(nm_ring_user_buf(ring, idx), rec, id, rec->frags,
			len < VALE_BUF_SIZE ? len : VALE_BUF_SIZE);
	}
	if (rec->bad < 0) {
		if (!valid || len > VALE_BUF_SIZE)
			rec->bad = VALE_DROP_BAD_SLOT;
		else if (flags & NS_INDIRECT)
			rec->bad = VALE_DROP_UNSUPPORTED;
	}
	ring->slot[j].buf_idx = idx;
	ring->slot[j].len = len;
	ring->slot[j].flags = flags;
	fv_len[f->nlen++] = len;
	rec->frags++;
	t->open_id = (flags & NS_MOREFRAG) ? id : FV_NIL;
	ring->head = nm_idx_next(j, n);
	return true;
}

static void fv_op_slot(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0;
	struct fv_port *fp = fv_pick(f, in, NR_TX, &r);
	uint16_t len = in_u16(in), flags = in_u16(in);
	uint8_t mode = in_u8(in), hdr0 = in_u8(in), hdr1 = in_u8(in);
	uint16_t arg = in_u16(in);

	if (fp != NULL)
		fv_put(f, (uint32_t)(fp - f->port), r, len, flags, mode % 8,
		       arg, hdr0, hdr1);
}

/* A chain of 1..100 fragments, the last one possibly left open. */
static void fv_op_chain(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0, k, frags;
	struct fv_port *fp = fv_pick(f, in, NR_TX, &r);
	uint8_t nf = in_u8(in), hdr0 = in_u8(in), hdr1 = in_u8(in);
	uint8_t how = in_u8(in);
	uint16_t len = in_u16(in);

	if (fp == NULL)
		return;
	frags = 1 + nf % 100;
	for (k = 0; k < frags; k++) {
		uint16_t flags = k + 1 < frags || (how & 1) ? NS_MOREFRAG : 0;
		uint32_t mode = (how & 2) && k == frags / 2 ? 6 : 0;

		if ((how & 4) && k == frags - 1)
			mode = 5;
		if (!fv_put(f, (uint32_t)(fp - f->port), r,
			    (uint16_t)((len + k * 97U) % (VALE_BUF_SIZE + 1)),
			    flags, mode, len + k, hdr0, hdr1))
			break;
	}
}

/* Many one-slot frames: big batches, full rings, several flushes. */
static void fv_op_bulk(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0, k, count;
	struct fv_port *fp = fv_pick(f, in, NR_TX, &r);
	uint16_t c = in_u16(in);
	uint8_t lenb = in_u8(in), hdr0 = in_u8(in), hdr1 = in_u8(in);
	uint8_t step = in_u8(in);

	if (fp == NULL)
		return;
	count = c % 2048;
	for (k = 0; k < count; k++)
		if (!fv_put(f, (uint32_t)(fp - f->port), r,
			    (uint16_t)(FV_HDR + (lenb * 8U + k) % 1500), 0, 0,
			    0, (uint8_t)(hdr0 + k * step), hdr1))
			break;
}

static void fv_txsync(struct fv *f, struct fv_port *fp, uint32_t r)
{
	struct fv_tx *t = &fp->tx[r];
	struct nm_kring *kr = fp->p->kring[NR_TX][r];
	struct netmap_ring *ring = kr->ring;
	struct vale_port_stats *st = &fp->vp->stats;
	uint64_t exp_p1[VALE_DROP_NREASONS] = { 0 }, before[VALE_DROP_NREASONS];
	uint64_t tx_pkts = fv_ctr(&st->tx_pkts), tx_slots = fv_ctr(&st->tx_slots);
	uint64_t npkts = 0, nslots = 0, h;
	uint32_t id, head = ring->head, d;

	/* Phase 1 as documented: a chain cut by head is TRUNC, one over 64
	 * slots FRAGS, else its first bad slot decides; the rest go to the
	 * lookup, in order. */
	f->cursor = FV_NIL;
	f->cur_vh = fp->vh;
	for (id = t->pend_head; id != FV_NIL; id = fv_rec[id].next) {
		struct fv_rec *rec = &fv_rec[id];

		npkts++;
		nslots += rec->frags;
		if (id == t->open_id)
			exp_p1[VALE_DROP_TRUNC]++;
		else if (rec->frags > NETMAP_MAX_FRAGS)
			exp_p1[VALE_DROP_FRAGS]++;
		else if (rec->bad >= 0)
			exp_p1[rec->bad]++;
		else if (fv_l2_len(f, rec) < 0)
			exp_p1[VALE_DROP_VNET_HDR]++;
		else
			rec->expect_lookup = true;
		if (rec->expect_lookup && f->cursor == FV_NIL)
			f->cursor = id;
	}
	FUZZ_CHECK(nslots == nm_idx_dist(kr->hwcur, head, kr->num_slots));
	for (d = 0; d < VALE_DROP_NREASONS; d++) {
		before[d] = vale_port_drops(fp->vp, d);
		f->exp[d] = 0;
	}
	f->cur_src = (uint32_t)(fp - f->port);
	f->cur_ring = r;
	if (f->bridge) {
		/* No lookup callback: the model routes every packet that
		 * reaches classification, in source order. */
		for (id = f->cursor; id != FV_NIL; id = fv_rec[id].next)
			if (fv_rec[id].expect_lookup)
				fv_expect(f, &fv_rec[id],
					  fv_bridge_route(f, &fv_rec[id],
							  (uint32_t)fv_l2_len(f, &fv_rec[id]),
							  fp->vp->index),
					  r);
		f->cursor = FV_NIL;
	}
	h = fv_user_hash(f, false);
	f->in_sync = true;
	nm_ring_user_publish(ring, head, head);
	FUZZ_CHECK(nm_kring_sync(kr, 0) == 0);
	f->in_sync = false;
	FUZZ_CHECK(f->cursor == FV_NIL); /* the lookup saw every one */
	FUZZ_CHECK(kr->hwcur == head && ring->tail == nm_idx_prev(head, kr->num_slots));
	FUZZ_CHECK(fv_ctr(&st->tx_pkts) - tx_pkts == npkts);
	FUZZ_CHECK(fv_ctr(&st->tx_slots) - tx_slots == nslots);
	for (d = 0; d < VALE_DROP_NREASONS; d++) {
		if (d == VALE_DROP_RX_FULL || d == VALE_DROP_BAD_DST)
			continue; /* decided at the destination */
		if (f->vnet && (d == VALE_DROP_VNET_HDR || d == VALE_DROP_FRAGS)) {
			/* Also decided at destinations of another length. */
			FUZZ_CHECK(vale_port_drops(fp->vp, d) - before[d] >=
				   exp_p1[d] + f->exp[d]);
			continue;
		}
		FUZZ_CHECK(vale_port_drops(fp->vp, d) - before[d] ==
			   exp_p1[d] + f->exp[d]);
	}
	FUZZ_CHECK(fv_user_hash(f, false) == h);
	t->pend_head = t->pend_tail = FV_NIL;
	t->open_id = FV_NIL;
}

static void fv_op_txsync(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0;
	struct fv_port *fp = fv_pick(f, in, NR_TX, &r);

	if (fp != NULL)
		fv_txsync(f, fp, r);
}

/* A hostile head: refused, nothing moves, nothing is sent. */
static void fv_op_bad_head(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0, v;
	struct fv_port *fp = fv_pick(f, in, NR_TX, &r);
	struct nm_kring *kr;
	uint32_t head, hwcur;
	uint64_t pkts;

	v = in_u16(in);
	if (fp == NULL)
		return;
	kr = fp->p->kring[NR_TX][r];
	head = kr->ring->head;
	hwcur = kr->hwcur;
	pkts = fv_ctr(&fp->vp->stats.tx_pkts);
	nm_ring_user_publish(kr->ring, kr->num_slots + v, head);
	FUZZ_CHECK(nm_kring_sync(kr, 0) == -EINVAL);
	FUZZ_CHECK(kr->hwcur == hwcur && fv_ctr(&fp->vp->stats.tx_pkts) == pkts);
	nm_ring_user_publish(kr->ring, head, head);
}

/* ---- Application RX. */

/* Vnet mode: frames may be translated or segmented, so only their
 * structure is checked: whole chains, NS_RFRAGS counting down to 1,
 * NS_MOREFRAG on all but the last, lengths within the buffer. */
static void fv_read_slot_vnet(struct fv_port *fp, struct fv_rx *x,
			      uint16_t len, uint16_t flags)
{
	uint32_t left = flags >> NS_PORT_SHIFT;

	if (x->id == FV_NIL) {
		if (len == 0 && flags == 0) {
			FUZZ_CHECK(x->ever_scribbled);
			return;
		}
		FUZZ_CHECK(left >= 1 && left <= NETMAP_MAX_FRAGS);
		x->id = left; /* slots of this packet; != FV_NIL */
		x->frag = 0;
	}
	FUZZ_CHECK(len <= fp->vp->region.pool.buf_size);
	FUZZ_CHECK(left == x->id - x->frag);
	FUZZ_CHECK((flags & 0xff) ==
		   (x->frag + 1 < x->id ? NS_MOREFRAG : 0));
	if (++x->frag == x->id) {
		x->id = FV_NIL;
		fp->received++;
	}
}

/* Read RX slot j of ring r of port slot s, as the application. */
static void fv_read_slot(struct fv *f, uint32_t s, uint32_t r, uint32_t j)
{
	struct fv_port *fp = &f->port[s];
	struct fv_rx *x = &fp->rx[r];
	struct netmap_ring *ring = fp->p->kring[NR_RX][r]->ring;
	struct netmap_slot *slot = &ring->slot[j];
	const uint8_t *buf = nm_ring_user_buf(ring, x->own[j]);
	uint16_t len = slot->len, flags = slot->flags;
	struct fv_rec *rec;
	uint32_t id, k;

	if (!x->scribbled[j])
		FUZZ_CHECK(slot->buf_idx == x->own[j]); /* VALE copies */
	if (f->vnet) {
		fv_read_slot_vnet(fp, x, len, flags);
		return;
	}
	if (x->id == FV_NIL) {
		if (len == 0 && flags == 0) {
			/* A packet padded for a bad RX buffer index. */
			FUZZ_CHECK(x->ever_scribbled);
			return;
		}
		if (f->bridge) {
			FUZZ_CHECK(len >= FV_BR_HDR);
			id = (uint32_t)buf[12] | (uint32_t)buf[13] << 8;
		} else {
			FUZZ_CHECK(len >= FV_HDR);
			id = (uint32_t)buf[2] | (uint32_t)buf[3] << 8 |
			     (uint32_t)buf[4] << 16 | (uint32_t)buf[5] << 24;
		}
		FUZZ_CHECK(id != FV_NIL && id < f->nrec);
		rec = &fv_rec[id];
		if (rec->route == FV_UNICAST) {
			FUZZ_CHECK(rec->dst_slot == s);
			FUZZ_CHECK(r == rec->lring % fp->p->num_rings[NR_RX]);
		} else {
			FUZZ_CHECK(rec->route == FV_BCAST);
			FUZZ_CHECK(r == 0 && rec->src != s);
		}
		FUZZ_CHECK(!(rec->delivered & (1U << s)));
		rec->delivered |= (uint8_t)(1U << s);
		/* In source order per (source ring, lookup ring); broadcast
		 * is merged with ring 0 in source order. */
		k = (rec->src * FV_RINGS + rec->ring) * VALE_MAX_RINGS +
		    (rec->route == FV_UNICAST ? rec->lring : 0);
		FUZZ_CHECK(id > x->last[k]);
		x->last[k] = id;
		x->id = id;
		x->frag = 0;
	}
	rec = &fv_rec[x->id];
	FUZZ_CHECK(len == fv_len[rec->first + x->frag]);
	FUZZ_CHECK(NS_RFRAGS(slot) == rec->frags - x->frag);
	FUZZ_CHECK((flags & 0xff) ==
		   (x->frag + 1 < rec->frags ? NS_MOREFRAG : 0));
	if (!fv_unknown[rec->first + x->frag])
		FUZZ_CHECK(fv_bytes_ok(buf, rec, x->id, x->frag, len));
	if (++x->frag == rec->frags) {
		x->id = FV_NIL;
		fp->received++;
	}
}

static void fv_rxsync(struct fv *f, struct fv_port *fp, uint32_t r)
{
	struct nm_kring *kr = fp->p->kring[NR_RX][r];
	struct netmap_ring *ring = kr->ring;
	uint64_t h = fv_user_hash(f, true);

	nm_ring_user_publish(ring, ring->head, ring->head);
	FUZZ_CHECK(nm_kring_sync(kr, 0) == 0);
	FUZZ_CHECK(kr->hwcur == ring->head && ring->tail == kr->hwtail);
	FUZZ_CHECK(fv_user_hash(f, true) == h);
}

/* RX sync, then read and release up to k of the slots ready. */
static void fv_release(struct fv *f, struct fv_port *fp, uint32_t r,
		       uint32_t k)
{
	struct netmap_ring *ring = fp->p->kring[NR_RX][r]->ring;
	uint32_t avail, i;

	fv_rxsync(f, fp, r);
	avail = nm_ring_user_space(ring, ring->head, nm_ring_user_tail(ring));
	if (k > avail)
		k = avail;
	for (i = 0; i < k; i++)
		fv_read_slot(f, (uint32_t)(fp - f->port), r,
			     nm_idx_add(ring->head, i, ring->num_slots));
	ring->head = nm_idx_add(ring->head, k, ring->num_slots);
}

static void fv_op_release(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0;
	struct fv_port *fp = fv_pick(f, in, NR_RX, &r);
	uint16_t k = in_u16(in);

	if (fp != NULL)
		fv_release(f, fp, r, k);
}

/* Read everything: the application has then read exactly rx_pkts
 * packets, none of them cut (only whole packets are published). */
static void fv_drain(struct fv *f, struct fv_port *fp)
{
	uint32_t r;

	for (r = 0; r < fp->p->num_rings[NR_RX]; r++) {
		fv_release(f, fp, r, FV_MAX_SLOTS);
		fv_rxsync(f, fp, r);
		FUZZ_CHECK(fp->rx[r].id == FV_NIL);
		FUZZ_CHECK(fp->p->kring[NR_RX][r]->ring->tail ==
			   fp->p->kring[NR_RX][r]->ring->head);
	}
	FUZZ_CHECK(fp->received == fv_ctr(&fp->vp->stats.rx_pkts));
}

/* A receiver that hands the switch a bad buffer index in an RX slot. */
static void fv_op_scribble(struct fv *f, struct fuzz_input *in)
{
	uint32_t r = 0, j;
	struct fv_port *fp = fv_pick(f, in, NR_RX, &r);
	uint16_t at = in_u16(in);
	uint8_t kind = in_u8(in);
	struct netmap_ring *ring;
	uint32_t v;

	if (fp == NULL)
		return;
	ring = fp->p->kring[NR_RX][r]->ring;
	j = at % ring->num_slots;
	switch (kind % 4) {
	case 0: v = kind >> 2 & 1; break;
	case 1: v = fp->vp->region.pool.num_bufs; break;
	case 2: v = 0xffffffffU; break;
	default: v = fp->vp->region.pool.num_bufs + kind; break;
	}
	ring->slot[j].buf_idx = v;
	fp->rx[r].scribbled[j] = 1;
	fp->rx[r].ever_scribbled = true;
}

static void fv_op_restore(struct fv *f, struct fuzz_input *in)
{
	struct fv_port *fp = &f->port[in_u8(in) % FV_PORTS];
	uint32_t r, j;

	if (fp->p == NULL)
		return;
	for (r = 0; r < fp->p->num_rings[NR_RX]; r++) {
		struct netmap_ring *ring = fp->p->kring[NR_RX][r]->ring;

		for (j = 0; j < ring->num_slots; j++) {
			if (fp->rx[r].scribbled[j]) {
				ring->slot[j].buf_idx = fp->rx[r].own[j];
				fp->rx[r].scribbled[j] = 0;
			}
		}
	}
}

/* ---- The driver. */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fv *f = &fv_state;
	uint32_t s, k;

	nm_shim_log_set_quiet(true);
	nm_shim_thread_register();
	memset(f, 0, sizeof(*f));
	f->nrec = 1; /* id 0 is FV_NIL */
	f->bridge = size > 0 && (data[0] & 0x80);
	f->vnet = size > 1 && (data[0] & 0x40) && data[1] == 'V';
	if (f->vnet) {
		/* Mode byte, 'V', the template, then the operations. */
		in_u8(&in);
		in_u8(&in);
		fuzz_take(&in, f->vtmpl, sizeof(f->vtmpl));
	}
	fv_bridge_hosts(f);
	FUZZ_CHECK(nm_registry_init(&f->reg) == 0);
	FUZZ_CHECK(vale_switch_open(&f->reg, "vale0", &f->sw) == 0);
	f->lk.fn = fv_lookup;
	f->lk.priv = f;
	if (!f->bridge)
		vale_switch_set_lookup(f->sw, &f->lk);
	while (in.left > 0) {
		uint8_t op = in_u8(&in);

		switch (op % 12) {
		case 0: fv_open(f, &in); break;
		case 1: fv_close_slot(f, in_u8(&in) % FV_PORTS); break;
		case 2: fv_op_slot(f, &in); break;
		case 3: fv_op_chain(f, &in); break;
		case 4: fv_op_bulk(f, &in); break;
		case 5:
		case 6: fv_op_txsync(f, &in); break;
		case 7: fv_op_release(f, &in); break;
		case 8:
			s = in_u8(&in) % FV_PORTS;
			if (f->port[s].p != NULL)
				fv_drain(f, &f->port[s]);
			break;
		case 9: fv_op_scribble(f, &in); break;
		case 10: fv_op_restore(f, &in); break;
		default: fv_op_bad_head(f, &in); break;
		}
		fv_check_all(f);
	}
	/* Send what is pending, read everything, close everything. */
	for (s = 0; s < FV_PORTS; s++)
		if (f->port[s].p != NULL)
			for (k = 0; k < f->port[s].p->num_rings[NR_TX]; k++)
				fv_txsync(f, &f->port[s], k);
	for (s = 0; s < FV_PORTS; s++)
		if (f->port[s].p != NULL)
			fv_drain(f, &f->port[s]);
	fv_check_all(f);
	for (s = 0; s < FV_PORTS; s++)
		while (f->port[s].p != NULL)
			fv_close_slot(f, s);
	FUZZ_CHECK(f->closed_out == (uint64_t)((int64_t)f->closed_tx + f->extra));
	vale_switch_set_lookup(f->sw, NULL);
	vale_switch_close(f->sw);
	nm_registry_fini(&f->reg);
	return 0;
}
