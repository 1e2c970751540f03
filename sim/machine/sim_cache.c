/*
 * sim_cache.c - cache-line ownership for the cost model (see sim_cache.h).
 */
#include "sim_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cost.h"
#include "sim_actor.h"
#include "sim_run.h"

int sim_cache_init(struct sim_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->cap = 4096;
	c->words = 1;
	c->line = calloc(c->cap, sizeof(*c->line));
	c->holders = calloc(c->cap, sizeof(*c->holders));
	if (c->line == NULL || c->holders == NULL) {
		sim_cache_fini(c);
		return -ENOMEM;
	}
	return 0;
}

void sim_cache_fini(struct sim_cache *c)
{
	free(c->line);
	free(c->holders);
	memset(c, 0, sizeof(*c));
}

static uint64_t sim_cache_slot(const struct sim_cache *c, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (h >> 20) & (c->cap - 1);
}

/* Rehash into cap slots of words words each (either may grow). */
static int sim_cache_rebuild(struct sim_cache *c, uint64_t cap, uint32_t words)
{
	uint64_t *line = calloc(cap, sizeof(*line));
	uint64_t *holders = calloc(cap * words, sizeof(*holders));
	uint64_t i, j;

	if (line == NULL || holders == NULL) {
		free(line);
		free(holders);
		return -ENOMEM;
	}
	for (i = 0; i < c->cap; i++) {
		if (c->line[i] == 0)
			continue;
		for (j = (c->line[i] * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);
		     line[j] != 0; j = (j + 1) & (cap - 1))
			;
		line[j] = c->line[i];
		memcpy(&holders[j * words], &c->holders[i * c->words],
		       c->words * sizeof(*holders));
	}
	free(c->line);
	free(c->holders);
	c->line = line;
	c->holders = holders;
	c->cap = cap;
	c->words = words;
	return 0;
}

/*
 * The first transfer of a step pays the latency, later ones stream.  Which
 * step was the last to transfer is kept per actor: under the concurrent
 * model steps interleave, and another actor's transfer between two of
 * ours does not stall our CPU's stream (kept globally, every transfer of
 * two actors taking turns every few nanoseconds paid the full latency).
 * Under the step model it is the same rule: one step runs at a time.
 */
static void sim_cache_transfer(struct sim_cache *c, struct sim_actor *a)
{
	uint64_t *last = a != NULL ? &a->xfer_step : &c->last_step;

	c->transfers++;
	if (*last == c->step) {
		sim_cost_charge(SIM_C_CACHELINE_STREAM, 1);
		return;
	}
	*last = c->step;
	sim_cost_charge(SIM_C_CACHELINE, 1);
}

static inline void sim_cache_memo(struct sim_cache *c, uint64_t key,
				  uint32_t who, bool excl)
{
	c->memo_key = key;
	c->memo_who = who;
	c->memo_excl = excl;
}

/* Is who the only holder of the line whose bits are h? */
static inline bool sim_cache_only(const uint64_t *h, uint32_t words, uint32_t who)
{
	uint32_t k;

	for (k = 0; k < words; k++)
		if (h[k] != (k == who / 64 ? 1ULL << (who % 64) : 0))
			return false;
	return true;
}

void sim_cache_hook(enum nm_sim_step kind, const volatile void *addr, void *arg)
{
	struct sim_run *r = arg;
	struct sim_cache *c = r->cache;
	uint64_t key, j, bit, *h;
	uint32_t who;

	if (addr == NULL || (kind != NM_SIM_SHARED_LOAD &&
			     kind != NM_SIM_SHARED_STORE && kind != NM_SIM_ATOMIC))
		return;
	who = r->cur != NULL ? (uint32_t)r->cur->id + 1 : 0;
	key = ((uint64_t)(uintptr_t)addr >> 6) + 1;
	if (key == c->memo_key && who == c->memo_who &&
	    (kind == NM_SIM_SHARED_LOAD || c->memo_excl))
		return;
	if (who / 64 >= c->words &&
	    sim_cache_rebuild(c, c->cap, who / 64 + 1) != 0)
		return;
	if (2 * (c->n + 1) > c->cap && sim_cache_rebuild(c, c->cap * 2, c->words) != 0)
		return;
	for (j = sim_cache_slot(c, key); c->line[j] != 0 && c->line[j] != key;
	     j = (j + 1) & (c->cap - 1))
		;
	h = &c->holders[j * c->words];
	bit = 1ULL << (who % 64);
	if (c->line[j] == 0) {
		/* First touch: the line comes from memory, not a peer. */
		c->line[j] = key;
		h[who / 64] = bit;
		c->n++;
		sim_cache_memo(c, key, who, true);
		return;
	}
	if (kind == NM_SIM_SHARED_LOAD) {
		if (!(h[who / 64] & bit)) {
			sim_cache_transfer(c, r->cur);
			h[who / 64] |= bit;
		}
		sim_cache_memo(c, key, who, sim_cache_only(h, c->words, who));
		return;
	}
	if (!sim_cache_only(h, c->words, who))
		sim_cache_transfer(c, r->cur);
	memset(h, 0, c->words * sizeof(*h));
	h[who / 64] = bit;
	sim_cache_memo(c, key, who, true);
}
