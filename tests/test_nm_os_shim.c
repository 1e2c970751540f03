/*
 * test_nm_os_shim.c - the shim backend keeps the seam's contracts.
 *
 * Groups: prims (accessors, atomics, counters, time), lock (mutual
 * exclusion across threads), notify (eventfd kicks counted and delivered),
 * log (per-call-site rate limit), rcu (synchronize waits for readers).
 * The threaded groups also run under TSan.
 */
#include "nm_test.h"

#include "nm_shim.h"

#include <unistd.h>

static void test_nm_os_shim_accessors_and_atomics(void **state)
{
	uint32_t w = 0;
	uint16_t h = 0;
	uint64_t d = 0;
	struct nm_os_counter c;

	(void)state;
	nm_os_shared_store32(&w, 0xdeadbeef);
	nm_os_shared_store16(&h, 0xbeef);
	nm_os_shared_store64(&d, 0x0123456789abcdefULL);
	assert_int_equal(nm_os_shared_load32(&w), 0xdeadbeef);
	assert_int_equal(nm_os_shared_load16(&h), 0xbeef);
	assert_true(nm_os_shared_load64(&d) == 0x0123456789abcdefULL);
	assert_true(nm_os_atomic_cas32(&w, 0xdeadbeef, 1));
	assert_false(nm_os_atomic_cas32(&w, 0xdeadbeef, 2));
	assert_int_equal(nm_os_atomic_load_acquire32(&w), 1);
	nm_os_atomic_store_release32(&w, 7);
	assert_int_equal(w, 7);
	nm_os_fence_store_store();
	nm_os_fence_load_load();
	nm_os_fence_store_load();
	nm_os_counter_init(&c);
	nm_os_counter_add(&c, 5);
	nm_os_counter_add(&c, 6);
	assert_int_equal(nm_os_counter_read(&c), 11);
}

static void test_nm_os_shim_time_is_monotonic(void **state)
{
	uint64_t a = nm_os_time_ns(), b;

	(void)state;
	usleep(1000);
	b = nm_os_time_ns();
	assert_true(b > a);
	assert_true(b - a >= 1000000);
}

#define LOCK_ITERS 200000

struct lock_ctx {
	struct nm_os_lock lock;
	struct nm_os_counter adds;
	uint64_t plain; /* only touched under the lock */
};

static void *lock_worker(void *arg)
{
	struct lock_ctx *c = arg;
	int i;

	for (i = 0; i < LOCK_ITERS; i++) {
		nm_os_lock_acquire(&c->lock);
		c->plain++;
		nm_os_lock_release(&c->lock);
		nm_os_counter_add(&c->adds, 1);
	}
	return arg;
}

static void test_nm_os_shim_lock_excludes(void **state)
{
	struct lock_ctx c;
	struct nm_os_kthread t[3];
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(nm_os_lock_init(&c.lock), 0);
	nm_os_counter_init(&c.adds);
	for (i = 0; i < 3; i++)
		assert_int_equal(nm_os_kthread_create(&t[i], lock_worker, &c, "lock"), 0);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(nm_os_kthread_join(&t[i]), &c);
	assert_int_equal(c.plain, 3 * LOCK_ITERS);
	assert_int_equal(nm_os_counter_read(&c.adds), 3 * LOCK_ITERS);
	nm_os_lock_fini(&c.lock);
}

static void test_nm_os_shim_notify_counts_and_wakes(void **state)
{
	struct nm_os_notifier n;

	(void)state;
	assert_int_equal(nm_shim_notifier_init(&n), 0);
	assert_int_equal(nm_shim_notifier_wait(&n, 0), 0); /* nothing yet */
	nm_os_notify(&n);
	nm_os_notify(&n);
	nm_os_notify(&n);
	assert_int_equal(nm_os_notify_count(&n), 3);
	assert_int_equal(nm_shim_notifier_wait(&n, 1000), 3);
	assert_int_equal(nm_shim_notifier_wait(&n, 10), 0);
	nm_shim_notifier_fini(&n);
}

static void *notify_later(void *arg)
{
	usleep(20000);
	nm_os_notify(arg);
	return NULL;
}

static void test_nm_os_shim_notify_wakes_a_sleeper(void **state)
{
	struct nm_os_notifier n;
	struct nm_os_kthread t;
	uint64_t start;

	(void)state;
	assert_int_equal(nm_shim_notifier_init(&n), 0);
	assert_int_equal(nm_os_kthread_create(&t, notify_later, &n, "kick"), 0);
	start = nm_os_time_ns();
	assert_int_equal(nm_shim_notifier_wait(&n, 10000), 1);
	assert_true(nm_os_time_ns() - start < 5000000000ULL);
	nm_os_kthread_join(&t);
	nm_shim_notifier_fini(&n);
}

static void log_site_a(int i)
{
	nm_os_log_warn_rl("site a %d", i);
}

static void log_site_b(int i)
{
	nm_os_log_err_rl("site b %d", i);
}

static void test_nm_os_shim_log_rate_limited_per_site(void **state)
{
	struct nm_shim_log_stats before, after;
	char last[64];
	int i;

	(void)state;
	nm_shim_log_stats(&before);
	for (i = 0; i < 1000; i++)
		log_site_a(i);
	log_site_b(1);
	nm_shim_log_stats(&after);
	/* 10 lines of site a in the window, and site b is not silenced. */
	assert_int_equal(after.emitted - before.emitted, 11);
	assert_int_equal(after.suppressed - before.suppressed, 990);
	nm_shim_log_last(last, sizeof(last));
	assert_string_equal(last, "site b 1");
}

struct rcu_ctx {
	uint32_t in_section;
	uint32_t leave;
	uint32_t left;
};

static void *rcu_reader(void *arg)
{
	struct rcu_ctx *c = arg;

	nm_os_read_enter();
	nm_os_atomic_store_release32(&c->in_section, 1);
	while (!nm_os_atomic_load_acquire32(&c->leave))
		usleep(100);
	nm_os_atomic_store_release32(&c->left, 1);
	nm_os_read_exit();
	return NULL;
}

static void *rcu_releaser(void *arg)
{
	struct rcu_ctx *c = arg;

	usleep(30000);
	nm_os_atomic_store_release32(&c->leave, 1);
	return NULL;
}

static void test_nm_os_shim_synchronize_waits_for_readers(void **state)
{
	struct rcu_ctx c = { 0, 0, 0 };
	struct nm_os_kthread r, w;
	void *slot = NULL;
	int x = 42;

	(void)state;
	nm_os_ptr_publish(&slot, &x);
	nm_os_read_enter();
	assert_ptr_equal(nm_os_ptr_read(&slot), &x);
	nm_os_read_exit();

	assert_int_equal(nm_os_kthread_create(&r, rcu_reader, &c, "reader"), 0);
	while (!nm_os_atomic_load_acquire32(&c.in_section))
		usleep(100);
	assert_int_equal(nm_os_kthread_create(&w, rcu_releaser, &c, "release"), 0);
	nm_os_read_synchronize();
	/* The reader was inside when we started: it must have left. */
	assert_int_equal(nm_os_atomic_load_acquire32(&c.left), 1);
	nm_os_kthread_join(&r);
	nm_os_kthread_join(&w);
}

static void test_nm_os_shim_alloc_is_zeroed(void **state)
{
	uint8_t *p = nm_os_zalloc(4096);
	size_t i;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < 4096; i++)
		assert_int_equal(p[i], 0);
	nm_os_free(p);
	nm_os_free(NULL);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest prims[] = {
		cmocka_unit_test(test_nm_os_shim_accessors_and_atomics),
		cmocka_unit_test(test_nm_os_shim_time_is_monotonic),
		cmocka_unit_test(test_nm_os_shim_alloc_is_zeroed),
	};
	static const struct CMUnitTest lock[] = {
		cmocka_unit_test(test_nm_os_shim_lock_excludes),
	};
	static const struct CMUnitTest notify[] = {
		cmocka_unit_test(test_nm_os_shim_notify_counts_and_wakes),
		cmocka_unit_test(test_nm_os_shim_notify_wakes_a_sleeper),
	};
	static const struct CMUnitTest log[] = {
		cmocka_unit_test(test_nm_os_shim_log_rate_limited_per_site),
	};
	static const struct CMUnitTest rcu[] = {
		cmocka_unit_test(test_nm_os_shim_synchronize_waits_for_readers),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("prims", prims), NM_TEST_GROUP_TAGGED("lock", lock, "tsan"),
		NM_TEST_GROUP_TAGGED("notify", notify, "tsan"), NM_TEST_GROUP("log", log),
		NM_TEST_GROUP_TAGGED("rcu", rcu, "tsan"),
	};

	nm_shim_thread_register();
	return nm_test_main("nm_os_shim", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
