/*
 * sim_dev_emu_impl.h - what the emulated NIC family's files share
 * (sim_dev_emu.c, the engine; sim_dev_emu_tap.c, its tap backend): the
 * device's state and the small helpers both use.  Not for other files:
 * sim_dev_emu.h is the family's interface.
 *
 * Shared state in guest memory (struct sim_emu_shared), each word with one
 * writer: guest writes prod, guest_need_irq, irq_event; device writes
 * cons, dev_need_kick, kick_event (protocol: sim_dev_emu.c's header).
 */
#ifndef SIM_DEV_EMU_IMPL_H
#define SIM_DEV_EMU_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "nm_region.h"
#include "nm_ring_user.h"
#include "sim_dev_emu.h"

struct sim_tap;

struct sim_emu_shared {
	uint32_t prod;		 /* GW DR */
	uint32_t guest_need_irq; /* GW DR */
	uint32_t irq_event;	 /* GW DR */
	uint32_t pad0[13];
	uint32_t cons;		 /* DW GR */
	uint32_t dev_need_kick;	 /* DW GR */
	uint32_t kick_event;	 /* DW GR */
	uint32_t pad1[13];
};

struct sim_emu {
	struct sim_emu_shared sh __attribute__((aligned(64)));
	struct sim_ep *ep;
	struct sim_emu_policy pol;
	struct nm_region greg;	 /* the guest's netmap port */
	struct nm_kring gkr;	 /* its kring: the guest driver */
	struct netmap_ring *gring, *pring;
	struct sim_actor dev;	 /* device thread */
	struct sim_actor isr;	 /* guest interrupt handler (app's vCPU) */
	struct sim_actor *irq_to; /* whom the handler wakes: the app, or the
				   * guest stack's poll (sim_emu_set_irq_to()) */
	struct nm_os_notifier kick_n, irq_n;
	uint32_t n, pn;		 /* guest and port ring sizes */
	/* Device side. */
	uint32_t dcons;		 /* == sh.cons */
	uint32_t phead, ptail;	 /* device's view of the port ring */
	uint32_t irq_cons;	 /* cons at the last interrupt decision */
	bool kick_enabled;	 /* dev_need_kick as last stored */
	bool itr_armed;
	struct sim_ev_ref itr_ev;
	uint64_t last_irq_ns;
	/* Guest side. */
	uint32_t g_cons;	 /* cons as the driver last read it */
	uint32_t g_prod;	 /* prod as last published */
	bool tx_inflight, tdt_pending; /* send combining */
	uint32_t tdt_shadow;
	uint64_t irqs_coalesced;
	/* The backend (sim_dev_backend.c).  tap: this endpoint's tap, whose
	 * queue replaces the port ring.  more_hint: per guest slot, the
	 * driver's "more coming" bit (part of the descriptor's command word:
	 * GW DR); unsynced frames wait in [psynced, phead) of the port ring
	 * while the last one taken had it.  indirect: the guest's buffers are
	 * user memory the switch copies from, and cons moves only to cpub,
	 * the frames the switch has consumed. */
	struct sim_tap *tap;
	uint8_t *gmore;
	uint32_t unsynced;
	bool last_more;
	bool user_reg;
	uint32_t cpub;
};

/* The cons the device may publish: what it has taken, or with indirect
 * buffers what the switch has consumed (their payload is still the
 * guest's until then). */
/* more_hint: the most frames a txsync waits for, QEMU virtio-net's
 * default tx burst (TX_BURST, hw/net/virtio-net.c, "x-txburst"): its TX
 * flush hands the backend at most that many before it yields. */
#define SIM_EMU_TX_BURST 256U

static inline uint32_t sim_emu_cons_done(const struct sim_emu *e)
{
	return e->pol.indirect ? e->cpub : e->dcons;
}

/*
 * The frame at slot i of ring r, whose published slots end at end: its
 * slots (>= 1) and bytes; 0 slots if its chain runs past end (not all
 * published) or past NETMAP_MAX_FRAGS.  Flags and lengths are read plain:
 * sim_emu_copy() reads each again, counted, when it copies.
 */
static inline uint32_t sim_emu_chain(const struct netmap_ring *r, uint32_t i,
			      uint32_t end, uint32_t n, uint32_t *bytes)
{
	const volatile struct netmap_slot *s = r->slot;
	uint32_t k = 0;

	*bytes = 0;
	for (;;) {
		if (i == end || k == NETMAP_MAX_FRAGS)
			return 0;
		*bytes += s[i].len;
		k++;
		if (!(s[i].flags & NS_MOREFRAG))
			return k;
		i = nm_idx_next(i, n);
	}
}

/* Count a frame the device cannot carry (longer than its largest frame, a
 * chain that does not fit the destination ring, or a bad slot length). */
static inline void sim_emu_drop(struct sim_emu *e, bool too_long)
{
	sim_ep_st(e->ep)->dev_drops++;
	if (too_long)
		sim_ep_st(e->ep)->drops_over_mtu++;
	else
		sim_ep_st(e->ep)->drops_too_big++;
}

/* Count a frame dropped for a guest buffer index outside the guest's
 * buffers (a hostile driver; ours never writes one): reported as the
 * device's "other reasons". */
static inline void sim_emu_drop_bad_buf(struct sim_emu *e)
{
	sim_ep_st(e->ep)->dev_drops++;
}

static inline bool sim_emu_too_long(const struct sim_emu *e, uint32_t bytes)
{
	return e->pol.max_frame != 0 && bytes > e->pol.max_frame;
}

/*
 * The address of buffer idx of guest ring r, whose region has nbufs
 * buffers, or 0 when idx (guest-written) is outside them: a hostile index
 * must never name another guest's buffers, which are user memory of the
 * same simulated host (indirect) or simply the simulator's memory (tap).
 * Computed as an integer, no pointer past the buffers is formed.
 */
static inline uintptr_t sim_emu_guest_buf(const struct netmap_ring *r,
					  uint32_t nbufs, uint32_t idx)
{
	if (idx >= nbufs)
		return 0;
	return (uintptr_t)r + (uintptr_t)r->buf_ofs + (uintptr_t)idx * r->nr_buf_size;
}

/* Backend tap (sim_dev_emu_tap.c): move frames between the guest ring and
 * the endpoint's tap; the frames moved (slots for TX), cons left to the
 * caller to publish. */
uint32_t sim_emu_tap_tx(struct sim_emu *e);
uint32_t sim_emu_tap_rx(struct sim_emu *e);

/* The device's work for a frame it takes from the guest (descriptor
 * processing, and the DMA mapping where the model has one). */
static inline void sim_emu_charge_pkt(const struct sim_emu *e)
{
	sim_cost_charge(e->pol.pkt_cost, 1);
	if (e->pol.pkt_dma)
		sim_cost_charge(SIM_C_DMA_MAP, 1);
}

/*
 * The next frame the guest published (prod: its producer index, already
 * judged < n): its slots and bytes, or 0 when none is whole yet (wait for
 * the rest of the chain).  A chain longer than any packet (a hostile
 * guest; the driver never publishes one) has its slots dropped here one
 * at a time, each counted in *moved.
 */
static inline uint32_t sim_emu_next_frame(struct sim_emu *e, uint32_t prod,
					  uint32_t *bytes, uint32_t *moved)
{
	uint32_t k;

	while (e->dcons != prod) {
		k = sim_emu_chain(e->gring, e->dcons, prod, e->n, bytes);
		if (k != 0)
			return k;
		if (nm_idx_dist(e->dcons, prod, e->n) < NETMAP_MAX_FRAGS)
			return 0;
		sim_emu_drop(e, false);
		e->dcons = nm_idx_next(e->dcons, e->n);
		(*moved)++;
	}
	return 0;
}

#endif /* SIM_DEV_EMU_IMPL_H */
