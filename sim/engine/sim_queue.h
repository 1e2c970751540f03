/*
 * sim_queue.h - the simulator's pending-event queue, behind one interface.
 *
 * Owns: an ordered multiset of (time_ns, seq, id) keys.  The engine stores
 * the event bodies elsewhere and keeps only keys here, so a queue can be
 * swapped (binary heap today; a calendar or ladder queue if profiling ever
 * says so) without touching the engine.
 *
 * Order (the comparator sim_qkey_before()): a before b iff a.time < b.time,
 * or a.time == b.time and a.seq < b.seq.  seq is unique per engine (40 bits:
 * a run would need 10^12 events to wrap it), so the
 * order is total: irreflexive (never a before a), antisymmetric (a before b
 * excludes b before a) and transitive.  Equal times therefore pop first-in
 * first-out, which is what makes runs deterministic.
 *
 * Locking: none; the simulator is single-threaded.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* seq (40 bits, unique per engine) above the engine's slot id (24 bits):
 * comparing the packed word compares seq. */
#define SIM_QKEY_ID_BITS 24
#define SIM_QKEY_MAX_ID ((1U << SIM_QKEY_ID_BITS) - 1)

struct sim_qkey {
	uint64_t time_ns;
	uint64_t seq_id; /* seq << SIM_QKEY_ID_BITS | id */
};

static inline struct sim_qkey sim_qkey_make(uint64_t time_ns, uint64_t seq,
					    uint32_t id)
{
	struct sim_qkey k;

	k.time_ns = time_ns;
	k.seq_id = seq << SIM_QKEY_ID_BITS | (id & SIM_QKEY_MAX_ID);
	return k;
}

static inline uint32_t sim_qkey_id(const struct sim_qkey *k)
{
	return (uint32_t)(k->seq_id & SIM_QKEY_MAX_ID);
}

static inline uint64_t sim_qkey_seq(const struct sim_qkey *k)
{
	return k->seq_id >> SIM_QKEY_ID_BITS;
}

static inline bool sim_qkey_before(const struct sim_qkey *a,
				   const struct sim_qkey *b)
{
	/* One 128-bit comparison (time high, seq_id low): the compiler emits
	 * cmp/sbb with no branch, which is what a heap sift wants. */
	unsigned __int128 x = (unsigned __int128)a->time_ns << 64 | a->seq_id;
	unsigned __int128 y = (unsigned __int128)b->time_ns << 64 | b->seq_id;

	return x < y;
}

struct sim_queue {
	struct sim_qkey *heap;
	size_t len, cap;
};

/* 0 or -ENOMEM. */
int sim_queue_init(struct sim_queue *q, size_t initial_cap);
void sim_queue_fini(struct sim_queue *q);
/* Double the capacity: 0 or -ENOMEM (the queue is unchanged then). */
int sim_queue_grow(struct sim_queue *q);

/* The heap is 4-ary: half the depth of a binary one, and the four 16-byte
 * children of a node share one cache line (the array is 64-byte aligned).
 * Invariant: heap[(i - 1) / 4] comes before heap[i] for every i > 0. */
#define SIM_Q_ARITY 4

/* Index of the smallest of the children h[first .. min(first + arity, n)). */
static inline size_t sim_queue_min_child(const struct sim_qkey *h,
					 size_t first, size_t n)
{
	size_t c, best = first;
	size_t end = first + SIM_Q_ARITY < n ? first + SIM_Q_ARITY : n;

	for (c = first + 1; c < end; c++)
		if (sim_qkey_before(&h[c], &h[best]))
			best = c;
	return best;
}

/* h[i] is a hole whose subtree is a heap: move k up from there to its
 * place among i's ancestors. */
static inline void sim_queue_sift_up(struct sim_qkey *h, size_t i,
				     const struct sim_qkey *k)
{
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / SIM_Q_ARITY;
		if (!sim_qkey_before(k, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = *k;
}

/*
 * The root of the first q->len keys is a hole: put k there.  Bottom-up
 * (Floyd): the hole first walks down to a leaf along the smaller children,
 * with no comparison against k, then k rises from there.  The keys a pop
 * or a replacement puts at the root are late ones (the last leaf, a newly
 * scheduled event), which belong near the bottom, so this saves the
 * comparison with k at every level on the way down.
 */
static inline void sim_queue_fill_root(struct sim_queue *q,
				       const struct sim_qkey *k)
{
	struct sim_qkey *h = q->heap;
	size_t i = 0, best, n = q->len;

	while (SIM_Q_ARITY * i + 1 < n) {
		best = sim_queue_min_child(h, SIM_Q_ARITY * i + 1, n);
		h[i] = h[best];
		i = best;
	}
	sim_queue_sift_up(h, i, k);
}

/* 0 or -ENOMEM (the queue is unchanged then). */
static inline int sim_queue_push(struct sim_queue *q, const struct sim_qkey *k)
{
	if (q->len == q->cap && sim_queue_grow(q) != 0)
		return -ENOMEM;
	sim_queue_sift_up(q->heap, q->len++, k);
	return 0;
}

/* Remove the first key into *out; false when empty. */
static inline bool sim_queue_pop(struct sim_queue *q, struct sim_qkey *out)
{
	struct sim_qkey *h = q->heap;
	struct sim_qkey last;
	size_t n;

	if (q->len == 0)
		return false;
	*out = h[0];
	n = --q->len;
	if (n == 0)
		return true;
	last = h[n];
	sim_queue_fill_root(q, &last);
	return true;
}


/*
 * Replace the first key with k (the queue is not empty): a pop and a push
 * in one sift-down from the root.  This is the engine's common step, an
 * event that runs and schedules the next one, at the cost of about one
 * pop instead of a pop and a push.
 */
static inline void sim_queue_replace_top(struct sim_queue *q,
					 const struct sim_qkey *k)
{
	sim_queue_fill_root(q, k);
}

/* The second key in order (the first of the root's children), or NULL
 * when there are fewer than two keys. */
static inline const struct sim_qkey *sim_queue_peek_second(const struct sim_queue *q)
{
	if (q->len < 2)
		return NULL;
	return &q->heap[sim_queue_min_child(q->heap, 1, q->len)];
}

/* The first key without removing it, or NULL when empty. */
static inline const struct sim_qkey *sim_queue_peek(const struct sim_queue *q)
{
	return q->len != 0 ? &q->heap[0] : NULL;
}

static inline size_t sim_queue_len(const struct sim_queue *q)
{
	return q->len;
}

/* Does every parent come before its children?  For tests. */
bool sim_queue_valid(const struct sim_queue *q);

#endif /* SIM_QUEUE_H */
