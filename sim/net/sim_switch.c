/*
 * sim_switch.c - ports of VALE switches and pipes, opened by name through
 * the core (nm_port_open), as a netmap application would.
 *
 * Names: switch i of a scenario is the VALE switch "vale<i>" (ports
 * "vale<i>:<endpoint>", any number of them) or the pipe "simpipe<i>"
 * (sender "simpipe<i>{0", receiver "simpipe<i>}0"; the scenario reader
 * guarantees one of each).
 *
 * Learning (VALE switches with more than two ports): the core's bridge
 * floods unknown destinations to every other port, which on a many-port
 * switch would fill the senders' RX rings (nobody reads them) and deliver
 * a frame to several receivers.  So before time 0 each receiver's port
 * transmits one 60-byte frame from and to its rank MAC; the bridge learns
 * the source and drops the frame (destination is the source port).  The
 * built-in trace addresses flow f to the receiver of rank f mod R.
 */
#include "sim_switch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm_ctrl.h"
#include "nm_os_sim.h"
#include "nm_pipe.h"
#include "nm_ring_user.h"
#include "sim_actor.h"
#include "sim_cost.h"
#include "vale.h"

#define SIM_LEARN_FRAME 60U
#define SIM_LEARN_ETHERTYPE 0x88b5U /* IEEE local experimental */

int sim_switch_open_port(struct sim_switch *sw, struct nm_registry *reg,
			 const char *ep_name, uint32_t ep, enum sim_role role,
			 uint32_t slots, uint32_t buf_size, uint32_t *slot,
			 char *err, size_t errlen)
{
	return sim_switch_open_port_spare(sw, reg, ep_name, ep, role, slots,
					  buf_size, 0, slot, err, errlen);
}

int sim_switch_open_port_spare(struct sim_switch *sw, struct nm_registry *reg,
			       const char *ep_name, uint32_t ep,
			       enum sim_role role, uint32_t slots,
			       uint32_t buf_size, uint32_t extra_bufs,
			       uint32_t *slot, char *err, size_t errlen)
{
	struct nm_port_geom g = { 1, 1, slots, slots, buf_size };
	char name[NETMAP_REQ_IFNAMSIZ];
	struct sim_swport *sp;
	struct vale_port *vp;
	int rc;

	if (sw->nports == VALE_MAX_PORTS ||
	    (sw->type == SIM_SW_PIPE && sw->nports == 2)) {
		snprintf(err, errlen, "switch %s: no port left for %s", sw->name, ep_name);
		return -ENOSPC;
	}
	if (role == SIM_ROLE_LINK)
		snprintf(name, sizeof(name), "vale%u:%s.link", sw->idx, ep_name);
	else if (sw->type == SIM_SW_VALE)
		snprintf(name, sizeof(name), "vale%u:%s", sw->idx, ep_name);
	else
		snprintf(name, sizeof(name), "simpipe%u%c0", sw->idx,
			 role == SIM_ROLE_SENDER ? '{' : '}');
	sp = &sw->port[sw->nports];
	memset(sp, 0, sizeof(*sp));
	rc = nm_port_open_spare(reg, name, 0, extra_bufs, &g, &sp->p);
	if (rc != 0) {
		sp->p = NULL;
		snprintf(err, errlen, "switch %s: cannot open port %s: error %d",
			 sw->name, name, rc);
		return rc;
	}
	if (sp->p->region != NULL)
		nm_sim_lock_name(&sp->p->region->pool.lock, "buf_pool");
	if (sp->p->kind == NM_PORT_VALE) {
		vp = (struct vale_port *)sp->p;
		nm_sim_lock_name(&vp->rx[0].lock, "vale.rx_ring");
		sp->lease = calloc(1, sizeof(*sp->lease));
		if (sp->lease == NULL) {
			nm_port_close(sp->p);
			sp->p = NULL;
			snprintf(err, errlen, "switch %s: out of memory for port %s",
				 sw->name, name);
			return -ENOMEM;
		}
		sim_lease_watch_start(sp->lease, &vp->rx[0]);
	}
	sp->role = role;
	sp->ep = ep;
	if (role == SIM_ROLE_RECEIVER)
		sp->rank = sw->nreceivers++;
	*slot = sw->nports++;
	return 0;
}

/* One PORT_HDR_SET or _GET request on port name through the core's
 * request decoding; *len in and out. */
static int sim_switch_hdr_req(struct nm_registry *reg, uint16_t type,
			      const char *name, uint32_t *len)
{
	struct {
		struct nmreq_header h;
		struct nmreq_port_hdr b;
	} *u = calloc(1, sizeof(*u));
	struct nm_ctrl_req *r = malloc(sizeof(*r));
	struct nmreq_port_hdr *ph;
	int rc;

	if (u == NULL || r == NULL) {
		free(u);
		free(r);
		return -ENOMEM;
	}
	u->h.nr_version = NETMAP_API;
	u->h.nr_reqtype = type;
	snprintf(u->h.nr_name, sizeof(u->h.nr_name), "%s", name);
	u->h.nr_body = (uint64_t)(uintptr_t)&u->b;
	u->b.nr_hdr_len = *len;
	rc = nm_sim_user_add(u, sizeof(*u));
	if (rc == 0) {
		rc = nm_ctrl_decode(r, (uint64_t)(uintptr_t)&u->h);
		if (rc == 0)
			rc = nm_ctrl_options_check(r);
		if (rc == 0) {
			ph = nm_ctrl_body(r);
			rc = type == NETMAP_REQ_PORT_HDR_SET
				     ? vale_port_set_vnet_hdr(reg, r->hdr.nr_name, ph->nr_hdr_len)
				     : vale_port_get_vnet_hdr(reg, r->hdr.nr_name, &ph->nr_hdr_len);
		}
		rc = nm_ctrl_finish(r, rc);
		*len = u->b.nr_hdr_len;
	}
	nm_sim_user_reset();
	free(r);
	free(u);
	return rc;
}

int sim_switch_set_vnet_hdr(struct sim_switch *sw, struct nm_registry *reg,
			    uint32_t slot, uint32_t len, char *err, size_t errlen)
{
	const struct nm_port *p = sw->port[slot].p;
	uint32_t got = len;
	int rc;

	if (sw->type != SIM_SW_VALE || p->kind != NM_PORT_VALE) {
		snprintf(err, errlen, "switch %s: port %s has no virtio-net header (expected a VALE port)",
			 sw->name, p->name);
		return -EINVAL;
	}
	rc = sim_switch_hdr_req(reg, NETMAP_REQ_PORT_HDR_SET, p->name, &got);
	if (rc == 0) {
		got = UINT32_MAX;
		rc = sim_switch_hdr_req(reg, NETMAP_REQ_PORT_HDR_GET, p->name, &got);
	}
	if (rc != 0 || got != len) {
		snprintf(err, errlen, "switch %s: PORT_HDR_SET %u on %s: error %d (read back %u)",
			 sw->name, len, p->name, rc, got);
		return rc != 0 ? rc : -EPROTO;
	}
	return 0;
}

void sim_switch_close(struct sim_switch *sw)
{
	uint32_t i;

	for (i = 0; i < sw->nports; i++) {
		if (sw->port[i].lease != NULL) {
			sim_lease_watch_stop(sw->port[i].lease);
			free(sw->port[i].lease);
			sw->port[i].lease = NULL;
		}
		if (sw->port[i].p != NULL)
			nm_port_close(sw->port[i].p);
		sw->port[i].p = NULL;
	}
	sw->nports = 0;
	sim_tap_bridge_free(sw->tap);
	sw->tap = NULL;
}

bool sim_switch_is_learning(const struct sim_switch *sw)
{
	return sw->type == SIM_SW_VALE && sw->nports > 2;
}

/* Transmit one learning frame from and to the MAC of rank on the TX ring
 * of port sp (a receiver's, or a link's for a rank beyond it). */
static int sim_switch_learn_one(struct sim_switch *sw, struct sim_swport *sp,
				uint32_t rank, char *err, size_t errlen)
{
	struct nm_kring *kr = nm_port_kring(sp->p, NR_TX, 0);
	const struct vale_port *vp = (const struct vale_port *)sp->p;
	struct netmap_ring *ring = kr->ring;
	uint8_t f[SIM_LEARN_FRAME] = { 0 };
	uint64_t before = vale_port_drops(vp, VALE_DROP_SELF);
	struct netmap_slot *slot;
	uint32_t head = ring->head;
	int rc;

	f[0] = f[6] = 0x02;
	f[5] = f[11] = (uint8_t)(SIM_RX_MAC_BASE + rank);
	f[12] = SIM_LEARN_ETHERTYPE >> 8;
	f[13] = SIM_LEARN_ETHERTYPE & 0xff;
	slot = &ring->slot[head];
	nm_os_memcpy(nm_ring_user_buf(ring, nm_os_shared_load32(&slot->buf_idx)),
		     f, sizeof(f));
	nm_os_shared_store16(&slot->len, SIM_LEARN_FRAME);
	nm_os_shared_store16(&slot->flags, 0);
	head = nm_idx_next(head, kr->num_slots);
	nm_ring_user_publish(ring, head, head);
	rc = nm_kring_sync(kr, 0);
	if (rc != 0 || vale_port_drops(vp, VALE_DROP_SELF) != before + 1) {
		snprintf(err, errlen, "switch %s: learning frame of port %s not learnt (sync %d)",
			 sw->name, sp->p->name, rc);
		return -EPROTO;
	}
	sp->learn_frames++;
	return 0;
}

int sim_switch_learn(struct sim_switch *sw, char *err, size_t errlen)
{
	struct sim_swport *sp;
	uint32_t i, k;
	int rc;

	if (!sim_switch_is_learning(sw))
		return 0;
	for (i = 0; i < sw->nports; i++) {
		sp = &sw->port[i];
		for (k = 0; k < VALE_MAX_PORTS; k++) {
			if (sp->role == SIM_ROLE_RECEIVER ? k != sp->rank :
			    sp->role != SIM_ROLE_LINK || !((sp->reach[k / 64] >> (k % 64)) & 1))
				continue;
			rc = sim_switch_learn_one(sw, sp, k, err, errlen);
			if (rc != 0)
				return rc;
		}
	}
	for (i = 0; i < sw->nports; i++) {
		sp = &sw->port[i];
		sp->drops_base = vale_port_drops_total((const struct vale_port *)sp->p);
		sw->learn_drops += sp->drops_base;
		/* Learning frames are not trace packets: not charged either. */
		sp->charged_pkts = nm_os_counter_read(
			&((const struct vale_port *)sp->p)->stats.tx_pkts);
	}
	sw->learned = true;
	return 0;
}

struct nm_kring *sim_switch_kring(const struct sim_switch *sw, uint32_t slot)
{
	const struct sim_swport *sp = &sw->port[slot];

	/* A link's port: its RX ring, where the switch hands frames to it. */
	return nm_port_kring(sp->p, sp->role == SIM_ROLE_SENDER ? NR_TX : NR_RX, 0);
}

/* sim_switch_charge(); offload: the caller's sync forwarded from a TX
 * ring, so the offload work the core counted since the last such call is
 * its own. */
static void sim_switch_charge_as(struct sim_switch *sw, bool offload)
{
	const struct vale_port *vp;
	struct sim_swport *sp;
	uint64_t now, fwd = 0, seg = 0, csum = 0;
	uint32_t i;

	if (sw->type != SIM_SW_VALE)
		return;
	for (i = 0; i < sw->nports; i++) {
		sp = &sw->port[i];
		vp = (const struct vale_port *)sp->p;
		/* Offload work is counted at its destination and done by a
		 * forwarding (TX) sync: under the concurrent model a
		 * receiver's sync may end between a sender's forwarding and
		 * its charge, and must not take that work as its own. */
		if (offload) {
			now = vale_port_rx_seg_extra(vp);
			seg += now - sp->charged_seg;
			sp->charged_seg = now;
			now = vale_port_rx_csum_bytes(vp);
			csum += now - sp->charged_csum;
			sp->charged_csum = now;
		}
		if (sp->role == SIM_ROLE_RECEIVER)
			continue;
		now = nm_os_counter_read(&vp->stats.tx_pkts);
		if (now > sp->charged_pkts + sp->inline_pkts)
			fwd += now - sp->charged_pkts - sp->inline_pkts;
		if (now > sp->charged_pkts)
			sp->inline_pkts -= sp->inline_pkts < now - sp->charged_pkts
						   ? sp->inline_pkts : now - sp->charged_pkts;
		sp->charged_pkts = now;
	}
	if (fwd != 0)
		sim_cost_charge(SIM_C_SWITCH_PKT, fwd);
	if (seg != 0)
		sim_cost_charge(SIM_C_SEG_FRAME, seg);
	if (csum != 0)
		sim_cost_charge(SIM_C_CSUM_BYTE, csum);
}

void sim_switch_charge(struct sim_switch *sw)
{
	sim_switch_charge_as(sw, true);
}

bool sim_switch_pending(const struct sim_switch *sw, uint32_t slot)
{
	const struct sim_swport *sp = &sw->port[slot];
	const struct nm_kring *kr = sim_switch_kring(sw, slot);
	const struct vale_port *vp;
	const struct nm_pipe_end *pe;

	/* The simulator's omniscient view: plain reads, no counted steps. */
	if (sp->p->kind == NM_PORT_VALE) {
		vp = (const struct vale_port *)sp->p;
		if (sp->role == SIM_ROLE_SENDER)
			return false; /* VALE TX is consumed within the sync */
		return vp->rx[0].ls.hwtail != kr->hwtail;
	}
	pe = (const struct nm_pipe_end *)sp->p;
	if (sp->role == SIM_ROLE_RECEIVER)
		return pe->rx[0].link->tx_pos != kr->hwtail;
	return nm_idx_prev(pe->tx[0].link->rx_pos, kr->num_slots) != kr->hwtail;
}

static bool sim_switch_ring_lease_ok(const struct vale_rx_ring *rx,
				     const char **what)
{
	const struct vale_lease *ls = &rx->ls;
	uint32_t n = ls->num_slots;

	if (ls->hwcur >= n || ls->hwtail >= n || ls->hwlease >= n) {
		*what = "lease index out of range";
		return false;
	}
	if (ls->hwtail != ls->hwlease) {
		*what = "a lease is open between steps (hwtail != hwlease)";
		return false;
	}
	if (rx->kr.hwcur != ls->hwcur &&
	    nm_idx_dist(ls->hwcur, rx->kr.hwcur, n) >
		    nm_idx_dist(ls->hwcur, ls->hwtail, n)) {
		*what = "receiver released slots beyond the lease tail";
		return false;
	}
	return true;
}

bool sim_switch_lease_ok(const struct sim_switch *sw, uint64_t *checked,
			 uint32_t *bad, const char **what)
{
	uint32_t i;

	if (sw->type != SIM_SW_VALE)
		return true;
	for (i = 0; i < sw->nports; i++) {
		(*checked)++;
		if (!sim_switch_ring_lease_ok(&((const struct vale_port *)sw->port[i].p)->rx[0],
					      what)) {
			*bad = i;
			return false;
		}
	}
	return true;
}

void sim_switch_port_stats(const struct sim_switch *sw, uint32_t slot,
			   struct sim_swport_stats *st)
{
	const struct sim_swport *sp = &sw->port[slot];
	const struct vale_port *vp;

	memset(st, 0, sizeof(*st));
	if (sw->type != SIM_SW_VALE)
		return; /* pipes apply back-pressure, never drop */
	vp = (const struct vale_port *)sp->p;
	st->tx_pkts = nm_os_counter_read(&vp->stats.tx_pkts);
	st->rx_pkts = nm_os_counter_read(&vp->stats.rx_pkts);
	st->drops = vale_port_drops_total(vp) - sp->drops_base;
	st->drops_rx_full = vale_port_drops(vp, VALE_DROP_RX_FULL);
	/* The learning frames are not trace packets. */
	st->tx_pkts -= sp->learn_frames;
}

/* The switch's drops over every port: all reasons, or RX ring full alone. */
static uint64_t sim_switch_sum_drops(const struct sim_switch *sw, bool rx_full)
{
	struct sim_swport_stats st;
	uint64_t d = 0;
	uint32_t i;

	for (i = 0; i < sw->nports; i++) {
		sim_switch_port_stats(sw, i, &st);
		d += rx_full ? st.drops_rx_full : st.drops;
	}
	return d;
}

uint64_t sim_switch_drops(const struct sim_switch *sw)
{
	return sim_switch_sum_drops(sw, false);
}

uint64_t sim_switch_drops_rx_full(const struct sim_switch *sw)
{
	return sim_switch_sum_drops(sw, true);
}

uint64_t sim_switch_drops_reason(const struct sim_switch *sw,
				 enum vale_drop_reason r)
{
	uint64_t d = 0;
	uint32_t i;

	if (sw->type != SIM_SW_VALE)
		return 0; /* pipes apply back-pressure, never drop */
	for (i = 0; i < sw->nports; i++) {
		d += vale_port_drops((const struct vale_port *)sw->port[i].p, r);
		if (r == VALE_DROP_SELF)
			d -= sw->port[i].drops_base;
	}
	return d;
}

void sim_switch_fwd_begin(struct sim_switch *sw, const struct nm_kring *kr,
			  struct sim_actor *a)
{
	struct sim_swport *sp;
	uint32_t i;

	if (a == NULL || sw->type != SIM_SW_VALE || kr->dir != NM_KRING_TX)
		return;
	for (i = 0; i < sw->nports; i++) {
		sp = &sw->port[i];
		if (sp->role == SIM_ROLE_RECEIVER || nm_port_kring(sp->p, NR_TX, 0) != kr)
			continue;
		sim_actor_fwd_on(a, kr->ring->slot,
				 (size_t)kr->num_slots * sizeof(struct netmap_slot),
				 sizeof(struct netmap_slot),
				 offsetof(struct netmap_slot, buf_idx), &sp->inline_pkts);
		return;
	}
}

void sim_switch_fwd_end(struct sim_switch *sw, struct sim_actor *a)
{
	/* fwd_begin armed a only for a VALE TX ring: a forwarding sync. */
	bool tx = a != NULL && a->fwd_count != NULL;

	if (a != NULL)
		sim_actor_fwd_off(a);
	sim_switch_charge_as(sw, tx || a == NULL);
}
