/*
 * test_nm_os_sim.c - the core runs on the simulator backend.
 *
 * Groups: selftest (the core's unit vectors through the sim backend),
 * steps (every shared access is a counted step; a sync reads head and cur
 * exactly once, seen through the step hook; runs are deterministic).
 */
#include "nm_test.h"

#include "nm_kring.h"
#include "nm_selftest.h"

static void test_nm_os_sim_selftest_passes(void **state)
{
	struct nm_selftest_result r;

	(void)state;
	nm_sim_os_reset(NULL);
	r = nm_selftest_run();
	assert_int_equal(r.failed, 0);
	assert_true(r.passed >= nm_prologue_vector_count);
}

struct access_count {
	const volatile void *head, *cur;
	unsigned head_loads, cur_loads, stores;
};

static void count_hook(enum nm_sim_step kind, const volatile void *addr,
		       void *arg)
{
	struct access_count *a = arg;

	if (kind == NM_SIM_SHARED_LOAD && addr == a->head)
		a->head_loads++;
	if (kind == NM_SIM_SHARED_LOAD && addr == a->cur)
		a->cur_loads++;
	if (kind == NM_SIM_SHARED_STORE)
		a->stores++;
}

static int consume_all(struct nm_kring *kr, uint32_t flags)
{
	(void)flags;
	kr->hwcur = kr->rhead;
	kr->hwtail = nm_idx_prev(kr->hwcur, kr->num_slots);
	return 0;
}

static void sync_once(struct access_count *a, uint32_t head, int expect,
		      uint64_t *now)
{
	static const uint64_t costs[NM_SIM_STEP_KINDS] = {
		[NM_SIM_FENCE_STORE_LOAD] = 20000, [NM_SIM_SHARED_LOAD] = 1000,
		[NM_SIM_SHARED_STORE] = 1000,	[NM_SIM_ATOMIC] = 5000,
	};
	struct netmap_ring *ring = calloc(1, sizeof(*ring) + 64 * 16);
	struct nm_kring kr;

	assert_non_null(ring);
	nm_sim_os_reset(costs);
	assert_int_equal(nm_kring_init(&kr, NM_KRING_TX, 64, ring, consume_all,
				       NULL, "sim"),
			 0);
	memset(a, 0, sizeof(*a));
	a->head = &ring->head;
	a->cur = &ring->cur;
	ring->head = head;
	ring->cur = head;
	nm_sim_os.hook = count_hook;
	nm_sim_os.hook_arg = a;
	assert_int_equal(nm_kring_sync(&kr, 0), expect);
	nm_sim_os.hook = NULL;
	*now = nm_os_time_ns();
	free(ring);
}

static void test_nm_os_sim_sync_reads_head_and_cur_once(void **state)
{
	struct access_count ok, bad;
	uint64_t t1, t2;

	(void)state;
	sync_once(&ok, 10, 0, &t1);
	assert_int_equal(ok.head_loads, 1);
	assert_int_equal(ok.cur_loads, 1);
	assert_int_equal(ok.stores, 1); /* the new tail */
	sync_once(&bad, 64, -EINVAL, &t2);
	assert_int_equal(bad.head_loads, 1);
	assert_int_equal(bad.cur_loads, 1);
	assert_int_equal(bad.stores, 0); /* nothing published */
	assert_true(t1 > 0);
}

static void test_nm_os_sim_is_deterministic(void **state)
{
	struct access_count a, b;
	uint64_t t1, t2;

	(void)state;
	sync_once(&a, 33, 0, &t1);
	sync_once(&b, 33, 0, &t2);
	/* Same steps, same virtual time (the ring addresses differ). */
	assert_true(t1 == t2);
	assert_int_equal(a.head_loads, b.head_loads);
	assert_int_equal(a.cur_loads, b.cur_loads);
	assert_int_equal(a.stores, b.stores);
}

static void test_nm_os_sim_notify_delivers(void **state)
{
	struct nm_os_notifier n = { 0, NULL, NULL };

	(void)state;
	nm_sim_os_reset(NULL);
	nm_os_notify(&n);
	assert_int_equal(nm_os_notify_count(&n), 1);
	assert_int_equal(nm_sim_os.steps[NM_SIM_NOTIFY], 1);
}

/* Two init sites: two lock classes (lockdep's rule). */
static __attribute__((noinline)) void init_pool_lock(struct nm_os_lock *l)
{
	assert_int_equal(nm_os_lock_init(l), 0);
}

static __attribute__((noinline)) void init_ring_lock(struct nm_os_lock *l)
{
	assert_int_equal(nm_os_lock_init(l), 0);
}

/* Acquisitions are counted in the class of the lock's init site: locks
 * from one site share a class whatever their number, the first name given
 * stays, and a reset zeroes the counts but keeps the classes. */
static void test_nm_os_sim_lock_counts_per_class(void **state)
{
	struct nm_os_lock ring[3], pool;
	const struct nm_sim_lock_class *rc, *pc;
	uint32_t i, k;

	(void)state;
	nm_sim_os_reset(NULL);
	for (i = 0; i < 3; i++)
		init_ring_lock(&ring[i]);
	init_pool_lock(&pool);
	assert_int_equal(ring[0].cls, ring[2].cls);
	assert_int_not_equal(ring[0].cls, pool.cls);
	nm_sim_lock_name(&ring[1], "test.ring");
	nm_sim_lock_name(&ring[0], "test.other");
	nm_sim_lock_name(&pool, "test.pool");
	rc = &nm_sim_lock_classes[ring[0].cls];
	pc = &nm_sim_lock_classes[pool.cls];
	assert_string_equal(rc->name, "test.ring");
	assert_string_equal(pc->name, "test.pool");
	for (k = 0; k < 5; k++) {
		for (i = 0; i < 3; i++) {
			nm_os_lock_acquire(&ring[i]);
			nm_os_lock_release(&ring[i]);
		}
	}
	nm_os_lock_acquire(&pool);
	nm_os_lock_release(&pool);
	assert_true(rc->acquired == 15);
	assert_true(pc->acquired == 1);
	/* One step at a time nothing waits. */
	assert_true(rc->contended == 0 && rc->wait_ns == 0);
	assert_true(pc->contended == 0 && pc->wait_ns == 0);
	nm_sim_os_reset(NULL);
	assert_true(rc->acquired == 0 && pc->acquired == 0);
	assert_string_equal(rc->name, "test.ring");
	init_ring_lock(&ring[0]);
	assert_ptr_equal(&nm_sim_lock_classes[ring[0].cls], rc);
	for (i = 0; i < 3; i++)
		nm_os_lock_fini(&ring[i]);
	nm_os_lock_fini(&pool);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest selftest[] = {
		cmocka_unit_test(test_nm_os_sim_selftest_passes),
	};
	static const struct CMUnitTest steps[] = {
		cmocka_unit_test(test_nm_os_sim_sync_reads_head_and_cur_once),
		cmocka_unit_test(test_nm_os_sim_is_deterministic),
		cmocka_unit_test(test_nm_os_sim_notify_delivers),
	};
	static const struct CMUnitTest locks[] = {
		cmocka_unit_test(test_nm_os_sim_lock_counts_per_class),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("selftest", selftest),
		NM_TEST_GROUP("steps", steps),
		NM_TEST_GROUP("locks", locks),
	};

	return nm_test_main("nm_os_sim", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
