/*
 * test_vale_lease.c - leases on a destination ring (core/vale_lease.h).
 *
 * Groups: lease (space, wrap, ring full, several leases held and completed
 * in every order for ring sizes 2/3/1000/4096, trimming a lease filled
 * short), property (random takes,
 * completions and releases against a slot-by-slot model; NM_SEED=).
 */
#include "vale_test.h"

static const uint32_t sizes[] = { 2, 3, 1000, 4096 };

static void test_vale_lease_space_and_full(void **state)
{
	uint32_t k;

	(void)state;
	for (k = 0; k < NM_ARRAY_SIZE(sizes); k++) {
		uint32_t n = sizes[k], start, idx;
		uint32_t *ends = calloc(n, sizeof(*ends));
		struct vale_lease ls;

		vale_lease_init(&ls, n, ends);
		assert_int_equal(vale_lease_space(&ls), n - 1);
		idx = vale_lease_take(&ls, n - 1, &start);
		assert_int_equal(start, 0);
		assert_int_equal(vale_lease_space(&ls), 0);
		assert_true(vale_lease_valid(&ls));
		assert_true(vale_lease_done(&ls, idx, start, n - 1));
		assert_int_equal(ls.hwtail, n - 1);
		assert_int_equal(vale_lease_space(&ls), 0); /* not released */
		vale_lease_release(&ls, n - 1);
		assert_int_equal(vale_lease_space(&ls), n - 1);
		/* Wrap: a lease that crosses the end of the ring. */
		idx = vale_lease_take(&ls, n - 1, &start);
		assert_int_equal(start, n - 1);
		assert_true(vale_lease_done(&ls, idx, start,
					    nm_idx_add(start, n - 1, n)));
		assert_int_equal(ls.hwtail, n - 2 == 0 ? 0 : (2 * n - 2) % n);
		assert_true(vale_lease_valid(&ls));
		free(ends);
	}
}

/* A lease filled short of its end: the newest gives its tail back, an
 * older one (a later lease begins at its end) keeps it for padding. */
static void test_vale_lease_trim_newest_and_older(void **state)
{
	uint32_t k;

	(void)state;
	for (k = 0; k < NM_ARRAY_SIZE(sizes); k++) {
		uint32_t n = sizes[k], a, b, sa, sb, ea, eb, end;
		uint32_t *ends;
		struct vale_lease ls;

		if (n < 4)
			continue; /* leases of 2 and 1 slots need n - 1 >= 3 */
		ends = calloc(n, sizeof(*ends));
		vale_lease_init(&ls, n, ends);
		/* Start near the end of the ring so the leases wrap. */
		a = vale_lease_take(&ls, n - 2, &sa);
		assert_true(vale_lease_done(&ls, a, sa, n - 2));
		vale_lease_release(&ls, n - 2);

		/* Newest: [fill, end) goes back to the free space. */
		a = vale_lease_take(&ls, n - 1, &sa);
		ea = nm_idx_add(sa, n - 1, n);
		assert_int_equal(vale_lease_space(&ls), 0);
		end = vale_lease_trim(&ls, a, sa, nm_idx_add(sa, 1, n), ea);
		assert_int_equal(end, nm_idx_add(sa, 1, n));
		assert_int_equal(ls.hwlease, end);
		assert_int_equal(vale_lease_space(&ls), n - 2);
		assert_true(vale_lease_valid(&ls));
		assert_true(vale_lease_done(&ls, a, sa, end));
		assert_int_equal(ls.hwtail, end);
		vale_lease_release(&ls, end);

		/* Older: B begins at A's end, so A keeps its tail. */
		a = vale_lease_take(&ls, 2, &sa);
		ea = nm_idx_add(sa, 2, n);
		b = vale_lease_take(&ls, 1, &sb);
		eb = nm_idx_add(sb, 1, n);
		assert_int_equal(sb, ea);
		end = vale_lease_trim(&ls, a, sa, nm_idx_add(sa, 1, n), ea);
		assert_int_equal(end, ea);
		assert_int_equal(ls.hwlease, eb);
		assert_false(vale_lease_done(&ls, b, sb, eb));
		assert_true(vale_lease_done(&ls, a, sa, end));
		assert_int_equal(ls.hwtail, eb);
		/* Filled to its end: nothing to give back. */
		a = vale_lease_take(&ls, 1, &sa);
		ea = nm_idx_add(sa, 1, n);
		assert_int_equal(vale_lease_trim(&ls, a, sa, ea, ea), ea);
		assert_true(vale_lease_valid(&ls));
		free(ends);
	}
}

/* Heap's algorithm: every permutation of perm[0..k). */
static void permute(uint32_t *perm, uint32_t k, uint32_t size,
		    void (*fn)(const uint32_t *, uint32_t, void *), void *arg)
{
	uint32_t i, t;

	if (k == 1) {
		fn(perm, size, arg);
		return;
	}
	for (i = 0; i < k; i++) {
		permute(perm, k - 1, size, fn, arg);
		t = perm[k % 2 == 0 ? i : 0];
		perm[k % 2 == 0 ? i : 0] = perm[k - 1];
		perm[k - 1] = t;
	}
}

struct order_case {
	uint32_t n, base;  /* ring size, where the first lease starts */
	uint32_t count;	   /* leases held at once */
	uint32_t len[6];   /* slots per lease */
	unsigned checked;  /* orders run */
};

/* Take count leases, complete them in `order`, check hwtail after each. */
static void run_order(const uint32_t *order, uint32_t count, void *arg)
{
	struct order_case *c = arg;
	uint32_t *ends = calloc(c->n, sizeof(*ends));
	uint32_t start[6], idx[6], i, j, prefix;
	bool done[6] = { false };
	struct vale_lease ls;

	vale_lease_init(&ls, c->n, ends);
	/* Move the ring to base (lease, complete, release) to test wraps. */
	if (c->base > 0) {
		i = vale_lease_take(&ls, c->base, &start[0]);
		vale_lease_done(&ls, i, start[0], c->base);
		vale_lease_release(&ls, c->base);
	}
	for (i = 0; i < count; i++)
		idx[i] = vale_lease_take(&ls, c->len[i], &start[i]);
	for (j = 0; j < count; j++) {
		uint32_t k = order[j], old = ls.hwtail, want;
		bool moved;

		moved = vale_lease_done(&ls, idx[k], start[k],
					nm_idx_add(start[k], c->len[k], c->n));
		done[k] = true;
		/* hwtail covers exactly the longest completed prefix. */
		for (prefix = 0; prefix < count && done[prefix]; prefix++)
			;
		want = prefix == 0 ? start[0]
				   : nm_idx_add(start[prefix - 1],
						c->len[prefix - 1], c->n);
		assert_int_equal(ls.hwtail, want);
		assert_int_equal(moved, want != old);
		assert_true(vale_lease_valid(&ls));
	}
	assert_int_equal(ls.hwtail, ls.hwlease);
	free(ends);
	c->checked++;
}

static void test_vale_lease_out_of_order_every_order(void **state)
{
	uint32_t k, count, perm[6], i;

	(void)state;
	for (k = 0; k < NM_ARRAY_SIZE(sizes); k++) {
		uint32_t n = sizes[k];

		for (count = 1; count <= 5; count++) {
			struct order_case c;

			memset(&c, 0, sizeof(c));
			c.n = n;
			c.count = count;
			/* Lease lengths 1, 2, 3... as far as the ring allows. */
			for (i = 0; i < count; i++)
				c.len[i] = 1 + i % 3;
			{
				uint32_t sum = 0;

				for (i = 0; i < count; i++)
					sum += c.len[i];
				if (sum > n - 1)
					continue;
			}
			c.base = n > 4 ? n - 2 : 1; /* leases straddle the wrap */
			for (i = 0; i < count; i++)
				perm[i] = i;
			permute(perm, count, count, run_order, &c);
			assert_true(c.checked >= 1);
		}
	}
}

static void test_vale_lease_property_random(void **state)
{
	uint64_t rng = nm_test_seed("vale_lease.property");
	uint32_t round;

	(void)state;
	for (round = 0; round < 200; round++) {
		uint32_t n = 2 + nm_test_below(&rng, 40), step;
		uint32_t *ends = calloc(n, sizeof(*ends));
		uint32_t st[64], id[64], ln[64], live = 0, filled = 0;
		bool dn[64];
		struct vale_lease ls;

		vale_lease_init(&ls, n, ends);
		for (step = 0; step < 500; step++) {
			uint32_t op = nm_test_below(&rng, 3);

			if (op == 0 && vale_lease_space(&ls) > 0 && live < 64) {
				uint32_t len = 1 + nm_test_below(&rng, vale_lease_space(&ls));

				id[live] = vale_lease_take(&ls, len, &st[live]);
				ln[live] = len;
				dn[live] = false;
				live++;
			} else if (op == 1 && live > 0) {
				uint32_t k = nm_test_below(&rng, live), p, drop = 0;

				if (dn[k])
					continue;
				dn[k] = true;
				if (nm_test_below(&rng, 2)) {
					/* Filled short: trimmed first. */
					uint32_t end = nm_idx_add(st[k], ln[k], n);
					uint32_t fill = 1 + nm_test_below(&rng, ln[k]);

					end = vale_lease_trim(&ls, id[k], st[k],
							      nm_idx_add(st[k], fill, n),
							      end);
					if (k + 1 == live)
						ln[k] = fill; /* newest: rolled back */
					assert_int_equal(end, nm_idx_add(st[k], ln[k], n));
					assert_int_equal(ls.hwlease, nm_idx_add(st[live - 1], ln[live - 1], n));
				}
				vale_lease_done(&ls, id[k], st[k],
						nm_idx_add(st[k], ln[k], n));
				/* Completed prefix leaves the table. */
				for (p = 0; p < live && dn[p]; p++) {
					filled += ln[p];
					drop++;
				}
				memmove(st, st + drop, (live - drop) * sizeof(st[0]));
				memmove(id, id + drop, (live - drop) * sizeof(id[0]));
				memmove(ln, ln + drop, (live - drop) * sizeof(ln[0]));
				memmove(dn, dn + drop, (live - drop) * sizeof(dn[0]));
				live -= drop;
			} else if (op == 2) {
				uint32_t avail = nm_idx_dist(ls.hwcur, ls.hwtail, n);
				uint32_t k = avail ? nm_test_below(&rng, avail + 1) : 0;

				vale_lease_release(&ls, nm_idx_add(ls.hwcur, k, n));
			}
			assert_true(vale_lease_valid(&ls));
			/* hwtail is exactly where the completed prefix ends. */
			assert_int_equal(ls.hwtail,
					 live > 0 ? st[0] : ls.hwlease);
		}
		(void)filled;
		free(ends);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest lease[] = {
		cmocka_unit_test(test_vale_lease_space_and_full),
		cmocka_unit_test(test_vale_lease_out_of_order_every_order),
		cmocka_unit_test(test_vale_lease_trim_newest_and_older),
	};
	const struct CMUnitTest property[] = {
		cmocka_unit_test(test_vale_lease_property_random),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("lease", lease),
		NM_TEST_GROUP("property", property),
	};

	return nm_test_main("vale_lease", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
