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
	c->last_step_at = &c->last_step;
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
 * Charge a transfer (called last, as a tail call: the lookup that needs
 * none saves fewer registers).  The first transfer of a step pays the
 * latency, later ones stream.  Which step was the last to transfer is
 * kept per actor (*last_step_at): under the concurrent model steps
 * interleave, and another actor's transfer between two of ours does not
 * stall our CPU's stream (kept globally, every transfer of two actors
 * taking turns every few nanoseconds paid the full latency).  Under the
 * step model it is the same rule: one step runs at a time.
 */
static __attribute__((noinline)) void sim_cache_transfer(struct sim_cache *c)
{
	c->transfers++;
	if (*c->last_step_at == c->step) {
		sim_cost_charge(SIM_C_CACHELINE_STREAM, 1);
		return;
	}
	*c->last_step_at = c->step;
	sim_cost_charge(SIM_C_CACHELINE, 1);
}

/* Remember the access that left actor who holding line key, and whether
 * as its only holder. */
static inline void sim_cache_memo(struct sim_cache *c, uint64_t key,
				  uint32_t who, bool excl)
{
	c->memo_who = who;
	c->memo_load = key;
	c->memo_store = excl ? key : 0;
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

static void sim_cache_touch_grown(struct sim_cache *c, enum nm_sim_step kind,
				  const volatile void *addr);

void sim_cache_touch(struct sim_cache *c, enum nm_sim_step kind,
		     const volatile void *addr)
{
	uint64_t key = ((uint64_t)(uintptr_t)addr >> 6) + 1;
	uint64_t j, bit, *h;
	uint32_t who = c->who;

	if (who / 64 >= c->words || 2 * (c->n + 1) > c->cap) {
		sim_cache_touch_grown(c, kind, addr);
		return;
	}
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
	/* The line's state is updated first and the transfer charged last:
	 * the charge reads and writes only the clock and the counters. */
	if (kind == NM_SIM_SHARED_LOAD) {
		if (h[who / 64] & bit) {
			sim_cache_memo(c, key, who, sim_cache_only(h, c->words, who));
			return;
		}
		/* Another actor holds it: a copy comes over, shared. */
		h[who / 64] |= bit;
		sim_cache_memo(c, key, who, false);
		sim_cache_transfer(c);
		return;
	}
	sim_cache_memo(c, key, who, true);
	if (sim_cache_only(h, c->words, who))
		return;
	memset(h, 0, c->words * sizeof(*h));
	h[who / 64] = bit;
	sim_cache_transfer(c);
}

/* The map must widen (an actor beyond its words) or grow (half full):
 * out of line, so that sim_cache_touch() ends in tail calls; then look
 * up. */
static __attribute__((noinline)) void
sim_cache_touch_grown(struct sim_cache *c, enum nm_sim_step kind,
		      const volatile void *addr)
{
	uint32_t who = c->who;

	if (who / 64 >= c->words &&
	    sim_cache_rebuild(c, c->cap, who / 64 + 1) != 0)
		return;
	if (2 * (c->n + 1) > c->cap && sim_cache_rebuild(c, c->cap * 2, c->words) != 0)
		return;
	sim_cache_touch(c, kind, addr);
}

void sim_cache_hook(enum nm_sim_step kind, const volatile void *addr, void *arg)
{
	struct sim_run *r = arg;

	if (kind == NM_SIM_COPY_BYTE && r->cur != NULL && nm_sim_os.hook_count >= 16)
		r->cur->copy_bytes += nm_sim_os.hook_count;
	if (addr == NULL || !((1U << kind) & SIM_CACHE_KINDS))
		return;
	sim_cache_access(r->cache, kind, addr);
}
