/*
 * test_vale_poll.c - polling an attached interface (core/vale_poll.c): the
 * plan's verdicts on VALE_POLLING_ENABLE (modes, CPU and ring ranges,
 * wrap-around), and the pass: frames a fake interface queued in its NIC
 * RX rings reach an ordinary switch port in order, chains whole, only
 * from the thread's rings, with the slots released; a hostile slot in a
 * NIC RX ring is dropped and counted.
 *
 * Groups: plan, step.
 */
#include "vale_test.h"
#include "vale_poll.h"
#include "nm_shim.h"

static void test_vale_poll_plan_single(void **state)
{
	struct vale_poll_plan p;

	(void)state;
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_SINGLE_CPU, 1, 1,
					4, 2), 0);
	assert_int_equal(p.nthreads, 1);
	assert_int_equal(p.thread[0].cpu, 1);
	assert_int_equal(p.thread[0].first_ring, 0);
	assert_int_equal(p.thread[0].num_rings, 4);
	/* One CPU, exactly; it must exist; one CPU stays free. */
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_SINGLE_CPU, 0, 2,
					4, 8), -EINVAL);
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_SINGLE_CPU, 2, 1,
					4, 2), -EINVAL);
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_SINGLE_CPU, 0, 1,
					4, 1), -EINVAL);
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_SINGLE_CPU, 0, 0,
					4, 8), -EINVAL);
}

static void test_vale_poll_plan_multi(void **state)
{
	struct vale_poll_plan p;

	(void)state;
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_MULTI_CPU, 1, 2,
					4, 4), 0);
	assert_int_equal(p.nthreads, 2);
	assert_int_equal(p.thread[0].cpu, 1);
	assert_int_equal(p.thread[0].first_ring, 1);
	assert_int_equal(p.thread[1].cpu, 2);
	assert_int_equal(p.thread[1].first_ring, 2);
	assert_int_equal(p.thread[1].num_rings, 1);
	/* Rings past the interface's, CPUs past the machine's. */
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_MULTI_CPU, 3, 2,
					4, 8), -EINVAL);
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_MULTI_CPU, 2, 2,
					8, 4), 0);
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_MULTI_CPU, 3, 2,
					8, 4), -EINVAL);
	/* first + ncpus wrapping 32 bits. */
	assert_int_equal(vale_poll_plan(&p, NETMAP_POLLING_MODE_MULTI_CPU,
					0xffffffffU, 2, 4, 8), -EINVAL);
	/* Unknown modes (0 is what the legacy nr_cmd gives for others). */
	assert_int_equal(vale_poll_plan(&p, 0, 0, 1, 4, 8), -EINVAL);
	assert_int_equal(vale_poll_plan(&p, 3, 0, 1, 4, 8), -EINVAL);
}

/* ---- The pass. */

struct fake {
	uint32_t closed;
};

static int fake_xmit(void *priv, uint32_t ring, const struct nm_nic_frag *fr,
		     uint32_t nf, uint32_t len)
{
	(void)priv, (void)ring, (void)fr, (void)nf, (void)len;
	return 0;
}

static int fake_to_host(void *priv, const struct nm_nic_frag *fr, uint32_t nf,
			uint32_t len)
{
	(void)priv, (void)fr, (void)nf, (void)len;
	return 0;
}

static void fake_close(void *priv)
{
	((struct fake *)priv)->closed++;
}

static const struct nm_nic_ops fake_ops = {
	.xmit = fake_xmit,
	.to_host = fake_to_host,
	.close = fake_close,
};

static void copy_bytes(void *dst, uint32_t off, uint32_t len, const void *ctx)
{
	memcpy(dst, (const uint8_t *)ctx + off, len);
}

struct env {
	struct nm_registry reg;
	struct nm_port *k, *app;
	struct vale_kport kp;
	struct nm_nic *nic;
	struct fake fake;
};

static struct env *env_new(uint32_t nic_rings, uint32_t slots)
{
	struct nm_port_geom g = { nic_rings, nic_rings, slots, slots, 0 };
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(nm_registry_init(&e->reg), 0);
	e->k = vt_open(&e->reg, "vale0:eth0", 1, 256);
	e->app = vt_open(&e->reg, "vale0:app", 1, 256);
	assert_int_equal(vale_kport_init(&e->kp, vt_vale(e->k)), 0);
	assert_int_equal(nm_nic_create("eth0", &g, false, &fake_ops, &e->fake,
				       &e->nic),
			 0);
	return e;
}

static void env_free(struct env *e)
{
	nm_nic_destroy(e->nic);
	vale_kport_fini(&e->kp);
	nm_port_close(e->app);
	nm_port_close(e->k);
	nm_registry_fini(&e->reg);
	free(e);
}

/* What the interface's receive path does: one frame into NIC RX ring. */
static void wire_rx(struct env *e, uint32_t ring, uint32_t seq, uint32_t len)
{
	static uint8_t frame[4096];

	memset(frame, (int)seq, sizeof(frame));
	vt_frame(frame, vt_bcast(), 9, ring, seq);
	assert_int_equal(nm_nic_rx_deliver(e->nic, ring, len, copy_bytes, frame), 0);
}

static void test_vale_poll_step_forwards_in_order(void **state)
{
	struct env *e = env_new(2, 64);
	struct netmap_ring *rx = vt_ring(e->app, NR_RX, 0);
	struct netmap_slot *sl;
	uint32_t i, h;

	(void)state;
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 2), 0);
	for (i = 0; i < 20; i++)
		wire_rx(e, 0, i, 60);
	wire_rx(e, 0, 20, 3000); /* two buffers: a chain */
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 2), 21);
	assert_int_equal(vt_rx_ready(e->app, 0), 22);
	for (i = 0, h = rx->head; i < 20; i++, h = nm_idx_next(h, rx->num_slots)) {
		sl = &rx->slot[h];
		assert_int_equal(sl->len, 60);
		assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, sl->buf_idx)).seq, i);
	}
	sl = &rx->slot[h];
	assert_true(sl->flags & NS_MOREFRAG);
	assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, sl->buf_idx)).seq, 20);
	assert_int_equal(sl->len + rx->slot[nm_idx_next(h, rx->num_slots)].len, 3000);
	/* The chain's second buffer holds the frame's bytes 2048.. */
	assert_int_equal(((uint8_t *)nm_ring_user_buf(
				 rx, rx->slot[nm_idx_next(h, rx->num_slots)].buf_idx))[0],
			 20);
	assert_int_equal(vt_rx_drain(e->app, 0), 22);
	assert_int_equal(nm_os_counter_read(&e->kp.sent), 21);
	/* The NIC ring's slots were released: a full ring's worth fits
	 * again (63 of 64: one slot is always empty), three times over. */
	for (h = 0; h < 3; h++) {
		for (i = 0; i < 63; i++)
			wire_rx(e, 0, i, 60);
		assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 1), 63);
		assert_int_equal(vt_rx_drain(e->app, 0), 63);
	}
	env_free(e);
}

static void test_vale_poll_step_only_its_rings(void **state)
{
	struct env *e = env_new(2, 64);

	(void)state;
	wire_rx(e, 0, 1, 60);
	wire_rx(e, 1, 2, 60);
	wire_rx(e, 1, 3, 60);
	/* A MULTI_CPU thread of ring 1 leaves ring 0 alone. */
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 1, 1), 2);
	assert_int_equal(vt_rx_drain(e->app, 0), 2);
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 1, 1), 0);
	/* Ranges past the interface's rings are cut. */
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 99), 1);
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 5, 1), 0);
	assert_int_equal(vt_rx_drain(e->app, 0), 1);
	/* A ring whose sync is held elsewhere is skipped, not waited for. */
	wire_rx(e, 0, 4, 60);
	assert_true(nm_kring_tryget(&e->nic->rx[0].kr));
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 1), 0);
	nm_kring_put(&e->nic->rx[0].kr);
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 1), 1);
	env_free(e);
}

static void test_vale_poll_step_hostile_slot_dropped(void **state)
{
	struct env *e = env_new(1, 64);
	struct netmap_ring *nr;

	(void)state;
	wire_rx(e, 0, 1, 60);
	wire_rx(e, 0, 2, 60);
	/* Someone scribbles a kernel-owned slot of the NIC RX ring (its
	 * region is mapped by nobody, but the pass judges it anyway). */
	nr = nm_port_kring(&e->nic->up, NR_RX, 0)->ring;
	nr->slot[0].buf_idx = 0xfffffff0U;
	assert_int_equal(vale_poll_step(&e->kp, e->nic, 0, 1), 2);
	assert_int_equal(nm_os_counter_read(&e->kp.dropped), 1);
	assert_int_equal(vt_rx_drain(e->app, 0), 1);
	env_free(e);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest plan[] = {
		cmocka_unit_test(test_vale_poll_plan_single),
		cmocka_unit_test(test_vale_poll_plan_multi),
	};
	static const struct CMUnitTest step[] = {
		cmocka_unit_test(test_vale_poll_step_forwards_in_order),
		cmocka_unit_test(test_vale_poll_step_only_its_rings),
		cmocka_unit_test(test_vale_poll_step_hostile_slot_dropped),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("plan", plan),
		NM_TEST_GROUP("step", step),
	};

	int rc;

	nm_shim_thread_register(); /* notifications run in read sections */
	rc = nm_test_main("vale_poll", argc, argv, groups, NM_ARRAY_SIZE(groups));
	nm_shim_thread_unregister();
	return rc;
}
