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
	c->who = SIM_CACHE_NO_ACTOR;
	c->memo_load = c->memo_store = SIM_CACHE_NO_TAG;
	c->cap = 4096;
	c->line = calloc(c->cap, sizeof(*c->line));
	c->holders = calloc(c->cap, sizeof(*c->holders));
	c->writer = calloc(c->cap, sizeof(*c->writer));
	if (c->line == NULL || c->holders == NULL || c->writer == NULL) {
		sim_cache_fini(c);
		return -ENOMEM;
	}
	return 0;
}

void sim_cache_fini(struct sim_cache *c)
{
	free(c->line);
	free(c->holders);
	free(c->writer);
	memset(c, 0, sizeof(*c));
}

static uint64_t sim_cache_slot(const struct sim_cache *c, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (h >> 20) & (c->cap - 1);
}

static int sim_cache_grow(struct sim_cache *c)
{
	struct sim_cache big = { 0 };
	uint64_t i, j;

	big.cap = c->cap * 2;
	big.n = c->n;
	big.transfers = c->transfers;
	big.step = c->step;
	big.steps_run = c->steps_run;
	big.last_step = c->last_step;
	big.who = c->who;
	big.memo_load = c->memo_load;
	big.memo_store = c->memo_store;
	big.line = calloc(big.cap, sizeof(*big.line));
	big.holders = calloc(big.cap, sizeof(*big.holders));
	big.writer = calloc(big.cap, sizeof(*big.writer));
	if (big.line == NULL || big.holders == NULL || big.writer == NULL) {
		sim_cache_fini(&big);
		return -ENOMEM;
	}
	for (i = 0; i < c->cap; i++) {
		if (c->line[i] == 0)
			continue;
		for (j = sim_cache_slot(&big, c->line[i]); big.line[j] != 0;
		     j = (j + 1) & (big.cap - 1))
			;
		big.line[j] = c->line[i];
		big.holders[j] = c->holders[i];
		big.writer[j] = c->writer[i];
	}
	sim_cache_fini(c);
	*c = big;
	return 0;
}

static void sim_cache_transfer(struct sim_cache *c)
{
	c->transfers++;
	if (c->last_step == c->step) {
		sim_cost_charge(SIM_C_CACHELINE_STREAM, 1);
		return;
	}
	c->last_step = c->step;
	sim_cost_charge(SIM_C_CACHELINE, 1);
}

/* Remember the access (tag) that left its actor holding the line, and
 * whether as its only holder. */
static inline void sim_cache_memo(struct sim_cache *c, uint64_t tag, bool excl)
{
	c->memo_load = tag;
	c->memo_store = excl ? tag : SIM_CACHE_NO_TAG;
}

void sim_cache_touch(struct sim_cache *c, enum nm_sim_step kind,
		     const volatile void *addr)
{
	uint64_t key = ((uint64_t)(uintptr_t)addr >> 6) + 1;
	uint64_t j, who = c->who, me = 1ULL << who;
	uint64_t tag = sim_cache_tag(addr, who);

	if (2 * (c->n + 1) > c->cap && sim_cache_grow(c) != 0)
		return;
	for (j = sim_cache_slot(c, key); c->line[j] != 0 && c->line[j] != key;
	     j = (j + 1) & (c->cap - 1))
		;
	if (c->line[j] == 0) {
		/* First touch: the line comes from memory, not a peer. */
		c->line[j] = key;
		c->holders[j] = me;
		c->writer[j] = (uint8_t)who;
		c->n++;
		sim_cache_memo(c, tag, true);
		return;
	}
	if (kind == NM_SIM_SHARED_LOAD) {
		if (!(c->holders[j] & me)) {
			sim_cache_transfer(c);
			c->holders[j] |= me;
		}
		sim_cache_memo(c, tag, c->holders[j] == me);
		return;
	}
	if (c->holders[j] != me)
		sim_cache_transfer(c);
	c->holders[j] = me;
	c->writer[j] = (uint8_t)who;
	sim_cache_memo(c, tag, true);
}

void sim_cache_hook(enum nm_sim_step kind, const volatile void *addr, void *arg)
{
	struct sim_run *r = arg;

	if (addr == NULL || !((1U << kind) & SIM_CACHE_KINDS))
		return;
	sim_cache_access(r->cache, kind, addr);
}
