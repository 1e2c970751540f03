/*
 * sim_dev_emu.h - the emulated and paravirtual NIC family (e1000, virtio-net,
 * Xen netfront/netback): what differs between them, as a policy.
 *
 * Every member has the same shape: the guest application uses a netmap port
 * of the guest's own (a ring whose slots are the device's descriptors, as
 * netmap's native drivers map them), the guest driver publishes a producer
 * index and maybe notifies the device, a device thread on the host (the
 * VMM's I/O thread, vhost, netback) moves packets between guest buffers and
 * the host switch port (copying them), publishes a consumer index and maybe
 * interrupts the guest.  The policies say how each notification is decided
 * and what it costs.
 */
#ifndef SIM_DEV_EMU_H
#define SIM_DEV_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_ep.h"

enum sim_emu_notify {
	SIM_EMU_ALWAYS,	   /* every update notifies (e1000 registers) */
	SIM_EMU_FLAG,	   /* only if the peer's need flag is set (CSB, VRING_F_NO_*) */
	SIM_EMU_EVENT_IDX, /* only if the index crossed the peer's event index */
};

struct sim_emu_policy {
	enum sim_emu_notify kick;  /* guest -> device */
	enum sim_emu_notify irq;   /* device -> guest */
	enum sim_cost_id kick_cost;   /* VMEXIT_USER, VMEXIT or HYPERCALL */
	enum sim_cost_id irq_cost;    /* charged to the device when it interrupts, or SIM_C_COUNT */
	enum sim_cost_id pkt_cost;    /* per packet: DEV_DESC, DMA_MAP or GRANT_COPY */
	bool pkt_dma;		   /* plus DMA_MAP per packet */
	bool tx_inline;		   /* TX runs in the vCPU during the register exit */
	bool reg_read_exits;	   /* reading the completion index exits (TDH) */
	bool backend_syscall;	   /* the device thread reaches the switch by syscalls */
	bool send_combining;	   /* defer TX register writes while a TX irq is due */
	uint32_t itr_ns;	   /* interrupt moderation: at most one irq per itr_ns */
	/* The longest frame the device carries (0: a chain of any length up
	 * to NETMAP_MAX_FRAGS slots); a longer one is dropped whole and
	 * counted (drops_over_mtu). */
	uint32_t max_frame;
	/* The VMM backend (sim_dev_backend.c; all zero: a VALE port, one
	 * txsync per pass, frames copied by the device, today's model). */
	uint32_t backend;	   /* enum sim_backend */
	uint32_t txqueuelen;	   /* tap: its queue, packets */
	bool more_hint;		   /* guest marks "more coming"; txsync deferred */
	bool indirect;		   /* NS_INDIRECT slots, completion after the txsync */
};

/* e1000's largest frame with jumbo frames on: the Linux driver's
 * E1000_MAX_JUMBO_FRAME_SIZE (0x3F00), 16110 bytes of MTU. */
#define SIM_E1000_MAX_FRAME 16128U

/* Fill p's backend fields from ep's keys (backend, txqueuelen, more_hint,
 * indirect); 0, or -EINVAL with one line in err for a combination the
 * backend cannot honour (sim_dev_backend.c). */
int sim_emu_backend_policy(const struct sim_ep *ep, struct sim_emu_policy *p,
			   char *err, size_t errlen);

/* Build the emulated device of ep with policy p (called by the device files). */
int sim_emu_init(struct sim_ep *ep, const struct sim_emu_policy *p, char *err,
		 size_t errlen);

/* The struct sim_dev_ops members every family member shares. */
void sim_emu_fini(struct sim_ep *ep);
void sim_emu_sync(struct sim_ep *ep);
bool sim_emu_may_sleep(struct sim_ep *ep);
void sim_emu_woken(struct sim_ep *ep);
bool sim_emu_app_has_work(struct sim_ep *ep);
bool sim_emu_rings_ok(struct sim_ep *ep, const char **what);

/*
 * The guest kernel's own use of the RX ring, for a receive stack between
 * the ring and the application (sim_guest_stack.c): its poll runs in the
 * kernel (no system call), as actor who.
 *   sim_emu_set_irq_to()     the interrupt handler wakes a, not the app;
 *   sim_emu_guest_ring()     the guest ring the device fills;
 *   sim_emu_poll_sync()      release [.., head), return the new tail;
 *   sim_emu_poll_complete()  napi_complete(): enable interrupts, full
 *                            fence, sync again; true: nothing new, sleep
 *                            (interrupts on); false: *tail moved,
 *                            interrupts off again, poll on;
 *   sim_emu_irq_pending()    an interrupt has reached the vCPU and its
 *                            handler has not finished.
 */
void sim_emu_set_irq_to(struct sim_ep *ep, struct sim_actor *a);
struct netmap_ring *sim_emu_guest_ring(struct sim_ep *ep);
uint32_t sim_emu_poll_sync(struct sim_ep *ep, struct sim_actor *who,
			   uint32_t head);
bool sim_emu_poll_complete(struct sim_ep *ep, struct sim_actor *who,
			   uint32_t head, uint32_t *tail);
bool sim_emu_irq_pending(const struct sim_ep *ep);

/* A member whose application syncs its own way (sync_fn, which calls
 * sim_emu_sync()). */
#define SIM_EMU_OPS_SYNC(dev_name, init_fn, sync_fn)                         \
	{ .name = dev_name, .init = init_fn, .fini = sim_emu_fini,          \
	  .sync = sync_fn, .may_sleep = sim_emu_may_sleep,                   \
	  .woken = sim_emu_woken, .app_has_work = sim_emu_app_has_work,      \
	  .rings_ok = sim_emu_rings_ok }
#define SIM_EMU_OPS(dev_name, init_fn) SIM_EMU_OPS_SYNC(dev_name, init_fn, sim_emu_sync)

#endif /* SIM_DEV_EMU_H */
