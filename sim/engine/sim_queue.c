/*
 * sim_queue.c - the pending-event queue (4-ary min-heap) out-of-line parts:
 * allocation and growth; push and pop are inline in sim_queue.h.
 *
 * Invariant: for every i > 0, heap[(i - 1) / 4] comes before heap[i] in the
 * order of sim_qkey_before(); push sifts a hole up, pop sifts the hole left
 * by the root down and drops the last key into it.  A 4-ary heap halves the
 * depth of a binary one and its four 16-byte children share a cache line
 * (the array is 64-byte aligned), which is where the time goes.
 */
#include "sim_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct sim_qkey *sim_queue_alloc(size_t cap)
{
	return aligned_alloc(64, (cap * sizeof(struct sim_qkey) + 63) / 64 * 64);
}

int sim_queue_init(struct sim_queue *q, size_t initial_cap)
{
	q->len = 0;
	q->cap = initial_cap >= 16 ? initial_cap : 16;
	q->heap = sim_queue_alloc(q->cap);
	return q->heap != NULL ? 0 : -ENOMEM;
}

int sim_queue_grow(struct sim_queue *q)
{
	struct sim_qkey *h = sim_queue_alloc(2 * q->cap);

	if (h == NULL)
		return -ENOMEM;
	memcpy(h, q->heap, q->len * sizeof(*h));
	free(q->heap);
	q->heap = h;
	q->cap *= 2;
	return 0;
}

void sim_queue_fini(struct sim_queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}

bool sim_queue_valid(const struct sim_queue *q)
{
	size_t i;

	for (i = 1; i < q->len; i++)
		if (sim_qkey_before(&q->heap[i], &q->heap[(i - 1) / SIM_Q_ARITY]))
			return false;
	return true;
}
