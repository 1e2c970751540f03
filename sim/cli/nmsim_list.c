/*
 * nmsim_list.c - what nmsim knows, without running: --version, `list`
 * (scenarios, devices, keys, costs) and `check` (a scenario loads and
 * builds).
 *
 * Owns: printing the reader's tables as they are: device keys from
 * sim_dev_table (sim_dev.h), costs from sim_cost_info (sim_cost.h).  The
 * reader's other keys (trace, hosts, switches, links and the endpoint's
 * own) are not in a table the CLI can read; they are in docs/simulator.md
 * and the man page.  Scenarios are the .yaml files of the installed (or
 * source) scenario directory.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmsim.h"
#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_scenario_keys.h"

#ifndef NMSIM_SCENARIO_DIR
#define NMSIM_SCENARIO_DIR "/usr/local/share/nmlab/scenarios"
#endif
#ifndef NMSIM_SOURCE_SCENARIOS
#define NMSIM_SOURCE_SCENARIOS "sim/scenarios"
#endif

static const char usage_list[] =
	"usage: nmsim list [scenarios|devices|keys|costs]\n"
	"  scenarios  the example scenarios (share/nmlab/scenarios beside the binary's\n"
	"             bin/, else " NMSIM_SCENARIO_DIR "; $NMSIM_SCENARIOS overrides)\n"
	"  devices    the device models an endpoint may use\n"
	"  keys       every device key: type, range, default, unit, devices\n"
	"  costs      every cost primitive with its default (costs.<name> in a scenario)\n"
	"  with no argument: all four\n";

static const char usage_check[] =
	"usage: nmsim check [SCENARIO] [--set PATH=V]... [--trace PCAP] [--seed N]\n"
	"  load and build SCENARIO ('default' or omitted: the embedded one) without\n"
	"  running it; exit 0 when it is valid, 2 with one line when it is not\n";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The installed scenarios: next to the binary (bin/../share/nmlab/
 * scenarios, wherever the tree was installed), else the configured path,
 * else the source tree's. */
static const char *scenario_dir(char *buf, size_t size)
{
	const char *dir = getenv("NMSIM_SCENARIOS");
	ssize_t len;
	char *slash;
	DIR *d;

	if (dir != NULL && *dir != '\0')
		return dir;
	len = readlink("/proc/self/exe", buf, size - 32);
	if (len > 0) {
		buf[len] = '\0';
		slash = strrchr(buf, '/');
		if (slash != NULL) {
			strcpy(slash, "/../share/nmlab/scenarios");
			if ((d = opendir(buf)) != NULL) {
				closedir(d);
				return buf;
			}
		}
	}
	if ((d = opendir(NMSIM_SCENARIO_DIR)) != NULL) {
		closedir(d);
		return NMSIM_SCENARIO_DIR;
	}
	return NMSIM_SOURCE_SCENARIOS; /* run from the build tree */
}

static void list_scenarios(void)
{
	char *names[256], buf[PATH_MAX];
	const char *dir = scenario_dir(buf, sizeof(buf));
	struct dirent *de;
	unsigned n = 0, i;
	size_t len;
	DIR *d;

	printf("scenarios (%s):\n  default (embedded)\n", dir);
	d = opendir(dir);
	while (d != NULL && n < 256 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0)
			names[n++] = strdup(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (names[i] != NULL)
			printf("  %s\n", names[i]);
		free(names[i]);
	}
}

static void list_devices(void)
{
	uint32_t d;

	printf("devices:\n");
	for (d = 0; d < sim_dev_count; d++)
		printf("  %-12s %s\n", sim_dev_table[d]->name, sim_dev_table[d]->summary);
}

static void list_dev_keys(void)
{
	const struct sim_dev_key *k;
	char range[64], def[32], devs[256];
	uint32_t i, j;

	printf("device keys (endpoints.NAME.KEY):\n  %-18s %-8s %-24s %-10s %-8s %s\n",
	       "key", "type", "range", "default", "unit", "devices");
	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++) {
		switch (k->type) {
		case SIM_DEV_KEY_U32:
			snprintf(range, sizeof(range), "%" PRIu32 "..%" PRIu32, k->lo, k->hi);
			if (k->def == UINT32_MAX) /* SIM_CPU_OWN */
				snprintf(def, sizeof(def), "own");
			else
				snprintf(def, sizeof(def), "%" PRIu32, k->def);
			break;
		case SIM_DEV_KEY_BOOL:
			snprintf(range, sizeof(range), "true|false");
			snprintf(def, sizeof(def), "%s", k->def ? "true" : "false");
			break;
		case SIM_DEV_KEY_FLAGS:
			sim_dev_flags_name(k, ~0U, range, sizeof(range));
			sim_dev_flags_name(k, k->def, def, sizeof(def));
			break;
		default:
			range[0] = '\0';
			for (j = 0; k->names[j] != NULL; j++)
				snprintf(range + strlen(range), sizeof(range) - strlen(range),
					 "%s%s", j ? "|" : "", k->names[j]);
			snprintf(def, sizeof(def), "%s", k->names[k->def]);
			break;
		}
		sim_dev_accepting(k, devs, sizeof(devs));
		printf("  %-18s %-8s %-24s %-10s %-8s %s\n", k->name,
		       k->type == SIM_DEV_KEY_U32 ? "integer" : k->type == SIM_DEV_KEY_BOOL ? "bool" :
		       k->type == SIM_DEV_KEY_FLAGS ? "flags" : "enum",
		       range, def, *k->unit ? k->unit : "-", devs);
		printf("  %-18s %s\n", "", k->help);
	}
}

/* The scenario's own keys (sim_scenario_keys.h), then the device keys. */
static void list_keys(void)
{
	const struct sim_sc_key *k;
	char range[64], def[32];
	size_t i;
	uint32_t d;

	printf("scenario keys (PATH; hosts, switches, links, endpoints: one per entry):\n"
	       "  %-24s %-8s %-24s %-10s %-8s %s\n", "path", "type", "range", "default", "unit",
	       "what");
	for (i = 0; i < sim_sc_nkeys; i++) {
		k = &sim_sc_keys[i];
		if (k->type == SIM_KEY_INTEGER)
			snprintf(range, sizeof(range), "%" PRIu64 "..%" PRIu64, k->min, k->max);
		else if (k->values != NULL)
			snprintf(range, sizeof(range), "%s", k->values);
		else
			for (range[0] = '\0', d = 0; d < sim_dev_count; d++)
				snprintf(range + strlen(range), sizeof(range) - strlen(range), "%s%s",
					 d ? "|" : "", sim_device_name(d));
		if (k->def_text != NULL)
			snprintf(def, sizeof(def), "%s", *k->def_text ? k->def_text : "(empty)");
		else if (k->type == SIM_KEY_INTEGER)
			snprintf(def, sizeof(def), "%" PRIu64, k->def);
		else
			snprintf(def, sizeof(def), "(required)");
		printf("  %-24s %-8s %-24s %-10s %-8s %s\n", k->path,
		       k->type == SIM_KEY_INTEGER ? "integer" : k->type == SIM_KEY_ENUM ? "enum"
		       : k->type == SIM_KEY_NAME ? "name" : "text",
		       range, def, k->unit, k->what);
	}
	printf("\n");
	list_dev_keys();
	printf("\ncosts.NAME and costs.jitter.NAME.KEY: nmsim list costs\n");
}

static void list_costs(void)
{
	struct sim_costs def;
	uint32_t i;

	sim_costs_default(&def);
	printf("costs (costs.NAME; unit from the suffix, _ns or _ps):\n");
	for (i = 0; i < SIM_C_COUNT; i++)
		printf("  %-26s %10" PRIu64 "  %s\n", sim_cost_info[i].name,
		       sim_cost_get(&def, (int)i), sim_cost_info[i].what);
	printf("jitter (costs.jitter.NAME.KEY; off by default; mean: the value above):\n"
	       "  dist   enum     none|normal|exp|uniform\n"
	       "  sd     integer  0..1000000000 in the name's unit, normal only (default value/10)\n"
	       "  width  integer  0..1000000000 in the name's unit, uniform only (default value/5)\n");
}

int nmsim_list(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	char shown[NMSIM_SHOWN];
	bool all = !strcmp(what, "all");

	if (!strcmp(what, "--help") || !strcmp(what, "-h")) {
		fputs(usage_list, stdout);
		return 0;
	}
	if (argc > 2 || (!all && strcmp(what, "scenarios") && strcmp(what, "devices") &&
			 strcmp(what, "keys") && strcmp(what, "costs"))) {
		fprintf(stderr, "nmsim: list '%s': expected scenarios, devices, keys or costs\n",
			NMSIM_SHOW(shown, argc > 2 ? argv[2] : what));
		return NMSIM_EXIT_BAD;
	}
	if (all || !strcmp(what, "scenarios"))
		list_scenarios();
	if (all || !strcmp(what, "devices"))
		list_devices();
	if (all || !strcmp(what, "keys"))
		list_keys();
	if (all || !strcmp(what, "costs"))
		list_costs();
	return 0;
}

int nmsim_check(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "check", .maxpos = 1,
				.refuse = "json csv pcap-out plot seeds jobs shard out slurm interval strict flows" };
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	char shown[NMSIM_SHOWN];
	int rc;

	rc = sc == NULL || w == NULL ? NMSIM_EXIT_BAD : nmsim_parse(argc, argv, &o, usage_check);
	if (rc == 0) {
		o.scenario = o.npos ? o.pos[0] : NULL;
		rc = nmsim_build(&o, NULL, 0, sc, w);
		if (rc == 0) {
			sim_world_destroy(w);
			if (!o.quiet)
				printf("nmsim: %s: ok\n", o.scenario != NULL ? NMSIM_SHOW(shown, o.scenario) : "default");
		}
	}
	free(o.sets);
	free(o.pos);
	free(sc);
	free(w);
	return rc;
}
