/*
 * test_vale_sim.c - VALE and pipes on the simulator backend, as the
 * simulator (#5) drives them: no threads, notifications delivered through
 * the notifier's callback, every shared access a counted step.
 *
 * Groups: sim (forwarding and a pipe hand-off wake the receiver through the
 * delivery callback; two identical runs take identical step counts).
 */
#include "vale_test.h"

struct wake_log {
	unsigned calls;
};

static void on_wake(struct nm_os_notifier *n, void *arg)
{
	struct wake_log *w = arg;

	(void)n;
	w->calls++;
}

/* One scenario; returns the simulator's total step count. */
static uint64_t scenario(void)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *pa, *pb;
	struct nm_os_notifier nb = { 0 }, npb = { 0 };
	struct wake_log wb = { 0 }, wpb = { 0 };
	uint8_t mac[6];
	uint32_t i;

	nm_sim_os_reset(NULL);
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	nb.deliver = on_wake;
	nb.arg = &wb;
	assert_int_equal(nm_port_set_notifier(b, NR_RX, 0, &nb), 0);
	vt_mac(mac, 9);
	for (i = 0; i < 10; i++)
		vt_send(a, 0, mac, 1, 1, i, 60);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(wb.calls, 1);
	assert_int_equal(vt_rx_drain(b, 0), 10);

	pa = vt_open(&reg, "s{1", 1, 32);
	pb = vt_open(&reg, "s}1", 1, 32);
	npb.deliver = on_wake;
	npb.arg = &wpb;
	assert_int_equal(nm_port_set_notifier(pb, NR_RX, NM_PORT_ALL_RINGS, &npb), 0);
	vt_send(pa, 0, mac, 1, 1, 0, 60);
	assert_int_equal(vt_sync(pa, NR_TX, 0), 0);
	assert_int_equal(wpb.calls, 1);
	assert_int_equal(vt_rx_drain(pb, 0), 1);

	nm_port_close(pa);
	nm_port_close(pb);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
	return nm_sim_steps_total();
}

static void test_vale_sim_forwarding_and_determinism(void **state)
{
	uint64_t first, second;

	(void)state;
	first = scenario();
	second = scenario();
	assert_true(first > 0);
	assert_int_equal(first, second);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest sim[] = {
		cmocka_unit_test(test_vale_sim_forwarding_and_determinism),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("sim", sim),
	};

	return nm_test_main("vale_sim", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
