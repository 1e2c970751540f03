/*
 * test_nm_monitor_sim.c - copy and zero-copy monitors and NS_INDIRECT on
 * the simulator backend, as the simulator drives the core: no threads, a
 * monitor woken
 * through its notifier's delivery callback, indirect payloads read only
 * from a range registered with nm_sim_user_add(), every shared access a
 * counted step, and two identical runs taking identical step counts.
 */
#include "vale_test.h"

#include "nm_monitor.h"

static unsigned wakes;

static void on_wake(struct nm_os_notifier *n, void *arg)
{
	(void)n;
	(void)arg;
	wakes++;
}

static uint8_t user_mem[256];

static uint64_t scenario(void)
{
	struct nm_port_geom g = { 0, 0, 0, 0, 0 };
	struct nm_os_notifier nm = { 0 };
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *tx;
	uint8_t mac[6];
	uint32_t i, k;

	nm_sim_os_reset(NULL);
	nm_sim_user_reset();
	wakes = 0;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	assert_int_equal(nm_port_open(&reg, "vale0:a/t", &g, &m), 0);
	nm.deliver = on_wake;
	assert_int_equal(nm_port_set_notifier(m, NR_RX, 0, &nm), 0);
	vt_mac(mac, 9);
	for (i = 0; i < 10; i++)
		vt_send(a, 0, mac, 1, 1, i, 60);
	/* Two indirect frames: one in the registered range, one not. */
	assert_int_equal(nm_sim_user_add(user_mem, sizeof(user_mem)), 0);
	memset(user_mem, 0, sizeof(user_mem));
	vt_frame(user_mem, mac, 1, 1, 10);
	tx = vt_ring(a, NR_TX, 0);
	for (k = 0; k < 2; k++) {
		tx->slot[tx->head].ptr =
			k == 0 ? (uint64_t)(uintptr_t)user_mem :
				 (uint64_t)(uintptr_t)user_mem + 200;
		vt_put(tx, NULL, 60, NS_INDIRECT);
	}
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(wakes, 1);
	assert_int_equal(vt_rx_ready(m, 0), 12);
	assert_int_equal(vt_rx_drain(b, 0), 11);
	assert_int_equal(vt_drops(a, VALE_DROP_INDIRECT), 1);
	assert_int_equal(nm_sim_user_faults(), 2); /* VALE's and the tap's */
	nm_port_close(m);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
	nm_sim_user_reset();
	return nm_sim_steps_total();
}

/* A zero-copy monitor: woken once, shown a's own buffers; an indirect
 * slot (its bytes are not in the buffer) is not shown. */
static uint64_t zc_scenario(void)
{
	struct nm_port_geom g = { 1, 1, 64, 64, 0 };
	struct nm_os_notifier nm = { 0 };
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *tx, *mr;
	uint32_t orig[10], i;
	uint8_t mac[6];

	nm_sim_os_reset(NULL);
	nm_sim_user_reset();
	wakes = 0;
	assert_int_equal(nm_registry_init(&reg), 0);
	assert_int_equal(nm_port_open_spare(&reg, "vale0:a", 0, 128, &g, &a), 0);
	b = vt_open(&reg, "vale0:b", 1, 64);
	g = (struct nm_port_geom){ 0, 0, 0, 32, 0 };
	assert_int_equal(nm_port_open(&reg, "vale0:a/zt", &g, &m), 0);
	nm.deliver = on_wake;
	assert_int_equal(nm_port_set_notifier(m, NR_RX, 0, &nm), 0);
	vt_mac(mac, 9);
	tx = vt_ring(a, NR_TX, 0);
	for (i = 0; i < 10; i++) {
		orig[i] = tx->slot[tx->head].buf_idx;
		vt_send(a, 0, mac, 1, 1, i, 60);
	}
	tx->slot[tx->head].ptr = 0;
	vt_put(tx, NULL, 60, NS_INDIRECT);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(wakes, 1);
	assert_int_equal(vt_rx_ready(m, 0), 10);
	mr = vt_ring(m, NR_RX, 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(mr->slot[i].buf_idx, orig[i]);
		assert_int_equal(vt_payload_of(nm_ring_user_buf(mr, orig[i])).seq, i);
	}
	assert_int_equal(nm_os_counter_read(&((struct nm_monitor *)m)->stats.bad), 1);
	assert_int_equal(vt_rx_drain(b, 0), 10);
	nm_port_close(m);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
	return nm_sim_steps_total();
}

static void test_nm_monitor_sim_zcopy_deterministic(void **state)
{
	uint64_t first, second;

	(void)state;
	first = zc_scenario();
	second = zc_scenario();
	assert_true(first > 0);
	assert_int_equal(first, second);
}

static void test_nm_monitor_sim_deterministic(void **state)
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
		cmocka_unit_test(test_nm_monitor_sim_deterministic),
		cmocka_unit_test(test_nm_monitor_sim_zcopy_deterministic),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("sim", sim),
	};

	return nm_test_main("nm_monitor_sim", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
