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
	c->ent = calloc(c->cap, sizeof(*c->ent));
	if (c->ent == NULL) {
		sim_cache_fini(c);
		return -ENOMEM;
	}
	return 0;
}

void sim_cache_fini(struct sim_cache *c)
{
	free(c->ent);
	memset(c, 0, sizeof(*c));
}

static uint64_t sim_cache_slot(const struct sim_cache *c, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (h >> 20) & (c->cap - 1);
}

static inline uint64_t sim_cache_key(const struct sim_cache_ent *e)
{
	return e->key_writer & SIM_CACHE_KEY_MASK;
}

/* Out of line: it runs a few times a run, and inlined its frame would
 * be every lookup's. */
static __attribute__((noinline)) int sim_cache_grow(struct sim_cache *c)
{
	struct sim_cache big = { 0 };
	uint64_t i, j;

	big = *c;
	big.cap = c->cap * 2;
	big.ent = calloc(big.cap, sizeof(*big.ent));
	if (big.ent == NULL)
		return -ENOMEM;
	for (i = 0; i < c->cap; i++) {
		if (c->ent[i].key_writer == 0)
			continue;
		for (j = sim_cache_slot(&big, sim_cache_key(&c->ent[i]));
		     big.ent[j].key_writer != 0; j = (j + 1) & (big.cap - 1))
			;
		big.ent[j] = c->ent[i];
	}
	free(c->ent);
	*c = big;
	return 0;
}

/* Charge a transfer (called last, as a tail call: the lookup that needs
 * none saves no registers). */
static __attribute__((noinline)) void sim_cache_transfer(struct sim_cache *c)
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

static void sim_cache_touch_grown(struct sim_cache *c, enum nm_sim_step kind,
				  const volatile void *addr);

void sim_cache_touch(struct sim_cache *c, enum nm_sim_step kind,
		     const volatile void *addr)
{
	uint64_t key = ((uint64_t)(uintptr_t)addr >> 6) + 1;
	uint64_t j, who = c->who, me = 1ULL << who;
	uint64_t tag = sim_cache_tag(addr, who);
	uint64_t written = key | who << SIM_CACHE_KEY_BITS;
	struct sim_cache_ent *e;

	if (2 * (c->n + 1) > c->cap) {
		sim_cache_touch_grown(c, kind, addr);
		return;
	}
	for (j = sim_cache_slot(c, key);
	     c->ent[j].key_writer != 0 && sim_cache_key(&c->ent[j]) != key;
	     j = (j + 1) & (c->cap - 1))
		;
	e = &c->ent[j];
	if (e->key_writer == 0) {
		/* First touch: the line comes from memory, not a peer. */
		e->key_writer = written;
		e->holders = me;
		c->n++;
		sim_cache_memo(c, tag, true);
		return;
	}
	/* The line state is updated first and the transfer charged last:
	 * the charge reads and writes only the clock and the counters. */
	if (kind == NM_SIM_SHARED_LOAD) {
		if (e->holders & me) {
			sim_cache_memo(c, tag, e->holders == me);
			return;
		}
		/* Another actor holds it: a copy comes over, shared. */
		e->holders |= me;
		sim_cache_memo(c, tag, false);
		sim_cache_transfer(c);
		return;
	}
	sim_cache_memo(c, tag, true);
	e->key_writer = written;
	if (e->holders == me)
		return;
	e->holders = me;
	sim_cache_transfer(c);
}

/* The table is half full: grow it (out of line, so that sim_cache_touch()
 * ends in tail calls only and saves no registers), then look up. */
static __attribute__((noinline)) void
sim_cache_touch_grown(struct sim_cache *c, enum nm_sim_step kind,
		      const volatile void *addr)
{
	if (sim_cache_grow(c) != 0)
		return;
	sim_cache_touch(c, kind, addr);
}

void sim_cache_hook(enum nm_sim_step kind, const volatile void *addr, void *arg)
{
	struct sim_run *r = arg;

	if (addr == NULL || !((1U << kind) & SIM_CACHE_KINDS))
		return;
	sim_cache_access(r->cache, kind, addr);
}
