/*
 * sim_wmem.c - weak shared memory for the simulator (see sim_wmem.h).
 *
 * Owns: the shared ranges and their words, one store buffer and one view
 * (the arm floor and coherence marks) per actor, each word's recent values
 * with the time each became visible, and the one pending drain event.
 *
 * Invariants:
 *  - memory (the word itself) always holds the newest visible value, so
 *    code that reads it plainly (the invariant checks, has_work()) sees
 *    what is published and nothing still in a buffer;
 *  - per word, visibility times only grow (a drain never goes back before
 *    the word's newest value: cur_from is raised to it);
 *  - the drain event is pending, at the earliest due time, whenever any
 *    buffer holds an entry.
 * Every call first settles: entries of every actor due by the caller's
 * clock become visible, at their due times.
 */
#include "sim_wmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nm_os.h"
#include "sim_actor.h"
#include "sim_engine.h"
#include "sim_rng.h"
#include "sim_run.h"

#define SIM_WMEM_SB 32	 /* store-buffer entries per actor */
#define SIM_WMEM_HIST 8	 /* arm: older values kept per word */

const char *const sim_memory_names[] = { "sc", "tso", "arm", NULL };

struct sim_wmem_ent {
	uint32_t word, val;
	uint64_t due;
	uint32_t epoch; /* arm: store-store fences before it (per actor) */
};

struct sim_wmem_word {
	volatile uint32_t *p;
	uint64_t cur_from;		 /* when the value in memory became visible */
	uint32_t nold;			 /* arm: older values kept (oldest first) */
	uint32_t old[SIM_WMEM_HIST];
	uint64_t old_from[SIM_WMEM_HIST];
};

struct sim_wmem_cpu {
	struct sim_wmem_ent sb[SIM_WMEM_SB];
	uint32_t n, epoch;
	uint64_t floor;	    /* arm: no load is satisfied before this time */
	uint64_t *seen;	    /* arm: per word, the start of the newest value
			     * this actor read or wrote (coherence) */
};

struct sim_wmem_range {
	uintptr_t lo, hi;
	uint32_t first; /* index of its first word */
};

struct sim_wmem {
	enum sim_memory model;
	uint64_t vis_ns;
	struct sim_run *run;
	struct sim_rng rng;
	struct sim_wmem_range *range; /* sorted by address, disjoint */
	uint32_t nranges;
	struct sim_wmem_word *words;
	uint32_t nwords;
	struct sim_wmem_cpu **cpus; /* by actor id */
	uint32_t ncpus;
	uint32_t pending;	    /* entries in all buffers */
	struct sim_ev_ref ev;	    /* the drain event */
	uint64_t ev_time;
	uint64_t nev;
	struct sim_wmem_stats st;
	struct nm_sim_mem_ops ops;
};

/* The word p names, or -1 if p is not in a shared range. */
static int64_t sim_wmem_word(const struct sim_wmem *m, const volatile void *p,
			     unsigned size)
{
	uintptr_t a = (uintptr_t)p;
	uint32_t lo = 0, hi = m->nranges, i;

	/* Binary search: the last range starting at or below a. */
	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if (m->range[i].lo <= a)
			lo = i + 1;
		else
			hi = i;
	}
	if (lo == 0 || a >= m->range[lo - 1].hi)
		return -1;
	i = lo - 1;
	if (size != 4 || a % 4 != 0)
		m->run->internal_error(m->run,
				       "weak memory: a shared word accessed with another size");
	return m->range[i].first + (a - m->range[i].lo) / 4;
}

/* The running actor's buffer and view (NULL outside actors).  The run's
 * running actor, not nm_sim_os.self, which only the concurrent model
 * sets: under the step model a body runs as one event, its stores
 * buffered all the same. */
static struct sim_wmem_cpu *sim_wmem_cpu(struct sim_wmem *m)
{
	const struct sim_actor *a = m->run->cur;
	struct sim_wmem_cpu **c;
	uint32_t n;

	if (a == NULL)
		return NULL;
	if (a->id >= m->ncpus) {
		n = a->id + 8U;
		c = realloc(m->cpus, n * sizeof(*c));
		if (c == NULL)
			m->run->internal_error(m->run, "weak memory: out of memory");
		memset(c + m->ncpus, 0, (n - m->ncpus) * sizeof(*c));
		m->cpus = c;
		m->ncpus = n;
	}
	if (m->cpus[a->id] == NULL) {
		m->cpus[a->id] = calloc(1, sizeof(struct sim_wmem_cpu));
		if (m->cpus[a->id] == NULL ||
		    (m->cpus[a->id]->seen = calloc(m->nwords + 1, sizeof(uint64_t))) == NULL)
			m->run->internal_error(m->run, "weak memory: out of memory");
	}
	/* A step that a notification caused starts after a full barrier
	 * (the wake-up, as xp_acquire() in the explorer): it reads nothing
	 * older than its start. */
	if (a->woken && m->cpus[a->id]->floor < a->t0)
		m->cpus[a->id]->floor = a->t0;
	return m->cpus[a->id];
}

/* Value v of word w becomes visible at time t (raised to the word's
 * newest: visibility times of a word only grow). */
static void sim_wmem_commit(struct sim_wmem *m, uint32_t w, uint32_t v,
			    uint64_t t)
{
	struct sim_wmem_word *x = &m->words[w];

	if (t < x->cur_from)
		t = x->cur_from;
	if (m->model == SIM_MEM_ARM) {
		if (x->nold == SIM_WMEM_HIST) {
			memmove(x->old, x->old + 1, (SIM_WMEM_HIST - 1) * sizeof(x->old[0]));
			memmove(x->old_from, x->old_from + 1,
				(SIM_WMEM_HIST - 1) * sizeof(x->old_from[0]));
			x->nold--;
		}
		x->old[x->nold] = *x->p;
		x->old_from[x->nold] = x->cur_from;
		x->nold++;
	}
	*x->p = v;
	x->cur_from = t;
}

/* Entry i of c's buffer becomes visible at t; it leaves the buffer. */
static void sim_wmem_drain_at(struct sim_wmem *m, struct sim_wmem_cpu *c,
			      uint32_t i, uint64_t t)
{
	struct sim_wmem_ent *e = &c->sb[i];

	if (i != 0)
		m->st.reordered++;
	sim_wmem_commit(m, e->word, e->val, t);
	c->seen[e->word] = m->words[e->word].cur_from; /* my own store */
	memmove(c->sb + i, c->sb + i + 1, (c->n - 1 - i) * sizeof(c->sb[0]));
	c->n--;
	m->pending--;
}

/* Every entry due by now becomes visible, at its due time. */
static void sim_wmem_settle(struct sim_wmem *m, uint64_t now)
{
	struct sim_wmem_cpu *c;
	uint32_t k, i;

	if (m->pending == 0)
		return;
	for (k = 0; k < m->ncpus; k++) {
		c = m->cpus[k];
		for (i = 0; c != NULL && i < c->n;) {
			if (c->sb[i].due <= now) {
				m->st.drained_due++;
				sim_wmem_drain_at(m, c, i, c->sb[i].due);
			} else if (m->model == SIM_MEM_TSO) {
				break; /* FIFO: nothing behind it is due */
			} else {
				i++;
			}
		}
	}
}

/* The whole of c's buffer becomes visible now (a full fence, a release). */
static void sim_wmem_flush(struct sim_wmem *m, struct sim_wmem_cpu *c,
			   uint64_t now)
{
	while (c->n > 0) {
		m->st.drained_fence++;
		sim_wmem_drain_at(m, c, 0, now);
	}
	c->epoch = 0;
}

static void sim_wmem_event(struct sim_engine *e, void *arg,
			   const struct sim_event *ev);

/* Keep the drain event at the earliest due time of any buffer. */
static void sim_wmem_arm(struct sim_wmem *m)
{
	struct sim_engine *e = m->run->eng;
	uint64_t t = UINT64_MAX;
	uint32_t k, i;

	for (k = 0; k < m->ncpus; k++)
		for (i = 0; m->cpus[k] != NULL && i < m->cpus[k]->n; i++)
			if (m->cpus[k]->sb[i].due < t)
				t = m->cpus[k]->sb[i].due;
	if (sim_pending(e, m->ev)) {
		if (m->ev_time <= t)
			return;
		sim_cancel(e, m->ev);
	}
	if (t == UINT64_MAX)
		return;
	if (t < e->now_ns)
		t = e->now_ns;
	m->ev = sim_schedule(e, t, sim_wmem_event, m, SIM_EV_MEM, UINT16_MAX, 0,
			     (uint32_t)++m->nev);
	m->ev_time = t;
}

static void sim_wmem_event(struct sim_engine *e, void *arg,
			   const struct sim_event *ev)
{
	struct sim_wmem *m = arg;

	(void)ev;
	m->ev.gen = 0;
	sim_wmem_settle(m, e->now_ns);
	sim_wmem_arm(m);
}

/* arm: the value of word w as of time t (the newest visible then). */
static uint32_t sim_wmem_value_at(const struct sim_wmem_word *x, uint64_t t,
				  uint64_t *from)
{
	uint32_t i;

	if (t >= x->cur_from || x->nold == 0) {
		*from = x->cur_from;
		return *x->p;
	}
	for (i = x->nold; i-- > 0;)
		if (x->old_from[i] <= t || i == 0) {
			*from = x->old_from[i];
			return x->old[i];
		}
	*from = x->cur_from;
	return *x->p;
}

static uint64_t sim_wmem_load(const volatile void *p, unsigned size, void *arg)
{
	struct sim_wmem *m = arg;
	uint64_t now = nm_sim_os.now_ns, lo, t, from;
	struct sim_wmem_cpu *c;
	struct sim_wmem_word *x;
	int64_t w;
	uint32_t i, v;

	sim_wmem_settle(m, now);
	w = sim_wmem_word(m, p, size);
	if (w < 0 || (c = sim_wmem_cpu(m)) == NULL) {
		if (size == 2)
			return *(const volatile uint16_t *)p;
		if (size == 8)
			return *(const volatile uint64_t *)p;
		return *(const volatile uint32_t *)p;
	}
	for (i = c->n; i-- > 0;) /* my newest buffered store of it */
		if (c->sb[i].word == (uint32_t)w) {
			m->st.forwarded++;
			return c->sb[i].val;
		}
	x = &m->words[w];
	if (m->model != SIM_MEM_ARM)
		return *x->p;
	lo = now > m->vis_ns ? now - m->vis_ns : 0;
	if (lo < c->floor)
		lo = c->floor;
	if (lo < c->seen[w])
		lo = c->seen[w];
	/* Newest, too, when its value became visible after now: an actor
	 * that ran earlier with a clock ahead of ours (the step model runs a
	 * body whole; the concurrent one lets a clock pass the next event by
	 * one step) made it so, and what it then did relied on it being
	 * visible (a store, its full fence, then its re-check).  Returning
	 * an older value here would break that, as no machine can. */
	if (lo >= x->cur_from || lo >= now || x->cur_from > now) {
		c->seen[w] = x->cur_from;
		return *x->p;
	}
	/* Satisfied early: at a time in [lo, now]. */
	t = lo + sim_rng_below(&m->rng, now - lo + 1);
	v = sim_wmem_value_at(x, t, &from);
	if (from < x->cur_from)
		m->st.stale++;
	c->seen[w] = from;
	return v;
}

static void sim_wmem_store(volatile void *p, uint64_t v, unsigned size,
			   void *arg)
{
	struct sim_wmem *m = arg;
	uint64_t now = nm_sim_os.now_ns, due;
	struct sim_wmem_cpu *c;
	struct sim_wmem_ent *e;
	int64_t w;
	uint32_t i;

	sim_wmem_settle(m, now);
	w = sim_wmem_word(m, p, size);
	if (w >= 0 && (c = sim_wmem_cpu(m)) != NULL) {
		if (c->n == SIM_WMEM_SB) { /* full: the oldest drains now */
			m->st.drained_fence++;
			sim_wmem_drain_at(m, c, 0, now);
		}
		due = now + (m->vis_ns != 0 ? sim_rng_below(&m->rng, m->vis_ns + 1) : 0);
		for (i = 0; i < c->n; i++) {
			e = &c->sb[i];
			/* tso: after every older entry; arm: after those of
			 * the same word and those before a store-store fence. */
			if ((m->model == SIM_MEM_TSO || e->word == (uint32_t)w ||
			     e->epoch != c->epoch) && due < e->due)
				due = e->due;
		}
		e = &c->sb[c->n++];
		e->word = (uint32_t)w;
		e->val = (uint32_t)v;
		e->due = due;
		e->epoch = c->epoch;
		m->pending++;
		m->st.buffered++;
		sim_wmem_arm(m);
		return;
	}
	if (w >= 0) {
		/* Outside actors (the world being built, whose clock is not
		 * the run's): visible to all at once, and no older value is
		 * left to read. */
		sim_wmem_commit(m, (uint32_t)w, (uint32_t)v, now);
		m->words[w].nold = 0;
		if (m->run->eng->executed == 0)
			m->words[w].cur_from = 0;
		return;
	}
	if (size == 2)
		*(volatile uint16_t *)p = (uint16_t)v;
	else if (size == 8)
		*(volatile uint64_t *)p = v;
	else
		*(volatile uint32_t *)p = (uint32_t)v;
}

static void sim_wmem_fence(enum nm_sim_step kind, void *arg)
{
	struct sim_wmem *m = arg;
	uint64_t now = nm_sim_os.now_ns;
	struct sim_wmem_cpu *c;

	sim_wmem_settle(m, now);
	c = sim_wmem_cpu(m);
	if (c == NULL)
		return;
	switch (kind) {
	case NM_SIM_FENCE_STORE_LOAD:
	case NM_SIM_ATOMIC:
		/* smp_mb() / a locked instruction: my stores are visible
		 * before any later load, which sees nothing older than now. */
		sim_wmem_flush(m, c, now);
		c->floor = now;
		break;
	case NM_SIM_FENCE_LOAD_LOAD:
		/* smp_rmb(): later loads are satisfied after earlier ones,
		 * which were all satisfied by now. */
		c->floor = now;
		break;
	case NM_SIM_FENCE_STORE_STORE:
		/* smp_wmb(): later stores drain after the earlier ones
		 * (a no-op under tso, whose buffers drain in order). */
		if (c->n > 0)
			c->epoch++;
		break;
	default:
		break;
	}
	sim_wmem_arm(m);
}

static void sim_wmem_order(int how, void *arg)
{
	struct sim_wmem *m = arg;
	uint64_t now = nm_sim_os.now_ns;
	struct sim_wmem_cpu *c;

	sim_wmem_settle(m, now);
	c = sim_wmem_cpu(m);
	if (c == NULL)
		return;
	/* A full barrier (a notification: an eventfd write or an MMIO
	 * kick) drains the buffer now and later loads see nothing older.
	 * An acquire (a load acquire, a lock taken) keeps later loads from
	 * being satisfied before it.  A release (a store release, a lock
	 * released) is a direct store to memory outside the shared words:
	 * as on x86 it does not wait for the buffer, and under arm the
	 * shared stores after it drain after those before it.  That it may
	 * be seen before the buffered shared stores is invisible to the
	 * only readers of those words (the two sides of one CSB), which never
	 * synchronise through a lock or a kring flag. */
	if (how == NM_SIM_ORDER_FULL)
		sim_wmem_flush(m, c, now);
	if (how == NM_SIM_ORDER_ACQUIRE || how == NM_SIM_ORDER_FULL)
		c->floor = now;
	if (how == NM_SIM_ORDER_RELEASE && c->n > 0)
		c->epoch++;
	sim_wmem_arm(m);
}

struct sim_wmem *sim_wmem_create(struct sim_run *r, enum sim_memory model,
				 uint64_t vis_ns, uint64_t seed)
{
	struct sim_wmem *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->model = model;
	m->vis_ns = vis_ns;
	m->run = r;
	sim_rng_init(&m->rng, seed, "memory");
	m->ops.load = sim_wmem_load;
	m->ops.store = sim_wmem_store;
	m->ops.fence = sim_wmem_fence;
	m->ops.order = sim_wmem_order;
	m->ops.arg = m;
	nm_sim_os.mem = &m->ops;
	return m;
}

void sim_wmem_destroy(struct sim_wmem *m)
{
	uint32_t k;

	if (m == NULL)
		return;
	if (nm_sim_os.mem == &m->ops)
		nm_sim_os.mem = NULL;
	for (k = 0; k < m->ncpus; k++)
		if (m->cpus[k] != NULL) {
			free(m->cpus[k]->seen);
			free(m->cpus[k]);
		}
	free(m->cpus);
	free(m->words);
	free(m->range);
	free(m);
}

int sim_wmem_share(struct sim_wmem *m, volatile void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	struct sim_wmem_range *r;
	struct sim_wmem_word *w;
	uint32_t n = (uint32_t)(len / 4), i, k;

	if (a % 4 != 0 || len % 4 != 0 || len == 0 || len > UINT32_MAX)
		return -EINVAL;
	/* Views are sized when an actor first touches shared memory. */
	if (m->ncpus != 0)
		return -EINVAL;
	/* Kept sorted (the lookup is a binary search); overlap refused. */
	for (k = 0; k < m->nranges && m->range[k].lo < a; k++)
		;
	if ((k > 0 && m->range[k - 1].hi > a) ||
	    (k < m->nranges && m->range[k].lo < a + len))
		return -EINVAL;
	r = realloc(m->range, (m->nranges + 1) * sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	m->range = r;
	w = realloc(m->words, (m->nwords + n) * sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	m->words = w;
	for (i = 0; i < n; i++) {
		memset(&w[m->nwords + i], 0, sizeof(*w));
		w[m->nwords + i].p = (volatile uint32_t *)(a + 4U * i);
	}
	memmove(r + k + 1, r + k, (m->nranges - k) * sizeof(*r));
	r[k].lo = a;
	r[k].hi = a + len;
	r[k].first = m->nwords;
	m->nranges++;
	m->nwords += n;
	return 0;
}

const struct sim_wmem_stats *sim_wmem_stats(const struct sim_wmem *m)
{
	return &m->st;
}

enum sim_memory sim_wmem_model(const struct sim_wmem *m)
{
	return m->model;
}

uint64_t sim_wmem_vis_ns(const struct sim_wmem *m)
{
	return m->vis_ns;
}
