/*
 * sim_guest.c - the guest stack in front of a sending application whose
 * port has a virtio-net header: what becomes of each trace frame before
 * it reaches the ring.
 *
 * Owns: struct sim_txq (sim_ep.h).  A frame within the guest's MTU, or a
 * GSO super-frame its offloads cover, is one frame behind its header
 * (sim_vnet_prepare(): GSO fields, a partial checksum, or a checksum its
 * software computes).  A frame over the MTU that no offload covers is cut
 * by the guest's own stack (sim_gseg.h: TCP segments, IPv4 fragments),
 * each piece then prepared the same way, the stack charged seg_frame_ns
 * per piece beyond the first and csum_byte_ps per byte it sums.  What
 * even that cannot carry (IPv6 other than TCP, a chain over
 * NETMAP_MAX_FRAGS slots or the ring) is dropped by the sender, counted
 * as over the MTU.  Made once per record, so a record that waits for
 * ring space is not charged twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nm_ring_user.h"
#include "sim_cost.h"
#include "sim_ep.h"
#include "sim_trace.h"
#include "sim_vnet.h"

int sim_guest_init(struct sim_ep *ep, uint32_t max_len)
{
	struct sim_txq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return -ENOMEM;
	/* Twice the frame (sim_gseg_split()'s UDP copy) and the slack. */
	q->cap = 2 * (max_len + SIM_VNET_HDR_MAX) + SIM_GSEG_SLACK;
	q->buf = malloc(q->cap);
	if (q->buf == NULL) {
		free(q);
		return -ENOMEM;
	}
	ep->txq = q;
	return 0;
}

void sim_guest_fini(struct sim_ep *ep)
{
	if (ep->txq != NULL)
		free(ep->txq->buf);
	free(ep->txq);
	ep->txq = NULL;
}

/* Prepare frame k of q (its header in the pre bytes before it); false if
 * it is still over the MTU. */
static bool sim_guest_frame(struct sim_ep *ep, struct sim_txq *q, uint32_t k)
{
	uint32_t pre = ep->vnet_hdr, off = q->g.off[k];
	struct sim_vnet_tx tx;

	sim_vnet_prepare(ep->cfg->offloads, ep->cfg->mtu, q->buf + off, q->g.len[k],
			 q->buf + off - pre, pre, &tx);
	if (tx.kind == SIM_VNET_OVER_MTU)
		return false;
	if (tx.csum_bytes != 0) {
		sim_cost_charge(SIM_C_CSUM_BYTE, tx.csum_bytes);
		sim_ep_st(ep)->csum_bytes += tx.csum_bytes;
	}
	q->kind[k] = (uint8_t)tx.kind;
	q->hoff[k] = tx.hoff;
	return true;
}

const struct sim_txq *sim_guest_prepare(struct sim_ep *ep,
					const struct sim_trace_rec *r)
{
	struct sim_txq *q = ep->txq;
	uint32_t pre = ep->vnet_hdr, chunk = sim_ep_chunk(ep->ring->nr_buf_size), k, s;
	struct sim_vnet_tx tx;

	if (q->ready && q->rec == ep->src_next)
		return q;
	q->ready = true;
	q->rec = ep->src_next;
	q->drop = false;
	q->need = 0;
	memset(&q->g, 0, sizeof(q->g));
	/* First as it is: within the MTU, or a super-frame an offload
	 * covers.  Only the decision is kept from this look. */
	memcpy(q->buf + pre, r->frame, r->len);
	sim_vnet_prepare(ep->cfg->offloads, ep->cfg->mtu, q->buf + pre, r->len,
			 q->buf, pre, &tx);
	if (tx.kind != SIM_VNET_OVER_MTU) {
		q->g.n = 1;
		q->g.off[0] = pre;
		q->g.len[0] = r->len;
	} else if (sim_gseg_split(r->frame, r->len, ep->cfg->mtu, pre, q->buf,
				  q->cap, &q->g) != 0) {
		q->drop = true;
		return q;
	} else {
		sim_cost_charge(SIM_C_SEG_FRAME, q->g.n - 1);
		if (q->g.csum_bytes != 0) {
			sim_cost_charge(SIM_C_CSUM_BYTE, q->g.csum_bytes);
			sim_ep_st(ep)->csum_bytes += q->g.csum_bytes;
		}
		sim_ep_st(ep)->guest_split++;
	}
	for (k = 0; k < q->g.n; k++) {
		if (!sim_guest_frame(ep, q, k)) {
			q->drop = true;
			return q;
		}
		s = sim_ep_slots(pre + q->g.len[k], chunk);
		if (s > NETMAP_MAX_FRAGS) {
			q->drop = true;
			return q;
		}
		q->need += s;
	}
	if (q->need > ep->n - 1)
		q->drop = true;
	return q;
}
