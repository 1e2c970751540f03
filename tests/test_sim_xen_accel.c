/*
 * test_sim_xen_accel.c - netfront's side of the Xen accelerator plugin
 * (sim/dev/sim_dev_xen_accel.c), driven by hand on a built world before it
 * runs: frames written into the application's ring, one sync, then what
 * each path was given.
 *
 * Groups: classify (the source-port rule picks the path per frame, what
 * has no port goes slow, all and none), untrusted (slots the application
 * got wrong are dropped and counted, never copied, and released in order).
 * Switch-overs need the paths' threads to run: sim.xen_accel covers them.
 */
#include "nm_test.h"

#include <errno.h>

#include "nm_ring_user.h"
#include "sim_dev_xen_accel.h"
#include "sim_ep.h"
#include "sim_world.h"

static const char *const yaml_fmt =
	"name: t\n"
	"trace: {packets: 100, size: 60, flows: 4}\n"
	"switches: [{name: s, type: vale}]\n"
	"endpoints:\n"
	"  - {name: tx, switch: s, role: sender, device: xen, accel: %s, slots: 256, batch: 32}\n"
	"  - {name: rx, switch: s, role: receiver, device: xen, fast_path: true, slots: 64, batch: 32}\n";

static struct sim_world *build(const char *accel)
{
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char yaml[1024], err[512];

	assert_non_null(w);
	snprintf(yaml, sizeof(yaml), yaml_fmt, accel);
	assert_int_equal(sim_scenario_load(&sc, "t.yaml", yaml, err, sizeof(err)), 0);
	assert_int_equal(sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)), 0);
	return w;
}

static void destroy(struct sim_world *w)
{
	sim_world_destroy(w);
	free(w);
}

/* Write frame f[0..len) into the application's next slot, as one slot. */
static void put(struct sim_ep *ep, const uint8_t *f, uint16_t len)
{
	struct netmap_slot *s = &ep->ring->slot[ep->head];

	memcpy(nm_ring_user_buf(ep->ring, s->buf_idx), f, len);
	s->len = len;
	s->flags = 0;
	ep->head = nm_idx_next(ep->head, ep->n);
}

/* A 60-byte IPv4 frame of protocol proto with L4 source port sport. */
static void ipv4(uint8_t *f, uint8_t proto, uint16_t sport)
{
	memset(f, 0, 60);
	f[12] = 0x08;
	f[14] = 0x45;
	f[23] = proto;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
}

/* Even ports fast; odd ports, IPv4 without TCP/UDP, ARP and a header
 * longer than the first slot's bytes slow; IPv6 TCP by its port. */
static void test_sim_xen_accel_even_ports_take_the_fast_path(void **state)
{
	struct sim_world *w = build("even");
	struct sim_ep *ep = w->ep[0];
	struct sim_xen_accel_report r;
	uint8_t f[80];

	(void)state;
	ipv4(f, 17, 1024);
	put(ep, f, 60);		/* UDP, even: fast */
	ipv4(f, 17, 1025);
	put(ep, f, 60);		/* UDP, odd: slow */
	ipv4(f, 6, 80);
	put(ep, f, 60);		/* TCP, even: fast */
	ipv4(f, 1, 0);
	put(ep, f, 60);		/* ICMP: no port, slow */
	ipv4(f, 17, 1024);
	f[14] = 0x4f;		/* 60 bytes of IP header: the port at 74 */
	put(ep, f, 60);		/* past the frame: slow */
	memset(f, 0, 60);
	f[12] = 0x08;
	f[13] = 0x06;
	put(ep, f, 60);		/* ARP: slow */
	memset(f, 0, 60);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[20] = 6;
	f[55] = 22;
	put(ep, f, 60);		/* IPv6 TCP, port 22: fast */
	ep->ops->sync(ep);
	assert_true(sim_xen_accel_report(ep, &r));
	assert_int_equal(r.pkts[SIM_XEN_PATH_FAST], 3);
	assert_int_equal(r.pkts[SIM_XEN_PATH_SLOW], 4);
	assert_int_equal(r.bytes[SIM_XEN_PATH_FAST], 180);
	/* Every slot handed over: the application's ring is free again. */
	assert_int_equal(ep->tail, nm_idx_prev(ep->head, ep->n));
	assert_int_equal(ep->st.dev_drops, 0);
	destroy(w);
}

static void test_sim_xen_accel_all_and_none(void **state)
{
	static const char *const rule[2] = { "all", "none" };
	struct sim_xen_accel_report r;
	struct sim_world *w;
	uint8_t f[60];
	uint32_t i, k;

	(void)state;
	for (i = 0; i < 2; i++) {
		w = build(rule[i]);
		for (k = 0; k < 4; k++) {
			ipv4(f, 17, (uint16_t)(1024 + k));
			put(w->ep[0], f, 60);
		}
		memset(f, 0, 60); /* not IP */
		put(w->ep[0], f, 60);
		w->ep[0]->ops->sync(w->ep[0]);
		assert_true(sim_xen_accel_report(w->ep[0], &r));
		assert_int_equal(r.pkts[SIM_XEN_PATH_FAST], i == 0 ? 5 : 0);
		assert_int_equal(r.pkts[SIM_XEN_PATH_SLOW], i == 0 ? 0 : 5);
		destroy(w);
	}
}

/*
 * A slot longer than the buffers, a buffer index outside the application's
 * region and a chain longer than NETMAP_MAX_FRAGS: each frame dropped
 * whole and counted (drops_too_big), the good frames around them sent,
 * every slot released.  Copying the second would read outside the region.
 */
static void test_sim_xen_accel_bad_slots_dropped_not_copied(void **state)
{
	struct sim_world *w = build("all");
	struct sim_ep *ep = w->ep[0];
	struct sim_xen_accel_report r;
	struct netmap_slot *s;
	uint8_t f[60];
	uint32_t k;

	(void)state;
	ipv4(f, 17, 1024);
	put(ep, f, 60);
	s = &ep->ring->slot[ep->head];
	put(ep, f, 60);
	s->len = (uint16_t)(ep->ring->nr_buf_size + 1);
	s = &ep->ring->slot[ep->head];
	put(ep, f, 60);
	s->buf_idx = 0x7fffffffU;
	for (k = 0; k < NETMAP_MAX_FRAGS + 1; k++) { /* one slot too many */
		s = &ep->ring->slot[ep->head];
		put(ep, f, 60);
		s->flags = NS_MOREFRAG;
	}
	s->flags = 0;
	put(ep, f, 60);
	ep->ops->sync(ep);
	assert_true(sim_xen_accel_report(ep, &r));
	/* The chain's first 64 slots are one dropped frame, its 65th a frame
	 * of its own (the chain ended there). */
	assert_int_equal(r.pkts[SIM_XEN_PATH_FAST], 3);
	assert_int_equal(ep->st.dev_drops, 3);
	assert_int_equal(ep->st.drops_too_big, 3);
	assert_int_equal(ep->tail, nm_idx_prev(ep->head, ep->n));
	destroy(w);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest classify[] = {
		cmocka_unit_test(test_sim_xen_accel_even_ports_take_the_fast_path),
		cmocka_unit_test(test_sim_xen_accel_all_and_none),
	};
	static const struct CMUnitTest untrusted[] = {
		cmocka_unit_test(test_sim_xen_accel_bad_slots_dropped_not_copied),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("classify", classify),
		NM_TEST_GROUP("untrusted", untrusted),
	};
	return nm_test_main("sim_xen_accel", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
