/*
 * fuzz_monitor.c - copy monitors (core/nm_monitor.c) under hostile rings.
 *
 * Two VALE ports "vale0:a" and "vale0:b" (1..2 rings, 2..1100 slots, from
 * the input); up to three monitors ("vale0:a/t", "vale0:b/r",
 * "vale0:a/rt", 2..1100 slots) opened and closed at any point; a sends
 * frames to b (input lengths, flags including NS_MOREFRAG and
 * NS_INDIRECT at hostile addresses, hostile buffer indices), a and b sync;
 * each monitor's user syncs, releases any number of slots, and scribbles
 * on its own ring (buffer indices, head, cur, tail).  a closes and reopens
 * under its monitors.  All randomness comes from the input.
 *
 * Oracle: per monitor, seen + dropped == the slots its taps were shown
 * (counted by the fuzzer: TX [hwcur, head) of each successful sync, RX
 * the advance of each RX kring's tap_tail, by syncs or on arrival); every monitor slot delivered with a length carries
 * a frame whose id, length and bytes are what a sent, NS_TXMON exactly on
 * slots from a TX ring, ids strictly increasing per direction; a refused
 * sync (hostile head/cur) changes nothing; nm_kring_valid() on every
 * kring after every call.  ASan and UBSan watch every copy.
 */
#include "fuzz_util.h"
#include "nm_monitor.h"
#include "nm_port.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "vale.h"

#include <stdio.h>
#include <stdlib.h>

#define FM_MONS 3U
#define FM_MAX_SLOTS 1100U
#define FM_HDR 18U /* MACs (12), ethertype (2), id (4) */

static const char *fm_names[FM_MONS] = { "vale0:a/t", "vale0:b/r",
					 "vale0:a/rt" };

struct fm_mon {
	struct nm_port *p; /* NULL: closed */
	uint64_t shown;	   /* slots its taps were shown */
	/* [monitor ring][direction][source ring]: last id seen + 1 */
	uint32_t last_id[2][2][2];
	uint32_t checked[2]; /* per monitor ring: slots before it are checked */
};

struct fm {
	struct nm_registry reg;
	struct nm_port *a, *b;
	struct fm_mon mon[FM_MONS];
	uint32_t next_id;
	uint32_t a_rings;
	uint32_t own[2][FM_MAX_SLOTS]; /* a's TX buffer indices */
	uint32_t tap_tail[2][2];       /* [a, b][RX ring]: as last counted */
	uint32_t umem_used; /* bytes of fm_umem handed out */
};

static struct fm fm_state;
/* Registered user memory: each indirect frame gets its own bytes, so a
 * later frame never rewrites one not yet sent. */
static uint8_t fm_umem[1U << 20];

static const uint8_t fm_mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t fm_mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static uint8_t fm_byte(uint32_t id, uint32_t k)
{
	return (uint8_t)(id * 131U + k * 7U + 1U);
}

/* A frame a -> b with id: header, then the id's pattern. */
static void fm_fill(uint8_t *buf, uint32_t id, uint32_t len)
{
	uint32_t k;

	for (k = 0; k < len; k++) {
		if (k < 6)
			buf[k] = fm_mac_b[k];
		else if (k < 12)
			buf[k] = fm_mac_a[k - 6];
		else if (k < 14)
			buf[k] = k == 12 ? 0x88U : 0xb5U;
		else if (k < FM_HDR)
			buf[k] = (uint8_t)(id >> (8 * (k - 14)));
		else
			buf[k] = fm_byte(id, k);
	}
}

static uint32_t fm_slots(uint8_t code, uint16_t wide)
{
	return code == 0xff ? 2 + wide % (FM_MAX_SLOTS - 1) : 2U + code % 64U;
}

static bool fm_check_kring(const struct nm_port *p)
{
	uint32_t d, i;

	for (d = 0; d < 2; d++)
		for (i = 0; i < p->num_rings[d]; i++)
			if (!nm_kring_valid(p->kring[d][i]))
				return false;
	return true;
}

/* Which monitors tap (port, dir)? */
static bool fm_taps(uint32_t m, bool port_a, uint32_t dir)
{
	if (m == 0)
		return port_a && dir == NR_TX;
	if (m == 1)
		return !port_a && dir == NR_RX;
	return port_a;
}

/* Count what a successful sync of (port, dir, ring) showed the taps. */
static void fm_shown(struct fm *f, bool port_a, uint32_t dir, uint32_t ring,
		     uint32_t count)
{
	uint32_t m;

	for (m = 0; m < FM_MONS; m++) {
		struct fm_mon *mm = &f->mon[m];

		/* Monitor RX ring `ring` exists when ring < its RX rings. */
		if (mm->p != NULL && fm_taps(m, port_a, dir) &&
		    ring < mm->p->num_rings[NR_RX])
			mm->shown += count;
	}
}

/* Sync ring (dir, r) of port p and account for what TX taps saw (RX
 * taps run on arrival too: fm_rx_shown() counts them after every op). */
static void fm_sync(struct fm *f, struct nm_port *p, uint32_t dir, uint32_t r)
{
	struct nm_kring *kr = p->kring[dir][r];
	uint32_t before = kr->hwcur, head;

	head = nm_os_shared_load32(&kr->ring->head);
	if (nm_kring_sync(kr, 0) == 0 && dir == NR_TX && head != before)
		fm_shown(f, p == f->a, NR_TX, r,
			 nm_idx_dist(before, head, kr->num_slots));
	FUZZ_CHECK(fm_check_kring(p));
}

/* RX taps were shown [previous tap_tail, tap_tail) of each RX kring. */
static void fm_rx_shown(struct fm *f)
{
	struct nm_port *ports[2] = { f->a, f->b };
	uint32_t k, r;

	for (k = 0; k < 2; k++) {
		for (r = 0; r < ports[k]->num_rings[NR_RX]; r++) {
			struct nm_kring *kr = ports[k]->kring[NR_RX][r];
			uint32_t *prev = &f->tap_tail[k][r];

			if (*prev != kr->tap_tail)
				fm_shown(f, k == 0, NR_RX, r,
					 nm_idx_dist(*prev, kr->tap_tail,
						     kr->num_slots));
			*prev = kr->tap_tail;
		}
	}
}

static void fm_open_ports(struct fm *f, struct fuzz_input *in)
{
	struct nm_port_geom g;
	uint8_t rings = in_u8(in), cs = in_u8(in);
	uint16_t wide = in_u16(in);
	uint32_t r, k;

	memset(&g, 0, sizeof(g));
	g.tx_rings = g.rx_rings = 1 + rings % 2;
	g.tx_slots = g.rx_slots = fm_slots(cs, wide);
	FUZZ_CHECK(nm_port_open(&f->reg, "vale0:a", &g, &f->a) == 0);
	f->a_rings = f->a->num_rings[NR_TX];
	for (r = 0; r < f->a_rings; r++) {
		struct netmap_ring *ring = f->a->kring[NR_TX][r]->ring;

		for (k = 0; k < ring->num_slots; k++)
			f->own[r][k] = ring->slot[k].buf_idx;
	}
	memset(&g, 0, sizeof(g));
	g.tx_rings = g.rx_rings = 1 + (rings >> 1) % 2;
	g.tx_slots = g.rx_slots = fm_slots(cs, wide) + 3;
	FUZZ_CHECK(nm_port_open(&f->reg, "vale0:b", &g, &f->b) == 0);
}

static void fm_op_monitor(struct fm *f, struct fuzz_input *in)
{
	uint8_t m = in_u8(in) % FM_MONS, cs = in_u8(in);
	uint16_t wide = in_u16(in);
	struct nm_port_geom g;
	int err;

	if (f->mon[m].p != NULL) {
		nm_port_close(f->mon[m].p);
		memset(&f->mon[m], 0, sizeof(f->mon[m]));
		return;
	}
	memset(&g, 0, sizeof(g));
	g.rx_slots = cs == 0 ? 0 : fm_slots(cs, wide);
	err = nm_port_open(&f->reg, fm_names[m], &g, &f->mon[m].p);
	FUZZ_CHECK(err == 0);
	FUZZ_CHECK(f->mon[m].p->kind == NM_PORT_MONITOR);
}

/* Queue one frame on a's TX ring r (advancing head locally). */
static void fm_op_send(struct fm *f, struct fuzz_input *in)
{
	uint8_t r = in_u8(in), how = in_u8(in);
	uint16_t len = in_u16(in), flags = in_u16(in);
	uint32_t ar = r % f->a_rings;
	struct netmap_ring *ring = f->a->kring[NR_TX][ar]->ring;
	struct netmap_slot *s;
	uint32_t id;

	if (nm_ring_user_space(ring, ring->head, nm_ring_user_tail(ring)) == 0)
		return;
	s = &ring->slot[ring->head];
	s->buf_idx = f->own[ar][ring->head]; /* undo a hostile one */
	/* The id's low bit is the source ring: order holds per ring. */
	id = (f->next_id++ << 1) | ar;
	len = (uint16_t)(how & 1 ? len : FM_HDR + len % 1500);
	if (len <= 2048)
		fm_fill(nm_ring_user_buf(ring, s->buf_idx), id, len);
	flags &= NS_MOREFRAG | NS_INDIRECT | NS_TXMON | NS_BUF_CHANGED;
	if (flags & NS_INDIRECT) {
		/* In user memory, across its end, or hostile. */
		uint64_t base = (uint64_t)(uintptr_t)fm_umem;

		if ((how >> 1) % 4 == 0 &&
		    f->umem_used + len <= sizeof(fm_umem)) {
			fm_fill(fm_umem + f->umem_used, id, len);
			s->ptr = base + f->umem_used;
			f->umem_used += (len + 63U) & ~63U;
		} else if ((how >> 1) % 4 == 1) {
			s->ptr = base + sizeof(fm_umem) - len / 2;
		} else {
			s->ptr = (how >> 1) % 4 == 2 ? 0 : ~0ULL - 3;
		}
	}
	if ((how >> 3) % 8 == 7)
		s->buf_idx = (how >> 6) == 0 ? 1U : 0xfffffff0U; /* hostile */
	s->len = len;
	s->flags = flags;
	ring->head = ring->cur = nm_idx_next(ring->head, ring->num_slots);
}

/* The monitor's user: sync, check what is there, release some. */
static void fm_op_read(struct fm *f, struct fuzz_input *in)
{
	uint8_t m = in_u8(in) % FM_MONS, r = in_u8(in), rel = in_u8(in);
	struct fm_mon *mm = &f->mon[m];
	struct netmap_ring *ring;
	uint32_t k, n, j;

	if (mm->p == NULL)
		return;
	r %= mm->p->num_rings[NR_RX];
	ring = mm->p->kring[NR_RX][r]->ring;
	if (nm_kring_sync(mm->p->kring[NR_RX][r], 0) != 0)
		return;
	FUZZ_CHECK(fm_check_kring(mm->p));
	n = nm_ring_user_space(ring, ring->head, nm_ring_user_tail(ring));
	/* Slots still held from an earlier read were checked then. */
	j = mm->checked[r];
	if (nm_idx_dist(ring->head, j, ring->num_slots) > n)
		j = ring->head;
	for (k = nm_idx_dist(ring->head, j, ring->num_slots); k < n;
	     k++, j = nm_idx_next(j, ring->num_slots)) {
		struct netmap_slot *s = &ring->slot[j];
		uint32_t dir = (s->flags & NS_TXMON) ? NR_TX : NR_RX;
		const uint8_t *buf = nm_buf_addr(
			&((struct nm_monitor *)mm->p)->region.pool,
			s->buf_idx);
		uint32_t id, b, *last;

		/* Only a's TX and b's RX are tapped: no TXMON on /r. */
		if (m == 1)
			FUZZ_CHECK(dir == NR_RX);
		if (m == 0)
			FUZZ_CHECK(dir == NR_TX);
		if (s->len < FM_HDR || buf == NULL)
			continue;
		FUZZ_CHECK(s->len <= mm->p->region->geom.buf_size);
		if (buf[12] != 0x88 || buf[13] != 0xb5)
			continue; /* not one of our frames (a hostile slot's) */
		memcpy(&id, buf + 14, 4);
		/* A frame is seen at most once per direction and source
		 * ring, in order (b's RX may miss frames VALE dropped, and
		 * a full monitor skips some, but never reorders them). */
		last = &mm->last_id[r % 2][dir][id & 1];
		FUZZ_CHECK(id + 1 > *last);
		*last = id + 1;
		for (b = FM_HDR; b < s->len; b++)
			FUZZ_CHECK(buf[b] == fm_byte(id, b));
	}
	mm->checked[r] = j;
	n = n == 0 ? 0 : rel % (n + 1);
	ring->head = ring->cur = nm_idx_add(ring->head, n, ring->num_slots);
}

/* The monitor's user writes anything on its ring. */
static void fm_op_scribble(struct fm *f, struct fuzz_input *in)
{
	uint8_t m = in_u8(in) % FM_MONS, what = in_u8(in);
	uint16_t at = in_u16(in);
	uint32_t v = in_u32(in);
	struct fm_mon *mm = &f->mon[m];
	struct netmap_ring *ring;

	if (mm->p == NULL)
		return;
	ring = mm->p->kring[NR_RX][what % mm->p->num_rings[NR_RX]]->ring;
	switch ((what >> 4) % 4) {
	case 0:
		/* Only invalid indices: an aliased valid one would make the
		 * byte oracle wrong, not the core. */
		ring->slot[at % ring->num_slots].buf_idx =
			(v & 1) ? v | 0x80000000U : v % 2;
		break;
	case 1: ring->head = v % (ring->num_slots + 2); break;
	case 2: ring->cur = v % (ring->num_slots + 2); break;
	default: ring->tail = v; break;
	}
}

static void fm_check_counts(struct fm *f)
{
	uint32_t m;

	for (m = 0; m < FM_MONS; m++) {
		struct nm_monitor *mon;

		if (f->mon[m].p == NULL)
			continue;
		mon = (struct nm_monitor *)f->mon[m].p;
		FUZZ_CHECK(nm_os_counter_read(&mon->stats.seen) +
				   nm_os_counter_read(&mon->stats.dropped) ==
			   f->mon[m].shown);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fm *f = &fm_state;
	uint32_t m, r;

	nm_shim_log_set_quiet(true);
	nm_shim_thread_register();
	memset(f, 0, sizeof(*f));
	nm_shim_user_reset();
	FUZZ_CHECK(nm_shim_user_add(fm_umem, sizeof(fm_umem)) == 0);
	FUZZ_CHECK(nm_registry_init(&f->reg) == 0);
	fm_open_ports(f, &in);
	while (in.left > 0) {
		uint8_t op = in_u8(&in);

		switch (op % 8) {
		case 0: fm_op_monitor(f, &in); break;
		case 1: fm_op_send(f, &in); break;
		case 2:
			r = in_u8(&in) % f->a_rings;
			fm_sync(f, f->a, NR_TX, r);
			break;
		case 3:
			/* b's user: import and release everything. */
			r = in_u8(&in) % f->b->num_rings[NR_RX];
			fm_sync(f, f->b, NR_RX, r);
			{
				struct netmap_ring *rb =
					f->b->kring[NR_RX][r]->ring;
				uint32_t t = nm_ring_user_tail(rb);

				nm_ring_user_publish(rb, t, t);
			}
			break;
		case 4: fm_op_read(f, &in); break;
		case 5: fm_op_scribble(f, &in); break;
		case 6:
			/* a closes and reopens under its monitors: the
			 * monitors hold it, so it is the same port. */
			if (f->mon[0].p != NULL || f->mon[2].p != NULL) {
				struct nm_port_geom g;
				struct nm_port *old = f->a;

				memset(&g, 0, sizeof(g));
				nm_port_close(f->a);
				FUZZ_CHECK(nm_port_open(&f->reg, "vale0:a", &g,
							&f->a) == 0);
				FUZZ_CHECK(f->a->num_rings[NR_TX] == f->a_rings);
				(void)old;
			}
			break;
		default:
			r = in_u8(&in) % f->a->num_rings[NR_RX];
			fm_sync(f, f->a, NR_RX, r);
			break;
		}
		fm_rx_shown(f);
		fm_check_counts(f);
	}
	for (m = 0; m < FM_MONS; m++)
		if (f->mon[m].p != NULL)
			nm_port_close(f->mon[m].p);
	nm_port_close(f->a);
	nm_port_close(f->b);
	nm_registry_fini(&f->reg);
	nm_shim_user_reset();
	return 0;
}
