/*
 * sim_link.c - links between VALE switches: the sending NIC, the wire with
 * its line rate and propagation delay, and the receiving NIC's driver.
 *
 * The NICs move frames by DMA: copying a frame in or out of the queue and
 * reading or writing a slot are plain memory accesses, not CPU steps.  What
 * runs on a CPU (each actor has its own) is the core: the rxsync that
 * imports frames on the near switch and the txsync that forwards them on
 * the far one, counted step by step like every sync.
 */
#include "sim_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm_ring_user.h"
#include "sim_run.h"
#include "sim_switch.h"
#include "vale.h"

/* Picoseconds the line needs for a frame of len bytes. */
static uint64_t sim_link_frame_ps(const struct sim_link *l, uint32_t len)
{
	uint64_t bits = (uint64_t)(len + SIM_LINK_FRAMING_BYTES) * 8;

	return (bits * 1000000000000ULL + l->cfg->bandwidth_bps - 1) /
	       l->cfg->bandwidth_bps;
}

static void sim_link_sync(struct sim_link_dir *ld, struct nm_kring *kr,
			  uint32_t head, struct sim_switch *sw,
			  struct sim_actor *a)
{
	int rc;

	nm_ring_user_publish(kr->ring, head, head);
	sim_switch_fwd_begin(sw, kr, a);
	rc = nm_kring_sync(kr, 0);
	sim_switch_fwd_end(sw, a);
	if (rc != 0)
		sim_run_violation(a->run, SIM_INV_RING_INDEX, a, a->ep,
				  "link %s: nm_kring_sync(%s) failed: %d (head %u)",
				  ld->l->cfg->name, kr->name, rc, head);
}

/* Double the storage of frames queued or on the wire (seq order kept).
 * 0 or -ENOMEM (the caller then drops the frame). */
static int sim_link_grow(struct sim_link_dir *ld, uint32_t frame)
{
	uint64_t cap = ld->cap * 2, k;
	struct sim_link_frame *q;
	uint8_t *data;

	if (cap > SIM_LINK_MAX_FRAMES)
		return -ENOMEM;
	q = calloc(cap, sizeof(*q));
	data = malloc(cap * frame);
	if (q == NULL || data == NULL) {
		free(q);
		free(data);
		return -ENOMEM;
	}
	for (k = ld->first; k < ld->next; k++) {
		q[k % cap] = ld->q[k % ld->cap];
		memcpy(data + (k % cap) * frame, ld->data + (k % ld->cap) * frame, frame);
	}
	free(ld->q);
	free(ld->data);
	ld->q = q;
	ld->data = data;
	ld->cap = cap;
	return 0;
}

/* Frames waiting for the line or on it at time now_ps (the queue). */
static uint64_t sim_link_queued(const struct sim_link_dir *ld, uint64_t now_ps)
{
	uint64_t k = ld->next;

	while (k > ld->first && ld->q[(k - 1) % ld->cap].end_ps > now_ps)
		k--;
	return ld->next - k;
}

/* The sending NIC: take every frame the near switch delivered. */
static void sim_link_tx_body(struct sim_actor *a)
{
	struct sim_link_dir *ld = a->priv;
	struct sim_link *l = ld->l;
	struct netmap_ring *ring = ld->in_kr->ring;
	uint32_t n = ld->in_kr->num_slots, tail, len;
	struct sim_link_frame *f;
	struct netmap_slot *slot;
	uint64_t now_ps, start, queued;
	bool was_empty;

	sim_link_sync(ld, ld->in_kr, ld->in_head, ld->in_sw, a);
	tail = nm_ring_user_tail(ring);
	if (ld->in_head == tail) {
		if (a->woken)
			sim_actor_spurious(a);
		sim_actor_sleep(a);
		return;
	}
	was_empty = ld->first == ld->next;
	while (ld->in_head != tail) {
		slot = &ring->slot[ld->in_head];
		len = slot->len;
		if (len == 0) {
			/* A pad of a sender's lease, not a frame. */
			ld->pads++;
			ld->in_head = nm_idx_next(ld->in_head, n);
			continue;
		}
		now_ps = nm_os_time_ns() * 1000;
		queued = sim_link_queued(ld, now_ps);
		ld->taken++;
		if (queued < l->cfg->queue && ld->next - ld->first == ld->cap)
			(void)sim_link_grow(ld, l->frame);
		if (len > l->frame || len > ring->nr_buf_size ||
		    (slot->flags & NS_MOREFRAG)) {
			/* Longer than the NIC's buffers (one buffer per
			 * frame: a chain of slots is a frame over it): never
			 * cut short.  A chain's slots go with it. */
			ld->drops_too_big++;
			while ((slot->flags & NS_MOREFRAG) &&
			       nm_idx_next(ld->in_head, n) != tail) {
				ld->in_head = nm_idx_next(ld->in_head, n);
				slot = &ring->slot[ld->in_head];
			}
		} else if (queued >= l->cfg->queue || ld->next - ld->first == ld->cap) {
			ld->drops_queue_full++;
		} else {
			f = &ld->q[ld->next % ld->cap];
			memcpy(ld->data + (ld->next % ld->cap) * l->frame,
			       nm_ring_user_buf(ring, slot->buf_idx), len);
			start = ld->line_free_ps > now_ps ? ld->line_free_ps : now_ps;
			if (ld->next == 0)
				ld->first_start_ps = start;
			f->len = len;
			f->end_ps = start + sim_link_frame_ps(l, len);
			f->arrive_ns = (f->end_ps + 999) / 1000 + l->cfg->delay_ns;
			ld->line_free_ps = f->end_ps;
			ld->next++;
			if (queued + 1 > ld->max_queued)
				ld->max_queued = queued + 1;
		}
		ld->in_head = nm_idx_next(ld->in_head, n);
	}
	/* Release the slots now; what arrived meanwhile is the next run's. */
	sim_link_sync(ld, ld->in_kr, ld->in_head, ld->in_sw, a);
	if (was_empty && ld->first != ld->next)
		sim_actor_wake(&ld->rx, ld->q[ld->first % ld->cap].arrive_ns);
	sim_actor_again(a);
}

static bool sim_link_tx_has_work(struct sim_actor *a)
{
	struct sim_link_dir *ld = a->priv;

	return sim_switch_pending(ld->in_sw, ld->l->swport[ld->d]) ||
	       ld->in_kr->hwtail != ld->in_head;
}

/* The receiving NIC's driver: hand arrived frames to the far switch. */
static void sim_link_rx_body(struct sim_actor *a)
{
	struct sim_link_dir *ld = a->priv;
	struct sim_link *l = ld->l;
	struct netmap_ring *ring = ld->out_kr->ring;
	uint32_t n = ld->out_kr->num_slots, space, moved = 0;
	uint64_t now = nm_os_time_ns();
	const struct sim_link_frame *f;
	struct netmap_slot *slot;

	space = nm_idx_dist(ld->out_head, nm_ring_user_tail(ring), n);
	while (ld->first != ld->next && space != 0) {
		f = &ld->q[ld->first % ld->cap];
		if (f->arrive_ns > now)
			break;
		ld->last_end_ps = f->end_ps;
		if (f->len > ring->nr_buf_size) {
			/* The far port's buffers are smaller than the frame. */
			ld->drops_too_big++;
			ld->first++;
			continue;
		}
		slot = &ring->slot[ld->out_head];
		memcpy(nm_ring_user_buf(ring, slot->buf_idx),
		       ld->data + (ld->first % ld->cap) * l->frame, f->len);
		slot->len = (uint16_t)f->len;
		slot->flags = 0;
		ld->out_head = nm_idx_next(ld->out_head, n);
		ld->bytes += f->len;
		ld->delivered++;
		ld->first++;
		space--;
		moved++;
	}
	if (moved != 0 || space == 0)
		sim_link_sync(ld, ld->out_kr, ld->out_head, ld->out_sw, a);
	if (ld->first == ld->next) {
		if (a->woken && moved == 0)
			sim_actor_spurious(a);
		sim_actor_sleep(a);
	} else if (ld->q[ld->first % ld->cap].arrive_ns <= nm_os_time_ns()) {
		sim_actor_again(a);
	} else {
		sim_actor_at(a, ld->q[ld->first % ld->cap].arrive_ns);
	}
}

static bool sim_link_rx_has_work(struct sim_actor *a)
{
	struct sim_link_dir *ld = a->priv;

	return ld->first != ld->next;
}

static void sim_link_notify(struct nm_os_notifier *nf, void *arg)
{
	struct sim_link_dir *ld = arg;

	(void)nf;
	sim_actor_wake(&ld->tx, nm_os_time_ns());
}

static int sim_link_dir_init(struct sim_link *l, struct sim_run *run,
			     uint32_t d, char *err, size_t errlen)
{
	struct sim_link_dir *ld = &l->dir[d];
	const struct sim_link_frame *dummy = NULL;
	char name[48];
	uint64_t cap;

	ld->l = l;
	ld->d = d;
	ld->in_sw = l->sw[d];
	ld->out_sw = l->sw[1 - d];
	ld->in_kr = nm_port_kring(ld->in_sw->port[l->swport[d]].p, NR_RX, 0);
	ld->out_kr = nm_port_kring(ld->out_sw->port[l->swport[1 - d]].p, NR_TX, 0);
	/* Room for a short queue; grown (doubled) while frames wait for the
	 * line or propagate. */
	for (cap = 64; cap < l->cfg->queue && cap < 4096; cap *= 2)
		;
	ld->cap = cap;
	ld->q = calloc(cap, sizeof(*dummy));
	ld->data = malloc(cap * l->frame);
	if (ld->q == NULL || ld->data == NULL) {
		snprintf(err, errlen, "link %s: out of memory for its queue", l->cfg->name);
		return -ENOMEM;
	}
	ld->notifier.deliver = sim_link_notify;
	ld->notifier.arg = ld;
	snprintf(name, sizeof(name), "%s.%s.tx", l->cfg->name, d == 0 ? "fwd" : "rev");
	sim_actor_init(&ld->tx, run, name, SIM_MAX_ENDPOINTS + 2 * l->idx + d,
		       sim_link_tx_body, sim_link_tx_has_work, ld);
	snprintf(name, sizeof(name), "%s.%s.rx", l->cfg->name, d == 0 ? "fwd" : "rev");
	sim_actor_init(&ld->rx, run, name, SIM_MAX_ENDPOINTS + 2 * l->idx + d,
		       sim_link_rx_body, sim_link_rx_has_work, ld);
	return nm_port_set_notifier(ld->in_sw->port[l->swport[d]].p, NR_RX, 0,
				    &ld->notifier);
}

int sim_link_build(struct sim_link *l, struct sim_run *run,
		   struct nm_registry *reg, struct sim_switch *const *sw,
		   const struct sim_sc_link *cfg, uint32_t idx, uint32_t buf_size,
		   uint32_t snaplen, char *err, size_t errlen)
{
	uint32_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->idx = idx;
	l->buf_size = buf_size;
	/* Queue storage per frame: the trace's largest frame fits. */
	l->frame = snaplen != 0 && snaplen < l->buf_size ? snaplen : l->buf_size;
	for (i = 0; i < 2; i++) {
		l->sw[i] = sw[cfg->sw[i]];
		rc = sim_switch_open_port(l->sw[i], reg, cfg->name, UINT32_MAX,
					  SIM_ROLE_LINK, cfg->slots, l->buf_size,
					  &l->swport[i], err, errlen);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < 2; i++) {
		rc = sim_link_dir_init(l, run, i, err, errlen);
		if (rc != 0) {
			if (err[0] == '\0')
				snprintf(err, errlen, "link %s: setup failed: %d", cfg->name, rc);
			return rc;
		}
	}
	return 0;
}

void sim_link_start(struct sim_link *l)
{
	uint32_t d;

	/* The sending NICs look once, then sleep until the switch delivers;
	 * the receiving ones sleep until a frame is on the wire.  The rings'
	 * heads are read now: the learning phase wrote to the TX rings. */
	for (d = 0; d < 2; d++) {
		l->dir[d].in_head = l->dir[d].in_kr->ring->head;
		l->dir[d].out_head = l->dir[d].out_kr->ring->head;
		sim_actor_start(&l->dir[d].tx, 0);
		l->dir[d].rx.sleeping = true;
	}
}

void sim_link_fini(struct sim_link *l)
{
	uint32_t d;

	for (d = 0; d < 2; d++) {
		if (l->dir[d].in_kr != NULL && l->dir[d].notifier.deliver != NULL)
			nm_port_set_notifier(l->sw[d]->port[l->swport[d]].p, NR_RX, 0, NULL);
		free(l->dir[d].q);
		free(l->dir[d].data);
		l->dir[d].q = NULL;
		l->dir[d].data = NULL;
	}
}

uint64_t sim_link_in_flight(const struct sim_link *l, uint32_t d)
{
	return l->dir[d].next - l->dir[d].first;
}

uint64_t sim_link_drops(const struct sim_link *l)
{
	return l->dir[0].drops_queue_full + l->dir[1].drops_queue_full +
	       l->dir[0].drops_too_big + l->dir[1].drops_too_big;
}

double sim_link_mpps(const struct sim_link *l, uint32_t d)
{
	const struct sim_link_dir *ld = &l->dir[d];

	if (ld->delivered == 0 || ld->last_end_ps <= ld->first_start_ps)
		return 0.0;
	return (double)ld->delivered * 1e6 / (double)(ld->last_end_ps - ld->first_start_ps);
}

double sim_link_max_mpps(const struct sim_link *l, uint32_t len)
{
	return 1e6 / (double)sim_link_frame_ps(l, len);
}
