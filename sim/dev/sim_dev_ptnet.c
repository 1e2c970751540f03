/*
 * sim_dev_ptnet.c - ptnet: netmap passthrough over the CSB (ptnetmap).
 *
 * The guest application's ring IS the host switch port's netmap_ring (the
 * port's memory is mapped into the guest); index synchronisation goes
 * through the CSB with the core's step functions (core/csb_*.c):
 *   guest txsync/rxsync  = guest syscall + csb_guest_sync(); a kick (the
 *                          ptnet kick register: a VM exit that KVM turns
 *                          into an ioeventfd signal) only when the host
 *                          asked for kicks;
 *   host kloop thread    = csb_host_step() on the port's kring, which runs
 *                          the core's VALE or pipe sync; an interrupt
 *                          (irqfd, injected into the vCPU) only when the
 *                          guest asked for one; with nothing to do it
 *                          enables kicks, re-checks and sleeps, or waits
 *                          for the switch to wake the port.
 * kloop: busy polls every SIM_PTNET_POLL_NS with kicks disabled instead.
 * The Xen accelerated netfront (xen, fast_path: true) is the same model with
 * event channels instead of the kick register and the irqfd: a hypercall
 * for each kick and for each interrupt.
 */
#include <stdio.h>
#include <stdlib.h>

#include "csb.h"
#include "nm_port.h"
#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_ep.h"
#include "sim_run.h"
#include "sim_switch.h"
#include "sim_wmem.h"

#define SIM_PTNET_POLL_NS 1000

struct sim_ptnet {
	struct nm_csb_atok atok __attribute__((aligned(64)));
	struct nm_csb_ktoa ktoa __attribute__((aligned(64)));
	struct csb_host_ring hr;
	struct csb_guest g;
	struct sim_actor kloop;
	struct nm_os_notifier kick, irq;
	struct sim_ep *ep;
	bool busy;
	bool xen; /* event channels instead of kick register and irqfd */
};

static void sim_ptnet_kick_deliver(struct nm_os_notifier *n, void *arg)
{
	struct sim_ptnet *d = arg;

	(void)n;
	sim_actor_wake(&d->kloop, nm_os_time_ns() + sim_cost_ns(SIM_C_WAKEUP));
}

static void sim_ptnet_irq_deliver(struct nm_os_notifier *n, void *arg)
{
	struct sim_ptnet *d = arg;

	(void)n;
	sim_actor_wake(sim_ep_app(d->ep), nm_os_time_ns() + sim_cost_ns(SIM_C_IRQ_INJECT));
}

static void sim_ptnet_kloop_body(struct sim_actor *a)
{
	struct sim_ptnet *d = a->priv;
	struct sim_ep *ep = d->ep;
	struct nm_kring *kr = d->hr.kr;
	uint64_t seen = d->hr.head_total + d->hr.hwtail_total;
	uint32_t hwcur = kr->hwcur, hwtail = kr->hwtail, rcur = kr->rcur;
	unsigned todo = 0;
	int rc;

	sim_switch_fwd_begin(ep->sw, kr, a);
	rc = csb_host_step(&d->hr, 0, &todo);
	sim_switch_fwd_end(ep->sw, a);
	if (rc == -EBUSY) {
		sim_actor_again(a);
		return;
	}
	if (rc != 0) {
		sim_run_violation(ep->run, SIM_INV_RING_INDEX, a, ep->idx,
				  "csb_host_step(%s) failed: %d (rhead %u hwtail %u)",
				  d->hr.kr->name, rc, d->hr.kr->rhead, d->hr.kr->hwtail);
		return;
	}
	if (todo & CSB_DO_NOTIFY) {
		sim_ep_st(ep)->irqs++;
		if (d->xen) {
			sim_cost_charge(SIM_C_HYPERCALL, 1);
			sim_ep_st(ep)->hypercalls++;
		}
		nm_os_notify(&d->irq);
	}
	if (todo & CSB_DO_AGAIN) {
		sim_actor_again(a);
	} else if (d->busy) {
		/* Idle: nothing taken, handed over or published. */
		sim_actor_poll(a, SIM_PTNET_POLL_NS,
			       !(todo & (CSB_DO_NOTIFY | CSB_DO_AGAIN)) && kr->hwcur == hwcur && kr->hwtail == hwtail &&
			       kr->rcur == rcur &&
			       d->hr.head_total + d->hr.hwtail_total == seen);
	} else {
		if (a->woken && !(todo & CSB_DO_NOTIFY))
			sim_actor_spurious(a);
		sim_actor_sleep(a);
	}
}

static bool sim_ptnet_kloop_has_work(struct sim_actor *a)
{
	struct sim_ptnet *d = a->priv;

	if (d->busy)
		return false;
	return (d->ktoa.kern_need_kick != 0 && d->atok.head != d->hr.kr->rhead) ||
	       sim_switch_pending(d->ep->sw, d->ep->swport);
}

static int sim_ptnet_init_as(struct sim_ep *ep, bool xen, char *err,
			     size_t errlen)
{
	struct sim_ptnet *d = aligned_alloc(64, sizeof(*d));
	char name[48];
	int rc;

	if (d == NULL) {
		snprintf(err, errlen, "endpoint %s: out of memory", ep->cfg->name);
		return -ENOMEM;
	}
	memset(d, 0, sizeof(*d));
	ep->dev = d;
	d->ep = ep;
	d->busy = ep->cfg->kloop == SIM_KLOOP_BUSY;
	d->xen = xen;
	ep->ring = ep->pkr->ring;
	ep->n = ep->pkr->num_slots;
	/* The CSB is the memory that only the seam's fences order: under
	 * sim.memory tso|arm its words are weak (sim_wmem.h). */
	if (ep->run->wmem != NULL) {
		rc = sim_wmem_share(ep->run->wmem, &d->atok, sizeof(d->atok));
		if (rc == 0)
			rc = sim_wmem_share(ep->run->wmem, &d->ktoa, sizeof(d->ktoa));
		if (rc != 0) {
			snprintf(err, errlen, "endpoint %s: weak memory: %d", ep->cfg->name, rc);
			goto err_free;
		}
	}
	rc = csb_host_ring_init(&d->hr, ep->pkr, &d->atok, &d->ktoa,
				d->busy ? CSB_MODE_BUSY_WAIT : CSB_MODE_EVENTFD);
	if (rc == 0)
		rc = csb_guest_init(&d->g, ep->dir == NR_TX ? NM_KRING_TX : NM_KRING_RX,
				    ep->n, &d->atok, &d->ktoa);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: CSB setup failed: %d", ep->cfg->name, rc);
		goto err_free;
	}
	ep->head = d->g.head;
	ep->tail = d->g.hwtail;
	d->kick.deliver = sim_ptnet_kick_deliver;
	d->kick.arg = d;
	d->irq.deliver = sim_ptnet_irq_deliver;
	d->irq.arg = d;
	/* Before the actor: once it is initialised the run lists it, and d
	 * can no longer be freed on failure. */
	sim_ep_port_notifier_init(ep, &d->kloop, sim_cost_ns(SIM_C_WAKEUP));
	rc = nm_port_set_notifier(ep->port, ep->dir, 0, &ep->port_notifier);
	if (rc != 0) {
		snprintf(err, errlen, "endpoint %s: port notifier setup failed: %d",
			 ep->cfg->name, rc);
		goto err_free;
	}
	snprintf(name, sizeof(name), "%s.kloop", ep->cfg->name);
	sim_actor_init(&d->kloop, ep->run, name, ep->idx, sim_ptnet_kloop_body,
		       sim_ptnet_kloop_has_work, d);
	ep->backend = &d->kloop;
	sim_actor_start(&d->kloop, 0);
	return 0;

	/* A failed init frees what it took: the world drops the endpoint's
	 * ops and never calls sim_ptnet_fini() for it.  The weak memory's
	 * ranges over d stay listed, unused: the world is torn down next. */
err_free:
	free(d);
	ep->dev = NULL;
	return rc;
}

static void sim_ptnet_fini(struct sim_ep *ep)
{
	nm_port_set_notifier(ep->port, ep->dir, 0, NULL);
	free(ep->dev);
	ep->dev = NULL;
}

static void sim_ptnet_sync(struct sim_ep *ep)
{
	struct sim_ptnet *d = ep->dev;
	unsigned todo = 0;
	int rc;

	sim_cost_charge(SIM_C_SYSCALL, 1);
	sim_ep_st(ep)->syscalls++;
	sim_ep_st(ep)->syncs++;
	rc = csb_guest_sync(&d->g, ep->head,
			    nm_idx_add(ep->head, ep->cur_ahead, ep->n), 0, &todo);
	if (rc != 0) {
		sim_run_violation(ep->run, SIM_INV_RING_INDEX, sim_ep_app(ep), ep->idx,
				  "csb_guest_sync failed: %d (head %u, hwtail %u)",
				  rc, ep->head, d->g.hwtail);
		return;
	}
	if (todo & CSB_DO_NOTIFY) {
		/* The kick register write exits and KVM signals the ioeventfd;
		 * under Xen it is an event channel hypercall. */
		sim_cost_charge(d->xen ? SIM_C_HYPERCALL : SIM_C_VMEXIT, 1);
		if (d->xen)
			sim_ep_st(ep)->hypercalls++;
		else
			sim_ep_st(ep)->vmexits++;
		sim_ep_st(ep)->kicks++;
		nm_os_notify(&d->kick);
	}
	ep->tail = d->g.hwtail;
}

static bool sim_ptnet_may_sleep(struct sim_ep *ep)
{
	struct sim_ptnet *d = ep->dev;
	bool sleep = csb_guest_may_sleep(&d->g);

	ep->tail = d->g.hwtail;
	return sleep;
}

static void sim_ptnet_woken(struct sim_ep *ep)
{
	struct sim_ptnet *d = ep->dev;

	sim_cost_charge(SIM_C_GUEST_IRQ, 1);
	csb_guest_woken(&d->g);
	ep->tail = d->g.hwtail;
}

static bool sim_ptnet_app_has_work(struct sim_ep *ep)
{
	struct sim_ptnet *d = ep->dev;

	/* Not "and appl_need_kick": a correct guest never sleeps without
	 * it (csb_guest_may_sleep()), and one that starts asleep
	 * (rx_start: irq) relies on its initial value, which a bad CSB
	 * initialisation leaves at 0 (bug zoo case 11). */
	return d->ktoa.hwtail != d->g.hwtail;
}

static bool sim_ptnet_rings_ok(struct sim_ep *ep, const char **what)
{
	struct sim_ptnet *d = ep->dev;

	if (!nm_kring_valid(ep->pkr)) {
		*what = "port kring";
		return false;
	}
	/* The application's view of the kernel's indices, as the explorer
	 * checks it (check_view() in models/explore/xp_csb.c): hwcur <= head
	 * <= hwtail around the ring, and nothing read from the CSB rejected
	 * (a rejection in csb_guest_may_sleep() or csb_guest_woken() is
	 * reported nowhere else).  Never broken between steps or inside one:
	 * the view changes as a whole. */
	if (!nm_idx_in_window(d->g.head, d->g.hwcur, d->g.hwtail, d->g.num_slots)) {
		*what = "the guest's CSB view (hwtail ahead of hwcur)";
		return false;
	}
	if (nm_os_counter_read(&d->g.stats.bad_ktoa) != 0) {
		*what = "the guest's CSB view (the kernel's indices rejected)";
		return false;
	}
	return true;
}

static int sim_ptnet_init(struct sim_ep *ep, char *err, size_t errlen)
{
	return sim_ptnet_init_as(ep, false, err, errlen);
}

static int sim_ptnet_evtchn_init(struct sim_ep *ep, char *err, size_t errlen)
{
	return sim_ptnet_init_as(ep, true, err, errlen);
}

#define SIM_PTNET_OPS(dev_name, init_fn)                                    \
	{ .name = dev_name, .init = init_fn, .fini = sim_ptnet_fini,        \
	  .sync = sim_ptnet_sync, .may_sleep = sim_ptnet_may_sleep,          \
	  .woken = sim_ptnet_woken, .app_has_work = sim_ptnet_app_has_work,  \
	  .rings_ok = sim_ptnet_rings_ok }

static const struct sim_dev_ops sim_dev_ptnet_ops = SIM_PTNET_OPS("ptnet", sim_ptnet_init);

const struct sim_dev_ops sim_dev_ptnet_evtchn_ops =
	SIM_PTNET_OPS("xen", sim_ptnet_evtchn_init);

/* The virtio-net header keys: ptnet's port is the VALE port itself;
 * virtio's vhost hands the guest's buffers, header first, to the port
 * (both carry a chain as it is, sim_app.c writes the header). */
static const char *const sim_vnet_hdr_names[] = { "0", "10", "12", NULL };
static const uint32_t sim_vnet_hdr_bytes[] = { 0, 10, 12 };

const struct sim_dev_key sim_dev_key_vnet_hdr = {
	.name = "vnet_hdr", .type = SIM_DEV_KEY_ENUM, .def = 0, .unit = "bytes",
	.names = sim_vnet_hdr_names,
	.off = offsetof(struct sim_sc_endpoint, vnet_hdr),
	.help = "virtio-net header in front of every frame, set on the VALE port with NETMAP_REQ_PORT_HDR_SET",
};
/* Bit i is name i: SIM_OFF_CSUM, _TSO4, _TSO6, _UFO (sim_vnet.h). */
static const char *const sim_offload_names[] = { "csum", "tso4", "tso6", "ufo", NULL };

const struct sim_dev_key sim_dev_key_offloads = {
	.name = "offloads", .type = SIM_DEV_KEY_FLAGS, .def = 0, .unit = "",
	.names = sim_offload_names,
	.off = offsetof(struct sim_sc_endpoint, offloads),
	.help = "virtio-net features: csum (F_CSUM/F_GUEST_CSUM), tso4, tso6, ufo (F_HOST_* or F_GUEST_*); needs vnet_hdr",
};
const struct sim_dev_key sim_dev_key_mtu = {
	.name = "mtu", .type = SIM_DEV_KEY_U32, .lo = 68, .hi = 65535, .def = 1500,
	.unit = "bytes", .off = offsetof(struct sim_sc_endpoint, mtu),
	.help = "guest interface MTU (IP bytes): a longer frame is a GSO super-frame of gso_size MTU less its headers",
};

uint32_t sim_dev_vnet_hdr_len(const struct sim_sc_endpoint *c)
{
	return c->vnet_hdr < 3 ? sim_vnet_hdr_bytes[c->vnet_hdr] : 0;
}

static const struct sim_dev_key *const sim_ptnet_keys[] = {
	&sim_dev_key_vnet_hdr, &sim_dev_key_offloads, &sim_dev_key_mtu, NULL,
};

const struct sim_dev_desc sim_dev_ptnet_desc = {
	.name = "ptnet",
	.summary = "netmap passthrough: the guest maps the switch port, a host kloop syncs through the CSB",
	.keys = sim_ptnet_keys,
	.model = { .threads = SIM_DEV_KLOOP, .ops = &sim_dev_ptnet_ops },
};
