/*
 * test_nm_idx.c - circular index arithmetic against plain modulo arithmetic,
 * exhaustively for n <= 64 and at the edges of 4096.
 */
#include "nm_test.h"

#include "nm_idx.h"

static void check_n(uint32_t n)
{
	uint32_t a, b, x;

	for (a = 0; a < n; a++) {
		assert_int_equal(nm_idx_next(a, n), (a + 1) % n);
		assert_int_equal(nm_idx_prev(a, n), (a + n - 1) % n);
		for (b = 0; b <= n; b++)
			assert_int_equal(nm_idx_add(a, b, n), (a + b) % n);
		for (b = 0; b < n; b++) {
			assert_int_equal(nm_idx_dist(a, b, n), (b + n - a) % n);
			for (x = 0; x < n && n <= 24; x++)
				assert_int_equal(nm_idx_in_window(x, a, b, n),
						 nm_ref_on_walk(x, a, b, n));
		}
	}
}

static void test_nm_idx_small_rings_exhaustive(void **state)
{
	uint32_t n;

	(void)state;
	for (n = 2; n <= 64; n++)
		check_n(n);
}

static void test_nm_idx_large_ring_edges(void **state)
{
	uint32_t n = 4096;

	(void)state;
	assert_int_equal(nm_idx_next(4095, n), 0);
	assert_int_equal(nm_idx_prev(0, n), 4095);
	assert_int_equal(nm_idx_add(4095, 4096, n), 4095);
	assert_int_equal(nm_idx_dist(4095, 0, n), 1);
	assert_int_equal(nm_idx_dist(0, 4095, n), 4095);
	assert_true(nm_idx_in_window(0, 4000, 10, n));
	assert_false(nm_idx_in_window(11, 4000, 10, n));
	assert_false(nm_idx_in_window(3999, 4000, 10, n));
	assert_true(nm_idx_in_window(5, 5, 5, n));
	assert_false(nm_idx_valid(4096, n));
	assert_false(nm_idx_valid(UINT32_MAX, n));
	check_n(1000);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest arith[] = {
		cmocka_unit_test(test_nm_idx_small_rings_exhaustive),
		cmocka_unit_test(test_nm_idx_large_ring_edges),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("arith", arith),
	};

	return nm_test_main("nm_idx", argc, argv, groups, 1);
}
