/*
 * fuzz_pipe.c - a netmap pipe "x{0" / "x}0" under arbitrary slot contents.
 *
 * The input opens, closes and reopens either end (geometry from the input:
 * 1..3 rings, 2..1100 slots), writes TX slots (any buffer index, length,
 * flags; NS_MOREFRAG chains left open or closed), scribbles on any slot of
 * any ring, writes hostile head/cur/tail, and syncs TX and RX rings of both
 * ends.  All randomness comes from the input.
 *
 * Oracle: a model restated from docs/vale.md ("Pipes") predicts every
 * sync: accepted exactly when nm_ref_accept() says so (else nothing at all
 * changes); a TX sync swaps each good descriptor of [hwcur, head) with the
 * peer RX slot (buffer, length, NS_MOREFRAG | NS_BUF_CHANGED over; the
 * peer's buffer back, length 0, NS_BUF_CHANGED), gives the peer an empty
 * slot (length 0, its NS_MOREFRAG) for a bad one and keeps the sender's
 * descriptor, publishes only up to the end of the last complete packet, and
 * counts packets, slots and bad slots; an RX sync releases [hwcur, head)
 * and shows up to the published end.  Every slot of both ends is compared
 * with the prediction after every sync (so no other slot changes), the
 * multiset of buffer indices over both ends never changes (no buffer
 * appears twice or vanishes), a fresh pipe holds every buffer once, the
 * kring indices match the model and nm_kring_valid() holds after every call,
 * and close/reopen of one end changes nothing.
 */
#include "fuzz_util.h"
#include "nm_pipe.h"
#include "nm_ref.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "vale.h"

#include <stdio.h>
#include <stdlib.h>

/* Oracle loops carry no coverage worth steering by. */
#if defined(__clang__)
#define FP_NOCOV __attribute__((no_sanitize("coverage")))
#else
#define FP_NOCOV
#endif

#define FP_RINGS 3U
#define FP_MAX_SLOTS 1100U

/* The model of one kring. */
struct fp_kr {
	uint32_t hwcur, hwtail, rhead, rcur, rtail;
};

struct fp {
	struct nm_registry reg;
	struct nm_pipe *pipe;	     /* NULL: no pipe (both ends closed) */
	struct nm_pipe_end *end[2];  /* NULL: that end is closed */
	struct fp_kr kr[2][2][FP_RINGS]; /* [end][dir][ring] */
	uint32_t tx_pos[2][FP_RINGS];	 /* [TX side][ring]: published end */
	uint32_t rx_pos[2][FP_RINGS];	 /* receiver's release point */
	uint64_t pkts[2], slots[2], bad[2];
};

static struct fp fp_state;
/* What every slot of every ring must hold after the next call. */
static struct netmap_slot fp_exp[2][2][FP_RINGS][FP_MAX_SLOTS];

static struct nm_kring *fp_kring(const struct fp *f, uint32_t k, uint32_t dir,
				 uint32_t i)
{
	return f->pipe->end[k].up.kring[dir][i];
}

static uint32_t fp_rings(const struct fp *f, uint32_t k, uint32_t dir)
{
	return f->pipe->end[k].up.num_rings[dir];
}

/* ---- Checks. */

FP_NOCOV static void fp_snapshot(const struct fp *f)
{
	uint32_t k, d, i;

	for (k = 0; k < 2; k++)
		for (d = 0; d < 2; d++)
			for (i = 0; i < fp_rings(f, k, d); i++) {
				struct nm_kring *kr = fp_kring(f, k, d, i);

				memcpy(fp_exp[k][d][i], kr->ring->slot,
				       kr->num_slots * sizeof(struct netmap_slot));
			}
}

/* Every slot as predicted, byte for byte. */
FP_NOCOV static void fp_check_slots(const struct fp *f)
{
	uint32_t k, d, i;

	for (k = 0; k < 2; k++)
		for (d = 0; d < 2; d++)
			for (i = 0; i < fp_rings(f, k, d); i++) {
				struct nm_kring *kr = fp_kring(f, k, d, i);

				FUZZ_CHECK(memcmp(fp_exp[k][d][i], kr->ring->slot,
						  kr->num_slots *
							  sizeof(struct netmap_slot)) == 0);
			}
}

/* A fingerprint of the multiset of buffer indices over both ends. */
FP_NOCOV static void fp_bufset(const struct fp *f, uint64_t out[2])
{
	uint32_t k, d, i, j;

	out[0] = out[1] = 0;
	for (k = 0; k < 2; k++)
		for (d = 0; d < 2; d++)
			for (i = 0; i < fp_rings(f, k, d); i++) {
				struct nm_kring *kr = fp_kring(f, k, d, i);

				for (j = 0; j < kr->num_slots; j++) {
					uint64_t b = kr->ring->slot[j].buf_idx;

					out[0] += b;
					out[1] += (b * 0x9e3779b97f4a7c15ULL) ^
						  (b >> 7);
				}
			}
}

FP_NOCOV static void fp_check_all(const struct fp *f)
{
	uint32_t k, d, i;

	if (f->pipe == NULL)
		return;
	for (k = 0; k < 2; k++) {
		const struct nm_pipe_stats *st = &f->pipe->end[k].stats;

		FUZZ_CHECK(nm_os_counter_read(&st->tx_pkts) == f->pkts[k]);
		FUZZ_CHECK(nm_os_counter_read(&st->tx_slots) == f->slots[k]);
		FUZZ_CHECK(nm_os_counter_read(&st->bad_slots) == f->bad[k]);
		for (d = 0; d < 2; d++)
			for (i = 0; i < fp_rings(f, k, d); i++) {
				struct nm_kring *kr = fp_kring(f, k, d, i);
				const struct fp_kr *m = &f->kr[k][d][i];

				FUZZ_CHECK(nm_kring_valid(kr) && kr->busy == 0);
				FUZZ_CHECK(kr->hwcur == m->hwcur &&
					   kr->hwtail == m->hwtail &&
					   kr->rhead == m->rhead &&
					   kr->rcur == m->rcur &&
					   kr->rtail == m->rtail);
			}
	}
}

/* ---- Open and close. */

static uint32_t fp_slots(uint8_t code, uint16_t wide)
{
	if (code == 0)
		return 0; /* the default, 1024 */
	if (code >= 0xf0)
		return wide % (FP_MAX_SLOTS + 1); /* 0 and 1 included */
	return 1 + (code & 63);
}

/* A fresh pipe: the model starts where nm_kring_init() does, every buffer
 * is in exactly one slot. */
static void fp_fresh(struct fp *f)
{
	uint32_t k, d, i, j, nbufs = f->pipe->region.pool.num_bufs, seen = 0;
	uint8_t *once = calloc(nbufs, 1);

	FUZZ_CHECK(once != NULL);
	memset(f->kr, 0, sizeof(f->kr));
	memset(f->tx_pos, 0, sizeof(f->tx_pos));
	memset(f->rx_pos, 0, sizeof(f->rx_pos));
	memset(f->pkts, 0, sizeof(f->pkts));
	memset(f->slots, 0, sizeof(f->slots));
	memset(f->bad, 0, sizeof(f->bad));
	for (k = 0; k < 2; k++) {
		FUZZ_CHECK(fp_rings(f, k, NR_TX) == fp_rings(f, 1 - k, NR_RX));
		for (d = 0; d < 2; d++) {
			for (i = 0; i < fp_rings(f, k, d); i++) {
				struct nm_kring *kr = fp_kring(f, k, d, i);
				struct fp_kr *m = &f->kr[k][d][i];

				if (d == NR_TX) {
					FUZZ_CHECK(kr->num_slots ==
						   fp_kring(f, 1 - k, NR_RX, i)->num_slots);
					m->hwtail = m->rtail = kr->num_slots - 1;
				}
				FUZZ_CHECK(kr->ring->head == 0 && kr->ring->cur == 0 &&
					   kr->ring->tail == m->rtail);
				for (j = 0; j < kr->num_slots; j++) {
					uint32_t b = kr->ring->slot[j].buf_idx;

					FUZZ_CHECK(nm_buf_idx_valid(&f->pipe->region.pool, b) &&
						   !once[b]);
					once[b] = 1;
					seen++;
				}
			}
		}
	}
	FUZZ_CHECK(seen == nbufs - NETMAP_BUF_RESERVED);
	free(once);
}

static void fp_open(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = in_u8(in) & 1;
	uint8_t rings = in_u8(in), ct = in_u8(in), cr = in_u8(in);
	uint16_t wide = in_u16(in);
	struct nm_port_geom g = { 1 + rings % 3, 1 + (rings / 3) % 3,
				  fp_slots(ct, wide), fp_slots(cr, wide), 0 };
	struct nm_port *p = NULL;
	bool fresh = f->pipe == NULL;
	struct nm_pipe_end *e;
	int err;

	err = nm_port_open(&f->reg, k == 0 ? "x{0" : "x}0", &g, &p);
	if (f->end[k] != NULL) {
		FUZZ_CHECK(err == -EBUSY); /* one open per end */
		return;
	}
	FUZZ_CHECK(err == 0 && p != NULL && p->kind == NM_PORT_PIPE);
	e = (struct nm_pipe_end *)p;
	FUZZ_CHECK(e->side == k);
	FUZZ_CHECK(g.tx_rings == p->num_rings[NR_TX] &&
		   g.rx_rings == p->num_rings[NR_RX] &&
		   g.tx_slots == p->num_slots[NR_TX] &&
		   g.rx_slots == p->num_slots[NR_RX]);
	FUZZ_CHECK(g.tx_rings <= FP_RINGS && g.rx_rings <= FP_RINGS &&
		   g.tx_slots <= FP_MAX_SLOTS && g.rx_slots <= FP_MAX_SLOTS);
	if (fresh) {
		f->pipe = e->pipe;
		f->end[k] = e;
		fp_fresh(f);
	} else {
		/* The pipe lives on: its rings resume where they were. */
		FUZZ_CHECK(e->pipe == f->pipe);
		f->end[k] = e;
	}
	fp_check_all(f);
}

static void fp_close(struct fp *f, uint32_t k)
{
	if (f->end[k] == NULL)
		return;
	if (f->end[1 - k] != NULL)
		fp_snapshot(f);
	nm_pipe_close(f->end[k]);
	f->end[k] = NULL;
	if (f->end[1 - k] == NULL)
		f->pipe = NULL; /* destroyed with its memory */
	else
		fp_check_slots(f); /* closing one end moves nothing */
}

/* ---- The application. */

/* An open end and one of its rings in direction dir, or NULL. */
static struct nm_kring *fp_pick(struct fp *f, struct fuzz_input *in,
				uint32_t dir, uint32_t *k, uint32_t *i)
{
	uint8_t b = in_u8(in);

	*k = b & 1;
	if (f->end[*k] == NULL)
		return NULL;
	*i = (b >> 1) % fp_rings(f, *k, dir);
	return fp_kring(f, *k, dir, *i);
}

/* Write the TX slot at head and advance head (published by the next sync);
 * false without room.  mode: 0-1 keep the slot's buffer, 2 any index,
 * 3 another valid buffer (a duplicate). */
static bool fp_put(struct fp *f, struct nm_kring *kr, uint16_t len,
		   uint16_t flags, uint32_t mode, uint32_t arg)
{
	struct netmap_ring *ring = kr->ring;
	uint32_t n = kr->num_slots, j = ring->head, tail = ring->tail;
	uint32_t nbufs = f->pipe->region.pool.num_bufs;

	if (j >= n || tail >= n || nm_idx_dist(j, tail, n) == 0)
		return false;
	if (mode == 2)
		ring->slot[j].buf_idx = arg;
	else if (mode == 3)
		ring->slot[j].buf_idx = NETMAP_BUF_RESERVED +
					arg % (nbufs - NETMAP_BUF_RESERVED);
	ring->slot[j].len = len;
	ring->slot[j].flags = flags;
	ring->head = ring->cur = nm_idx_next(j, n);
	return true;
}

static void fp_op_put(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0;
	struct nm_kring *kr = fp_pick(f, in, NR_TX, &k, &i);
	uint16_t len = in_u16(in), flags = in_u16(in);
	uint8_t mode = in_u8(in);
	uint32_t arg = in_u32(in);

	if (kr != NULL)
		fp_put(f, kr, len, flags, mode % 4, arg);
}

/* A chain of 1..100 slots, the last possibly left open, one possibly bad. */
static void fp_op_chain(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0, frags, j;
	struct nm_kring *kr = fp_pick(f, in, NR_TX, &k, &i);
	uint8_t nf = in_u8(in), how = in_u8(in);
	uint16_t len = in_u16(in);

	if (kr == NULL)
		return;
	frags = 1 + nf % 100;
	for (j = 0; j < frags; j++) {
		uint16_t flags = j + 1 < frags || (how & 1) ? NS_MOREFRAG : 0;
		uint16_t l = (uint16_t)((len + j * 97U) % (VALE_BUF_SIZE + 1));

		if ((how & 2) && j == frags / 2)
			l = (uint16_t)(VALE_BUF_SIZE + 1 + len);
		if ((how & 4) && j == frags / 3)
			flags |= NS_INDIRECT;
		if (!fp_put(f, kr, l, flags, (how & 8) && j == 0 ? 2 : 0, len))
			break;
	}
}

static void fp_op_bulk(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0, j, count;
	struct nm_kring *kr = fp_pick(f, in, NR_TX, &k, &i);
	uint16_t c = in_u16(in), len = in_u16(in);

	if (kr == NULL)
		return;
	count = c % 2048;
	for (j = 0; j < count; j++)
		if (!fp_put(f, kr, (uint16_t)((len + j * 13U) % (VALE_BUF_SIZE + 1)),
			    0, 0, 0))
			break;
}

/* Any field of any slot of any ring of an open end. */
static void fp_op_scribble(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0;
	uint8_t dir = in_u8(in) & 1, field = in_u8(in);
	struct nm_kring *kr = fp_pick(f, in, dir, &k, &i);
	uint16_t at = in_u16(in);
	uint32_t v = in_u32(in);
	struct netmap_slot *s;

	if (kr == NULL)
		return;
	s = &kr->ring->slot[at % kr->num_slots];
	switch (field % 3) {
	case 0: s->buf_idx = v; break;
	case 1: s->len = (uint16_t)v; break;
	default: s->flags = (uint16_t)v; break;
	}
}

/* ---- Syncs against the model. */

/* TX ring i of end k: what the sync must do, given the slots now. */
static void fp_model_txsync(struct fp *f, uint32_t k, uint32_t i,
			    uint32_t head, uint32_t cur)
{
	struct fp_kr *m = &f->kr[k][NR_TX][i];
	struct nm_kring *kr = fp_kring(f, k, NR_TX, i);
	struct netmap_slot *tx = fp_exp[k][NR_TX][i];
	struct netmap_slot *rx = fp_exp[1 - k][NR_RX][i];
	const struct nm_buf_pool *pool = &f->pipe->region.pool;
	uint32_t n = kr->num_slots, j;

	for (j = m->hwcur; j != head; j = nm_idx_next(j, n)) {
		struct netmap_slot t = tx[j];
		uint16_t more = t.flags & NS_MOREFRAG;

		if (!nm_buf_idx_valid(pool, t.buf_idx) || t.len > pool->buf_size ||
		    (t.flags & NS_INDIRECT)) {
			/* Never handed over: the sender keeps it. */
			rx[j].len = 0;
			rx[j].flags = more;
			f->bad[k]++;
		} else {
			uint32_t back = rx[j].buf_idx;

			rx[j].buf_idx = t.buf_idx;
			rx[j].len = t.len;
			rx[j].flags = (uint16_t)(more | NS_BUF_CHANGED);
			tx[j].buf_idx = back;
			tx[j].len = 0;
			tx[j].flags = NS_BUF_CHANGED;
		}
		f->slots[k]++;
		if (!more) {
			f->tx_pos[k][i] = nm_idx_next(j, n); /* a packet ends */
			f->pkts[k]++;
		}
	}
	m->hwcur = m->rhead = head;
	m->rcur = cur;
	m->hwtail = m->rtail = nm_idx_prev(f->rx_pos[k][i], n);
}

static void fp_model_rxsync(struct fp *f, uint32_t k, uint32_t i,
			    uint32_t head, uint32_t cur)
{
	struct fp_kr *m = &f->kr[k][NR_RX][i];

	m->hwcur = m->rhead = head;
	m->rcur = cur;
	f->rx_pos[1 - k][i] = head;
	m->hwtail = m->rtail = f->tx_pos[1 - k][i];
}

/* Sync ring i of end k in direction dir with whatever head, cur and tail
 * the ring holds, and compare everything with the model. */
static void fp_sync(struct fp *f, uint32_t k, uint32_t dir, uint32_t i)
{
	struct nm_kring *kr = fp_kring(f, k, dir, i);
	struct netmap_ring *ring = kr->ring;
	struct fp_kr *m = &f->kr[k][dir][i];
	uint32_t head = ring->head, cur = ring->cur, n = kr->num_slots;
	uint64_t before[2], after[2];
	int accept, err;

	accept = nm_ref_accept(dir == NR_TX, n, m->hwcur, m->hwtail, m->rhead,
			       m->rtail, head, cur);
	fp_snapshot(f);
	fp_bufset(f, before);
	if (accept && dir == NR_TX)
		fp_model_txsync(f, k, i, head, cur);
	else if (accept)
		fp_model_rxsync(f, k, i, head, cur);
	err = nm_kring_sync(kr, 0);
	FUZZ_CHECK(err == (accept ? 0 : -EINVAL));
	fp_check_slots(f);
	fp_bufset(f, after);
	FUZZ_CHECK(before[0] == after[0] && before[1] == after[1]);
	if (accept)
		FUZZ_CHECK(ring->tail == m->rtail); /* a scribbled one too */
	fp_check_all(f);
	if (!accept) {
		/* Back to what the kernel last accepted and showed. */
		ring->head = m->rhead;
		ring->cur = m->rcur;
		ring->tail = m->rtail;
	}
}

static void fp_op_txsync(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0;

	if (fp_pick(f, in, NR_TX, &k, &i) != NULL)
		fp_sync(f, k, NR_TX, i);
}

/* Release up to r of the slots shown, then sync. */
static void fp_op_rxsync(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0, n, avail;
	struct nm_kring *kr = fp_pick(f, in, NR_RX, &k, &i);
	uint16_t r = in_u16(in);
	struct netmap_ring *ring;

	if (kr == NULL)
		return;
	ring = kr->ring;
	n = kr->num_slots;
	if (ring->head < n && ring->tail < n) {
		avail = nm_idx_dist(ring->head, ring->tail, n);
		ring->head = nm_idx_add(ring->head, r % (avail + 1), n);
		ring->cur = ring->head;
	}
	fp_sync(f, k, NR_RX, i);
}

/* Hostile head, cur or tail, then a sync of that ring. */
static void fp_op_hostile(struct fp *f, struct fuzz_input *in)
{
	uint32_t k = 0, i = 0;
	uint8_t what = in_u8(in), dir = what & 1;
	struct nm_kring *kr = fp_pick(f, in, dir, &k, &i);
	uint32_t v = in_u32(in);

	if (kr == NULL)
		return;
	switch ((what >> 1) % 4) {
	case 0: kr->ring->head = v; break;
	case 1: kr->ring->cur = v; break;
	case 2: kr->ring->tail = v; break;
	default: /* a small move, often valid */
		kr->ring->head = nm_idx_add(kr->rhead, v % kr->num_slots,
					    kr->num_slots);
		kr->ring->cur = kr->ring->head;
		break;
	}
	fp_sync(f, k, dir, i);
}

/* ---- The driver. */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fp *f = &fp_state;
	uint32_t k, d, i;

	nm_shim_log_set_quiet(true);
	nm_shim_thread_register();
	memset(f, 0, sizeof(*f));
	FUZZ_CHECK(nm_registry_init(&f->reg) == 0);
	while (in.left > 0) {
		uint8_t op = in_u8(&in);

		switch (op % 10) {
		case 0: fp_open(f, &in); break;
		case 1: fp_close(f, in_u8(&in) & 1); break;
		case 2: fp_op_put(f, &in); break;
		case 3: fp_op_chain(f, &in); break;
		case 4: fp_op_bulk(f, &in); break;
		case 5: fp_op_txsync(f, &in); break;
		case 6: fp_op_rxsync(f, &in); break;
		case 7: fp_op_scribble(f, &in); break;
		case 8: fp_op_hostile(f, &in); break;
		default: /* sync every ring of both ends as they are */
			for (k = 0; k < 2; k++)
				for (d = 0; d < 2 && f->end[k] != NULL; d++)
					for (i = 0; i < fp_rings(f, k, d); i++)
						fp_sync(f, k, d, i);
			break;
		}
		fp_check_all(f);
	}
	fp_close(f, 0);
	fp_close(f, 1);
	FUZZ_CHECK(f->pipe == NULL);
	nm_registry_fini(&f->reg);
	return 0;
}
