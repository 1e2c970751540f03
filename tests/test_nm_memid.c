/*
 * test_nm_memid.c - region ids (core/nm_memid.c): one id per region shared
 * by its holders and freed with the last one, fresh ids that skip live ones
 * and wrap, and the REGISTER verdicts on nr_mem_id and NR_REG_NULL.
 *
 * Regions are only compared by address here, so plain structs stand in.
 */
#include "nm_test.h"

#include "nm_abi.h"
#include "nm_memid.h"
#include "nm_region.h"

static struct nm_region ra, rb;

static void test_nm_memid_shared_by_region_freed_with_last(void **state)
{
	struct nm_memid_table t;
	struct nm_memid *a1, *a2, *b;

	(void)state;
	nm_memid_table_init(&t);
	assert_int_equal(nm_memid_get(&t, &ra, &a1), 0);
	assert_int_equal(nm_memid_get(&t, &rb, &b), 0);
	/* Two pipe ends in one region: one id. */
	assert_int_equal(nm_memid_get(&t, &ra, &a2), 0);
	assert_ptr_equal(a1, a2);
	assert_true(a1->id >= NM_MEMID_FIRST);
	assert_int_not_equal(a1->id, b->id);
	assert_ptr_equal(nm_memid_find(&t, a1->id), a1);
	assert_ptr_equal(nm_memid_of(&t, &rb), b);
	nm_memid_put(&t, a1);
	assert_non_null(nm_memid_find(&t, a2->id)); /* one holder left */
	{
		uint16_t id = a2->id;

		nm_memid_put(&t, a2);
		assert_null(nm_memid_find(&t, id));
		assert_null(nm_memid_of(&t, &ra));
	}
	nm_memid_put(&t, b);
	nm_memid_table_fini(&t);
}

static void test_nm_memid_fresh_skips_live_and_wraps(void **state)
{
	struct nm_memid_table t;
	struct nm_memid *a, *b;
	uint16_t id;

	(void)state;
	nm_memid_table_init(&t);
	assert_int_equal(nm_memid_get(&t, &ra, &a), 0);
	assert_int_equal(a->id, NM_MEMID_FIRST);
	/* Near the end of the id space: the counter wraps to 2, which is
	 * live, so the next free one is 3; 0 and 1 are never given. */
	t.next_id = 65535;
	assert_int_equal(nm_memid_get(&t, &rb, &b), 0);
	assert_int_equal(b->id, 65535);
	id = nm_memid_fresh(&t);
	assert_int_equal(id, NM_MEMID_FIRST + 1);
	/* A freed id is not handed out again at once. */
	nm_memid_put(&t, a);
	assert_int_not_equal(nm_memid_fresh(&t), NM_MEMID_FIRST);
	nm_memid_put(&t, b);
	nm_memid_table_fini(&t);
}

static void test_nm_memid_fresh_exhausted(void **state)
{
	struct nm_memid_table t;
	struct nm_memid *m, *all;
	uint32_t i;

	(void)state;
	/* NM_MEMID_MAX_LIVE - 1 ids live, from a counter that has to skip
	 * them all: the last free one is still found... */
	all = calloc(NM_MEMID_MAX_LIVE, sizeof(*all));
	assert_non_null(all);
	nm_memid_table_init(&t);
	for (i = 0; i < NM_MEMID_MAX_LIVE - 1; i++) {
		all[i].id = (uint16_t)(NM_MEMID_FIRST + i);
		all[i].holders = 1;
		all[i].next = t.head;
		t.head = &all[i];
		t.live++;
	}
	assert_int_equal(nm_memid_get(&t, &ra, &m), 0);
	assert_int_equal(m->id, NM_MEMID_FIRST + NM_MEMID_MAX_LIVE - 1);
	/* ... and with the cap reached, none is given. */
	assert_int_equal(nm_memid_fresh(&t), 0);
	assert_int_equal(nm_memid_get(&t, &rb, &m), -ENOMEM);
	assert_null(nm_memid_of(&t, &rb));
	nm_memid_put(&t, nm_memid_of(&t, &ra));
	assert_int_equal(t.live, NM_MEMID_MAX_LIVE - 1);
	free(all);
}

static void test_nm_memid_register_rules(void **state)
{
	struct nm_memid_table t;
	struct nm_memid *a;

	(void)state;
	nm_memid_table_init(&t);
	assert_int_equal(nm_memid_get(&t, &ra, &a), 0);
	/* No id: as before, except that a null port needs one. */
	assert_int_equal(nm_memid_register_check(&t, NR_REG_ALL_NIC, 0, NULL, true), 0);
	assert_int_equal(nm_memid_register_check(&t, NR_REG_NULL, 0, NULL, true),
			 -EINVAL);
	/* An id nobody has: EINVAL before anything is opened. */
	assert_int_equal(nm_memid_register_check(&t, NR_REG_ALL_NIC, 77, NULL, true),
			 -EINVAL);
	assert_int_equal(nm_memid_register_check(&t, NR_REG_NULL, 77, NULL, true),
			 -EINVAL);
	assert_int_equal(nm_memid_register_check(&t, NR_REG_NULL, 1, NULL, true),
			 -EINVAL); /* no global allocator here */
	/* A live id: a null port maps it. */
	assert_int_equal(nm_memid_register_check(&t, NR_REG_NULL, a->id, NULL, true), 0);
	/* After the open: the port lives in that region (pipe peer, the
	 * port itself), or is already bound elsewhere (keeps its own). */
	assert_int_equal(nm_memid_register_check(&t, NR_REG_ONE_NIC, a->id, &ra, true), 0);
	assert_int_equal(nm_memid_register_check(&t, NR_REG_DEFAULT, a->id, &rb, false), 0);
	/* A new port cannot be placed in another port's region. */
	assert_int_equal(nm_memid_register_check(&t, NR_REG_DEFAULT, a->id, &rb, true),
			 -ENOMEM);
	nm_memid_put(&t, a);
	/* Gone with its last holder: EINVAL again. */
	assert_int_equal(nm_memid_register_check(&t, NR_REG_NULL, NM_MEMID_FIRST,
						 NULL, true),
			 -EINVAL);
	nm_memid_table_fini(&t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest ids[] = {
		cmocka_unit_test(test_nm_memid_shared_by_region_freed_with_last),
		cmocka_unit_test(test_nm_memid_fresh_skips_live_and_wraps),
		cmocka_unit_test(test_nm_memid_fresh_exhausted),
	};
	static const struct CMUnitTest reg[] = {
		cmocka_unit_test(test_nm_memid_register_rules),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("ids", ids),
		NM_TEST_GROUP("register", reg),
	};

	return nm_test_main("nm_memid", argc, argv, groups, NM_ARRAY_SIZE(groups));
}
