/*
 * sim_scenario_value.c - one scenario value checked and stored, or refused
 * in one line (sim_scenario_impl.h).
 */
#include "sim_scenario_impl.h"
#include "sim_scenario_keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_file.h"

/* s as a message shows it (sim_text_show()): escaped, so the message stays
 * one line, and clipped, so its "(expected ...)" stays visible.  Up to four
 * per message. */
const char *sim_sc_q(struct sim_sc_ctx *c, const char *s)
{
	char *dst = c->shown[c->nshown++ % 4];

	return sim_text_show(dst, sizeof(c->shown[0]), s, SIM_TEXT_SHOW);
}


int sim_sc_fail(struct sim_sc_ctx *c, uint32_t line, const char *fmt,
		       ...)
{
	char file[4 * SIM_FILE_SHOW + 4];
	va_list ap;
	int n;

	/* The file name, or an override's text, is input too. */
	sim_text_show(file, sizeof(file), c->file, SIM_FILE_SHOW);
	n = line != 0 ? snprintf(c->err, c->errlen, "%s:%u: ", file, line)
		      : snprintf(c->err, c->errlen, "%s: ", file);
	c->nshown = 0;
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int sim_sc_u64(struct sim_sc_ctx *c, uint32_t line, const char *key,
		      const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (v[0] < '0' || v[0] > '9')
		goto bad;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < lo || x > hi)
		goto bad;
	*out = x;
	return 0;
bad:
	return sim_sc_fail(c, line, "%s: '%s' is out of range (expected an integer in [%" PRIu64 ", %" PRIu64 "])",
			   key, sim_sc_q(c, v), lo, hi);
}

int sim_sc_u32(struct sim_sc_ctx *c, uint32_t line, const char *key,
		      const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t x = 0;
	int rc = sim_sc_u64(c, line, key, v, lo, hi, &x);

	if (rc == 0)
		*out = (uint32_t)x;
	return rc;
}

int sim_sc_key_u64(struct sim_sc_ctx *c, uint32_t line, const char *path,
		   const char *v, uint64_t *out)
{
	const struct sim_sc_key *k = sim_sc_key_int(path);

	return sim_sc_u64(c, line, path, v, k->min, k->max, out);
}

int sim_sc_key_u32(struct sim_sc_ctx *c, uint32_t line, const char *path,
		   const char *v, uint32_t *out)
{
	const struct sim_sc_key *k = sim_sc_key_int(path);

	return sim_sc_u32(c, line, path, v, (uint32_t)k->min, (uint32_t)k->max, out);
}

int sim_sc_bool(struct sim_sc_ctx *c, uint32_t line, const char *key,
		       const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")) {
		*out = false;
		return 0;
	}
	return sim_sc_fail(c, line, "%s: '%s' is not a boolean (expected true or false)",
			   key, sim_sc_q(c, v));
}

/* Index of v in the NULL-terminated names, or an error listing them. */
int sim_sc_enum(struct sim_sc_ctx *c, uint32_t line, const char *key,
		       const char *v, const char *const *names, int *out)
{
	char list[128] = "";
	int i;

	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", names[i]);
	}
	return sim_sc_fail(c, line, "%s: unknown value '%s' (expected one of: %s)",
			   key, sim_sc_q(c, v), list);
}

/* v into dst[0..size), or an error naming the key, v's length and the
 * limit: a value is never cut (a cut file name may name another file). */
int sim_sc_text(struct sim_sc_ctx *c, uint32_t line, const char *key,
		       const char *v, char *dst, size_t size)
{
	size_t n = strlen(v);

	if (n >= size)
		return sim_sc_fail(c, line, "%s: a value of %zu bytes (expected at most %zu bytes)",
				   key, n, size - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

int sim_sc_name(struct sim_sc_ctx *c, uint32_t line, const char *key,
		       const char *v, char *dst)
{
	size_t i, n = strlen(v);

	if (n >= SIM_NAME_MAX)
		return sim_sc_fail(c, line, "%s: '%s' is %zu bytes (expected 1-%d letters, digits, '-' or '_')",
				   key, sim_sc_q(c, v), n, SIM_NAME_MAX - 1);
	if (n == 0)
		goto bad;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_'))
			goto bad;
	memcpy(dst, v, n + 1);
	return 0;
bad:
	return sim_sc_fail(c, line, "%s: '%s' is not a valid name (expected 1-%d letters, digits, '-' or '_')",
			   key, sim_sc_q(c, v), SIM_NAME_MAX - 1);
}
