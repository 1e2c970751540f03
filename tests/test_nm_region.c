/*
 * test_nm_region.c - the shared region: layout, bounds, geometry limits.
 *
 * Groups: layout (every netmap_if, ring, slot and buffer inside the region,
 * nothing overlapping, the application's view through ring_ofs and buf_ofs
 * equal to the kernel's), geometry (limits and overflow), two_ifs (pipe
 * ends sharing one pool).
 */
#include "nm_test.h"

#include "nm_region.h"
#include "nm_ring_user.h"

static struct nm_region_geom geom1(uint32_t rings, uint32_t slots)
{
	struct nm_region_geom g;

	memset(&g, 0, sizeof(g));
	g.num_ifs = 1;
	g.ifs[0].tx_rings = rings;
	g.ifs[0].rx_rings = rings + 1;
	g.ifs[0].tx_slots = slots;
	g.ifs[0].rx_slots = slots + 3;
	g.buf_size = 2048;
	g.extra_bufs = 5;
	return g;
}

/* Every ring of every interface: inside, disjoint, seen alike by both sides. */
static void check_layout(const struct nm_region *r)
{
	uint8_t *prev_end = NULL;
	uint32_t i, dir, k, s;

	for (i = 0; i < r->geom.num_ifs; i++) {
		struct netmap_if *nifp = nm_region_if(r, i);
		const struct nm_region_if_geom *f = &r->geom.ifs[i];

		assert_true(nm_region_contains(r, nifp, sizeof(*nifp)));
		assert_int_equal(nifp->ni_version, NETMAP_API);
		assert_int_equal(nifp->ni_tx_rings, f->tx_rings);
		assert_int_equal(nifp->ni_rx_rings, f->rx_rings);
		for (dir = NR_TX; dir <= NR_RX; dir++) {
			uint32_t count = dir == NR_TX ? f->tx_rings : f->rx_rings;

			assert_null(nm_region_ring(r, i, dir, count));
			for (k = 0; k < count; k++) {
				struct netmap_ring *ring = nm_region_ring(r, i, dir, k);
				size_t bytes = sizeof(*ring) +
					       ring->num_slots * sizeof(struct netmap_slot);

				assert_ptr_equal(ring, nm_if_user_ring(nifp, dir, k));
				assert_true(nm_region_contains(r, ring, bytes));
				assert_true((uintptr_t)ring % 128 == 0);
				assert_true((uint8_t *)ring >= prev_end);
				prev_end = (uint8_t *)ring + bytes;
				assert_int_equal(ring->dir, dir);
				assert_int_equal(ring->ringid, k);
				assert_int_equal(ring->num_slots,
						 dir == NR_TX ? f->tx_slots : f->rx_slots);
				for (s = 0; s < ring->num_slots; s++) {
					uint32_t idx = ring->slot[s].buf_idx;
					void *user = nm_ring_user_buf(ring, idx);

					assert_true(nm_buf_idx_valid(&r->pool, idx));
					assert_ptr_equal(user, nm_buf_addr(&r->pool, idx));
					assert_true(nm_region_contains(r, user, r->geom.buf_size));
					assert_true((uint8_t *)user >= prev_end);
				}
			}
		}
	}
}

static void test_nm_region_layout_one_if(void **state)
{
	static const uint32_t slots[] = { 2, 3, 1000, 1024, 4096 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		struct nm_region r;
		struct nm_region_geom g = geom1(i + 1, slots[i] == 4096 ? 4093 : slots[i]);

		assert_int_equal(nm_region_create(&r, &g, "vale0:a"), 0);
		assert_true(r.size % 4096 == 0);
		assert_true(r.buf_ofs % 4096 == 0);
		assert_string_equal(nm_region_if(&r, 0)->ni_name, "vale0:a");
		check_layout(&r);
		assert_int_equal(nm_buf_free_count(&r.pool), 5);
		nm_region_destroy(&r);
		nm_region_destroy(&r);
	}
}

static void test_nm_region_buffers_are_distinct(void **state)
{
	struct nm_region r;
	struct nm_region_geom g = geom1(2, 64);
	uint8_t *seen;
	uint32_t dir, k, s;

	(void)state;
	assert_int_equal(nm_region_create(&r, &g, "x"), 0);
	seen = calloc(r.pool.num_bufs, 1);
	assert_non_null(seen);
	for (dir = NR_TX; dir <= NR_RX; dir++)
		for (k = 0; k < (dir == NR_TX ? 2u : 3u); k++) {
			struct netmap_ring *ring = nm_region_ring(&r, 0, dir, k);

			for (s = 0; s < ring->num_slots; s++) {
				assert_int_equal(seen[ring->slot[s].buf_idx], 0);
				seen[ring->slot[s].buf_idx] = 1;
			}
		}
	free(seen);
	nm_region_destroy(&r);
}

static void test_nm_region_rejects_bad_geometry(void **state)
{
	struct nm_region r;
	struct nm_region_geom g;

	(void)state;
	g = geom1(1, 64); g.num_ifs = 0;
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(1, 64); g.num_ifs = NM_REGION_MAX_IFS + 1;
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(0, 64);
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(NM_REGION_MAX_RINGS + 1, 64);
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(1, 1);
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(1, 4097);
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(1, 64); g.buf_size = 100;
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	g = geom1(1, 64); g.extra_bufs = UINT32_MAX;
	assert_int_equal(nm_region_create(&r, &g, "x"), -EINVAL);
	/* 63 + 64 rings of ~4096 slots of 64 KiB: far beyond the cap. */
	g = geom1(NM_REGION_MAX_RINGS - 1, 4093); g.buf_size = 65536;
	assert_int_equal(nm_region_create(&r, &g, "x"), -E2BIG);
	assert_null(r.base);
}

static void test_nm_region_two_ifs_share_the_pool(void **state)
{
	struct nm_region r;
	struct nm_region_geom g = geom1(1, 128);

	(void)state;
	g.num_ifs = 2;
	g.ifs[1] = g.ifs[0];
	assert_int_equal(nm_region_create(&r, &g, "pipe{1"), 0);
	check_layout(&r);
	assert_ptr_not_equal(nm_region_if(&r, 0), nm_region_if(&r, 1));
	assert_null(nm_region_if(&r, 2));
	assert_int_equal(r.pool.num_bufs, 2 + 5 + 2 * (1 * 128 + 2 * 131));
	nm_region_destroy(&r);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest layout[] = {
		cmocka_unit_test(test_nm_region_layout_one_if),
		cmocka_unit_test(test_nm_region_buffers_are_distinct),
	};
	static const struct CMUnitTest geometry[] = {
		cmocka_unit_test(test_nm_region_rejects_bad_geometry),
	};
	static const struct CMUnitTest two_ifs[] = {
		cmocka_unit_test(test_nm_region_two_ifs_share_the_pool),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("layout", layout),
		NM_TEST_GROUP("geometry", geometry),
		NM_TEST_GROUP("two_ifs", two_ifs),
	};

	return nm_test_main("nm_region", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
