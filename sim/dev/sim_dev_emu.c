/*
 * sim_dev_emu.c - the emulated / paravirtual NIC family, one engine for
 * e1000, virtio-net and Xen netfront/netback (policies in sim_dev_emu.h).
 *
 * Shared state in guest memory (struct sim_emu_shared), each word with one
 * writer:   guest writes prod, guest_need_irq, irq_event;
 *           device writes cons, dev_need_kick, kick_event.
 * TX: the guest fills slots [cons, prod), the device sends them and moves
 * cons.  RX: the guest offers free slots [cons, prod), the device fills
 * them and moves cons; the guest keeps one slot back so prod never
 * reaches cons from behind.
 *
 *   guest driver (app vCPU)                 device thread
 *   write descriptors; prod = x             (running: kicks off)
 *   stld fence; need = dev_need_kick  --->  idle: dev_need_kick = 1; stld;
 *   (or x crossed kick_event)                re-read prod
 *   poll: guest_need_irq = 1; stld;   <---  cons = y; stld; read
 *   re-read cons                             guest_need_irq (or irq_event)
 *
 * Both sides fence between publishing and reading the peer's flag, and
 * between enabling and re-checking: the Dekker pattern of docs/csb.md,
 * here for the device protocols the simulator models itself (the netmap
 * CSB itself is the core's, see sim_dev_ptnet.c).
 *
 * The VMM's backend (sim_dev_backend.c): a port of the VALE switch (a
 * txsync per pass, or, with more_hint, when the guest's burst ends; with
 * indirect, NS_INDIRECT slots and cons held back until the switch has
 * consumed them), or a tap on a host bridge (sim_dev_emu_tap.c).  The
 * state is in sim_dev_emu_impl.h.
 */
#include "sim_dev_emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm_port.h"
#include "nm_region.h"
#include "nm_ring_user.h"
#include "sim_dev_emu_impl.h"
#include "sim_run.h"
#include "sim_switch.h"
#include "sim_tap.h"

static bool sim_emu_need_event(uint32_t event, uint32_t nw, uint32_t old,
			       uint32_t n)
{
	/* vring_need_event() on ring indices: did [old, nw) pass event? */
	return nm_idx_dist(old, nw, n) > nm_idx_dist(old, event, n) ||
	       (event == old && nw != old);
}

/* ---- Notifications. */

static void sim_emu_kick_deliver(struct nm_os_notifier *n, void *arg)
{
	struct sim_emu *e = arg;

	(void)n;
	sim_actor_wake(&e->dev, nm_os_time_ns() + sim_cost_ns(SIM_C_WAKEUP));
}

static void sim_emu_irq_deliver(struct nm_os_notifier *n, void *arg)
{
	struct sim_emu *e = arg;

	(void)n;
	sim_actor_wake(&e->isr, nm_os_time_ns() + sim_cost_ns(SIM_C_IRQ_INJECT));
}

static void sim_emu_irq_now(struct sim_emu *e)
{
	struct sim_ep *ep = e->ep;

	e->last_irq_ns = nm_os_time_ns();
	e->irq_cons = sim_emu_cons_done(e);
	sim_ep_st(ep)->irqs++;
	if (e->pol.irq_cost != SIM_C_COUNT) {
		sim_cost_charge(e->pol.irq_cost, 1);
		if (e->pol.irq_cost == SIM_C_HYPERCALL)
			sim_ep_st(ep)->hypercalls++;
	}
	nm_os_notify(&e->irq_n);
}

static void sim_emu_itr_fire(struct sim_engine *eng, void *arg,
			     const struct sim_event *ev)
{
	struct sim_emu *e = arg;

	(void)eng;
	(void)ev;
	e->itr_armed = false;
	sim_emu_irq_now(e);
}

/* The device decided to interrupt: now, or when moderation allows. */
static void sim_emu_raise(struct sim_emu *e)
{
	uint64_t now = nm_os_time_ns(), t;

	if (e->pol.itr_ns == 0) {
		sim_emu_irq_now(e);
		return;
	}
	if (e->itr_armed) {
		e->irqs_coalesced++;
		return;
	}
	t = e->last_irq_ns + e->pol.itr_ns;
	if (e->last_irq_ns == 0 || t <= now) {
		sim_emu_irq_now(e);
		return;
	}
	e->itr_armed = true;
	e->itr_ev = sim_schedule(e->ep->run->eng, t, sim_emu_itr_fire, e,
				 SIM_EV_DEV, e->dev.id, e->ep->idx, sim_emu_cons_done(e));
}

/* Device side, after moving cons: interrupt the guest? */
static void sim_emu_dev_irq(struct sim_emu *e)
{
	uint32_t v, old;

	switch (e->pol.irq) {
	case SIM_EMU_ALWAYS:
		sim_emu_raise(e);
		return;
	case SIM_EMU_FLAG:
		/* cons before the guest's flag; pairs with the
		 * nm_os_fence_store_load() in sim_emu_irq_enable(). */
		nm_os_fence_store_load();
		if (nm_os_shared_load32(&e->sh.guest_need_irq))
			sim_emu_raise(e);
		return;
	case SIM_EMU_EVENT_IDX:
	default:
		/* cons before the guest's event index; pairs with the
		 * nm_os_fence_store_load() in sim_emu_irq_enable(). */
		nm_os_fence_store_load();
		v = nm_os_shared_load32(&e->sh.irq_event);
		/* Like vhost's signalled_used, the window starts where the
		 * last check ended, so it never spans a whole lap. */
		old = e->irq_cons;
		e->irq_cons = sim_emu_cons_done(e);
		if (sim_emu_need_event(v, e->irq_cons, old, e->n))
			sim_emu_raise(e);
		return;
	}
}

/* ---- The device moving packets. */

static void sim_emu_port_sync(struct sim_emu *e)
{
	struct sim_ep *ep = e->ep;
	struct sim_actor *self = ep->run->cur;
	uint64_t copied = self != NULL ? self->copy_bytes : 0;
	int rc;

	if (e->pol.backend_syscall) {
		sim_cost_charge(SIM_C_SYSCALL, 1);
		sim_ep_st(ep)->syscalls++;
	}
	nm_ring_user_publish(e->pring, e->phead, e->phead);
	sim_switch_fwd_begin(ep->sw, ep->pkr, ep->run->cur);
	rc = nm_kring_sync(ep->pkr, 0);
	sim_switch_fwd_end(ep->sw, ep->run->cur);
	if (rc != 0)
		sim_run_violation(ep->run, SIM_INV_RING_INDEX, &e->dev, ep->idx,
				  "nm_kring_sync(%s) failed: %d", ep->pkr->name, rc);
	e->ptail = nm_ring_user_tail(e->pring);
	/* The bytes the switch copied in this sync, counted at the seam on
	 * this actor alone (others' steps in between under the concurrent
	 * model are theirs). */
	if (self != NULL)
		sim_ep_st(ep)->copy_bytes_switch += self->copy_bytes - copied;
	if (e->unsynced != 0) {
		sim_ep_st(ep)->port_txsyncs++;
		sim_ep_st(ep)->port_tx_pkts += e->unsynced;
		e->unsynced = 0;
	}
	/* A TX sync consumed every slot it was handed (VALE copies or drops
	 * each): with indirect buffers, the guest's frames taken so far are
	 * the guest's again. */
	if (ep->role == SIM_ROLE_SENDER)
		e->cpub = e->dcons;
}

/* Copy one slot of a frame between the guest's and the port's rings,
 * NS_MOREFRAG with it (a chain stays a chain).  false: it is longer than
 * the source's or the destination's buffers (a hostile guest length, or
 * rings of different buffer sizes), so the caller drops the frame;
 * counted, never cut short or overrun.  first: the frame's first slot (the
 * per-packet costs). */
static bool sim_emu_copy(struct sim_emu *e, struct netmap_ring *dr,
			 uint32_t di, struct netmap_ring *sr, uint32_t si,
			 bool first)
{
	struct netmap_slot *ss = &sr->slot[si], *ds = &dr->slot[di];
	uint32_t len = nm_os_shared_load16(&ss->len);
	/* Beside len, read at the same instant (not a step of its own). */
	uint16_t more = *(volatile const uint16_t *)&ss->flags & NS_MOREFRAG;
	uint32_t sidx = nm_os_shared_load32(&ss->buf_idx);
	uint32_t didx = nm_os_shared_load32(&ds->buf_idx);

	if (first)
		sim_emu_charge_pkt(e);
	if (len > dr->nr_buf_size || len > sr->nr_buf_size)
		return false;
	nm_os_memcpy(nm_ring_user_buf(dr, didx), nm_ring_user_buf(sr, sidx), len);
	sim_ep_st(e->ep)->copy_bytes_dev += len;
	nm_os_shared_store16(&ds->len, (uint16_t)len);
	nm_os_shared_store16(&ds->flags, more);
	return true;
}

/* indirect: point port slot di at the payload of guest slot si instead of
 * copying it (NS_INDIRECT, the switch copies it in when it takes the
 * slot); false as for sim_emu_copy().  A buffer index outside the guest's
 * buffers (a hostile driver) becomes address 0, which no user range
 * holds: the switch's user copy faults and drops the frame, counted
 * (switch_indirect_fault), and never reads another guest's buffers. */
static bool sim_emu_point(struct sim_emu *e, uint32_t di, uint32_t si, bool first)
{
	struct netmap_ring *dr = e->pring, *sr = e->gring;
	struct netmap_slot *ss = &sr->slot[si], *ds = &dr->slot[di];
	uint32_t len = nm_os_shared_load16(&ss->len);
	uint16_t more = *(volatile const uint16_t *)&ss->flags & NS_MOREFRAG;
	uint32_t sidx = nm_os_shared_load32(&ss->buf_idx);
	uint64_t ua = sim_emu_guest_buf(sr, e->greg.pool.num_bufs, sidx);

	if (first)
		sim_emu_charge_pkt(e);
	if (len > dr->nr_buf_size || len > sr->nr_buf_size)
		return false;
	nm_os_shared_store64(&ds->ptr, ua);
	nm_os_shared_store16(&ds->len, (uint16_t)len);
	nm_os_shared_store16(&ds->flags, (uint16_t)(more | NS_INDIRECT));
	return true;
}


/* The frames taken are done: publish cons (the frames the switch has
 * consumed, with indirect buffers) and decide the interrupt, if it moved. */
static void sim_emu_tx_complete(struct sim_emu *e, uint32_t before)
{
	if (sim_emu_cons_done(e) == before)
		return;
	nm_os_shared_store32(&e->sh.cons, sim_emu_cons_done(e));
	sim_emu_dev_irq(e);
}

/* A frame of k slots taken from the guest ring at dcons (an ok one went
 * to the port ring at phead); more: the driver marked it more-coming. */
static void sim_emu_tx_took(struct sim_emu *e, uint32_t k, uint32_t bytes,
			    bool ok, bool more)
{
	if (ok) {
		sim_ep_st(e->ep)->frame_bytes += bytes;
		e->phead = nm_idx_add(e->phead, k, e->pn);
		e->unsynced++;
		e->last_more = more;
	} else {
		sim_emu_drop(e, false);
	}
	e->dcons = nm_idx_add(e->dcons, k, e->n);
}

static uint32_t sim_emu_dev_tx(struct sim_emu *e)
{
	uint32_t prod, moved = 0, before = sim_emu_cons_done(e);
	uint32_t k, f, bytes, room, last;
	bool ok;

	if (e->tap != NULL) {
		moved = sim_emu_tap_tx(e);
		if (moved != 0)
			sim_emu_tx_complete(e, before);
		return moved;
	}
	prod = nm_os_shared_load32(&e->sh.prod);
	if (prod >= e->n)
		return 0;
	/* prod before the descriptors it hands over (virtqueue_pop()'s
	 * smp_rmb()); pairs with the nm_os_fence_store_store() in
	 * sim_emu_guest_publish(). */
	nm_os_fence_load_load();
	while ((k = sim_emu_next_frame(e, prod, &bytes, &moved)) != 0) {
		if (sim_emu_too_long(e, bytes) || k > e->pn - 1) {
			sim_emu_drop(e, true);
			for (f = 0; f < k; f++)
				e->dcons = nm_idx_next(e->dcons, e->n);
			moved += k;
			continue;
		}
		room = nm_idx_dist(e->phead, e->ptail, e->pn);
		if (room < k) {
			sim_emu_port_sync(e);
			room = nm_idx_dist(e->phead, e->ptail, e->pn);
			if (room < k)
				break; /* the switch applies back-pressure */
		}
		ok = true;
		for (f = 0; f < k && ok; f++)
			ok = e->pol.indirect
				     ? sim_emu_point(e, nm_idx_add(e->phead, f, e->pn),
						     nm_idx_add(e->dcons, f, e->n), f == 0)
				     : sim_emu_copy(e, e->pring, nm_idx_add(e->phead, f, e->pn),
						    e->gring, nm_idx_add(e->dcons, f, e->n),
						    f == 0);
		/* The mark is in the frame's last descriptor, read with it
		 * (a plain byte: any value but 0 is "more"). */
		last = nm_idx_add(e->dcons, k - 1, e->n);
		sim_emu_tx_took(e, k, bytes, ok, e->gmore != NULL && e->gmore[last] != 0);
		moved += k;
	}
	if (moved != 0) {
		/* more_hint: the last frame said more are coming, so the
		 * txsync waits for them, for a full port ring (above) or for
		 * a burst's worth. */
		if (!(e->pol.more_hint && e->last_more && e->unsynced != 0 &&
		      e->unsynced < SIM_EMU_TX_BURST))
			sim_emu_port_sync(e);
		sim_emu_tx_complete(e, before);
	}
	return moved;
}

/* RX: the guest's filled slots up to dcons are its own; interrupt it? */
static void sim_emu_rx_publish(struct sim_emu *e)
{
	/* Descriptors and payloads before cons; pairs with the
	 * nm_os_fence_load_load() in sim_emu_guest_read_cons(). */
	nm_os_fence_store_store();
	nm_os_shared_store32(&e->sh.cons, e->dcons);
	sim_emu_dev_irq(e);
}

static uint32_t sim_emu_dev_rx(struct sim_emu *e)
{
	uint32_t prod, moved = 0, k, f, bytes;
	bool ok;

	if (e->tap != NULL) {
		moved = sim_emu_tap_rx(e);
		if (moved != 0)
			sim_emu_rx_publish(e);
		return moved;
	}
	sim_emu_port_sync(e);
	prod = nm_os_shared_load32(&e->sh.prod);
	if (prod >= e->n)
		return 0;
	/* prod before the buffers it hands over; pairs with the
	 * nm_os_fence_store_store() in sim_emu_guest_publish(). */
	nm_os_fence_load_load();
	while (e->phead != e->ptail && e->dcons != prod) {
		/* The switch publishes whole packets: a chain is complete. */
		k = sim_emu_chain(e->pring, e->phead, e->ptail, e->pn, &bytes);
		if (k == 0)
			k = 1; /* cannot happen with the core's VALE */
		if (sim_emu_too_long(e, bytes) || k > e->n - 1) {
			sim_emu_drop(e, true);
			e->phead = nm_idx_add(e->phead, k, e->pn);
			moved++;
			continue;
		}
		if (nm_idx_dist(e->dcons, prod, e->n) < k)
			break; /* the guest offers too few buffers yet */
		ok = true;
		for (f = 0; f < k && ok; f++)
			ok = sim_emu_copy(e, e->gring, nm_idx_add(e->dcons, f, e->n),
					  e->pring, nm_idx_add(e->phead, f, e->pn),
					  f == 0);
		if (ok) {
			e->dcons = nm_idx_add(e->dcons, k, e->n);
			sim_ep_st(e->ep)->frame_bytes += bytes;
		} else {
			sim_emu_drop(e, false);
		}
		e->phead = nm_idx_add(e->phead, k, e->pn);
		moved++;
	}
	if (moved != 0)
		sim_emu_rx_publish(e);
	return moved;
}

static void sim_emu_dev_body(struct sim_actor *a)
{
	struct sim_emu *e = a->priv;
	bool tx = e->ep->role == SIM_ROLE_SENDER;
	uint32_t moved, prod;

	if (e->kick_enabled && e->pol.kick == SIM_EMU_FLAG) {
		nm_os_shared_store32(&e->sh.dev_need_kick, 0);
		e->kick_enabled = false;
	}
	/* Running: a tap's writers need not wake it. */
	if (!tx && e->tap != NULL && sim_tap_polled(e->tap))
		sim_tap_wait(e->tap, false);
	moved = tx ? sim_emu_dev_tx(e) : sim_emu_dev_rx(e);
	if (moved != 0) {
		sim_actor_again(a);
		return;
	}
	/* Idle: ask for kicks, then look again (the guest may have
	 * published meanwhile and seen kicks off). */
	if (e->pol.kick == SIM_EMU_FLAG) {
		nm_os_shared_store32(&e->sh.dev_need_kick, 1);
		e->kick_enabled = true;
	} else if (e->pol.kick == SIM_EMU_EVENT_IDX) {
		nm_os_shared_store32(&e->sh.kick_event, e->dcons);
		e->kick_enabled = true;
	}
	/* The enable before the re-check; pairs with the
	 * nm_os_fence_store_load() in sim_emu_guest_publish(). */
	nm_os_fence_store_load();
	prod = nm_os_shared_load32(&e->sh.prod);
	if (!tx && e->tap != NULL) {
		/* A tap: poll its fd while the guest offers buffers (else
		 * only the guest's kick matters: QEMU stops reading a tap
		 * whose guest has no room); the poll re-checks its queue. */
		if (sim_tap_wait(e->tap, prod != e->dcons)) {
			sim_actor_again(a);
			return;
		}
	} else if (prod != e->dcons && (tx || e->phead != e->ptail)) {
		sim_actor_again(a);
		return;
	}
	if (a->woken)
		sim_actor_spurious(a);
	sim_actor_sleep(a);
}

static bool sim_emu_dev_has_work(struct sim_actor *a)
{
	struct sim_emu *e = a->priv;
	bool kicks = e->pol.kick == SIM_EMU_ALWAYS || e->kick_enabled;

	if (e->ep->role == SIM_ROLE_RECEIVER && e->tap != NULL)
		return sim_tap_queued(e->tap) != 0 &&
		       (sim_tap_polled(e->tap) || (kicks && e->sh.prod != e->dcons));
	if (e->ep->role == SIM_ROLE_SENDER)
		return (kicks && e->sh.prod != e->dcons &&
			!(e->pol.kick == SIM_EMU_ALWAYS && e->tdt_pending)) ||
		       (e->phead == e->ptail && e->sh.prod != e->dcons &&
			sim_switch_pending(e->ep->sw, e->ep->swport));
	return sim_switch_pending(e->ep->sw, e->ep->swport) ||
	       (kicks && e->phead != e->ptail && e->sh.prod != e->dcons);
}

/* ---- The guest driver (runs on the application's vCPU). */

static void sim_emu_guest_kick(struct sim_emu *e)
{
	struct sim_ep *ep = e->ep;

	sim_cost_charge(e->pol.kick_cost, 1);
	sim_ep_st(ep)->kicks++;
	if (e->pol.kick_cost == SIM_C_HYPERCALL)
		sim_ep_st(ep)->hypercalls++;
	else
		sim_ep_st(ep)->vmexits++;
}

static void sim_emu_guest_publish(struct sim_emu *e, uint32_t prod)
{
	uint32_t old = e->g_prod, v;
	bool kick;

	if (e->pol.kick == SIM_EMU_ALWAYS && e->pol.send_combining &&
	    e->ep->role == SIM_ROLE_SENDER && e->tx_inflight) {
		e->tdt_pending = true; /* flushed by the TX interrupt */
		e->tdt_shadow = prod;
		return;
	}
	e->g_prod = prod;
	/* Descriptors before the index that hands them over; pairs with the
	 * nm_os_fence_load_load() in sim_emu_dev_tx() and sim_emu_dev_rx()
	 * (sim_emu_tap_tx() and sim_emu_tap_rx() with a tap). */
	nm_os_fence_store_store();
	nm_os_shared_store32(&e->sh.prod, prod);
	switch (e->pol.kick) {
	case SIM_EMU_ALWAYS:
		kick = true;
		break;
	case SIM_EMU_FLAG:
		/* prod before the device's flag; pairs with the
		 * nm_os_fence_store_load() in sim_emu_dev_body(). */
		nm_os_fence_store_load();
		kick = nm_os_shared_load32(&e->sh.dev_need_kick) != 0;
		break;
	case SIM_EMU_EVENT_IDX:
	default:
		/* prod before the device's event index; pairs with the
		 * nm_os_fence_store_load() in sim_emu_dev_body(). */
		nm_os_fence_store_load();
		v = nm_os_shared_load32(&e->sh.kick_event);
		kick = sim_emu_need_event(v, prod, old, e->n);
		break;
	}
	if (!kick)
		return;
	sim_emu_guest_kick(e);
	if (e->pol.tx_inline && e->ep->role == SIM_ROLE_SENDER) {
		/* e1000: the VMM sends during the register exit, on this vCPU. */
		e->tx_inflight = true;
		sim_emu_dev_tx(e);
	} else {
		nm_os_notify(&e->kick_n);
	}
}

static uint32_t sim_emu_guest_read_cons(struct sim_emu *e, bool need)
{
	if (e->pol.reg_read_exits) {
		if (!need)
			return e->g_cons;
		sim_cost_charge(SIM_C_VMEXIT_USER, 1);
		sim_ep_st(e->ep)->vmexits++;
	}
	e->g_cons = nm_os_shared_load32(&e->sh.cons);
	/* cons before the slots it covers; pairs with the
	 * nm_os_fence_store_store() in sim_emu_rx_publish(). */
	nm_os_fence_load_load();
	if (e->g_cons >= e->n)
		e->g_cons = 0;
	return e->g_cons;
}

/* more_hint: slots [from, to) go out in one burst: "more coming" on each
 * but the last, which says what the application said (ep->more_coming).
 * A bit of the command word the driver writes anyway: no extra store. */
static void sim_emu_guest_mark(struct sim_emu *e, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i != to; i = nm_idx_next(i, e->n))
		e->gmore[i] = nm_idx_next(i, e->n) != to || e->ep->more_coming;
}

static int sim_emu_guest_txsync(struct nm_kring *kr, uint32_t flags)
{
	struct sim_emu *e = kr->sync_priv;
	uint32_t cons, nd;

	if (kr->rhead != kr->hwcur) {
		nd = nm_idx_dist(kr->hwcur, kr->rhead, kr->num_slots);
		/* Each descriptor: address, length and command words. */
		sim_cost_charge(SIM_C_SHARED_STORE, 2ULL * nd);
		if (e->gmore != NULL)
			sim_emu_guest_mark(e, kr->hwcur, kr->rhead);
		kr->hwcur = kr->rhead;
		sim_emu_guest_publish(e, kr->rhead);
	}
	cons = sim_emu_guest_read_cons(e, (flags & NAF_FORCE_RECLAIM) ||
						  kr->rhead == kr->hwtail);
	kr->hwtail = nm_idx_prev(cons, kr->num_slots);
	return 0;
}

static int sim_emu_guest_rxsync(struct nm_kring *kr, uint32_t flags)
{
	struct sim_emu *e = kr->sync_priv;

	(void)flags;
	kr->hwtail = sim_emu_guest_read_cons(e, true);
	if (kr->rhead != kr->hwcur) {
		sim_cost_charge(SIM_C_SHARED_STORE,
				2ULL * nm_idx_dist(kr->hwcur, kr->rhead, kr->num_slots));
		kr->hwcur = kr->rhead;
		sim_emu_guest_publish(e, nm_idx_prev(kr->rhead, kr->num_slots));
	}
	return 0;
}

static void sim_emu_isr_body(struct sim_actor *a)
{
	struct sim_emu *e = a->priv;
	struct sim_ep *ep = e->ep;

	sim_cost_charge(SIM_C_GUEST_IRQ, 1);
	if (e->pol.irq == SIM_EMU_FLAG)
		nm_os_shared_store32(&e->sh.guest_need_irq, 0); /* NAPI: irqs off */
	if (ep->role == SIM_ROLE_SENDER && e->pol.send_combining) {
		e->tx_inflight = false;
		if (e->tdt_pending) {
			e->tdt_pending = false;
			sim_emu_guest_publish(e, e->tdt_shadow);
		}
	}
	sim_actor_wake(e->irq_to, nm_os_time_ns());
	sim_actor_sleep(a);
}

/* ---- The application's side (struct sim_dev_ops). */

/* The guest ring's sync as its user, who (the application, or the guest
 * kernel's own poll), sees it: release [.., head), and the new tail. */
static uint32_t sim_emu_gring_sync(struct sim_emu *e, struct sim_actor *who,
				   uint32_t head, uint32_t flags)
{
	struct sim_ep *ep = e->ep;
	int rc;

	nm_ring_user_publish(e->gring, head, head);
	rc = nm_kring_sync(&e->gkr, flags);
	if (rc != 0)
		sim_run_violation(ep->run, SIM_INV_RING_INDEX, who, ep->idx,
				  "guest nm_kring_sync failed: %d (head %u)", rc, head);
	return nm_ring_user_tail(e->gring);
}

static void sim_emu_app_sync_flags(struct sim_ep *ep, uint32_t flags)
{
	struct sim_emu *e = ep->dev;

	sim_cost_charge(SIM_C_SYSCALL, 1);
	sim_ep_st(ep)->syscalls++;
	sim_ep_st(ep)->syncs++;
	ep->tail = sim_emu_gring_sync(e, sim_ep_app(ep), ep->head, flags);
}

void sim_emu_sync(struct sim_ep *ep)
{
	sim_emu_app_sync_flags(ep, 0);
}

/* Enable the device's interrupts (the first half of the re-check). */
static void sim_emu_irq_enable(struct sim_emu *e)
{
	if (e->pol.irq == SIM_EMU_FLAG)
		nm_os_shared_store32(&e->sh.guest_need_irq, 1);
	else if (e->pol.irq == SIM_EMU_EVENT_IDX)
		nm_os_shared_store32(&e->sh.irq_event, e->g_cons);
	/* The enable before the re-check; pairs with the
	 * nm_os_fence_store_load() in sim_emu_dev_irq(). */
	nm_os_fence_store_load();
}

/* The re-check found work: interrupts off again (flags; an event index
 * left behind stays as it is, as virtio drivers leave it). */
static void sim_emu_irq_disable(struct sim_emu *e)
{
	if (e->pol.irq == SIM_EMU_FLAG)
		nm_os_shared_store32(&e->sh.guest_need_irq, 0);
}

bool sim_emu_may_sleep(struct sim_ep *ep)
{
	struct sim_emu *e = ep->dev;
	uint32_t before = ep->tail;

	/* poll(): enable interrupts, full fence, sync again (re-check). */
	sim_emu_irq_enable(e);
	sim_emu_app_sync_flags(ep, NAF_FORCE_RECLAIM);
	if (ep->tail == before)
		return true;
	sim_emu_irq_disable(e);
	return false;
}

/* ---- The guest kernel's own use of the RX ring (sim_guest_stack.c). */

void sim_emu_set_irq_to(struct sim_ep *ep, struct sim_actor *a)
{
	struct sim_emu *e = ep->dev;

	e->irq_to = a;
}

struct netmap_ring *sim_emu_guest_ring(struct sim_ep *ep)
{
	struct sim_emu *e = ep->dev;

	return e->gring;
}

uint32_t sim_emu_poll_sync(struct sim_ep *ep, struct sim_actor *who,
			   uint32_t head)
{
	return sim_emu_gring_sync(ep->dev, who, head, 0);
}

bool sim_emu_poll_complete(struct sim_ep *ep, struct sim_actor *who,
			   uint32_t head, uint32_t *tail)
{
	struct sim_emu *e = ep->dev;
	uint32_t before = *tail;

	/* napi_complete(): as sim_emu_may_sleep(), in the kernel. */
	sim_emu_irq_enable(e);
	*tail = sim_emu_gring_sync(e, who, head, NAF_FORCE_RECLAIM);
	if (*tail == before)
		return true;
	sim_emu_irq_disable(e);
	return false;
}

bool sim_emu_irq_pending(const struct sim_ep *ep)
{
	const struct sim_emu *e = ep->dev;

	/* Raised and delivered: its injection delay (the handler's wake-up
	 * time) is over, so the vCPU is in it or about to be. */
	return !e->isr.sleeping && e->isr.ev_time <= nm_os_time_ns();
}

void sim_emu_woken(struct sim_ep *ep)
{
	(void)ep; /* the interrupt handler actor already paid */
}

bool sim_emu_app_has_work(struct sim_ep *ep)
{
	struct sim_emu *e = ep->dev;
	bool irq_on = e->pol.irq != SIM_EMU_FLAG || e->sh.guest_need_irq != 0;

	return irq_on && e->sh.cons != e->g_cons && e->isr.sleeping &&
	       !e->itr_armed;
}

bool sim_emu_rings_ok(struct sim_ep *ep, const char **what)
{
	struct sim_emu *e = ep->dev;

	if (!nm_kring_valid(&e->gkr)) {
		*what = "guest kring";
		return false;
	}
	if (!nm_kring_valid(ep->pkr)) {
		*what = "port kring";
		return false;
	}
	return true;
}

void sim_emu_fini(struct sim_ep *ep)
{
	struct sim_emu *e = ep->dev;

	if (e == NULL)
		return;
	nm_port_set_notifier(ep->port, ep->dir, 0, NULL);
	if (e->user_reg)
		nm_sim_user_remove(e->greg.pool.base);
	free(e->gmore);
	nm_region_destroy(&e->greg);
	free(e);
	ep->dev = NULL;
}

/* The backend's state (sim_dev_backend.c): the tap on the switch's
 * bridge, the more-coming marks, the guest's buffers as user memory for
 * NS_INDIRECT.  0 or -errno with err; sim_emu_fini() undoes it. */
static int sim_emu_backend_init(struct sim_ep *ep, struct sim_emu *e, char *err,
				size_t errlen)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 0 };
	const struct nm_buf_pool *pool = &e->greg.pool;
	int rc;

	if (ep->role == SIM_ROLE_RECEIVER)
		e->pol.more_hint = e->pol.indirect = false; /* TX features */
	if (e->pol.backend == SIM_BACKEND_TAP) {
		mac[5] = (uint8_t)(SIM_RX_MAC_BASE + ep->sw->port[ep->swport].rank);
		rc = sim_tap_open(&ep->sw->tap, ep->idx, ep->role == SIM_ROLE_RECEIVER,
				  e->pol.txqueuelen, mac, &ep->port_notifier, &e->tap);
		if (rc != 0) {
			snprintf(err, errlen, "endpoint %s: out of memory for its tap",
				 ep->cfg->name);
			return rc;
		}
	}
	if (e->pol.more_hint) {
		e->gmore = calloc(e->n, 1);
		if (e->gmore == NULL) {
			snprintf(err, errlen, "endpoint %s: out of memory for the device",
				 ep->cfg->name);
			return -ENOMEM;
		}
	}
	if (e->pol.indirect) {
		rc = nm_sim_user_add(pool->base, (size_t)pool->num_bufs * pool->buf_size);
		if (rc != 0) {
			snprintf(err, errlen,
				 "endpoint %s: indirect: no user-memory range left (at most %u endpoints with indirect)",
				 ep->cfg->name, NM_SIM_USER_RANGES);
			return rc;
		}
		e->user_reg = true;
	}
	return 0;
}

int sim_emu_init(struct sim_ep *ep, const struct sim_emu_policy *p, char *err,
		 size_t errlen)
{
	struct nm_region_geom g = { 0 };
	struct sim_emu *e;
	char name[48];
	int rc;

	e = aligned_alloc(64, sizeof(*e));
	if (e == NULL) {
		snprintf(err, errlen, "endpoint %s: out of memory for the device",
			 ep->cfg->name);
		return -ENOMEM;
	}
	memset(e, 0, sizeof(*e));
	ep->dev = e;
	e->ep = ep;
	e->pol = *p;
	e->n = ep->cfg->slots;
	g.num_ifs = 1;
	g.ifs[0].tx_rings = g.ifs[0].rx_rings = 1;
	g.ifs[0].tx_slots = g.ifs[0].rx_slots = e->n;
	g.buf_size = ep->buf_size;
	rc = nm_region_create(&e->greg, &g, ep->cfg->name);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: out of memory for the device",
			 ep->cfg->name);
		rc = -ENOMEM;
		goto err_free;
	}
	e->gring = nm_region_ring(&e->greg, 0, ep->dir, 0);
	snprintf(name, sizeof(name), "%s.guest", ep->cfg->name);
	rc = nm_kring_init(&e->gkr, ep->dir == NR_TX ? NM_KRING_TX : NM_KRING_RX,
			   e->n, e->gring,
			   ep->dir == NR_TX ? sim_emu_guest_txsync : sim_emu_guest_rxsync,
			   e, name);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: guest ring setup failed: %d",
			 ep->cfg->name, rc);
		goto err_kring;
	}
	ep->ring = e->gring;
	ep->n = e->n;
	ep->head = e->gring->head;
	ep->tail = e->gring->tail;
	e->pring = ep->pkr->ring;
	e->pn = ep->pkr->num_slots;
	e->phead = e->pring->head;
	e->ptail = e->pring->tail;
	if (ep->role == SIM_ROLE_RECEIVER) {
		/* Every slot but one is offered to the device. */
		e->g_prod = nm_idx_prev(0, e->n);
		e->sh.prod = e->g_prod;
	}
	e->kick_n.deliver = sim_emu_kick_deliver;
	e->kick_n.arg = e;
	e->irq_n.deliver = sim_emu_irq_deliver;
	e->irq_n.arg = e;
	rc = sim_emu_backend_init(ep, e, err, errlen);
	if (rc != 0)
		goto err_backend;
	/* Before the actors: once one is initialised the run lists it, and
	 * e can no longer be freed on failure. */
	sim_ep_port_notifier_init(ep, &e->dev, sim_cost_ns(SIM_C_WAKEUP));
	rc = nm_port_set_notifier(ep->port, ep->dir, 0, &ep->port_notifier);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: port notifier setup failed: %d",
			 ep->cfg->name, rc);
		goto err_backend;
	}
	snprintf(name, sizeof(name), "%s.dev", ep->cfg->name);
	sim_actor_init(&e->dev, ep->run, name, ep->idx, sim_emu_dev_body,
		       sim_emu_dev_has_work, e);
	ep->backend = &e->dev;
	snprintf(name, sizeof(name), "%s.irq", ep->cfg->name);
	sim_actor_init(&e->isr, ep->run, name, ep->idx, sim_emu_isr_body, NULL, e);
	sim_actor_set_irq(&e->isr, sim_ep_app(ep));
	e->isr.sleeping = true;
	e->irq_to = sim_ep_app(ep);
	sim_actor_start(&e->dev, 0);
	return 0;

	/* A failed init frees what it took: the world drops the endpoint's
	 * ops and never calls sim_emu_fini() for it. */
err_backend:
	if (e->user_reg)
		nm_sim_user_remove(e->greg.pool.base);
	free(e->gmore);
err_kring:
	nm_region_destroy(&e->greg);
err_free:
	free(e);
	ep->dev = NULL;
	return rc;
}
