/*
 * test_csb_kloop.c - the shim kloop with real threads.
 *
 * Groups: lifecycle (option checks at create, clean start/stop: one thread
 * named csb-kloop while started, none after and no ring busy, also while
 * unrelated threads come and go; direct kicks refused when stopped;
 * threads are found by name because sanitizer runtimes own threads too),
 * watchdog (a guest that swallows its kick and a kernel without an irqfd:
 * both watchdogs must count the lost notification and the rings recover),
 * stress_eventfd / stress_busywait / stress_direct (a TX guest thread and
 * an RX guest thread exchange sequence-numbered frames through the kloop
 * and a wire: 0 lost, 0 duplicated, 0 reordered, 0 damaged, 0 lost
 * notifications on either side), and long_* (the same, 100 million frames,
 * label stress).  Batch sizes are random (NM_SEED= replays the choice).
 */
#include "nm_test.h"

#include "csb_kloop.h"
#include "csb_wire.h"

#include <dirent.h>
#include <sched.h>
#include <time.h>

#ifdef NM_SHIM_TSAN
#define SHORT_PACKETS 200000ULL
#else
#define SHORT_PACKETS 400000ULL
#endif
#define LONG_PACKETS 100000000ULL
#define WD_MS 50

struct stress {
	struct csb_wire *w;
	struct csb_kloop *kl;
	struct nm_os_notifier kick[2], irq[2];
	struct csb_guest gtx, grx;
	uint64_t packets;
	uint32_t max_batch;
	uint64_t seed;
	/* guest watchdog marks, read by the kloop (release / acquire) */
	uint64_t tx_mark, rx_mark;
	/* results */
	uint64_t lost_irq[2];
	uint64_t received, gaps, dups, damaged, wait_errors;
};

/* Every thread of the process: sanitizer runtimes and libraries own some,
 * which come and go, so this is no oracle (see ..._amid_churn). */
static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Threads named name (nm_os_kthread_create() names them before it returns). */
static int threads_named(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	char path[300], comm[64];
	struct dirent *e;
	FILE *f;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue; /* gone since readdir */
		if (fgets(comm, sizeof(comm), f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			n += strcmp(comm, name) == 0;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * Threads named name, once there are want of them or 5 s have passed.
 * Two reasons to wait and look again:
 *  - pthread_join() returns when the kernel clears the thread's tid
 *    (exit_mm()); the task stays listed under /proc/self/task until
 *    release_task(), a moment later, longer on a loaded machine;
 *  - a /proc/self/task listing walks the thread list by position, so a
 *    thread exiting during the walk can hide a live one from it.
 * So a sighting counts at once, and an absence only when three walks in
 * a row agree.
 */
static int threads_named_settle(const char *name, int want)
{
	struct timespec ms = { 0, 1000000 };
	int n, i, agree = 0;

	for (i = 0; i < 5000; i++) {
		n = threads_named(name);
		agree = n == want ? agree + 1 : 0;
		if (agree == (want == 0 ? 3 : 1))
			break;
		nanosleep(&ms, NULL);
	}
	return n;
}

static struct stress *stress_new(const struct csb_kloop_cfg *cfg, uint32_t n,
				 bool with_irq_rx)
{
	struct stress *s = calloc(1, sizeof(*s));
	struct csb_kloop_ring_cfg rc[2];
	int i;

	assert_non_null(s);
	assert_int_equal(csb_wire_init(&s->w, n), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(nm_shim_notifier_init(&s->kick[i]), 0);
		assert_int_equal(nm_shim_notifier_init(&s->irq[i]), 0);
	}
	memset(rc, 0, sizeof(rc));
	rc[0].kr = &s->w->tx;
	rc[1].kr = &s->w->rx;
	for (i = 0; i < 2; i++) {
		rc[i].atok = &s->w->atok[i];
		rc[i].ktoa = &s->w->ktoa[i];
		rc[i].ioeventfd = cfg->eventfds ? &s->kick[i] : NULL;
		rc[i].irqfd = &s->irq[i];
	}
	if (!with_irq_rx)
		rc[1].irqfd = NULL;
	rc[0].peer_done = &s->tx_mark;
	rc[1].peer_done = &s->rx_mark;
	assert_int_equal(csb_kloop_create(&s->kl, cfg, rc), 0);
	csb_kloop_set_watchdog_ms(s->kl, WD_MS);
	assert_int_equal(csb_guest_init(&s->gtx, NM_KRING_TX, n, &s->w->atok[0],
					&s->w->ktoa[0]),
			 0);
	assert_int_equal(csb_guest_init(&s->grx, NM_KRING_RX, n, &s->w->atok[1],
					&s->w->ktoa[1]),
			 0);
	return s;
}

static void stress_free(struct stress *s)
{
	int i;

	csb_kloop_destroy(s->kl);
	for (i = 0; i < 2; i++) {
		nm_shim_notifier_fini(&s->kick[i]);
		nm_shim_notifier_fini(&s->irq[i]);
	}
	csb_wire_fini(s->w);
	free(s);
}

/* Sleep until the ring has work, with the guest-side watchdog. */
static void guest_block(struct stress *s, struct csb_guest *g, uint32_t ring)
{
	int r;

	if (!csb_guest_may_sleep(g))
		return;
	do {
		r = csb_kloop_guest_wait(g, &s->irq[ring],
					 csb_kloop_done_mark(s->kl, ring),
					 WD_MS, &s->lost_irq[ring]);
	} while (r == -ETIMEDOUT);
	if (r < 0)
		s->wait_errors++;
}

static void *tx_thread(void *arg)
{
	struct stress *s = arg;
	struct csb_guest *g = &s->gtx;
	uint64_t seq = 0, rng = s->seed;
	unsigned todo;

	while (seq < s->packets) {
		uint32_t space = csb_guest_space(g), k, i, head;

		if (space == 0) {
			if (csb_guest_refresh(g) == 0 && csb_guest_space(g) > 0)
				continue;
			guest_block(s, g, 0);
			continue;
		}
		k = 1 + nm_test_below(&rng, s->max_batch);
		k = nm_min_u32(k, space);
		if (s->packets - seq < k)
			k = (uint32_t)(s->packets - seq);
		head = g->head;
		for (i = 0; i < k; i++) {
			csb_wire_put(s->w, head, seq++);
			head = nm_idx_next(head, g->num_slots);
		}
		if (csb_guest_txsync(g, head, head, &todo) != 0)
			abort();
		if (todo & CSB_DO_NOTIFY)
			csb_kloop_kick(s->kl, 0);
		__atomic_store_n(&s->tx_mark, g->head_total, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *rx_thread(void *arg)
{
	struct stress *s = arg;
	struct csb_guest *g = &s->grx;
	uint64_t expect = 0, rng = s->seed ^ 0x5555;
	unsigned todo;

	while (expect < s->packets) {
		uint32_t space = csb_guest_space(g), k, i, head;

		if (space == 0) {
			if (csb_guest_refresh(g) == 0 && csb_guest_space(g) > 0)
				continue;
			guest_block(s, g, 1);
			continue;
		}
		k = nm_min_u32(space, 1 + nm_test_below(&rng, s->max_batch));
		head = g->head;
		for (i = 0; i < k; i++) {
			uint64_t seq = csb_wire_get(s->w, head);

			if (seq == UINT64_MAX) {
				s->damaged++;
			} else if (seq == expect) {
				expect++;
			} else if (seq > expect) {
				s->gaps++;
				expect = seq + 1;
			} else {
				s->dups++;
			}
			s->received++;
			head = nm_idx_next(head, g->num_slots);
		}
		if (csb_guest_rxsync(g, head, head, &todo) != 0)
			abort();
		if (todo & CSB_DO_NOTIFY)
			csb_kloop_kick(s->kl, 1);
		__atomic_store_n(&s->rx_mark, g->head_total, __ATOMIC_RELEASE);
	}
	return NULL;
}

static uint64_t c(const struct nm_os_counter *x)
{
	return nm_os_counter_read(x);
}

static void run_stress(const char *name, const struct csb_kloop_cfg *cfg,
		       uint64_t packets, uint32_t n)
{
	struct stress *s = stress_new(cfg, n, true);
	struct nm_os_kthread tx, rx;
	struct csb_kloop_stats ks;
	const struct csb_host_ring *htx, *hrx;
	double per_k;

	s->packets = packets;
	s->max_batch = 64;
	s->seed = nm_test_seed(name);
	assert_int_equal(csb_kloop_start(s->kl), 0);
	assert_int_equal(nm_os_kthread_create(&rx, rx_thread, s, "rx"), 0);
	assert_int_equal(nm_os_kthread_create(&tx, tx_thread, s, "tx"), 0);
	nm_os_kthread_join(&tx);
	nm_os_kthread_join(&rx);
	assert_int_equal(csb_kloop_stop(s->kl), 0);
	assert_int_equal(threads_named_settle("csb-kloop", 0), 0);
	assert_int_equal(threads_named_settle("tx", 0), 0);
	assert_int_equal(threads_named_settle("rx", 0), 0);
	csb_kloop_get_stats(s->kl, &ks);
	htx = csb_kloop_host(s->kl, 0);
	hrx = csb_kloop_host(s->kl, 1);
	per_k = 1000.0 / (double)packets;
	printf("[ STRESS   ] %s: %llu frames, ring %u; per 1000: kicks %.3f (suppressed %.1f), irqs %.3f (suppressed %.1f); "
	       "kloop sleeps %llu wakeups %llu spurious %llu naps %llu timeouts %llu direct %llu; guest sleeps %llu/%llu spurious %llu/%llu; "
	       "lost notifications kloop %llu guest %llu/%llu\n",
	       name, (unsigned long long)packets, n,
	       (double)(c(&s->gtx.stats.kicks_sent) + c(&s->grx.stats.kicks_sent)) * per_k,
	       (double)(c(&s->gtx.stats.kicks_suppressed) + c(&s->grx.stats.kicks_suppressed)) * per_k,
	       (double)(c(&htx->stats.irqs_sent) + c(&hrx->stats.irqs_sent)) * per_k,
	       (double)(c(&htx->stats.irqs_suppressed) + c(&hrx->stats.irqs_suppressed)) * per_k,
	       (unsigned long long)ks.sleeps, (unsigned long long)ks.wakeups,
	       (unsigned long long)ks.spurious, (unsigned long long)ks.naps,
	       (unsigned long long)ks.timeouts, (unsigned long long)ks.direct_runs,
	       (unsigned long long)c(&s->gtx.stats.sleeps),
	       (unsigned long long)c(&s->grx.stats.sleeps),
	       (unsigned long long)c(&s->gtx.stats.spurious),
	       (unsigned long long)c(&s->grx.stats.spurious),
	       (unsigned long long)ks.lost_notifications,
	       (unsigned long long)s->lost_irq[0],
	       (unsigned long long)s->lost_irq[1]);
	assert_int_equal(s->received, packets);
	assert_int_equal(s->gaps, 0);
	assert_int_equal(s->dups, 0);
	assert_int_equal(s->damaged, 0);
	assert_int_equal(s->wait_errors, 0);
	assert_int_equal(ks.lost_notifications, 0);
	assert_int_equal(s->lost_irq[0], 0);
	assert_int_equal(s->lost_irq[1], 0);
	assert_int_equal(ks.step_errors, 0);
	assert_int_equal(s->w->bad_slots, 0);
	assert_int_equal(c(&htx->stats.bad_atok) + c(&hrx->stats.bad_atok), 0);
	assert_int_equal(c(&s->gtx.stats.bad_ktoa) + c(&s->grx.stats.bad_ktoa), 0);
	assert_int_equal(htx->head_total, packets);
	assert_int_equal(hrx->hwtail_total, packets);
	assert_true(nm_kring_valid(&s->w->tx));
	assert_true(nm_kring_valid(&s->w->rx));
	stress_free(s);
}

static const struct csb_kloop_cfg cfg_eventfd = {
	.num_tx_rings = 1, .num_rx_rings = 1, .eventfds = true,
};
static const struct csb_kloop_cfg cfg_busywait = {
	.num_tx_rings = 1, .num_rx_rings = 1, .sleep_us = 20,
};
static const struct csb_kloop_cfg cfg_direct = {
	.num_tx_rings = 1, .num_rx_rings = 1, .eventfds = true,
	.direct = CSB_DIRECT_TX | CSB_DIRECT_RX,
};

static void test_csb_kloop_stress_eventfd(void **state)
{
	(void)state;
	run_stress("eventfd", &cfg_eventfd, SHORT_PACKETS, 256);
	run_stress("eventfd-small", &cfg_eventfd, SHORT_PACKETS / 4, 3);
}

static void test_csb_kloop_stress_busywait(void **state)
{
	(void)state;
	run_stress("busywait", &cfg_busywait, SHORT_PACKETS, 256);
}

static void test_csb_kloop_stress_direct(void **state)
{
	(void)state;
	run_stress("direct", &cfg_direct, SHORT_PACKETS, 256);
	run_stress("direct-small", &cfg_direct, SHORT_PACKETS / 4, 5);
}

static void test_csb_kloop_long_eventfd(void **state)
{
	(void)state;
	run_stress("long-eventfd", &cfg_eventfd, LONG_PACKETS, 1024);
}

static void test_csb_kloop_long_busywait(void **state)
{
	(void)state;
	run_stress("long-busywait", &cfg_busywait, LONG_PACKETS, 1024);
}

/* ---- lifecycle */

static void *noop_thread(void *arg)
{
	return arg;
}

static void test_csb_kloop_lifecycle_create_checks(void **state)
{
	struct csb_kloop_cfg bad = cfg_busywait;
	struct csb_wire *w = NULL;
	struct csb_kloop_ring_cfg rc[2];
	struct csb_kloop *kl;

	(void)state;
	assert_int_equal(csb_wire_init(&w, 8), 0);
	memset(rc, 0, sizeof(rc));
	rc[0].kr = &w->tx;
	rc[1].kr = &w->rx;
	rc[0].atok = &w->atok[0];
	rc[1].atok = &w->atok[1];
	rc[0].ktoa = &w->ktoa[0];
	rc[1].ktoa = &w->ktoa[1];
	/* D3: direct mode without eventfds. */
	bad.direct = CSB_DIRECT_TX;
	assert_int_equal(csb_kloop_create(&kl, &bad, rc), -EINVAL);
	assert_null(kl);
	/* Eventfd mode with a ring lacking its ioeventfd. */
	assert_int_equal(csb_kloop_create(&kl, &cfg_eventfd, rc), -EINVAL);
	/* Rings in the wrong order (RX where TX belongs). */
	rc[0].kr = &w->rx;
	assert_int_equal(csb_kloop_create(&kl, &cfg_busywait, rc), -EINVAL);
	rc[0].kr = &w->tx;
	assert_int_equal(csb_kloop_create(&kl, &cfg_busywait, rc), 0);
	csb_kloop_destroy(kl);
	csb_wire_fini(w);
}

static void test_csb_kloop_lifecycle_start_stop(void **state)
{
	const struct csb_kloop_cfg *cfgs[] = { &cfg_eventfd, &cfg_busywait,
					       &cfg_direct };
	size_t i;
	int round;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(cfgs); i++) {
		struct stress *s = stress_new(cfgs[i], 16, true);

		assert_int_equal(threads_named_settle("csb-kloop", 0), 0);
		assert_int_equal(csb_kloop_stop(s->kl), -ENXIO);
		assert_int_equal(csb_kloop_kick(s->kl, 7), -EINVAL);
		for (round = 0; round < 10; round++) {
			assert_int_equal(csb_kloop_start(s->kl), 0);
			assert_int_equal(csb_kloop_start(s->kl), -EBUSY);
			/* Exactly one kloop thread while started ... */
			assert_int_equal(threads_named_settle("csb-kloop", 1), 1);
			assert_int_equal(csb_kloop_stop(s->kl), 0);
			/* ... and none once stopped. */
			assert_int_equal(threads_named_settle("csb-kloop", 0), 0);
			assert_int_equal(s->w->tx.busy, 0);
			assert_int_equal(s->w->rx.busy, 0);
		}
		if (cfgs[i] == &cfg_direct)
			assert_int_equal(csb_kloop_kick(s->kl, 0), -ENXIO);
		stress_free(s);
	}
}

/* Start and create threads of no interest to the kloop, as sanitizer
 * runtimes and libraries may, until told to stop. */
static void *churn_thread(void *arg)
{
	const int *stop = arg;
	struct nm_os_kthread t;

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
		if (nm_os_kthread_create(&t, noop_thread, NULL, "churn-1") != 0)
			abort(); /* not assert_*(): cmocka's longjmp is the main thread's */
		nm_os_kthread_join(&t);
	}
	return NULL;
}

/*
 * Start/stop rounds while another thread keeps starting and joining
 * threads: the kloop check by name holds every time; the old process-wide
 * count (threads0 + 1 while started, threads0 after stop) is printed with
 * how often it was wrong, which is why it is no longer the assertion.
 */
static void test_csb_kloop_lifecycle_start_stop_amid_churn(void **state)
{
	struct stress *s = stress_new(&cfg_eventfd, 16, true);
	struct nm_os_kthread churn;
	int stop = 0, round, threads0, off = 0, checks = 0;

	(void)state;
	assert_int_equal(nm_os_kthread_create(&churn, churn_thread, &stop, "churn"), 0);
	for (round = 0; round < 200; round++) {
		threads0 = count_threads();
		assert_int_equal(csb_kloop_start(s->kl), 0);
		off += count_threads() != threads0 + 1;
		assert_int_equal(threads_named_settle("csb-kloop", 1), 1);
		assert_int_equal(csb_kloop_stop(s->kl), 0);
		off += count_threads() != threads0;
		assert_int_equal(threads_named_settle("csb-kloop", 0), 0);
		checks += 2;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	nm_os_kthread_join(&churn);
	printf("[ CHURN    ] process-wide thread count wrong in %d of %d checks; by name in 0\n",
	       off, checks);
	stress_free(s);
}

/* ---- watchdog: it must see a lost notification when one happens. */

/*
 * A broken guest publishes and swallows the kick while the kloop sleeps.
 * Whether the kloop is already blocked in poll() when the frame lands is
 * up to the scheduler, so try until it was (the detection itself is exact:
 * no false positive is possible, see kloop_watchdog()).
 */
static void test_csb_kloop_watchdog_lost_kick(void **state)
{
	struct stress *s = stress_new(&cfg_eventfd, 16, true);
	struct csb_kloop_stats ks;
	uint32_t head = 0;
	unsigned todo;
	int attempt;

	(void)state;
	assert_int_equal(csb_kloop_start(s->kl), 0);
	for (attempt = 0; attempt < 50; attempt++) {
		struct timespec ts = { 0, 5000000 };

		while (!__atomic_load_n(&s->kl->asleep, __ATOMIC_SEQ_CST))
			sched_yield();
		nanosleep(&ts, NULL);
		csb_wire_put(s->w, head, (uint64_t)attempt);
		head = nm_idx_next(head, 16);
		assert_int_equal(csb_guest_txsync(&s->gtx, head, head, &todo), 0);
		/* Swallow the kick, but record the decision as done. */
		__atomic_store_n(&s->tx_mark, s->gtx.head_total, __ATOMIC_RELEASE);
		/* The watchdog (or the race) gets the frame through. */
		while (nm_os_shared_load32(&s->w->ktoa[0].hwcur) != head)
			sched_yield();
		/* Let the receive side drain so TX never fills. */
		while (nm_os_shared_load32(&s->w->ktoa[1].hwtail) != head)
			sched_yield();
		assert_int_equal(csb_guest_refresh(&s->grx), 0);
		assert_int_equal(csb_guest_rxsync(&s->grx, head, head, &todo), 0);
		if (todo & CSB_DO_NOTIFY)
			csb_kloop_kick(s->kl, 1);
		__atomic_store_n(&s->rx_mark, s->grx.head_total, __ATOMIC_RELEASE);
		if (__atomic_load_n(&s->kl->stats.lost_notifications,
				    __ATOMIC_SEQ_CST) != 0)
			break;
	}
	assert_int_equal(csb_kloop_stop(s->kl), 0);
	csb_kloop_get_stats(s->kl, &ks);
	printf("lost kick detected after %d attempt(s)\n", attempt + 1);
	assert_true(ks.lost_notifications >= 1);
	assert_true(ks.timeouts >= 1);
	stress_free(s);
}

static void test_csb_kloop_watchdog_lost_irq(void **state)
{
	struct stress *s = stress_new(&cfg_eventfd, 16, false); /* RX: no irqfd */
	unsigned todo;
	int r;

	(void)state;
	assert_int_equal(csb_kloop_start(s->kl), 0);
	assert_int_equal(csb_guest_rxsync(&s->grx, 0, 0, &todo), 0);
	assert_true(csb_guest_may_sleep(&s->grx));
	csb_wire_put(s->w, 0, 0);
	assert_int_equal(csb_guest_txsync(&s->gtx, 1, 1, &todo), 0);
	if (todo & CSB_DO_NOTIFY)
		csb_kloop_kick(s->kl, 0);
	do {
		r = csb_kloop_guest_wait(&s->grx, &s->irq[1],
					 csb_kloop_done_mark(s->kl, 1), WD_MS,
					 &s->lost_irq[1]);
	} while (r == -ETIMEDOUT);
	assert_int_equal(r, 1); /* woken by the watchdog, with the frame */
	assert_int_equal(s->lost_irq[1], 1);
	assert_int_equal(csb_wire_get(s->w, 0), 0);
	assert_int_equal(csb_kloop_stop(s->kl), 0);
	stress_free(s);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest lifecycle[] = {
		cmocka_unit_test(test_csb_kloop_lifecycle_create_checks),
		cmocka_unit_test(test_csb_kloop_lifecycle_start_stop),
		cmocka_unit_test(test_csb_kloop_lifecycle_start_stop_amid_churn),
	};
	static const struct CMUnitTest watchdog[] = {
		cmocka_unit_test(test_csb_kloop_watchdog_lost_kick),
		cmocka_unit_test(test_csb_kloop_watchdog_lost_irq),
	};
	static const struct CMUnitTest stress_eventfd[] = {
		cmocka_unit_test(test_csb_kloop_stress_eventfd),
	};
	static const struct CMUnitTest stress_busywait[] = {
		cmocka_unit_test(test_csb_kloop_stress_busywait),
	};
	static const struct CMUnitTest stress_direct[] = {
		cmocka_unit_test(test_csb_kloop_stress_direct),
	};
	static const struct CMUnitTest long_eventfd[] = {
		cmocka_unit_test(test_csb_kloop_long_eventfd),
	};
	static const struct CMUnitTest long_busywait[] = {
		cmocka_unit_test(test_csb_kloop_long_busywait),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP_TAGGED("lifecycle", lifecycle, "tsan"),
		NM_TEST_GROUP_TAGGED("watchdog", watchdog, "tsan"),
		NM_TEST_GROUP_TAGGED("stress_eventfd", stress_eventfd, "tsan"),
		NM_TEST_GROUP_TAGGED("stress_busywait", stress_busywait, "tsan"),
		NM_TEST_GROUP_TAGGED("stress_direct", stress_direct, "tsan"),
		NM_TEST_GROUP_TAGGED("long_eventfd", long_eventfd, "stress"),
		NM_TEST_GROUP_TAGGED("long_busywait", long_busywait, "stress"),
	};

	nm_shim_thread_register();
	nm_shim_log_set_quiet(true);
	return nm_test_main("csb_kloop", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
