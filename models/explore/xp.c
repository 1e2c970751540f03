/*
 * xp.c - the explorer engine: memory models, replay, depth-first search.
 *
 * Owns: nm_sim_os.mem while xp_explore() runs (restored to NULL after),
 * the visited set (open addressing on 64-bit hashes, grown at half full)
 * and the search stack.  A state is stored only as its hash (hash
 * compaction, like SPIN's -DHC): two different states with the same
 * 64-bit hash would make the second one look visited; with 10^7 states the
 * odds of any collision are about 10^-5.
 * A cycle (a transition back to a state on the search stack) is reported as
 * a violation: an execution that never ends and never reaches quiescence.
 */
#include "xp.h"

#include "nm_os.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An action: run thread t reading choice c (a < XP_RUN_END), or drain
 * entry i of t's store buffer (XP_DRAIN + t * XP_SB_MAX + i).  Under SC
 * and TSO c and i are always 0, so the order is the historical one. */
#define XP_RUN_END (XP_THREADS * XP_CHOICES)
#define XP_DRAIN 64
#define XP_ACTIONS (XP_RUN_END + XP_THREADS * XP_SB_MAX)
/* An action's bit in a sleep set (a uint64_t). */
#define XP_BIT(a) ((a) < XP_RUN_END ? (a) : XP_RUN_END + ((a) - XP_DRAIN))
#define XP_ACT_THREAD(a)                                                 \
	((a) < XP_RUN_END ? (a) / XP_CHOICES : ((a) - XP_DRAIN) / XP_SB_MAX)

struct xp_node {
	struct xp_state s;
	uint8_t nact, next;
	uint8_t act[XP_ACTIONS];
	/* ARM: after running thread t with choice 0, how many older values
	 * its event could read (0: not a load; 0xff: not known yet); choices
	 * beyond are skipped without a replay. */
	uint8_t avail[XP_THREADS];
	/* Sleep sets (--por): the actions not to take from here (sleep),
	 * those taken (done), and the footprint (shared words read and
	 * written, ~0 for "everything") of each, by XP_BIT(). */
	uint64_t sleep, done;
	uint32_t frd[XP_ACTIONS], fwr[XP_ACTIONS];
};

/* ---- visited set */

struct xp_set {
	uint64_t *key; /* 0 = empty */
	uint8_t *onstack;
	uint64_t *sleep; /* --por: the sleep set the state was explored with */
	size_t cap, used;
};

static int xp_set_init(struct xp_set *v, size_t cap)
{
	v->cap = cap;
	v->used = 0;
	v->key = calloc(cap, sizeof(*v->key));
	v->onstack = calloc(cap, 1);
	v->sleep = calloc(cap, sizeof(*v->sleep));
	return v->key != NULL && v->onstack != NULL && v->sleep != NULL ? 0 : -1;
}

static void xp_set_fini(struct xp_set *v)
{
	free(v->key);
	free(v->onstack);
	free(v->sleep);
}

static size_t xp_set_slot(const struct xp_set *v, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 29)) & (v->cap - 1);

	while (v->key[i] != 0 && v->key[i] != h)
		i = (i + 1) & (v->cap - 1);
	return i;
}

static int xp_set_grow(struct xp_set *v)
{
	struct xp_set n;
	size_t i, j;

	if (xp_set_init(&n, v->cap * 2) != 0)
		return -1;
	for (i = 0; i < v->cap; i++) {
		if (v->key[i] == 0)
			continue;
		j = xp_set_slot(&n, v->key[i]);
		n.key[j] = v->key[i];
		n.onstack[j] = v->onstack[i];
		n.sleep[j] = v->sleep[i];
		n.used++;
	}
	xp_set_fini(v);
	*v = n;
	return 0;
}

/* ---- hashing (FNV-1a over the bytes that matter) */

static uint64_t xp_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t xp_hash(const struct xp *x, const struct xp_state *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned t;

	h = xp_mix(h, s->mem, sizeof(s->mem));
	for (t = 0; t < x->sys->nthreads; t++) {
		const struct xp_sb *b = &s->sb[t];
		const struct xp_thread *th = &s->th[t];

		h = xp_mix(h, &b->n, 1);
		h = xp_mix(h, b->word, b->n);
		h = xp_mix(h, b->val, b->n * sizeof(b->val[0]));
		h = xp_mix(h, &th->phase, 3);
		h = xp_mix(h, &th->arg, sizeof(th->arg));
		h = xp_mix(h, th->loads, th->nloads * sizeof(th->loads[0]));
		if (x->mm == XP_ARM) {
			h = xp_mix(h, &b->epoch, 1);
			h = xp_mix(h, b->ep, b->n);
		}
	}
	if (x->mm == XP_ARM) {
		const struct xp_hist *hi = &s->hist;
		unsigned w;

		/* A word with no older value has lo 0 for every thread. */
		for (w = 0; w < XP_WORDS; w++) {
			if (hi->nold[w] == 0)
				continue;
			h = xp_mix(h, &w, 1);
			h = xp_mix(h, &hi->nold[w], 1);
			h = xp_mix(h, hi->old[w], hi->nold[w] * sizeof(uint32_t));
			for (t = 0; t < x->sys->nthreads; t++)
				h = xp_mix(h, &hi->lo[t][w], 1);
		}
	}
	h = x->sys->hash(s, h);
	return h != 0 ? h : 1;
}

/* ---- reporting */

int xp_fail(struct xp *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return -1;
}

void xp_note(struct xp *x, unsigned t, const char *fmt, ...)
{
	va_list ap;

	if (!x->verbose)
		return;
	printf("  %-5s ", x->sys->thread_names[t]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- the memory model (nm_sim_os.mem) */

static unsigned xp_word(struct xp *x, const volatile void *p, unsigned size)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)x->sys->shared;

	if (size != 4 || off % 4 != 0 || off / 4 >= XP_WORDS) {
		fprintf(stderr, "xp: shared access outside the explored words (offset %ld, size %u)\n",
			(long)off, size);
		abort();
	}
	return (unsigned)(off / 4);
}

/* Is this event one to replay?  Counts it either way. */
static bool xp_replaying(struct xp *x)
{
	return x->ev++ < x->cur->th[x->t].nev;
}

static void xp_performed(struct xp *x)
{
	x->cur->th[x->t].nev++;
	longjmp(x->jb, 1);
}

/* ARM: drop the values of w that no thread may read any more. */
static void xp_gc(struct xp *x, struct xp_state *s, unsigned w)
{
	struct xp_hist *hi = &s->hist;
	unsigned t, m = XP_OLD;

	for (t = 0; t < x->sys->nthreads; t++)
		if (hi->lo[t][w] < m)
			m = hi->lo[t][w];
	if (m == 0)
		return;
	memmove(hi->old[w], hi->old[w] + m, (hi->nold[w] - m) * sizeof(uint32_t));
	memset(hi->old[w] + hi->nold[w] - m, 0, m * sizeof(uint32_t));
	hi->nold[w] = (uint8_t)(hi->nold[w] - m);
	for (t = 0; t < x->sys->nthreads; t++)
		hi->lo[t][w] = (uint8_t)(hi->lo[t][w] - m);
}

/* ARM: a store of t reaches memory; the value it replaces stays readable
 * by threads that have not seen a newer one. */
static void xp_arm_commit(struct xp *x, struct xp_state *s, unsigned t,
			  unsigned w, uint32_t v)
{
	struct xp_hist *hi = &s->hist;
	unsigned u;

	if (hi->nold[w] == XP_OLD) {
		/* Full history: forget the oldest value (an under-approximation,
		 * counted: a reader loses the chance to read it). */
		memmove(hi->old[w], hi->old[w] + 1, (XP_OLD - 1) * sizeof(uint32_t));
		hi->old[w][XP_OLD - 1] = 0;
		hi->nold[w]--;
		for (u = 0; u < x->sys->nthreads; u++)
			if (hi->lo[u][w] > 0)
				hi->lo[u][w]--;
		x->stats.clamps++;
	}
	hi->old[w][hi->nold[w]++] = s->mem[w];
	s->mem[w] = v;
	hi->lo[t][w] = hi->nold[w]; /* coherence: my own store is my newest */
	xp_gc(x, s, w);
}

/* ARM: may entry i of t's buffer drain now?  Not past an older entry for
 * the same word (coherence) nor past a store-store fence. */
static bool xp_drainable(const struct xp_sb *b, unsigned i)
{
	unsigned j;

	for (j = 0; j < i; j++)
		if (b->ep[j] != b->ep[i] || b->word[j] == b->word[i])
			return false;
	return true;
}

static void xp_flush_at(struct xp *x, struct xp_state *s, unsigned t,
			unsigned i)
{
	struct xp_sb *b = &s->sb[t];
	unsigned k;

	if (x->mm == XP_ARM)
		xp_arm_commit(x, s, t, b->word[i], b->val[i]);
	else
		s->mem[b->word[i]] = b->val[i];
	if (x->verbose)
		printf("  %-5s   (store buffer drains: %s = %u now visible)\n",
		       x->sys->thread_names[t], x->sys->word_name(b->word[i]),
		       b->val[i]);
	memmove(b->word + i, b->word + i + 1, b->n - 1 - i);
	memmove(b->ep + i, b->ep + i + 1, b->n - 1 - i);
	memmove(b->val + i, b->val + i + 1, (b->n - 1 - i) * sizeof(b->val[0]));
	b->n--;
	b->word[b->n] = 0;
	b->ep[b->n] = 0;
	b->val[b->n] = 0;
	/* Epochs relative to the oldest entry, so equal buffers hash equal. */
	if (b->n == 0) {
		b->epoch = 0;
	} else if (b->ep[0] != 0) {
		uint8_t e0 = b->ep[0];

		for (k = 0; k < b->n; k++)
			b->ep[k] = (uint8_t)(b->ep[k] - e0);
		b->epoch = (uint8_t)(b->epoch - e0);
	}
}

/* ARM: t's next loads see the newest value of every word. */
static void xp_see_newest(struct xp *x, struct xp_state *s, unsigned t)
{
	unsigned w;

	if (x->mm != XP_ARM)
		return;
	/* What it may read next depends on every word's history. */
	x->rd = ~0U;
	for (w = 0; w < XP_WORDS; w++) {
		s->hist.lo[t][w] = s->hist.nold[w];
		xp_gc(x, s, w);
	}
}

void xp_drain(struct xp *x, struct xp_state *s, unsigned t)
{
	while (s->sb[t].n > 0) {
		x->wr |= 1U << s->sb[t].word[0];
		xp_flush_at(x, s, t, 0);
	}
	xp_see_newest(x, s, t);
}

void xp_touch(struct xp *x, uint32_t rd, uint32_t wr)
{
	x->rd |= rd;
	x->wr |= wr;
}

void xp_acquire(struct xp *x, struct xp_state *s, unsigned t)
{
	xp_see_newest(x, s, t);
}

/* The action's choice does not apply to the next event: discard it. */
static void xp_not_applicable(struct xp *x)
{
	x->invalid = true;
	longjmp(x->jb, 1);
}

static uint64_t xp_load(const volatile void *p, unsigned size, void *arg)
{
	struct xp *x = arg;
	struct xp_thread *th = &x->cur->th[x->t];
	struct xp_sb *b = &x->cur->sb[x->t];
	unsigned w = xp_word(x, p, size), i;
	uint32_t v;

	bool own = false;

	if (xp_replaying(x))
		return th->loads[x->li++];
	v = x->cur->mem[w];
	for (i = 0; i < b->n; i++) /* newest own buffered store wins */
		if (b->word[i] == w) {
			v = b->val[i];
			own = true;
		}
	if (x->mm == XP_ARM && !own) {
		struct xp_hist *hi = &x->cur->hist;
		unsigned pos;

		x->avail = (uint8_t)(hi->nold[w] - hi->lo[x->t][w]);
		if (x->choice > x->avail)
			xp_not_applicable(x);
		pos = hi->nold[w] - x->choice;
		if (x->choice > 0)
			v = hi->old[w][pos];
		hi->lo[x->t][w] = (uint8_t)pos; /* never older than this again */
		xp_gc(x, x->cur, w);
	} else if (x->choice > 0) {
		xp_not_applicable(x);
	}
	if (th->nloads == XP_LOADS_MAX) {
		fprintf(stderr, "xp: more than %d loads in one core call\n",
			XP_LOADS_MAX);
		abort();
	}
	th->loads[th->nloads++] = v;
	x->li++;
	x->rd |= 1U << w;
	if (x->verbose)
		printf("  %-5s load  %s -> %u%s\n", x->sys->thread_names[x->t],
		       x->sys->word_name(w), v,
		       x->choice > 0 ? "  (stale: a newer value is in memory)" : "");
	xp_performed(x);
	return v;
}

static void xp_store(volatile void *p, uint64_t v, unsigned size, void *arg)
{
	struct xp *x = arg;
	struct xp_sb *b = &x->cur->sb[x->t];
	unsigned w = xp_word(x, p, size);

	if (xp_replaying(x))
		return;
	if (x->choice > 0)
		xp_not_applicable(x);
	if (x->mm == XP_SC) /* else it goes into my own buffer */
		x->wr |= 1U << w;
	if (x->mm == XP_SC) {
		x->cur->mem[w] = (uint32_t)v;
		if (x->verbose)
			printf("  %-5s store %s = %u\n",
			       x->sys->thread_names[x->t], x->sys->word_name(w),
			       (unsigned)v);
	} else {
		if (b->n == XP_SB_MAX) {
			fprintf(stderr, "xp: store buffer overflow\n");
			abort();
		}
		b->word[b->n] = (uint8_t)w;
		b->ep[b->n] = b->epoch;
		b->val[b->n] = (uint32_t)v;
		b->n++;
		if (x->verbose)
			printf("  %-5s store %s = %u  (into my store buffer, %u pending)\n",
			       x->sys->thread_names[x->t], x->sys->word_name(w),
			       (unsigned)v, b->n);
	}
	xp_performed(x);
}

static void xp_fence(enum nm_sim_step kind, void *arg)
{
	struct xp *x = arg;
	bool full = kind == NM_SIM_FENCE_STORE_LOAD || kind == NM_SIM_ATOMIC;

	if (xp_replaying(x))
		return;
	if (x->choice > 0)
		xp_not_applicable(x);
	if (x->verbose && full)
		printf("  %-5s %s\n", x->sys->thread_names[x->t],
		       kind == NM_SIM_ATOMIC ? "locked instruction (full fence)"
					     : "full fence");
	if (x->verbose && x->mm == XP_ARM && !full)
		printf("  %-5s %s fence\n", x->sys->thread_names[x->t],
		       kind == NM_SIM_FENCE_LOAD_LOAD ? "load-load" : "store-store");
	if (x->mm != XP_SC && full) {
		xp_drain(x, x->cur, x->t);
	} else if (x->mm == XP_ARM && kind == NM_SIM_FENCE_LOAD_LOAD) {
		xp_see_newest(x, x->cur, x->t);
	} else if (x->mm == XP_ARM && kind == NM_SIM_FENCE_STORE_STORE) {
		struct xp_sb *b = &x->cur->sb[x->t];

		if (b->n > 0) /* later stores drain after the earlier ones */
			b->epoch++;
	}
	/* A fence touches only what it drains (xp_drain() adds it); the
	 * rest of its effect is on the thread's own buffer and views. */
	xp_performed(x);
}

static const struct nm_sim_mem_ops *xp_ops(struct xp *x)
{
	static struct nm_sim_mem_ops ops = {
		.load = xp_load, .store = xp_store, .fence = xp_fence,
	};

	ops.arg = x;
	return &ops;
}

void xp_call_done(struct xp_state *s, unsigned t, uint8_t phase, uint32_t arg)
{
	struct xp_thread *th = &s->th[t];

	th->phase = phase;
	th->arg = arg;
	th->nev = 0;
	memset(th->loads, 0, sizeof(th->loads));
	th->nloads = 0;
}

/* ---- actions */

static unsigned xp_actions(struct xp *x, const struct xp_state *s,
			   uint8_t *act)
{
	unsigned t, n = 0, c, w, i, stale;

	for (t = 0; t < x->sys->nthreads; t++) {
		if (!x->sys->enabled(s, t))
			continue;
		act[n++] = (uint8_t)(t * XP_CHOICES);
		if (x->mm != XP_ARM)
			continue;
		/* A stale read is possible only if some word has one. */
		stale = 0;
		for (w = 0; w < XP_WORDS; w++)
			if ((unsigned)(s->hist.nold[w] - s->hist.lo[t][w]) > stale)
				stale = s->hist.nold[w] - s->hist.lo[t][w];
		for (c = 1; c <= stale; c++)
			act[n++] = (uint8_t)(t * XP_CHOICES + c);
	}
	for (t = 0; t < x->sys->nthreads; t++) {
		for (i = 0; i < s->sb[t].n; i++) {
			if (x->mm == XP_ARM ? xp_drainable(&s->sb[t], i) : i == 0)
				act[n++] = (uint8_t)(XP_DRAIN + t * XP_SB_MAX + i);
		}
	}
	return n;
}

/* Apply one action to s.  0, -1 with x->why (a violation), or 1: the
 * action does not apply (an ARM load choice for an event that is not a
 * load, or older than the thread may read); s is then garbage. */
static int xp_apply(struct xp *x, struct xp_state *s, unsigned a)
{
	volatile int err = 0;
	volatile unsigned t;

	x->stats.transitions++;
	x->rd = x->wr = 0;
	x->avail = 0;
	if (a >= XP_DRAIN) {
		t = (a - XP_DRAIN) / XP_SB_MAX;
		x->wr = 1U << s->sb[t].word[(a - XP_DRAIN) % XP_SB_MAX];
		xp_flush_at(x, s, t, (a - XP_DRAIN) % XP_SB_MAX);
		return 0;
	}
	t = a / XP_CHOICES;
	x->cur = s;
	x->t = t;
	x->ev = 0;
	x->li = 0;
	x->choice = a % XP_CHOICES;
	x->invalid = false;
	x->sys->restore(s, t);
	if (setjmp(x->jb) == 0) {
		err = x->sys->run(x, s, t);
		/* The call completed without a new event: a choice > 0 is a
		 * duplicate of choice 0. */
		if (x->choice > 0)
			x->invalid = true;
		/* Driver bookkeeping: what run() declared, or everything. */
		if (!x->sys->footprints)
			x->rd = x->wr = ~0U;
	}
	x->cur = NULL;
	x->choice = 0;
	if (x->invalid) {
		x->stats.transitions--;
		x->stats.pruned++;
		return 1;
	}
	return err;
}

static double xp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Replay the path to a violation (the actions taken from the first k
 * nodes of the stack) with every event printed. */
static void xp_print_trace(struct xp *x, const struct xp_state *init,
			   const struct xp_node *stack, size_t k)
{
	struct xp_state *s = malloc(sizeof(*s));
	char why[sizeof(x->why)];
	size_t i;

	if (s == NULL)
		return;
	memcpy(why, x->why, sizeof(why));
	memcpy(s, init, sizeof(*s));
	x->verbose = true;
	printf("counterexample (%zu actions):\n", k);
	for (i = 0; i < k; i++)
		(void)xp_apply(x, s, stack[i].act[stack[i].next - 1]);
	x->verbose = false;
	memcpy(x->why, why, sizeof(why));
	printf("violation: %s\n", x->why);
	free(s);
}

/* Are actions a and b (their footprints rd/wr) independent: run in either
 * order from a state, they reach the same state and neither enables or
 * disables the other?  Different threads, and neither writes a shared
 * word the other reads or writes (driver bookkeeping and fences count as
 * touching everything). */
static bool xp_indep(unsigned a, uint32_t ard, uint32_t awr, unsigned b,
		     uint32_t brd, uint32_t bwr)
{
	return XP_ACT_THREAD(a) != XP_ACT_THREAD(b) &&
	       (awr & (brd | bwr)) == 0 && (bwr & ard) == 0;
}

/* Start exploring node c with sleep set z (footprints from n). */
static void xp_node_start(struct xp *x, struct xp_node *c,
			  const struct xp_node *n, uint64_t z)
{
	unsigned b;

	c->next = 0;
	memset(c->avail, 0xff, sizeof(c->avail));
	c->sleep = z;
	c->done = 0;
	for (b = 0; n != NULL && z != 0 && b < XP_ACTIONS; b++) {
		if ((z >> b & 1) == 0)
			continue;
		c->frd[b] = n->frd[b];
		c->fwr[b] = n->fwr[b];
	}
	c->nact = (uint8_t)xp_actions(x, &c->s, c->act);
}

/*
 * Depth-first search.  With x->por, sleep sets (Godefroid): after taking
 * action a from a state, an action b taken from that state before a (or
 * asleep there) that is independent of a is put to sleep in the child:
 * every path through b from the child was already covered by b first.
 * With the visited set: a state reached again with a sleep set that is
 * not a superset of the one it was explored with is explored again with
 * the intersection (so no transition is lost).  Sleep sets skip
 * transitions, not states; every reachable state is still visited.
 */
int xp_explore(struct xp *x, const struct xp_state *init, uint64_t max_states)
{
	struct xp_set seen;
	struct xp_node *stack;
	size_t depth, cap = 1024, slot;
	struct xp_node *n, *c;
	double t0 = xp_now();
	uint64_t h, z, zs;
	uint32_t ard, awr;
	unsigned a, b;
	int ret = 0, r;

	memset(&x->stats, 0, sizeof(x->stats));
	x->why[0] = '\0';
	if (xp_set_init(&seen, 1U << 20) != 0)
		return xp_fail(x, "out of memory");
	stack = malloc(cap * sizeof(*stack));
	if (stack == NULL) {
		xp_set_fini(&seen);
		return xp_fail(x, "out of memory");
	}
	nm_sim_os.mem = xp_ops(x);

	memcpy(&stack[0].s, init, sizeof(*init));
	xp_node_start(x, &stack[0], NULL, 0);
	h = xp_hash(x, &stack[0].s);
	slot = xp_set_slot(&seen, h);
	seen.key[slot] = h;
	seen.onstack[slot] = 1;
	seen.used++;
	x->stats.states = 1;
	depth = 1;
	if (x->sys->check(x, &stack[0].s) != 0) {
		xp_print_trace(x, init, stack, 0);
		ret = 1;
		goto out;
	}

	while (depth > 0) {
		n = &stack[depth - 1];
		if (n->next == n->nact) {
			slot = xp_set_slot(&seen, xp_hash(x, &n->s));
			seen.onstack[slot] = 0;
			depth--;
			continue;
		}
		a = n->act[n->next++];
		if ((n->sleep >> XP_BIT(a) & 1) != 0) {
			x->stats.slept++;
			continue;
		}
		if (a < XP_RUN_END && a % XP_CHOICES > 0 &&
		    a % XP_CHOICES > n->avail[a / XP_CHOICES]) {
			x->stats.pruned++;
			continue;
		}
		if (depth == cap) {
			struct xp_node *ns = realloc(stack, 2 * cap * sizeof(*stack));

			if (ns == NULL) {
				ret = -1;
				xp_fail(x, "out of memory (search depth %zu)", depth);
				goto out;
			}
			stack = ns;
			cap *= 2;
			n = &stack[depth - 1];
		}
		c = &stack[depth];
		memcpy(&c->s, &n->s, sizeof(c->s));
		r = xp_apply(x, &c->s, a);
		if (a < XP_RUN_END && a % XP_CHOICES == 0)
			n->avail[a / XP_CHOICES] = x->avail;
		if (r == 1)
			continue;
		if (r != 0 || x->sys->check(x, &c->s) != 0) {
			xp_print_trace(x, init, stack, depth);
			ret = 1;
			goto out;
		}
		/* The child's sleep set: what slept here or was taken before
		 * a, if independent of a. */
		z = 0;
		ard = x->rd;
		awr = x->wr;
		if (x->por) {
			uint64_t cand = n->sleep | n->done;

			for (b = 0; cand != 0 && b < XP_ACTIONS; b++) {
				unsigned ab;

				if ((cand >> b & 1) == 0)
					continue;
				/* b is a bit; its action code for the thread test */
				ab = b < XP_RUN_END ? b : XP_DRAIN + (b - XP_RUN_END);
				if (xp_indep(a, ard, awr, ab, n->frd[b], n->fwr[b]))
					z |= 1ULL << b;
			}
			n->done |= 1ULL << XP_BIT(a);
			n->frd[XP_BIT(a)] = ard;
			n->fwr[XP_BIT(a)] = awr;
		}
		h = xp_hash(x, &c->s);
		slot = xp_set_slot(&seen, h);
		if (seen.key[slot] == h) {
			x->stats.revisits++;
			if (seen.onstack[slot]) {
				xp_fail(x, "cycle: an execution that never ends (no quiescence)");
				xp_print_trace(x, init, stack, depth);
				ret = 1;
				goto out;
			}
			zs = seen.sleep[slot];
			if (!x->por || (zs & ~z) == 0)
				continue; /* explored with no more asleep */
			/* Explored with some of these asleep: again, with only
			 * what slept both times asleep. */
			seen.sleep[slot] = zs & z;
			seen.onstack[slot] = 1;
			xp_node_start(x, c, n, zs & z);
			x->stats.reexplored++;
			depth++;
			continue;
		}
		seen.key[slot] = h;
		seen.onstack[slot] = 1;
		seen.sleep[slot] = z;
		seen.used++;
		x->stats.states++;
		if (seen.used * 2 > seen.cap && xp_set_grow(&seen) != 0) {
			ret = -1;
			xp_fail(x, "out of memory (%llu states)",
				(unsigned long long)x->stats.states);
			goto out;
		}
		if (x->stats.states > max_states) {
			ret = -1;
			xp_fail(x, "more than %llu states: bound too large",
				(unsigned long long)max_states);
			goto out;
		}
		xp_node_start(x, c, n, z);
		if (c->nact == 0) {
			x->stats.quiescent++;
			if (x->sys->quiescent(x, &c->s) != 0) {
				xp_print_trace(x, init, stack, depth);
				ret = 1;
				goto out;
			}
			slot = xp_set_slot(&seen, h);
			seen.onstack[slot] = 0;
			continue;
		}
		depth++;
		if (depth > x->stats.max_depth)
			x->stats.max_depth = depth;
	}
out:
	nm_sim_os.mem = NULL;
	x->stats.seconds = xp_now() - t0;
	free(stack);
	xp_set_fini(&seen);
	return ret;
}
