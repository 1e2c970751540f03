/*
 * xp_mutants.c - the table of mutant names (xp_mutants.h).
 */
#include "xp_mutants.h"

#include "csb.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} mutants[] = {
	{ "none", 0 },
	{ "no_enable_fence", CSB_MUT_NO_ENABLE_FENCE },
	{ "no_pub_fence", CSB_MUT_NO_PUBLISH_FENCE },
	{ "no_recheck", CSB_MUT_NO_RECHECK },
	{ "bad_init_kick", CSB_MUT_BAD_INIT_KICK },
	{ "swap_publish", CSB_MUT_SWAP_PUBLISH },
	{ "no_ldld", CSB_MUT_NO_LDLD },
	{ "plain_release", CSB_MUT_PLAIN_RELEASE },
	{ "kick_before_publish", CSB_MUT_KICK_BEFORE_PUBLISH },
	{ "irq_before_publish", CSB_MUT_IRQ_BEFORE_PUBLISH },
	{ "double_fetch", CSB_MUT_DOUBLE_FETCH },
	{ "window_off_by_one", CSB_MUT_WINDOW_OFF_BY_ONE },
	{ "window_no_wrap", CSB_MUT_WINDOW_NO_WRAP },
	{ "wmb_for_mb", CSB_MUT_WMB_FOR_MB },
	{ "rx_wait_if_room", CSB_MUT_RX_WAIT_IF_ROOM },
	{ "guest_only", CSB_MUT_GUEST_ONLY },
	{ "host_only", CSB_MUT_HOST_ONLY },
	{ "lost_stop", CSB_MUT_LOST_STOP },
};

int xp_mutants_parse(const char *spec, unsigned *bits)
{
	char buf[256], *tok, *save = NULL;
	size_t m;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	*bits = 0;
	for (tok = strtok_r(buf, "+", &save); tok != NULL;
	     tok = strtok_r(NULL, "+", &save)) {
		for (m = 0; m < NM_ARRAY_SIZE(mutants); m++)
			if (strcmp(tok, mutants[m].name) == 0)
				break;
		if (m == NM_ARRAY_SIZE(mutants))
			return -1;
		*bits |= mutants[m].bit;
	}
	return 0;
}

const char *xp_mutants_names(void)
{
	static char buf[512];
	size_t m, len = 0;

	if (buf[0] != '\0')
		return buf;
	for (m = 0; m < NM_ARRAY_SIZE(mutants) && len < sizeof(buf); m++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					m > 0 ? " " : "", mutants[m].name);
	return buf;
}
