/*
 * test_alloc_fail.c - every allocation of the shim's control paths fails
 * in turn (nm_shim_fail_alloc_at, tests/nm_alloc_walk.h): opening a VALE
 * port on a new switch (the switch is created) and on an existing one, a
 * pipe's first and second end, and creating a CSB kloop.  Each failure
 * must return -ENOMEM, leave nothing allocated, and leave the registry
 * usable; the ASan variant's leak checker covers what the live count
 * cannot (libc allocations).
 */
#include "nm_alloc_walk.h" /* first: it needs _GNU_SOURCE */

#include "csb_kloop.h"
#include "csb_wire.h"
#include "nm_pipe.h"
#include "nm_port.h"
#include "nm_registry.h"
#include "vale.h"

#include <errno.h>

struct open_ctx {
	struct nm_registry reg;
	const char *name;
	struct nm_port_geom g;
	struct nm_port *p;
};

static int open_op(void *arg)
{
	struct open_ctx *c = arg;
	struct nm_port_geom g = c->g;

	c->p = NULL;
	return nm_port_open(&c->reg, c->name, &g, &c->p);
}

static void open_undo(void *arg)
{
	struct open_ctx *c = arg;

	nm_port_close(c->p);
	c->p = NULL;
}

/* Walk opening name in a registry where pre (NULL: nothing) is open. */
static uint64_t walk_open(const char *what, const char *pre, const char *name,
			  const struct nm_port_geom *g)
{
	struct open_ctx c = { .name = name, .g = *g };
	struct nm_alloc_walk w = { what, open_op, NULL, open_undo, &c };
	struct nm_port_geom pg = *g;
	struct nm_port *held = NULL;
	uint64_t n;

	assert_int_equal(nm_registry_init(&c.reg), 0);
	if (pre != NULL)
		assert_int_equal(nm_port_open(&c.reg, pre, &pg, &held), 0);
	n = nm_alloc_walk(&w);
	/* The registry still works: the same open succeeds again. */
	assert_int_equal(open_op(&c), 0);
	open_undo(&c);
	if (held != NULL)
		nm_port_close(held);
	nm_registry_fini(&c.reg);
	return n;
}

static const struct nm_port_geom geom_default = { 0 };
static const struct nm_port_geom geom_multi = { 3, 2, 64, 128, 4096 };

static void test_alloc_fail_vale_switch_create(void **state)
{
	(void)state;
	assert_true(walk_open("switch create (first port of vale0)", NULL,
			      "vale0:a", &geom_default) > 0);
	assert_true(walk_open("switch create, 3 TX / 2 RX rings", NULL,
			      "vale1:a", &geom_multi) > 0);
}

static void test_alloc_fail_vale_port_open(void **state)
{
	(void)state;
	assert_true(walk_open("VALE port open (existing switch)", "vale0:a",
			      "vale0:b", &geom_default) > 0);
	assert_true(walk_open("VALE port open, 3 TX / 2 RX rings", "vale0:a",
			      "vale0:b", &geom_multi) > 0);
}

static void test_alloc_fail_pipe_open(void **state)
{
	(void)state;
	assert_true(walk_open("pipe open (first end)", NULL, "p{0",
			      &geom_default) > 0);
	/* The second end shares the first's region: it may allocate
	 * nothing, which the walk then shows as 0. */
	walk_open("pipe open (second end)", "p{0", "p}0", &geom_default);
}

struct kloop_ctx {
	struct csb_wire *w;
	struct nm_os_notifier kick[2];
	const struct csb_kloop_cfg *cfg;
	struct csb_kloop *kl;
};

static int kloop_op(void *arg)
{
	struct kloop_ctx *c = arg;
	struct csb_kloop_ring_cfg rc[2];
	int i, err;

	memset(rc, 0, sizeof(rc));
	rc[0].kr = &c->w->tx;
	rc[1].kr = &c->w->rx;
	for (i = 0; i < 2; i++) {
		rc[i].atok = &c->w->atok[i];
		rc[i].ktoa = &c->w->ktoa[i];
		rc[i].ioeventfd = c->cfg->eventfds ? &c->kick[i] : NULL;
	}
	err = csb_kloop_create(&c->kl, c->cfg, rc);
	if (err != 0)
		assert_null(c->kl);
	return err;
}

static void kloop_undo(void *arg)
{
	struct kloop_ctx *c = arg;

	csb_kloop_destroy(c->kl);
	c->kl = NULL;
}

static void test_alloc_fail_kloop_create(void **state)
{
	static const struct csb_kloop_cfg cfgs[] = {
		{ .num_tx_rings = 1, .num_rx_rings = 1, .sleep_us = 20 },
		{ .num_tx_rings = 1, .num_rx_rings = 1, .eventfds = true },
	};
	static const char *const what[] = { "kloop create (busy-wait)",
					    "kloop create (eventfds)" };
	struct kloop_ctx c;
	struct nm_alloc_walk w = { NULL, kloop_op, NULL, kloop_undo, &c };
	unsigned i;
	int k;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(csb_wire_init(&c.w, 8), 0);
	for (k = 0; k < 2; k++)
		assert_int_equal(nm_shim_notifier_init(&c.kick[k]), 0);
	for (i = 0; i < NM_ARRAY_SIZE(cfgs); i++) {
		c.cfg = &cfgs[i];
		w.what = what[i];
		assert_true(nm_alloc_walk(&w) > 0);
	}
	for (k = 0; k < 2; k++)
		nm_shim_notifier_fini(&c.kick[k]);
	csb_wire_fini(c.w);
}

/* Unarmed, nothing fails: the injection is off by default. */
static void test_alloc_fail_off_by_default(void **state)
{
	void *p;

	(void)state;
	nm_shim_fail_alloc_at(0);
	p = nm_os_zalloc(16);
	assert_non_null(p);
	nm_os_free(p);
	assert_null(nm_shim_alloc_fail_site());
}

static int report_sites(void **state)
{
	(void)state;
	nm_walk_report_sites("alloc_fail");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest walk[] = {
		cmocka_unit_test(test_alloc_fail_off_by_default),
		cmocka_unit_test(test_alloc_fail_vale_switch_create),
		cmocka_unit_test(test_alloc_fail_vale_port_open),
		cmocka_unit_test(test_alloc_fail_pipe_open),
		cmocka_unit_test_teardown(test_alloc_fail_kloop_create, report_sites),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("walk", walk),
	};

	return nm_test_main("alloc_fail", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
