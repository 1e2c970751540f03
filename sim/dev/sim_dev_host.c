/*
 * sim_dev_host.c - no device: a host process on a switch port.
 *
 * The application's ring is the port's own netmap_ring; a sync is a system
 * call (NIOCTXSYNC / NIOCRXSYNC) that runs nm_kring_sync() on the port's
 * kring, where the core forwards (VALE) or hands descriptors over (pipe).
 * Sleeping is poll(): the kernel syncs once more and, with nothing new,
 * queues the process on the ring's wait queue (under the lock, so no
 * wake-up is lost); the switch's notifier wakes it after the scheduler's
 * wake-up latency.
 */
#include "nm_port.h"
#include "nm_ring_user.h"
#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_ep.h"
#include "sim_run.h"
#include "sim_switch.h"

static void sim_host_kernel_sync(struct sim_ep *ep)
{
	int rc;

	nm_ring_user_publish(ep->ring, ep->head, ep->head);
	sim_switch_fwd_begin(ep->sw, ep->pkr, &ep->app);
	rc = nm_kring_sync(ep->pkr, 0);
	sim_switch_fwd_end(ep->sw, &ep->app);
	/* A ring another thread is syncing is skipped, as the kernel's
	 * NIOCTXSYNC/NIOCRXSYNC and poll() skip it (nmlab_sync(), the
	 * reference's nm_kr_tryget()): an RX copy monitor's tap holds the
	 * kring inside the switch's notification (nm_kring_tap_arrivals()),
	 * which wakes us when it ends, so the next sync finds the ring. */
	if (rc != 0 && rc != -EBUSY)
		sim_run_violation(ep->run, SIM_INV_RING_INDEX, &ep->app, ep->idx,
				  "nm_kring_sync(%s) failed: %d (head %u)",
				  ep->pkr->name, rc, ep->head);
	ep->tail = nm_ring_user_tail(ep->ring);
}

static int sim_host_init(struct sim_ep *ep, char *err, size_t errlen)
{
	struct nm_port *p = ep->port;

	(void)err;
	(void)errlen;
	ep->ring = ep->pkr->ring;
	ep->n = ep->pkr->num_slots;
	ep->head = ep->ring->head;
	ep->tail = ep->ring->tail;
	sim_ep_port_notifier_init(ep, &ep->app,
				  sim_cost_ns(SIM_C_WAKEUP));
	return nm_port_set_notifier(p, ep->dir, 0, &ep->port_notifier);
}

static void sim_host_fini(struct sim_ep *ep)
{
	nm_port_set_notifier(ep->port, ep->dir, 0, NULL);
}

static void sim_host_sync(struct sim_ep *ep)
{
	sim_cost_charge(SIM_C_SYSCALL, 1);
	ep->st.syscalls++;
	ep->st.syncs++;
	sim_host_kernel_sync(ep);
}

static bool sim_host_may_sleep(struct sim_ep *ep)
{
	uint32_t before = ep->tail;

	/* poll(): one more sync in the kernel, then sleep if nothing moved. */
	sim_cost_charge(SIM_C_SYSCALL, 1);
	ep->st.syscalls++;
	sim_host_kernel_sync(ep);
	return ep->tail == before;
}

static void sim_host_woken(struct sim_ep *ep)
{
	ep->st.irqs++;
}

static bool sim_host_app_has_work(struct sim_ep *ep)
{
	return sim_switch_pending(ep->sw, ep->swport) || ep->pkr->hwtail != ep->tail;
}

static bool sim_host_rings_ok(struct sim_ep *ep, const char **what)
{
	if (!nm_kring_valid(ep->pkr)) {
		*what = "port kring";
		return false;
	}
	return true;
}

static const struct sim_dev_ops sim_dev_host_ops = {
	.name = "none",
	.init = sim_host_init,
	.fini = sim_host_fini,
	.sync = sim_host_sync,
	.may_sleep = sim_host_may_sleep,
	.woken = sim_host_woken,
	.app_has_work = sim_host_app_has_work,
	.rings_ok = sim_host_rings_ok,
};

static const struct sim_dev_key *const sim_host_keys[] = { NULL };

const struct sim_dev_desc sim_dev_none_desc = {
	.name = "none",
	.summary = "no VM: a host process on the switch port, syncs are system calls",
	.keys = sim_host_keys,
	.model = { .threads = 0, .ops = &sim_dev_host_ops },
};
