/*
 * sim_cost.h - the one cost model every datapath runs under.
 *
 * Owns: the named primitives (value, unit and where the value comes from is
 * in docs/cost-model.md), their defaults, overriding them by name from a
 * scenario, and installing the per-step costs into the simulator backend
 * (sim/nm_os_sim.h) so that the core's own fences, shared loads and stores,
 * atomics, locks and copies advance the clock.  Primitives the core does not
 * see (a VM exit, an interrupt injection, a wake-up) are charged by the
 * device models with sim_cost_charge().  There are no per-scenario fudge
 * factors: a scenario may override a primitive, and the report prints the
 * values in force.
 *
 * Units: every value is stored in picoseconds; names ending in _ns are
 * given in nanoseconds, names ending in _ps in picoseconds.
 */
#ifndef SIM_COST_H
#define SIM_COST_H

#include <stddef.h>
#include <stdint.h>

enum sim_cost_id {
	/* Steps of the core, installed into nm_sim_os.cost_ps. */
	SIM_C_SHARED_LOAD,	/* a load of a peer-written word, cache hit */
	SIM_C_SHARED_STORE,	/* a store to a peer-read word, cache hit */
	SIM_C_FENCE_STST,	/* store-store fence (x86: compiler only) */
	SIM_C_FENCE_LDLD,	/* load-load fence (x86: compiler only) */
	SIM_C_FENCE_STLD,	/* full fence (mfence / locked op) */
	SIM_C_ATOMIC,		/* locked read-modify-write */
	SIM_C_LOCK,		/* uncontended spin lock acquire or release */
	SIM_C_COPY_BYTE,	/* memcpy per byte, L1/L2 resident */
	SIM_C_NOTIFY,		/* issuing a notification (eventfd write) */
	/* Memory system. */
	SIM_C_CACHELINE,	/* cache-line transfer between cores (latency) */
	SIM_C_CACHELINE_STREAM,	/* a further transfer in the same step (overlapped) */
	/* Operating system. */
	SIM_C_SYSCALL,		/* user-kernel round trip (ioctl, poll entry) */
	SIM_C_WAKEUP,		/* wake a sleeping thread until it runs */
	/* Virtualisation. */
	SIM_C_VMEXIT,		/* VM exit + entry handled in the host kernel */
	SIM_C_VMEXIT_USER,	/* VM exit handled by the userspace VMM */
	SIM_C_IRQ_INJECT,	/* interrupt injection into a running vCPU */
	SIM_C_GUEST_IRQ,	/* guest interrupt handler entry/exit + EOI */
	SIM_C_DMA_MAP,		/* VMM translating one guest buffer address */
	SIM_C_HYPERCALL,	/* Xen hypercall (event channel send) */
	SIM_C_GRANT_COPY,	/* Xen grant copy, per buffer, excluding bytes */
	/* Per-packet work outside the core's counted steps. */
	SIM_C_SWITCH_PKT,	/* VALE lookup and queueing per packet */
	SIM_C_APP_PKT,		/* pkt-gen per packet (fill or check a slot) */
	SIM_C_DEV_DESC,		/* device model per descriptor (emulation) */
	/* The host stack a tap backend crosses (net/sim_tap.h). */
	SIM_C_SKB_ALLOC,	/* allocate an skb for a written frame */
	SIM_C_SKB_FREE,		/* free it once read */
	SIM_C_TAP_PKT,		/* tun driver per packet, each way */
	SIM_C_BRIDGE_PKT,	/* Linux bridge forwarding per packet */
	/* Offloads (appended: ids are jitter stream names' order). */
	SIM_C_CSUM_BYTE,	/* Internet checksum per byte, in software */
	SIM_C_SEG_FRAME,	/* VALE: one more frame cut from a GSO packet */
	SIM_C_COUNT
};

struct sim_cost_info {
	const char *name;  /* key in a scenario's costs: section */
	uint64_t def_ps;   /* default value in picoseconds */
	const char *what;
};

/*
 * Optional jitter of one primitive (costs.jitter.NAME in a scenario), so
 * that a run's seed matters where a user expects it to.  Each charge of a
 * jittered primitive draws its cost afresh from the stream
 * "costs.jitter.NAME" of the run's seed; a draw below zero counts as zero.
 *   normal:  mean the primitive's value, standard deviation sd
 *            (default a tenth of the value);
 *   exp:     exponential with mean the primitive's value (no parameter);
 *   uniform: uniform in value +- width / 2 (default width: a fifth of
 *            the value, so +-10%).
 * Off (SIM_JITTER_NONE) by default, so fingerprints without it hold.
 */
enum sim_jitter_dist {
	SIM_JITTER_NONE,
	SIM_JITTER_NORMAL,
	SIM_JITTER_EXP,
	SIM_JITTER_UNIFORM,
	SIM_JITTER_COUNT
};

struct sim_jitter {
	uint8_t dist;	   /* enum sim_jitter_dist */
	char param;	   /* which parameter the scenario gave: 's' sd,
			    * 'w' width, 0 none (checked against dist) */
	uint32_t line;	   /* scenario line of the entry, for errors */
	uint64_t param_ps; /* sd (normal) or width (uniform), in ps,
			    * when param is set */
};

struct sim_costs {
	uint64_t ps[SIM_C_COUNT];
	struct sim_jitter jitter[SIM_C_COUNT];
};

/* "none", "normal", "exp", "uniform", NULL-terminated. */
extern const char *const sim_jitter_names[SIM_JITTER_COUNT + 1];

extern const struct sim_cost_info sim_cost_info[SIM_C_COUNT];

/* Defaults of every primitive. */
void sim_costs_default(struct sim_costs *c);
/* Look a primitive up by its scenario name: its id, or -1. */
int sim_cost_find(const char *name);
/* Set primitive id from a value in the unit of its name (_ns or _ps). */
void sim_cost_set(struct sim_costs *c, int id, uint64_t value);
/* The value in the unit of its name. */
uint64_t sim_cost_get(const struct sim_costs *c, int id);
/* Set primitive id's jitter parameter from a value in its name's unit. */
void sim_cost_set_jitter_param(struct sim_costs *c, int id, uint64_t value);
/* The jitter parameter in the unit of the primitive's name. */
uint64_t sim_cost_get_jitter_param(const struct sim_costs *c, int id);
/* Install the core-step costs into the simulator backend; jittered
 * primitives draw from streams of run seed `seed`. */
void sim_costs_install(const struct sim_costs *c, uint64_t seed);

/* The model in force for charging (set by sim_costs_install). */
extern struct sim_costs sim_cost_now;
/* Bit id set: primitive id of the model in force is jittered. */
extern uint32_t sim_cost_jittered;

/* count charges of jittered primitive id, in picoseconds (one draw). */
uint64_t sim_cost_draw_ps(enum sim_cost_id id, uint64_t count);

/* Primitive id of the model in force, in whole nanoseconds (for delays). */
static inline uint64_t sim_cost_ns(enum sim_cost_id id)
{
	if (sim_cost_jittered & (1u << id))
		return sim_cost_draw_ps(id, 1) / 1000;
	return sim_cost_now.ps[id] / 1000;
}

/* Advance the running actor's clock by count times primitive id. */
void sim_cost_charge(enum sim_cost_id id, uint64_t count);

#endif /* SIM_COST_H */
