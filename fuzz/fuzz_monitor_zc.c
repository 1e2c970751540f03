/*
 * fuzz_monitor_zc.c - zero-copy monitors (core/nm_monitor_zc.c) under
 * hostile rings.
 *
 * "vale0:a" (created with spare buffers, 2..600 slots from the input) and
 * "vale0:b"; up to four zero-copy monitors of a ("/z", "/zt", "/zr",
 * "/z": they chain) opened and closed at any point with 2..600 slots.  a
 * and b send frames to each other; a's user sends hostile slots (buffer
 * indices out of range or reserved, lengths past the buffer, NS_INDIRECT,
 * any flags) and releases any number of RX slots; each monitor's user
 * releases any number of slots, scribbles buffer indices on its ring and
 * writes hostile heads.  All randomness comes from the input.
 *
 * Oracle, after every step: the buffer census of a's pool (every buffer
 * in exactly one of a's slots or a monitor's slots, the kernel's copies,
 * or free, or a monitor's ring memory); nm_kring_valid() on every kring;
 * each monitor sees, per direction, frame ids strictly increasing, whole
 * and with NS_TXMON exactly on frames a sent.  At the end, with every
 * monitor closed, a's pool has all its spare buffers back.  ASan and UBSan
 * watch every access.
 */
#include "fuzz_util.h"
#include "nm_monitor.h"
#include "nm_port.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "vale.h"

#define FZ_MONS 4U
#define FZ_HDR 18U /* MACs (12), ethertype (2), id (4) */
#define FZ_SPARE 3000U

static const char *fz_names[FZ_MONS] = { "vale0:a/z", "vale0:a/zt",
					 "vale0:a/zr", "vale0:a/z" };

struct fz {
	struct nm_registry reg;
	struct nm_port *a, *b;
	struct nm_port *mon[FZ_MONS];
	uint32_t last[FZ_MONS][2]; /* [monitor][TX, RX]: last id seen + 1 */
	uint32_t checked[FZ_MONS]; /* monitor ring 0: slots before it checked */
	/* Slots the monitor's user scribbled on: a slot the kernel had
	 * filled but not yet shown keeps the user's garbage (its own fault),
	 * so its content is not judged. */
	uint8_t dirty[FZ_MONS][600];
	uint32_t next_id;
	uint32_t spare_free; /* a's free buffers with no monitor open */
	uint8_t seen[1U << 16];
};

static struct fz fz_state;

static uint32_t fz_slots(uint8_t c)
{
	return 2 + (uint32_t)c * 598U / 255U;
}

/* Frame id at byte 14, after the MACs and ethertype; the MACs route it. */
static void fz_fill(uint8_t *buf, uint8_t to, uint32_t id, uint16_t len)
{
	memset(buf, 0, len);
	buf[5] = to;		    /* dst 00:..:to */
	buf[11] = (uint8_t)(1 - to); /* src */
	buf[12] = 0x88;
	buf[13] = 0xb5;
	memcpy(buf + 14, &id, 4);
}

static void fz_census_slot(struct fz *f, uint32_t b)
{
	const struct nm_buf_pool *pool = &f->a->region->pool;

	FUZZ_CHECK(b >= NETMAP_BUF_RESERVED && b < pool->num_bufs);
	FUZZ_CHECK(f->seen[b] == 0);
	f->seen[b] = 1;
}

/* Every buffer of a's pool has one owner; every kring is valid. */
static void fz_check(struct fz *f)
{
	struct nm_buf_pool *pool = &f->a->region->pool;
	uint32_t d, i, j, m, used = 0, runs = 0;

	memset(f->seen, 0, pool->num_bufs);
	for (d = 0; d < 2; d++) {
		struct nm_kring *kr = f->a->kring[d][0];

		FUZZ_CHECK(nm_kring_valid(kr));
		FUZZ_CHECK(nm_kring_valid(f->b->kring[d][0]));
		for (j = 0; j < kr->num_slots; j++)
			fz_census_slot(f, kr->ring->slot[j].buf_idx);
	}
	for (m = 0; m < FZ_MONS; m++) {
		struct nm_monitor *mon = (struct nm_monitor *)f->mon[m];

		if (mon == NULL)
			continue;
		runs += mon->zrun_count;
		FUZZ_CHECK(nm_kring_valid(&mon->tx_kr));
		for (i = 0; i < mon->up.num_rings[NR_RX]; i++) {
			FUZZ_CHECK(nm_kring_valid(&mon->rx[i].kr));
			for (j = 0; j < mon->rx[i].kr.num_slots; j++)
				fz_census_slot(f, mon->rx[i].zs[j].buf_idx);
		}
	}
	for (j = 0; j < pool->num_bufs; j++)
		used += f->seen[j];
	FUZZ_CHECK(used + runs + nm_buf_free_count(pool) +
			   NETMAP_BUF_RESERVED ==
		   pool->num_bufs);
}

static void fz_sync(struct nm_port *p, uint32_t dir)
{
	struct netmap_ring *r = p->kring[dir][0]->ring;

	nm_ring_user_publish(r, r->head, r->head);
	(void)nm_kring_sync(p->kring[dir][0], 0);
}

/* a sends n frames, some hostile; bad indices are undone after the sync
 * (where the kernel left them), as the application's own mistake. */
static void fz_op_send_a(struct fz *f, struct fuzz_input *in)
{
	struct netmap_ring *r = f->a->kring[NR_TX][0]->ring;
	uint32_t n = in_u8(in) % 40, k, bad_slot[40], bad_own[40], nbad = 0;
	uint32_t bad_val[40];

	for (k = 0; k < n; k++) {
		struct netmap_slot *s = &r->slot[r->head];
		uint8_t how = in_u8(in);
		uint16_t len = (uint16_t)(FZ_HDR + in_u8(in) * 5U);

		if (nm_ring_user_space(r, r->head, nm_ring_user_tail(r)) == 0)
			break;
		fz_fill(nm_ring_user_buf(r, s->buf_idx), 1, f->next_id++,
			len);
		s->len = len;
		s->flags = 0;
		if (how % 8 == 1) {
			bad_slot[nbad] = r->head;
			bad_own[nbad] = s->buf_idx;
			s->buf_idx = how & 0x10 ? 1 : 0x7fffff00U + how;
			bad_val[nbad++] = s->buf_idx;
		} else if (how % 8 == 2) {
			s->len = (uint16_t)(4096 + how);
		} else if (how % 8 == 3) {
			s->flags = (uint16_t)(in_u16(in) &
					      ~(NS_INDIRECT | NS_MOREFRAG));
		}
		r->head = nm_idx_next(r->head, r->num_slots);
	}
	fz_sync(f->a, NR_TX);
	for (k = 0; k < nbad; k++) {
		struct netmap_slot *s = &r->slot[bad_slot[k]];

		/* Never swapped: the monitor must not take a bad one. */
		FUZZ_CHECK(s->buf_idx == bad_val[k]);
		s->buf_idx = bad_own[k];
	}
}

static void fz_op_send_b(struct fz *f, struct fuzz_input *in)
{
	struct netmap_ring *r = f->b->kring[NR_TX][0]->ring;
	uint32_t n = in_u8(in) % 40, k;

	for (k = 0; k < n; k++) {
		struct netmap_slot *s = &r->slot[r->head];

		if (nm_ring_user_space(r, r->head, nm_ring_user_tail(r)) == 0)
			break;
		fz_fill(nm_ring_user_buf(r, s->buf_idx), 0, f->next_id++, 60);
		s->len = 60;
		s->flags = 0;
		r->head = nm_idx_next(r->head, r->num_slots);
	}
	fz_sync(f->b, NR_TX);
}

/* A user (a's RX, b's RX) syncs and releases up to n slots. */
static void fz_release(struct nm_port *p, uint8_t n)
{
	struct netmap_ring *r = p->kring[NR_RX][0]->ring;
	uint32_t avail;

	fz_sync(p, NR_RX);
	avail = nm_ring_user_space(r, r->head, nm_ring_user_tail(r));
	if (n < avail)
		avail = n;
	r->head = r->cur = nm_idx_add(r->head, avail, r->num_slots);
	fz_sync(p, NR_RX);
}

/* Monitor m's user: check what is new, release some, scribble. */
static void fz_op_monitor_user(struct fz *f, struct fuzz_input *in)
{
	uint8_t m = in_u8(in) % FZ_MONS, n = in_u8(in), how = in_u8(in);
	struct nm_port *p = f->mon[m];
	struct netmap_ring *r;
	uint32_t avail, tail, j, head, cur;

	if (p == NULL)
		return;
	r = p->kring[NR_RX][0]->ring;
	fz_sync(p, NR_RX);
	tail = nm_ring_user_tail(r);
	/* A hostile head refused earlier stays in the ring and may be taken
	 * by a later sync, releasing slots never checked: check from the
	 * kernel's hwcur then. */
	j = p->kring[NR_RX][0]->hwcur;
	if (nm_idx_dist(j, f->checked[m], r->num_slots) >
	    nm_idx_dist(j, tail, r->num_slots))
		f->checked[m] = j;
	for (j = f->checked[m]; j != tail; j = nm_idx_next(j, r->num_slots)) {
		struct netmap_slot *s = &r->slot[j];
		uint32_t id, dir = (s->flags & NS_TXMON) ? 0 : 1;
		const uint8_t *buf;

		if (f->dirty[m][j]) {
			f->dirty[m][j] = 0;
			continue;
		}
		/* The kernel wrote this slot: its index is good. */
		buf = nm_ring_user_buf(r, s->buf_idx);
		FUZZ_CHECK(s->len >= FZ_HDR && s->len <= r->nr_buf_size);
		memcpy(&id, buf + 14, 4);
		/* NS_TXMON exactly on a's frames (dst ..:01). */
		FUZZ_CHECK((buf[5] == 1) == (dir == 0));
		FUZZ_CHECK(id + 1 > f->last[m][dir]);
		f->last[m][dir] = id + 1;
	}
	f->checked[m] = tail;
	avail = nm_ring_user_space(r, r->head, tail);
	if (n < avail)
		avail = n;
	head = nm_idx_add(r->head, avail, r->num_slots);
	cur = head;
	/* Scribble near head: on slots checked, or still the kernel's. */
	if (how % 5 == 1) {
		j = nm_idx_add(head, in_u8(in) % 8, r->num_slots) % r->num_slots;
		r->slot[j].buf_idx = in_u32(in);
		f->dirty[m][j] = 1;
	}
	if (how % 5 == 2)
		head = in_u16(in); /* hostile: refused unless valid */
	if (how % 5 == 3)
		cur = in_u16(in);
	nm_ring_user_publish(r, head, cur);
	(void)nm_kring_sync(p->kring[NR_RX][0], 0);
}

static void fz_op_monitor(struct fz *f, struct fuzz_input *in)
{
	uint8_t m = in_u8(in) % FZ_MONS, c = in_u8(in);
	struct nm_port_geom g;
	int err;

	if (f->mon[m] != NULL) {
		nm_port_close(f->mon[m]);
		f->mon[m] = NULL;
		return;
	}
	memset(&g, 0, sizeof(g));
	g.rx_slots = fz_slots(c);
	g.tx_slots = 2;
	err = nm_port_open(&f->reg, fz_names[m], &g, &f->mon[m]);
	FUZZ_CHECK(err == 0 || err == -ENOMEM);
	if (err != 0)
		f->mon[m] = NULL;
	memset(f->last[m], 0, sizeof(f->last[m]));
	memset(f->dirty[m], 0, sizeof(f->dirty[m]));
	f->checked[m] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fz *f = &fz_state;
	struct nm_port_geom g;
	uint32_t steps = 0, m;
	uint8_t c = in_u8(&in);

	nm_shim_thread_register();
	memset(f, 0, sizeof(*f));
	FUZZ_CHECK(nm_registry_init(&f->reg) == 0);
	memset(&g, 0, sizeof(g));
	g.tx_rings = g.rx_rings = 1;
	g.tx_slots = g.rx_slots = fz_slots(c);
	FUZZ_CHECK(nm_port_open_spare(&f->reg, "vale0:a", 0, FZ_SPARE, &g,
				      &f->a) == 0);
	memset(&g, 0, sizeof(g));
	g.tx_slots = g.rx_slots = 256;
	FUZZ_CHECK(nm_port_open(&f->reg, "vale0:b", &g, &f->b) == 0);
	f->spare_free = nm_buf_free_count(&f->a->region->pool);
	while (in.left > 0 && steps++ < 400) {
		switch (in_u8(&in) % 6) {
		case 0:
			fz_op_monitor(f, &in);
			break;
		case 1:
			fz_op_send_a(f, &in);
			break;
		case 2:
			fz_op_send_b(f, &in);
			break;
		case 3:
			fz_release(f->a, in_u8(&in));
			break;
		case 4:
			fz_op_monitor_user(f, &in);
			break;
		default:
			fz_release(f->b, in_u8(&in));
			break;
		}
		fz_check(f);
	}
	for (m = 0; m < FZ_MONS; m++)
		if (f->mon[m] != NULL)
			nm_port_close(f->mon[m]);
	FUZZ_CHECK(nm_buf_free_count(&f->a->region->pool) == f->spare_free);
	nm_port_close(f->a);
	nm_port_close(f->b);
	nm_registry_fini(&f->reg);
	return 0;
}
