/*
 * test_sim_text.c - input strings shown in one-line messages.
 *
 * Groups: show (control bytes escaped, long input clipped with "...",
 * a small destination never overrun and always terminated).
 */
#include "nm_test.h"

#include "sim_text.h"

static void test_sim_text_escapes_control_bytes(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(sim_text_show(out, sizeof(out), "a\nb\tc\\d\x1b[2J\x7f", 64),
			    "a\\nb\\tc\\\\d\\x1b[2J\\x7f");
	assert_string_equal(sim_text_show(out, sizeof(out), "\xff\x01", 64), "\\xff\\x01");
	assert_string_equal(sim_text_show(out, sizeof(out), "", 64), "");
}

static void test_sim_text_clips_long_input(void **state)
{
	char out[64], in[300];

	(void)state;
	memset(in, 'v', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_string_equal(sim_text_show(out, sizeof(out), in, 8), "vvvvvvvv...");
	/* Exactly max_shown bytes: nothing clipped. */
	in[8] = '\0';
	assert_string_equal(sim_text_show(out, sizeof(out), in, 8), "vvvvvvvv");
}

static void test_sim_text_small_destination(void **state)
{
	char out[8];

	(void)state;
	memset(out, 'z', sizeof(out));
	sim_text_show(out, sizeof(out), "abcdefghijkl", 64);
	assert_string_equal(out, "abcd...");
	/* An escape that does not fit whole is left out. */
	sim_text_show(out, sizeof(out), "ab\x01zzzz", 64);
	assert_string_equal(out, "ab...");
	assert_string_equal(sim_text_show(out, 1, "abc", 64), "");
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest show[] = {
		cmocka_unit_test(test_sim_text_escapes_control_bytes),
		cmocka_unit_test(test_sim_text_clips_long_input),
		cmocka_unit_test(test_sim_text_small_destination),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("show", show),
	};

	return nm_test_main("sim_text", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
