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

#define XP_ACTIONS (2 * XP_THREADS) /* run t, then drain one entry of t */

struct xp_node {
	struct xp_state s;
	uint8_t nact, next;
	uint8_t act[XP_ACTIONS];
};

/* ---- visited set */

struct xp_set {
	uint64_t *key; /* 0 = empty */
	uint8_t *onstack;
	size_t cap, used;
};

static int xp_set_init(struct xp_set *v, size_t cap)
{
	v->cap = cap;
	v->used = 0;
	v->key = calloc(cap, sizeof(*v->key));
	v->onstack = calloc(cap, 1);
	return v->key != NULL && v->onstack != NULL ? 0 : -1;
}

static void xp_set_fini(struct xp_set *v)
{
	free(v->key);
	free(v->onstack);
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

static void xp_flush_one(struct xp *x, struct xp_state *s, unsigned t)
{
	struct xp_sb *b = &s->sb[t];

	s->mem[b->word[0]] = b->val[0];
	if (x->verbose)
		printf("  %-5s   (store buffer drains: %s = %u now visible)\n",
		       x->sys->thread_names[t], x->sys->word_name(b->word[0]),
		       b->val[0]);
	memmove(b->word, b->word + 1, b->n - 1);
	memmove(b->val, b->val + 1, (b->n - 1) * sizeof(b->val[0]));
	b->n--;
	b->word[b->n] = 0;
	b->val[b->n] = 0;
}

void xp_drain(struct xp *x, struct xp_state *s, unsigned t)
{
	while (s->sb[t].n > 0)
		xp_flush_one(x, s, t);
}

static uint64_t xp_load(const volatile void *p, unsigned size, void *arg)
{
	struct xp *x = arg;
	struct xp_thread *th = &x->cur->th[x->t];
	struct xp_sb *b = &x->cur->sb[x->t];
	unsigned w = xp_word(x, p, size), i;
	uint32_t v;

	if (xp_replaying(x))
		return th->loads[x->li++];
	v = x->cur->mem[w];
	for (i = 0; i < b->n; i++) /* newest own buffered store wins */
		if (b->word[i] == w)
			v = b->val[i];
	if (th->nloads == XP_LOADS_MAX) {
		fprintf(stderr, "xp: more than %d loads in one core call\n",
			XP_LOADS_MAX);
		abort();
	}
	th->loads[th->nloads++] = v;
	x->li++;
	if (x->verbose)
		printf("  %-5s load  %s -> %u\n", x->sys->thread_names[x->t],
		       x->sys->word_name(w), v);
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
	if (x->verbose && full)
		printf("  %-5s %s\n", x->sys->thread_names[x->t],
		       kind == NM_SIM_ATOMIC ? "locked instruction (full fence)"
					     : "full fence");
	if (x->mm == XP_TSO && full)
		xp_drain(x, x->cur, x->t);
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
	unsigned t, n = 0;

	for (t = 0; t < x->sys->nthreads; t++)
		if (x->sys->enabled(s, t))
			act[n++] = (uint8_t)t;
	for (t = 0; t < x->sys->nthreads; t++)
		if (s->sb[t].n > 0)
			act[n++] = (uint8_t)(XP_THREADS + t);
	return n;
}

/* Apply one action to s.  0, or -1 with x->why. */
static int xp_apply(struct xp *x, struct xp_state *s, unsigned a)
{
	volatile int err = 0;

	x->stats.transitions++;
	if (a >= XP_THREADS) {
		xp_flush_one(x, s, a - XP_THREADS);
		return 0;
	}
	x->cur = s;
	x->t = a;
	x->ev = 0;
	x->li = 0;
	x->sys->restore(s, a);
	if (setjmp(x->jb) == 0)
		err = x->sys->run(x, s, a);
	x->cur = NULL;
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

int xp_explore(struct xp *x, const struct xp_state *init, uint64_t max_states)
{
	struct xp_set seen;
	struct xp_node *stack;
	size_t depth, cap = 1024, slot;
	struct xp_node *n, *c;
	double t0 = xp_now();
	uint64_t h;
	unsigned a;
	int ret = 0;

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
	stack[0].next = 0;
	stack[0].nact = (uint8_t)xp_actions(x, &stack[0].s, stack[0].act);
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
		if (xp_apply(x, &c->s, a) != 0 || x->sys->check(x, &c->s) != 0) {
			xp_print_trace(x, init, stack, depth);
			ret = 1;
			goto out;
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
			continue;
		}
		seen.key[slot] = h;
		seen.onstack[slot] = 1;
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
		c->next = 0;
		c->nact = (uint8_t)xp_actions(x, &c->s, c->act);
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
