/*
 * test_csb_model.c - the CSB's orderings and notification decisions under
 * injected interleavings, deterministic and single-threaded, over the
 * simulator backend (every shared access and fence is a hook call) built
 * with NM_CSB_MUTANTS.
 *
 * The hook can emulate x86-TSO: a side's CSB stores go into its own FIFO
 * store buffer (memory keeps the old value) until that side's store-load
 * fence, or the end of the scenario, drains it.  An injection runs the
 * peer's whole step at the k-th hook event of the running side (for a
 * store just after it, for a load or fence just before it).  Each explorer
 * tries every k.  Groups:
 *   order       the exact sequence of CSB accesses and fences of each step
 *   interleave  correct code: no lost kick or interrupt at any k, under
 *               sequential consistency and TSO; the re-check crossing
 *   mutants     each mutant loses a notification (or breaks the index
 *               order) at some k, and only where its model says it should
 */
#include "nm_test.h"

#include "csb.h"
#include "csb_wire.h"

enum actor { ACT_NONE, ACT_GUEST, ACT_HOST };

struct model {
	struct csb_wire *w;
	struct csb_host_ring htx, hrx;
	struct csb_guest gtx, grx;
	uint64_t seq;
	/* TSO emulation */
	bool tso;
	enum actor actor;
	uint8_t shadow[4 * 64]; /* the visible CSB: atok[2], ktoa[2] */
	struct {
		volatile uint32_t *p;
		uint32_t v;
	} sb[3][64];
	int nsb[3];
	/* injection */
	long countdown;		     /* events of trig_actor before firing */
	enum actor trig_actor;
	void (*inject)(struct model *m);
	bool fired;
	long events;		     /* events of trig_actor seen */
	/* trace recording */
	bool recording;
	char trace[1024];
	/* scenario results */
	bool kicked, irq, slept;
	unsigned host_last;
};

static struct model *M;

static bool in_csb(const volatile void *a)
{
	const uint8_t *p = (const uint8_t *)a, *base = (const uint8_t *)M->w->atok;

	return p >= base && p < base + sizeof(M->shadow);
}

static uint32_t *shadow_of(const volatile void *a)
{
	return (uint32_t *)(M->shadow + ((const uint8_t *)a -
					 (const uint8_t *)M->w->atok));
}

static void drain(enum actor a)
{
	int i;

	for (i = 0; i < M->nsb[a]; i++) {
		*M->sb[a][i].p = M->sb[a][i].v;
		*shadow_of(M->sb[a][i].p) = M->sb[a][i].v;
	}
	M->nsb[a] = 0;
}

static const char *label(const volatile void *a)
{
	static const char *const names[2][4] = {
		{ "A.head", "A.cur", "A.need", "A.flags" },
		{ "K.hwcur", "K.hwtail", "K.need", "K.?" },
	};
	size_t off = (size_t)((const uint8_t *)a - (const uint8_t *)M->w->atok);
	size_t line = off / 64, word = (off % 64) / 4;

	if (word > 3)
		return "?";
	return names[line / 2][word];
}

static void record(enum nm_sim_step kind, const volatile void *addr)
{
	char item[32];

	switch (kind) {
	case NM_SIM_FENCE_STORE_STORE:
		snprintf(item, sizeof(item), "SS");
		break;
	case NM_SIM_FENCE_LOAD_LOAD:
		snprintf(item, sizeof(item), "LL");
		break;
	case NM_SIM_FENCE_STORE_LOAD:
		snprintf(item, sizeof(item), "SL");
		break;
	case NM_SIM_SHARED_LOAD:
	case NM_SIM_SHARED_STORE:
		if (!in_csb(addr))
			return;
		snprintf(item, sizeof(item), "%s%s", label(addr),
			 kind == NM_SIM_SHARED_STORE ? "=" : "");
		break;
	default:
		return;
	}
	if (M->trace[0] != '\0')
		strncat(M->trace, " ", sizeof(M->trace) - strlen(M->trace) - 1);
	strncat(M->trace, item, sizeof(M->trace) - strlen(M->trace) - 1);
}

static void maybe_inject(void)
{
	enum actor saved;

	if (M->inject == NULL || M->fired || M->actor != M->trig_actor)
		return;
	M->events++;
	if (M->countdown-- != 0)
		return;
	M->fired = true;
	saved = M->actor;
	M->actor = saved == ACT_HOST ? ACT_GUEST : ACT_HOST;
	M->inject(M);
	M->actor = saved;
}

static void hook(enum nm_sim_step kind, const volatile void *addr, void *arg)
{
	(void)arg;
	if (M->recording)
		record(kind, addr);
	if (kind == NM_SIM_SHARED_STORE && in_csb(addr)) {
		uint32_t *p = (uint32_t *)addr;

		if (M->tso && M->actor != ACT_NONE) {
			/* Into the store buffer; memory keeps what was visible. */
			assert_true(M->nsb[M->actor] < 64);
			M->sb[M->actor][M->nsb[M->actor]].p = p;
			M->sb[M->actor][M->nsb[M->actor]].v = *p;
			M->nsb[M->actor]++;
			*p = *shadow_of(p);
		} else {
			*shadow_of(p) = *p;
		}
		maybe_inject(); /* just after the store */
		return;
	}
	maybe_inject(); /* just before the load or fence */
	if (kind == NM_SIM_FENCE_STORE_LOAD && M->tso && M->actor != ACT_NONE)
		drain(M->actor);
}

static struct model *model_new(unsigned mutants, uint32_t n)
{
	struct model *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	nm_sim_os_reset(NULL);
	csb_mutants = mutants;
	assert_int_equal(csb_wire_init(&m->w, n), 0);
	assert_int_equal(csb_host_ring_init(&m->htx, &m->w->tx, &m->w->atok[0],
					    &m->w->ktoa[0], CSB_MODE_EVENTFD),
			 0);
	assert_int_equal(csb_host_ring_init(&m->hrx, &m->w->rx, &m->w->atok[1],
					    &m->w->ktoa[1], CSB_MODE_EVENTFD),
			 0);
	assert_int_equal(csb_guest_init(&m->gtx, NM_KRING_TX, n, &m->w->atok[0],
					&m->w->ktoa[0]),
			 0);
	assert_int_equal(csb_guest_init(&m->grx, NM_KRING_RX, n, &m->w->atok[1],
					&m->w->ktoa[1]),
			 0);
	M = m;
	return m;
}

/* From here on every access goes through the hook. */
static void model_start(struct model *m, bool tso)
{
	memcpy(m->shadow, m->w->atok, sizeof(m->shadow));
	m->tso = tso;
	nm_sim_os.hook = hook;
	nm_sim_os.hook_arg = m;
}

static void model_free(struct model *m)
{
	nm_sim_os.hook = NULL;
	csb_mutants = 0;
	csb_wire_fini(m->w);
	free(m);
	M = NULL;
}

static unsigned guest_send(struct model *m, uint32_t k)
{
	uint32_t head = m->gtx.head, i;
	unsigned todo;

	for (i = 0; i < k; i++) {
		csb_wire_put(m->w, head, m->seq++);
		head = nm_idx_next(head, m->gtx.num_slots);
	}
	assert_int_equal(csb_guest_txsync(&m->gtx, head, head, &todo), 0);
	return todo;
}

static unsigned host_run(struct csb_host_ring *hr)
{
	unsigned todo, all = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		int err = csb_host_step(hr, 0, &todo);

		assert_true(err == 0 || err == -EINVAL);
		all |= todo;
		if ((todo & CSB_DO_AGAIN) == 0)
			break;
	}
	M->host_last = todo;
	return all;
}

/* ---- order: the exact access sequences. */

static void expect_trace(struct model *m, const char *want)
{
	if (strcmp(m->trace, want) != 0)
		fail_msg("trace\n  got:  %s\n  want: %s", m->trace, want);
	m->trace[0] = '\0';
}

static void test_csb_model_order_sequences(void **state)
{
	struct model *m = model_new(0, 8);
	unsigned todo;

	(void)state;
	model_start(m, false);
	m->recording = true;
	/* Guest txsync: irqs off (running), cur then head, full fence, the
	 * kernel's flag; then hwtail before hwcur. */
	assert_int_equal(guest_send(m, 1), CSB_DO_NOTIFY);
	expect_trace(m, "A.need= SS A.cur= SS A.head= SL K.need K.hwtail LL K.hwcur LL");
	/* Host step: kicks off (running), head before cur, sync, hwcur
	 * before hwtail (TX hwtail unchanged: no interrupt decision). */
	assert_int_equal(csb_host_step(&m->htx, 0, &todo), 0);
	assert_int_equal(todo, CSB_DO_AGAIN);
	expect_trace(m, "K.need= A.head LL A.cur A.flags LL SS K.hwcur= SS K.hwtail=");
	/* Idle step: nothing to republish; enable kicks, full fence,
	 * re-check. */
	assert_int_equal(csb_host_step(&m->htx, 0, &todo), 0);
	assert_int_equal(todo, CSB_DO_SLEEP);
	expect_trace(m, "A.head LL A.cur A.flags LL K.need= SL A.head A.cur");
	/* RX: hwtail moves, so publish, full fence, read the guest's flag. */
	assert_int_equal(csb_host_step(&m->hrx, 0, &todo), 0);
	assert_int_equal(todo, CSB_DO_AGAIN | CSB_DO_NOTIFY);
	expect_trace(m, "K.need= A.head LL A.cur A.flags LL SS K.hwcur= SS K.hwtail= SL A.need");
	/* Guest "may I sleep?" with work: no store at all. */
	assert_int_equal(csb_guest_sync(&m->grx, 0, 0, m->grx.sync_flags, &todo), 0);
	expect_trace(m, "A.need= K.hwtail LL K.hwcur LL");
	assert_false(csb_guest_may_sleep(&m->grx));
	expect_trace(m, "");
	/* ... and without: enable, full fence, re-check. */
	assert_int_equal(csb_guest_sync(&m->grx, 1, 1, m->grx.sync_flags, &todo), 0);
	m->trace[0] = '\0';
	assert_true(csb_guest_may_sleep(&m->grx));
	expect_trace(m, "A.need= SL K.hwtail LL K.hwcur LL");
	model_free(m);
}

/* Each fence / order mutant changes exactly the access it names. */
static void test_csb_model_order_mutant_sequences(void **state)
{
	static const struct {
		unsigned mut;
		const char *publish;
	} cases[] = {
		{ CSB_MUT_NO_PUBLISH_FENCE, "A.need= SS A.cur= SS A.head= K.need K.hwtail LL K.hwcur LL" },
		{ CSB_MUT_SWAP_PUBLISH, "A.need= SS A.head= SS A.cur= SL K.need K.hwtail LL K.hwcur LL" },
		{ CSB_MUT_NO_ENABLE_FENCE, "A.need= SS A.cur= SS A.head= SL K.need K.hwtail LL K.hwcur LL" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(cases); i++) {
		struct model *m = model_new(cases[i].mut, 8);

		model_start(m, false);
		m->recording = true;
		guest_send(m, 1);
		expect_trace(m, cases[i].publish);
		model_free(m);
	}
}

/* ---- explorers */

struct outcome {
	long applicable; /* k values at which the injection fired */
	long lost;	 /* ... of which lost a notification */
	long won;	 /* ... where a re-check saw the crossing */
	long rejected;	 /* ... where the kernel rejected the index pair */
};

static void inject_guest_send(struct model *m)
{
	m->kicked = (guest_send(m, 1) & CSB_DO_NOTIFY) != 0;
}

static void inject_host_idle(struct model *m)
{
	host_run(&m->htx);
}

static void inject_host_rx(struct model *m)
{
	m->irq = (host_run(&m->hrx) & CSB_DO_NOTIFY) != 0;
}

static void inject_guest_may_sleep(struct model *m)
{
	m->slept = csb_guest_may_sleep(&m->grx);
}

/* A TX kernel that is running (kicks off) and has nothing left. */
static struct model *kick_setup(unsigned mutants, bool tso)
{
	struct model *m = model_new(mutants, 8);
	unsigned todo;

	guest_send(m, 1);
	assert_int_equal(csb_host_step(&m->htx, 0, &todo), 0);
	assert_false(m->htx.kick_enabled);
	model_start(m, tso);
	return m;
}

/* Lost kick: the kernel sleeps with kicks on, the application published
 * more, and nobody kicked. */
static bool kick_lost(struct model *m)
{
	drain(ACT_GUEST);
	drain(ACT_HOST);
	return (m->host_last & CSB_DO_SLEEP) != 0 && m->htx.kick_enabled &&
	       m->w->atok[0].head != m->w->tx.rhead && !m->kicked;
}

/* Kicks, explorer A: the kernel goes idle; the application publishes at
 * the kernel's k-th event.  Explorer B: the application publishes; the
 * kernel's idle step runs at the application's k-th event. */
static struct outcome explore_kick(unsigned mutants, bool tso, bool host_runs)
{
	struct outcome o = { 0, 0, 0, 0 };
	long k;

	for (k = 0; k < 400; k++) {
		struct model *m = kick_setup(mutants, tso);
		uint64_t won0 = nm_os_counter_read(&m->htx.stats.recheck_won);

		m->countdown = k;
		m->actor = host_runs ? ACT_HOST : ACT_GUEST;
		m->trig_actor = m->actor;
		m->inject = host_runs ? inject_guest_send : inject_host_idle;
		if (host_runs)
			host_run(&m->htx);
		else
			inject_guest_send(m);
		m->actor = ACT_NONE;
		if (!m->fired) {
			model_free(m);
			break;
		}
		o.applicable++;
		o.lost += kick_lost(m);
		o.won += nm_os_counter_read(&m->htx.stats.recheck_won) > won0;
		o.rejected += nm_os_counter_read(&m->htx.stats.bad_atok) > 0;
		model_free(m);
	}
	return o;
}

/* An RX guest that has drained everything, a frame on the wire. */
static struct model *irq_setup(unsigned mutants, bool tso)
{
	struct model *m = model_new(mutants, 8);
	unsigned todo;

	assert_int_equal(csb_guest_sync(&m->grx, 0, 0, m->grx.sync_flags, &todo), 0);
	assert_false(m->grx.irq_enabled);
	guest_send(m, 1);
	host_run(&m->htx); /* forwarded, not yet imported by RX */
	host_run(&m->hrx);
	assert_int_equal(m->grx.hwtail, 0);
	/* Consume what was imported, then a second frame on the wire. */
	assert_int_equal(csb_guest_sync(&m->grx, 0, 0, m->grx.sync_flags, &todo), 0);
	assert_int_equal(csb_guest_sync(&m->grx, 1, 1, m->grx.sync_flags, &todo), 0);
	guest_send(m, 1);
	host_run(&m->htx);
	m->irq = m->slept = false;
	model_start(m, tso);
	return m;
}

static bool irq_lost(struct model *m)
{
	drain(ACT_GUEST);
	drain(ACT_HOST);
	return m->slept && m->w->ktoa[1].hwtail != m->grx.hwtail && !m->irq;
}

/* Interrupts, explorer C: the guest decides to sleep; the kernel's RX step
 * runs at the guest's k-th event.  Explorer D: the other way round. */
static struct outcome explore_irq(unsigned mutants, bool tso, bool guest_runs)
{
	struct outcome o = { 0, 0, 0, 0 };
	long k;

	for (k = 0; k < 400; k++) {
		struct model *m = irq_setup(mutants, tso);
		uint64_t won0 = nm_os_counter_read(&m->grx.stats.recheck_won);

		m->countdown = k;
		m->actor = guest_runs ? ACT_GUEST : ACT_HOST;
		m->trig_actor = m->actor;
		m->inject = guest_runs ? inject_host_rx : inject_guest_may_sleep;
		if (guest_runs)
			inject_guest_may_sleep(m);
		else
			inject_host_rx(m);
		m->actor = ACT_NONE;
		if (!m->fired) {
			model_free(m);
			break;
		}
		o.applicable++;
		o.lost += irq_lost(m);
		o.won += nm_os_counter_read(&m->grx.stats.recheck_won) > won0;
		model_free(m);
	}
	return o;
}

/* ---- interleave: the correct protocol. */

static void test_csb_model_interleave_no_lost_kick(void **state)
{
	int tso, side;

	(void)state;
	for (tso = 0; tso <= 1; tso++) {
		for (side = 0; side <= 1; side++) {
			struct outcome o = explore_kick(0, tso, side);

			printf("kick tso=%d host_runs=%d: %ld interleavings, %ld lost, %ld re-check crossings\n",
			       tso, side, o.applicable, o.lost, o.won);
			assert_true(o.applicable > 5);
			assert_int_equal(o.lost, 0);
			assert_int_equal(o.rejected, 0);
		}
	}
}

/* The application crosses the index exactly during the kernel's re-check:
 * the kernel must see it (AGAIN) and go on, and nothing is lost. */
static void test_csb_model_interleave_recheck_crossing(void **state)
{
	struct outcome o;

	(void)state;
	o = explore_kick(0, false, true);
	assert_true(o.won >= 1);
	o = explore_irq(0, false, true);
	assert_true(o.won >= 1);
}

static void test_csb_model_interleave_no_lost_irq(void **state)
{
	int tso, side;

	(void)state;
	for (tso = 0; tso <= 1; tso++) {
		for (side = 0; side <= 1; side++) {
			struct outcome o = explore_irq(0, tso, side);

			printf("irq tso=%d guest_runs=%d: %ld interleavings, %ld lost, %ld re-check crossings\n",
			       tso, side, o.applicable, o.lost, o.won);
			assert_true(o.applicable > 5);
			assert_int_equal(o.lost, 0);
		}
	}
}

/* ---- mutants: each is caught. */

static long lost_kicks(unsigned mut, bool tso)
{
	return explore_kick(mut, tso, true).lost + explore_kick(mut, tso, false).lost;
}

static long lost_irqs(unsigned mut, bool tso)
{
	return explore_irq(mut, tso, true).lost + explore_irq(mut, tso, false).lost;
}

/* D6: without the publish-side fence a kick and an interrupt can be lost
 * under TSO store buffers, never under sequential consistency. */
static void test_csb_model_mutants_no_publish_fence(void **state)
{
	(void)state;
	assert_int_equal(lost_kicks(CSB_MUT_NO_PUBLISH_FENCE, false), 0);
	assert_int_equal(lost_irqs(CSB_MUT_NO_PUBLISH_FENCE, false), 0);
	assert_true(lost_kicks(CSB_MUT_NO_PUBLISH_FENCE, true) > 0);
	assert_true(lost_irqs(CSB_MUT_NO_PUBLISH_FENCE, true) > 0);
}

static void test_csb_model_mutants_no_enable_fence(void **state)
{
	(void)state;
	assert_int_equal(lost_kicks(CSB_MUT_NO_ENABLE_FENCE, false), 0);
	assert_true(lost_kicks(CSB_MUT_NO_ENABLE_FENCE, true) > 0);
	assert_true(lost_irqs(CSB_MUT_NO_ENABLE_FENCE, true) > 0);
}

/* Without the re-check even sequential consistency loses. */
static void test_csb_model_mutants_no_recheck(void **state)
{
	(void)state;
	assert_true(lost_kicks(CSB_MUT_NO_RECHECK, false) > 0);
	assert_true(lost_irqs(CSB_MUT_NO_RECHECK, false) > 0);
}

/* Wrong initial flag: the kernel has not run, the first frame is not
 * kicked, and a kernel waiting for its first kick never runs. */
static void test_csb_model_mutants_bad_init_kick(void **state)
{
	unsigned muts[] = { 0, CSB_MUT_BAD_INIT_KICK };
	size_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(muts); i++) {
		struct model *m = model_new(muts[i], 8);
		bool kicked;

		model_start(m, false);
		kicked = (guest_send(m, 1) & CSB_DO_NOTIFY) != 0;
		assert_int_equal(kicked, muts[i] == 0);
		model_free(m);
	}
}

/* Head published before cur: the kernel can read a head newer than cur
 * and reject a well-behaved application's ring. */
static void test_csb_model_mutants_swap_publish(void **state)
{
	struct outcome good, bad;

	(void)state;
	good = explore_kick(0, false, false);
	bad = explore_kick(CSB_MUT_SWAP_PUBLISH, false, false);
	assert_int_equal(good.rejected, 0);
	assert_true(bad.rejected > 0);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest order[] = {
		cmocka_unit_test(test_csb_model_order_sequences),
		cmocka_unit_test(test_csb_model_order_mutant_sequences),
	};
	static const struct CMUnitTest interleave[] = {
		cmocka_unit_test(test_csb_model_interleave_no_lost_kick),
		cmocka_unit_test(test_csb_model_interleave_recheck_crossing),
		cmocka_unit_test(test_csb_model_interleave_no_lost_irq),
	};
	static const struct CMUnitTest mutants[] = {
		cmocka_unit_test(test_csb_model_mutants_no_publish_fence),
		cmocka_unit_test(test_csb_model_mutants_no_enable_fence),
		cmocka_unit_test(test_csb_model_mutants_no_recheck),
		cmocka_unit_test(test_csb_model_mutants_bad_init_kick),
		cmocka_unit_test(test_csb_model_mutants_swap_publish),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("order", order),
		NM_TEST_GROUP("interleave", interleave),
		NM_TEST_GROUP("mutants", mutants),
	};

	return nm_test_main("csb_model", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
