/*
 * test_sim_tap.c - taps on a host bridge (sim/net/sim_tap.h), outside any
 * run: the bridge's forwarding decision, the bounded queue (txqueuelen:
 * a full queue drops, counted, and never overwrites a waiting frame),
 * frames in order and whole (fragments gathered), the reader's wake-up
 * only when it polls and once per poll, and the costs a frame pays each way.
 * Groups: queue (order, bound, costs), bridge (destinations, wake-ups).
 */
#include "sim_test.h"

#include "sim_cost.h"
#include "sim_tap.h"

static const uint8_t mac0[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 3 };

/* A frame to mac whose byte 14 is tag. */
static void frame(uint8_t *f, const uint8_t *mac, uint8_t tag)
{
	memset(f, 0, 60);
	memcpy(f, mac, 6);
	f[14] = tag;
}

static void wake_count(struct nm_os_notifier *n, void *arg)
{
	(void)n;
	(*(unsigned *)arg)++;
}

static enum sim_tap_verdict send1(struct sim_tap *t, const uint8_t *mac,
				  uint8_t tag, uint64_t *copied)
{
	uint8_t f[60];
	const uint8_t *frag[1] = { f };
	uint32_t len[1] = { sizeof(f) };

	frame(f, mac, tag);
	return sim_tap_write(t, frag, len, 1, copied);
}

static void test_sim_tap_queue_bounded_fifo(void **state)
{
	struct sim_tap_bridge *br = NULL;
	struct sim_tap *tx, *rx;
	struct nm_os_notifier n = { 0 };
	uint64_t copied = 0;
	const uint8_t *d;
	uint32_t len, i;

	(void)state;
	assert_int_equal(sim_tap_open(&br, 0, false, 0, NULL, NULL, &tx), 0);
	assert_int_equal(sim_tap_open(&br, 1, true, 4, mac0, &n, &rx), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(send1(tx, mac0, (uint8_t)i, &copied), SIM_TAP_QUEUED);
	/* txqueuelen 4: the fifth is dropped, the four stay as they were. */
	assert_int_equal(send1(tx, mac0, 99, &copied), SIM_TAP_QUEUE_FULL);
	assert_int_equal(rx->st.drops_queue_full, 1);
	assert_int_equal(sim_tap_queued(rx), 4);
	/* tun copies the frame in before the bridge decides: 5 copies. */
	assert_int_equal(copied, 5 * 60);
	for (i = 0; i < 4; i++) {
		d = sim_tap_peek(rx, &len);
		assert_non_null(d);
		assert_int_equal(len, 60);
		assert_int_equal(d[14], i);
		sim_tap_pop(rx);
	}
	assert_null(sim_tap_peek(rx, &len));
	/* Room again, and the entries' buffers were recycled, not lost. */
	assert_int_equal(send1(tx, mac0, 7, &copied), SIM_TAP_QUEUED);
	d = sim_tap_peek(rx, &len);
	assert_non_null(d);
	assert_int_equal(d[14], 7);
	sim_tap_bridge_free(br);
}

static void test_sim_tap_fragments_gathered_and_costed(void **state)
{
	struct sim_tap_bridge *br = NULL;
	struct sim_tap *tx, *rx;
	struct nm_os_notifier n = { 0 };
	struct sim_costs c;
	uint8_t a[100], b[30];
	const uint8_t *frag[2] = { a, b };
	uint32_t fl[2] = { sizeof(a), sizeof(b) }, len;
	uint64_t copied = 0, t0;
	const uint8_t *d;

	(void)state;
	sim_costs_default(&c);
	sim_costs_install(&c, 1);
	memset(a, 0xa5, sizeof(a));
	memcpy(a, mac0, 6);
	memset(b, 0x5a, sizeof(b));
	assert_int_equal(sim_tap_open(&br, 0, false, 0, NULL, NULL, &tx), 0);
	assert_int_equal(sim_tap_open(&br, 1, true, 8, mac0, &n, &rx), 0);
	t0 = nm_sim_os.now_ns;
	assert_int_equal(sim_tap_write(tx, frag, fl, 2, &copied), SIM_TAP_QUEUED);
	/* At least skb, tun and bridge (the copy and the lock on top). */
	assert_true(nm_sim_os.now_ns - t0 >= sim_cost_ns(SIM_C_SKB_ALLOC) +
						     sim_cost_ns(SIM_C_TAP_PKT) +
						     sim_cost_ns(SIM_C_BRIDGE_PKT));
	assert_int_equal(copied, 130);
	d = sim_tap_peek(rx, &len);
	assert_non_null(d);
	assert_int_equal(len, 130);
	assert_memory_equal(d, a, sizeof(a));
	assert_memory_equal(d + 100, b, sizeof(b));
	t0 = nm_sim_os.now_ns;
	sim_tap_pop(rx);
	assert_true(nm_sim_os.now_ns - t0 >= sim_cost_ns(SIM_C_TAP_PKT) +
						     sim_cost_ns(SIM_C_SKB_FREE));
	assert_int_equal(rx->st.read, 1);
	sim_tap_bridge_free(br);
}

static void test_sim_tap_bridge_forwards_by_mac(void **state)
{
	struct sim_tap_bridge *br = NULL;
	struct sim_tap *tx, *r0, *r1;
	struct nm_os_notifier n0 = { 0 }, n1 = { 0 };
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 };
	uint64_t copied = 0;

	(void)state;
	assert_int_equal(sim_tap_open(&br, 0, false, 0, NULL, NULL, &tx), 0);
	assert_int_equal(sim_tap_open(&br, 1, true, 8, mac0, &n0, &r0), 0);
	assert_int_equal(sim_tap_open(&br, 2, true, 8, mac1, &n1, &r1), 0);
	assert_int_equal(send1(tx, mac1, 1, &copied), SIM_TAP_QUEUED);
	assert_int_equal(sim_tap_queued(r1), 1);
	assert_int_equal(sim_tap_queued(r0), 0);
	/* Two receivers and a MAC neither has: no destination (flooding is
	 * not modelled), counted by the caller. */
	assert_int_equal(send1(tx, other, 2, &copied), SIM_TAP_NO_DEST);
	assert_int_equal(sim_tap_queued(r0) + sim_tap_queued(r1), 1);
	sim_tap_bridge_free(br);
}

static void test_sim_tap_wakes_only_a_polling_reader(void **state)
{
	struct sim_tap_bridge *br = NULL;
	struct sim_tap *tx, *rx;
	unsigned woken = 0;
	struct nm_os_notifier n = { .deliver = wake_count, .arg = &woken };
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 };
	uint64_t copied = 0;
	uint32_t len;

	(void)state;
	assert_int_equal(sim_tap_open(&br, 0, false, 0, NULL, NULL, &tx), 0);
	assert_int_equal(sim_tap_open(&br, 1, true, 8, mac0, &n, &rx), 0);
	/* Not polling: queued, nobody woken. */
	assert_int_equal(send1(tx, mac0, 1, &copied), SIM_TAP_QUEUED);
	assert_int_equal(woken, 0);
	/* Enabling the poll with a frame waiting says so (the re-check). */
	assert_true(sim_tap_wait(rx, true));
	sim_tap_peek(rx, &len);
	sim_tap_pop(rx);
	assert_false(sim_tap_wait(rx, true));
	/* Polling: the next frame wakes it, once per arming: a second
	 * frame before it ran again finds it already woken. */
	assert_int_equal(send1(tx, mac0, 2, &copied), SIM_TAP_QUEUED);
	assert_int_equal(woken, 1);
	assert_int_equal(send1(tx, mac0, 3, &copied), SIM_TAP_QUEUED);
	assert_int_equal(woken, 1);
	assert_int_equal(rx->st.wakeups, 1);
	/* Armed again (with frames waiting: the re-check says so), the next
	 * frame wakes it again; with one receiver an unknown MAC is flooded
	 * to it. */
	assert_true(sim_tap_wait(rx, true));
	assert_int_equal(send1(tx, other, 4, &copied), SIM_TAP_QUEUED);
	assert_int_equal(woken, 2);
	sim_tap_wait(rx, false);
	assert_false(sim_tap_polled(rx));
	assert_int_equal(send1(tx, mac0, 5, &copied), SIM_TAP_QUEUED);
	assert_int_equal(woken, 2);
	sim_tap_bridge_free(br);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest queue[] = {
		cmocka_unit_test(test_sim_tap_queue_bounded_fifo),
		cmocka_unit_test(test_sim_tap_fragments_gathered_and_costed),
	};
	static const struct CMUnitTest bridge[] = {
		cmocka_unit_test(test_sim_tap_bridge_forwards_by_mac),
		cmocka_unit_test(test_sim_tap_wakes_only_a_polling_reader),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("queue", queue),
		NM_TEST_GROUP("bridge", bridge),
	};

	return nm_test_main("sim_tap", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
