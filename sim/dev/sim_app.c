/*
 * sim_app.c - the pkt-gen-like application of an endpoint.
 *
 * Sender: takes the packets the source has released by now (all of them in
 * fast mode; by timestamp or by rate otherwise), copies up to `batch` into
 * free TX slots, tags them, and syncs; with the ring full it syncs to
 * reclaim and, if still full, sleeps until the device says there is room
 * (poll(POLLOUT)).  After the last packet it waits for the ring to drain,
 * like pkt-gen before it exits.
 * Receiver: syncs (releasing what it consumed, learning the new tail),
 * consumes up to `batch` packets (each checked, optionally written to the
 * pcap sink, plus pkt_work_ns of extra work), and when the ring is empty
 * sleeps until notified (poll(POLLIN)).
 * A run caused by a notification that finds nothing to do is a spurious
 * wake-up.
 */
#include <stdio.h>

#include "nm_ring_user.h"
#include "sim_cost.h"
#include "sim_ep.h"
#include "sim_pcap_sink.h"
#include "sim_pkt.h"
#include "sim_run.h"

uint64_t sim_app_release_time(const struct sim_ep *ep, uint64_t k)
{
	const struct sim_trace *t = ep->trace;
	uint64_t loop, rec;

	switch (ep->tcfg->mode) {
	case SIM_TRACE_TIMESTAMPS:
		loop = k / t->count;
		rec = k % t->count;
		return loop * ep->src_loop_ns + t->ts_ns[rec];
	case SIM_TRACE_RATE:
		/* floor(k * 1e9 / rate) without forming k * 1e9, which wraps
		 * past k = 1.8e10 (rate_pps <= 1e9 keeps each term in range;
		 * sim_world_build() bounds the result). */
		return k / ep->tcfg->rate_pps * 1000000000ULL +
		       k % ep->tcfg->rate_pps * 1000000000ULL / ep->tcfg->rate_pps;
	case SIM_TRACE_FAST:
	default:
		return 0;
	}
}

static uint32_t sim_min3(uint64_t a, uint32_t b, uint32_t c)
{
	uint32_t m = b < c ? b : c;

	return a < m ? (uint32_t)a : m;
}

static void sim_app_wait(struct sim_ep *ep)
{
	if (ep->ops->may_sleep(ep))
		sim_actor_sleep(&ep->app);
	else
		sim_actor_again(&ep->app);
}

/* When the next packet entered the sender's ring, for its latency. */
static uint64_t sim_app_t_in(const struct sim_ep *ep)
{
	if (ep->tcfg->mode == SIM_TRACE_FAST)
		return nm_os_time_ns();
	return sim_app_release_time(ep, ep->src_next);
}

static void sim_app_send(struct sim_ep *ep)
{
	struct sim_actor *a = &ep->app;
	const struct sim_trace *t = ep->trace;
	uint64_t now = nm_os_time_ns(), avail = 0, next;
	struct netmap_slot *slot;
	uint32_t space, n, i, rec, len;
	uint8_t *buf;

	if (ep->src_next == ep->src_total) {
		/* Drain: every slot handed over must come back. */
		ep->ops->sync(ep);
		if (ep->tail == nm_idx_prev(ep->head, ep->n)) {
			a->done = true;
			return;
		}
		if (a->woken)
			sim_actor_spurious(a);
		sim_app_wait(ep);
		return;
	}
	while (ep->src_next + avail < ep->src_total && avail < ep->cfg->batch &&
	       sim_app_release_time(ep, ep->src_next + avail) <= now)
		avail++;
	if (avail == 0) {
		sim_actor_at(a, sim_app_release_time(ep, ep->src_next));
		return;
	}
	space = nm_idx_dist(ep->head, ep->tail, ep->n);
	if (space == 0) {
		ep->ops->sync(ep);
		space = nm_idx_dist(ep->head, ep->tail, ep->n);
		if (space == 0) {
			ep->st.full_waits++;
			if (a->woken)
				sim_actor_spurious(a);
			sim_app_wait(ep);
			return;
		}
	}
	n = sim_min3(avail, space, ep->cfg->batch);
	for (i = 0; i < n; i++) {
		rec = (uint32_t)(ep->src_next % t->count);
		len = t->len[rec];
		if (len > ep->ring->nr_buf_size) {
			/* The frame does not fit the ring's buffers: refused
			 * whole (sent, dropped, no slot used), never cut or
			 * copied past the buffer's end. */
			sim_pkt_inject_untaggable(ep->pk, len, sim_app_t_in(ep));
			ep->st.dev_drops++;
			ep->st.drops_too_big++;
			ep->src_next++;
			continue;
		}
		slot = &ep->ring->slot[ep->head];
		buf = nm_ring_user_buf(ep->ring, nm_os_shared_load32(&slot->buf_idx));
		nm_os_memcpy(buf, sim_trace_frame(t, rec), len);
		sim_pkt_inject(ep->pk, rec, (uint16_t)ep->idx, buf, len,
			       sim_app_t_in(ep));
		if (ep->pk->broken != NULL)
			ep->run->internal_error(ep->run, ep->pk->broken);
		nm_os_shared_store16(&slot->len, (uint16_t)len);
		nm_os_shared_store16(&slot->flags, 0);
		sim_cost_charge(SIM_C_APP_PKT, 1);
		if (ep->cfg->pkt_work_ns != 0)
			nm_sim_os.now_ns += ep->cfg->pkt_work_ns;
		ep->head = nm_idx_next(ep->head, ep->n);
		ep->src_next++;
	}
	ep->st.pkts += n;
	ep->ops->sync(ep);
	if (ep->src_next < ep->src_total) {
		next = sim_app_release_time(ep, ep->src_next);
		if (next <= nm_os_time_ns())
			sim_actor_again(a);
		else
			sim_actor_at(a, next);
	} else {
		sim_actor_again(a);
	}
}

static void sim_app_receive(struct sim_ep *ep)
{
	struct sim_actor *a = &ep->app;
	struct netmap_slot *slot;
	uint32_t avail, n, i, len;
	char why[256];
	uint8_t *buf;

	ep->ops->sync(ep);
	avail = nm_idx_dist(ep->head, ep->tail, ep->n);
	if (avail == 0) {
		if (a->woken)
			sim_actor_spurious(a);
		sim_app_wait(ep);
		return;
	}
	n = avail < ep->cfg->batch ? avail : ep->cfg->batch;
	for (i = 0; i < n; i++) {
		slot = &ep->ring->slot[ep->head];
		len = nm_os_shared_load16(&slot->len);
		if (len == 0) {
			/* A pad, not a packet: skipped, as an application
			 * skips an empty slot. */
			ep->st.pads++;
			ep->head = nm_idx_next(ep->head, ep->n);
			continue;
		}
		buf = nm_ring_user_buf(ep->ring, nm_os_shared_load32(&slot->buf_idx));
		if (len > ep->ring->nr_buf_size ||
		    sim_pkt_deliver(ep->pk, buf, len, nm_os_time_ns(), why,
				    sizeof(why)) != 0) {
			if (len > ep->ring->nr_buf_size)
				snprintf(why, sizeof(why), "slot length %u over the buffer size", len);
			sim_run_violation(ep->run, SIM_INV_PAYLOAD, a, ep->idx,
					  "slot %u: %s", ep->head, why);
			return;
		}
		if (ep->sink != NULL)
			sim_pcap_sink_write(ep->sink, nm_os_time_ns(), buf, len);
		sim_cost_charge(SIM_C_APP_PKT, 1);
		if (ep->cfg->pkt_work_ns != 0)
			nm_sim_os.now_ns += ep->cfg->pkt_work_ns;
		ep->head = nm_idx_next(ep->head, ep->n);
		ep->st.pkts++;
	}
	sim_actor_again(a);
}

void sim_app_body(struct sim_actor *a)
{
	struct sim_ep *ep = a->priv;

	if (a->woken)
		ep->ops->woken(ep);
	if (ep->role == SIM_ROLE_SENDER)
		sim_app_send(ep);
	else
		sim_app_receive(ep);
}

bool sim_app_has_work(struct sim_actor *a)
{
	struct sim_ep *ep = a->priv;

	return ep->ops->app_has_work(ep);
}

static void sim_ep_port_deliver(struct nm_os_notifier *n, void *arg)
{
	struct sim_ep *ep = arg;

	(void)n;
	if (ep->port_waiter != NULL)
		sim_actor_wake(ep->port_waiter, nm_os_time_ns() + ep->port_wake_ns);
}

void sim_ep_port_notifier_init(struct sim_ep *ep, struct sim_actor *waiter,
			       uint64_t wake_ns)
{
	ep->port_notifier.count = 0;
	ep->port_notifier.deliver = sim_ep_port_deliver;
	ep->port_notifier.arg = ep;
	ep->port_waiter = waiter;
	ep->port_wake_ns = wake_ns;
}
