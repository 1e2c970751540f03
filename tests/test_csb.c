/*
 * test_csb.c - the CSB protocol's two sides, driven step by step in one
 * thread over a wire (TX kring -> RX kring, zero-copy).
 *
 * Groups: init (initial flag and index values), suppress (every kick,
 * interrupt and sleep decision at its boundaries), index (wrap, full and
 * empty rings, sizes 2..4096), hostile (bad atok for the kernel side, bad
 * ktoa for the application side, other rings keep being served, recovery),
 * opts (option validation, defect D3; CSB layout).
 */
#include "nm_test.h"

#include "csb.h"
#include "csb_wire.h"
#include "nm_shim.h"

struct fx {
	struct csb_wire *w;
	struct csb_host_ring htx, hrx;
	struct csb_guest gtx, grx;
	uint64_t next_tx, next_rx; /* sequence numbers sent / expected */
	bool stall_tx;		   /* TX backend takes nothing */
};

static struct fx *cur_fx; /* the one fixture a stalling backend looks at */

static int maybe_stalling_txsync(struct nm_kring *kr, uint32_t flags)
{
	if (cur_fx != NULL && cur_fx->stall_tx)
		return 0;
	return csb_wire_txsync(kr, flags);
}

static struct fx *fx_new(uint32_t n, enum csb_host_mode mode)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(csb_wire_init(&f->w, n), 0);
	f->w->tx.sync = maybe_stalling_txsync;
	assert_int_equal(csb_host_ring_init(&f->htx, &f->w->tx, &f->w->atok[0],
					    &f->w->ktoa[0], mode),
			 0);
	assert_int_equal(csb_host_ring_init(&f->hrx, &f->w->rx, &f->w->atok[1],
					    &f->w->ktoa[1], mode),
			 0);
	assert_int_equal(csb_guest_init(&f->gtx, NM_KRING_TX, n, &f->w->atok[0],
					&f->w->ktoa[0]),
			 0);
	assert_int_equal(csb_guest_init(&f->grx, NM_KRING_RX, n, &f->w->atok[1],
					&f->w->ktoa[1]),
			 0);
	cur_fx = f;
	return f;
}

static void fx_free(struct fx *f)
{
	cur_fx = NULL;
	csb_wire_fini(f->w);
	free(f);
}

/* Application: send k frames (k <= space) and publish; returns CSB_DO_*. */
static unsigned tx_send(struct fx *f, uint32_t k)
{
	struct csb_guest *g = &f->gtx;
	uint32_t head = g->head, i;
	unsigned todo;

	assert_true(k <= csb_guest_space(g));
	for (i = 0; i < k; i++) {
		csb_wire_put(f->w, head, f->next_tx++);
		head = nm_idx_next(head, g->num_slots);
	}
	assert_int_equal(csb_guest_txsync(g, head, head, &todo), 0);
	return todo;
}

/* Application: refresh, take every frame (checking order), release. */
static uint32_t rx_recv(struct fx *f, unsigned *todo)
{
	struct csb_guest *g = &f->grx;
	uint32_t head, k = 0;
	unsigned t;

	assert_int_equal(csb_guest_rxsync(g, g->head, g->cur, &t), 0);
	head = g->head;
	while (head != g->hwtail) {
		assert_int_equal(csb_wire_get(f->w, head), f->next_rx);
		f->next_rx++;
		head = nm_idx_next(head, g->num_slots);
		k++;
	}
	assert_int_equal(csb_guest_rxsync(g, head, head, &t), 0);
	if (todo != NULL)
		*todo = t;
	return k;
}

/* Kernel: step until the ring stops making progress; OR of what it said. */
static unsigned host_run(struct csb_host_ring *hr)
{
	unsigned all = 0, todo;
	int i;

	for (i = 0; i < 10000; i++) {
		assert_int_equal(csb_host_step(hr, 0, &todo), 0);
		all |= todo;
		if ((todo & CSB_DO_AGAIN) == 0)
			return all & ~(unsigned)CSB_DO_AGAIN;
	}
	fail_msg("host ring never went idle");
	return 0;
}

static uint64_t cnt(const struct nm_os_counter *c)
{
	return nm_os_counter_read(c);
}

/* ---- init */

static void test_csb_init_flag_values(void **state)
{
	static const uint32_t sizes[] = { 2, 3, 1024, 4096 };
	size_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(sizes); i++) {
		uint32_t n = sizes[i];
		struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
		struct csb_wire *w = f->w;

		assert_int_equal(w->atok[0].head, 0);
		assert_int_equal(w->atok[0].cur, 0);
		assert_int_equal(w->atok[0].appl_need_kick, 1);
		assert_int_equal(w->atok[0].sync_flags, NAF_FORCE_READ);
		assert_int_equal(w->ktoa[0].hwcur, 0);
		assert_int_equal(w->ktoa[0].hwtail, n - 1); /* TX: all free */
		assert_int_equal(w->ktoa[0].kern_need_kick, 1);
		assert_int_equal(w->ktoa[1].hwtail, 0); /* RX: empty */
		assert_int_equal(w->ktoa[1].kern_need_kick, 1);
		assert_int_equal(w->atok[1].appl_need_kick, 1);
		assert_true(f->htx.kick_enabled);
		assert_true(f->gtx.irq_enabled);
		assert_int_equal(csb_guest_space(&f->gtx), n - 1);
		assert_int_equal(csb_guest_space(&f->grx), 0);
		assert_true(csb_guest_would_block(&f->grx));
		assert_false(csb_guest_would_block(&f->gtx));
		fx_free(f);
	}
}

/* The kernel has not run yet: its flag says "kick me", so the first
 * publication kicks (a wrong initial value would strand it). */
static void test_csb_init_first_publish_kicks(void **state)
{
	struct fx *f = fx_new(16, CSB_MODE_EVENTFD);

	(void)state;
	assert_int_equal(tx_send(f, 1), CSB_DO_NOTIFY);
	assert_int_equal(cnt(&f->gtx.stats.kicks_sent), 1);
	/* The first sync turned interrupts off: the guest is running. */
	assert_int_equal(f->w->atok[0].appl_need_kick, 0);
	fx_free(f);
}

static void test_csb_init_rejects_bad_setup(void **state)
{
	struct fx *f = fx_new(8, CSB_MODE_EVENTFD);
	struct csb_host_ring hr;
	struct csb_guest g;

	(void)state;
	assert_int_equal(csb_host_ring_init(&hr, &f->w->tx,
					    (struct nm_csb_atok *)((char *)&f->w->atok[0] + 4),
					    &f->w->ktoa[0], CSB_MODE_EVENTFD),
			 -EINVAL);
	assert_int_equal(csb_host_ring_init(&hr, &f->w->tx, &f->w->atok[0],
					    &f->w->ktoa[0], (enum csb_host_mode)7),
			 -EINVAL);
	assert_int_equal(csb_guest_init(&g, NM_KRING_TX, 1, &f->w->atok[0],
					&f->w->ktoa[0]),
			 -EINVAL);
	f->w->ktoa[0].hwtail = 8; /* >= n */
	assert_int_equal(csb_guest_init(&g, NM_KRING_TX, 8, &f->w->atok[0],
					&f->w->ktoa[0]),
			 -EINVAL);
	fx_free(f);
}

/* ---- suppress */

/* Guest kick: only for a changed index, only when the kernel asks. */
static void test_csb_suppress_guest_kick_boundaries(void **state)
{
	struct fx *f = fx_new(64, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	/* Kernel asks (initial 1), nothing changed: no kick. */
	assert_int_equal(csb_guest_txsync(&f->gtx, 0, 0, &todo), 0);
	assert_int_equal(todo, 0);
	/* Kernel asks, head changed: kick. */
	assert_int_equal(tx_send(f, 1), CSB_DO_NOTIFY);
	/* Kernel running (flag cleared on entry), head changed: suppressed. */
	f->w->ktoa[0].kern_need_kick = 0;
	assert_int_equal(tx_send(f, 1), 0);
	assert_int_equal(cnt(&f->gtx.stats.kicks_suppressed), 1);
	/* Only cur moved (a wake-up point): that is a change too. */
	f->w->ktoa[0].kern_need_kick = 1;
	assert_int_equal(csb_guest_txsync(&f->gtx, f->gtx.head,
					  nm_idx_next(f->gtx.head, 64), &todo),
			 0);
	assert_int_equal(todo, CSB_DO_NOTIFY);
	assert_int_equal(cnt(&f->gtx.stats.kicks_sent), 2);
	fx_free(f);
}

/* Kernel: kicks off while running, on (with re-check) when idle. */
static void test_csb_suppress_host_kick_toggle(void **state)
{
	struct fx *f = fx_new(64, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	tx_send(f, 5);
	assert_int_equal(csb_host_step(&f->htx, 0, &todo), 0);
	assert_true(todo & CSB_DO_AGAIN);
	assert_int_equal(f->w->ktoa[0].kern_need_kick, 0); /* running */
	assert_int_equal(f->w->ktoa[0].hwcur, 5);
	/* Published while the kernel runs: no kick needed. */
	assert_int_equal(tx_send(f, 3), 0);
	assert_int_equal(host_run(&f->htx), CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[0].kern_need_kick, 1); /* asleep */
	assert_int_equal(cnt(&f->htx.stats.sleeps), 1);
	assert_int_equal(f->htx.head_total, 8);
	/* Now a publication kicks. */
	assert_int_equal(tx_send(f, 1), CSB_DO_NOTIFY);
	fx_free(f);
}

/* CSB_STEP_POLL: an idle ring stays with kicks off. */
static void test_csb_suppress_poll_keeps_kicks_off(void **state)
{
	struct fx *f = fx_new(64, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	assert_int_equal(csb_host_step(&f->htx, CSB_STEP_POLL, &todo), 0);
	assert_int_equal(todo, CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[0].kern_need_kick, 0);
	assert_int_equal(cnt(&f->htx.stats.sleeps), 0);
	assert_int_equal(csb_host_step(&f->htx, 0, &todo), 0);
	assert_int_equal(todo, CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[0].kern_need_kick, 1);
	fx_free(f);
}

/* Interrupt: only when hwtail moved, only when the guest asks. */
static void test_csb_suppress_irq_boundaries(void **state)
{
	struct fx *f = fx_new(64, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	/* RX guest with nothing: it may sleep (interrupts on). */
	assert_true(csb_guest_may_sleep(&f->grx));
	assert_int_equal(f->w->atok[1].appl_need_kick, 1);
	/* RX kernel step with nothing new: hwtail unchanged, no decision. */
	assert_int_equal(csb_host_step(&f->hrx, 0, &todo), 0);
	assert_int_equal(todo, CSB_DO_WAIT_BACKEND);
	assert_int_equal(cnt(&f->hrx.stats.irqs_sent) +
				 cnt(&f->hrx.stats.irqs_suppressed),
			 0);
	/* A frame arrives: hwtail moves, the guest asked: interrupt. */
	tx_send(f, 1);
	host_run(&f->htx);
	assert_true(host_run(&f->hrx) & CSB_DO_NOTIFY);
	assert_int_equal(cnt(&f->hrx.stats.irqs_sent), 1);
	assert_true(csb_guest_woken(&f->grx));
	assert_int_equal(f->w->atok[1].appl_need_kick, 0);
	assert_int_equal(rx_recv(f, NULL), 1);
	/* Guest running (interrupts off): the next frame is suppressed. */
	tx_send(f, 1);
	host_run(&f->htx);
	assert_false(host_run(&f->hrx) & CSB_DO_NOTIFY);
	assert_int_equal(cnt(&f->hrx.stats.irqs_suppressed), 1);
	/* TX side: the guest never asked after its first sync. */
	assert_int_equal(cnt(&f->htx.stats.irqs_sent), 0);
	fx_free(f);
}

/* TX kernel: the backend holding slots means WAIT_BACKEND, not SLEEP. */
static void test_csb_suppress_tx_wait_backend(void **state)
{
	struct fx *f = fx_new(8, CSB_MODE_EVENTFD);

	(void)state;
	f->stall_tx = true;
	tx_send(f, 2);
	assert_int_equal(host_run(&f->htx), CSB_DO_WAIT_BACKEND);
	assert_int_equal(f->w->ktoa[0].kern_need_kick, 0);
	f->stall_tx = false;
	assert_int_equal(host_run(&f->htx), CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[0].hwcur, 2);
	fx_free(f);
}

/* RX kernel: the guest holding no slot -> backend (kicks off); holding one
 * -> SLEEP with kicks on, so that its release kicks; a full ring too. */
static void test_csb_suppress_rx_held_boundary(void **state)
{
	const uint32_t n = 8;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	/* Nothing received: only the backend can change anything. */
	assert_int_equal(host_run(&f->hrx), CSB_DO_WAIT_BACKEND);
	assert_int_equal(f->w->ktoa[1].kern_need_kick, 0);
	/* One frame held by the guest: it may release it at any time. */
	tx_send(f, 1);
	host_run(&f->htx);
	assert_int_equal(host_run(&f->hrx) & ~(unsigned)CSB_DO_NOTIFY,
			 CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[1].kern_need_kick, 1);
	assert_int_equal(rx_recv(f, &todo), 1);
	assert_int_equal(todo, CSB_DO_NOTIFY);
	/* The release taken, the guest holds nothing: backend again. */
	assert_int_equal(host_run(&f->hrx), CSB_DO_WAIT_BACKEND);
	assert_int_equal(f->w->ktoa[1].kern_need_kick, 0);
	assert_int_equal(f->w->ktoa[1].hwcur, 1);
	host_run(&f->htx); /* the sender's slot comes back */
	assert_int_equal(csb_guest_refresh(&f->gtx), 0);
	tx_send(f, n - 1); /* now n - 1 frames: full */
	host_run(&f->htx);
	assert_int_equal(host_run(&f->hrx) & ~(unsigned)CSB_DO_NOTIFY,
			 CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[1].kern_need_kick, 1);
	/* The guest releasing slots must kick the sleeping RX kernel. */
	assert_int_equal(rx_recv(f, &todo), n - 1);
	assert_int_equal(todo, CSB_DO_NOTIFY);
	fx_free(f);
}

/*
 * The stranded release: an RX ring with free slots whose guest holds
 * frames.  A release made after the kernel's last read of atok must kick
 * it: otherwise the freed slots reach hwcur (and the sender's TX hwtail,
 * over a zero-copy pipe) only at the backend's next event, and a sender
 * that needs those slots never makes one.
 */
static void test_csb_suppress_rx_release_not_stranded(void **state)
{
	const uint32_t n = 8;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	tx_send(f, n - 2); /* the RX ring keeps one free slot */
	host_run(&f->htx);
	host_run(&f->hrx);
	assert_int_equal(f->w->ktoa[1].hwtail, n - 2);
	/* The sender has one slot left; the receiver drains and releases. */
	assert_int_equal(csb_guest_refresh(&f->gtx), 0);
	assert_int_equal(csb_guest_space(&f->gtx), 1);
	assert_int_equal(rx_recv(f, &todo), n - 2);
	assert_int_equal(todo, CSB_DO_NOTIFY);
	/* Kicked, the RX kernel hands the slots back to the wire, and the
	 * TX kernel (woken by its backend) returns them to the sender. */
	host_run(&f->hrx);
	assert_int_equal(f->w->ktoa[1].hwcur, n - 2);
	host_run(&f->htx);
	assert_int_equal(csb_guest_refresh(&f->gtx), 0);
	assert_int_equal(csb_guest_space(&f->gtx), n - 1);
	fx_free(f);
}

/* Guest sleep decision at its boundary: cur == hwtail. */
static void test_csb_suppress_guest_may_sleep(void **state)
{
	const uint32_t n = 4;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);

	(void)state;
	assert_false(csb_guest_may_sleep(&f->gtx)); /* 3 free slots */
	assert_int_equal(cnt(&f->gtx.stats.sleeps), 0);
	tx_send(f, n - 2);
	assert_false(csb_guest_may_sleep(&f->gtx)); /* 1 free slot */
	tx_send(f, 1);
	assert_true(csb_guest_may_sleep(&f->gtx)); /* full */
	assert_int_equal(f->w->atok[0].appl_need_kick, 1);
	/* Woken with nothing to do: spurious, interrupts stay on. */
	assert_false(csb_guest_woken(&f->gtx));
	assert_int_equal(cnt(&f->gtx.stats.spurious), 1);
	assert_int_equal(f->w->atok[0].appl_need_kick, 1);
	fx_free(f);
}

static void test_csb_suppress_busy_wait_never_kicks(void **state)
{
	struct fx *f = fx_new(16, CSB_MODE_BUSY_WAIT);
	int i;

	(void)state;
	host_run(&f->htx);
	assert_int_equal(f->w->ktoa[0].kern_need_kick, 0);
	for (i = 0; i < 20; i++) {
		assert_int_equal(tx_send(f, 3), 0);
		assert_int_equal(host_run(&f->htx), CSB_DO_SLEEP);
		host_run(&f->hrx);
		rx_recv(f, NULL);
		assert_int_equal(f->w->ktoa[0].kern_need_kick, 0);
	}
	assert_int_equal(cnt(&f->gtx.stats.kicks_sent), 0);
	assert_int_equal(cnt(&f->htx.stats.sleeps), 0);
	assert_int_equal(f->next_rx, 60);
	fx_free(f);
}

static void test_csb_suppress_direct_always_kicks(void **state)
{
	struct fx *f = fx_new(16, CSB_MODE_DIRECT);
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_int_equal(tx_send(f, 2), CSB_DO_NOTIFY);
		host_run(&f->htx);
		assert_int_equal(f->w->ktoa[0].kern_need_kick, 1);
	}
	fx_free(f);
}

/* ---- index */

/* Many frames through small and odd rings: wrap, order, totals. */
static void test_csb_index_wrap(void **state)
{
	static const uint32_t sizes[] = { 2, 3, 7, 1000, 4096 };
	size_t s;

	(void)state;
	for (s = 0; s < NM_ARRAY_SIZE(sizes); s++) {
		uint32_t n = sizes[s], round;
		struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
		uint64_t total = 3ULL * n + 5;

		for (round = 0; f->next_rx < total; round++) {
			uint32_t space = csb_guest_space(&f->gtx);
			uint32_t k = (uint32_t)nm_min_u32(space, 1 + round % 5);

			if (f->next_tx + k > total)
				k = (uint32_t)(total - f->next_tx);
			if (k > 0)
				tx_send(f, k);
			host_run(&f->htx);
			host_run(&f->hrx);
			rx_recv(f, NULL);
			host_run(&f->hrx);
			host_run(&f->htx);
			assert_int_equal(csb_guest_refresh(&f->gtx), 0);
			assert_true(nm_kring_valid(&f->w->tx));
			assert_true(nm_kring_valid(&f->w->rx));
			assert_true(round < 100000);
		}
		assert_int_equal(f->next_rx, total);
		assert_int_equal(f->gtx.head_total, total);
		assert_int_equal(f->htx.head_total, total);
		assert_int_equal(f->hrx.hwtail_total, total);
		assert_int_equal(f->grx.hwtail_total, total);
		assert_int_equal(f->gtx.head, (uint32_t)(total % n));
		fx_free(f);
	}
}

/* A full TX ring: n - 1 frames outstanding, no space until RX releases. */
static void test_csb_index_full_ring(void **state)
{
	const uint32_t n = 16;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	tx_send(f, n - 1);
	assert_int_equal(csb_guest_space(&f->gtx), 0);
	assert_true(csb_guest_would_block(&f->gtx));
	/* Publishing more than the space is refused, nothing published. */
	assert_int_equal(csb_guest_txsync(&f->gtx, nm_idx_next(f->gtx.head, n),
					  nm_idx_next(f->gtx.head, n), &todo),
			 -EINVAL);
	assert_int_equal(f->w->atok[0].head, n - 1);
	assert_int_equal(cnt(&f->gtx.stats.bad_args), 1);
	assert_true(csb_guest_may_sleep(&f->gtx));
	host_run(&f->htx);
	host_run(&f->hrx);
	/* RX holds everything, TX is still full. */
	assert_int_equal(csb_guest_refresh(&f->gtx), 0);
	assert_int_equal(csb_guest_space(&f->gtx), 0);
	assert_int_equal(rx_recv(f, NULL), n - 1);
	host_run(&f->hrx);
	/* TX learns of the space at its next step, and interrupts. */
	assert_true(host_run(&f->htx) & CSB_DO_NOTIFY);
	assert_true(csb_guest_woken(&f->gtx));
	assert_int_equal(csb_guest_space(&f->gtx), n - 1);
	fx_free(f);
}

static void test_csb_index_empty_ring(void **state)
{
	struct fx *f = fx_new(16, CSB_MODE_EVENTFD);

	(void)state;
	assert_int_equal(rx_recv(f, NULL), 0);
	assert_true(csb_guest_may_sleep(&f->grx));
	assert_int_equal(host_run(&f->hrx), CSB_DO_WAIT_BACKEND);
	assert_int_equal(host_run(&f->htx), CSB_DO_SLEEP);
	assert_int_equal(f->w->ktoa[1].hwtail, 0);
	assert_int_equal(f->w->ktoa[1].hwcur, 0);
	fx_free(f);
}

/* ---- hostile */

struct kring_snap {
	uint32_t hwcur, hwtail, rhead, rcur, rtail;
	uint32_t k_hwcur, k_hwtail;
};

static void kring_snap(const struct fx *f, const struct nm_kring *kr,
		       int ring, struct kring_snap *s)
{
	s->hwcur = kr->hwcur;
	s->hwtail = kr->hwtail;
	s->rhead = kr->rhead;
	s->rcur = kr->rcur;
	s->rtail = kr->rtail;
	s->k_hwcur = f->w->ktoa[ring].hwcur;
	s->k_hwtail = f->w->ktoa[ring].hwtail;
}

static void host_expect_rejected(struct fx *f, struct csb_host_ring *hr,
				 int ring, uint32_t head, uint32_t cur)
{
	struct kring_snap a, b;
	uint64_t bad = cnt(&hr->stats.bad_atok);
	unsigned todo;

	kring_snap(f, hr->kr, ring, &a);
	f->w->atok[ring].head = head;
	f->w->atok[ring].cur = cur;
	assert_int_equal(csb_host_step(hr, 0, &todo), -EINVAL);
	assert_int_equal(todo, CSB_DO_SLEEP);
	kring_snap(f, hr->kr, ring, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(cnt(&hr->stats.bad_atok), bad + 1);
	/* Kicks on, so the application's correction is noticed. */
	assert_int_equal(f->w->ktoa[ring].kern_need_kick, 1);
}

static void test_csb_hostile_atok_rejected(void **state)
{
	const uint32_t n = 16;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);

	(void)state;
	tx_send(f, 4);
	host_run(&f->htx);
	host_run(&f->hrx); /* RX: hwcur 0, hwtail 4 */
	/* TX: rhead 4, rtail 3 (all free again) */
	host_expect_rejected(f, &f->htx, 0, n, n);	     /* head >= n */
	host_expect_rejected(f, &f->htx, 0, 5, n);	     /* cur >= n */
	host_expect_rejected(f, &f->htx, 0, 0xffffffffU, 4); /* huge head */
	host_expect_rejected(f, &f->htx, 0, 3, 3);	     /* head back */
	host_expect_rejected(f, &f->htx, 0, 6, 5);	     /* cur < head */
	/* RX: head beyond hwtail, cur beyond hwtail, cur >= n. */
	host_expect_rejected(f, &f->hrx, 1, 5, 5);
	host_expect_rejected(f, &f->hrx, 1, 2, 6);
	host_expect_rejected(f, &f->hrx, 1, 2, n);
	fx_free(f);
}

/* A bad ring does not stop the others, and recovers when corrected. */
static void test_csb_hostile_other_rings_served_and_recovery(void **state)
{
	const uint32_t n = 16;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	tx_send(f, 4);
	host_run(&f->htx);
	/* The RX application scribbles a bad head; TX keeps flowing. */
	f->w->atok[1].head = 9;
	f->w->atok[1].cur = 9;
	assert_int_equal(csb_host_step(&f->hrx, 0, &todo), -EINVAL);
	tx_send(f, 2);
	assert_int_equal(csb_host_step(&f->htx, 0, &todo), 0);
	assert_true(todo & CSB_DO_AGAIN);
	assert_int_equal(f->w->ktoa[0].hwcur, 6);
	/* Still rejected on every pass, ring unchanged. */
	assert_int_equal(csb_host_step(&f->hrx, 0, &todo), -EINVAL);
	assert_int_equal(f->w->rx.hwtail, 0);
	/* The application writes valid values back: served again. */
	f->w->atok[1].head = 0;
	f->w->atok[1].cur = 0;
	host_run(&f->hrx);
	assert_int_equal(f->w->ktoa[1].hwtail, 6);
	assert_int_equal(rx_recv(f, NULL), 6);
	fx_free(f);
}

/* Recovery found by the re-check: the value changed while enabling. */
static void test_csb_hostile_recheck_sees_correction(void **state)
{
	struct fx *f = fx_new(16, CSB_MODE_EVENTFD);
	unsigned todo;

	(void)state;
	f->w->atok[0].head = 99;
	assert_int_equal(csb_host_step(&f->htx, 0, &todo), -EINVAL);
	assert_int_equal(todo, CSB_DO_SLEEP);
	/* Same bad values again: still asleep, nothing counted as won. */
	assert_int_equal(csb_host_step(&f->htx, 0, &todo), -EINVAL);
	assert_int_equal(cnt(&f->htx.stats.recheck_won), 0);
	f->w->atok[0].head = 0;
	assert_int_equal(csb_host_step(&f->htx, 0, &todo), 0);
	fx_free(f);
}

static void test_csb_hostile_ktoa_rejected(void **state)
{
	const uint32_t n = 16;
	struct fx *f = fx_new(n, CSB_MODE_EVENTFD);
	static const uint32_t bad[][2] = {
		{ 0, n }, /* hwtail >= n */
		{ n, 3 }, /* hwcur >= n */
	};
	struct csb_guest before;
	size_t i;

	(void)state;
	tx_send(f, 4);
	host_run(&f->htx);
	assert_int_equal(csb_guest_refresh(&f->gtx), 0);
	assert_int_equal(f->gtx.hwcur, 4);
	assert_int_equal(f->gtx.hwtail, n - 1); /* RX holds the 4 frames */
	/* TX view: head 4, hwcur 4, hwtail 15.  Kernel writes garbage. */
	for (i = 0; i < 2; i++) {
		before = f->gtx;
		f->w->ktoa[0].hwcur = bad[i][0];
		f->w->ktoa[0].hwtail = bad[i][1];
		assert_int_equal(csb_guest_refresh(&f->gtx), -EINVAL);
		assert_int_equal(f->gtx.hwcur, before.hwcur);
		assert_int_equal(f->gtx.hwtail, before.hwtail);
	}
	/* hwcur beyond what we published. */
	f->w->ktoa[0].hwcur = 5;
	f->w->ktoa[0].hwtail = n - 1;
	assert_int_equal(csb_guest_refresh(&f->gtx), -EINVAL);
	/* hwtail moving backwards (taking back slots we were given). */
	f->w->ktoa[0].hwcur = 4;
	f->w->ktoa[0].hwtail = n - 2;
	assert_int_equal(csb_guest_refresh(&f->gtx), -EINVAL);
	assert_int_equal(cnt(&f->gtx.stats.bad_ktoa), 4);
	/* The honest values are accepted again. */
	f->w->ktoa[0].hwcur = 4;
	f->w->ktoa[0].hwtail = n - 1;
	assert_int_equal(csb_guest_refresh(&f->gtx), 0);
	/* RX (head 0): a hwtail can never reach our head; n - 1 is the
	 * most, a value moving backwards is refused. */
	f->w->ktoa[1].hwtail = n - 1;
	assert_int_equal(csb_guest_refresh(&f->grx), 0);
	f->w->ktoa[1].hwtail = n - 2;
	assert_int_equal(csb_guest_refresh(&f->grx), -EINVAL);
	assert_int_equal(f->grx.hwtail, n - 1);
	fx_free(f);
}

/* A hostile appl_need_kick value only costs interrupts. */
static void test_csb_hostile_flag_values(void **state)
{
	struct fx *f = fx_new(16, CSB_MODE_EVENTFD);

	(void)state;
	tx_send(f, 1);
	host_run(&f->htx);
	f->w->atok[1].appl_need_kick = 0xdeadbeef;
	f->w->atok[1].sync_flags = 0xffffffff;
	assert_true(host_run(&f->hrx) & CSB_DO_NOTIFY);
	assert_int_equal(rx_recv(f, NULL), 1);
	fx_free(f);
}

/* ---- opts */

static void test_csb_opts_validate(void **state)
{
	struct csb_kloop_cfg c = { .num_tx_rings = 1, .num_rx_rings = 1 };

	(void)state;
	assert_int_equal(csb_kloop_cfg_validate(&c), 0);
	assert_int_equal(csb_kloop_cfg_mode(&c, NM_KRING_TX), CSB_MODE_BUSY_WAIT);
	/* D3: direct without eventfds is refused, for each direction. */
	c.direct = CSB_DIRECT_TX;
	assert_int_equal(csb_kloop_cfg_validate(&c), -EINVAL);
	c.direct = CSB_DIRECT_RX;
	assert_int_equal(csb_kloop_cfg_validate(&c), -EINVAL);
	c.eventfds = true;
	assert_int_equal(csb_kloop_cfg_validate(&c), 0);
	assert_int_equal(csb_kloop_cfg_mode(&c, NM_KRING_RX), CSB_MODE_DIRECT);
	assert_int_equal(csb_kloop_cfg_mode(&c, NM_KRING_TX), CSB_MODE_EVENTFD);
	c.direct = 4;
	assert_int_equal(csb_kloop_cfg_validate(&c), -EINVAL);
	c.direct = 0;
	c.sleep_us = CSB_SLEEP_US_MAX;
	assert_int_equal(csb_kloop_cfg_validate(&c), 0);
	c.sleep_us = CSB_SLEEP_US_MAX + 1;
	assert_int_equal(csb_kloop_cfg_validate(&c), -EINVAL);
	c.sleep_us = 0;
	c.num_tx_rings = c.num_rx_rings = 0;
	assert_int_equal(csb_kloop_cfg_validate(&c), -EINVAL);
	c.num_tx_rings = 100000;
	assert_int_equal(csb_kloop_cfg_validate(&c), -EINVAL);
	assert_int_equal(csb_kloop_cfg_validate(NULL), -EINVAL);
}

static void test_csb_opts_layout(void **state)
{
	struct {
		struct nm_csb_atok a[4];
		struct nm_csb_ktoa k[4];
	} *csb = aligned_alloc(64, sizeof(*csb));

	(void)state;
	assert_non_null(csb);
	assert_int_equal(csb_check_layout(csb->a, csb->k, 4), 0);
	assert_int_equal(csb_check_layout(NULL, csb->k, 4), -EINVAL);
	assert_int_equal(csb_check_layout(csb->a, csb->k, 0), -EINVAL);
	/* Overlapping arrays would give a line two writers. */
	assert_int_equal(csb_check_layout(csb->a, (struct nm_csb_ktoa *)&csb->a[2], 4),
			 -EINVAL);
	assert_int_equal(csb_check_layout((struct nm_csb_atok *)((char *)csb->a + 32),
					  csb->k, 1),
			 -EINVAL);
	free(csb);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest init[] = {
		cmocka_unit_test(test_csb_init_flag_values),
		cmocka_unit_test(test_csb_init_first_publish_kicks),
		cmocka_unit_test(test_csb_init_rejects_bad_setup),
	};
	static const struct CMUnitTest suppress[] = {
		cmocka_unit_test(test_csb_suppress_guest_kick_boundaries),
		cmocka_unit_test(test_csb_suppress_host_kick_toggle),
		cmocka_unit_test(test_csb_suppress_poll_keeps_kicks_off),
		cmocka_unit_test(test_csb_suppress_irq_boundaries),
		cmocka_unit_test(test_csb_suppress_tx_wait_backend),
		cmocka_unit_test(test_csb_suppress_rx_held_boundary),
		cmocka_unit_test(test_csb_suppress_rx_release_not_stranded),
		cmocka_unit_test(test_csb_suppress_guest_may_sleep),
		cmocka_unit_test(test_csb_suppress_busy_wait_never_kicks),
		cmocka_unit_test(test_csb_suppress_direct_always_kicks),
	};
	static const struct CMUnitTest index[] = {
		cmocka_unit_test(test_csb_index_wrap),
		cmocka_unit_test(test_csb_index_full_ring),
		cmocka_unit_test(test_csb_index_empty_ring),
	};
	static const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_csb_hostile_atok_rejected),
		cmocka_unit_test(test_csb_hostile_other_rings_served_and_recovery),
		cmocka_unit_test(test_csb_hostile_recheck_sees_correction),
		cmocka_unit_test(test_csb_hostile_ktoa_rejected),
		cmocka_unit_test(test_csb_hostile_flag_values),
	};
	static const struct CMUnitTest opts[] = {
		cmocka_unit_test(test_csb_opts_validate),
		cmocka_unit_test(test_csb_opts_layout),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("init", init),
		NM_TEST_GROUP("suppress", suppress),
		NM_TEST_GROUP("index", index),
		NM_TEST_GROUP("hostile", hostile),
		NM_TEST_GROUP("opts", opts),
	};

	nm_shim_log_set_quiet(true);
	return nm_test_main("csb", argc, argv, groups, NM_ARRAY_SIZE(groups));
}
