/*
 * sim_scenario_impl.h - what the scenario reader's files share: the
 * reading context and the checks of one value (sim_scenario_value.c).
 *
 * Every check takes the value as text (from the YAML or a --set), its key
 * for the message and the line (0 for an override), and either stores it
 * or returns -EINVAL with one line in the context's err: input strings are
 * shown through sim_sc_q() and never cut silently.
 */
#ifndef SIM_SCENARIO_IMPL_H
#define SIM_SCENARIO_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_dev.h"
#include "sim_scenario.h"
#include "sim_text.h"

struct sim_sc_ctx {
	struct sim_scenario *sc;
	const char *file;
	/* A scenario file's directory with its '/' (dirlen bytes of file), so
	 * a relative trace.file names a file next to the scenario; 0 for text
	 * and overrides, which resolve against the current directory. */
	size_t dirlen;
	char *err;
	size_t errlen;
	/* Lines of device keys (by sim_dev_key_at() index), checked once
	 * the device is known. */
	uint32_t opt_line[SIM_MAX_ENDPOINTS][SIM_DEV_MAX_KEYS];
	/* Input strings shown in the message being built (sim_sc_q()). */
	char shown[4][4 * SIM_TEXT_SHOW + 4];
	unsigned nshown;
};

/* opt_line entries are line numbers, or UINT32_MAX for an override. */
#define SIM_SC_MARK(line) ((line) != 0 ? (line) : UINT32_MAX)

/* "FILE:LINE: " (or "FILE: " for line 0) and the message; -EINVAL. */
int sim_sc_fail(struct sim_sc_ctx *c, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *sim_sc_q(struct sim_sc_ctx *c, const char *s);
int sim_sc_u64(struct sim_sc_ctx *c, uint32_t line, const char *key,
	       const char *v, uint64_t lo, uint64_t hi, uint64_t *out);
int sim_sc_u32(struct sim_sc_ctx *c, uint32_t line, const char *key,
	       const char *v, uint32_t lo, uint32_t hi, uint32_t *out);
/* sim_sc_u64/u32 with the range of key path in sim_sc_keys (the table
 * `nmsim list keys` prints). */
int sim_sc_key_u64(struct sim_sc_ctx *c, uint32_t line, const char *path,
		   const char *v, uint64_t *out);
int sim_sc_key_u32(struct sim_sc_ctx *c, uint32_t line, const char *path,
		   const char *v, uint32_t *out);
int sim_sc_bool(struct sim_sc_ctx *c, uint32_t line, const char *key,
		const char *v, bool *out);
/* Index of v in the NULL-terminated names, or an error listing them. */
int sim_sc_enum(struct sim_sc_ctx *c, uint32_t line, const char *key,
		const char *v, const char *const *names, int *out);
/* v into dst[0..size), or an error naming the key, v's length and the
 * limit: a value is never cut (a cut file name may name another file). */
int sim_sc_text(struct sim_sc_ctx *c, uint32_t line, const char *key,
		const char *v, char *dst, size_t size);
/* A name of SIM_NAME_MAX - 1 letters, digits, '-' or '_' at most. */
int sim_sc_name(struct sim_sc_ctx *c, uint32_t line, const char *key,
		const char *v, char *dst);

/* Endpoint i's virtio-net header keys, each on its own
 * (sim_scenario_vnet.c): 0 or -EINVAL with the error set. */
int sim_sc_validate_vnet(struct sim_sc_ctx *c, uint32_t i);

/* The cross-checks once the file and every override are read
 * (sim_scenario_check.c): 0 or -EINVAL with the error set. */
int sim_sc_validate(struct sim_sc_ctx *c);

#endif /* SIM_SCENARIO_IMPL_H */
