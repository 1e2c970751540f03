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
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nm_ring_user.h"
#include "sim_cost.h"
#include "sim_ep.h"
#include "sim_pcap_sink.h"
#include "sim_pkt.h"
#include "sim_run.h"
#include "sim_seg.h"
#include "sim_trace.h"
#include "sim_vnet.h"

uint64_t sim_app_release_time(const struct sim_ep *ep, uint64_t k,
			      uint64_t rec_ts)
{
	const struct sim_trace *t = ep->trace;

	switch (ep->tcfg->mode) {
	case SIM_TRACE_TIMESTAMPS:
		return k / t->count * ep->src_loop_ns + rec_ts;
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

/*
 * The guest driver's (or the kernel's) part of the application's step:
 * an interrupt handler sharing its vCPU does not preempt it in there, as
 * drivers run their ring updates with interrupts off.
 */
static void sim_app_sync(struct sim_ep *ep)
{
	ep->app.irq_off++;
	ep->ops->sync(ep);
	ep->app.irq_off--;
}

static bool sim_app_may_sleep(struct sim_ep *ep)
{
	bool sleep;

	ep->app.irq_off++;
	sleep = ep->ops->may_sleep(ep);
	ep->app.irq_off--;
	return sleep;
}

static void sim_app_wait(struct sim_ep *ep)
{
	if (sim_app_may_sleep(ep))
		sim_actor_sleep(&ep->app);
	else
		sim_actor_again(&ep->app);
}

/* When the next packet (record r) entered the sender's ring, for its
 * latency. */
static uint64_t sim_app_t_in(const struct sim_ep *ep,
			     const struct sim_trace_rec *r)
{
	if (ep->tcfg->mode == SIM_TRACE_FAST)
		return nm_os_time_ns();
	return sim_app_release_time(ep, ep->src_next, r->ts_ns);
}

/* The cursor's record, or NULL after stopping the run (the file changed
 * under it: its one line goes out as the run's error). */
static const struct sim_trace_rec *sim_app_rec(struct sim_ep *ep)
{
	const struct sim_trace_rec *r = sim_trace_cur_get(ep->cur);

	if (r == NULL)
		ep->run->internal_error(ep->run, ep->cur->err);
	return r;
}

/*
 * Write bytes[0..total) (record r's frame, behind a virtio-net header if
 * the port has one) into the slots from ep->head on: one slot, or a chain
 * of slots with NS_MOREFRAG on all but the last (the core's VALE and pipes
 * carry chains of up to NETMAP_MAX_FRAGS slots); the caller then writes
 * the tag over the frame's last 8 bytes, wherever they fall.
 */
static uint64_t sim_app_put(struct sim_ep *ep, const struct sim_trace_rec *r,
			    const uint8_t *bytes, uint32_t total,
			    uint32_t slots, uint8_t **bufs)
{
	uint32_t bs = sim_ep_chunk(ep->ring->nr_buf_size), off = 0, k, part;
	struct netmap_slot *slot;
	uint64_t t_in = 0;

	for (k = 0; k < slots; k++) {
		slot = &ep->ring->slot[ep->head];
		bufs[k] = nm_ring_user_buf(ep->ring, nm_os_shared_load32(&slot->buf_idx));
		part = total - off < bs ? total - off : bs;
		nm_os_memcpy(bufs[k], bytes + off, part);
		/* It entered the ring once copied. */
		if (k + 1 == slots)
			t_in = sim_app_t_in(ep, r);
		nm_os_shared_store16(&slot->len, (uint16_t)part);
		nm_os_shared_store16(&slot->flags, k + 1 < slots ? NS_MOREFRAG : 0);
		off += part;
		ep->head = nm_idx_next(ep->head, ep->n);
	}
	return t_in;
}

/* The tag over the last 8 bytes of the frame just put in bufs (the frame
 * starts pre bytes into the first: a virtio-net header); cover is what
 * they held (sim_pkt_tag_make() keeps its checksum sum). */
static void sim_app_tag(const struct sim_ep *ep, uint32_t pre, uint32_t len,
			uint8_t **bufs, uint64_t id, const uint8_t *cover)
{
	uint32_t bs = sim_ep_chunk(ep->ring->nr_buf_size),
		 o = pre + len - SIM_TAG_BYTES, k, part;
	uint8_t idb[SIM_TAG_BYTES];

	sim_pkt_tag_make(id, cover, idb);
	if (pre + len <= bs) {
		memcpy(bufs[0] + o, idb, SIM_TAG_BYTES);
		return;
	}
	/* The last 8 bytes may straddle the chain's last two slots. */
	k = o / bs;
	part = bs - o % bs < SIM_TAG_BYTES ? bs - o % bs : SIM_TAG_BYTES;
	memcpy(bufs[k] + o % bs, idb, part);
	if (part < SIM_TAG_BYTES)
		memcpy(bufs[k + 1], idb + part, SIM_TAG_BYTES - part);
}

/*
 * Put the frames a guest with a virtio-net header made of record r
 * (sim_guest_prepare()), each behind its header, tagged and followed.
 * The caller checked that q->need slots are free.
 */
static void sim_app_put_txq(struct sim_ep *ep, const struct sim_trace_rec *r,
			    const struct sim_txq *q, uint8_t **bufs)
{
	uint32_t pre = ep->vnet_hdr, chunk = sim_ep_chunk(ep->ring->nr_buf_size), k, s;
	struct sim_trace_rec pr = *r;
	uint64_t t_in, id;

	for (k = 0; k < q->g.n; k++) {
		pr.frame = q->buf + q->g.off[k];
		pr.len = q->g.len[k];
		s = sim_ep_slots(pre + pr.len, chunk);
		t_in = sim_app_put(ep, r, pr.frame - pre, pre + pr.len, s, bufs);
		id = sim_pkt_inject_gso(ep->pk, &pr, (uint16_t)ep->idx, t_in, q->hoff[k]);
		if (ep->pk->broken != NULL) {
			ep->run->internal_error(ep->run, ep->pk->broken);
			return;
		}
		if (sim_pkt_taggable(pr.len))
			sim_app_tag(ep, pre, pr.len, bufs, id,
				    pr.frame + pr.len - SIM_TAG_BYTES);
		ep->st.gso_pkts += q->kind[k] == SIM_VNET_GSO;
		ep->st.csum_pkts += q->kind[k] == SIM_VNET_CSUM;
		if (k > 0)
			sim_cost_charge(SIM_C_APP_PKT, 1);
	}
	/* Frames beyond the record's one: more packets than the trace's. */
	ep->pk->split_extra += q->g.n - 1;
	ep->st.pkts += q->g.n - 1;
}

/*
 * more_hint: will another packet follow this sync at once?  Yes when the
 * next one is released by now and its slots are free after this batch
 * (free slots left), as Linux's xmit_more says the queue holds more; a
 * packet not yet released, or a full ring, ends the burst.
 */
static bool sim_app_more(struct sim_ep *ep, uint32_t free_slots, uint64_t now)
{
	const struct sim_trace_rec *r;
	const struct sim_txq *q;
	uint32_t need;

	if (ep->src_next >= ep->src_total || (r = sim_app_rec(ep)) == NULL)
		return false;
	if (sim_app_release_time(ep, ep->src_next, r->ts_ns) > now)
		return false;
	need = sim_ep_slots(r->len, sim_ep_chunk(ep->ring->nr_buf_size));
	if (ep->vnet_hdr != 0) {
		/* Its guest's frames, behind their headers: the stack makes
		 * them now (once per record), as it would before the xmit;
		 * one its sender drops ends the burst. */
		q = sim_guest_prepare(ep, r);
		if (q->drop)
			return false;
		need = q->need;
	}
	return need <= free_slots;
}

static void sim_app_send(struct sim_ep *ep)
{
	struct sim_actor *a = &ep->app;
	const struct sim_trace_rec *r;
	uint64_t now = nm_os_time_ns(), next, id, t_in;
	uint8_t *bufs[NETMAP_MAX_FRAGS];
	uint32_t space, need, n, used, pre = ep->vnet_hdr;
	const struct sim_txq *q = NULL;

	if (ep->src_next == ep->src_total) {
		/* Drain: every slot handed over must come back. */
		sim_app_sync(ep);
		if (ep->tail == nm_idx_prev(ep->head, ep->n)) {
			a->done = true;
			return;
		}
		if (a->woken)
			sim_actor_spurious(a);
		sim_app_wait(ep);
		return;
	}
	if ((r = sim_app_rec(ep)) == NULL)
		return;
	next = sim_app_release_time(ep, ep->src_next, r->ts_ns);
	if (next > now) {
		sim_actor_at(a, next);
		return;
	}
	/* A frame needs one slot, or a chain of them; one whose chain no
	 * netmap packet or this ring can hold is dropped below unsent. */
	need = sim_ep_slots(r->len, sim_ep_chunk(ep->ring->nr_buf_size));
	if (pre != 0) {
		q = sim_guest_prepare(ep, r);
		need = q->drop ? 0 : q->need;
	}
	if (need > NETMAP_MAX_FRAGS * SIM_GSEG_MAX_FRAMES || need > ep->n - 1 ||
	    (pre == 0 && need > NETMAP_MAX_FRAGS))
		need = 0;
	space = nm_idx_dist(ep->head, ep->tail, ep->n);
	if (space < need) {
		/* A chain waits for room for all of it: cur over the free
		 * slots, so a device that sleeps until tail passes cur waits
		 * for more (0 for a single slot: cur == head, as before). */
		ep->cur_ahead = space;
		sim_app_sync(ep);
		ep->cur_ahead = 0;
		space = nm_idx_dist(ep->head, ep->tail, ep->n);
		if (space < need) {
			ep->st.full_waits++;
			if (a->woken)
				sim_actor_spurious(a);
			sim_app_wait(ep);
			return;
		}
	}
	/* Up to batch packets released by now that fit the free slots. */
	for (n = 0, used = 0; n < ep->cfg->batch && ep->src_next < ep->src_total;
	     n++) {
		if (n > 0) {
			if ((r = sim_app_rec(ep)) == NULL)
				return;
			if (sim_app_release_time(ep, ep->src_next, r->ts_ns) > now)
				break;
		}
		if (pre != 0) {
			q = sim_guest_prepare(ep, r);
			if (q->drop) {
				/* Over the guest's MTU and nothing its stack
				 * can do carries it: never sent, counted. */
				sim_pkt_inject_untaggable(ep->pk, r->len, sim_app_t_in(ep, r));
				ep->st.dev_drops++;
				ep->st.drops_over_mtu++;
				ep->src_next++;
				sim_trace_cur_next(ep->cur);
				continue;
			}
			if (used + q->need > space)
				break;
			sim_app_put_txq(ep, r, q, bufs);
			if (ep->pk->broken != NULL)
				return;
			used += q->need;
			goto sent;
		}
		need = sim_ep_slots(r->len, sim_ep_chunk(ep->ring->nr_buf_size));
		if (need > NETMAP_MAX_FRAGS || need > ep->n - 1) {
			/* No chain carries it (a buffer size so small that it
			 * takes more than 64 slots, or a ring shorter than the
			 * chain): refused whole (sent, dropped, no slot used),
			 * never cut or copied past a buffer's end. */
			sim_pkt_inject_untaggable(ep->pk, r->len, sim_app_t_in(ep, r));
			ep->st.dev_drops++;
			ep->st.drops_too_big++;
			ep->src_next++;
			sim_trace_cur_next(ep->cur);
			continue;
		}
		if (used + need > space)
			break;
		t_in = sim_app_put(ep, r, r->frame, r->len, need, bufs);
		id = sim_pkt_inject(ep->pk, r, (uint16_t)ep->idx, t_in);
		if (ep->pk->broken != NULL)
			ep->run->internal_error(ep->run, ep->pk->broken);
		if (sim_pkt_taggable(r->len))
			sim_app_tag(ep, 0, r->len, bufs, id,
				    r->frame + r->len - SIM_TAG_BYTES);
		used += need;
sent:
		sim_cost_charge(SIM_C_APP_PKT, 1);
		if (ep->cfg->pkt_work_ns != 0)
			nm_sim_os.now_ns += ep->cfg->pkt_work_ns;
		ep->src_next++;
		sim_trace_cur_next(ep->cur);
	}
	ep->st.pkts += n;
	if (ep->cfg->more_hint)
		ep->more_coming = sim_app_more(ep, space - used, now);
	sim_app_sync(ep);
	if (ep->src_next < ep->src_total) {
		if ((r = sim_app_rec(ep)) == NULL)
			return;
		next = sim_app_release_time(ep, ep->src_next, r->ts_ns);
		if (next <= nm_os_time_ns())
			sim_actor_again(a);
		else
			sim_actor_at(a, next);
	} else {
		sim_actor_again(a);
	}
}

/*
 * The packet at ep->head: its frame (in its slot, or gathered from a chain
 * into ep->rxbuf), its length and slots.  1: whole; 0: a chain whose rest
 * is not in [head, tail) yet; -1: a violation was reported.
 */
static int sim_app_frame(struct sim_ep *ep, uint32_t avail, uint8_t **frame,
			 uint32_t *flen, uint32_t *slots)
{
	uint32_t i = ep->head, k = 0, len, total = 0,
		 cap = ep->trace->max_len + ep->vnet_hdr;
	struct netmap_slot *slot;
	uint16_t flags;
	uint8_t *buf;

	for (;;) {
		if (k == avail)
			return 0;
		slot = &ep->ring->slot[i];
		len = nm_os_shared_load16(&slot->len);
		/* The flags word sits beside len and is read at the same
		 * instant (no step between), so not as a step of its own:
		 * one counted load per slot, as before chains. */
		flags = *(volatile const uint16_t *)&slot->flags;
		buf = nm_ring_user_buf(ep->ring, nm_os_shared_load32(&slot->buf_idx));
		if (len > ep->ring->nr_buf_size) {
			sim_run_violation(ep->run, SIM_INV_PAYLOAD, &ep->app, ep->idx,
					  "slot %u: slot length %u over the buffer size", i, len);
			return -1;
		}
		k++;
		if (k == 1 && !(flags & NS_MOREFRAG)) {
			*frame = buf;
			*flen = len;
			*slots = 1;
			return 1;
		}
		if (k > NETMAP_MAX_FRAGS || total + len > cap) {
			sim_run_violation(ep->run, SIM_INV_PAYLOAD, &ep->app, ep->idx,
					  "slot %u: a chain of %u slots, %u bytes, longer than any frame of the trace",
					  ep->head, k, total + len);
			return -1;
		}
		memcpy(ep->rxbuf + total, buf, len);
		total += len;
		if (!(flags & NS_MOREFRAG))
			break;
		i = nm_idx_next(i, ep->n);
	}
	*frame = ep->rxbuf;
	*flen = total;
	*slots = k;
	return 1;
}

/* TCP or UDP payload bytes of frame f[0..len) (0 if it is neither, or
 * a fragment): the goodput the report counts. */
static uint32_t sim_app_l4_bytes(const uint8_t *f, uint32_t len)
{
	struct sim_l4 o;

	if (sim_l4_parse(f, len, &o) != 0)
		return 0;
	return o.l3 + o.ip_len - o.hoff;
}

/*
 * A receiver that may get segments (ep->seg): frame[0..len) is a packet
 * whole (1: the caller delivers it), a segment of one still in progress
 * (0), or the last segment of one, which was delivered and written to
 * the sink segment by segment (2); a negative errno with why on a bad
 * segment (-EPROTO) or as sim_pkt_deliver() fails the gathered packet
 * (-EILSEQ: out of its flow's order).
 */
static int sim_app_segment(struct sim_ep *ep, const uint8_t *frame, uint32_t len,
			   char *why, size_t whylen)
{
	struct sim_seg *s = ep->seg;
	uint32_t k;
	int rc;

	if (s == NULL)
		return 1;
	if (s->n == 0 && (len < SIM_TAG_MIN_LEN || sim_pkt_is_whole(ep->pk, frame, len) ||
			  !sim_seg_may_start(frame, len)))
		return 1; /* whole, or not a segment: sim_pkt_deliver() judges */
	if (sim_seg_add(s, frame, len, why, whylen) != 0)
		return -EPROTO;
	if (!sim_pkt_is_whole(ep->pk, s->buf, s->len))
		return 0;
	rc = sim_pkt_deliver(ep->pk, s->buf, s->len, nm_os_time_ns(), why, whylen);
	if (rc != 0) {
		sim_seg_reset(s);
		return rc;
	}
	sim_seg_restore(s);
	ep->st.seg_pkts++;
	for (k = 0; ep->sink != NULL && k < s->n; k++)
		sim_pcap_sink_write(ep->sink, nm_os_time_ns(), s->frames + s->fr[k].off,
				    s->fr[k].len);
	sim_seg_reset(s);
	return 2;
}

static void sim_app_receive(struct sim_ep *ep)
{
	struct sim_actor *a = &ep->app;
	uint32_t avail, n, len, slots, k, pkts = 0;
	uint8_t *frame;
	char why[256];
	int rc;

	sim_app_sync(ep);
	avail = nm_idx_dist(ep->head, ep->tail, ep->n);
	for (n = 0; n < ep->cfg->batch && avail > 0; n++) {
		rc = sim_app_frame(ep, avail, &frame, &len, &slots);
		if (rc < 0)
			return;
		if (rc == 0)
			break; /* the rest of a chain is on its way */
		if (len == 0 && slots == 1) {
			/* A pad (a sender's short VALE lease, vale_lease_trim()),
			 * not a packet: skipped, as an application skips an
			 * empty slot, and counted. */
			ep->st.pads++;
			ep->head = nm_idx_next(ep->head, ep->n);
			avail--;
			continue;
		}
		if (ep->vnet_hdr != 0) {
			/* The guest driver takes the header off. */
			const char *bad = len < ep->vnet_hdr ? "virtio-net header: a frame shorter than it"
				: sim_vnet_rx_check(frame, ep->vnet_hdr, len - ep->vnet_hdr,
						    ep->cfg->offloads);

			if (bad != NULL) {
				sim_run_violation(ep->run, SIM_INV_PAYLOAD, a, ep->idx,
						  "slot %u: %s", ep->head, bad);
				return;
			}
			ep->st.gso_pkts += frame[1] != 0;
			ep->st.csum_pkts += frame[0] & SIM_VNET_F_NEEDS_CSUM;
			frame += ep->vnet_hdr;
			len -= ep->vnet_hdr;
		}
		ep->st.frames++;
		ep->st.rx_frame_bytes += len;
		ep->st.l4_bytes += sim_app_l4_bytes(frame, len);
		rc = sim_app_segment(ep, frame, len, why, sizeof(why));
		if (rc == 1) {
			rc = sim_pkt_deliver(ep->pk, frame, len, nm_os_time_ns(), why,
					     sizeof(why));
			if (rc == 0) {
				rc = 1;
				if (ep->sink != NULL)
					sim_pcap_sink_write(ep->sink, nm_os_time_ns(), frame, len);
			}
		}
		if (rc < 0) {
			/* A reorder is the flow-order invariant's, not the
			 * payload's: the report names the one that failed. */
			sim_run_violation(ep->run, rc == -EILSEQ ? SIM_INV_FLOW_ORDER
								 : SIM_INV_PAYLOAD,
					  a, ep->idx, "slot %u: %s", ep->head, why);
			return;
		}
		if (rc == 0) {
			/* A segment of a packet still in progress. */
			sim_cost_charge(SIM_C_APP_PKT, 1);
			for (k = 0; k < slots; k++)
				ep->head = nm_idx_next(ep->head, ep->n);
			avail -= slots;
			continue;
		}
		/* 1: delivered whole, 2: gathered from segments; both sunk. */
		sim_cost_charge(SIM_C_APP_PKT, 1);
		if (ep->cfg->pkt_work_ns != 0)
			nm_sim_os.now_ns += ep->cfg->pkt_work_ns;
		for (k = 0; k < slots; k++)
			ep->head = nm_idx_next(ep->head, ep->n);
		avail -= slots;
		pkts++;
	}
	if (n == 0) {
		if (a->woken)
			sim_actor_spurious(a);
		sim_app_wait(ep);
		return;
	}
	ep->st.pkts += pkts;
	sim_actor_again(a);
}

void sim_app_body(struct sim_actor *a)
{
	struct sim_ep *ep = a->priv;

	if (a->woken) {
		a->irq_off++;
		ep->ops->woken(ep);
		a->irq_off--;
	}
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
