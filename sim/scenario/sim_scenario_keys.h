/*
 * sim_scenario_keys.h - the scenario's own keys (every key but the device
 * keys, which sim_dev.h's table describes, and the cost primitives, which
 * sim_cost.h's does): path, type, range, default, unit and meaning.
 *
 * Owns: one table that the reader checks integer values against and takes
 * integer defaults from, and that `nmsim list keys` prints, so that what
 * the CLI says and what the reader does cannot drift apart
 * (unit.sim_scenario.keys checks the rest: every key the reader names in
 * its "unknown key" messages has an entry, and every entry's range is the
 * one the reader's errors quote).
 */
#ifndef SIM_SCENARIO_KEYS_H
#define SIM_SCENARIO_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum sim_sc_key_type {
	SIM_KEY_INTEGER, /* min..max, default def */
	SIM_KEY_ENUM,	 /* one of `values` */
	SIM_KEY_NAME,	 /* letters, digits, '-', '_' (SIM_NAME_MAX - 1) */
	SIM_KEY_TEXT,	 /* any text (a name shown escaped, a path) */
};

struct sim_sc_key {
	const char *path; /* "trace.size"; list sections: "hosts.cpus" */
	enum sim_sc_key_type type;
	uint64_t min, max, def; /* SIM_KEY_INTEGER */
	const char *values;	/* SIM_KEY_ENUM: "a|b|c" (NULL: the device
				 * table's names); else what it takes */
	const char *def_text;	/* the default as shown; NULL: def, or none */
	const char *unit;	/* "ns", "bytes", ...; "-" when none */
	const char *what;
};

extern const struct sim_sc_key sim_sc_keys[];
extern const size_t sim_sc_nkeys;

/* The entry of path, or NULL. */
const struct sim_sc_key *sim_sc_key_find(const char *path);
/* The entry of integer key path, which must exist: the reader and the
 * table are written together, so a missing key is a programming error
 * and aborts with its name. */
const struct sim_sc_key *sim_sc_key_int(const char *path);
/* Its default. */
uint64_t sim_sc_key_default(const char *path);

#endif /* SIM_SCENARIO_KEYS_H */
