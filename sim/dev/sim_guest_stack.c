/*
 * sim_guest_stack.c - the guest's stock receive stack (rx_stack: napi), the
 * path on which a Linux guest's receiver chokes near 1 Mpps (issue 18,
 * item 3; KVM Forum 2013: "inside the kernel at the socket queue; NAPI is
 * still too aggressive").
 *
 *   device -> RX ring --poll: softirq_ns a packet--> socket queue
 *          --recv(): syscall + consumer_ns + copy, one datagram--> app
 *
 * Owns: the NAPI poll (an actor on the application's vCPU that the
 * interrupt handler schedules: up to napi_budget packets a step, again
 * while the ring has more, interrupts masked until it completes), the
 * socket queue (a ring of its own, at most sockq_packets queued; a packet
 * the poll finds no room for is dropped, drops_sockq_full) and recv()
 * (the application's sync: one datagram a call).
 *
 * Priority, as in a kernel before ksoftirqd took over a flood: the
 * softirq runs before user code on its CPU.  recv() hands nothing out while
 * an interrupt is raised or the poll is scheduled; the consumer then sleeps
 * and the poll wakes it when it stops.  Under the concurrent model the poll
 * also preempts the consumer at a step boundary, as the handler does.  So
 * past the rate at which the poll alone fills the vCPU, the consumer
 * starves while the poll fills a full queue: delivery falls.
 *
 * napi_yield (queue-state feedback, Mogul and Ramakrishnan, USENIX 1996):
 * the poll looks at the queue before doing a packet's work; full, it stops
 * with interrupts still masked, leaving the packets on the ring (the host
 * drops what then does not fit, at no cost to the guest), and recv()
 * schedules it again once the queue is down to half.
 *
 * Invariants: sq_count <= sockq_packets; [sq_rel, sq_next) is what recv()
 * handed out and the app has not released, [sq_next, sq_tail) the queued
 * packets, whole chains.  Locking: none (one vCPU, one thread).
 */
#include "sim_guest_stack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm_region.h"
#include "nm_ring_user.h"
#include "sim_dev_emu.h"
#include "sim_run.h"
#include "sim_trace.h"

struct sim_guest_stack {
	struct sim_ep *ep;
	const struct sim_dev_ops *dev; /* the device's own operations */
	struct sim_actor napi;
	/* The poll's view of the device's RX ring. */
	struct netmap_ring *gring;
	uint32_t gn, ghead, gtail;
	/* The socket queue. */
	struct nm_region sreg;
	struct netmap_ring *sring;
	uint32_t sn;
	uint32_t sq_rel;   /* the app's head at its last recv() */
	uint32_t sq_next;  /* the next packet recv() hands out */
	uint32_t sq_tail;  /* where the poll queues the next one */
	uint32_t sq_count; /* packets queued, not handed out */
	uint32_t cap, low; /* sockq_packets; the poll resumes at <= low */
	bool parked;	   /* napi_yield: the poll stopped on a full queue */
	bool c_blocked;	   /* the consumer sleeps in recv() on no data */
};

static const char *const sim_stack_names[] = { "netmap", "napi", NULL };

const struct sim_dev_key sim_stack_key_rx_stack = {
	.name = "rx_stack", .type = SIM_DEV_KEY_ENUM, .def = SIM_RX_STACK_NETMAP,
	.unit = "", .names = sim_stack_names,
	.off = offsetof(struct sim_sc_endpoint, rx_stack),
	.help = "receiver: netmap (the app on the ring) or napi (poll, socket queue, recv() on the vCPU)",
};
const struct sim_dev_key sim_stack_key_napi_budget = {
	.name = "napi_budget", .type = SIM_DEV_KEY_U32, .lo = 1, .hi = 4096,
	.def = 64, .unit = "packets",
	.off = offsetof(struct sim_sc_endpoint, napi_budget),
	.help = "rx_stack napi: packets per poll before it re-arms (Linux's NAPI weight)",
};
const struct sim_dev_key sim_stack_key_sockq_packets = {
	.name = "sockq_packets", .type = SIM_DEV_KEY_U32, .lo = 1, .hi = 4094,
	.def = 256, .unit = "packets",
	.off = offsetof(struct sim_sc_endpoint, sockq_packets),
	.help = "rx_stack napi: the socket queue's bound; a packet past it is dropped",
};
const struct sim_dev_key sim_stack_key_softirq_ns = {
	.name = "softirq_ns", .type = SIM_DEV_KEY_U32, .lo = 0, .hi = 1000000,
	.def = 500, .unit = "ns",
	.off = offsetof(struct sim_sc_endpoint, softirq_ns),
	.help = "rx_stack napi: the poll's work per packet (skb, IP, UDP, socket lookup)",
};
const struct sim_dev_key sim_stack_key_consumer_ns = {
	.name = "consumer_ns", .type = SIM_DEV_KEY_U32, .lo = 0, .hi = 1000000,
	.def = 500, .unit = "ns",
	.off = offsetof(struct sim_sc_endpoint, consumer_ns),
	.help = "rx_stack napi: recv()'s work per packet beyond the syscall and the copy",
};
const struct sim_dev_key sim_stack_key_napi_yield = {
	.name = "napi_yield", .type = SIM_DEV_KEY_BOOL, .def = 0, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, napi_yield),
	.help = "rx_stack napi: the poll stops while the socket queue is full, resumes at half",
};
const struct sim_dev_key *const sim_stack_napi_keys[] = {
	&sim_stack_key_napi_budget, &sim_stack_key_sockq_packets,
	&sim_stack_key_softirq_ns, &sim_stack_key_consumer_ns,
	&sim_stack_key_napi_yield, NULL,
};

/* An interrupt raised or the poll scheduled: the vCPU is the softirq's. */
static bool sim_stack_softirq_pending(const struct sim_guest_stack *s)
{
	return sim_emu_irq_pending(s->ep) || !s->napi.sleeping;
}

/*
 * The frame at slot i of ring r, whose filled slots end at end: its slots
 * (0: a chain not all there) and bytes.  Read plain: the poll reads each
 * slot again, counted, when it moves it.
 */
static uint32_t sim_stack_chain(const struct netmap_ring *r, uint32_t i,
				uint32_t end, uint32_t *bytes)
{
	const volatile struct netmap_slot *sl = r->slot;
	uint32_t k = 0;

	*bytes = 0;
	for (;;) {
		if (i == end || k == NETMAP_MAX_FRAGS)
			return 0;
		*bytes += sl[i].len;
		k++;
		if (!(sl[i].flags & NS_MOREFRAG))
			return k;
		i = nm_idx_next(i, r->num_slots);
	}
}

/* Room in the socket queue for a packet of k slots? */
static bool sim_stack_room(const struct sim_guest_stack *s, uint32_t k)
{
	return s->sq_count < s->cap &&
	       s->sn - 1 - nm_idx_dist(s->sq_rel, s->sq_tail, s->sn) >= k;
}

/*
 * Queue the k slots at ghead.  The kernel queues the skb itself; the
 * simulator moves the bytes (uncounted: no copy happens there) so that
 * the app checks the very frame the device wrote.  false: a slot longer
 * than a buffer (reported).
 */
static bool sim_stack_enqueue(struct sim_guest_stack *s, uint32_t k)
{
	struct netmap_slot *gs, *ss;
	uint32_t f, g = s->ghead, len;
	uint16_t flags;

	for (f = 0; f < k; f++) {
		gs = &s->gring->slot[g];
		ss = &s->sring->slot[s->sq_tail];
		len = nm_os_shared_load16(&gs->len);
		flags = *(volatile const uint16_t *)&gs->flags & NS_MOREFRAG;
		if (len > s->gring->nr_buf_size || len > s->sring->nr_buf_size) {
			sim_run_violation(s->ep->run, SIM_INV_PAYLOAD, &s->napi, s->ep->idx,
					  "RX slot %u: slot length %u over the buffer size", g, len);
			return false;
		}
		memcpy(nm_ring_user_buf(s->sring, ss->buf_idx),
		       nm_ring_user_buf(s->gring, nm_os_shared_load32(&gs->buf_idx)), len);
		ss->len = (uint16_t)len;
		ss->flags = flags;
		s->sq_tail = nm_idx_next(s->sq_tail, s->sn);
		g = nm_idx_next(g, s->gn);
	}
	s->sq_count++;
	return true;
}

/* The poll stops (done, or parked on a full queue): the consumer it held
 * off goes on (after a wake-up if it was blocked in recv()). */
static void sim_stack_napi_sleep(struct sim_guest_stack *s)
{
	struct sim_ep *ep = s->ep;

	sim_actor_sleep(&s->napi);
	if (s->sq_count != 0 && ep->app.sleeping)
		sim_actor_wake(&ep->app, nm_os_time_ns() +
				 (s->c_blocked ? sim_cost_ns(SIM_C_WAKEUP) : 0));
}

static void sim_stack_napi_body(struct sim_actor *a)
{
	struct sim_guest_stack *s = a->priv;
	struct sim_ep *ep = s->ep;
	const struct sim_sc_endpoint *c = ep->cfg;
	uint32_t n = 0, k, bytes;

	if (s->parked) {
		if (s->sq_count > s->low) {
			/* Woken by an interrupt raised before it parked. */
			sim_actor_spurious(a);
			sim_stack_napi_sleep(s);
			return;
		}
		s->parked = false;
	}
	s->gtail = sim_emu_poll_sync(ep, a, s->ghead);
	while (n < c->napi_budget && s->ghead != s->gtail) {
		k = sim_stack_chain(s->gring, s->ghead, s->gtail, &bytes);
		if (k == 0)
			break; /* the device publishes whole chains */
		if (k == 1 && bytes == 0) {
			/* A VALE pad, not a packet (as sim_app.c). */
			ep->st.pads++;
			s->ghead = nm_idx_next(s->ghead, s->gn);
			continue;
		}
		if (!sim_stack_room(s, k)) {
			if (c->napi_yield) {
				/* Feedback: look before doing the work. */
				s->parked = true;
				break;
			}
			/* The work is done, then the queue is found full. */
			nm_sim_os.now_ns += c->softirq_ns;
			ep->st.dev_drops++;
			ep->st.drops_sockq_full++;
		} else {
			nm_sim_os.now_ns += c->softirq_ns;
			if (!sim_stack_enqueue(s, k))
				return;
		}
		s->ghead = nm_idx_add(s->ghead, k, s->gn);
		n++;
	}
	if (s->parked) {
		/* Hand back what it took; interrupts stay masked. */
		(void)sim_emu_poll_sync(ep, a, s->ghead);
		sim_stack_napi_sleep(s);
		return;
	}
	if (n == c->napi_budget) {
		sim_actor_again(a); /* re-armed: budget spent, more may wait */
		return;
	}
	if (sim_emu_poll_complete(ep, a, s->ghead, &s->gtail)) {
		if (n == 0 && a->woken)
			sim_actor_spurious(a);
		sim_stack_napi_sleep(s);
		return;
	}
	sim_actor_again(a);
}

static bool sim_stack_napi_has_work(struct sim_actor *a)
{
	struct sim_guest_stack *s = a->priv;

	if (s->parked)
		return s->sq_count <= s->low;
	return s->dev->app_has_work(s->ep);
}

/* ---- The application's side: recv() on the socket. */

static void sim_stack_sync(struct sim_ep *ep)
{
	struct sim_guest_stack *s = ep->stack;
	uint32_t k, bytes;

	ep->st.syncs++;
	s->sq_rel = ep->head;
	ep->tail = s->sq_next;
	/* One datagram a call, once the last one was taken; none while the
	 * softirq holds the vCPU. */
	if (ep->head != s->sq_next || s->sq_count == 0 ||
	    sim_stack_softirq_pending(s))
		return;
	k = sim_stack_chain(s->sring, s->sq_next, s->sq_tail, &bytes);
	if (k == 0) {
		sim_run_violation(ep->run, SIM_INV_RING_INDEX, &ep->app, ep->idx,
				  "socket queue: %u packets queued, no whole frame at slot %u",
				  s->sq_count, s->sq_next);
		return;
	}
	sim_cost_charge(SIM_C_SYSCALL, 1);
	ep->st.syscalls++;
	nm_sim_os.now_ns += ep->cfg->consumer_ns;
	/* The datagram: the driver took any virtio-net header off. */
	sim_cost_charge(SIM_C_COPY_BYTE, bytes > ep->vnet_hdr ? bytes - ep->vnet_hdr : 0);
	s->sq_next = nm_idx_add(s->sq_next, k, s->sn);
	s->sq_count--;
	ep->tail = s->sq_next;
	if (s->parked && s->sq_count <= s->low)
		sim_actor_wake(&s->napi, nm_os_time_ns()); /* napi_schedule() */
}

static bool sim_stack_may_sleep(struct sim_ep *ep)
{
	struct sim_guest_stack *s = ep->stack;

	if (s->sq_count != 0 && !sim_stack_softirq_pending(s))
		return false;
	s->c_blocked = s->sq_count == 0;
	return true;
}

static void sim_stack_woken(struct sim_ep *ep)
{
	ep->stack->c_blocked = false;
}

static bool sim_stack_app_has_work(struct sim_ep *ep)
{
	struct sim_guest_stack *s = ep->stack;

	return s->sq_count != 0 && !sim_stack_softirq_pending(s);
}

static bool sim_stack_rings_ok(struct sim_ep *ep, const char **what)
{
	struct sim_guest_stack *s = ep->stack;

	if (!s->dev->rings_ok(ep, what))
		return false;
	if (s->sq_rel >= s->sn || s->sq_next >= s->sn || s->sq_tail >= s->sn ||
	    s->sq_count > s->cap ||
	    nm_idx_dist(s->sq_rel, s->sq_next, s->sn) >
		    nm_idx_dist(s->sq_rel, s->sq_tail, s->sn)) {
		*what = "socket queue";
		return false;
	}
	return true;
}

static void sim_stack_fini(struct sim_ep *ep)
{
	struct sim_guest_stack *s = ep->stack;
	const struct sim_dev_ops *dev = s->dev;

	ep->stack = NULL;
	sim_guest_stack_free(s);
	dev->fini(ep);
}

static const struct sim_dev_ops sim_guest_stack_ops = {
	.name = "napi",
	.fini = sim_stack_fini,
	.sync = sim_stack_sync,
	.may_sleep = sim_stack_may_sleep,
	.woken = sim_stack_woken,
	.app_has_work = sim_stack_app_has_work,
	.rings_ok = sim_stack_rings_ok,
};

int sim_guest_stack_new(struct sim_ep *ep, struct sim_guest_stack **out,
			char *err, size_t errlen)
{
	const struct sim_sc_endpoint *c = ep->cfg;
	struct nm_region_geom g = { 0 };
	struct sim_guest_stack *s;
	uint32_t spf, flen;
	uint64_t slots;
	int rc;

	*out = NULL;
	if (!sim_guest_stack_on(c))
		return 0;
	/* Room for sockq_packets frames of the trace's longest (behind the
	 * port's virtio-net header, which the app takes off: the world sets
	 * ep->vnet_hdr before the device), plus the one recv() handed out,
	 * plus the slot a ring keeps empty. */
	flen = ep->trace->max_len + ep->vnet_hdr;
	spf = sim_ep_slots(flen, sim_ep_chunk(ep->buf_size));
	slots = ((uint64_t)c->sockq_packets + 1) * spf + 1;
	if (slots > NM_RING_MAX_SLOTS) {
		snprintf(err, errlen,
			 "endpoint %s: sockq_packets %u of %u-byte frames (%u slots of buf_size %u each) needs a socket queue of %llu slots (expected at most %u: fewer packets or a larger buf_size)",
			 c->name, c->sockq_packets, flen, spf, ep->buf_size,
			 (unsigned long long)slots, NM_RING_MAX_SLOTS);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto oom;
	g.num_ifs = 1;
	g.ifs[0].tx_rings = g.ifs[0].rx_rings = 1;
	g.ifs[0].tx_slots = NM_RING_MIN_SLOTS;
	g.ifs[0].rx_slots = (uint32_t)slots;
	g.buf_size = ep->buf_size;
	rc = nm_region_create(&s->sreg, &g, c->name);
	if (rc != 0) {
		free(s);
		goto oom;
	}
	s->ep = ep;
	s->sring = nm_region_ring(&s->sreg, 0, NR_RX, 0);
	s->sn = (uint32_t)slots;
	s->cap = c->sockq_packets;
	s->low = c->sockq_packets / 2;
	*out = s;
	return 0;
oom:
	snprintf(err, errlen, "endpoint %s: out of memory for the socket queue", c->name);
	return -ENOMEM;
}

void sim_guest_stack_attach(struct sim_ep *ep, struct sim_guest_stack *s)
{
	char name[48];

	s->dev = ep->ops;
	s->gring = sim_emu_guest_ring(ep);
	s->gn = s->gring->num_slots;
	s->ghead = ep->head;
	s->gtail = ep->tail;
	ep->stack = s;
	ep->ops = &sim_guest_stack_ops;
	ep->ring = s->sring;
	ep->n = s->sn;
	ep->head = ep->tail = 0;
	snprintf(name, sizeof(name), "%s.napi", ep->cfg->name);
	sim_actor_init(&s->napi, ep->run, name, ep->idx, sim_stack_napi_body,
		       sim_stack_napi_has_work, s);
	/* The softirq preempts user code on its vCPU, as the handler does. */
	sim_actor_set_irq(&s->napi, &ep->app);
	sim_emu_set_irq_to(ep, &s->napi);
	/* A first poll at open (napi_enable()): it finds nothing and
	 * completes, which is what turns the device's interrupts on. */
	sim_actor_start(&s->napi, 0);
}

void sim_guest_stack_free(struct sim_guest_stack *s)
{
	if (s == NULL)
		return;
	nm_region_destroy(&s->sreg);
	free(s);
}
