/*
 * sim_monitor.c - a scenario's monitors: see sim_monitor.h.
 *
 * The actor's run is the monitor process's loop, on a CPU of its own:
 *   rxsync of every monitor RX ring (one system call: releases the slots
 *   read last time, which feeds a zero-copy monitor chained after it, and
 *   imports what the taps wrote); per slot SIM_C_APP_PKT; a frame ends at
 *   a slot without NS_MOREFRAG and goes to the pcap; then again if it read
 *   anything, else poll(): one more sync and sleep if nothing came.
 * The taps run in the monitored port's own syncs, on its actor's clock:
 * a copy monitor's copy is charged there (the core's nm_os_memcpy), as a
 * kernel's would be.
 */
#include "sim_monitor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm_monitor.h"
#include "nm_port.h"
#include "nm_ring_user.h"
#include "sim_cost.h"
#include "sim_pcap_sink.h"
#include "sim_run.h"

struct sim_monitor {
	struct sim_actor actor;
	struct sim_ep *ep;
	const struct sim_sc_monitor *cfg;
	uint32_t k;
	struct nm_port *port;
	struct nm_os_notifier notifier;
	struct sim_pcap_sink *sink;
	char pcap[SIM_PATH_MAX];
	uint8_t *frame; /* a frame gathered over its fragments */
	uint32_t frame_cap, frame_len;
	bool frame_txmon;
	uint64_t frames[2]; /* [NR_TX], [NR_RX]: whole frames seen */
	uint64_t pads;	    /* empty slots (a VALE lease's pads) */
	bool draining;	    /* after the run: no actor to charge */
};

static const char *const sim_mon_rings[] = { "", "tx", "rx", "both" };

uint32_t sim_monitor_spare_bufs(const struct sim_sc_endpoint *cfg,
				uint32_t buf_size)
{
	uint32_t k, n, sum = 0;

	/* Per monitor: a buffer per RX slot, and the netmap_if, a TX ring of
	 * the port's size and an RX ring (nm_monitor_zc.c) in whole
	 * buffers, rounded up. */
	for (k = 0; k < cfg->nmonitors; k++) {
		if (cfg->monitors[k].mode != SIM_MON_ZCOPY)
			continue;
		n = cfg->monitors[k].slots != 0 ? cfg->monitors[k].slots
						: cfg->slots;
		sum += n + (512 + 2 * 256 + 16 * (n + cfg->slots)) / buf_size + 4;
	}
	return sum;
}

/* One slot of a monitor ring: gather, and at a frame's end, record. */
static void sim_monitor_slot(struct sim_monitor *m, struct netmap_ring *r,
			     const struct netmap_slot *s)
{
	uint32_t len = s->len;

	if (!m->draining)
		sim_cost_charge(SIM_C_APP_PKT, 1);
	if (m->frame_len == 0)
		m->frame_txmon = (s->flags & NS_TXMON) != 0;
	if (len > r->nr_buf_size)
		len = r->nr_buf_size; /* the core never delivers it */
	if (m->frame_len + len <= m->frame_cap) {
		memcpy(m->frame + m->frame_len,
		       nm_ring_user_buf(r, s->buf_idx), len);
		if (!m->draining)
			sim_cost_charge(SIM_C_COPY_BYTE, len);
	}
	m->frame_len += len;
	if (s->flags & NS_MOREFRAG)
		return;
	if (m->frame_len == 0) {
		m->pads++;
	} else {
		m->frames[m->frame_txmon ? NR_TX : NR_RX]++;
		if (m->sink != NULL)
			sim_pcap_sink_write(m->sink, nm_os_time_ns(), m->frame,
					    m->frame_len <= m->frame_cap
						    ? m->frame_len
						    : m->frame_cap);
	}
	m->frame_len = 0;
}

/* Sync every monitor ring and read what is new; slots read. */
static uint64_t sim_monitor_read(struct sim_monitor *m)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < m->port->num_rings[NR_RX]; i++) {
		struct nm_kring *kr = m->port->kring[NR_RX][i];
		struct netmap_ring *r = kr->ring;
		uint32_t h, tail;
		int rc;

		rc = nm_kring_sync(kr, 0);
		if (rc != 0)
			sim_run_violation(m->ep->run, SIM_INV_RING_INDEX,
					  &m->actor, m->ep->idx,
					  "monitor %s: rxsync failed: %d",
					  m->actor.name, rc);
		tail = nm_ring_user_tail(r);
		for (h = r->head; h != tail; h = nm_idx_next(h, r->num_slots)) {
			sim_monitor_slot(m, r, &r->slot[h]);
			n++;
		}
		/* Released at the next sync. */
		nm_ring_user_publish(r, tail, tail);
	}
	return n;
}

static void sim_monitor_body(struct sim_actor *a)
{
	struct sim_monitor *m = a->priv;

	sim_cost_charge(SIM_C_SYSCALL, 1);
	if (sim_monitor_read(m) != 0) {
		sim_actor_again(a);
		return;
	}
	if (a->woken)
		a->spurious++;
	sim_actor_sleep(a);
}

/* Published state says there is work: a tap moved a ring's hwtail past
 * what the last sync imported. */
static bool sim_monitor_has_work(struct sim_actor *a)
{
	struct sim_monitor *m = a->priv;
	struct nm_monitor *mon = (struct nm_monitor *)m->port;
	uint32_t i;

	for (i = 0; i < m->port->num_rings[NR_RX]; i++)
		if (mon->rx[i].hwtail != mon->rx[i].kr.hwtail)
			return true;
	return false;
}

static void sim_monitor_deliver(struct nm_os_notifier *n, void *arg)
{
	struct sim_monitor *m = arg;

	(void)n;
	sim_actor_wake(&m->actor, nm_os_time_ns() + sim_cost_ns(SIM_C_WAKEUP));
}

int sim_monitor_open(struct sim_ep *ep, uint32_t k, struct nm_registry *reg,
		     const char *pcap_dir, struct sim_monitor **out,
		     char *err, size_t errlen)
{
	const struct sim_sc_monitor *cfg = &ep->cfg->monitors[k];
	char name[NETMAP_REQ_IFNAMSIZ + 8], aname[48];
	struct nm_port_geom g;
	struct sim_monitor *m;
	int rc, len;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto oom;
	m->ep = ep;
	m->cfg = cfg;
	m->k = k;
	m->frame_cap = ep->buf_size * 64; /* a chain of NETMAP_MAX_FRAGS */
	m->frame = malloc(m->frame_cap);
	if (m->frame == NULL)
		goto oom;
	len = snprintf(name, sizeof(name), "%s/%s%s%s", ep->port->name,
		       cfg->mode == SIM_MON_ZCOPY ? "z" : "", cfg->tx ? "t" : "",
		       cfg->rx ? "r" : "");
	if (len < 0 || (size_t)len >= NETMAP_REQ_IFNAMSIZ) {
		snprintf(err, errlen, "endpoint %s: monitor name %s is too long",
			 ep->cfg->name, name);
		free(m->frame);
		free(m);
		return -EINVAL;
	}
	memset(&g, 0, sizeof(g));
	g.rx_slots = cfg->slots; /* 0: the port's */
	rc = nm_port_open(reg, name, &g, &m->port);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: cannot open monitor %s: error %d",
			 ep->cfg->name, name, rc);
		goto err_free;
	}
	/* A relative pcap goes under --pcap-out, as the sinks': none
	 * without it (a run does not litter the current directory). */
	if (cfg->pcap[0] != '\0' && (cfg->pcap[0] == '/' || pcap_dir != NULL)) {
		if (cfg->pcap[0] == '/')
			len = snprintf(m->pcap, sizeof(m->pcap), "%s", cfg->pcap);
		else
			len = snprintf(m->pcap, sizeof(m->pcap), "%s/%s", pcap_dir,
				       cfg->pcap);
		rc = -EINVAL;
		if (len < 0 || (size_t)len >= sizeof(m->pcap)) {
			snprintf(err, errlen, "endpoint %s: monitor pcap path too long",
				 ep->cfg->name);
			goto err_port;
		}
		m->sink = sim_pcap_sink_open(m->pcap, m->frame_cap, err, errlen);
		if (m->sink == NULL)
			goto err_port;
	}
	m->notifier.count = 0;
	m->notifier.deliver = sim_monitor_deliver;
	m->notifier.arg = m;
	rc = nm_port_set_notifier(m->port, NR_RX, NM_PORT_ALL_RINGS,
				  &m->notifier);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: monitor notifier: %d",
			 ep->cfg->name, rc);
		goto err_port;
	}
	/* Nothing runs before the world starts its actors: the notifier
	 * finds the actor made. */
	snprintf(aname, sizeof(aname), "%s.mon%u", ep->cfg->name, k);
	sim_actor_init(&m->actor, ep->run, aname, ep->idx, sim_monitor_body,
		       sim_monitor_has_work, m);
	*out = m;
	return 0;

err_port:
	sim_pcap_sink_close(m->sink);
	nm_port_close(m->port);
err_free:
	free(m->frame);
	free(m);
	return rc;
oom:
	if (m != NULL)
		free(m);
	snprintf(err, errlen, "endpoint %s: out of memory for a monitor",
		 ep->cfg->name);
	return -ENOMEM;
}

/* Frames the receiver has read and not yet released: those ending in
 * [hwcur, head) of its kring (a frame's last slot has no NS_MOREFRAG). */
static uint64_t sim_monitor_unreleased(const struct sim_ep *ep)
{
	const struct nm_kring *kr = ep->pkr;
	uint64_t n = 0;
	uint32_t i;

	for (i = kr->hwcur; i != ep->head; i = nm_idx_next(i, kr->num_slots))
		n += !(kr->ring->slot[i].flags & NS_MOREFRAG) &&
		     kr->ring->slot[i].len != 0;
	return n;
}

void sim_monitor_finish(struct sim_monitor *m, uint64_t *checks)
{
	struct nm_monitor *mon = (struct nm_monitor *)m->port;
	uint32_t dir = m->ep->dir;
	/* Frames, not packets: a receiver that gathers the switch's
	 * segments of a GSO frame (sim_app.c) took a frame per segment,
	 * each a frame of the port's for the monitor; without segments
	 * the two are equal (a sender's pkts counts its guest's pieces). */
	uint64_t moved = dir == NR_RX ? m->ep->st.frames : m->ep->st.pkts, seen,
		 dropped, bad;

	if (m->port == NULL)
		return;
	/* What the process reads before it exits (uncharged: the run's
	 * time has ended). */
	m->draining = true;
	while (sim_monitor_read(m) != 0)
		;
	seen = m->frames[dir];
	dropped = nm_os_counter_read(&mon->stats.dropped);
	bad = nm_os_counter_read(&mon->stats.bad);
	if (!(dir == NR_TX ? m->cfg->tx : m->cfg->rx))
		return;
	/* An RX zero-copy monitor sees a frame when the application
	 * releases it: not the frames read since its last sync. */
	if (dir == NR_RX && m->cfg->mode == SIM_MON_ZCOPY)
		moved -= sim_monitor_unreleased(m->ep);
	(*checks)++;
	/* Monitored frames are the endpoint's own: never more, and all of
	 * them when the monitor kept up. */
	if (seen > moved || (dropped == 0 && bad == 0 && seen != moved))
		sim_run_violation(m->ep->run, SIM_INV_CONSERVATION, &m->actor,
				  m->ep->idx,
				  "monitor %s saw %llu %s frames, endpoint moved %llu (monitor drops %llu, bad %llu)",
				  m->actor.name, (unsigned long long)seen,
				  dir == NR_TX ? "TX" : "RX",
				  (unsigned long long)moved,
				  (unsigned long long)dropped,
				  (unsigned long long)bad);
}

bool sim_monitor_stats(const struct sim_monitor *m, struct sim_monitor_stats *out)
{
	struct nm_monitor *mon = (struct nm_monitor *)m->port;

	if (mon == NULL)
		return false;
	out->ep_name = m->ep->cfg->name;
	out->k = m->k;
	out->mode = m->cfg->mode == SIM_MON_ZCOPY ? "zero-copy" : "copy";
	out->rings = sim_mon_rings[(m->cfg->tx ? 1 : 0) | (m->cfg->rx ? 2 : 0)];
	out->seen[NR_TX] = m->frames[NR_TX];
	out->seen[NR_RX] = m->frames[NR_RX];
	out->dropped = nm_os_counter_read(&mon->stats.dropped);
	out->bad = nm_os_counter_read(&mon->stats.bad);
	out->pcap = m->pcap;
	return true;
}

const char *sim_monitor_pcap(const struct sim_monitor *m, uint64_t *frames)
{
	if (m->pcap[0] == '\0')
		return NULL;
	*frames = m->frames[NR_TX] + m->frames[NR_RX];
	return m->pcap;
}

int sim_monitor_flush(struct sim_monitor *m)
{
	int rc;

	if (m->sink == NULL)
		return 0;
	rc = sim_pcap_sink_close(m->sink);
	m->sink = NULL;
	return rc;
}

int sim_monitor_close(struct sim_monitor *m)
{
	int rc = 0;

	if (m == NULL)
		return 0;
	if (m->port != NULL) {
		nm_port_set_notifier(m->port, NR_RX, NM_PORT_ALL_RINGS, NULL);
		nm_port_close(m->port);
	}
	if (m->sink != NULL)
		rc = sim_pcap_sink_close(m->sink);
	free(m->frame);
	free(m);
	return rc;
}

struct sim_actor *sim_monitor_actor(struct sim_monitor *m)
{
	return &m->actor;
}
