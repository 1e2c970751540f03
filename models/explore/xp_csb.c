/*
 * xp_csb.c - the real CSB step functions (core/csb_host.c, core/csb_guest.c)
 * under every interleaving of their shared accesses: one ring, the
 * application and the kernel as two threads, SC, x86-TSO or ARMv8-like.
 *
 * Owns: the drivers (what a guest application and a kloop do around the
 * core calls, mirroring models/csb_tx.pml and models/csb_rx.pml), a
 * backend for the kring (TX completes at once; RX imports one of P packets
 * per sync, or with --chain C a chain of C slots once C slots are free,
 * and wakes a kernel waiting for it only when it can), the start states,
 * the properties, and the command line.
 * Properties (same as the SPIN models):
 *   - every index in the CSB is < N, every need-kick flag 0 or 1;
 *   - csb_host_step() never fails: the prologue never rejects what a
 *     well-behaved application published (so never head ahead of cur);
 *   - every guest call succeeds and the application's view satisfies
 *     hwcur <= head <= hwtail around the ring (never hwtail ahead of hwcur);
 *   - at quiescence (nothing can move) all P packets went through: else a
 *     notification was lost; and no execution is infinite (no cycle).
 * Mutants are the core's own test switches (csb_mutants, NM_CSB_MUTANTS).
 *
 *   nm_explore_csb --ring tx|rx --mode eventfd|busy --mem sc|tso|arm
 *                  [--mutant NAME[+NAME...]] [--slots N] [--packets P]
 *                  [--chain C] [--por on|off]
 *                  [--expect verified|counterexample]
 */
#include "xp.h"

#include "csb.h"
#include "xp_mutants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Word indices in the shared block: atok line, then ktoa line. */
#define W_HEAD 0
#define W_CUR 1
#define W_APPL_NEED_KICK 2
#define W_SYNC_FLAGS 3
#define W_HWCUR 16
#define W_HWTAIL 17
#define W_KERN_NEED_KICK 18

#define T_APP 0
#define T_HOST 1

enum app_phase { A_REFRESH, A_MAYSLEEP, A_WOKEN, A_PUBLISH, A_SLEEP, A_DONE };
enum host_phase { H_STEP, H_SLEEP, H_POLL, H_BACKEND, H_DONE };

enum start { START_APP_ASLEEP, START_HOST_ASLEEP };

struct cfg {
	enum nm_kring_dir dir;
	enum csb_host_mode mode;
	enum xp_memory_model mm;
	unsigned mutants;
	uint32_t n, p;
	uint32_t chain; /* RX: slots per imported chain (1: single slots) */
};

/* The snapshot kept in xp_state.sys. */
struct sys {
	struct csb_guest g;
	struct nm_kring kr;
	struct csb_host_ring hr;
	uint32_t be_done;  /* TX: slots transmitted; RX: packets imported */
	uint32_t app_done; /* TX: packets published; RX: packets consumed */
	uint8_t kick, irq; /* notification latches (eventfd counters) */
};
NM_STATIC_ASSERT(sizeof(struct sys) <= XP_SYS_MAX, "struct sys too large");

static struct {
	struct nm_csb_atok atok;
	struct nm_csb_ktoa ktoa;
} shm __attribute__((aligned(64)));

/* The live objects the core functions run on. */
static struct csb_guest L_g;
static struct nm_kring L_kr;
static struct csb_host_ring L_hr;
static uint32_t L_be_done;
static struct cfg C;

static struct sys *SYS(struct xp_state *s)
{
	return (struct sys *)(void *)s->sys;
}

static const struct sys *CSYS(const struct xp_state *s)
{
	return (const struct sys *)(const void *)s->sys;
}

/* ---- the kring backend */

static int tx_sync(struct nm_kring *kr, uint32_t flags)
{
	(void)flags;
	/* Transmit [hwcur, rhead) and complete it at once. */
	L_be_done += nm_idx_dist(kr->hwcur, kr->rhead, kr->num_slots);
	kr->hwcur = kr->rhead;
	kr->hwtail = nm_idx_prev(kr->hwcur, kr->num_slots);
	return 0;
}

/* The slots of the RX backend's next chain (0: nothing left to import). */
static uint32_t rx_chain(uint32_t be_done)
{
	return C.p - be_done < C.chain ? C.p - be_done : C.chain;
}

/* Can the RX backend import its next chain into kr as it stands?  Its
 * room is what the kernel last reclaimed (hwcur), as a switch or a pipe
 * sees it: what the application released since is not room yet. */
static bool rx_can_import(const struct nm_kring *kr, uint32_t be_done)
{
	uint32_t k = rx_chain(be_done), n = kr->num_slots;

	return k != 0 && n - 1 - nm_idx_dist(kr->hwcur, kr->hwtail, n) >= k;
}

static int rx_sync(struct nm_kring *kr, uint32_t flags)
{
	uint32_t k;

	(void)flags;
	/* Reclaim [hwcur, rhead); import the next chain if it fits. */
	kr->hwcur = kr->rhead;
	if (rx_can_import(kr, L_be_done)) {
		k = rx_chain(L_be_done);
		kr->hwtail = nm_idx_add(kr->hwtail, k, kr->num_slots);
		L_be_done += k;
	}
	return 0;
}

/* ---- system callbacks */

static const char *word_name(unsigned w)
{
	switch (w) {
	case W_HEAD: return "atok.head";
	case W_CUR: return "atok.cur";
	case W_APPL_NEED_KICK: return "atok.appl_need_kick";
	case W_SYNC_FLAGS: return "atok.sync_flags";
	case W_HWCUR: return "ktoa.hwcur";
	case W_HWTAIL: return "ktoa.hwtail";
	case W_KERN_NEED_KICK: return "ktoa.kern_need_kick";
	default: return "?";
	}
}

static void restore(const struct xp_state *s, unsigned t)
{
	const struct sys *y = CSYS(s);

	if (t == T_APP) {
		L_g = y->g;
	} else {
		L_kr = y->kr;
		L_hr = y->hr;
		L_be_done = y->be_done;
	}
}

static void save(struct xp_state *s, unsigned t)
{
	struct sys *y = SYS(s);

	if (t == T_APP) {
		y->g = L_g;
	} else {
		y->kr = L_kr;
		y->hr = L_hr;
		y->be_done = L_be_done;
	}
}

static bool enabled(const struct xp_state *s, unsigned t)
{
	const struct sys *y = CSYS(s);
	uint8_t ph = s->th[t].phase;

	if (t == T_APP) {
		if (ph == A_SLEEP)
			return y->irq != 0;
		return ph != A_DONE;
	}
	if (ph == H_SLEEP)
		return y->kick != 0;
	if (ph == H_BACKEND) /* the backend wakes us when it can import */
		return rx_can_import(&y->kr, y->be_done);
	if (ph == H_POLL) /* polling sees a change once it is in memory */
		return s->mem[W_HEAD] != y->kr.rhead ||
		       s->mem[W_CUR] != y->kr.rcur;
	return ph != H_DONE;
}

/* hwcur <= head <= hwtail around the ring, in the application's view;
 * and the guest code rejected nothing it read (bad_ktoa unchanged). */
static int check_view(struct xp *x, const struct xp_state *s, int ret,
		      const char *what)
{
	if (nm_os_counter_read(&L_g.stats.bad_ktoa) !=
	    nm_os_counter_read(&CSYS(s)->g.stats.bad_ktoa))
		return xp_fail(x, "application: %s rejected the kernel's indices (hwtail ahead of hwcur?)",
			       what);
	if (ret != 0)
		return xp_fail(x, "application: %s failed (%d): the kernel's indices were rejected",
			       what, ret);
	if (!nm_idx_in_window(L_g.head, L_g.hwcur, L_g.hwtail, C.n))
		return xp_fail(x, "application sees hwtail ahead of hwcur: hwcur %u head %u hwtail %u",
			       L_g.hwcur, L_g.head, L_g.hwtail);
	return 0;
}

static int guest_sync(uint32_t head, unsigned *todo)
{
	if (C.dir == NM_KRING_TX)
		return csb_guest_txsync(&L_g, head, head, todo);
	return csb_guest_rxsync(&L_g, head, head, todo);
}

/* The application's next call after one completed. */
static void app_next(struct xp_state *s)
{
	struct sys *y = SYS(s);

	if (y->app_done == C.p)
		xp_call_done(s, T_APP, A_DONE, 0);
	else if (C.dir == NM_KRING_RX || csb_guest_would_block(&L_g))
		xp_call_done(s, T_APP, A_REFRESH, 0);
	else
		xp_call_done(s, T_APP, A_PUBLISH,
			     nm_idx_next(L_g.head, C.n));
}

/* After a refresh that found work (RX: consume it all). */
static void app_work(struct xp_state *s)
{
	if (C.dir == NM_KRING_RX)
		xp_call_done(s, T_APP, A_PUBLISH, L_g.hwtail);
	else
		app_next(s);
}

static int run_app(struct xp *x, struct xp_state *s)
{
	struct sys *y = SYS(s);
	uint32_t arg = s->th[T_APP].arg, old_head = y->g.head;
	unsigned todo = 0;
	int ret;

	switch (s->th[T_APP].phase) {
	case A_SLEEP:
		xp_touch(x, XP_FP_SYS, XP_FP_SYS); /* the irq latch */
		y->irq = 0;
		xp_acquire(x, s, T_APP);
		xp_note(x, T_APP, "woken by an interrupt");
		xp_call_done(s, T_APP, A_WOKEN, 0);
		return 0;
	case A_REFRESH:
		ret = guest_sync(L_g.head, &todo);
		xp_note(x, T_APP, "sync (refresh) -> %d: view hwcur %u hwtail %u",
			ret, L_g.hwcur, L_g.hwtail);
		if (check_view(x, s, ret, "sync") != 0)
			return -1;
		save(s, T_APP);
		if (csb_guest_would_block(&L_g))
			xp_call_done(s, T_APP, A_MAYSLEEP, 0);
		else
			app_work(s);
		return 0;
	case A_MAYSLEEP:
		ret = csb_guest_may_sleep(&L_g);
		if (check_view(x, s, 0, "may_sleep") != 0)
			return -1;
		save(s, T_APP);
		if (ret) {
			xp_note(x, T_APP, "may_sleep -> yes: SLEEP until interrupt");
			xp_call_done(s, T_APP, A_SLEEP, 0);
		} else {
			xp_note(x, T_APP, "may_sleep -> no: work appeared");
			app_work(s);
		}
		return 0;
	case A_WOKEN:
		(void)csb_guest_woken(&L_g);
		if (check_view(x, s, 0, "woken") != 0)
			return -1;
		save(s, T_APP);
		app_next(s);
		return 0;
	case A_PUBLISH:
		ret = guest_sync(arg, &todo);
		if (check_view(x, s, ret, "publish") != 0)
			return -1;
		save(s, T_APP);
		y->app_done += nm_idx_dist(old_head, arg, C.n);
		xp_note(x, T_APP, "%s(head %u) -> %d%s (%u packets in all)",
			C.dir == NM_KRING_TX ? "txsync" : "rxsync", arg, ret,
			(todo & CSB_DO_NOTIFY) != 0 ? ", KICK" : "",
			y->app_done);
		if ((todo & CSB_DO_NOTIFY) != 0) {
			xp_drain(x, s, T_APP);
			xp_touch(x, 0, XP_FP_SYS);
			y->kick = 1;
		}
		app_next(s);
		return 0;
	default:
		return xp_fail(x, "application: bad phase");
	}
}

static int run_host(struct xp *x, struct xp_state *s)
{
	struct sys *y = SYS(s);
	unsigned todo = 0;
	int err;

	switch (s->th[T_HOST].phase) {
	case H_SLEEP:
		xp_touch(x, XP_FP_SYS, XP_FP_SYS); /* the kick latch */
		y->kick = 0;
		xp_acquire(x, s, T_HOST);
		xp_note(x, T_HOST, "woken by a kick");
		xp_call_done(s, T_HOST, H_STEP, 0);
		return 0;
	case H_BACKEND:
		/* Enabled by the kernel's own state (enabled()). */
		xp_touch(x, XP_FP_SYS, XP_FP_SYS);
		xp_note(x, T_HOST, "woken by the backend");
		xp_call_done(s, T_HOST, H_STEP, 0);
		return 0;
	case H_POLL:
		/* Enabled by what is in memory (enabled()). */
		xp_touch(x, 1U << W_HEAD | 1U << W_CUR, 0);
		/* The poll loaded the new value: it is the newest it knows. */
		xp_acquire(x, s, T_HOST);
		xp_note(x, T_HOST, "poll sees a new head");
		xp_call_done(s, T_HOST, H_STEP, 0);
		return 0;
	case H_STEP:
		err = csb_host_step(&L_hr, 0, &todo);
		save(s, T_HOST);
		xp_note(x, T_HOST, "step -> %d: hwcur %u hwtail %u%s%s%s%s%s", err,
			L_kr.hwcur, L_kr.hwtail,
			(todo & CSB_DO_NOTIFY) != 0 ? ", INTERRUPT" : "",
			(todo & CSB_DO_AGAIN) != 0 ? ", again" : "",
			(todo & CSB_DO_WAIT_BACKEND) != 0 ? ", wait backend" : "",
			(todo & CSB_DO_SLEEP) != 0 ? ", idle" : "",
			(todo & CSB_DO_SLEEP) != 0 && C.mode == CSB_MODE_EVENTFD
				? ": SLEEP until kick" : "");
		if (err != 0)
			return xp_fail(x, "kernel: csb_host_step failed (%d): the prologue rejected head/cur (head ahead of cur, or outside the window)",
				       err);
		if ((todo & CSB_DO_NOTIFY) != 0) {
			xp_drain(x, s, T_HOST);
			xp_touch(x, 0, XP_FP_SYS);
			y->irq = 1;
		}
		if ((todo & CSB_DO_AGAIN) != 0)
			xp_call_done(s, T_HOST, H_STEP, 0);
		else if ((todo & CSB_DO_WAIT_BACKEND) != 0)
			/* A busy-wait kloop polls the ring again anyway. */
			xp_call_done(s, T_HOST,
				     y->be_done == C.p		     ? H_DONE
				     : C.mode == CSB_MODE_BUSY_WAIT ? H_POLL
								    : H_BACKEND,
				     0);
		else if (C.mode == CSB_MODE_BUSY_WAIT)
			xp_call_done(s, T_HOST, H_POLL, 0);
		else
			xp_call_done(s, T_HOST, H_SLEEP, 0);
		return 0;
	default:
		return xp_fail(x, "kernel: bad phase");
	}
}

static int run(struct xp *x, struct xp_state *s, unsigned t)
{
	return t == T_APP ? run_app(x, s) : run_host(x, s);
}

static uint64_t mix32(uint64_t h, uint32_t v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h;
}

static uint64_t hash(const struct xp_state *s, uint64_t h)
{
	const struct sys *y = CSYS(s);
	const struct csb_guest *g = &y->g;
	const struct nm_kring *kr = &y->kr;
	const struct csb_host_ring *hr = &y->hr;

	/* What the code reads (statistics and totals are only written). */
	h = mix32(h, g->head);
	h = mix32(h, g->cur);
	h = mix32(h, g->sync_flags);
	h = mix32(h, g->hwcur);
	h = mix32(h, g->hwtail);
	h = mix32(h, g->irq_enabled);
	h = mix32(h, kr->hwcur);
	h = mix32(h, kr->hwtail);
	h = mix32(h, kr->rhead);
	h = mix32(h, kr->rcur);
	h = mix32(h, kr->rtail);
	h = mix32(h, kr->busy);
	h = mix32(h, hr->kick_enabled);
	h = mix32(h, hr->pub_hwcur);
	h = mix32(h, hr->pub_hwtail);
	h = mix32(h, y->be_done);
	h = mix32(h, y->app_done);
	h = mix32(h, y->kick);
	h = mix32(h, y->irq);
	return h;
}

static int check(struct xp *x, const struct xp_state *s)
{
	static const unsigned idx[] = { W_HEAD, W_CUR, W_HWCUR, W_HWTAIL };
	size_t i;

	for (i = 0; i < NM_ARRAY_SIZE(idx); i++)
		if (s->mem[idx[i]] >= C.n)
			return xp_fail(x, "%s = %u out of range",
				       word_name(idx[i]), s->mem[idx[i]]);
	if (s->mem[W_APPL_NEED_KICK] > 1 || s->mem[W_KERN_NEED_KICK] > 1)
		return xp_fail(x, "need-kick flag not 0 or 1");
	return 0;
}

static int quiescent(struct xp *x, const struct xp_state *s)
{
	const struct sys *y = CSYS(s);

	if (y->app_done != C.p || y->be_done != C.p)
		return xp_fail(x, "lost notification: nothing can move, but only %u of %u packets %s and %u %s (application %s, kernel %s)",
			       C.dir == NM_KRING_TX ? y->app_done : y->be_done, C.p,
			       C.dir == NM_KRING_TX ? "published" : "imported",
			       C.dir == NM_KRING_TX ? y->be_done : y->app_done,
			       C.dir == NM_KRING_TX ? "transmitted" : "consumed",
			       s->th[T_APP].phase == A_SLEEP ? "asleep" : "done",
			       s->th[T_HOST].phase == H_SLEEP ? "asleep" :
			       s->th[T_HOST].phase == H_POLL ? "polling" :
			       s->th[T_HOST].phase == H_BACKEND ? "waiting for its backend" : "done");
	return 0;
}

static const char *const thread_names[] = { "app:", "kern:" };

static const struct xp_system csb_system = {
	.nthreads = 2,
	.thread_names = thread_names,
	.shared = &shm,
	.word_name = word_name,
	.restore = restore,
	.enabled = enabled,
	.run = run,
	.hash = hash,
	.footprints = true,
	.check = check,
	.quiescent = quiescent,
};

/* ---- start states */

static int setup(struct xp_state *s, enum start st)
{
	static struct netmap_ring ring;
	struct sys *y = SYS(s);
	int err;

	memset(s, 0, sizeof(*s));
	nm_sim_os.mem = NULL;
	csb_mutants = C.mutants;
	L_be_done = 0;
	err = nm_kring_init(&L_kr, C.dir, C.n, &ring,
			    C.dir == NM_KRING_TX ? tx_sync : rx_sync, NULL, "xp");
	if (err != 0)
		return err;
	if (C.dir == NM_KRING_TX && st == START_APP_ASLEEP) {
		/* The application filled the ring before the kernel ran. */
		L_kr.rhead = C.n - 1;
		L_kr.rcur = C.n - 1;
		y->app_done = C.n - 1;
	}
	if (C.dir == NM_KRING_RX && st == START_HOST_ASLEEP) {
		/* The kernel filled the ring before the application ran. */
		L_kr.hwtail = C.n - 1;
		L_kr.rtail = C.n - 1;
		L_be_done = C.n - 1;
	}
	err = csb_host_ring_init(&L_hr, &L_kr, &shm.atok, &shm.ktoa, C.mode);
	if (err == 0)
		err = csb_guest_init(&L_g, C.dir, C.n, &shm.atok, &shm.ktoa);
	if (err != 0)
		return err;
	memcpy(s->mem, &shm, sizeof(s->mem));
	save(s, T_APP);
	save(s, T_HOST);
	if (st == START_APP_ASLEEP) {
		/* Asleep from the start, relying on the initial flag. */
		xp_call_done(s, T_APP, A_SLEEP, 0);
		xp_call_done(s, T_HOST, H_STEP, 0);
	} else {
		app_next(s);
		xp_call_done(s, T_HOST, H_SLEEP, 0);
	}
	return 0;
}

/* ---- command line */

static int usage(void)
{
	fprintf(stderr, "usage: nm_explore_csb --ring tx|rx --mode eventfd|busy --mem sc|tso|arm\n"
			"       [--mutant NAME[+NAME...]] [--slots N] [--packets P] [--chain C]\n"
			"       [--max-states M] [--por on|off] [--expect verified|counterexample]\n"
			"mutants: %s\n", xp_mutants_names());
	return 2;
}

int main(int argc, char **argv)
{
	const char *mutant = "none", *expect = NULL;
	char chain[24] = "";
	uint64_t max_states = 20000000, states = 0, transitions = 0, depth = 0;
	uint64_t pruned = 0, slept = 0, clamps = 0, reexplored = 0;
	double secs = 0;
	struct xp_state *s;
	struct xp x;
	int i, r = 0, st;
	bool por = false;

	C.dir = NM_KRING_TX;
	C.mode = CSB_MODE_EVENTFD;
	C.mm = XP_SC;
	C.n = 3;
	C.p = 5;
	C.chain = 1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (strcmp(o, "--ring") == 0)
			C.dir = strcmp(v, "rx") == 0 ? NM_KRING_RX : NM_KRING_TX;
		else if (strcmp(o, "--mode") == 0)
			C.mode = strcmp(v, "busy") == 0 ? CSB_MODE_BUSY_WAIT
							: CSB_MODE_EVENTFD;
		else if (strcmp(o, "--mem") == 0)
			C.mm = strcmp(v, "tso") == 0   ? XP_TSO
			       : strcmp(v, "arm") == 0 ? XP_ARM
						       : XP_SC;
		else if (strcmp(o, "--por") == 0)
			por = strcmp(v, "on") == 0;
		else if (strcmp(o, "--mutant") == 0)
			mutant = v;
		else if (strcmp(o, "--slots") == 0)
			C.n = (uint32_t)strtoul(v, NULL, 0);
		else if (strcmp(o, "--packets") == 0)
			C.p = (uint32_t)strtoul(v, NULL, 0);
		else if (strcmp(o, "--chain") == 0)
			C.chain = (uint32_t)strtoul(v, NULL, 0);
		else if (strcmp(o, "--max-states") == 0)
			max_states = strtoull(v, NULL, 0);
		else if (strcmp(o, "--expect") == 0)
			expect = v;
		else
			return usage();
	}
	/* A chain fits an empty ring (n - 1 free slots); TX has none. */
	if (i != argc || C.n < 2 || C.p < C.n || C.chain < 1 ||
	    C.chain > C.n - 1 || (C.chain != 1 && C.dir != NM_KRING_RX))
		return usage();
	if (xp_mutants_parse(mutant, &C.mutants) != 0)
		return usage();

	s = malloc(sizeof(*s));
	if (s == NULL)
		return 2;
	memset(&x, 0, sizeof(x));
	x.sys = &csb_system;
	x.mm = C.mm;
	x.por = por;
	/* Every legal idle snapshot: TX starts with the application asleep
	 * on a full ring or (eventfd) the kernel asleep on an empty one; RX
	 * with the application asleep on an empty ring or (eventfd) the
	 * kernel asleep on a full one. */
	for (st = START_APP_ASLEEP; st <= START_HOST_ASLEEP && r == 0; st++) {
		if (st == START_HOST_ASLEEP && C.mode == CSB_MODE_BUSY_WAIT)
			break;
		if (setup(s, (enum start)st) != 0) {
			fprintf(stderr, "nm_explore_csb: setup failed\n");
			return 2;
		}
		r = xp_explore(&x, s, max_states);
		states += x.stats.states;
		transitions += x.stats.transitions;
		if (x.stats.max_depth > depth)
			depth = x.stats.max_depth;
		secs += x.stats.seconds;
		pruned += x.stats.pruned;
		slept += x.stats.slept;
		clamps += x.stats.clamps;
		reexplored += x.stats.reexplored;
	}
	free(s);
	if (C.chain != 1)
		snprintf(chain, sizeof(chain), " chain=%u", C.chain);
	printf("nm_explore_csb: ring %s, mode %s, memory %s, mutant %s, N=%u P=%u%s%s: %s, states=%llu transitions=%llu depth=%llu time=%.2fs states/s=%.0f\n",
	       C.dir == NM_KRING_TX ? "tx" : "rx",
	       C.mode == CSB_MODE_BUSY_WAIT ? "busy" : "eventfd",
	       C.mm == XP_TSO ? "tso" : C.mm == XP_ARM ? "arm" : "sc", mutant,
	       C.n, C.p, chain, por ? " por" : "",
	       r == 0 ? "verified" : r == 1 ? "counterexample" : "incomplete",
	       (unsigned long long)states, (unsigned long long)transitions,
	       (unsigned long long)depth, secs,
	       secs > 0 ? (double)states / secs : 0.0);
	if (C.mm == XP_ARM || por)
		printf("nm_explore_csb:   not applicable load choices %llu, sleep-set skips %llu, states explored again %llu, history clamps %llu\n",
		       (unsigned long long)pruned, (unsigned long long)slept,
		       (unsigned long long)reexplored,
		       (unsigned long long)clamps);
	if (r != 0)
		printf("nm_explore_csb:   %s\n", x.why);
	if (r < 0)
		return 1;
	if (expect == NULL)
		return 0;
	if (strcmp(expect, r == 0 ? "verified" : "counterexample") == 0)
		return 0;
	printf("nm_explore_csb: FAIL: expected %s\n", expect);
	return 1;
}
