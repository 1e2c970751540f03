/*
 * test_nm_kring.c - the sync prologues, finalize and the sync gate.
 *
 * Groups: tx, rx (rules at their boundaries for sizes 2, 3, 1000, 1024,
 * 4096), vectors (the core's self-test table against the reference
 * predicate), exhaustive (every state and every head/cur for small rings),
 * property (random well-behaved and hostile producers; NM_SEED=), threads
 * (a real user thread against a real kernel thread, sequence-checked).
 */
#include "nm_test.h"

#include "nm_kring.h"
#include "nm_mem.h"
#include "nm_ring_user.h"
#include "nm_selftest.h"
#include "nm_shim.h"

static const uint32_t sizes[] = { 2, 3, 1000, 1024, 4096 };

struct fixture {
	struct nm_kring kr;
	struct netmap_ring *ring;
	unsigned calls;	      /* backend syncs run */
	uint32_t complete;    /* TX: in-flight slots completed per sync */
	uint32_t import;      /* RX: slots received per sync */
	int backend_err;      /* returned by the backend */
};

/* TX backend: send everything submitted, then complete up to f->complete. */
static int tx_backend(struct nm_kring *kr, uint32_t flags)
{
	struct fixture *f = kr->sync_priv;
	uint32_t n = kr->num_slots, room;

	(void)flags;
	f->calls++;
	if (f->backend_err != 0)
		return f->backend_err;
	kr->hwcur = kr->rhead;
	room = nm_idx_dist(kr->hwtail, nm_idx_prev(kr->hwcur, n), n);
	kr->hwtail = nm_idx_add(kr->hwtail, nm_min_u32(room, f->complete), n);
	return 0;
}

/* RX backend: take back released slots, then receive up to f->import. */
static int rx_backend(struct nm_kring *kr, uint32_t flags)
{
	struct fixture *f = kr->sync_priv;
	uint32_t n = kr->num_slots, room;

	(void)flags;
	f->calls++;
	if (f->backend_err != 0)
		return f->backend_err;
	kr->hwcur = kr->rhead;
	room = nm_idx_dist(kr->hwtail, nm_idx_prev(kr->hwcur, n), n);
	kr->hwtail = nm_idx_add(kr->hwtail, nm_min_u32(room, f->import), n);
	return 0;
}

static struct fixture *fixture_new(enum nm_kring_dir dir, uint32_t n)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ring = calloc(1, sizeof(*f->ring) + n * sizeof(struct netmap_slot));
	assert_non_null(f->ring);
	f->complete = n;
	f->import = n;
	assert_int_equal(nm_kring_init(&f->kr, dir, n, f->ring,
				       dir == NM_KRING_TX ? tx_backend : rx_backend,
				       f, "test"),
			 0);
	return f;
}

static void fixture_free(struct fixture *f)
{
	free(f->ring);
	free(f);
}

/* Put the kring in a state; all indices must be valid for n. */
static void set_state(struct fixture *f, uint32_t hwcur, uint32_t hwtail,
		      uint32_t rhead, uint32_t rtail)
{
	f->kr.hwcur = hwcur;
	f->kr.hwtail = hwtail;
	f->kr.rhead = rhead;
	f->kr.rcur = rhead;
	f->kr.rtail = rtail;
	f->ring->head = rhead;
	f->ring->cur = rhead;
	f->ring->tail = rtail;
	assert_true(nm_kring_valid(&f->kr));
}

static uint64_t log_lines(void)
{
	struct nm_shim_log_stats s;

	nm_shim_log_stats(&s);
	return s.emitted + s.suppressed;
}

/* Sync with head/cur written by the user; assert it is refused cleanly. */
static void expect_rejected(struct fixture *f, uint32_t head, uint32_t cur)
{
	uint32_t hwcur = f->kr.hwcur, hwtail = f->kr.hwtail;
	uint32_t rhead = f->kr.rhead, rcur = f->kr.rcur, rtail = f->kr.rtail;
	uint32_t tail = f->ring->tail;
	unsigned calls = f->calls;
	uint64_t logs = log_lines();
	uint64_t errors = nm_os_counter_read(&f->kr.stats.prologue_errors);

	f->ring->head = head;
	f->ring->cur = cur;
	assert_int_equal(nm_kring_sync(&f->kr, 0), -EINVAL);
	assert_int_equal(f->calls, calls); /* the backend never ran */
	assert_int_equal(f->kr.hwcur, hwcur);
	assert_int_equal(f->kr.hwtail, hwtail);
	assert_int_equal(f->kr.rhead, rhead);
	assert_int_equal(f->kr.rcur, rcur);
	assert_int_equal(f->kr.rtail, rtail);
	assert_int_equal(f->ring->tail, tail);
	assert_int_equal(log_lines(), logs + 1); /* one line, rate-limited */
	assert_int_equal(nm_os_counter_read(&f->kr.stats.prologue_errors),
			 errors + 1);
	assert_int_equal(f->kr.busy, 0);
}

static void expect_accepted(struct fixture *f, uint32_t head, uint32_t cur)
{
	unsigned calls = f->calls;

	f->ring->head = head;
	f->ring->cur = cur;
	assert_int_equal(nm_kring_sync(&f->kr, 0), 0);
	assert_int_equal(f->calls, calls + 1);
	assert_int_equal(f->kr.rhead, head);
	assert_int_equal(f->kr.rcur, cur);
	assert_int_equal(f->ring->tail, f->kr.hwtail);
	assert_int_equal(f->kr.rtail, f->kr.hwtail);
	assert_true(nm_kring_valid(&f->kr));
}

/* ---- tx */

static void test_nm_kring_init_checks_geometry(void **state)
{
	struct netmap_ring ring;
	struct nm_kring kr;

	(void)state;
	assert_int_equal(nm_kring_init(&kr, NM_KRING_TX, 0, &ring, tx_backend, NULL, "t"), -EINVAL);
	assert_int_equal(nm_kring_init(&kr, NM_KRING_TX, 1, &ring, tx_backend, NULL, "t"), -EINVAL);
	assert_int_equal(nm_kring_init(&kr, NM_KRING_TX, 4097, &ring, tx_backend, NULL, "t"), -EINVAL);
	assert_int_equal(nm_kring_init(&kr, 7, 16, &ring, tx_backend, NULL, "t"), -EINVAL);
	assert_int_equal(nm_kring_init(&kr, NM_KRING_TX, 16, NULL, tx_backend, NULL, "t"), -EINVAL);
	assert_int_equal(nm_kring_init(&kr, NM_KRING_TX, 16, &ring, NULL, NULL, "t"), -EINVAL);
}

static void test_nm_kring_fresh_rings(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fixture *tx = fixture_new(NM_KRING_TX, sizes[i]);
		struct fixture *rx = fixture_new(NM_KRING_RX, sizes[i]);

		assert_int_equal(tx->ring->tail, sizes[i] - 1);
		assert_int_equal(rx->ring->tail, 0);
		assert_int_equal(tx->ring->head, 0);
		assert_int_equal(rx->ring->cur, 0);
		assert_true(nm_kring_valid(&tx->kr));
		assert_true(nm_kring_valid(&rx->kr));
		fixture_free(tx);
		fixture_free(rx);
	}
}

static void test_nm_kring_tx_fills_n_minus_1(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];
		struct fixture *f = fixture_new(NM_KRING_TX, n);

		expect_rejected(f, n, n);
		expect_rejected(f, n - 1, n);
		expect_rejected(f, 0, n);
		f->complete = 0; /* nothing completes: the ring stays full */
		expect_accepted(f, n - 1, n - 1);
		assert_int_equal(f->kr.hwcur, n - 1);
		assert_int_equal(f->ring->tail, n - 1); /* no free slot */
		/* A full ring admits only head = cur = the old head. */
		if (n > 2)
			expect_rejected(f, 0, 0);
		expect_accepted(f, n - 1, n - 1);
		fixture_free(f);
	}
}

static void test_nm_kring_tx_head_cannot_move_back(void **state)
{
	struct fixture *f = fixture_new(NM_KRING_TX, 1000);

	(void)state;
	set_state(f, 10, 9, 10, 500);
	expect_rejected(f, 9, 9);
	expect_rejected(f, 501, 501);
	expect_rejected(f, 10, 501);
	expect_rejected(f, 300, 299); /* cur behind head */
	expect_accepted(f, 500, 500);
	fixture_free(f);
}

static void test_nm_kring_tx_rejects_cur_n_when_wrapped(void **state)
{
	size_t i;

	(void)state;
	/* The reference accepts cur >= n with head in the upper segment of
	 * a wrapped window (defect D5). */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];
		struct fixture *f = fixture_new(NM_KRING_TX, n);

		set_state(f, n - 1, n - 2, n - 1, 0);
		expect_rejected(f, n - 1, n);
		expect_rejected(f, n - 1, 5000);
		expect_rejected(f, n - 1, UINT32_MAX);
		expect_rejected(f, UINT32_MAX, 0);
		expect_accepted(f, n - 1, 0);
		fixture_free(f);
	}
}

static void test_nm_kring_tx_wraps_many_times(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i], step, k;
		struct fixture *f = fixture_new(NM_KRING_TX, n);

		step = n > 7 ? n / 3 + 1 : 1;
		for (k = 0; k < 3 * n / step + 3; k++) {
			uint32_t space = nm_ring_user_space(
				f->ring, f->ring->head, f->ring->tail);
			uint32_t head = nm_idx_add(f->ring->head,
						   nm_min_u32(step, space), n);

			expect_accepted(f, head, head);
		}
		fixture_free(f);
	}
}

static void test_nm_kring_tail_overwrite_is_restored(void **state)
{
	struct fixture *f = fixture_new(NM_KRING_TX, 64);

	(void)state;
	f->ring->tail = 3;
	f->complete = 0;
	expect_accepted(f, 5, 5);
	assert_int_equal(f->ring->tail, 63);
	assert_int_equal(nm_os_counter_read(&f->kr.stats.tail_restored), 1);
	fixture_free(f);
}

static void test_nm_kring_busy_gate_refuses_second_sync(void **state)
{
	struct fixture *f = fixture_new(NM_KRING_TX, 64);

	(void)state;
	assert_true(nm_kring_tryget(&f->kr));
	assert_false(nm_kring_tryget(&f->kr));
	f->ring->head = f->ring->cur = 4;
	assert_int_equal(nm_kring_sync(&f->kr, 0), -EBUSY);
	assert_int_equal(f->calls, 0);
	assert_int_equal(f->kr.rhead, 0);
	nm_kring_put(&f->kr);
	expect_accepted(f, 4, 4);
	assert_int_equal(nm_os_counter_read(&f->kr.stats.busy), 1);
	fixture_free(f);
}

static void test_nm_kring_backend_error_skips_finalize(void **state)
{
	struct fixture *f = fixture_new(NM_KRING_RX, 64);

	(void)state;
	f->import = 0;
	f->backend_err = -EIO;
	f->ring->tail = 0;
	assert_int_equal(nm_kring_sync(&f->kr, 0), -EIO);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->kr.rtail, 0);
	assert_int_equal(nm_os_counter_read(&f->kr.stats.syncs), 0);
	assert_int_equal(f->kr.busy, 0);
	fixture_free(f);
}

/* ---- rx */

static void test_nm_kring_rx_release_up_to_hwtail(void **state)
{
	struct fixture *f = fixture_new(NM_KRING_RX, 1000);

	(void)state;
	f->import = 0;
	set_state(f, 100, 300, 100, 200); /* 100 more arrived since */
	expect_rejected(f, 301, 301);
	expect_rejected(f, 99, 99);
	expect_rejected(f, 250, 301);
	expect_accepted(f, 250, 300); /* beyond rtail, within hwtail */
	assert_int_equal(f->kr.hwcur, 250);
	fixture_free(f);
}

static void test_nm_kring_rx_bad_head_never_adopted(void **state)
{
	/* Defect D4: the reference runs rxsync after a failed prologue and
	 * adopts an in-range head outside [hwcur, hwtail] as hwcur. */
	struct fixture *f = fixture_new(NM_KRING_RX, 1024);
	int k;

	(void)state;
	f->import = 10;
	expect_accepted(f, 0, 0);
	assert_int_equal(f->ring->tail, 10);
	f->import = 0;
	for (k = 0; k < 3; k++)
		expect_rejected(f, 500, 500);
	assert_int_equal(f->kr.hwcur, 0);
	expect_accepted(f, 10, 10);
	fixture_free(f);
}

static void test_nm_kring_rx_wraps_all_sizes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i], k;
		struct fixture *f = fixture_new(NM_KRING_RX, n);

		f->import = n; /* fill to n - 1 every time */
		for (k = 0; k < 8; k++) {
			uint32_t tail = f->ring->tail;

			expect_rejected(f, nm_idx_next(tail, n) == f->kr.hwcur
						   ? n : nm_idx_next(tail, n), tail);
			expect_accepted(f, tail, tail);
			assert_int_equal(nm_ring_user_space(f->ring, tail,
							    f->ring->tail),
					 n - 1);
		}
		fixture_free(f);
	}
}

/* ---- vectors */

static void test_nm_kring_vectors_match_reference(void **state)
{
	struct fixture *f = fixture_new(NM_KRING_TX, 4096);
	uint32_t i;

	(void)state;
	for (i = 0; i < nm_prologue_vector_count; i++) {
		const struct nm_prologue_vector *v = &nm_prologue_vectors[i];
		int ref = nm_ref_accept(v->dir == NM_KRING_TX, v->n, v->hwcur,
					v->hwtail, v->rhead, v->rtail, v->head,
					v->cur);

		nm_selftest_load_state(&f->kr, v);
		assert_true(nm_kring_valid(&f->kr));
		if (ref != (int)v->accept)
			fail_msg("vector %u disagrees with the reference", i);
		assert_int_equal(nm_kring_check(&f->kr, v->head, v->cur) == 0,
				 v->accept);
	}
	fixture_free(f);
}

static void test_nm_kring_selftest_passes(void **state)
{
	struct nm_selftest_result r = nm_selftest_run();

	(void)state;
	assert_int_equal(r.failed, 0);
	assert_true(r.passed >= nm_prologue_vector_count);
}

/* ---- exhaustive: every valid state, every head/cur in [0, n + 1] and
 * UINT32_MAX, for n = 2..7. */

static void exhaustive(enum nm_kring_dir dir)
{
	uint32_t n, a, b, c, d, head, cur;
	uint64_t checked = 0;

	for (n = 2; n <= 7; n++) {
		struct fixture *f = fixture_new(dir, n);
		uint32_t probes[12], np = 0, i, j;

		for (i = 0; i <= n + 1; i++)
			probes[np++] = i;
		probes[np++] = UINT32_MAX;
		for (a = 0; a < n; a++)		/* hwcur */
		for (b = 0; b < n; b++)		/* hwtail */
		for (c = 0; c < n; c++)		/* rhead */
		for (d = 0; d < n; d++) {	/* rtail */
			f->kr.hwcur = a;
			f->kr.hwtail = b;
			f->kr.rhead = f->kr.rcur = c;
			f->kr.rtail = d;
			if (!nm_kring_valid(&f->kr))
				continue;
			for (i = 0; i < np; i++)
			for (j = 0; j < np; j++) {
				head = probes[i];
				cur = probes[j];
				assert_int_equal(
					nm_kring_check(&f->kr, head, cur) == 0,
					nm_ref_accept(dir == NM_KRING_TX, n, a, b,
						      c, d, head, cur));
				checked++;
			}
		}
		fixture_free(f);
	}
	assert_true(checked > 100000);
}

static void test_nm_kring_exhaustive_tx(void **state)
{
	(void)state;
	exhaustive(NM_KRING_TX);
}

static void test_nm_kring_exhaustive_rx(void **state)
{
	(void)state;
	exhaustive(NM_KRING_RX);
}

/* ---- property: a producer that follows the rules is never refused; a
 * hostile one is refused exactly when the reference says so, and the kring
 * stays valid after every call. */

static uint32_t hostile_index(uint64_t *rng, const struct fixture *f)
{
	uint32_t n = f->kr.num_slots;
	uint32_t near[] = { f->kr.hwcur, f->kr.hwtail, f->kr.rhead,
			    f->kr.rtail, f->ring->tail, 0, n - 1, n, n + 1 };
	uint32_t base;

	switch (nm_test_below(rng, 4)) {
	case 0:
		return (uint32_t)nm_test_rand(rng);
	case 1:
		return nm_test_below(rng, n);
	default:
		base = near[nm_test_below(rng, sizeof(near) / sizeof(near[0]))];
		return base + nm_test_below(rng, 3) - 1;
	}
}

static void property(enum nm_kring_dir dir, uint64_t seed)
{
	static const uint32_t psizes[] = { 2, 3, 5, 64, 1000, 1024, 4096, 777 };
	uint64_t rng = seed, accepted = 0, rejected = 0;
	int round;

	for (round = 0; round < 64; round++) {
		uint32_t n = psizes[round % 8];
		struct fixture *f = fixture_new(dir, n);
		int step;

		for (step = 0; step < 3000; step++) {
			uint32_t head, cur, tail = f->ring->tail;
			int hostile = nm_test_below(&rng, 3) == 0;
			int ref, err;
			unsigned calls = f->calls;
			struct nm_kring before = f->kr;

			f->complete = nm_test_below(&rng, n + 1);
			f->import = nm_test_below(&rng, n + 1);
			if (hostile) {
				head = hostile_index(&rng, f);
				cur = hostile_index(&rng, f);
			} else {
				uint32_t space = nm_ring_user_space(
					f->ring, f->ring->head, tail);

				head = nm_idx_add(f->ring->head,
						  nm_test_below(&rng, space + 1), n);
				cur = nm_idx_add(head, nm_test_below(&rng,
					nm_idx_dist(head, tail, n) + 1), n);
			}
			ref = nm_ref_accept(dir == NM_KRING_TX, n, f->kr.hwcur,
					    f->kr.hwtail, f->kr.rhead,
					    f->kr.rtail, head, cur);
			if (!hostile && !ref)
				fail_msg("seed %llu: well-behaved producer refused by the reference",
					 (unsigned long long)seed);
			f->ring->head = head;
			f->ring->cur = cur;
			err = nm_kring_sync(&f->kr, 0);
			if ((err == 0) != ref)
				fail_msg("seed %llu n %u: head %u cur %u: core %d reference %d",
					 (unsigned long long)seed, n, head, cur,
					 err, ref);
			if (err != 0) {
				assert_int_equal(f->calls, calls);
				assert_memory_equal(&before, &f->kr,
					offsetof(struct nm_kring, busy));
				/* The user sees the refusal and goes back
				 * to its last accepted indices. */
				f->ring->head = f->kr.rhead;
				f->ring->cur = f->kr.rcur;
				rejected++;
			} else {
				accepted++;
			}
			assert_true(nm_kring_valid(&f->kr));
		}
		fixture_free(f);
	}
	assert_true(accepted > 10000);
	assert_true(rejected > 10000);
}

static void test_nm_kring_property_tx(void **state)
{
	(void)state;
	property(NM_KRING_TX, nm_test_seed("property_tx"));
}

static void test_nm_kring_property_rx(void **state)
{
	(void)state;
	property(NM_KRING_RX, nm_test_seed("property_rx"));
}

/* ---- threads: a user thread and a kernel thread share one TX ring; the
 * user writes a sequence number into each buffer, the kernel's backend
 * checks them in order.  Under TSan this also checks the accessors and
 * fences give the happens-before the protocol needs. */

#define THREAD_PACKETS 200000U
#define THREAD_SLOTS 257U /* not a power of two */

struct thread_ctx {
	struct nm_buf_pool pool;
	struct netmap_ring *ring;
	struct nm_kring kr;
	uint32_t expected; /* kernel side: next sequence number */
	uint32_t errors;
	uint32_t done;	   /* set by the user thread when it has sent all */
};

/* Kernel side: consume [hwcur, rhead), check the sequence, free them all. */
static int seq_backend(struct nm_kring *kr, uint32_t flags)
{
	struct thread_ctx *t = kr->sync_priv;
	uint32_t n = kr->num_slots, i;

	(void)flags;
	for (i = kr->hwcur; i != kr->rhead; i = nm_idx_next(i, n)) {
		struct nm_slot_snap snap;
		uint32_t seq;

		if (nm_slot_load(&t->pool, &t->ring->slot[i], &snap) != 0 ||
		    snap.len != sizeof(seq)) {
			t->errors++;
			continue;
		}
		memcpy(&seq, nm_buf_addr(&t->pool, snap.buf_idx), sizeof(seq));
		if (seq != t->expected)
			t->errors++;
		t->expected = seq + 1;
	}
	kr->hwcur = kr->rhead;
	kr->hwtail = nm_idx_prev(kr->hwcur, n);
	return 0;
}

static void *user_thread(void *arg)
{
	struct thread_ctx *t = arg;
	struct netmap_ring *ring = t->ring;
	uint32_t n = ring->num_slots, head = 0, seq = 0;

	while (seq < THREAD_PACKETS) {
		uint32_t tail = nm_ring_user_tail(ring);

		while (head != tail && seq < THREAD_PACKETS) {
			struct netmap_slot *slot = &ring->slot[head];

			memcpy(nm_buf_addr(&t->pool, slot->buf_idx), &seq,
			       sizeof(seq));
			slot->len = sizeof(seq);
			seq++;
			head = nm_idx_next(head, n);
		}
		nm_ring_user_publish(ring, head, head);
	}
	nm_os_atomic_store_release32(&t->done, 1);
	return NULL;
}

static void test_nm_kring_threads_tx_sequence(void **state)
{
	struct thread_ctx *t = calloc(1, sizeof(*t));
	struct nm_os_kthread user;
	int err;

	(void)state;
	assert_non_null(t);
	t->ring = calloc(1, sizeof(*t->ring) +
				   THREAD_SLOTS * sizeof(struct netmap_slot));
	assert_non_null(t->ring);
	assert_int_equal(nm_buf_pool_init(&t->pool, THREAD_SLOTS + 2, 64), 0);
	assert_int_equal(nm_buf_ring_fill(&t->pool, t->ring, THREAD_SLOTS), 0);
	assert_int_equal(nm_kring_init(&t->kr, NM_KRING_TX, THREAD_SLOTS,
				       t->ring, seq_backend, t, "threads"),
			 0);
	assert_int_equal(nm_os_kthread_create(&user, user_thread, t, "user"), 0);
	/* The kernel side: sync until the user is done and all is consumed. */
	for (;;) {
		uint32_t done = nm_os_atomic_load_acquire32(&t->done);

		err = nm_kring_sync(&t->kr, 0);
		assert_int_equal(err, 0);
		if (done && t->expected == THREAD_PACKETS)
			break;
	}
	nm_os_kthread_join(&user);
	assert_int_equal(t->errors, 0);
	assert_int_equal(t->expected, THREAD_PACKETS);
	assert_int_equal(nm_os_counter_read(&t->kr.stats.prologue_errors), 0);
	nm_buf_ring_drain(&t->pool, t->ring, THREAD_SLOTS);
	assert_int_equal(nm_buf_free_count(&t->pool), THREAD_SLOTS);
	nm_buf_pool_fini(&t->pool);
	free(t->ring);
	free(t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tx[] = {
		cmocka_unit_test(test_nm_kring_init_checks_geometry),
		cmocka_unit_test(test_nm_kring_fresh_rings),
		cmocka_unit_test(test_nm_kring_tx_fills_n_minus_1),
		cmocka_unit_test(test_nm_kring_tx_head_cannot_move_back),
		cmocka_unit_test(test_nm_kring_tx_rejects_cur_n_when_wrapped),
		cmocka_unit_test(test_nm_kring_tx_wraps_many_times),
		cmocka_unit_test(test_nm_kring_tail_overwrite_is_restored),
		cmocka_unit_test(test_nm_kring_busy_gate_refuses_second_sync),
	};
	static const struct CMUnitTest rx[] = {
		cmocka_unit_test(test_nm_kring_rx_release_up_to_hwtail),
		cmocka_unit_test(test_nm_kring_rx_bad_head_never_adopted),
		cmocka_unit_test(test_nm_kring_rx_wraps_all_sizes),
		cmocka_unit_test(test_nm_kring_backend_error_skips_finalize),
	};
	static const struct CMUnitTest vectors[] = {
		cmocka_unit_test(test_nm_kring_vectors_match_reference),
		cmocka_unit_test(test_nm_kring_selftest_passes),
	};
	static const struct CMUnitTest exhaustive_tests[] = {
		cmocka_unit_test(test_nm_kring_exhaustive_tx),
		cmocka_unit_test(test_nm_kring_exhaustive_rx),
	};
	static const struct CMUnitTest property_tests[] = {
		cmocka_unit_test(test_nm_kring_property_tx),
		cmocka_unit_test(test_nm_kring_property_rx),
	};
	static const struct CMUnitTest threads[] = {
		cmocka_unit_test(test_nm_kring_threads_tx_sequence),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("tx", tx),
		NM_TEST_GROUP("rx", rx),
		NM_TEST_GROUP("vectors", vectors),
		NM_TEST_GROUP("exhaustive", exhaustive_tests),
		NM_TEST_GROUP("property", property_tests),
		NM_TEST_GROUP_TAGGED("threads", threads, "tsan"),
	};

	nm_shim_thread_register();
	return nm_test_main("nm_kring", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
