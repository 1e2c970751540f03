/*
 * sim_tap.c - tap devices on a host bridge (sim_tap.h): the frames a tap
 * backend's VMMs exchange through the host stack, with its costs.
 *
 * Per frame written: skb_alloc_ns, the copy into the skb (copy_byte_ps per
 * byte, one copy per fragment), tap_pkt_ns (tun_get_user) and
 * bridge_pkt_ns (forwarding to the destination tap's queue); a dropped
 * frame's skb is freed at once (skb_free_ns).  Per frame read: tap_pkt_ns
 * (tun_put_user) and skb_free_ns; the reader's copy out of the skb is the
 * caller's (into the guest's buffers).  The write()/read() system calls
 * are the caller's too: a userspace VMM makes one per frame, vhost none.
 *
 *   writer (sending VMM)                   reader (receiving VMM)
 *   lock; entry = frame; stst; prod++;     woken = 0; waiting = 1; stld;
 *   unlock; stld; if waiting && !woken:    re-check prod != cons
 *   woken = 1, notify                 <->
 *   (tun_net_xmit, sk_data_ready)           (poll() on the tap's fd)
 */
#include "sim_tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cost.h"

int sim_tap_open(struct sim_tap_bridge **brp, uint32_t ep, bool receiver,
		 uint32_t qlen, const uint8_t mac[6], struct nm_os_notifier *wake,
		 struct sim_tap **out)
{
	struct sim_tap_bridge *br = *brp;
	struct sim_tap **taps, *t;

	if (br == NULL) {
		br = calloc(1, sizeof(*br));
		if (br == NULL)
			return -ENOMEM;
		*brp = br;
	}
	taps = realloc(br->tap, (br->ntaps + 1) * sizeof(*taps));
	if (taps == NULL)
		return -ENOMEM;
	br->tap = taps;
	t = aligned_alloc(_Alignof(struct sim_tap), sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	if (receiver) {
		t->q = calloc(qlen, sizeof(*t->q));
		if (t->q == NULL) {
			free(t);
			return -ENOMEM;
		}
		t->cap = qlen;
		memcpy(t->mac, mac, sizeof(t->mac));
	}
	if (nm_os_lock_init(&t->lock) != 0) {
		free(t->q);
		free(t);
		return -ENOMEM;
	}
	nm_sim_lock_name(&t->lock, "tap.queue");
	t->br = br;
	t->ep = ep;
	t->receiver = receiver;
	t->wake = wake;
	br->tap[br->ntaps++] = t;
	*out = t;
	return 0;
}

const struct sim_tap *sim_tap_of(const struct sim_tap_bridge *br, uint32_t ep)
{
	uint32_t i;

	for (i = 0; br != NULL && i < br->ntaps; i++)
		if (br->tap[i]->ep == ep)
			return br->tap[i];
	return NULL;
}

void sim_tap_bridge_free(struct sim_tap_bridge *br)
{
	uint32_t i, j;

	if (br == NULL)
		return;
	for (i = 0; i < br->ntaps; i++) {
		for (j = 0; j < br->tap[i]->cap; j++)
			free(br->tap[i]->q[j].data);
		free(br->tap[i]->stage.data);
		free(br->tap[i]->q);
		nm_os_lock_fini(&br->tap[i]->lock);
		free(br->tap[i]);
	}
	free(br->tap);
	free(br);
}

/* The bridge's forwarding decision: the receiver's tap with the frame's
 * destination MAC; with one receiver, that one (an unknown destination is
 * flooded, and the senders' taps' copies are not modelled: their guests
 * never read them); else none. */
static struct sim_tap *sim_tap_dest(const struct sim_tap_bridge *br,
				    const uint8_t *frame, uint32_t len)
{
	struct sim_tap *only = NULL;
	uint32_t i, receivers = 0;

	for (i = 0; i < br->ntaps; i++) {
		if (!br->tap[i]->receiver)
			continue;
		receivers++;
		only = br->tap[i];
		if (len >= 6 && memcmp(frame, br->tap[i]->mac, 6) == 0)
			return br->tap[i];
	}
	return receivers == 1 ? only : NULL;
}

enum sim_tap_verdict
sim_tap_write(struct sim_tap *t, const uint8_t *const *frag, const uint32_t *len,
	      uint32_t nfrag, uint64_t *copy_bytes)
{
	struct sim_tap_skb *skb = &t->stage, tmp;
	uint32_t total = 0, i, off, prod, cons;
	struct sim_tap *d;
	uint8_t *p;

	for (i = 0; i < nfrag; i++)
		total += len[i];
	t->st.written++;
	/* tun_get_user(): an skb, the frame copied in, then the bridge. */
	sim_cost_charge(SIM_C_SKB_ALLOC, 1);
	if (skb->cap < total) {
		p = realloc(skb->data, total);
		if (p == NULL) {
			/* Out of memory in the simulator itself: lost as a
			 * kernel out of skbs would lose it (no queue joined). */
			t->st.drops_queue_full++;
			return SIM_TAP_QUEUE_FULL;
		}
		skb->data = p;
		skb->cap = total;
	}
	for (i = 0, off = 0; i < nfrag; off += len[i], i++) {
		nm_os_memcpy(skb->data + off, frag[i], len[i]);
		*copy_bytes += len[i];
	}
	skb->len = total;
	sim_cost_charge(SIM_C_TAP_PKT, 1);
	sim_cost_charge(SIM_C_BRIDGE_PKT, 1);
	d = sim_tap_dest(t->br, skb->data, total);
	if (d == NULL) {
		sim_cost_charge(SIM_C_SKB_FREE, 1);
		return SIM_TAP_NO_DEST;
	}
	nm_os_lock_acquire(&d->lock);
	prod = d->prod;
	cons = nm_os_shared_load32(&d->cons);
	if (prod - cons >= d->cap) {
		nm_os_lock_release(&d->lock);
		d->st.drops_queue_full++;
		sim_cost_charge(SIM_C_SKB_FREE, 1);
		return SIM_TAP_QUEUE_FULL;
	}
	/* The skb joins the queue: the entry's old buffer becomes the
	 * writer's next stage (pointers trade, no bytes move). */
	tmp = d->q[prod % d->cap];
	d->q[prod % d->cap] = *skb;
	*skb = tmp;
	/* The frame before the index that hands it over; pairs with the
	 * nm_os_fence_load_load() in sim_tap_peek(). */
	nm_os_fence_store_store();
	nm_os_shared_store32(&d->prod, prod + 1);
	nm_os_lock_release(&d->lock);
	d->st.queued++;
	/* prod before the reader's flag; pairs with the
	 * nm_os_fence_store_load() in sim_tap_wait(). */
	nm_os_fence_store_load();
	if (nm_os_shared_load32(&d->reader_waiting) != 0 &&
	    nm_os_shared_load32(&d->reader_woken) == 0) {
		/* Whoever sees woken set knows a notification follows
		 * this arming; the reader clears it when it arms again,
		 * before its re-check. */
		nm_os_shared_store32(&d->reader_woken, 1);
		d->st.wakeups++;
		nm_os_notify(d->wake);
	}
	return SIM_TAP_QUEUED;
}

const uint8_t *sim_tap_peek(struct sim_tap *t, uint32_t *len)
{
	uint32_t prod = nm_os_shared_load32(&t->prod);
	const struct sim_tap_skb *skb;

	if (prod == t->cons)
		return NULL;
	/* prod before the frame it covers; pairs with the
	 * nm_os_fence_store_store() in sim_tap_write(). */
	nm_os_fence_load_load();
	skb = &t->q[t->cons % t->cap];
	*len = skb->len;
	return skb->data;
}

void sim_tap_pop(struct sim_tap *t)
{
	sim_cost_charge(SIM_C_TAP_PKT, 1);
	sim_cost_charge(SIM_C_SKB_FREE, 1);
	t->st.read++;
	/* The copy out of the entry is done before it is handed back; its
	 * producer reads cons under its lock, a store-store orders them. */
	nm_os_fence_store_store();
	nm_os_shared_store32(&t->cons, t->cons + 1);
}

bool sim_tap_wait(struct sim_tap *t, bool on)
{
	if (on)
		nm_os_shared_store32(&t->reader_woken, 0);
	nm_os_shared_store32(&t->reader_waiting, on ? 1 : 0);
	if (!on)
		return false;
	/* The flag before the re-check; pairs with the
	 * nm_os_fence_store_load() in sim_tap_write(). */
	nm_os_fence_store_load();
	return nm_os_shared_load32(&t->prod) != t->cons;
}

uint32_t sim_tap_queued(const struct sim_tap *t)
{
	return t->prod - t->cons;
}

bool sim_tap_polled(const struct sim_tap *t)
{
	return t->reader_waiting != 0;
}
