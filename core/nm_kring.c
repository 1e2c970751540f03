/*
 * nm_kring.c - sync prologues, finalize and the sync gate.
 *
 * The prologue is stricter than the reference (shared/reference section 3,
 * defects D4 and D5): head and cur must both be < n in every case, the TX
 * window is [rhead, rtail] and the RX window [hwcur, hwtail], nothing is
 * stored before the whole check passed, and a violation never runs the sync.
 */
#include "nm_kring.h"

int nm_kring_init(struct nm_kring *kr, enum nm_kring_dir dir,
		  uint32_t num_slots, struct netmap_ring *ring,
		  nm_kring_sync_fn sync, void *sync_priv, const char *name)
{
	if (num_slots < NM_RING_MIN_SLOTS || num_slots > NM_RING_MAX_SLOTS)
		return -EINVAL;
	if (dir != NM_KRING_TX && dir != NM_KRING_RX)
		return -EINVAL;
	if (ring == NULL || sync == NULL)
		return -EINVAL;

	nm_os_memset(kr, 0, sizeof(*kr));
	kr->ring = ring;
	kr->num_slots = num_slots;
	kr->dir = dir;
	kr->sync = sync;
	kr->sync_priv = sync_priv;
	nm_strlcpy(kr->name, name != NULL ? name : "?", sizeof(kr->name));
	nm_os_counter_init(&kr->stats.syncs);
	nm_os_counter_init(&kr->stats.prologue_errors);
	nm_os_counter_init(&kr->stats.tail_restored);
	nm_os_counter_init(&kr->stats.busy);

	/* A fresh TX ring has n - 1 free slots; a fresh RX ring is empty. */
	kr->hwtail = dir == NM_KRING_TX ? num_slots - 1 : 0;
	kr->rtail = kr->hwtail;

	ring->num_slots = num_slots;
	ring->dir = (uint16_t)dir;
	nm_os_shared_store32(&ring->head, 0);
	nm_os_shared_store32(&ring->cur, 0);
	nm_os_shared_store32(&ring->tail, kr->rtail);
	return 0;
}

/* The kernel's own indices must be sane before user values are judged. */
static bool nm_kring_state_sane(const struct nm_kring *kr)
{
	uint32_t n = kr->num_slots;

	return NM_ASSERT(n >= NM_RING_MIN_SLOTS && n <= NM_RING_MAX_SLOTS) &&
	       NM_ASSERT(kr->hwcur < n && kr->hwtail < n) &&
	       NM_ASSERT(kr->rhead < n && kr->rcur < n && kr->rtail < n);
}

/* The rule a head/cur pair broke, or NULL if it broke none. */
static const char *nm_kring_violation(const struct nm_kring *kr,
				      uint32_t head, uint32_t cur)
{
	uint32_t n = kr->num_slots;
	uint32_t lo, hi;

	if (!nm_idx_valid(head, n))
		return "head >= num_slots";
	if (!nm_idx_valid(cur, n))
		return "cur >= num_slots";
	if (kr->dir == NM_KRING_TX) {
		/* head may not move back past what was already submitted,
		 * nor beyond the tail the user was shown. */
		lo = kr->rhead;
		hi = kr->rtail;
	} else {
		/* head may release up to what the kernel has filled, even
		 * beyond the tail of the last sync. */
		lo = kr->hwcur;
		hi = kr->hwtail;
	}
	if (!nm_idx_in_window(head, lo, hi, n))
		return kr->dir == NM_KRING_TX ? "head outside [rhead, rtail]"
					      : "head outside [hwcur, hwtail]";
	if (!nm_idx_in_window(cur, head, hi, n))
		return kr->dir == NM_KRING_TX ? "cur outside [head, rtail]"
					      : "cur outside [head, hwtail]";
	return NULL;
}

int nm_kring_check(const struct nm_kring *kr, uint32_t head, uint32_t cur)
{
	if (!nm_kring_state_sane(kr))
		return -EINVAL;
	return nm_kring_violation(kr, head, cur) == NULL ? 0 : -EINVAL;
}

int nm_kring_prologue(struct nm_kring *kr, uint32_t head, uint32_t cur)
{
	const char *why;

	if (!nm_kring_state_sane(kr))
		return -EINVAL;
	why = nm_kring_violation(kr, head, cur);
	if (why != NULL) {
		nm_os_counter_add(&kr->stats.prologue_errors, 1);
		nm_os_log_warn_rl("%s: %s rejected: %s (head %u cur %u; hwcur %u rhead %u rcur %u rtail %u hwtail %u n %u)",
				  kr->name,
				  kr->dir == NM_KRING_TX ? "txsync" : "rxsync",
				  why, head, cur, kr->hwcur, kr->rhead,
				  kr->rcur, kr->rtail, kr->hwtail,
				  kr->num_slots);
		return -EINVAL;
	}
	kr->rhead = head;
	kr->rcur = cur;
	return 0;
}

void nm_kring_finalize(struct nm_kring *kr)
{
	kr->rtail = kr->hwtail;
}

bool nm_kring_tryget(struct nm_kring *kr)
{
	return nm_os_atomic_cas32(&kr->busy, 0, 1);
}

void nm_kring_put(struct nm_kring *kr)
{
	nm_os_atomic_store_release32(&kr->busy, 0);
}

/* The user must not write tail; if it did, show it the truth again. */
static void nm_kring_restore_tail(struct nm_kring *kr)
{
	uint32_t tail = nm_os_shared_load32(&kr->ring->tail);

	if (tail == kr->rtail)
		return;
	nm_os_counter_add(&kr->stats.tail_restored, 1);
	nm_os_log_warn_rl("%s: tail overwritten by the user (%u), restored to %u",
			  kr->name, tail, kr->rtail);
	nm_os_shared_store32(&kr->ring->tail, kr->rtail);
}

static void nm_kring_timestamp(struct nm_kring *kr)
{
	uint64_t now = nm_os_time_ns();

	kr->ring->ts.tv_sec = (int64_t)(now / 1000000000ULL);
	kr->ring->ts.tv_usec = (int64_t)((now % 1000000000ULL) / 1000ULL);
}

void nm_kring_tap_add(struct nm_kring *kr, struct nm_kring_tap *t)
{
	t->next = kr->taps;
	/* t is complete before a sync can find it (release). */
	nm_os_ptr_publish((void **)&kr->taps, t);
}

void nm_kring_tap_del(struct nm_kring *kr, struct nm_kring_tap *t)
{
	struct nm_kring_tap **pp;

	for (pp = &kr->taps; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			/* Readers already past t keep walking t->next,
			 * which stays valid until the caller's grace period. */
			nm_os_ptr_publish((void **)pp, t->next);
			return;
		}
	}
}

/* Show [first, first + count) to every tap of that kind, in a read
 * section. */
static void nm_kring_run_taps(struct nm_kring *kr, enum nm_kring_tap_kind kind,
			      uint32_t first, uint32_t count)
{
	struct nm_kring_tap *t;

	nm_os_read_enter();
	for (t = nm_os_ptr_read((void *const *)&kr->taps); t != NULL;
	     t = nm_os_ptr_read((void *const *)&t->next))
		if (t->kind == kind)
			t->fn(t, kr, first, count);
	nm_os_read_exit();
}

void nm_kring_tap_arrivals(struct nm_kring *kr)
{
	uint32_t first;

	if (kr->dir != NM_KRING_RX ||
	    nm_os_ptr_read((void *const *)&kr->taps) == NULL)
		return;
	if (!nm_kring_tryget(kr))
		return;
	if (kr->sync(kr, 0) == 0) {
		first = kr->tap_tail;
		kr->tap_tail = kr->hwtail;
		if (first != kr->hwtail)
			nm_kring_run_taps(kr, NM_TAP_COPY, first,
					  nm_idx_dist(first, kr->hwtail,
						      kr->num_slots));
	}
	nm_kring_put(kr);
}

int nm_kring_sync(struct nm_kring *kr, uint32_t flags)
{
	int err;

	if (!nm_kring_tryget(kr)) {
		nm_os_counter_add(&kr->stats.busy, 1);
		return -EBUSY;
	}
	err = nm_kring_sync_held(kr, flags);
	nm_kring_put(kr);
	return err;
}

int nm_kring_sync_backend(struct nm_kring *kr, uint32_t flags)
{
	uint32_t first, old_tail;
	bool tapped;
	int err;

	/* Copy taps (monitors) see TX slots before the backend consumes
	 * them, zero-copy taps the RX slots the user released before the
	 * backend refills them.  The unlocked pointer test keeps an untapped
	 * sync at one load. */
	tapped = nm_unlikely(nm_os_ptr_read((void *const *)&kr->taps) != NULL);
	old_tail = kr->hwtail;
	if (tapped && kr->hwcur != kr->rhead)
		nm_kring_run_taps(kr,
				  kr->dir == NM_KRING_TX ? NM_TAP_COPY
							 : NM_TAP_ZCOPY,
				  kr->hwcur,
				  nm_idx_dist(kr->hwcur, kr->rhead,
					      kr->num_slots));
	err = kr->sync(kr, flags);
	if (err != 0)
		return err;
	/* ... zero-copy taps the TX slots the backend just freed, before
	 * the tail that hands them back to the user is published ... */
	if (kr->dir == NM_KRING_TX && tapped && old_tail != kr->hwtail)
		nm_kring_run_taps(kr, NM_TAP_ZCOPY,
				  nm_idx_next(old_tail, kr->num_slots),
				  nm_idx_dist(old_tail, kr->hwtail,
					      kr->num_slots));
	/* ... and copy taps the RX slots once imported, each exactly once. */
	if (kr->dir == NM_KRING_RX) {
		first = kr->tap_tail;
		kr->tap_tail = kr->hwtail;
		if (first != kr->hwtail &&
		    nm_unlikely(nm_os_ptr_read((void *const *)&kr->taps) !=
				NULL))
			nm_kring_run_taps(kr, NM_TAP_COPY, first,
					  nm_idx_dist(first, kr->hwtail,
						      kr->num_slots));
	}
	return 0;
}

int nm_kring_sync_held(struct nm_kring *kr, uint32_t flags)
{
	struct netmap_ring *ring = kr->ring;
	uint32_t head, cur;
	int err;

	/* Each read exactly once: the user may change them under our feet,
	 * and validating one value while using another is the classic TOCTOU. */
	head = nm_os_shared_load32(&ring->head);
	cur = nm_os_shared_load32(&ring->cur);
	err = nm_kring_prologue(kr, head, cur);
	if (err != 0)
		goto out;
	nm_kring_restore_tail(kr);
	err = nm_kring_sync_backend(kr, flags);
	if (err != 0)
		goto out;
	nm_os_counter_add(&kr->stats.syncs, 1);
	nm_kring_finalize(kr);
	if (nm_os_shared_load32(&ring->flags) & NR_TIMESTAMP)
		nm_kring_timestamp(kr);
	/* Order the backend's slot writes (RX descriptors and payloads, TX
	 * buffer swaps) before the new tail that hands those slots to the
	 * user; pairs with nm_os_fence_load_load() in nm_ring_user_tail(). */
	nm_os_fence_store_store();
	nm_os_shared_store32(&ring->tail, kr->rtail);
out:
	return err;
}

bool nm_kring_valid(const struct nm_kring *kr)
{
	uint32_t n = kr->num_slots;
	uint32_t c = kr->hwcur;
	uint32_t d_head, d_cur, d_rtail, d_hwtail;

	if (n < NM_RING_MIN_SLOTS || n > NM_RING_MAX_SLOTS)
		return false;
	if (kr->hwcur >= n || kr->hwtail >= n || kr->rhead >= n ||
	    kr->rcur >= n || kr->rtail >= n)
		return false;
	/* Distances from hwcur turn the circular order into a linear one. */
	d_head = nm_idx_dist(c, kr->rhead, n);
	d_cur = nm_idx_dist(c, kr->rcur, n);
	d_rtail = nm_idx_dist(c, kr->rtail, n);
	d_hwtail = nm_idx_dist(c, kr->hwtail, n);
	if (!(d_head <= d_cur && d_cur <= d_hwtail && d_rtail <= d_hwtail))
		return false;
	if (kr->dir == NM_KRING_TX)
		return d_cur <= d_rtail;
	return true;
}
