/*
 * test_sim_cache.c - the cache-line model (sim_cache.h): which accesses
 * move a line between actors, and that the repeat check (the memo that
 * skips the lookup) skips only accesses that change nothing.
 *
 * Accesses go through sim_cache_access() with the running actor set in
 * c->who (actor id + 1; 0 is code outside any actor), as the step hooks
 * do; transfers are counted (c->transfers).
 * Groups: memo (the repeat check), table (growth, widening).
 */
#include "sim_test.h"

#include "sim_cache.h"

/* Two lines apart is enough; the buffer is line-aligned. */
static uint8_t mem[64 * 4096] __attribute__((aligned(64)));

static void access_as(struct sim_cache *c, unsigned who, enum nm_sim_step kind,
		      const void *p)
{
	c->who = who;
	sim_cache_access(c, kind, p);
}

static int setup(void **state)
{
	struct sim_cache *c = calloc(1, sizeof(*c));

	if (c == NULL || sim_cache_init(c) != 0)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	sim_cache_fini(*state);
	free(*state);
	return 0;
}

/* A load by an actor without a copy moves the line; its next loads, and
 * loads of other bytes of that line, do not. */
static void test_sim_cache_load_copies_once(void **state)
{
	struct sim_cache *c = *state;

	access_as(c, 1, NM_SIM_SHARED_STORE, &mem[0]); /* first touch: memory */
	assert_int_equal(c->transfers, 0);
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[0]);
	assert_int_equal(c->transfers, 1);
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[0]);
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[63]);
	assert_int_equal(c->transfers, 1);
	/* The next line is another line (first touch, from memory). */
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[64]);
	access_as(c, 1, NM_SIM_SHARED_LOAD, &mem[64]);
	assert_int_equal(c->transfers, 2);
}

/* The memo of a load by a sharer must not let its store through free:
 * the store invalidates the other copy (a transfer), after which its
 * stores are free until another actor reads the line. */
static void test_sim_cache_store_after_shared_load_transfers(void **state)
{
	struct sim_cache *c = *state;

	access_as(c, 1, NM_SIM_SHARED_LOAD, &mem[128]); /* first touch */
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[128]); /* copy: 1 */
	assert_int_equal(c->transfers, 1);
	access_as(c, 2, NM_SIM_SHARED_STORE, &mem[128]); /* invalidate 1's: 2 */
	assert_int_equal(c->transfers, 2);
	access_as(c, 2, NM_SIM_SHARED_STORE, &mem[128]);
	access_as(c, 2, NM_SIM_ATOMIC, &mem[130]);
	assert_int_equal(c->transfers, 2);
	access_as(c, 1, NM_SIM_SHARED_LOAD, &mem[128]); /* 3 */
	access_as(c, 2, NM_SIM_ATOMIC, &mem[128]);	 /* 4 */
	assert_int_equal(c->transfers, 4);
}

/* The memo is per actor: another actor's store to the line just stored
 * is a transfer, and the first actor's next load one too. */
static void test_sim_cache_memo_is_per_actor(void **state)
{
	struct sim_cache *c = *state;

	access_as(c, 1, NM_SIM_SHARED_STORE, &mem[256]);
	access_as(c, 3, NM_SIM_SHARED_STORE, &mem[256]);
	assert_int_equal(c->transfers, 1);
	access_as(c, 1, NM_SIM_SHARED_LOAD, &mem[256]);
	assert_int_equal(c->transfers, 2);
	/* Outside any actor (0) is a holder of its own. */
	access_as(c, 0, NM_SIM_SHARED_STORE, &mem[256]);
	assert_int_equal(c->transfers, 3);
}

/* An actor beyond the first 63 widens the map (a word of holders per 64);
 * the lines' holders survive, and its own bit is its own. */
static void test_sim_cache_widening_keeps_holders(void **state)
{
	struct sim_cache *c = *state;

	access_as(c, 1, NM_SIM_SHARED_STORE, &mem[512]);
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[512]);
	assert_int_equal(c->transfers, 1);
	access_as(c, 200, NM_SIM_SHARED_LOAD, &mem[512]); /* widens: 2 */
	assert_true(c->words >= 4);
	assert_int_equal(c->transfers, 2);
	access_as(c, 1, NM_SIM_SHARED_LOAD, &mem[512]); /* still a holder */
	access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[512]);
	assert_int_equal(c->transfers, 2);
	access_as(c, 200, NM_SIM_SHARED_STORE, &mem[512]); /* 3 */
	access_as(c, 200, NM_SIM_SHARED_STORE, &mem[512]);
	assert_int_equal(c->transfers, 3);
	access_as(c, 136, NM_SIM_SHARED_LOAD, &mem[512]); /* bit 8 of another word: 4 */
	assert_int_equal(c->transfers, 4);
}

/* The table grows (4096 slots, at most half full) and keeps every line's
 * holders: after it, the same accesses move the same lines. */
static void test_sim_cache_growth_keeps_holders(void **state)
{
	struct sim_cache *c = *state;
	uint64_t cap0 = c->cap, i, n = 4096;

	for (i = 0; i < n; i++)
		access_as(c, 1, NM_SIM_SHARED_STORE, &mem[64 * i]);
	assert_true(c->cap > cap0);
	assert_int_equal(c->n, n);
	assert_int_equal(c->transfers, 0);
	for (i = 0; i < n; i++)
		access_as(c, 2, NM_SIM_SHARED_LOAD, &mem[64 * i]);
	assert_int_equal(c->transfers, n);
	for (i = 0; i < n; i++) /* 0 still holds a copy of each */
		access_as(c, 1, NM_SIM_SHARED_LOAD, &mem[64 * i]);
	assert_int_equal(c->transfers, n);
	for (i = 0; i < n; i++) /* 1 holds one too: each store moves it */
		access_as(c, 1, NM_SIM_SHARED_STORE, &mem[64 * i]);
	assert_int_equal(c->transfers, 2 * n);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest memo[] = {
		cmocka_unit_test_setup_teardown(test_sim_cache_load_copies_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sim_cache_store_after_shared_load_transfers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sim_cache_memo_is_per_actor, setup, teardown),
	};
	static const struct CMUnitTest table[] = {
		cmocka_unit_test_setup_teardown(test_sim_cache_growth_keeps_holders, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sim_cache_widening_keeps_holders, setup,
						teardown),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("memo", memo),
		NM_TEST_GROUP("table", table),
	};

	return nm_test_main("sim_cache", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
