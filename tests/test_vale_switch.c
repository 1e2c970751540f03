/*
 * test_vale_switch.c - the VALE registry: names, geometry, ports and
 * switches (limits, reference counts, listing), the front-end view.
 *
 * Groups: names, ports, limits, view.
 */
#include "vale_test.h"
#include "nm_shim.h"

static void test_vale_switch_names(void **state)
{
	static const char *good[] = { "vale0:0", "vale:1", "valeA_b9:port-1.x",
				      "vale123456789ab:p", "vale0:eth0^" };
	static const char *bad[] = {
		"", "vale", "vale0", "vale0:", "val0:1", "vale-0:1", "vale0:a{1",
		"vale0:a}1", "vale0:a b", "vale0::", "vale1234567890ab:p",
		"VALE0:1", "vale0:^", "vale0:a^^", "vale0:a^b", "vale0^:a",
		"vale0:0123456789012345678901234567890123456789012345678901234567890",
	};
	uint32_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(good); i++)
		assert_true(vale_name_is_valid(good[i]));
	for (i = 0; i < NM_ARRAY_SIZE(bad); i++) {
		if (vale_name_is_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	}
	/* The full prefix routes to VALE, not "val" (reference quirk D10). */
	assert_false(vale_name_is_vale("valx0:1"));
	assert_true(vale_name_is_vale("vale0:1"));
	assert_true(nm_pipe_name_is_valid("vale0:1{3"));
	assert_true(nm_pipe_name_is_valid("x}a_b"));
	assert_false(nm_pipe_name_is_valid("{3"));
	assert_false(nm_pipe_name_is_valid("x{"));
	assert_false(nm_pipe_name_is_valid("x{a-b"));
	assert_false(nm_pipe_name_is_valid("x y{1"));
}

static void test_vale_switch_geometry_normalized(void **state)
{
	struct nm_port_geom g = { 0, 17, 1, 5000, 0 };

	(void)state;
	nm_port_geom_normalize(&g);
	assert_int_equal(g.tx_rings, 1);
	assert_int_equal(g.rx_rings, 16);
	assert_int_equal(g.tx_slots, 2);
	assert_int_equal(g.rx_slots, 4096);
	g.tx_slots = 0;
	nm_port_geom_normalize(&g);
	assert_int_equal(g.tx_slots, 1024);
}

static void test_vale_switch_open_close_refcount(void **state)
{
	struct nm_registry reg;
	struct nm_port_geom g = { 2, 3, 64, 128, 0 }, g2 = { 1, 1, 8, 8, 0 };
	struct vale_port *a, *a2, *b;
	uint32_t s, pi;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	assert_int_equal(vale_port_open(&reg, "vale0:a", &g, &a), 0);
	/* A second open gets the same port and reports its geometry. */
	assert_int_equal(vale_port_open(&reg, "vale0:a", &g2, &a2), 0);
	assert_ptr_equal(a, a2);
	assert_int_equal(g2.tx_rings, 2);
	assert_int_equal(g2.rx_rings, 3);
	assert_int_equal(g2.tx_slots, 64);
	assert_int_equal(g2.rx_slots, 128);
	assert_int_equal(vale_port_open(&reg, "vale0:b", &g, &b), 0);
	assert_int_equal(b->index, 1);
	assert_ptr_equal(a->sw, b->sw);
	assert_int_equal(vale_port_find(&reg, "vale0:b", &s, &pi), 0);
	assert_int_equal(pi, 1);
	vale_port_close(a2);
	assert_int_equal(vale_port_find(&reg, "vale0:a", &s, &pi), 0);
	vale_port_close(a);
	assert_int_equal(vale_port_find(&reg, "vale0:a", &s, &pi), -ENXIO);
	/* The freed number is reused. */
	assert_int_equal(vale_port_open(&reg, "vale0:c", &g, &a), 0);
	assert_int_equal(a->index, 0);
	vale_port_close(a);
	vale_port_close(b);
	/* The switch went away with its last port. */
	assert_null(reg.sw[0]);
	assert_int_equal(vale_port_open(&reg, "vale0", &g, &a), -EINVAL);
	nm_registry_fini(&reg);
}

static void test_vale_switch_limits(void **state)
{
	struct nm_registry reg;
	struct vale_port *p[VALE_MAX_PORTS + 1];
	struct vale_port *sp[VALE_MAX_SWITCHES + 1];
	char name[32];
	uint32_t i;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	for (i = 0; i < VALE_MAX_PORTS; i++) {
		struct nm_port_geom g = { 1, 1, 2, 2, 0 };

		snprintf(name, sizeof(name), "vale0:p%u", i);
		assert_int_equal(vale_port_open(&reg, name, &g, &p[i]), 0);
		assert_int_equal(p[i]->index, i);
	}
	{
		struct nm_port_geom g = { 1, 1, 2, 2, 0 };

		assert_int_equal(vale_port_open(&reg, "vale0:extra", &g, &p[i]),
				 -ENOMEM);
	}
	for (i = 0; i < VALE_MAX_PORTS; i++)
		vale_port_close(p[i]);
	for (i = 0; i <= VALE_MAX_SWITCHES; i++) {
		struct nm_port_geom g = { 1, 1, 2, 2, 0 };

		snprintf(name, sizeof(name), "vale%u:x", i);
		assert_int_equal(vale_port_open(&reg, name, &g, &sp[i]),
				 i < VALE_MAX_SWITCHES ? 0 : -ENOMEM);
	}
	for (i = 0; i < VALE_MAX_SWITCHES; i++)
		vale_port_close(sp[i]);
	nm_registry_fini(&reg);
}

static void test_vale_switch_list(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *c;
	uint32_t s = 0, pi = 0, seen = 0;
	char name[64];

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 8);
	b = vt_open(&reg, "vale1:b", 1, 8);
	c = vt_open(&reg, "vale0:c", 1, 8);
	while (vale_port_list_next(&reg, &s, &pi, name, sizeof(name)) == 0) {
		seen++;
		pi++;
	}
	assert_int_equal(seen, 3);
	nm_port_close(a);
	nm_port_close(b);
	nm_port_close(c);
	nm_registry_fini(&reg);
}

static void test_vale_switch_view(void **state)
{
	struct nm_registry reg;
	struct nm_port *p;
	struct netmap_if *nifp;
	struct nm_port_geom g = { 3, 2, 100, 200, 0 };
	uint32_t i;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	assert_int_equal(nm_port_open(&reg, "vale7:v", &g, &p), 0);
	nifp = (struct netmap_if *)(p->region->base + nm_port_nifp_offset(p));
	assert_int_equal(nifp->ni_tx_rings, 3);
	assert_int_equal(nifp->ni_rx_rings, 2);
	for (i = 0; i < 3; i++) {
		struct netmap_ring *r = nm_if_user_ring(nifp, NR_TX, i);

		assert_ptr_equal(r, vt_ring(p, NR_TX, i));
		assert_int_equal(r->num_slots, 100);
		assert_int_equal(r->tail, 99);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(nm_if_user_ring(nifp, NR_RX, i)->num_slots, 200);
	assert_null(nm_port_kring(p, NR_TX, 3));
	assert_null(nm_port_kring(p, NR_RX, 2));
	assert_int_equal(nm_port_set_notifier(p, NR_RX, 2, NULL), -EINVAL);
	assert_int_equal(nm_port_open(&reg, "eth0", &g, &p) == -ENXIO, 1);
	nm_port_close(p);
	nm_registry_fini(&reg);
}

/* nm_port_open() gives a port (VALE or pipe) the buffer size asked for:
 * 0 is the default, a reopen reports the existing one's, a size the region
 * would refuse fails the open (issue 17: ports always got 2048 bytes). */
static void test_vale_switch_buf_size_honoured(void **state)
{
	struct nm_port_geom g = { 1, 2, 64, 64, 4096 }, g0 = { 0 };
	static const uint32_t bad[] = { 32, 100, 65600 };
	struct nm_port *a, *a2, *b, *c, *pe, *pe2;
	struct nm_registry reg;
	uint32_t i;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	assert_int_equal(nm_port_open(&reg, "vale0:a", &g, &a), 0);
	assert_int_equal(g.buf_size, 4096);
	assert_int_equal(vt_ring(a, NR_TX, 0)->nr_buf_size, 4096);
	for (i = 0; i < 2; i++)
		assert_int_equal(vt_ring(a, NR_RX, i)->nr_buf_size, 4096);
	assert_int_equal(nm_port_open(&reg, "vale0:b", &g0, &b), 0);
	assert_int_equal(g0.buf_size, VALE_BUF_SIZE);
	assert_int_equal(vt_ring(b, NR_RX, 0)->nr_buf_size, VALE_BUF_SIZE);
	g0 = (struct nm_port_geom){ 0, 0, 0, 0, 512 };
	assert_int_equal(nm_port_open(&reg, "vale0:a", &g0, &a2), 0);
	assert_int_equal(g0.buf_size, 4096);
	/* A pipe: one pool, so both ends have the first opener's size. */
	g0 = (struct nm_port_geom){ 0, 0, 8, 8, 8192 };
	assert_int_equal(nm_port_open(&reg, "p{0", &g0, &pe), 0);
	assert_int_equal(vt_ring(pe, NR_TX, 0)->nr_buf_size, 8192);
	g0 = (struct nm_port_geom){ 0 };
	assert_int_equal(nm_port_open(&reg, "p}0", &g0, &pe2), 0);
	assert_int_equal(g0.buf_size, 8192);
	assert_int_equal(vt_ring(pe2, NR_RX, 0)->nr_buf_size, 8192);
	for (i = 0; i < NM_ARRAY_SIZE(bad); i++) {
		g0 = (struct nm_port_geom){ 0, 0, 0, 0, bad[i] };
		assert_int_equal(nm_port_open(&reg, "vale0:c", &g0, &c), -EINVAL);
		g0 = (struct nm_port_geom){ 0, 0, 0, 0, bad[i] };
		assert_int_equal(nm_port_open(&reg, "q{0", &g0, &c), -EINVAL);
	}
	nm_port_close(pe2);
	nm_port_close(pe);
	nm_port_close(a2);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* Ports of different buffer sizes on one switch: a frame that fits the
 * sender's buffers but not the receiver's is dropped whole and counted
 * (VALE_DROP_BAD_DST), one that fits both is delivered; nothing is
 * written past the receiver's buffer (under ASan). */
static void test_vale_switch_frame_over_receiver_buffer_dropped(void **state)
{
	struct nm_port_geom gb = { 1, 1, 64, 64, 4096 }, gs = { 1, 1, 64, 64, 2048 };
	static uint8_t frame[3000];
	struct nm_registry reg;
	struct nm_port *big, *small;
	struct netmap_ring *tx;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	assert_int_equal(nm_port_open(&reg, "vale1:big", &gb, &big), 0);
	assert_int_equal(nm_port_open(&reg, "vale1:small", &gs, &small), 0);
	tx = vt_ring(big, NR_TX, 0);
	vt_frame(frame, vt_bcast(), 1, 0, 0);
	vt_put(tx, frame, sizeof(frame), 0);
	vt_put(tx, frame, 2048, 0);
	assert_int_equal(vt_sync(big, NR_TX, 0), 0);
	assert_int_equal(vt_drops(big, VALE_DROP_BAD_DST), 1);
	assert_int_equal(vale_port_drops_total(vt_vale(big)), 1);
	assert_int_equal(vt_rx_pkts(small), 1);
	/* The dropped frame's leased slot is padded empty (vale_fwd_put1()). */
	assert_int_equal(vt_rx_ready(small, 0), 2);
	assert_int_equal(vt_ring(small, NR_RX, 0)->slot[0].len, 0);
	assert_int_equal(vt_ring(small, NR_RX, 0)->slot[1].len, 2048);
	nm_port_close(small);
	nm_port_close(big);
	nm_registry_fini(&reg);
}

static int setup(void **state)
{
	(void)state;
	nm_shim_thread_register();
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest names[] = {
		cmocka_unit_test(test_vale_switch_names),
		cmocka_unit_test(test_vale_switch_geometry_normalized),
	};
	const struct CMUnitTest ports[] = {
		cmocka_unit_test_setup(test_vale_switch_open_close_refcount, setup),
		cmocka_unit_test_setup(test_vale_switch_list, setup),
	};
	const struct CMUnitTest limits[] = {
		cmocka_unit_test_setup(test_vale_switch_limits, setup),
	};
	const struct CMUnitTest view[] = {
		cmocka_unit_test_setup(test_vale_switch_view, setup),
		cmocka_unit_test_setup(test_vale_switch_buf_size_honoured, setup),
		cmocka_unit_test_setup(test_vale_switch_frame_over_receiver_buffer_dropped,
				       setup),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("names", names),
		NM_TEST_GROUP("ports", ports),
		NM_TEST_GROUP("limits", limits),
		NM_TEST_GROUP("view", view),
	};

	return nm_test_main("vale_switch", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
