/*
 * test_sim_emu.c - helpers of the emulated NIC family's backends
 * (sim/dev/sim_dev_emu_impl.h) that guard the host from a hostile guest
 * driver: a guest buffer index is turned into an address only inside the
 * guest's own buffers, so neither the tap backend's copy nor the switch's
 * NS_INDIRECT user copy can be pointed at another guest's buffers (all of
 * them user memory of the one simulated host).
 * Groups: guest_buf.
 */
#include "sim_test.h"

#include "nm_region.h"
#include "sim_dev_emu_impl.h"

static void test_sim_emu_guest_buf_only_inside_the_guest(void **state)
{
	struct nm_region a, b;
	struct nm_region_geom g;
	struct netmap_ring *ra;
	uint32_t n, i;
	uint8_t out[64];
	uintptr_t p;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.num_ifs = 1;
	g.ifs[0].tx_rings = g.ifs[0].rx_rings = 1;
	g.ifs[0].tx_slots = g.ifs[0].rx_slots = 8;
	g.buf_size = 64;
	assert_int_equal(nm_region_create(&a, &g, "a"), 0);
	assert_int_equal(nm_region_create(&b, &g, "b"), 0);
	ra = nm_region_ring(&a, 0, NR_TX, 0);
	n = a.pool.num_bufs;
	for (i = 0; i < n; i++) {
		p = sim_emu_guest_buf(ra, n, i);
		assert_true(p == (uintptr_t)nm_ring_user_buf(ra, i));
		assert_true(p >= (uintptr_t)a.pool.base &&
			    p + a.pool.buf_size <= (uintptr_t)a.pool.base +
							(uintptr_t)n * a.pool.buf_size);
	}
	/* Past the guest's buffers: no address, whatever lies there. */
	assert_true(sim_emu_guest_buf(ra, n, n) == 0);
	assert_true(sim_emu_guest_buf(ra, n, n + 1000) == 0);
	assert_true(sim_emu_guest_buf(ra, n, UINT32_MAX) == 0);
	/* And the switch's user copy of address 0 faults even with both
	 * guests' buffers registered as user memory (vale_fwd_indirect()'s
	 * counted switch_indirect_fault). */
	nm_sim_user_reset();
	assert_int_equal(nm_sim_user_add(a.pool.base, (size_t)n * a.pool.buf_size), 0);
	assert_int_equal(nm_sim_user_add(b.pool.base, (size_t)b.pool.num_bufs * b.pool.buf_size), 0);
	assert_int_equal(nm_os_copy_from_user_nofault(out, sim_emu_guest_buf(ra, n, n), 60),
			 -EFAULT);
	assert_int_equal(nm_os_copy_from_user_nofault(out, sim_emu_guest_buf(ra, n, 2), 60), 0);
	/* A range removed is no longer user memory (the VMM's fini). */
	assert_int_equal(nm_sim_user_remove(a.pool.base), 0);
	assert_int_equal(nm_os_copy_from_user_nofault(out, sim_emu_guest_buf(ra, n, 2), 60),
			 -EFAULT);
	assert_int_equal(nm_sim_user_remove(a.pool.base), -ENOENT);
	nm_sim_user_reset();
	nm_region_destroy(&b);
	nm_region_destroy(&a);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest guest_buf[] = {
		cmocka_unit_test(test_sim_emu_guest_buf_only_inside_the_guest),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("guest_buf", guest_buf),
	};

	return nm_test_main("sim_emu", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
