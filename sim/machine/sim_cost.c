/*
 * sim_cost.c - the cost model's table and its installation.
 *
 * The defaults are the figures of docs/cost-model.md (measured on this
 * machine by bench/bench_sim_costs.c where it can measure them, published
 * figures otherwise).  Changing one here means changing it there.
 */
#include "sim_cost.h"

#include <string.h>

#include "nm_os.h"

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
};
/* clang-format on */

struct sim_costs sim_cost_now;

void sim_costs_default(struct sim_costs *c)
{
	int i;

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

void sim_costs_install(const struct sim_costs *c)
{
	sim_cost_now = *c;
	nm_sim_os.cost_ps[NM_SIM_FENCE_STORE_STORE] = c->ps[SIM_C_FENCE_STST];
	nm_sim_os.cost_ps[NM_SIM_FENCE_LOAD_LOAD] = c->ps[SIM_C_FENCE_LDLD];
	nm_sim_os.cost_ps[NM_SIM_FENCE_STORE_LOAD] = c->ps[SIM_C_FENCE_STLD];
	nm_sim_os.cost_ps[NM_SIM_SHARED_LOAD] = c->ps[SIM_C_SHARED_LOAD];
	nm_sim_os.cost_ps[NM_SIM_SHARED_STORE] = c->ps[SIM_C_SHARED_STORE];
	nm_sim_os.cost_ps[NM_SIM_ATOMIC] = c->ps[SIM_C_ATOMIC];
	nm_sim_os.cost_ps[NM_SIM_LOCK] = c->ps[SIM_C_LOCK];
	nm_sim_os.cost_ps[NM_SIM_COPY_BYTE] = c->ps[SIM_C_COPY_BYTE];
	nm_sim_os.cost_ps[NM_SIM_NOTIFY] = c->ps[SIM_C_NOTIFY];
}

void sim_cost_charge(enum sim_cost_id id, uint64_t count)
{
	uint64_t ps = nm_sim_os.frac_ps + sim_cost_now.ps[id] * count;

	nm_sim_os.now_ns += ps / 1000;
	nm_sim_os.frac_ps = ps % 1000;
}
