/*
 * fuzz_scenario.c - the simulator's scenario reader (libyaml) on arbitrary
 * text, and what it accepts built into a world and run for a moment.
 *
 * Input: the YAML text (an input with a NUL byte is skipped: the reader
 * takes a C string).  Oracles: no crash, leak or undefined behaviour; a
 * clean load or -EINVAL/-ENOMEM with exactly one line "fuzz.yaml:LINE: ..."
 * whose line lies in the text, never both; the same text gives the same
 * scenario (byte for byte) or the same message twice; an accepted scenario
 * keeps every rule of sim_scenario.h when restated independently here
 * (ranges, names, references, a pipe joins one sender and one receiver, a
 * VALE switch without links at least one of each, at most 254 ports on
 * a switch; links join two different VALE switches and form no loop, a
 * sender's network (switches joined by links) has a receiver, and every
 * network with a VALE switch of more than two ports has the same number of
 * receivers);
 * overrides that restate a loaded value ("endpoints.NAME.batch=B") are
 * accepted and change nothing; and a scenario small enough (ring memory
 * <= 4 MiB) is built into a world on a 16-packet built-in trace (never a
 * file named by the input) and run for at most 2 ms of virtual time with
 * no invariant violated.
 */
#include "fuzz_util.h"
#include "sim_dev.h"
#include "sim_scenario.h"
#include "sim_world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz.yaml"
#define FUZZ_RING_BYTES (4U << 20) /* world runs only below this */
#define FUZZ_PACKETS 16U
#define FUZZ_MAX_TIME_US 2000U

struct fuzz_load {
	struct sim_scenario sc;
	int rc;
	char err[1024];
};

static struct fuzz_load fuzz_a, fuzz_b;
static struct sim_scenario fuzz_copy;
static struct sim_world *fuzz_world;
static bool fuzz_verbose; /* FUZZ_VERBOSE=1: one line per input */

static void fuzz_load(struct fuzz_load *l, const char *text)
{
	memset(l->err, 0, sizeof(l->err));
	l->rc = sim_scenario_load(&l->sc, FUZZ_NAME, text, l->err, sizeof(l->err));
}

/* Line breaks as libyaml counts them (LF, CR, CRLF, NEL, LS, PS). */
static uint32_t fuzz_lines(const char *s)
{
	uint32_t n = 1;

	for (; *s != '\0'; s++) {
		if (*s == '\n' || (*s == '\r' && s[1] != '\n'))
			n++;
		else if ((uint8_t)s[0] == 0xc2 && (uint8_t)s[1] == 0x85)
			n++;
		else if ((uint8_t)s[0] == 0xe2 && (uint8_t)s[1] == 0x80 &&
			 ((uint8_t)s[2] == 0xa8 || (uint8_t)s[2] == 0xa9))
			n++;
	}
	return n;
}

static void fuzz_check_error(const struct fuzz_load *l, const char *text)
{
	const char *p = l->err + strlen(FUZZ_NAME ":");
	unsigned long line;
	char *end;

	FUZZ_CHECK(l->rc == -EINVAL || l->rc == -ENOMEM);
	FUZZ_CHECK(strncmp(l->err, FUZZ_NAME ":", strlen(FUZZ_NAME ":")) == 0);
	FUZZ_CHECK(strchr(l->err, '\n') == NULL);
	/* A file's errors always name a line inside it. */
	line = strtoul(p, &end, 10);
	FUZZ_CHECK(end != p && end[0] == ':' && end[1] == ' ' && end[2] != '\0');
	/* UTF-16 text (a byte-order mark) is counted by libyaml in its own
	 * units; only the bound for UTF-8 text is checked. */
	if ((uint8_t)text[0] != 0xff && (uint8_t)text[0] != 0xfe)
		FUZZ_CHECK(line >= 1 && line <= fuzz_lines(text) + 1);
}

static bool fuzz_name_ok(const char *s)
{
	size_t i, n = strnlen(s, SIM_NAME_MAX);

	if (n == 0 || n >= SIM_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* The rules of sim_scenario.h, restated on an accepted scenario. */
/* Every device key within its range in the device table (a CPU key may
 * also keep its default, not pinned). */
static void fuzz_check_dev_keys(const struct sim_sc_endpoint *ep)
{
	const struct sim_dev_key *k;
	uint32_t i, v, n;

	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++) {
		v = sim_dev_key_get(ep, k);
		switch (k->type) {
		case SIM_DEV_KEY_BOOL:
			FUZZ_CHECK(v <= 1);
			break;
		case SIM_DEV_KEY_FLAGS:
			for (n = 0; k->names[n] != NULL; n++)
				;
			FUZZ_CHECK(n < 32 && (v >> n) == 0);
			break;
		case SIM_DEV_KEY_ENUM:
			for (n = 0; k->names[n] != NULL; n++)
				;
			FUZZ_CHECK(v < n);
			break;
		case SIM_DEV_KEY_U32:
		default:
			FUZZ_CHECK(v == k->def || (v >= k->lo && v <= k->hi));
			break;
		}
	}
}

static uint32_t fuzz_root(const uint32_t *root, uint32_t i)
{
	while (root[i] != i)
		i = root[i];
	return i;
}

static void fuzz_check_rules(const struct sim_scenario *sc)
{
	const struct sim_sc_endpoint *ep;
	uint32_t i, j, senders, receivers, links, ranks = 0;
	uint32_t root[SIM_MAX_SWITCHES], net_rx[SIM_MAX_SWITCHES] = { 0 };
	bool net_learns[SIM_MAX_SWITCHES] = { false };

	FUZZ_CHECK(sc->nhosts <= SIM_MAX_HOSTS);
	FUZZ_CHECK(sc->nswitches >= 1 && sc->nswitches <= SIM_MAX_SWITCHES);
	FUZZ_CHECK(sc->nendpoints <= SIM_MAX_ENDPOINTS);
	FUZZ_CHECK(sc->buf_size >= 64 && sc->buf_size <= 65536 &&
		   sc->buf_size % 64 == 0);
	FUZZ_CHECK(sc->max_time_us <= 3600000000ULL);
	FUZZ_CHECK(sc->trace.packets >= 1 && sc->trace.packets <= 100000000);
	FUZZ_CHECK(sc->trace.size >= 60 && sc->trace.size <= 1514);
	FUZZ_CHECK(sc->trace.flows >= 1 && sc->trace.flows <= 65536);
	FUZZ_CHECK(sc->trace.loops >= 1 && sc->trace.loops <= 1000000);
	FUZZ_CHECK(sc->trace.rate_pps >= 1 && sc->trace.rate_pps <= 1000000000);
	FUZZ_CHECK(sc->trace.mode <= SIM_TRACE_RATE);
	FUZZ_CHECK(sc->trace.mode != SIM_TRACE_TIMESTAMPS ||
		   sc->trace.file[0] != '\0' || sc->trace.gen_rate_pps != 0);
	FUZZ_CHECK(strnlen(sc->name, sizeof(sc->name)) < sizeof(sc->name));
	for (i = 0; i < sc->nhosts; i++) {
		FUZZ_CHECK(fuzz_name_ok(sc->hosts[i].name));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(sc->hosts[i].name, sc->hosts[j].name) != 0);
	}
	for (i = 0; i < sc->nswitches; i++) {
		FUZZ_CHECK(fuzz_name_ok(sc->switches[i].name));
		FUZZ_CHECK(sc->switches[i].type <= SIM_SW_PIPE);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(sc->switches[i].name, sc->switches[j].name) != 0);
	}
	for (i = 0; i < sc->nendpoints; i++) {
		ep = &sc->endpoints[i];
		FUZZ_CHECK(fuzz_name_ok(ep->name));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(ep->name, sc->endpoints[j].name) != 0);
		FUZZ_CHECK(ep->sw < sc->nswitches);
		FUZZ_CHECK(strcmp(ep->sw_ref, sc->switches[ep->sw].name) == 0);
		if (ep->host_ref[0] != '\0') {
			FUZZ_CHECK(ep->host < sc->nhosts);
			FUZZ_CHECK(strcmp(ep->host_ref, sc->hosts[ep->host].name) == 0);
		} else {
			FUZZ_CHECK(ep->host == 0);
		}
		FUZZ_CHECK(ep->slots >= 8 && ep->slots <= 4096);
		FUZZ_CHECK(ep->batch >= 1 && ep->batch < ep->slots);
		FUZZ_CHECK(ep->pkt_work_ns <= 1000000000);
		FUZZ_CHECK(ep->role <= SIM_ROLE_RECEIVER);
		FUZZ_CHECK(ep->device < sim_dev_count);
		fuzz_check_dev_keys(ep);
		FUZZ_CHECK(ep->cpu == SIM_CPU_OWN ||
			   (ep->host < sc->nhosts && ep->cpu < sc->hosts[ep->host].cpus));
		FUZZ_CHECK(ep->kloop_cpu == SIM_CPU_OWN ||
			   (ep->host < sc->nhosts && ep->kloop_cpu < sc->hosts[ep->host].cpus));
		FUZZ_CHECK(ep->backend_cpu == SIM_CPU_OWN ||
			   (ep->host < sc->nhosts && ep->backend_cpu < sc->hosts[ep->host].cpus));
	}
	for (i = 0; i < sc->nlinks; i++) {
		FUZZ_CHECK(fuzz_name_ok(sc->links[i].name));
		FUZZ_CHECK(sc->links[i].sw[0] < sc->nswitches && sc->links[i].sw[1] < sc->nswitches);
		FUZZ_CHECK(sc->links[i].sw[0] != sc->links[i].sw[1]);
		FUZZ_CHECK(sc->links[i].bandwidth_bps >= 1);
		FUZZ_CHECK(sc->links[i].queue >= 1 && sc->links[i].slots >= 8);
	}
	/* Networks: union-find over the links, which must never join two
	 * switches already joined (no loop). */
	for (i = 0; i < sc->nswitches; i++)
		root[i] = i;
	for (i = 0; i < sc->nlinks; i++) {
		uint32_t a = fuzz_root(root, sc->links[i].sw[0]);
		uint32_t b = fuzz_root(root, sc->links[i].sw[1]);

		FUZZ_CHECK(a != b);
		root[a] = b;
	}
	for (i = 0; i < sc->nswitches; i++) {
		senders = receivers = 0;
		for (j = 0; j < sc->nendpoints; j++) {
			if (sc->endpoints[j].sw != i)
				continue;
			if (sc->endpoints[j].role == SIM_ROLE_SENDER)
				senders++;
			else
				receivers++;
		}
		for (j = links = 0; j < sc->nlinks; j++)
			links += (sc->links[j].sw[0] == i) + (sc->links[j].sw[1] == i);
		FUZZ_CHECK(senders + receivers + links <= 254);
		if (sc->switches[i].type == SIM_SW_PIPE)
			FUZZ_CHECK(senders == 1 && receivers == 1 && links == 0);
		if (links == 0)
			FUZZ_CHECK(senders >= 1 && receivers >= 1);
		net_rx[fuzz_root(root, i)] += receivers;
		if (sc->switches[i].type == SIM_SW_VALE && senders + receivers + links > 2)
			net_learns[fuzz_root(root, i)] = true;
	}
	/* Every network with a sender has a receiver; every network that
	 * learns has the same number of them. */
	for (i = 0; i < sc->nendpoints; i++)
		if (sc->endpoints[i].role == SIM_ROLE_SENDER)
			FUZZ_CHECK(net_rx[fuzz_root(root, sc->endpoints[i].sw)] >= 1);
	for (i = 0; i < sc->nswitches; i++) {
		if (fuzz_root(root, i) != i || !net_learns[i])
			continue;
		FUZZ_CHECK(ranks == 0 || net_rx[i] == ranks);
		ranks = net_rx[i];
	}
}

/* "path=value" that restates sc's own value must be a no-op. */
static void fuzz_check_override(struct sim_scenario *sc, const char *set)
{
	char err[512];

	fuzz_copy = *sc;
	FUZZ_CHECK(sim_scenario_override(sc, set, err, sizeof(err)) == 0);
	FUZZ_CHECK(memcmp(sc, &fuzz_copy, sizeof(*sc)) == 0);
}

static void fuzz_check_overrides(struct sim_scenario *sc)
{
	const struct sim_sc_endpoint *ep;
	char set[128], err[512];
	uint32_t i;

	for (i = 0; i < sc->nendpoints; i++) {
		ep = &sc->endpoints[i];
		snprintf(set, sizeof(set), "endpoints.%s.batch=%u", ep->name, ep->batch);
		fuzz_check_override(sc, set);
		snprintf(set, sizeof(set), "endpoints.%s.slots=%u", ep->name, ep->slots);
		fuzz_check_override(sc, set);
	}
	for (i = 0; i < sc->nswitches; i++) {
		snprintf(set, sizeof(set), "switches.%s.type=%s", sc->switches[i].name,
			 sim_switch_type_name(sc->switches[i].type));
		fuzz_check_override(sc, set);
	}
	snprintf(set, sizeof(set), "seed=%llu", (unsigned long long)sc->seed);
	fuzz_check_override(sc, set);
	snprintf(set, sizeof(set), "trace.loops=%u", sc->trace.loops);
	fuzz_check_override(sc, set);
	/* A value out of range is refused and leaves sc as it was. */
	fuzz_copy = *sc;
	FUZZ_CHECK(sim_scenario_override(sc, "buf_size=65", err, sizeof(err)) == -EINVAL);
	FUZZ_CHECK(memcmp(sc, &fuzz_copy, sizeof(*sc)) == 0);
}

/* Build and briefly run a small enough scenario. */
static void fuzz_run_world(struct sim_scenario *sc)
{
	uint64_t ring = 0;
	char err[1024];
	uint32_t i;
	int rc;

	for (i = 0; i < sc->nendpoints; i++)
		ring += (uint64_t)sc->endpoints[i].slots * sc->buf_size;
	for (i = 0; i < sc->nlinks; i++)
		ring += 2ULL * (sc->links[i].slots + sc->links[i].queue) * sc->buf_size;
	if (ring > FUZZ_RING_BYTES)
		return;
	sc->trace.file[0] = '\0'; /* never a file the input names */
	if (sc->trace.packets > FUZZ_PACKETS)
		sc->trace.packets = FUZZ_PACKETS;
	sc->trace.loops = 1;
	if (sc->max_time_us == 0 || sc->max_time_us > FUZZ_MAX_TIME_US)
		sc->max_time_us = FUZZ_MAX_TIME_US;
	rc = sim_world_build(fuzz_world, sc, NULL, NULL, err, sizeof(err));
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_scenario: world %d %s\n", rc, rc ? err : "");
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc == 0) {
		sim_world_run(fuzz_world);
		if (fuzz_world->failed)
			fprintf(stderr, "fuzz_scenario: %s\n", fuzz_world->fail_msg);
		FUZZ_CHECK(!fuzz_world->failed);
	} else {
		FUZZ_CHECK(strchr(err, '\n') == NULL && err[0] != '\0');
	}
	sim_world_destroy(fuzz_world);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (fuzz_world == NULL) {
		fuzz_world = calloc(1, sizeof(*fuzz_world));
		FUZZ_CHECK(fuzz_world != NULL);
		fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	}
	if (memchr(data, '\0', size) != NULL)
		return 0;
	text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	fuzz_load(&fuzz_a, text);
	fuzz_load(&fuzz_b, text);
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_scenario: %d %s\n", fuzz_a.rc, fuzz_a.err);
	FUZZ_CHECK(fuzz_a.rc == fuzz_b.rc);
	FUZZ_CHECK(strcmp(fuzz_a.err, fuzz_b.err) == 0);
	if (fuzz_a.rc != 0) {
		fuzz_check_error(&fuzz_a, text);
	} else {
		FUZZ_CHECK(fuzz_a.err[0] == '\0');
		FUZZ_CHECK(memcmp(&fuzz_a.sc, &fuzz_b.sc, sizeof(fuzz_a.sc)) == 0);
		fuzz_check_rules(&fuzz_a.sc);
		fuzz_check_overrides(&fuzz_a.sc);
		fuzz_run_world(&fuzz_a.sc);
	}
	free(text);
	return 0;
}
