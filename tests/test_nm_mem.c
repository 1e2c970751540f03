/*
 * test_nm_mem.c - the buffer pool and slot validation.
 *
 * Groups: pool (geometry, reserved indices, exhaustion, double free),
 * slot (the one read of a user slot, at every boundary), ring (fill and
 * drain, including unwinding a fill that runs out of buffers).
 */
#include "nm_test.h"

#include "nm_mem.h"
#include "nm_shim.h"

static void test_nm_mem_pool_rejects_bad_geometry(void **state)
{
	struct nm_buf_pool pool;

	(void)state;
	assert_int_equal(nm_buf_pool_init(&pool, 0, 2048), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, 2, 2048), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, 16, 0), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, 16, 32), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, 16, 2000), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, 16, 65536 + 64), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, NM_BUF_MAX_COUNT + 1, 64), -EINVAL);
	assert_int_equal(nm_buf_pool_init(&pool, 3, 64), 0);
	nm_buf_pool_fini(&pool);
	nm_buf_pool_fini(&pool); /* idempotent */
}

static void test_nm_mem_pool_never_hands_out_reserved(void **state)
{
	struct nm_buf_pool pool;
	uint32_t idx, i, seen = 0;

	(void)state;
	assert_int_equal(nm_buf_pool_init(&pool, 64, 2048), 0);
	assert_int_equal(nm_buf_free_count(&pool), 62);
	for (i = 0; i < 62; i++) {
		assert_int_equal(nm_buf_alloc(&pool, &idx), 0);
		assert_true(idx >= 2 && idx < 64);
		assert_true(i > 0 || idx == 2); /* low indices first */
		seen++;
	}
	assert_int_equal(nm_buf_alloc(&pool, &idx), -ENOMEM);
	assert_int_equal(nm_buf_free_count(&pool), 0);
	assert_int_equal(seen, 62);
	nm_buf_pool_fini(&pool);
}

static void test_nm_mem_pool_free_checks_index(void **state)
{
	struct nm_buf_pool pool;
	uint32_t a;

	(void)state;
	assert_int_equal(nm_buf_pool_init(&pool, 8, 64), 0);
	assert_int_equal(nm_buf_free(&pool, 0), -EINVAL);
	assert_int_equal(nm_buf_free(&pool, 1), -EINVAL);
	assert_int_equal(nm_buf_free(&pool, 8), -EINVAL);
	assert_int_equal(nm_buf_free(&pool, UINT32_MAX), -EINVAL);
	assert_int_equal(nm_buf_free(&pool, 5), -EINVAL); /* never handed out */
	assert_int_equal(nm_buf_alloc(&pool, &a), 0);
	assert_int_equal(nm_buf_free(&pool, a), 0);
	assert_int_equal(nm_buf_free(&pool, a), -EINVAL); /* double free */
	assert_int_equal(nm_buf_free_count(&pool), 6);
	nm_buf_pool_fini(&pool);
}

/* A run (a zero-copy monitor's ring memory): consecutive free indices,
 * the highest first, gone from the free stack, given back whole. */
static void test_nm_mem_pool_alloc_run(void **state)
{
	struct nm_buf_pool pool;
	uint32_t first, a, b, k;

	(void)state;
	assert_int_equal(nm_buf_pool_init(&pool, 12, 64), 0); /* 2..11 free */
	assert_int_equal(nm_buf_alloc_run(&pool, 0, &first), -EINVAL);
	assert_int_equal(nm_buf_alloc_run(&pool, 11, &first), -ENOMEM);
	assert_int_equal(nm_buf_alloc_run(&pool, 13, &first), -ENOMEM);
	/* Two single buffers (2 and 3), then 10 and 11 in use by hand:
	 * the highest free run of three is 7..9. */
	assert_int_equal(nm_buf_alloc(&pool, &a), 0);
	assert_int_equal(nm_buf_alloc(&pool, &b), 0);
	assert_int_equal(nm_buf_alloc_run(&pool, 2, &first), 0);
	assert_int_equal(first, 10);
	assert_int_equal(nm_buf_alloc_run(&pool, 3, &first), 0);
	assert_int_equal(first, 7);
	assert_int_equal(nm_buf_free_count(&pool), 3); /* 4, 5, 6 */
	assert_int_equal(nm_buf_alloc_run(&pool, 4, &first), -ENOMEM);
	/* The stack kept only what is free: singles never hit the run. */
	for (k = 0; k < 3; k++) {
		assert_int_equal(nm_buf_alloc(&pool, &a), 0);
		assert_true(a >= 4 && a <= 6);
	}
	assert_int_equal(nm_buf_alloc(&pool, &a), -ENOMEM);
	nm_buf_free_run(&pool, 7, 3);
	assert_int_equal(nm_buf_free_count(&pool), 3);
	assert_int_equal(nm_buf_free(&pool, 8), -EINVAL); /* freed already */
	nm_buf_pool_fini(&pool);
}

static void test_nm_mem_buffers_do_not_overlap(void **state)
{
	struct nm_buf_pool pool;
	uint32_t i;

	(void)state;
	assert_int_equal(nm_buf_pool_init(&pool, 16, 128), 0);
	assert_null(nm_buf_addr(&pool, 0));
	assert_null(nm_buf_addr(&pool, 1));
	assert_null(nm_buf_addr(&pool, 16));
	for (i = 2; i < 16; i++)
		memset(nm_buf_addr(&pool, i), (int)i, 128);
	for (i = 2; i < 16; i++) {
		uint8_t *b = nm_buf_addr(&pool, i);

		assert_int_equal(b[0], i);
		assert_int_equal(b[127], i);
		if (i < 15)
			assert_ptr_equal(b + 128, nm_buf_addr(&pool, i + 1));
	}
	nm_buf_pool_fini(&pool);
}

static void test_nm_mem_slot_boundaries(void **state)
{
	static const struct {
		uint32_t idx;
		uint16_t len;
		int expect;
	} cases[] = {
		{ 2, 0, 0 },	       { 2, 2048, 0 },	     { 31, 1, 0 },
		{ 2, 2049, -EMSGSIZE }, { 2, 65535, -EMSGSIZE },
		{ 0, 0, -EINVAL },     { 1, 60, -EINVAL },   { 32, 60, -EINVAL },
		{ UINT32_MAX, 60, -EINVAL }, { 0x80000002u, 60, -EINVAL },
	};
	struct nm_buf_pool pool;
	struct netmap_slot slot;
	struct nm_slot_snap snap;
	size_t i;

	(void)state;
	assert_int_equal(nm_buf_pool_init(&pool, 32, 2048), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		slot.buf_idx = cases[i].idx;
		slot.len = cases[i].len;
		slot.flags = NS_MOREFRAG;
		slot.ptr = 0x1234;
		assert_int_equal(nm_slot_load(&pool, &slot, &snap),
				 cases[i].expect);
		/* The snapshot is what was read, valid or not. */
		assert_int_equal(snap.buf_idx, cases[i].idx);
		assert_int_equal(snap.len, cases[i].len);
		assert_int_equal(snap.flags, NS_MOREFRAG);
		assert_int_equal(snap.ptr, 0x1234);
	}
	nm_buf_pool_fini(&pool);
}

static void test_nm_mem_ring_fill_and_drain(void **state)
{
	struct nm_buf_pool pool;
	struct netmap_ring *ring;
	uint32_t i;

	(void)state;
	ring = calloc(1, sizeof(*ring) + 10 * sizeof(struct netmap_slot));
	assert_non_null(ring);
	assert_int_equal(nm_buf_pool_init(&pool, 12, 64), 0);
	assert_int_equal(nm_buf_ring_fill(&pool, ring, 10), 0);
	assert_int_equal(ring->nr_buf_size, 64);
	for (i = 0; i < 10; i++)
		assert_true(nm_buf_idx_valid(&pool, ring->slot[i].buf_idx));
	assert_int_equal(nm_buf_free_count(&pool), 0);
	/* A user scribbles invalid and duplicate indices: drain frees what
	 * is valid once and refuses the rest. */
	ring->slot[0].buf_idx = 0;
	ring->slot[1].buf_idx = ring->slot[2].buf_idx;
	nm_buf_ring_drain(&pool, ring, 10);
	assert_int_equal(nm_buf_free_count(&pool), 8);
	nm_buf_pool_fini(&pool);
	free(ring);
}

static void test_nm_mem_ring_fill_unwinds(void **state)
{
	struct nm_buf_pool pool;
	struct netmap_ring *ring;

	(void)state;
	ring = calloc(1, sizeof(*ring) + 10 * sizeof(struct netmap_slot));
	assert_non_null(ring);
	assert_int_equal(nm_buf_pool_init(&pool, 8, 64), 0);
	assert_int_equal(nm_buf_ring_fill(&pool, ring, 10), -ENOMEM);
	assert_int_equal(nm_buf_free_count(&pool), 6);
	nm_buf_pool_fini(&pool);
	free(ring);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest pool[] = {
		cmocka_unit_test(test_nm_mem_pool_rejects_bad_geometry),
		cmocka_unit_test(test_nm_mem_pool_never_hands_out_reserved),
		cmocka_unit_test(test_nm_mem_pool_free_checks_index),
		cmocka_unit_test(test_nm_mem_buffers_do_not_overlap),
		cmocka_unit_test(test_nm_mem_pool_alloc_run),
	};
	static const struct CMUnitTest slot[] = {
		cmocka_unit_test(test_nm_mem_slot_boundaries),
	};
	static const struct CMUnitTest ring[] = {
		cmocka_unit_test(test_nm_mem_ring_fill_and_drain),
		cmocka_unit_test(test_nm_mem_ring_fill_unwinds),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("pool", pool),
		NM_TEST_GROUP("slot", slot),
		NM_TEST_GROUP("ring", ring),
	};

	return nm_test_main("nm_mem", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
