/*
 * test_sim_scenario.c - scenarios read with libyaml: the embedded default,
 * every kind of bad input as one line with file and line, and overrides.
 *
 * Groups: parse (default, full example, costs in their units, costs.jitter
 * in a file and after --set, the key table `nmsim list keys` prints
 * against the reader's own ranges and key lists),
 * bad (syntax error, unknown key, jitter (unknown primitive, key or
 * distribution, a parameter its distribution does not take), out-of-range value, dangling reference,
 * option for another device, duplicate name, duplicate key, topology
 * (many-port VALE accepted, pipes two ends only, receiver ranks), missing
 * file, control characters echoed),
 * override (good paths, bad paths, failure leaves the scenario unchanged).
 */
#include "sim_test.h"

#include <errno.h>
#include <unistd.h>

#include "sim_dev.h"
#include "sim_scenario.h"
#include "sim_scenario_keys.h"

static const char *good =
	"name: t\n"
	"seed: 9\n"
	"trace: {packets: 500, size: 128, mode: rate, rate_pps: 2000000, loops: 2}\n"
	"costs: {vmexit_ns: 900, copy_byte_ps: 80}\n"
	"hosts: [{name: h0}, {name: h1}]\n"
	"switches:\n"
	"  - {name: s0, type: pipe}\n"
	"endpoints:\n"
	"  - {name: a, host: h0, device: e1000, switch: s0, role: sender, itr_us: 50, send_combining: true}\n"
	"  - {name: b, host: h1, device: virtio, switch: s0, role: receiver, event_idx: false, batch: 64, slots: 512}\n";

/* text made of prefix, then n copies of unit, then suffix (malloc'ed). */
static char *repeat(const char *prefix, const char *unit, size_t n,
		    const char *suffix)
{
	size_t lp = strlen(prefix), lu = strlen(unit), ls = strlen(suffix), i;
	char *s = malloc(lp + n * lu + ls + 1);

	assert_non_null(s);
	memcpy(s, prefix, lp);
	for (i = 0; i < n; i++)
		memcpy(s + lp + i * lu, unit, lu);
	memcpy(s + lp + n * lu, suffix, ls + 1);
	return s;
}

/* The scenario repeat(prefix, unit, n, suffix) is refused with what. */
static void expect_bad_repeat(const char *prefix, const char *unit, size_t n,
			      const char *suffix, const char *what)
{
	char *s = repeat(prefix, unit, n, suffix);

	sim_test_expect_bad(s, what);
	free(s);
}

static void test_sim_scenario_parses_default(void **state)
{
	struct sim_scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "<embedded default>",
					   sim_scenario_default_yaml, err,
					   sizeof(err)),
			 0);
	assert_true(sc.trace.packets == 1000000);
	assert_int_equal(sc.nendpoints, 2);
	assert_int_equal(sc.endpoints[0].device, sim_dev_find("ptnet"));
	assert_int_equal(sc.switches[0].type, SIM_SW_VALE);
}

static void test_sim_scenario_parses_everything(void **state)
{
	struct sim_scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "t.yaml", good, err, sizeof(err)), 0);
	assert_true(sc.seed == 9);
	assert_int_equal(sc.trace.size, 128);
	assert_int_equal(sc.trace.mode, SIM_TRACE_RATE);
	assert_int_equal(sc.trace.loops, 2);
	assert_true(sc.costs.ps[SIM_C_VMEXIT] == 900000);
	assert_true(sc.costs.ps[SIM_C_COPY_BYTE] == 80);
	assert_int_equal(sc.endpoints[0].itr_us, 50);
	assert_true(sc.endpoints[0].send_combining);
	assert_false(sc.endpoints[1].event_idx);
	assert_int_equal(sc.endpoints[1].host, 1);
	assert_int_equal(sc.endpoints[1].slots, 512);
	assert_int_equal(sc.switches[0].type, SIM_SW_PIPE);
}

/* costs.jitter in a file and after --set, in the units of the names. */
static void test_sim_scenario_parses_jitter(void **state)
{
	struct sim_scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "t.yaml",
		"switches: [{name: s, type: vale}]\n"
		"endpoints: [{name: a, switch: s, role: sender}, {name: b, switch: s, role: receiver}]\n"
		"costs:\n"
		"  vmexit_ns: 900\n"
		"  jitter:\n"
		"    wakeup_ns: {dist: exp}\n"
		"    vmexit_ns: {dist: normal, sd: 150}\n"
		"    copy_byte_ps: {dist: uniform, width: 10}\n",
		err, sizeof(err)), 0);
	assert_true(sc.costs.ps[SIM_C_VMEXIT] == 900000);
	assert_int_equal(sc.costs.jitter[SIM_C_WAKEUP].dist, SIM_JITTER_EXP);
	assert_int_equal(sc.costs.jitter[SIM_C_VMEXIT].dist, SIM_JITTER_NORMAL);
	assert_true(sc.costs.jitter[SIM_C_VMEXIT].param_ps == 150000);
	assert_int_equal(sc.costs.jitter[SIM_C_COPY_BYTE].dist, SIM_JITTER_UNIFORM);
	assert_true(sc.costs.jitter[SIM_C_COPY_BYTE].param_ps == 10);
	assert_int_equal(sc.costs.jitter[SIM_C_SYSCALL].dist, SIM_JITTER_NONE);
	assert_int_equal(sim_scenario_override(&sc, "costs.jitter.syscall_ns.dist=uniform",
					       err, sizeof(err)), 0);
	assert_int_equal(sim_scenario_override(&sc, "costs.jitter.syscall_ns.width=40",
					       err, sizeof(err)), 0);
	assert_true(sc.costs.jitter[SIM_C_SYSCALL].param_ps == 40000);
	assert_int_equal(sim_scenario_override(&sc, "costs.jitter.syscall_ns.sd=4",
					       err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dist uniform does not take sd"));
	assert_int_equal(sim_scenario_override(&sc, "costs.jitter.lock_ps.sd=4",
					       err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "sd without dist"));
	assert_int_equal(sim_scenario_override(&sc, "costs.jitter.lock_ps", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(sim_scenario_override(&sc, "costs.jitter.lock_ps=1", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "expected costs.jitter.NAME.KEY=VALUE"));
}

#define TOPO "switches: [{name: s, type: vale}]\n" \
	     "endpoints:\n" \
	     "  - {name: a, switch: s, role: sender}\n" \
	     "  - {name: b, switch: s, role: receiver}\n"

static void test_sim_scenario_bad_syntax(void **state)
{
	(void)state;
	sim_test_expect_bad("name: x\ntrace: {packets: 5\nseed: 1\n", "bad.yaml:");
	sim_test_expect_bad("name: [unclosed\n", "YAML syntax error");
	sim_test_expect_bad("", "empty scenario");
	sim_test_expect_bad("- just\n- a list\n", "expected a mapping at the top level");
}

static void test_sim_scenario_bad_unknown_key(void **state)
{
	(void)state;
	sim_test_expect_bad(TOPO "colour: blue\n", "bad.yaml:5: unknown key 'colour'");
	sim_test_expect_bad(TOPO "trace: {packts: 5}\n", "bad.yaml:5: trace: unknown key 'packts'");
	sim_test_expect_bad(TOPO "costs: {warp_ns: 5}\n", "unknown primitive 'warp_ns'");
	sim_test_expect_bad("switches: [{name: s, speed: 10}]\n", "bad.yaml:1: switches: unknown key 'speed'");
}

static void test_sim_scenario_bad_jitter(void **state)
{
	(void)state;
	sim_test_expect_bad(TOPO "costs: {jitter: {warp_ns: {dist: exp}}}\n",
			    "bad.yaml:5: costs.jitter: unknown primitive 'warp_ns'");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: {dist: gauss}}}\n",
			    "costs.jitter.wakeup_ns.dist: unknown value 'gauss' (expected one of: none, normal, exp, uniform)");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: {dist: exp, sd: 3}}}\n",
			    "bad.yaml:5: costs.jitter.wakeup_ns: dist exp does not take sd");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: {width: 3}}}\n",
			    "costs.jitter.wakeup_ns: width without dist");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: {dist: normal, sd: -1}}}\n",
			    "costs.jitter.wakeup_ns.sd: '-1' is out of range");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: {dist: exp, mean: 1}}}\n",
			    "costs.jitter.wakeup_ns: unknown key 'mean' (expected dist, sd or width)");
	sim_test_expect_bad(TOPO "costs: {jitter: [wakeup_ns]}\n",
			    "costs.jitter: expected a mapping");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: exp}}\n",
			    "costs.jitter.wakeup_ns: expected a mapping");
	sim_test_expect_bad(TOPO "costs: {jitter: {wakeup_ns: {dist: exp}, wakeup_ns: {dist: exp}}}\n",
			    "costs.jitter: duplicate key 'wakeup_ns'");
	sim_test_expect_bad(TOPO "costs: {vmexit_ns: {a: 1}}\n",
			    "costs.vmexit_ns: expected a single value");
}

static void test_sim_scenario_bad_range(void **state)
{
	(void)state;
	sim_test_expect_bad(TOPO "trace: {size: 20}\n", "trace.size: '20' is out of range (expected an integer in [60, 1514])");
	sim_test_expect_bad(TOPO "trace: {packets: -3}\n", "trace.packets: '-3' is out of range");
	sim_test_expect_bad(TOPO "trace: {loops: many}\n", "trace.loops: 'many' is out of range");
	sim_test_expect_bad(TOPO "buf_size: 100\n", "not a multiple of 64");
	sim_test_expect_bad(TOPO "trace: {mode: warp}\n", "unknown value 'warp' (expected one of: fast, timestamps, rate)");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender, batch: 1024, slots: 1024}\n"
		   "  - {name: b, switch: s, role: receiver}\n",
		   "bad.yaml:3: endpoint a: batch 1024 is not below slots 1024");
}

static void test_sim_scenario_bad_reference(void **state)
{
	(void)state;
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: t, role: sender}\n",
		   "bad.yaml:3: endpoint a: switch 't' is not defined");
	sim_test_expect_bad("hosts: [{name: h}]\n" "switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, host: q, role: sender}\n",
		   "bad.yaml:4: endpoint a: host 'q' is not defined");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender, device: virtio, itr_us: 5}\n",
		   "bad.yaml:3: endpoint a: itr_us applies to device e1000 or e1000-stock only (this one is virtio)");
	sim_test_expect_bad("switches: [{name: s, type: vale}, {name: s, type: vale}]\n", "duplicate name 's'");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender}\n",
		   "switch s: 1 senders and 0 receivers");
	sim_test_expect_bad(TOPO "trace: {file: [a, b]}\n", "trace.file: expected a single value");
}

/* Found with fuzz_scenario's seed corpus (scenario/dup_keys_and_sections.yaml):
 * a key given twice was silently overwritten, and a second endpoints list
 * inherited the device options of the first (a wrong error pointing at a
 * list no longer in use).  A mapping's keys are unique in YAML: refused. */
static void test_sim_scenario_bad_duplicate_key(void **state)
{
	(void)state;
	sim_test_expect_bad(TOPO "seed: 1\nseed: 2\n", "bad.yaml:6: duplicate key 'seed' (first at line 5)");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\n"
		   "endpoints: [{name: a, switch: s, role: sender, device: e1000, itr_us: 10}]\n"
		   "endpoints: [{name: a, switch: s, role: sender, device: ptnet}]\n",
		   "bad.yaml:3: duplicate key 'endpoints' (first at line 2)");
	sim_test_expect_bad(TOPO "trace: {size: 60, size: 64}\n",
		   "bad.yaml:5: trace: duplicate key 'size' (first at line 5)");
	sim_test_expect_bad("switches: [{name: s, type: vale, type: pipe}]\n",
		   "bad.yaml:1: switches: duplicate key 'type'");
}

/* Found by fuzz_scenario (corpus scenario/key_with_line_breaks.yaml): a
 * key or value folded over several lines, or quoted with escapes, was
 * echoed into the message with its line breaks: not one line any more.
 * Input is shown escaped (sim_text_show()). */
static void test_sim_scenario_bad_control_characters(void **state)
{
	(void)state;
	sim_test_expect_bad(TOPO "\"col\\nour\\e\": blue\n", "unknown key 'col\\nour\\x1b'");
	sim_test_expect_bad(TOPO "trace: {mode: \"fa\\nst\"}\n", "unknown value 'fa\\nst'");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n  - {name: a, switch: s, swe\r\r\nb, role: sender}\n",
		   "bad.yaml:3: endpoints: unknown key 'swe\\nb'");
}

/* Issue 17: a long key or value pushed "(expected ...)" out of the
 * message; now input is clipped, the reason stays whole. */
static void test_sim_scenario_bad_long_values_clipped(void **state)
{
	char *s;

	(void)state;
	expect_bad_repeat(TOPO "trace: {mode: ", "x", 3000, "}\n",
			  "...' (expected one of: fast, timestamps, rate)");
	/* YAML keys are at most 1024 bytes. */
	expect_bad_repeat(TOPO "trace: {", "k", 1000, ": 1}\n",
			  "...' (expected file, packets, size, flows");
	s = repeat("switches: [{name: ", "a", 40, ", type: vale}]\n");
	sim_test_expect_bad(s, "switches.name: 'aaaa");
	sim_test_expect_bad(s, "' is 40 bytes (expected 1-31 letters, digits, '-' or '_')");
	free(s);
}

/* Issue 17: the scenario name and source were cut to their arrays
 * without a word, and a seed over 2^63-1 was taken (JSON printed it
 * negative). */
static void test_sim_scenario_bad_overlong_and_seed(void **state)
{
	struct sim_scenario sc;
	char err[512], *name;

	(void)state;
	expect_bad_repeat(TOPO "name: ", "n", 100, "\n",
			  "bad.yaml:5: name: a value of 100 bytes (expected at most 63 bytes)");
	sim_test_expect_bad(TOPO "seed: 9223372036854775808\n",
			    "seed: '9223372036854775808' is out of range (expected an integer in [0, 9223372036854775807])");
	assert_int_equal(sim_scenario_load(&sc, "t.yaml", TOPO "seed: 9223372036854775807\n",
					   err, sizeof(err)), 0);
	/* A source name as long as a path may be is kept whole. */
	name = repeat("", "d/", 150, "x.yaml");
	assert_int_equal(sim_scenario_load(&sc, name, TOPO, err, sizeof(err)), 0);
	assert_string_equal(sc.source, name);
	free(name);
}



/* Many-port switches: a VALE switch takes any number of endpoints (at
 * least one sender and one receiver), a pipe exactly two ends, and the
 * receiver count is the same on every VALE switch of more than two ports. */
static void test_sim_scenario_bad_topology(void **state)
{
	struct sim_scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "ok.yaml",
		"switches: [{name: s, type: vale}]\nendpoints:\n"
		"  - {name: a, switch: s, role: sender}\n"
		"  - {name: b, switch: s, role: sender}\n"
		"  - {name: c, switch: s, role: sender}\n"
		"  - {name: d, switch: s, role: receiver}\n", err, sizeof(err)), 0);
	assert_int_equal(sc.nendpoints, 4);
	sim_test_expect_bad("switches: [{name: p, type: pipe}]\nendpoints:\n"
		   "  - {name: a, switch: p, role: sender}\n"
		   "  - {name: b, switch: p, role: receiver}\n"
		   "  - {name: c, switch: p, role: receiver}\n",
		   "bad.yaml:1: switch p: a pipe with 1 senders and 2 receivers (expected exactly one of each: a pipe has two ends");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender}\n"
		   "  - {name: b, switch: s, role: sender}\n",
		   "switch s: 2 senders and 0 receivers (expected at least one of each)");
	sim_test_expect_bad("switches: [{name: s, type: vale}, {name: t, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender}\n"
		   "  - {name: b, switch: s, role: receiver}\n"
		   "  - {name: c, switch: s, role: receiver}\n"
		   "  - {name: d, switch: t, role: sender}\n"
		   "  - {name: e, switch: t, role: sender}\n"
		   "  - {name: f, switch: t, role: receiver}\n",
		   "switch t: its network has 1 receivers, switch s's has 2");
}

/* Issue 17: an endpoint without role was a sender, a switch without
 * type a VALE switch, and kloop on xen without fast_path (no kloop to
 * set) was taken; all without a word. */
static void test_sim_scenario_bad_required_keys(void **state)
{
	(void)state;
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s}\n"
		   "  - {name: b, switch: s, role: receiver}\n",
		   "bad.yaml:3: endpoints: entry without role (expected role: sender or receiver)");
	sim_test_expect_bad("switches: [{name: s}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender}\n"
		   "  - {name: b, switch: s, role: receiver}\n",
		   "bad.yaml:1: switches: entry without type (expected type: vale or pipe)");
	sim_test_expect_bad("switches: [{name: s, type: vale}]\nendpoints:\n"
		   "  - {name: a, switch: s, role: sender, device: xen, kloop: busy}\n"
		   "  - {name: b, switch: s, role: receiver}\n",
		   "bad.yaml:3: endpoint a: kloop applies to device ptnet or xen with fast_path only (this one is xen without fast_path)");
}

static void test_sim_scenario_bad_missing_file(void **state)
{
	struct sim_scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "/nonexistent/x.yaml", NULL, err,
					   sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/x.yaml: "));
}

/* Issue 17: libyaml's loader had no bounds (200k levels of nesting took
 * 102 s, a 4 MB flat list 323 MB).  Each bound is one line, at once. */
static void test_sim_scenario_bad_bounds(void **state)
{
	(void)state;
	expect_bad_repeat("x: ", "[", 200000, "",
			  "bad.yaml:1: nesting deeper than 16 levels (expected at most 16)");
	expect_bad_repeat("a:\n", "- ", 40, "1\n", "nesting deeper than 16 levels");
	expect_bad_repeat("x: [", "1,", 100001, "1]\n",
			  "bad.yaml:1: more than 100000 nodes (expected at most 100000");
	expect_bad_repeat("x:\n", "  - 1\n", 800000, "",
			  "bad.yaml: 4800003 bytes (expected at most 1048576 bytes");
	/* At the limits: read, then refused for what it says. */
	expect_bad_repeat("x: ", "[", 15, "", "YAML syntax error");
}

/* Issue 17: a second document (even garbage) was ignored, and a "\0"
 * escape cut a key or value short (C strings) without a word. */
static void test_sim_scenario_bad_documents_and_nul(void **state)
{
	(void)state;
	sim_test_expect_bad(TOPO "---\nseed: 2\n", "bad.yaml:5: a second YAML document (expected one document)");
	sim_test_expect_bad(TOPO "--- ]]] garbage {{{\n", "bad.yaml:5: a second YAML document");
	sim_test_expect_bad(TOPO "...\n]]] garbage {{{\n", "bad.yaml:6: YAML syntax error");
	sim_test_expect_bad(TOPO "trace: {mode: \"fast\\0evil\"}\n",
			    "bad.yaml:5: a key or value holds a NUL byte (expected text without \\0)");
	sim_test_expect_bad(TOPO "\"seed\\0x\": 3\n", "bad.yaml:5: a key or value holds a NUL byte");
}

static void test_sim_scenario_override_paths(void **state)
{
	struct sim_scenario sc, before;
	char err[512];

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "t.yaml", good, err, sizeof(err)), 0);
	assert_int_equal(sim_scenario_override(&sc, "endpoints.b.batch=32", err, sizeof(err)), 0);
	assert_int_equal(sc.endpoints[1].batch, 32);
	assert_int_equal(sim_scenario_override(&sc, "trace.loops=3", err, sizeof(err)), 0);
	assert_int_equal(sc.trace.loops, 3);
	assert_int_equal(sim_scenario_override(&sc, "costs.vmexit_ns=777", err, sizeof(err)), 0);
	assert_true(sc.costs.ps[SIM_C_VMEXIT] == 777000);
	assert_int_equal(sim_scenario_override(&sc, "seed=5", err, sizeof(err)), 0);
	assert_int_equal(sim_scenario_override(&sc, "switches.s0.type=vale", err, sizeof(err)), 0);
	before = sc;
	assert_int_equal(sim_scenario_override(&sc, "endpoints.b.batch=4096", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "batch"));
	assert_int_equal(sim_scenario_override(&sc, "endpoints.z.batch=1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no endpoint named 'z'"));
	assert_int_equal(sim_scenario_override(&sc, "endpoints.b.itr_us=5", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "applies to device e1000"));
	assert_int_equal(sim_scenario_override(&sc, "nonsense", err, sizeof(err)), -EINVAL);
	assert_memory_equal(&sc, &before, sizeof(sc));
}

/* Issue 17: a relative trace.file resolved against the current
 * directory, so a scenario worked only when run from its own directory.
 * From a file it now resolves against the file's directory; --set
 * trace.file=REL stays relative to the current directory. */
static void test_sim_scenario_override_relative_trace_file(void **state)
{
	char dir[] = "/tmp/nmsim-sc-XXXXXX", path[64], want[96], err[512];
	struct sim_scenario sc;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(TOPO "trace: {file: caps/x.pcap}\n", f);
	fclose(f);
	assert_int_equal(sim_scenario_load(&sc, path, NULL, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/caps/x.pcap", dir);
	assert_string_equal(sc.trace.file, want);
	assert_int_equal(sim_scenario_override(&sc, "trace.file=y.pcap", err, sizeof(err)), 0);
	assert_string_equal(sc.trace.file, "y.pcap");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(TOPO "trace: {file: /abs/x.pcap}\n", f);
	fclose(f);
	assert_int_equal(sim_scenario_load(&sc, path, NULL, err, sizeof(err)), 0);
	assert_string_equal(sc.trace.file, "/abs/x.pcap");
	/* Text (the embedded default, tests, fuzzing) has no directory. */
	assert_int_equal(sim_scenario_load(&sc, "d/t.yaml", TOPO "trace: {file: x.pcap}\n",
					   err, sizeof(err)), 0);
	assert_string_equal(sc.trace.file, "x.pcap");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* Issue 17: --set copied its argument into 256 bytes, so a 249-byte
 * trace.file loaded a different, shorter file; a newline in an override
 * gave a two-line error. */
static void test_sim_scenario_override_long_and_newlines(void **state)
{
	struct sim_scenario sc, before;
	char err[512], *s;

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "t.yaml", good, err, sizeof(err)), 0);
	s = repeat("trace.file=", "p", 249, "");
	assert_int_equal(sim_scenario_override(&sc, s, err, sizeof(err)), 0);
	assert_int_equal(strlen(sc.trace.file), 249);
	free(s);
	before = sc;
	s = repeat("trace.file=", "p", 5000, "");
	assert_int_equal(sim_scenario_override(&sc, s, err, sizeof(err)), -EINVAL);
	printf("    rejected: %s\n", err);
	assert_non_null(strstr(err, "trace.file: a value of 5000 bytes (expected at most 4095 bytes)"));
	assert_null(strchr(err, '\n'));
	free(s);
	assert_int_equal(sim_scenario_override(&sc, "endpoints.b.batch=1\n2", err, sizeof(err)), -EINVAL);
	printf("    rejected: %s\n", err);
	assert_non_null(strstr(err, "endpoints.b.batch=1\\n2: endpoints.batch: '1\\n2' is out of range"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(sim_scenario_override(&sc, "endpoints.z\nz.batch=1", err, sizeof(err)), -EINVAL);
	printf("    rejected: %s\n", err);
	assert_non_null(strstr(err, "no endpoint named 'z\\nz'"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(sim_scenario_override(&sc, "na\nme", err, sizeof(err)), -EINVAL);
	assert_null(strchr(err, '\n'));
	assert_memory_equal(&sc, &before, sizeof(sc));
}

/* The device table is the one list of devices and keys: names unique,
 * none first, every default in range, keys within SIM_DEV_MAX_KEYS, and a
 * device's keys read from a scenario through it. */
/* The scenario with one entry of each list section, for key paths. */
static const char *every_section =
	"hosts: [{name: h0, cpus: 4}]\n"
	"switches: [{name: s0, type: vale}, {name: s1, type: vale}]\n"
	"links: [{name: l0, from: s0, to: s1}]\n"
	"endpoints:\n"
	"  - {name: a, host: h0, switch: s0, role: sender}\n"
	"  - {name: b, switch: s1, role: receiver}\n";

/* "SECTION.ENTRY.KEY" for table path "SECTION.KEY" of a list section. */
static void key_path(const char *path, char *out, size_t size)
{
	static const char *const entry[][2] = {
		{ "hosts.", "h0" }, { "switches.", "s0" }, { "links.", "l0" }, { "endpoints.", "a" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(entry) / sizeof(entry[0]); i++) {
		n = strlen(entry[i][0]);
		if (strncmp(path, entry[i][0], n) == 0) {
			snprintf(out, size, "%s%s.%s", entry[i][0], entry[i][1], path + n);
			return;
		}
	}
	snprintf(out, size, "%s", path);
}

/* The names an "unknown key" error lists after "(expected ": "a, b or c". */
static int expected_names(const char *err, char names[][32], int max)
{
	const char *p = strstr(err, "(expected ");
	int n = 0;
	size_t len;

	assert_non_null(p);
	p += strlen("(expected ");
	while (*p != ')' && *p != '\0' && n < max) {
		if (strncmp(p, "or ", 3) == 0) {
			p += 3;
			continue;
		}
		if (*p == ',' || *p == ' ') {
			p++;
			continue;
		}
		len = strcspn(p, ",) ");
		snprintf(names[n++], 32, "%.*s", (int)len, p);
		p += len;
	}
	return n;
}

/* The table `nmsim list keys` prints is the reader's: every integer
 * entry's range is the one the reader's error quotes for its path, and
 * every key the reader names when it refuses an unknown one has an
 * entry (or is a section, or, for an endpoint, a device key). */
static void test_sim_scenario_keys_table(void **state)
{
	static const char *const sections[][2] = {
		{ "", "zz" }, { "sim.", "zz" }, { "trace.", "zz" }, { "hosts.", "h0.zz" },
		{ "switches.", "s0.zz" }, { "links.", "l0.zz" }, { "endpoints.", "a.zz" },
	};
	static const char *const top_sections[] = { "trace", "costs", "hosts", "switches",
						    "endpoints", "links", "sim", NULL };
	static struct sim_scenario sc, copy;
	char err[512], set[160], path[96], want[160], names[32][32], full[80];
	const struct sim_sc_key *k;
	uint32_t id;
	size_t i, j;
	int n, m, listed = 0;
	bool section;

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "t.yaml", every_section, err, sizeof(err)), 0);
	for (i = 0; i < sim_sc_nkeys; i++) {
		k = &sim_sc_keys[i];
		if (k->type != SIM_KEY_INTEGER)
			continue;
		key_path(k->path, path, sizeof(path));
		snprintf(set, sizeof(set), "%s=x", path);
		copy = sc;
		assert_int_equal(sim_scenario_override(&copy, set, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s: 'x' is out of range (expected an integer in [%llu, %llu])",
			 k->path, (unsigned long long)k->min, (unsigned long long)k->max);
		if (strstr(err, want) == NULL)
			fail_msg("%s: the reader said \"%s\", the table \"%s\"", k->path, err, want);
	}
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		snprintf(set, sizeof(set), "%s%s=1", sections[i][0], sections[i][1]);
		copy = sc;
		assert_int_equal(sim_scenario_override(&copy, set, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "unknown key 'zz'"));
		n = expected_names(err, names, 32);
		assert_true(n >= 2);
		for (m = 0; m < n; m++) {
			snprintf(full, sizeof(full), "%.15s%.31s", sections[i][0], names[m]);
			section = false;
			for (j = 0; top_sections[j] != NULL; j++)
				section |= i == 0 && strcmp(names[m], top_sections[j]) == 0;
			if (section || sim_sc_key_find(full) != NULL ||
			    (i == 6 && sim_dev_key_find(names[m], &id) != NULL))
				listed++;
			else
				fail_msg("the reader takes %s, which sim_sc_keys does not list", full);
		}
	}
	assert_true(listed > 30);
}

static void test_sim_scenario_device_table(void **state)
{
	const struct sim_dev_key *k;
	struct sim_scenario sc;
	char err[512];
	uint32_t d, e, i, id;

	(void)state;
	assert_string_equal(sim_dev_table[0]->name, "none");
	for (d = 0; d < sim_dev_count; d++) {
		assert_non_null(sim_dev_table[d]->model.ops);
		assert_int_equal(sim_dev_find(sim_dev_table[d]->name), (int)d);
		for (e = 0; e < d; e++)
			assert_string_not_equal(sim_dev_table[d]->name, sim_dev_table[e]->name);
	}
	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++) {
		assert_true(k->type != SIM_DEV_KEY_U32 || k->def == SIM_CPU_OWN ||
			    (k->def >= k->lo && k->def <= k->hi));
		assert_true(sim_dev_key_find(k->name, &id) == k && id == i);
	}
	assert_true(i <= SIM_DEV_MAX_KEYS);
	assert_int_equal(sim_scenario_load(&sc, "t.yaml",
					   "switches: [{name: s, type: vale}]\nendpoints:\n"
					   "  - {name: a, switch: s, role: sender, device: e1000-stock, itr_us: 25}\n"
					   "  - {name: b, switch: s, role: receiver, device: virtio}\n",
					   err, sizeof(err)),
			 0);
	assert_string_equal(sim_device_name(sc.endpoints[0].device), "e1000-stock");
	assert_int_equal(sc.endpoints[0].itr_us, 25);
	assert_true(sc.endpoints[1].event_idx); /* its default */
	assert_int_equal(sc.endpoints[1].kloop_cpu, SIM_CPU_OWN);
	assert_true(sim_dev_model_of(&sc.endpoints[0])->threads == SIM_DEV_BACKEND);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest parse[] = {
		cmocka_unit_test(test_sim_scenario_parses_default),
		cmocka_unit_test(test_sim_scenario_parses_everything),
		cmocka_unit_test(test_sim_scenario_parses_jitter),
		cmocka_unit_test(test_sim_scenario_device_table),
		cmocka_unit_test(test_sim_scenario_keys_table),
	};
	static const struct CMUnitTest bad[] = {
		cmocka_unit_test(test_sim_scenario_bad_syntax),
		cmocka_unit_test(test_sim_scenario_bad_unknown_key),
		cmocka_unit_test(test_sim_scenario_bad_range),
		cmocka_unit_test(test_sim_scenario_bad_jitter),
		cmocka_unit_test(test_sim_scenario_bad_reference),
		cmocka_unit_test(test_sim_scenario_bad_duplicate_key),
		cmocka_unit_test(test_sim_scenario_bad_control_characters),
		cmocka_unit_test(test_sim_scenario_bad_long_values_clipped),
		cmocka_unit_test(test_sim_scenario_bad_overlong_and_seed),
		cmocka_unit_test(test_sim_scenario_bad_topology),
		cmocka_unit_test(test_sim_scenario_bad_missing_file),
		cmocka_unit_test(test_sim_scenario_bad_required_keys),
		cmocka_unit_test(test_sim_scenario_bad_bounds),
		cmocka_unit_test(test_sim_scenario_bad_documents_and_nul),
	};
	static const struct CMUnitTest override[] = {
		cmocka_unit_test(test_sim_scenario_override_paths),
		cmocka_unit_test(test_sim_scenario_override_long_and_newlines),
		cmocka_unit_test(test_sim_scenario_override_relative_trace_file),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("parse", parse),
		NM_TEST_GROUP("bad", bad),
		NM_TEST_GROUP("override", override),
	};

	return nm_test_main("sim_scenario", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
