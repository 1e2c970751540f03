/*
 * sim_cost.c - the cost model's table and its installation.
 *
 * The defaults are the figures of docs/cost-model.md (measured on this
 * machine by bench/bench_sim_costs.c where it can measure them, published
 * figures otherwise).  Changing one here means changing it there.
 */
#include "sim_cost.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nm_os.h"
#include "sim_rng.h"

_Static_assert(SIM_C_COUNT <= 32, "sim_cost_jittered is a 32-bit mask");

/* clang-format off */
const struct sim_cost_info sim_cost_info[SIM_C_COUNT] = {
	[SIM_C_SHARED_LOAD]  = { "shared_load_ps",    500, "load of a peer-written word (L1 hit)" },
	[SIM_C_SHARED_STORE] = { "shared_store_ps",   500, "store to a peer-read word (L1 hit)" },
	[SIM_C_FENCE_STST]   = { "fence_store_store_ps", 0, "store-store fence (x86: compiler barrier)" },
	[SIM_C_FENCE_LDLD]   = { "fence_load_load_ps",   0, "load-load fence (x86: compiler barrier)" },
	[SIM_C_FENCE_STLD]   = { "fence_store_load_ps", 8000, "full fence (mfence or locked add)" },
	[SIM_C_ATOMIC]       = { "atomic_ps",         8000, "locked compare-and-swap" },
	[SIM_C_LOCK]         = { "lock_ps",           8000, "uncontended spin lock acquire or release" },
	[SIM_C_COPY_BYTE]    = { "copy_byte_ps",        26, "memcpy per byte, cache resident" },
	[SIM_C_NOTIFY]       = { "notify_ns",      300000, "issuing a notification (eventfd write)" },
	[SIM_C_CACHELINE]    = { "cacheline_ns",    80000, "cache-line transfer between cores, first in a step (latency)" },
	[SIM_C_CACHELINE_STREAM] = { "cacheline_stream_ns", 5000, "further cache-line transfer in the same step (overlapped, bandwidth)" },
	[SIM_C_SYSCALL]      = { "syscall_ns",     280000, "user-kernel round trip" },
	[SIM_C_WAKEUP]       = { "wakeup_ns",     3600000, "wake a sleeping thread until it runs" },
	[SIM_C_VMEXIT]       = { "vmexit_ns",     1300000, "VM exit + entry handled in the host kernel (ioeventfd)" },
	[SIM_C_VMEXIT_USER]  = { "vmexit_user_ns", 4500000, "VM exit handled by the userspace VMM (MMIO emulation)" },
	[SIM_C_IRQ_INJECT]   = { "irq_inject_ns", 1500000, "interrupt injection into a running vCPU" },
	[SIM_C_GUEST_IRQ]    = { "guest_irq_ns",  2000000, "guest interrupt handler, including the EOI exit" },
	[SIM_C_DMA_MAP]      = { "dma_map_ns",      100000, "VMM translating one guest buffer address" },
	[SIM_C_HYPERCALL]    = { "hypercall_ns",   700000, "Xen hypercall (event channel send)" },
	[SIM_C_GRANT_COPY]   = { "grant_copy_ns",  400000, "Xen grant copy per buffer, excluding bytes" },
	[SIM_C_SWITCH_PKT]   = { "switch_pkt_ns",   40000, "VALE lookup and queueing per packet" },
	[SIM_C_APP_PKT]      = { "app_pkt_ns",       5000, "pkt-gen per-packet work (fill or check a slot)" },
	[SIM_C_DEV_DESC]     = { "dev_desc_ns",    150000, "emulated device per descriptor" },
	[SIM_C_SKB_ALLOC]    = { "skb_alloc_ns",    60000, "tap: allocate the skb of a written frame" },
	[SIM_C_SKB_FREE]     = { "skb_free_ns",     40000, "tap: free the skb of a read frame" },
	[SIM_C_TAP_PKT]      = { "tap_pkt_ns",     250000, "tap: tun driver per packet, each way, beside skb, copy and syscall" },
	[SIM_C_BRIDGE_PKT]   = { "bridge_pkt_ns",  300000, "tap: host bridge forwarding per packet, to the tap's queue" },
	[SIM_C_CSUM_BYTE]    = { "csum_byte_ps",      520, "Internet checksum per byte (VALE segmentation, a guest without csum offload)" },
	[SIM_C_SEG_FRAME]    = { "seg_frame_ns",    40000, "VALE: rebuilding the headers of one more segment of a GSO packet" },
};
/* clang-format on */

struct sim_costs sim_cost_now;
uint32_t sim_cost_jittered;

const char *const sim_jitter_names[SIM_JITTER_COUNT + 1] = {
	"none", "normal", "exp", "uniform", NULL
};

/* One stream per jittered primitive: adding jitter to one never shifts
 * another's draws (sim_rng.h). */
static struct sim_rng sim_cost_rng[SIM_C_COUNT];

/* The core's step kinds and the primitives they are charged as. */
static const enum sim_cost_id sim_cost_of_step[NM_SIM_STEP_KINDS] = {
	[NM_SIM_FENCE_STORE_STORE] = SIM_C_FENCE_STST,
	[NM_SIM_FENCE_LOAD_LOAD] = SIM_C_FENCE_LDLD,
	[NM_SIM_FENCE_STORE_LOAD] = SIM_C_FENCE_STLD,
	[NM_SIM_SHARED_LOAD] = SIM_C_SHARED_LOAD,
	[NM_SIM_SHARED_STORE] = SIM_C_SHARED_STORE,
	[NM_SIM_ATOMIC] = SIM_C_ATOMIC,
	[NM_SIM_LOCK] = SIM_C_LOCK,
	[NM_SIM_COPY_BYTE] = SIM_C_COPY_BYTE,
	[NM_SIM_NOTIFY] = SIM_C_NOTIFY,
};

void sim_costs_default(struct sim_costs *c)
{
	int i;

	memset(c, 0, sizeof(*c)); /* no jitter */
	for (i = 0; i < SIM_C_COUNT; i++)
		c->ps[i] = sim_cost_info[i].def_ps;
}

int sim_cost_find(const char *name)
{
	int i;

	for (i = 0; i < SIM_C_COUNT; i++)
		if (strcmp(sim_cost_info[i].name, name) == 0)
			return i;
	return -1;
}

static bool sim_cost_in_ns(int id)
{
	size_t n = strlen(sim_cost_info[id].name);

	return n > 3 && strcmp(sim_cost_info[id].name + n - 3, "_ns") == 0;
}

void sim_cost_set(struct sim_costs *c, int id, uint64_t value)
{
	c->ps[id] = sim_cost_in_ns(id) ? value * 1000 : value;
}

uint64_t sim_cost_get(const struct sim_costs *c, int id)
{
	return sim_cost_in_ns(id) ? c->ps[id] / 1000 : c->ps[id];
}

void sim_cost_set_jitter_param(struct sim_costs *c, int id, uint64_t value)
{
	c->jitter[id].param_ps = sim_cost_in_ns(id) ? value * 1000 : value;
}

uint64_t sim_cost_get_jitter_param(const struct sim_costs *c, int id)
{
	return sim_cost_in_ns(id) ? c->jitter[id].param_ps / 1000 : c->jitter[id].param_ps;
}

/* Uniform in (0, 1): 53 random bits, never 0 (log() below). */
static double sim_cost_unit(struct sim_rng *r)
{
	return ((double)(sim_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t sim_cost_draw_ps(enum sim_cost_id id, uint64_t count)
{
	const struct sim_jitter *j = &sim_cost_now.jitter[id];
	struct sim_rng *r = &sim_cost_rng[id];
	double mean = (double)sim_cost_now.ps[id], x, u, param;

	param = j->param != 0 ? (double)j->param_ps
		: j->dist == SIM_JITTER_NORMAL ? mean / 10 : mean / 5;
	switch (j->dist) {
	case SIM_JITTER_NORMAL:
		/* Box-Muller: one normal from two uniforms. */
		u = sim_cost_unit(r);
		x = mean + param * sqrt(-2.0 * log(u)) *
				   cos(2.0 * M_PI * sim_cost_unit(r));
		break;
	case SIM_JITTER_EXP:
		x = -mean * log(sim_cost_unit(r));
		break;
	case SIM_JITTER_UNIFORM:
		x = mean + param * (sim_cost_unit(r) - 0.5);
		break;
	default:
		x = mean;
		break;
	}
	/* Below zero counts as zero; the bound keeps the product in range
	 * (the reader caps values at 10^9 of their unit). */
	x = x < 0 ? 0 : x > 1e15 ? 1e15 : x;
	return (uint64_t)llround(x) * count;
}

static uint64_t sim_cost_step_draw(enum nm_sim_step kind, uint64_t count)
{
	return sim_cost_draw_ps(sim_cost_of_step[kind], count);
}

void sim_costs_install(const struct sim_costs *c, uint64_t seed)
{
	char stream[64];
	int k, id;

	sim_cost_now = *c;
	sim_cost_jittered = 0;
	for (id = 0; id < SIM_C_COUNT; id++) {
		if (c->jitter[id].dist == SIM_JITTER_NONE)
			continue;
		sim_cost_jittered |= 1u << id;
		snprintf(stream, sizeof(stream), "costs.jitter.%s", sim_cost_info[id].name);
		sim_rng_init(&sim_cost_rng[id], seed, stream);
	}
	nm_sim_os.jitter_kinds = 0;
	nm_sim_os.jitter_ps = sim_cost_step_draw;
	for (k = 0; k < NM_SIM_STEP_KINDS; k++) {
		id = sim_cost_of_step[k];
		nm_sim_os.cost_ps[k] = c->ps[id];
		if (sim_cost_jittered & (1u << id))
			nm_sim_os.jitter_kinds |= 1u << k;
	}
}

void sim_cost_charge(enum sim_cost_id id, uint64_t count)
{
	uint64_t ps = nm_sim_os.frac_ps +
		      ((sim_cost_jittered & (1u << id)) ? sim_cost_draw_ps(id, count)
							 : sim_cost_now.ps[id] * count);

	nm_sim_os.now_ns += ps / 1000;
	nm_sim_os.frac_ps = ps % 1000;
}
