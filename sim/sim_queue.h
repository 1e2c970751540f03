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
	return a->time_ns < b->time_ns ||
	       (a->time_ns == b->time_ns && a->seq_id < b->seq_id);
}

struct sim_queue {
	struct sim_qkey *heap;
	size_t len, cap;
};

/* 0 or -ENOMEM. */
int sim_queue_init(struct sim_queue *q, size_t initial_cap);
void sim_queue_fini(struct sim_queue *q);
/* 0 or -ENOMEM (the queue is unchanged then). */
int sim_queue_push(struct sim_queue *q, const struct sim_qkey *k);
/* Remove the first key into *out; false when empty. */
bool sim_queue_pop(struct sim_queue *q, struct sim_qkey *out);
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
