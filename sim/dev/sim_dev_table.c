/*
 * sim_dev_table.c - the device table (sim_dev.h): one line per device
 * model in SIM_DEVICES, the thread keys every model with that thread
 * accepts, and the look-ups the scenario reader, the world, the report and
 * fuzz_scenario share.  The order of SIM_DEVICES is the index a scenario's
 * device is kept as: append, never reorder (0 must stay none).
 */
#include "sim_dev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SIM_DEVICES(X) \
	X(none)        \
	X(ptnet)       \
	X(e1000)       \
	X(virtio)      \
	X(xen)         \
	X(e1000_stock) \
	/* one line per device model, appended above this one */

#define SIM_DEV_DECLARE(n) extern const struct sim_dev_desc sim_dev_##n##_desc;
#define SIM_DEV_ENTRY(n) &sim_dev_##n##_desc,
SIM_DEVICES(SIM_DEV_DECLARE)

const struct sim_dev_desc *const sim_dev_table[] = { SIM_DEVICES(SIM_DEV_ENTRY) };
const uint32_t sim_dev_count = sizeof(sim_dev_table) / sizeof(sim_dev_table[0]);

static const char *const sim_kloop_names[] = { "notify", "busy", NULL };

static const struct sim_dev_key sim_dev_key_kloop = {
	.name = "kloop", .type = SIM_DEV_KEY_ENUM, .def = SIM_KLOOP_NOTIFY,
	.unit = "", .names = sim_kloop_names,
	.off = offsetof(struct sim_sc_endpoint, kloop), .thread = SIM_DEV_KLOOP,
	.help = "notify: the kloop sleeps until kicked; busy: it polls every us",
};
static const char *const sim_rx_start_names[] = { "sync", "irq", NULL };

/* A kloop key because only the CSB datapaths have the initial state it
 * relies on (netmap_csb_validate() sets appl_need_kick = 1). */
static const struct sim_dev_key sim_dev_key_rx_start = {
	.name = "rx_start", .type = SIM_DEV_KEY_ENUM, .def = SIM_RX_START_SYNC,
	.unit = "", .names = sim_rx_start_names,
	.off = offsetof(struct sim_sc_endpoint, rx_start), .thread = SIM_DEV_KLOOP,
	.help = "a receiver's first step: sync; irq: wait for the first interrupt, relying on the CSB's initial appl_need_kick = 1",
};
static const struct sim_dev_key sim_dev_key_kloop_cpu = {
	.name = "kloop_cpu", .type = SIM_DEV_KEY_U32, .lo = 0,
	.hi = SIM_MAX_CPUS - 1, .def = SIM_CPU_OWN, .unit = "cpu",
	.off = offsetof(struct sim_sc_endpoint, kloop_cpu), .thread = SIM_DEV_KLOOP,
	.help = "the host CPU the kloop is pinned to (default: one of its own)",
};
static const struct sim_dev_key sim_dev_key_backend_cpu = {
	.name = "backend_cpu", .type = SIM_DEV_KEY_U32, .lo = 0,
	.hi = SIM_MAX_CPUS - 1, .def = SIM_CPU_OWN, .unit = "cpu",
	.off = offsetof(struct sim_sc_endpoint, backend_cpu),
	.thread = SIM_DEV_BACKEND,
	.help = "the host CPU the device thread is pinned to (default: one of its own)",
};
static const struct sim_dev_key *const sim_dev_thread_keys[] = {
	&sim_dev_key_kloop,	  &sim_dev_key_rx_start,
	&sim_dev_key_kloop_cpu,	  &sim_dev_key_backend_cpu,
	NULL,
};

int sim_dev_find(const char *name)
{
	uint32_t d;

	for (d = 0; d < sim_dev_count; d++)
		if (strcmp(sim_dev_table[d]->name, name) == 0)
			return (int)d;
	return -1;
}

const char *sim_device_name(uint32_t device)
{
	return device < sim_dev_count ? sim_dev_table[device]->name : "?";
}

/* Is k among the keys of the devices before device d (or d's before j)? */
static bool sim_dev_key_seen(const struct sim_dev_key *k, uint32_t d, uint32_t j)
{
	uint32_t e, i;

	for (e = 0; e <= d; e++)
		for (i = 0; sim_dev_table[e]->keys[i] != NULL && (e < d || i < j); i++)
			if (sim_dev_table[e]->keys[i] == k)
				return true;
	return false;
}

const struct sim_dev_key *sim_dev_key_at(uint32_t i)
{
	const struct sim_dev_key *k;
	uint32_t d, j, n = 0;

	for (d = 0; d < sim_dev_count; d++) {
		for (j = 0; (k = sim_dev_table[d]->keys[j]) != NULL; j++) {
			if (sim_dev_key_seen(k, d, j))
				continue;
			if (n++ == i)
				return k;
		}
	}
	for (j = 0; sim_dev_thread_keys[j] != NULL; j++)
		if (n++ == i)
			return sim_dev_thread_keys[j];
	return NULL;
}

const struct sim_dev_key *sim_dev_key_find(const char *name, uint32_t *id)
{
	const struct sim_dev_key *k;
	uint32_t i;

	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++) {
		if (strcmp(k->name, name) == 0) {
			*id = i;
			return k;
		}
	}
	return NULL;
}

static bool sim_dev_lists(const struct sim_dev_desc *d, const struct sim_dev_key *k)
{
	uint32_t j;

	for (j = 0; d->keys[j] != NULL; j++)
		if (d->keys[j] == k)
			return true;
	return false;
}

const struct sim_dev_model *sim_dev_model_of(const struct sim_sc_endpoint *c)
{
	const struct sim_dev_desc *d = sim_dev_table[c->device];

	if (d->alt_key != NULL && sim_dev_key_get(c, d->alt_key) != 0)
		return &d->alt;
	return &d->model;
}

bool sim_dev_accepts(const struct sim_sc_endpoint *c, const struct sim_dev_key *k)
{
	if (k->thread != 0)
		return (sim_dev_model_of(c)->threads & k->thread) != 0;
	return sim_dev_lists(sim_dev_table[c->device], k);
}

uint32_t sim_dev_key_get(const struct sim_sc_endpoint *c, const struct sim_dev_key *k)
{
	const char *p = (const char *)c + k->off;

	if (k->type == SIM_DEV_KEY_BOOL)
		return *(const bool *)p ? 1 : 0;
	return *(const uint32_t *)p;
}

int sim_dev_flags_parse(const struct sim_dev_key *k, const char *v, uint32_t *out)
{
	uint32_t bits = 0, j;
	size_t n;

	*out = 0;
	if (strcmp(v, "none") == 0)
		return 0;
	for (;;) {
		n = strcspn(v, "+");
		for (j = 0; k->names[j] != NULL; j++)
			if (strlen(k->names[j]) == n && strncmp(v, k->names[j], n) == 0)
				break;
		if (k->names[j] == NULL || (bits & (1U << j)))
			return -EINVAL; /* unknown, empty or repeated */
		bits |= 1U << j;
		if (v[n] == '\0')
			break;
		v += n + 1;
	}
	*out = bits;
	return 0;
}

const char *sim_dev_flags_name(const struct sim_dev_key *k, uint32_t v, char *buf,
			       size_t size)
{
	size_t n = 0;
	uint32_t j;

	buf[0] = '\0';
	for (j = 0; k->names[j] != NULL; j++)
		if (v & (1U << j))
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
					      n ? "+" : "", k->names[j]);
	if (n == 0)
		snprintf(buf, size, "none");
	return buf;
}

void sim_dev_key_set(struct sim_sc_endpoint *c, const struct sim_dev_key *k,
		     uint32_t v)
{
	char *p = (char *)c + k->off;

	if (k->type == SIM_DEV_KEY_BOOL)
		*(bool *)p = v != 0;
	else
		*(uint32_t *)p = v;
}

void sim_dev_defaults(struct sim_sc_endpoint *c)
{
	const struct sim_dev_key *k;
	uint32_t i;

	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++)
		sim_dev_key_set(c, k, k->def);
}

/* How device d accepts k: 0 never, 1 in every model, 2 only with its
 * alt_key set, 3 only without. */
static int sim_dev_how(const struct sim_dev_desc *d, const struct sim_dev_key *k)
{
	bool in_model, in_alt;

	if (k->thread == 0)
		return sim_dev_lists(d, k) ? 1 : 0;
	in_model = (d->model.threads & k->thread) != 0;
	in_alt = d->alt_key != NULL && (d->alt.threads & k->thread) != 0;
	if (d->alt_key == NULL)
		in_alt = in_model;
	return in_model && in_alt ? 1 : in_alt ? 2 : in_model ? 3 : 0;
}

void sim_dev_accepting(const struct sim_dev_key *k, char *buf, size_t size)
{
	uint32_t d, pass, n = 0, total = 0, len;
	int how;

	for (d = 0; d < sim_dev_count; d++)
		total += sim_dev_how(sim_dev_table[d], k) != 0;
	buf[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (d = 0; d < sim_dev_count; d++) {
			how = sim_dev_how(sim_dev_table[d], k);
			if (how == 0 || (how == 1) != (pass == 0))
				continue;
			len = (uint32_t)strlen(buf);
			snprintf(buf + len, size - len, "%s%s%s%s",
				 n == 0 ? "" : n + 1 == total ? " or " : ", ",
				 sim_dev_table[d]->name,
				 how == 2 ? " with " : how == 3 ? " without " : "",
				 how >= 2 ? sim_dev_table[d]->alt_key->name : "");
			n++;
		}
	}
}
