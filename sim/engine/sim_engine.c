/*
 * sim_engine.c - the event loop.
 *
 * Event bodies live in a slot array; the queue holds (time, seq, slot) keys.
 * A slot is recycled when its event runs or its cancelled key is popped, and
 * its generation changes every time, so a stale sim_ev_ref never cancels an
 * unrelated event.  The handler runs on a copy of its event, so it may
 * schedule (and grow the slot array) freely.
 */
#include "sim_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm_os.h"

#define SIM_PROGRESS_MASK ((1ULL << 14) - 1)

int sim_engine_init(struct sim_engine *e)
{
	memset(e, 0, sizeof(*e));
	if (sim_queue_init(&e->q, 1024) != 0)
		return -ENOMEM;
	e->ev_cap = 1024;
	e->ev = calloc(e->ev_cap, sizeof(*e->ev));
	e->free_ids = malloc(e->ev_cap * sizeof(*e->free_ids));
	if (e->ev == NULL || e->free_ids == NULL) {
		sim_engine_fini(e);
		return -ENOMEM;
	}
	/* Hand out low slots first: pop order of the free stack is fixed. */
	for (e->nfree = 0; e->nfree < e->ev_cap; e->nfree++)
		e->free_ids[e->nfree] = e->ev_cap - 1 - e->nfree;
	e->next_gen = 1;
	e->sched_min = UINT64_MAX;
	e->fingerprint = SIM_FP_INIT;
	nm_sim_os.now_ns = 0;
	nm_sim_os.frac_ps = 0;
	return 0;
}

void sim_engine_fini(struct sim_engine *e)
{
	sim_queue_fini(&e->q);
	free(e->ev);
	free(e->free_ids);
	e->ev = NULL;
	e->free_ids = NULL;
	e->ev_cap = e->nfree = 0;
}

static void sim_engine_oom(void)
{
	fprintf(stderr, "nmsim: out of memory for events\n");
	abort();
}

static uint32_t sim_slot_get(struct sim_engine *e)
{
	struct sim_event *ev;
	uint32_t *fr, i, old = e->ev_cap;

	if (e->nfree == 0) {
		if ((uint64_t)old * 2 > (uint64_t)SIM_QKEY_MAX_ID + 1)
			sim_engine_oom();
		ev = realloc(e->ev, 2 * (size_t)old * sizeof(*ev));
		if (ev == NULL)
			sim_engine_oom();
		e->ev = ev;
		fr = realloc(e->free_ids, 2 * (size_t)old * sizeof(*fr));
		if (fr == NULL)
			sim_engine_oom();
		e->free_ids = fr;
		memset(e->ev + old, 0, old * sizeof(*ev));
		for (i = 0; i < old; i++)
			e->free_ids[e->nfree++] = 2 * old - 1 - i;
		e->ev_cap = 2 * old;
	}
	return e->free_ids[--e->nfree];
}

static void sim_slot_put(struct sim_engine *e, uint32_t id)
{
	e->ev[id].gen = 0;
	e->free_ids[e->nfree++] = id;
}

struct sim_ev_ref sim_schedule(struct sim_engine *e, uint64_t at,
			       sim_handler fn, void *arg, uint16_t kind,
			       uint16_t actor, uint32_t ring, uint32_t index)
{
	struct sim_ev_ref r;
	struct sim_qkey k;
	struct sim_event *ev;
	uint32_t id;

	if (at < e->now_ns)
		nm_os_invariant_failed("event scheduled in the past", __FILE__,
				       __LINE__);
	id = sim_slot_get(e);
	ev = &e->ev[id];
	ev->fn = fn;
	ev->arg = arg;
	ev->time_ns = at;
	ev->kind = kind;
	ev->actor = actor;
	ev->ring = ring;
	ev->index = index;
	ev->cancelled = false;
	if (++e->next_gen == 0)
		e->next_gen = 1;
	ev->gen = e->next_gen;
	if (at < e->sched_min) {
		e->sched_min = at;
		if (e->sched_watch != NULL && at < *e->sched_watch)
			*e->sched_watch = at;
	}
	k = sim_qkey_make(at, e->seq++, id);
	if (e->top_taken) {
		sim_queue_replace_top(&e->q, &k);
		e->top_taken = false;
	} else if (sim_queue_push(&e->q, &k) != 0) {
		sim_engine_oom();
	}
	e->scheduled++;
	r.id = id;
	r.gen = ev->gen;
	return r;
}

bool sim_pending(const struct sim_engine *e, struct sim_ev_ref r)
{
	return r.gen != 0 && r.id < e->ev_cap && e->ev[r.id].gen == r.gen &&
	       !e->ev[r.id].cancelled;
}

void sim_cancel(struct sim_engine *e, struct sim_ev_ref r)
{
	if (sim_pending(e, r))
		e->ev[r.id].cancelled = true;
}

void sim_engine_stop(struct sim_engine *e)
{
	e->stop = true;
}

uint64_t sim_engine_next_time(const struct sim_engine *e)
{
	const struct sim_qkey *k = e->top_taken ? sim_queue_peek_second(&e->q)
						: sim_queue_peek(&e->q);

	return k != NULL ? k->time_ns : UINT64_MAX;
}

uint64_t sim_engine_next_time_except(const struct sim_engine *e,
				     bool (*skip)(const struct sim_event *ev, void *arg),
				     void *arg)
{
	const struct sim_qkey *h = e->q.heap;
	size_t n = sim_queue_len(&e->q), stack[64], top = 0, i, c;
	uint64_t best = UINT64_MAX;
	const struct sim_event *ev;

	if (n != 0)
		stack[top++] = 0;
	while (top != 0) {
		i = stack[--top];
		/* A heap's subtree holds nothing earlier than its root. */
		if (h[i].time_ns >= best)
			continue;
		ev = &e->ev[sim_qkey_id(&h[i])];
		if (!(i == 0 && e->top_taken) && !ev->cancelled && !skip(ev, arg)) {
			best = h[i].time_ns;
			continue;
		}
		/* Its children: the heap is SIM_Q_ARITY-ary (sim_queue.h). */
		if (top + SIM_Q_ARITY > sizeof(stack) / sizeof(stack[0]))
			return sim_engine_next_time(e); /* deeper than expected: stay exact */
		for (c = SIM_Q_ARITY; c != 0; c--)
			if (SIM_Q_ARITY * i + c < n)
				stack[top++] = SIM_Q_ARITY * i + c;
	}
	return best;
}

/* Remove the key of the event that ran, unless sim_schedule() replaced it. */
static inline void sim_engine_settle(struct sim_engine *e)
{
	struct sim_qkey k;

	if (e->top_taken) {
		sim_queue_pop(&e->q, &k);
		e->top_taken = false;
	}
}

uint64_t sim_engine_run(struct sim_engine *e, uint64_t until_ns)
{
	uint64_t ran = 0, fp;
	const struct sim_qkey *top;
	struct sim_qkey k;
	struct sim_event *ev;
	sim_handler fn;
	void *arg;
	uint32_t id;

	e->stop = false;
	e->until_ns = until_ns;
	for (;;) {
		sim_engine_settle(e);
		top = sim_queue_peek(&e->q);
		if (e->stop || top == NULL || top->time_ns > until_ns)
			break;
		/* The key stays first in the queue while its event runs; the
		 * same set of keys is in the queue either way, so the order of
		 * events is exactly that of pop-then-push. */
		k = *top;
		e->top_taken = true;
		id = sim_qkey_id(&k);
		ev = &e->ev[id];
		if (ev->cancelled) {
			sim_slot_put(e, id);
			e->cancelled++;
			continue;
		}
		e->now_ns = k.time_ns;
		/* The running actor's CPU clock starts at its event's time. */
		nm_sim_os.now_ns = k.time_ns;
		nm_sim_os.frac_ps = 0;
		fp = sim_fp_mix(e->fingerprint, k.time_ns);
		fp = sim_fp_mix(fp, (uint64_t)ev->kind | (uint64_t)ev->actor << 16 |
					    (uint64_t)ev->ring << 32);
		e->fingerprint = sim_fp_mix(fp, ev->index);
		e->executed++;
		ran++;
		/* The handler gets a copy: it may schedule, which may move the
		 * slot array and reuse this slot. */
		e->cur = *ev;
		fn = ev->fn;
		arg = ev->arg;
		sim_slot_put(e, id);
		fn(e, arg, &e->cur);
		if (e->after != NULL)
			e->after(e, e->after_arg);
		if (__builtin_expect(e->progress != NULL, 0) &&
		    (e->executed & SIM_PROGRESS_MASK) == 0)
			e->progress(e, e->progress_arg);
	}
	return ran;
}
