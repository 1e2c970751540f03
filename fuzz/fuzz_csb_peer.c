/*
 * fuzz_csb_peer.c - a hostile peer on either side of one CSB ring.
 *
 * Input: [dir][n lo][n hi][mode] then operations.  The kernel side
 * (csb_host_step over a kring with a consuming/producing backend) runs
 * against an application that may write anything into its atok line; the
 * application side (struct csb_guest) runs against a kernel that may write
 * anything into its ktoa line; well-behaved moves of both sides are mixed in.
 *
 * Oracles: no crash or memory error; every host step is bounded (a run of
 * CSB_DO_AGAIN ends within n + 2 steps for a fixed atok); a host step
 * rejects exactly the head/cur pairs nm_ref_accept() rejects and leaves the
 * kring unchanged when it does; nm_kring_valid() after every step; the
 * guest's view only moves forward inside its windows; and at the end, once
 * both peers behave (the application republishes the kernel's accepted
 * indices, the guest re-attaches), traffic resumes: new slots published by
 * the guest are taken by the host.
 */
#include "fuzz_util.h"
#include "csb.h"
#include "nm_shim.h"
#include "nm_ref.h"

#include <stdio.h>
#include <stdlib.h>

struct fuzz_ctx {
	struct nm_kring kr;
	struct netmap_ring *ring;
	struct nm_csb_atok *atok;
	struct nm_csb_ktoa *ktoa;
	struct csb_host_ring hr;
	struct csb_guest g;
	uint32_t amount; /* backend: TX slots completed / RX slots received */
	bool guest_ok;	 /* csb_guest_init() succeeded on the current lines */
};

static int fuzz_backend(struct nm_kring *kr, uint32_t flags)
{
	struct fuzz_ctx *c = kr->sync_priv;
	uint32_t n = kr->num_slots, room;

	(void)flags;
	kr->hwcur = kr->rhead;
	room = nm_idx_dist(kr->hwtail, nm_idx_prev(kr->hwcur, n), n);
	kr->hwtail = nm_idx_add(kr->hwtail, nm_min_u32(room, c->amount), n);
	return 0;
}

/* Step the host until it stops asking for more; check every step. */
static void fuzz_host_run(struct fuzz_ctx *c)
{
	struct nm_kring *kr = &c->kr;
	uint32_t n = kr->num_slots, i;

	for (i = 0; i < n + 2; i++) {
		struct nm_kring before = *kr;
		uint32_t head = c->atok->head, cur = c->atok->cur;
		int ref = nm_ref_accept(kr->dir == NM_KRING_TX, n, kr->hwcur,
					kr->hwtail, kr->rhead, kr->rtail, head,
					cur);
		unsigned todo;
		int err = csb_host_step(&c->hr, 0, &todo);

		FUZZ_CHECK(err == 0 || err == -EINVAL);
		FUZZ_CHECK((err == 0) == (ref != 0));
		if (err != 0)
			FUZZ_CHECK(kr->hwcur == before.hwcur &&
				   kr->hwtail == before.hwtail &&
				   kr->rhead == before.rhead &&
				   kr->rcur == before.rcur &&
				   kr->rtail == before.rtail);
		FUZZ_CHECK(nm_kring_valid(kr));
		FUZZ_CHECK(kr->busy == 0);
		FUZZ_CHECK((todo & (CSB_DO_AGAIN | CSB_DO_SLEEP |
				    CSB_DO_WAIT_BACKEND)) != 0);
		if (!(todo & CSB_DO_AGAIN))
			return;
	}
	FUZZ_CHECK(!"host step asked for more than n + 2 passes");
}

/* A guest view is sane, and moved forward within its windows. */
static void fuzz_guest_check(const struct fuzz_ctx *c,
			     const struct csb_guest *old)
{
	const struct csb_guest *g = &c->g;
	uint32_t n = g->num_slots;

	FUZZ_CHECK(g->head < n && g->cur < n && g->hwcur < n && g->hwtail < n);
	FUZZ_CHECK(nm_ref_on_walk(g->cur, g->head, g->hwtail, n));
	FUZZ_CHECK(nm_ref_on_walk(g->hwtail, old->hwtail, nm_idx_prev(g->head, n), n) ||
		   g->hwtail == old->hwtail);
	FUZZ_CHECK(nm_ref_on_walk(g->hwcur, old->hwcur, g->head, n) ||
		   g->hwcur == old->hwcur);
}

/* The guest moves head/cur forward by k within what it may use. */
static void fuzz_guest_sync(struct fuzz_ctx *c, uint16_t k)
{
	struct csb_guest old = c->g;
	uint32_t n = c->g.num_slots, space = csb_guest_space(&c->g);
	uint32_t head = nm_idx_add(c->g.head, k % (space + 1), n);
	uint32_t cur = nm_idx_add(head, (k >> 8) %
				  (nm_idx_dist(head, c->g.hwtail, n) + 1), n);
	unsigned todo;
	int err = csb_guest_sync(&c->g, head, cur, c->g.sync_flags, &todo);

	/* Valid arguments are never refused; a lying kernel may make the
	 * refresh fail, which leaves the view unchanged. */
	FUZZ_CHECK(err == 0 || err == -EINVAL);
	FUZZ_CHECK(c->g.head == head && c->g.cur == cur);
	fuzz_guest_check(c, &old);
}

static void fuzz_recover(struct fuzz_ctx *c)
{
	struct nm_kring *kr = &c->kr;
	uint32_t n = kr->num_slots, before;
	unsigned todo;

	/* Both peers behave again.  The application republishes what the
	 * kernel last accepted; the lying kernel writes the truth once (the
	 * real host side only stores what changed, so it would not overwrite
	 * a line nobody else is supposed to write). */
	c->atok->cur = kr->rcur;
	c->atok->head = kr->rhead;
	c->ktoa->hwcur = kr->hwcur;
	c->ktoa->hwtail = kr->hwtail;
	fuzz_host_run(c);
	FUZZ_CHECK(c->ktoa->hwcur == kr->hwcur && c->ktoa->hwtail == kr->hwtail);
	/* The guest re-attaches to the now truthful lines and sends one slot
	 * (TX) or releases one (RX); the host must see it. */
	FUZZ_CHECK(csb_guest_init(&c->g, kr->dir, n, c->atok, c->ktoa) == 0);
	if (csb_guest_space(&c->g) == 0)
		return;
	before = kr->rhead;
	FUZZ_CHECK(csb_guest_sync(&c->g, nm_idx_next(c->g.head, n),
				  nm_idx_next(c->g.head, n), c->g.sync_flags,
				  &todo) == 0);
	fuzz_host_run(c);
	FUZZ_CHECK(kr->rhead == nm_idx_next(before, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_ctx *c;
	uint8_t dir, mode, op;
	uint16_t n16, v16;
	uint32_t n, v32;

	nm_shim_log_set_quiet(true);
	if (!fuzz_take(&in, &dir, 1) || !fuzz_take(&in, &n16, 2) || !fuzz_take(&in, &mode, 1))
		return 0;
	n = NM_RING_MIN_SLOTS + n16 % 1023; /* 2..1024: steps are O(1), oracles O(n) */
	c = calloc(1, sizeof(*c));
	FUZZ_CHECK(c != NULL);
	c->ring = calloc(1, sizeof(*c->ring) + n * sizeof(struct netmap_slot));
	c->atok = aligned_alloc(64, sizeof(*c->atok));
	c->ktoa = aligned_alloc(64, sizeof(*c->ktoa));
	FUZZ_CHECK(c->ring != NULL && c->atok != NULL && c->ktoa != NULL);
	memset(c->atok, 0, sizeof(*c->atok));
	memset(c->ktoa, 0, sizeof(*c->ktoa));
	c->amount = n;
	FUZZ_CHECK(nm_kring_init(&c->kr, (dir & 1) ? NM_KRING_RX : NM_KRING_TX,
				 n, c->ring, fuzz_backend, c, "fuzz") == 0);
	FUZZ_CHECK(csb_host_ring_init(&c->hr, &c->kr, c->atok, c->ktoa,
				      (enum csb_host_mode)(mode % 3)) == 0);
	FUZZ_CHECK(csb_guest_init(&c->g, c->kr.dir, n, c->atok, c->ktoa) == 0);

	while (fuzz_take(&in, &op, 1)) {
		struct csb_guest old = c->g;

		switch (op % 10) {
		case 0: /* hostile application */
			if (fuzz_take(&in, &v32, 4))
				c->atok->head = v32;
			break;
		case 1:
			if (fuzz_take(&in, &v32, 4))
				c->atok->cur = v32;
			break;
		case 2:
			if (fuzz_take(&in, &v32, 4))
				c->atok->sync_flags = v32;
			break;
		case 3: /* hostile kernel */
			if (fuzz_take(&in, &v32, 4))
				c->ktoa->hwtail = v32;
			break;
		case 4:
			if (fuzz_take(&in, &v32, 4))
				c->ktoa->hwcur = v32;
			break;
		case 5:
			if (fuzz_take(&in, &v32, 4)) {
				c->ktoa->kern_need_kick = v32;
				c->atok->appl_need_kick = v32 >> 16;
			}
			break;
		case 6:
			if (fuzz_take(&in, &v16, 2))
				c->amount = v16 % (n + 1);
			break;
		case 7:
			fuzz_host_run(c);
			break;
		case 8:
			if (fuzz_take(&in, &v16, 2))
				fuzz_guest_sync(c, v16);
			break;
		default:
			if (csb_guest_may_sleep(&c->g))
				(void)csb_guest_woken(&c->g);
			fuzz_guest_check(c, &old);
			break;
		}
	}
	fuzz_recover(c);
	free(c->ktoa);
	free(c->atok);
	free(c->ring);
	free(c);
	return 0;
}
