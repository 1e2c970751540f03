/*
 * sim_wmem.h - weak shared memory for the simulator (sim.memory: tso|arm).
 *
 * Owns: the words that devices declare shared through the seam's fences
 * alone (a ptnet CSB: sim_wmem_share()), a store buffer per actor for
 * them, the older values of each word that a load may still return (arm),
 * and the drain event that makes buffered stores visible on time.  It is
 * installed as nm_sim_os.mem (the hook the explorer uses, sim/backend/
 * nm_os_sim.h); with sim.memory: sc (the default) nothing is installed and
 * runs are as before, fingerprints included.
 *
 * The model (docs/simulator.md, "Weak memory"), per actor:
 *  - a store to a shared word goes into the actor's buffer and becomes
 *    visible to the others at a due time drawn from the seed's "memory"
 *    stream in [now, now + sim.store_visibility_ns]; the actor's own loads
 *    see it at once (forwarding).  tso: a buffer drains in order (a due
 *    time is never before the previous entry's); arm: entries drain in any
 *    order, except not before an older entry of the same word (coherence)
 *    nor before any entry older than a store-store fence between them;
 *  - nm_os_fence_store_load(), an atomic and a notification drain the
 *    actor's whole buffer now; a release (store release, lock release:
 *    direct stores outside the shared words) does not wait for it, and
 *    under arm orders the shared stores after it behind those before it;
 *  - arm only: a load that no fence orders may be satisfied early: it
 *    returns the value the word had at a time drawn in [floor, now], where
 *    floor is the latest of: the actor's last load-load or full fence,
 *    acquire or lock acquisition, the start of a step that a notification
 *    caused, the start of the newest value this actor already read or
 *    wrote there (coherence), and now - sim.store_visibility_ns; and the
 *    newest value when it became visible after now (written by an actor
 *    whose clock ran ahead, which relied on it).
 * Words outside the shared ranges (rings, the switch, pipes) stay
 * sequentially consistent: their code orders them with locks and atomics,
 * and some of it reads them with plain accesses this model cannot see.
 *
 * Deterministic: draws come from one named stream; drains run at due
 * times, as engine events (kind SIM_EV_MEM), in (time, seq) order.
 * Locking: none (single-threaded).
 */
#ifndef SIM_WMEM_H
#define SIM_WMEM_H

#include <stddef.h>
#include <stdint.h>

struct sim_run;
struct sim_wmem;

enum sim_memory {
	SIM_MEM_SC,  /* sequential consistency: no model installed */
	SIM_MEM_TSO, /* x86-TSO: FIFO store buffers */
	SIM_MEM_ARM, /* ARMv8-like: stores and loads reordered unless fenced */
};

/* The drain event's kind (sim_actor.h's enum sim_ev_kind goes to 6). */
#define SIM_EV_MEM 7

struct sim_wmem_stats {
	uint64_t buffered;   /* stores that went into a buffer */
	uint64_t forwarded;  /* loads served from the actor's own buffer */
	uint64_t drained_due; /* entries that became visible at their due time */
	uint64_t drained_fence; /* ... earlier, at a fence, atomic or release */
	uint64_t stale;	     /* arm: loads that returned an older value */
	uint64_t reordered;  /* arm: entries drained before an older one */
};

/* Make the weak memory of run r (model tso or arm; vis_ns: how long a
 * buffered store may stay invisible) and install it as nm_sim_os.mem.
 * NULL: out of memory. */
struct sim_wmem *sim_wmem_create(struct sim_run *r, enum sim_memory model,
				 uint64_t vis_ns, uint64_t seed);
/* Uninstall and free (NULL: nothing). */
void sim_wmem_destroy(struct sim_wmem *m);
/* Declare [p, p + len) shared words (4-byte aligned, whole words): 0,
 * -EINVAL or -ENOMEM. */
int sim_wmem_share(struct sim_wmem *m, volatile void *p, size_t len);
const struct sim_wmem_stats *sim_wmem_stats(const struct sim_wmem *m);
enum sim_memory sim_wmem_model(const struct sim_wmem *m);
uint64_t sim_wmem_vis_ns(const struct sim_wmem *m);
extern const char *const sim_memory_names[]; /* "sc", "tso", "arm", NULL */

#endif /* SIM_WMEM_H */
