/*
 * test_sim_engine.c - the simulator's event queue, engine and PRNG streams.
 *
 * Groups: queue (heap order against a sorted reference, FIFO ties; random
 * push, pop and replace-first against a reference set, second key peeked),
 * engine (time order, ties first-in first-out, cancel, stale handles,
 * run limits, the next event seen from inside a handler, the next event
 * but those a filter skips, fingerprint equal for equal runs and different otherwise),
 * rng (streams reproducible, independent of each other, unbiased bound).
 */
#include "nm_test.h"

#include "sim_engine.h"
#include "sim_rng.h"

static int cmp_key(const void *a, const void *b)
{
	const struct sim_qkey *x = a, *y = b;

	if (sim_qkey_before(x, y))
		return -1;
	return sim_qkey_before(y, x) ? 1 : 0;
}

static void test_sim_engine_queue_pops_in_key_order(void **state)
{
	uint64_t rs = nm_test_seed("sim_queue");
	enum { N = 5000 };
	struct sim_qkey *ref = calloc(N, sizeof(*ref));
	struct sim_queue q;
	struct sim_qkey k = { 0, 0 };
	size_t i;

	(void)state;
	assert_non_null(ref);
	assert_int_equal(sim_queue_init(&q, 4), 0);
	for (i = 0; i < N; i++) {
		/* Many ties. */
		ref[i] = sim_qkey_make(nm_test_below(&rs, 50), i, (uint32_t)i);
		assert_int_equal(sim_queue_push(&q, &ref[i]), 0);
		if (i % 97 == 0)
			assert_true(sim_queue_valid(&q));
	}
	qsort(ref, N, sizeof(*ref), cmp_key);
	for (i = 0; i < N; i++) {
		assert_true(sim_queue_pop(&q, &k));
		assert_int_equal(sim_qkey_id(&k), sim_qkey_id(&ref[i]));
	}
	assert_false(sim_queue_pop(&q, &k));
	assert_null(sim_queue_peek(&q));
	sim_queue_fini(&q);
	free(ref);
}

/* The smallest of ref[0..n) (keys are unique), removed; its index. */
static size_t ref_min(const struct sim_qkey *ref, size_t n)
{
	size_t i, m = 0;

	for (i = 1; i < n; i++)
		if (sim_qkey_before(&ref[i], &ref[m]))
			m = i;
	return m;
}

/* Random pushes, pops and replacements of the first key, with the second
 * key peeked at every step, against an unsorted reference set. */
static void test_sim_engine_queue_replace_top_and_peek_second(void **state)
{
	uint64_t rs = nm_test_seed("sim_queue.replace");
	enum { CAP = 300 };
	struct sim_qkey ref[CAP], k;
	const struct sim_qkey *p;
	struct sim_queue q;
	size_t n = 0, step, m, m2;

	(void)state;
	assert_int_equal(sim_queue_init(&q, 2), 0);
	for (step = 0; step < 20000; step++) {
		uint32_t op = nm_test_below(&rs, 3);

		k = sim_qkey_make(nm_test_below(&rs, 64), step, (uint32_t)step & 0xffff);
		if (op == 0 && n < CAP) {
			assert_int_equal(sim_queue_push(&q, &k), 0);
			ref[n++] = k;
		} else if (op == 1 && n > 0) {
			struct sim_qkey out;

			m = ref_min(ref, n);
			assert_true(sim_queue_pop(&q, &out));
			assert_true(out.seq_id == ref[m].seq_id);
			ref[m] = ref[--n];
		} else if (n > 0) {
			m = ref_min(ref, n);
			assert_true(sim_queue_peek(&q)->seq_id == ref[m].seq_id);
			sim_queue_replace_top(&q, &k);
			ref[m] = k;
		}
		assert_int_equal(sim_queue_len(&q), n);
		assert_true(sim_queue_valid(&q));
		p = sim_queue_peek_second(&q);
		if (n < 2) {
			assert_null(p);
		} else {
			size_t i;

			m = ref_min(ref, n);
			m2 = m == 0 ? 1 : 0;
			for (i = 0; i < n; i++)
				if (i != m && sim_qkey_before(&ref[i], &ref[m2]))
					m2 = i;
			assert_true(p->seq_id == ref[m2].seq_id);
		}
	}
	sim_queue_fini(&q);
}

static void test_sim_engine_queue_comparator_is_strict(void **state)
{
	struct sim_qkey a = sim_qkey_make(5, 1, 9), b = sim_qkey_make(5, 2, 0);
	struct sim_qkey c = sim_qkey_make(6, 0, 0);

	(void)state;
	assert_int_equal(sim_qkey_id(&a), 9);
	assert_true(sim_qkey_seq(&a) == 1);
	assert_false(sim_qkey_before(&a, &a));
	assert_true(sim_qkey_before(&a, &b) && !sim_qkey_before(&b, &a));
	assert_true(sim_qkey_before(&b, &c) && sim_qkey_before(&a, &c));
}

struct trace {
	uint32_t order[64];
	uint64_t times[64];
	unsigned n;
};

static void record(struct sim_engine *e, void *arg, const struct sim_event *ev)
{
	struct trace *t = arg;

	assert_true(t->n < 64);
	t->order[t->n] = ev->index;
	t->times[t->n] = sim_engine_now(e);
	t->n++;
}

static void test_sim_engine_runs_in_time_order_ties_fifo(void **state)
{
	struct sim_engine e;
	struct trace t = { .n = 0 };

	(void)state;
	assert_int_equal(sim_engine_init(&e), 0);
	sim_schedule(&e, 30, record, &t, 1, 0, 0, 0);
	sim_schedule(&e, 10, record, &t, 1, 0, 0, 1);
	sim_schedule(&e, 20, record, &t, 1, 0, 0, 2);
	sim_schedule(&e, 10, record, &t, 1, 0, 0, 3);
	sim_schedule(&e, 10, record, &t, 1, 0, 0, 4);
	assert_int_equal(sim_engine_run(&e, UINT64_MAX), 5);
	assert_int_equal(t.order[0], 1);
	assert_int_equal(t.order[1], 3);
	assert_int_equal(t.order[2], 4);
	assert_int_equal(t.order[3], 2);
	assert_int_equal(t.order[4], 0);
	assert_true(t.times[0] == 10 && t.times[4] == 30);
	sim_engine_fini(&e);
}

static void test_sim_engine_cancel_skips_event(void **state)
{
	struct sim_engine e;
	struct trace t = { .n = 0 };
	struct sim_ev_ref r, none = { 0, 0 };

	(void)state;
	assert_int_equal(sim_engine_init(&e), 0);
	sim_schedule(&e, 1, record, &t, 1, 0, 0, 7);
	r = sim_schedule(&e, 2, record, &t, 1, 0, 0, 8);
	sim_schedule(&e, 3, record, &t, 1, 0, 0, 9);
	assert_true(sim_pending(&e, r));
	sim_cancel(&e, r);
	sim_cancel(&e, none);
	assert_false(sim_pending(&e, r));
	assert_int_equal(sim_engine_run(&e, UINT64_MAX), 2);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.order[0], 7);
	assert_int_equal(t.order[1], 9);
	assert_int_equal(e.cancelled, 1);
	sim_engine_fini(&e);
}

static void test_sim_engine_stale_ref_cancels_nothing(void **state)
{
	struct sim_engine e;
	struct trace t = { .n = 0 };
	struct sim_ev_ref old;

	(void)state;
	assert_int_equal(sim_engine_init(&e), 0);
	old = sim_schedule(&e, 1, record, &t, 1, 0, 0, 1);
	sim_engine_run(&e, UINT64_MAX);
	/* The slot is reused by the next event; the old handle is stale. */
	sim_schedule(&e, 2, record, &t, 1, 0, 0, 2);
	sim_cancel(&e, old);
	assert_int_equal(sim_engine_run(&e, UINT64_MAX), 1);
	assert_int_equal(t.n, 2);
	sim_engine_fini(&e);
}

/* From inside a handler, the next event is the one after the running
 * event, whether the handler scheduled one or not. */
struct peek_probe {
	uint64_t seen[4];
	unsigned n;
};

static void peek_next(struct sim_engine *e, void *arg, const struct sim_event *ev)
{
	struct peek_probe *p = arg;

	if (ev->index == 1) /* schedules before looking */
		sim_schedule(e, 12, peek_next, p, 1, 0, 0, 3);
	p->seen[p->n++] = sim_engine_next_time(e);
}

static void test_sim_engine_next_time_inside_handler(void **state)
{
	struct sim_engine e;
	struct peek_probe p = { .n = 0 };

	(void)state;
	assert_int_equal(sim_engine_init(&e), 0);
	sim_schedule(&e, 5, peek_next, &p, 1, 0, 0, 1);
	sim_schedule(&e, 20, peek_next, &p, 1, 0, 0, 2);
	assert_int_equal(sim_engine_run(&e, UINT64_MAX), 3);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.seen[0], 12);	 /* at 5: its own 12, then 20 */
	assert_int_equal(p.seen[1], 20);	 /* at 12 */
	assert_int_equal(p.seen[2], UINT64_MAX); /* at 20: nothing left */
	sim_engine_fini(&e);
}

static void noop(struct sim_engine *e, void *arg, const struct sim_event *ev)
{
	(void)e;
	(void)arg;
	(void)ev;
}

/* Skip the events of kind 2. */
static bool skip_kind2(const struct sim_event *ev, void *arg)
{
	(void)arg;
	return ev->kind == 2;
}

/*
 * sim_engine_next_time_except() against a scan of every pending event:
 * random times, every other event (at random) of a kind it skips, some
 * cancelled.  It walked the 4-ary heap as a binary one (children 2i+1,
 * 2i+2), so it pruned subtrees that were not subtrees and missed events:
 * a busy-polling kloop skipped its idle polls past work that had arrived.
 */
static void test_sim_engine_next_time_except_sees_every_event(void **state)
{
	struct sim_engine e;
	struct sim_ev_ref ref[200];
	uint64_t t[200], best, got;
	bool skip[200], gone[200];
	struct sim_rng rng;
	uint32_t round, i, n;

	(void)state;
	sim_rng_init(&rng, 7, "next_except");
	for (round = 0; round < 300; round++) {
		assert_int_equal(sim_engine_init(&e), 0);
		n = 1 + sim_rng_below(&rng, 200);
		for (i = 0; i < n; i++) {
			t[i] = sim_rng_below(&rng, 1000);
			skip[i] = sim_rng_below(&rng, 2) == 0;
			gone[i] = sim_rng_below(&rng, 8) == 0;
			ref[i] = sim_schedule(&e, t[i], noop, NULL, skip[i] ? 2 : 1, 0, 0, i);
		}
		best = UINT64_MAX;
		for (i = 0; i < n; i++) {
			if (gone[i])
				sim_cancel(&e, ref[i]);
			else if (!skip[i] && t[i] < best)
				best = t[i];
		}
		got = sim_engine_next_time_except(&e, skip_kind2, NULL);
		if (got != best)
			printf("    round %u, %u events: got %llu, expected %llu\n", round, n,
			       (unsigned long long)got, (unsigned long long)best);
		assert_true(got == best);
		sim_engine_fini(&e);
	}
}

static void test_sim_engine_run_stops_at_limit(void **state)
{
	struct sim_engine e;
	struct trace t = { .n = 0 };

	(void)state;
	assert_int_equal(sim_engine_init(&e), 0);
	sim_schedule(&e, 5, record, &t, 1, 0, 0, 1);
	sim_schedule(&e, 15, record, &t, 1, 0, 0, 2);
	assert_int_equal(sim_engine_run(&e, 10), 1);
	assert_int_equal(sim_engine_next_time(&e), 15);
	assert_int_equal(sim_engine_run(&e, UINT64_MAX), 1);
	assert_int_equal(sim_engine_next_time(&e), UINT64_MAX);
	sim_engine_fini(&e);
}

struct chain {
	struct sim_rng rng;
	unsigned left;
};

/* Each event schedules one or two more at random delays (many ties). */
static void chain_step(struct sim_engine *e, void *arg,
		       const struct sim_event *ev)
{
	struct chain *c = arg;
	uint64_t now = sim_engine_now(e);

	if (c->left == 0)
		return;
	c->left--;
	sim_schedule(e, now + sim_rng_below(&c->rng, 4), chain_step, c, 2,
		     (uint16_t)(ev->actor + 1), 0, c->left);
	if (sim_rng_below(&c->rng, 3) == 0 && c->left > 0) {
		c->left--;
		sim_schedule(e, now + sim_rng_below(&c->rng, 4), chain_step,
			     c, 3, ev->actor, 1, c->left);
	}
}

static uint64_t chain_fingerprint(uint64_t seed, uint64_t *events)
{
	struct sim_engine e;
	struct chain c;
	uint64_t fp;

	assert_int_equal(sim_engine_init(&e), 0);
	sim_rng_init(&c.rng, seed, "chain");
	c.left = 20000; /* grows the slot array several times */
	sim_schedule(&e, 0, chain_step, &c, 1, 0, 0, 0);
	sim_schedule(&e, 0, chain_step, &c, 1, 0, 0, 0);
	*events = sim_engine_run(&e, UINT64_MAX);
	fp = e.fingerprint;
	sim_engine_fini(&e);
	return fp;
}

static void test_sim_engine_fingerprint_reproducible(void **state)
{
	uint64_t n1, n2, n3;
	uint64_t a = chain_fingerprint(42, &n1);
	uint64_t b = chain_fingerprint(42, &n2);
	uint64_t c = chain_fingerprint(43, &n3);

	(void)state;
	assert_true(a == b);
	assert_int_equal(n1, n2);
	assert_true(a != c);
	assert_true(n1 > 20000);
}

static void test_sim_engine_rng_streams_reproducible_and_independent(void **state)
{
	struct sim_rng a1, a2, b, a3;
	uint64_t x1[8];
	int i, same = 0;

	(void)state;
	sim_rng_init(&a1, 7, "source");
	sim_rng_init(&a2, 7, "source");
	sim_rng_init(&b, 7, "switch");
	for (i = 0; i < 8; i++) {
		x1[i] = sim_rng_next(&a1);
		assert_true(x1[i] == sim_rng_next(&a2));
		same += x1[i] == sim_rng_next(&b);
	}
	assert_int_equal(same, 0);
	/* Drawing from another stream never shifts this one. */
	sim_rng_init(&a3, 7, "source");
	for (i = 0; i < 100; i++)
		sim_rng_next(&b);
	for (i = 0; i < 8; i++)
		assert_true(x1[i] == sim_rng_next(&a3));
}

static void test_sim_engine_rng_below_is_in_range_and_covers(void **state)
{
	struct sim_rng r;
	unsigned hist[7] = { 0 };
	int i;

	(void)state;
	sim_rng_init(&r, 1, "below");
	for (i = 0; i < 7000; i++) {
		uint64_t v = sim_rng_below(&r, 7);

		assert_true(v < 7);
		hist[v]++;
	}
	for (i = 0; i < 7; i++)
		assert_true(hist[i] > 800 && hist[i] < 1200);
	assert_true(sim_rng_below(&r, 1) == 0);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest queue[] = {
		cmocka_unit_test(test_sim_engine_queue_pops_in_key_order),
		cmocka_unit_test(test_sim_engine_queue_comparator_is_strict),
		cmocka_unit_test(test_sim_engine_queue_replace_top_and_peek_second),
	};
	static const struct CMUnitTest engine[] = {
		cmocka_unit_test(test_sim_engine_runs_in_time_order_ties_fifo),
		cmocka_unit_test(test_sim_engine_cancel_skips_event),
		cmocka_unit_test(test_sim_engine_stale_ref_cancels_nothing),
		cmocka_unit_test(test_sim_engine_run_stops_at_limit),
		cmocka_unit_test(test_sim_engine_next_time_inside_handler),
		cmocka_unit_test(test_sim_engine_next_time_except_sees_every_event),
		cmocka_unit_test(test_sim_engine_fingerprint_reproducible),
	};
	static const struct CMUnitTest rng[] = {
		cmocka_unit_test(test_sim_engine_rng_streams_reproducible_and_independent),
		cmocka_unit_test(test_sim_engine_rng_below_is_in_range_and_covers),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("queue", queue),
		NM_TEST_GROUP("engine", engine),
		NM_TEST_GROUP("rng", rng),
	};

	return nm_test_main("sim_engine", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
