/*
 * csb_kloop.c - the shim's sync kloop thread over the core's CSB host steps.
 *
 * Owns: the kloop thread and its passes (every ring stepped until it stops
 * making progress), the three modes (busy-wait naps of sleep_us; eventfd:
 * poll() on the rings' ioeventfds and the wake notifier; direct: rings run
 * by csb_kloop_kick() in the kicker's thread), interrupts through irqfds,
 * and the lost-notification watchdogs of both sides.
 *
 * Invariants: the thread sleeps only after a pass with no progress, and
 * only after announcing it (asleep = 1, seq_cst) and making one more pass,
 * so a direct kick that made progress either sees the announcement and
 * wakes it (kloop_poke()) or is seen by that pass.  A direct ring is run
 * by one thread at a time (running), and a run request that finds it busy
 * (pending) is served by the runner before it leaves.
 * Locking: seq_cst atomics on running/pending/asleep/stopping/inflight; the
 * core steps take the kring gate themselves.
 */
#define _GNU_SOURCE
#include "csb_kloop.h"

#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#define CSB_KLOOP_STEPS_PER_PASS 64U
#define CSB_KLOOP_UNBOUNDED 0xffffffffU

int csb_kloop_create(struct csb_kloop **out, const struct csb_kloop_cfg *cfg,
		     const struct csb_kloop_ring_cfg *rings)
{
	struct csb_kloop *kl;
	uint32_t i, n;
	int err;

	*out = NULL;
	err = csb_kloop_cfg_validate(cfg);
	if (err != 0 || rings == NULL)
		return -EINVAL;
	n = cfg->num_tx_rings + cfg->num_rx_rings;
	for (i = 0; i < n; i++) {
		enum nm_kring_dir dir = i < cfg->num_tx_rings ? NM_KRING_TX
							      : NM_KRING_RX;

		if (rings[i].kr == NULL || rings[i].kr->dir != dir)
			return -EINVAL;
		if (csb_check_layout(rings[i].atok, rings[i].ktoa, 1) != 0)
			return -EINVAL;
		if (cfg->eventfds && rings[i].ioeventfd == NULL)
			return -EINVAL;
	}
	kl = nm_os_zalloc(sizeof(*kl));
	if (kl == NULL)
		return -ENOMEM;
	kl->rings = nm_os_zalloc((size_t)n * sizeof(*kl->rings));
	if (kl->rings == NULL) {
		err = -ENOMEM;
		goto err_rings;
	}
	kl->pollfds = nm_os_zalloc((size_t)(n + 1) * sizeof(struct pollfd));
	if (kl->pollfds == NULL) {
		err = -ENOMEM;
		goto err_init;
	}
	kl->cfg = *cfg;
	kl->num_rings = n;
	kl->wd_ms = 1000;
	for (i = 0; i < n; i++) {
		struct csb_kloop_ring *r = &kl->rings[i];

		err = csb_host_ring_init(&r->host, rings[i].kr, rings[i].atok,
					 rings[i].ktoa,
					 csb_kloop_cfg_mode(cfg, rings[i].kr->dir));
		if (err != 0)
			goto err_init;
		r->ioeventfd = rings[i].ioeventfd;
		r->irqfd = rings[i].irqfd;
		r->peer_done = rings[i].peer_done;
	}
	err = nm_shim_notifier_init(&kl->wake);
	if (err != 0)
		goto err_init;
	*out = kl;
	return 0;

err_init:
	nm_os_free(kl->pollfds);
	nm_os_free(kl->rings);
err_rings:
	nm_os_free(kl);
	return err;
}

void csb_kloop_destroy(struct csb_kloop *kl)
{
	if (kl == NULL)
		return;
	if (__atomic_load_n(&kl->started, __ATOMIC_SEQ_CST))
		abort(); /* destroying a running kloop is a caller bug */
	nm_shim_notifier_fini(&kl->wake);
	nm_os_free(kl->pollfds);
	nm_os_free(kl->rings);
	nm_os_free(kl);
}

void csb_kloop_set_watchdog_ms(struct csb_kloop *kl, uint32_t ms)
{
	kl->wd_ms = ms != 0 ? ms : 1;
}

void csb_kloop_set_spin_us(struct csb_kloop *kl, uint32_t us)
{
	kl->spin_ns = (uint64_t)us * 1000ULL;
}

/* Run up to max steps of ring r; true if any made progress. */
static bool kloop_run_steps(struct csb_kloop *kl, struct csb_kloop_ring *r,
			    unsigned flags, uint32_t max)
{
	bool progress = false;
	unsigned todo;
	uint32_t i;
	int err;

	for (i = 0; i < max; i++) {
		err = csb_host_step(&r->host, flags, &todo);
		if (err != 0)
			__atomic_fetch_add(&kl->stats.step_errors, 1,
					   __ATOMIC_RELAXED);
		if (err == -EBUSY)
			break;
		if ((todo & CSB_DO_NOTIFY) != 0 && r->irqfd != NULL)
			nm_os_notify(r->irqfd);
		/* After the interrupt (if any): the guest's watchdog reads
		 * this mark, then looks for a pending interrupt. */
		__atomic_store_n(&r->done, r->host.hwtail_total,
				 __ATOMIC_RELEASE);
		r->last = todo;
		if ((todo & CSB_DO_AGAIN) == 0)
			break;
		progress = true;
	}
	return progress;
}

/* Run a direct ring here, or leave it to the thread already running it. */
static bool kloop_run_direct(struct csb_kloop *kl, struct csb_kloop_ring *r,
			     unsigned flags, uint32_t max)
{
	bool progress = false;
	uint32_t idle;

	__atomic_store_n(&r->pending, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		idle = 0;
		if (!__atomic_compare_exchange_n(&r->running, &idle, 1, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			return progress; /* the runner will see pending */
		while (__atomic_exchange_n(&r->pending, 0, __ATOMIC_SEQ_CST))
			progress |= kloop_run_steps(kl, r, flags, max);
		__atomic_store_n(&r->running, 0, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&r->pending, __ATOMIC_SEQ_CST))
			return progress;
	}
}

static bool kloop_ring_is_direct(const struct csb_kloop_ring *r)
{
	return r->host.mode == CSB_MODE_DIRECT;
}

/* One pass over every ring; true if any made progress. */
static bool kloop_pass(struct csb_kloop *kl, unsigned flags)
{
	bool progress = false;
	uint32_t i;

	for (i = 0; i < kl->num_rings; i++) {
		struct csb_kloop_ring *r = &kl->rings[i];

		if (kloop_ring_is_direct(r))
			progress |= kloop_run_direct(kl, r, flags,
						     CSB_KLOOP_STEPS_PER_PASS);
		else
			progress |= kloop_run_steps(kl, r, flags,
						    CSB_KLOOP_STEPS_PER_PASS);
	}
	kl->stats.passes++;
	return progress;
}

/* Is a notification waiting on n (without consuming it)? */
static bool notifier_pending(const struct nm_os_notifier *n)
{
	struct pollfd pfd = { .fd = n->fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

static void notifier_drain(const struct nm_os_notifier *n)
{
	uint64_t v;

	if (read(n->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		abort();
}

/*
 * After a watchdog timeout: is a ring asleep with kicks enabled while the
 * application has published work it decided about and no kick is pending?
 */
static void kloop_watchdog(struct csb_kloop *kl)
{
	uint32_t i;

	for (i = 0; i < kl->num_rings; i++) {
		struct csb_kloop_ring *r = &kl->rings[i];
		bool work;

		if (r->host.mode != CSB_MODE_EVENTFD || !r->host.kick_enabled ||
		    (r->last & CSB_DO_SLEEP) == 0)
			continue;
		if (r->peer_done != NULL) {
			/* Exact: the guest stores its mark after its kick. */
			work = __atomic_load_n(r->peer_done, __ATOMIC_ACQUIRE) >
			       r->host.head_total;
		} else {
			/* Best effort: the guest had a whole period to kick. */
			work = nm_os_shared_load32(&r->host.atok->head) !=
			       r->host.kr->rhead;
		}
		if (work && !notifier_pending(r->ioeventfd)) {
			__atomic_fetch_add(&kl->stats.lost_notifications, 1,
					   __ATOMIC_RELAXED);
			nm_os_log_warn_rl("csb kloop: lost kick on ring %u (%s)",
					  i, r->host.kr->name);
		}
	}
}

/* Block until a kick, a wake-up or the watchdog period; >0 if notified. */
static int kloop_wait(struct csb_kloop *kl)
{
	struct pollfd *pfd = kl->pollfds;
	uint32_t i, n = 0;
	int r;

	for (i = 0; i < kl->num_rings; i++) {
		if (kl->rings[i].host.mode != CSB_MODE_EVENTFD)
			continue;
		pfd[n].fd = kl->rings[i].ioeventfd->fd;
		pfd[n].events = POLLIN;
		n++;
	}
	pfd[n].fd = kl->wake.fd;
	pfd[n].events = POLLIN;
	n++;
	do {
		r = poll(pfd, n, (int)kl->wd_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		abort();
	for (i = 0; i < n && r > 0; i++) {
		uint64_t v;

		if ((pfd[i].revents & POLLIN) != 0 &&
		    read(pfd[i].fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			abort();
	}
	return r;
}

static void *kloop_main(void *arg)
{
	struct csb_kloop *kl = arg;
	bool woken = false, progress, poll_pass;
	uint64_t idle_since = 0;
	int r;

	while (!__atomic_load_n(&kl->stopping, __ATOMIC_SEQ_CST)) {
		/* Spin (kicks stay off) for spin_ns after the last progress;
		 * the pass that ends the spin enables kicks and re-checks. */
		poll_pass = kl->spin_ns != 0 &&
			    (idle_since == 0 ||
			     nm_os_time_ns() - idle_since < kl->spin_ns);
		progress = kloop_pass(kl, poll_pass ? CSB_STEP_POLL : 0);
		if (woken && !progress)
			kl->stats.spurious++;
		woken = false;
		if (progress) {
			idle_since = 0;
			continue;
		}
		if (poll_pass) {
			if (idle_since == 0)
				idle_since = nm_os_time_ns();
			continue;
		}
		idle_since = 0;
		if (!kl->cfg.eventfds) {
			kl->stats.naps++;
			if (kl->cfg.sleep_us > 0)
				usleep(kl->cfg.sleep_us);
			else
				sched_yield();
			continue;
		}
		/* Announce the sleep, then look once more: a direct kick that
		 * made progress before seeing asleep = 1 is visible to this
		 * pass (seq_cst pairs with the fetch in kloop_poke()). */
		__atomic_exchange_n(&kl->asleep, 1, __ATOMIC_SEQ_CST);
		if (kloop_pass(kl, 0) ||
		    __atomic_load_n(&kl->stopping, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&kl->asleep, 0, __ATOMIC_SEQ_CST);
			continue;
		}
		kl->stats.sleeps++;
		r = kloop_wait(kl);
		__atomic_store_n(&kl->asleep, 0, __ATOMIC_SEQ_CST);
		if (r > 0) {
			kl->stats.wakeups++;
			woken = true;
		} else {
			kl->stats.timeouts++;
			kloop_watchdog(kl);
		}
	}
	return NULL;
}

int csb_kloop_start(struct csb_kloop *kl)
{
	int err;

	if (__atomic_load_n(&kl->started, __ATOMIC_SEQ_CST))
		return -EBUSY;
	__atomic_store_n(&kl->stopping, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&kl->started, 1, __ATOMIC_SEQ_CST);
	err = nm_os_kthread_create(&kl->thread, kloop_main, kl, "csb-kloop");
	if (err != 0)
		__atomic_store_n(&kl->started, 0, __ATOMIC_SEQ_CST);
	return err;
}

int csb_kloop_stop(struct csb_kloop *kl)
{
	uint32_t i;

	if (!__atomic_load_n(&kl->started, __ATOMIC_SEQ_CST))
		return -ENXIO;
	__atomic_store_n(&kl->stopping, 1, __ATOMIC_SEQ_CST);
	nm_os_notify(&kl->wake);
	nm_os_kthread_join(&kl->thread);
	/* Direct kicks that got in before stopping was visible finish. */
	while (__atomic_load_n(&kl->inflight, __ATOMIC_SEQ_CST) != 0)
		sched_yield();
	for (i = 0; i < kl->num_rings; i++) {
		struct csb_kloop_ring *r = &kl->rings[i];

		if (__atomic_load_n(&r->host.kr->busy, __ATOMIC_SEQ_CST) ||
		    __atomic_load_n(&r->running, __ATOMIC_SEQ_CST))
			nm_os_invariant_failed("ring busy after kloop stop",
					       __FILE__, __LINE__);
	}
	kl->stats.direct_runs =
		__atomic_load_n(&kl->direct_runs, __ATOMIC_SEQ_CST);
	__atomic_store_n(&kl->started, 0, __ATOMIC_SEQ_CST);
	return 0;
}

/* Progress made outside the thread: wake it if it announced a sleep. */
static void kloop_poke(struct csb_kloop *kl)
{
	/* A read-modify-write, so it is ordered against the exchange of
	 * asleep (seq_cst on one location): our progress before the thread's
	 * last look, or its asleep = 1 before our read.  Pairs with the
	 * exchange in kloop_main(). */
	if (__atomic_fetch_add(&kl->asleep, 0, __ATOMIC_SEQ_CST) != 0)
		nm_os_notify(&kl->wake);
}

int csb_kloop_kick(struct csb_kloop *kl, uint32_t ring)
{
	struct csb_kloop_ring *r;
	bool progress;

	if (ring >= kl->num_rings)
		return -EINVAL;
	r = &kl->rings[ring];
	if (!kloop_ring_is_direct(r)) {
		if (r->ioeventfd != NULL) /* busy-wait mode polls instead */
			nm_os_notify(r->ioeventfd);
		return 0;
	}
	__atomic_fetch_add(&kl->inflight, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&kl->stopping, __ATOMIC_SEQ_CST) ||
	    !__atomic_load_n(&kl->started, __ATOMIC_SEQ_CST)) {
		__atomic_fetch_sub(&kl->inflight, 1, __ATOMIC_SEQ_CST);
		return -ENXIO;
	}
	progress = kloop_run_direct(kl, r, 0, CSB_KLOOP_UNBOUNDED);
	__atomic_fetch_add(&kl->direct_runs, 1, __ATOMIC_RELAXED);
	if (progress)
		kloop_poke(kl); /* the backend may have work for other rings */
	__atomic_fetch_sub(&kl->inflight, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int csb_kloop_guest_wait(struct csb_guest *g, struct nm_os_notifier *irq,
			 const uint64_t *host_done, int wd_ms, uint64_t *lost)
{
	uint64_t seen = g->hwtail_total; /* as of the re-check */
	int64_t r;

	r = nm_shim_notifier_wait(irq, wd_ms);
	if (r < 0)
		return (int)r;
	if (r == 0) {
		if (host_done == NULL ||
		    __atomic_load_n(host_done, __ATOMIC_ACQUIRE) <= seen)
			return -ETIMEDOUT;
		/* The kernel handed slots over after our re-check and
		 * finished deciding; unless its interrupt is pending now,
		 * the decision was "no interrupt": lost. */
		if (notifier_pending(irq))
			notifier_drain(irq);
		else if (lost != NULL)
			(*lost)++;
	}
	return csb_guest_woken(g) ? 1 : 0;
}

const struct csb_host_ring *csb_kloop_host(const struct csb_kloop *kl,
					   uint32_t ring)
{
	return ring < kl->num_rings ? &kl->rings[ring].host : NULL;
}

const uint64_t *csb_kloop_done_mark(const struct csb_kloop *kl, uint32_t ring)
{
	return ring < kl->num_rings ? &kl->rings[ring].done : NULL;
}

void csb_kloop_get_stats(const struct csb_kloop *kl,
			 struct csb_kloop_stats *out)
{
	*out = kl->stats;
	out->step_errors =
		__atomic_load_n(&kl->stats.step_errors, __ATOMIC_RELAXED);
	out->direct_runs = __atomic_load_n(&kl->direct_runs, __ATOMIC_RELAXED);
}
