/*
 * fuzz_sync_prologue.c - a hostile application against the TX and RX sync.
 *
 * Input: [dir][n lo][n hi] then a stream of operations, each an opcode byte
 * and its operands: write head, write cur, write a plausible head/cur pair,
 * scribble on tail, set how much the backend completes/receives, sync.
 * Ring size n is any value 2..4096.  Oracle, on every sync: the sync is
 * accepted exactly when nm_ref_accept() (tests/nm_ref.h, an independent
 * restatement of the rules) says the indices are valid; a refused sync
 * leaves every kring index unchanged and never runs the backend; an accepted
 * one runs it once and publishes tail = hwtail; nm_kring_valid() holds after
 * every call.  All randomness comes from the input.
 */
#include "fuzz_util.h"
#include "nm_kring.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "nm_ref.h"

#include <stdio.h>
#include <stdlib.h>

struct fuzz_backend {
	uint32_t amount; /* TX: slots completed; RX: slots received */
	unsigned calls;
};

/* TX: send [hwcur, rhead), complete up to `amount` in-flight slots;
 * RX: release [hwcur, rhead), receive up to `amount` new slots. */
static int fuzz_sync(struct nm_kring *kr, uint32_t flags)
{
	struct fuzz_backend *b = kr->sync_priv;
	uint32_t n = kr->num_slots, room;

	(void)flags;
	b->calls++;
	kr->hwcur = kr->rhead;
	room = nm_idx_dist(kr->hwtail, nm_idx_prev(kr->hwcur, n), n);
	kr->hwtail = nm_idx_add(kr->hwtail, nm_min_u32(room, b->amount), n);
	return 0;
}

static void fuzz_one_sync(struct nm_kring *kr, struct fuzz_backend *b)
{
	struct netmap_ring *ring = kr->ring;
	uint32_t head = ring->head, cur = ring->cur;
	struct nm_kring before = *kr;
	unsigned calls = b->calls;
	int accept = nm_ref_accept(kr->dir == NM_KRING_TX, kr->num_slots,
				   kr->hwcur, kr->hwtail, kr->rhead, kr->rtail,
				   head, cur);
	int err = nm_kring_sync(kr, 0);

	FUZZ_CHECK((err == 0) == (accept != 0));
	if (err == 0) {
		FUZZ_CHECK(b->calls == calls + 1);
		FUZZ_CHECK(kr->rhead == head && kr->rcur == cur);
		FUZZ_CHECK(ring->tail == kr->hwtail && kr->rtail == kr->hwtail);
	} else {
		FUZZ_CHECK(err == -EINVAL);
		FUZZ_CHECK(b->calls == calls);
		FUZZ_CHECK(kr->hwcur == before.hwcur &&
			   kr->hwtail == before.hwtail &&
			   kr->rhead == before.rhead && kr->rcur == before.rcur &&
			   kr->rtail == before.rtail);
	}
	FUZZ_CHECK(kr->busy == 0);
	FUZZ_CHECK(nm_kring_valid(kr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_backend b = { 0, 0 };
	struct netmap_ring *ring;
	struct nm_kring kr;
	uint8_t dir, op;
	uint16_t n16, v16;
	uint32_t n, v32;

	nm_shim_log_set_quiet(true);
	if (!fuzz_take(&in, &dir, 1) || !fuzz_take(&in, &n16, 2))
		return 0;
	n = NM_RING_MIN_SLOTS + n16 % (NM_RING_MAX_SLOTS - 1);
	ring = calloc(1, sizeof(*ring) + n * sizeof(struct netmap_slot));
	if (ring == NULL)
		return 0;
	FUZZ_CHECK(nm_kring_init(&kr, (dir & 1) ? NM_KRING_RX : NM_KRING_TX, n,
				 ring, fuzz_sync, &b, "fuzz") == 0);
	b.amount = n;
	while (fuzz_take(&in, &op, 1)) {
		switch (op % 6) {
		case 0: /* hostile head */
			if (fuzz_take(&in, &v32, 4))
				ring->head = v32;
			break;
		case 1: /* hostile cur */
			if (fuzz_take(&in, &v32, 4))
				ring->cur = v32;
			break;
		case 2: { /* a well-behaved producer's move */
			uint32_t tail = ring->tail % n, h = kr.rhead, space;

			if (!fuzz_take(&in, &v16, 2))
				break;
			space = nm_ring_user_space(ring, h, tail);
			ring->head = nm_idx_add(h, v16 % (space + 1), n);
			ring->cur = nm_idx_add(ring->head, (v16 >> 8) %
				(nm_idx_dist(ring->head, tail, n) + 1), n);
			break;
		}
		case 3: /* scribble on tail */
			if (fuzz_take(&in, &v32, 4))
				ring->tail = v32;
			break;
		case 4:
			if (fuzz_take(&in, &v16, 2))
				b.amount = v16 % (n + 1);
			break;
		default:
			fuzz_one_sync(&kr, &b);
			break;
		}
	}
	fuzz_one_sync(&kr, &b);
	free(ring);
	return 0;
}
