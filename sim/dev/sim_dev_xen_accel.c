/*
 * sim_dev_xen_accel.c - Xen's accelerator plugin beside an unchanged
 * netfront/netback channel: both paths at once on a sending guest, a
 * per-flow classifier in netfront, and the plugin withdrawn and restored
 * at run time (xen with accel: all | none | even | odd).
 *
 * Owns: the application's ring (netfront's queue), the two paths, each a
 * device model of its own on a struct sim_ep whose owner is the endpoint
 * (its interrupts wake the application, its counters are the endpoint's):
 *   slow  netfront/netback: shared rings, event channels, a grant copy per
 *         frame by netback into the endpoint's switch port (sim_dev_emu.c
 *         with Xen's policy);
 *   fast  the plugin: a port of its own on the same VALE switch whose ring
 *         the guest maps, synchronised through the CSB by the core's step
 *         functions (sim_dev_ptnet.c with event channel costs);
 * and the switch-over state machine.  netfront copies each frame from the
 * application's ring into the chosen path's ring, in ring order.
 *
 * Classifier: the TCP/UDP source port of an IPv4 or IPv6 frame, read from
 * its first slot (even or odd); accel: all takes every frame, none none;
 * a frame with no such port takes the slow path.  One flow, one port, one
 * path: the trace's flows are keyed on the same 5-tuple.
 *
 * Switch-over (the drain protocol).  Per-flow order holds on each path
 * (each is FIFO into the switch); a flow moving between paths could be
 * overtaken by its own later frames on the new one.  So when the plugin is
 * withdrawn, netfront stops giving the accelerated flows to the fast path,
 * holds their frames (in the application's ring: its slots are released
 * in order only) and waits until the fast path has returned every slot it
 * was given (the host took them into the switch, in the destination's
 * ring, before it published them back); then the held frames go first,
 * on the slow path.  Restore is the reverse, waiting for the slow path to
 * return every slot up to the last frame of an accelerated flow it was
 * given.  Frames of the other flows keep moving meanwhile.  Nothing is
 * dropped: a frame waits, never is cut.  accel_switch: naive skips the
 * wait (test only: the flow-order invariant must then fail).
 */
#include "sim_dev_xen_accel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "nm_region.h"
#include "nm_ring_user.h"
#include "sim_cost.h"
#include "sim_engine.h"
#include "sim_ep.h"
#include "sim_run.h"

enum sim_xacc_state {
	SIM_XACC_PRESENT,     /* accelerated flows on the fast path */
	SIM_XACC_WITHDRAWING, /* ... held until the fast path drained */
	SIM_XACC_ABSENT,      /* every flow on the slow path */
	SIM_XACC_RESTORING,   /* accelerated flows held until the slow path drained them */
};

/* A frame netfront holds: k slots of the application's ring from slot
 * (dropped: a bad frame behind a held one, released with it, never sent). */
struct sim_xacc_hold {
	uint32_t slot, k, bytes;
	bool dropped;
};

/* One slot of the frame being handed over, as read (once) and checked. */
struct sim_xacc_frag {
	const uint8_t *buf;
	uint16_t len, more;
};

struct sim_xacc_path {
	struct sim_ep ep;  /* the path's device, ring, head and tail */
	uint64_t put;	   /* slots written into its ring */
	uint64_t done;	   /* of those, returned by it (put - in flight) */
	uint32_t synced;   /* its head at its last sync */
	bool armed;	   /* the application sleeps on its notification */
	bool blocked;	   /* this pass found its ring too full */
	bool refreshed;	   /* this pass synced it for room already */
};

struct sim_xacc {
	struct sim_ep *ep;
	struct nm_region areg; /* the application's ring */
	struct netmap_ring *aring;
	uint32_t n;
	uint32_t disp;	       /* the next application slot to classify */
	struct sim_xacc_path path[2];
	bool path_up[2];       /* its device was built (for fini) */
	enum sim_xacc_state st;
	bool want_withdraw, want_restore;
	uint64_t mark;	       /* the old path's done must reach it */
	uint64_t slow_accel_put; /* slow put after its last accelerated frame */
	struct sim_xacc_frag frag[NETMAP_MAX_FRAGS]; /* sim_xacc_frame()'s */
	struct sim_xacc_hold *hold; /* ring of n entries */
	uint32_t hold_head, hold_n;
	struct sim_xen_accel_report rep;
};

const char *const sim_xen_accel_names[SIM_XEN_ACCEL_COUNT + 1] = {
	"off", "all", "none", "even", "odd", NULL,
};
const char *const sim_xen_switch_names[SIM_XEN_SWITCH_COUNT + 1] = {
	"drain", "naive", NULL,
};

bool sim_xen_accel_on(const struct sim_sc_endpoint *c)
{
	/* The reader takes accel from xen endpoints only (a device key,
	 * sim_sc_validate_dev_keys()), so no table look-up: the table names
	 * xen's file, which names this one. */
	return c->accel != SIM_XEN_ACCEL_OFF;
}

int sim_xen_accel_check(const struct sim_sc_endpoint *c,
			enum sim_switch_type swt, char *msg, size_t msglen)
{
	const char *f = c->accel < SIM_XEN_ACCEL_COUNT ? sim_xen_accel_names[c->accel] : "?";

	if (!sim_xen_accel_on(c)) {
		if (c->accel_withdraw_us != 0)
			snprintf(msg, msglen, "accel_withdraw_us %u without the plugin (expected accel: all, none, even or odd on a xen endpoint)",
				 c->accel_withdraw_us);
		else if (c->accel_restore_us != 0)
			snprintf(msg, msglen, "accel_restore_us %u without the plugin (expected accel: all, none, even or odd on a xen endpoint)",
				 c->accel_restore_us);
		else if (c->accel_switch != SIM_XEN_SWITCH_DRAIN)
			snprintf(msg, msglen, "accel_switch: naive without the plugin (expected accel: all, none, even or odd on a xen endpoint)");
		else
			return 0;
		return -EINVAL;
	}
	if (c->fast_path) {
		snprintf(msg, msglen, "accel: %s with fast_path: true (expected one of them: fast_path puts the whole endpoint on the accelerated path)", f);
		return -EINVAL;
	}
	if (c->role != SIM_ROLE_SENDER) {
		snprintf(msg, msglen, "accel: %s on a receiver (expected a sender: the classifier is the sending netfront's)", f);
		return -EINVAL;
	}
	if (swt != SIM_SW_VALE) {
		snprintf(msg, msglen, "accel: %s on a pipe (expected a VALE switch: the plugin's port is a second port beside netback's)", f);
		return -EINVAL;
	}
	if (c->accel_restore_us != 0 &&
	    (c->accel_withdraw_us == 0 || c->accel_restore_us <= c->accel_withdraw_us)) {
		snprintf(msg, msglen, "accel_restore_us %u is not after accel_withdraw_us %u (expected a withdraw first, then a later restore)",
			 c->accel_restore_us, c->accel_withdraw_us);
		return -EINVAL;
	}
	return 0;
}

/* ---- Classifier. */

/* The TCP/UDP source port of the frame whose first slot is f[0..len), or
 * -1 (not IP, another protocol, or headers past the first slot). */
static int32_t sim_xacc_sport(const uint8_t *f, uint32_t len)
{
	uint32_t ihl;

	if (len >= 34 && f[12] == 0x08 && f[13] == 0x00 && (f[14] >> 4) == 4) {
		ihl = (uint32_t)(f[14] & 0xf) * 4;
		if ((f[23] == 6 || f[23] == 17) && ihl >= 20 && len >= 14 + ihl + 2)
			return (int32_t)((uint32_t)f[14 + ihl] << 8 | f[14 + ihl + 1]);
		return -1;
	}
	if (len >= 56 && f[12] == 0x86 && f[13] == 0xdd && (f[14] >> 4) == 6 &&
	    (f[20] == 6 || f[20] == 17))
		return (int32_t)((uint32_t)f[54] << 8 | f[55]);
	return -1;
}

/* The frame in x->frag[]: does the plugin take it? */
static bool sim_xacc_is_accel(const struct sim_xacc *x)
{
	const uint8_t *f = x->frag[0].buf;
	uint32_t len = x->frag[0].len;
	int32_t p;

	switch (x->ep->cfg->accel) {
	case SIM_XEN_ACCEL_ALL:
		return true;
	case SIM_XEN_ACCEL_EVEN:
	case SIM_XEN_ACCEL_ODD:
		p = sim_xacc_sport(f, len);
		return p >= 0 && (uint32_t)(p & 1) ==
			(x->ep->cfg->accel == SIM_XEN_ACCEL_ODD ? 1U : 0U);
	case SIM_XEN_ACCEL_NONE:
	default:
		return false;
	}
}

/* ---- Paths. */

static bool sim_xacc_switching(const struct sim_xacc *x)
{
	return x->st == SIM_XACC_WITHDRAWING || x->st == SIM_XACC_RESTORING;
}

/* Where accelerated flows go once no switch-over is in progress. */
static uint32_t sim_xacc_accel_path(const struct sim_xacc *x)
{
	return x->st == SIM_XACC_PRESENT ? SIM_XEN_PATH_FAST : SIM_XEN_PATH_SLOW;
}

static void sim_xacc_account(struct sim_xacc_path *p)
{
	uint32_t n = p->ep.n;
	uint32_t out = n - 1 - nm_idx_dist(p->ep.head, p->ep.tail, n);

	p->done = p->put - out;
}

/* Hand [synced, head) to the path and learn what it returned. */
static void sim_xacc_sync(struct sim_xacc_path *p)
{
	p->ep.ops->sync(&p->ep);
	p->synced = p->ep.head;
	sim_xacc_account(p);
}

/* Room for k slots in path p's ring (synced once per pass to reclaim). */
static bool sim_xacc_room(struct sim_xacc_path *p, uint32_t k)
{
	if (nm_idx_dist(p->ep.head, p->ep.tail, p->ep.n) >= k)
		return true;
	if (!p->refreshed) {
		p->refreshed = true;
		sim_xacc_sync(p);
		if (nm_idx_dist(p->ep.head, p->ep.tail, p->ep.n) >= k)
			return true;
	}
	p->blocked = true;
	return false;
}

/*
 * The frame at application slot i (published slots end at end) into
 * x->frag[]: each slot's length, flags and buffer read once, the buffer
 * checked to lie in the application's region and the length to fit both
 * paths' buffers (the application is untrusted: netfront copies only what
 * it checked).  Returns its slots, with its bytes; 0: its chain is not all
 * published yet; negative: -(slots) of a frame no path can carry (a slot
 * length or buffer index out of range, or a chain past NETMAP_MAX_FRAGS),
 * dropped and counted by the caller.
 */
static int32_t sim_xacc_frame(struct sim_xacc *x, uint32_t i, uint32_t end,
			      uint32_t *bytes)
{
	const struct netmap_slot *s;
	struct sim_xacc_frag *fr;
	uint32_t k = 0, len, cap = x->aring->nr_buf_size;
	uint16_t flags;
	bool bad = false;

	if (x->path[0].ep.ring->nr_buf_size < cap)
		cap = x->path[0].ep.ring->nr_buf_size;
	if (x->path[1].ep.ring->nr_buf_size < cap)
		cap = x->path[1].ep.ring->nr_buf_size;
	*bytes = 0;
	for (;;) {
		if (i == end)
			return 0;
		s = &x->aring->slot[i];
		fr = &x->frag[k];
		len = nm_os_shared_load16(&s->len);
		/* Beside len, read at the same instant (one counted load). */
		flags = *(volatile const uint16_t *)&s->flags;
		fr->buf = nm_ring_user_buf(x->aring, nm_os_shared_load32(&s->buf_idx));
		fr->len = (uint16_t)len;
		fr->more = flags & NS_MOREFRAG;
		if (len > cap || !nm_region_contains(&x->areg, fr->buf, len))
			bad = true;
		*bytes += len;
		k++;
		if (!fr->more)
			break;
		if (k == NETMAP_MAX_FRAGS) {
			bad = true;
			break;
		}
		i = nm_idx_next(i, x->n);
	}
	return bad ? -(int32_t)k : (int32_t)k;
}

/* Copy the k slots sim_xacc_frame() checked into path pi's ring. */
static void sim_xacc_put(struct sim_xacc *x, uint32_t pi, uint32_t k,
			 uint32_t bytes)
{
	struct sim_xacc_path *p = &x->path[pi];
	struct netmap_ring *dr = p->ep.ring;
	struct netmap_slot *ds;
	uint32_t f;

	for (f = 0; f < k; f++) {
		/* The path's ring is netfront's own (its buffers its own). */
		ds = &dr->slot[p->ep.head];
		nm_os_memcpy(nm_ring_user_buf(dr, nm_os_shared_load32(&ds->buf_idx)),
			     x->frag[f].buf, x->frag[f].len);
		nm_os_shared_store16(&ds->len, x->frag[f].len);
		nm_os_shared_store16(&ds->flags, x->frag[f].more);
		p->ep.head = nm_idx_next(p->ep.head, p->ep.n);
	}
	p->put += k;
	x->rep.pkts[pi]++;
	x->rep.bytes[pi] += bytes;
}

/* ---- The switch-over state machine (netfront, on the application's CPU). */

static void sim_xacc_begin(struct sim_xacc *x, struct sim_xen_switchover *so,
			   uint32_t old, uint64_t mark, enum sim_xacc_state during,
			   enum sim_xacc_state after)
{
	so->started = true;
	so->start_ns = nm_os_time_ns();
	/* What the old path returned while the application slept, so that
	 * pending counts the slots really out now. */
	sim_xacc_sync(&x->path[old]);
	x->path[old].refreshed = true;
	so->pending = mark > x->path[old].done ? mark - x->path[old].done : 0;
	if (x->ep->cfg->accel_switch == SIM_XEN_SWITCH_NAIVE) {
		x->st = after;
		so->done = true;
		so->done_ns = so->start_ns;
		return;
	}
	x->mark = mark;
	x->st = during;
}

/* Has the old path returned every slot the moving flows had on it? */
static void sim_xacc_check_drained(struct sim_xacc *x, uint32_t old,
				   struct sim_xen_switchover *so,
				   enum sim_xacc_state after)
{
	struct sim_xacc_path *p = &x->path[old];

	if (p->done < x->mark && p->ep.head == p->synced) {
		sim_xacc_sync(p); /* learn what it returned since */
		p->refreshed = true;
	}
	if (p->done < x->mark)
		return;
	x->st = after;
	so->done = true;
	so->done_ns = nm_os_time_ns();
}

static void sim_xacc_progress(struct sim_xacc *x)
{
	if (x->st == SIM_XACC_PRESENT && x->want_withdraw) {
		x->want_withdraw = false;
		/* The fast path carries accelerated flows only: all of it. */
		sim_xacc_begin(x, &x->rep.withdraw, SIM_XEN_PATH_FAST,
			       x->path[SIM_XEN_PATH_FAST].put, SIM_XACC_WITHDRAWING,
			       SIM_XACC_ABSENT);
	}
	if (x->st == SIM_XACC_WITHDRAWING)
		sim_xacc_check_drained(x, SIM_XEN_PATH_FAST, &x->rep.withdraw,
				       SIM_XACC_ABSENT);
	if (x->st == SIM_XACC_ABSENT && x->want_restore) {
		x->want_restore = false;
		sim_xacc_begin(x, &x->rep.restore, SIM_XEN_PATH_SLOW,
			       x->slow_accel_put, SIM_XACC_RESTORING,
			       SIM_XACC_PRESENT);
	}
	if (x->st == SIM_XACC_RESTORING)
		sim_xacc_check_drained(x, SIM_XEN_PATH_SLOW, &x->rep.restore,
				       SIM_XACC_PRESENT);
}

static void sim_xacc_hold_push(struct sim_xacc *x, uint32_t slot, uint32_t k,
			       uint32_t bytes, bool dropped)
{
	struct sim_xacc_hold *h = &x->hold[nm_idx_add(x->hold_head, x->hold_n, x->n)];

	h->slot = slot;
	h->k = k;
	h->bytes = bytes;
	h->dropped = dropped;
	x->hold_n++;
	if (dropped)
		return;
	if (x->hold_n > x->rep.held_max)
		x->rep.held_max = x->hold_n;
	if (x->st == SIM_XACC_WITHDRAWING)
		x->rep.withdraw.held++;
	else if (x->st == SIM_XACC_RESTORING)
		x->rep.restore.held++;
}

/*
 * One pass of netfront: the switch-over, then the held frames (oldest
 * first, once their flows' path is settled), then the application's new
 * frames in ring order, then one sync of each path that got slots (its
 * kick decision).  The application's slots are released in order, up to
 * the oldest frame still held.
 */
static void sim_xacc_pass(struct sim_xacc *x)
{
	struct sim_ep *ep = x->ep;
	struct sim_xacc_hold *h;
	uint32_t pi, k, bytes, rel;
	int32_t r;
	bool acc;

	for (pi = 0; pi < 2; pi++) {
		x->path[pi].blocked = false;
		x->path[pi].refreshed = false;
		x->path[pi].armed = false;
	}
	sim_xacc_progress(x);
	while (x->hold_n != 0 && !sim_xacc_switching(x)) {
		h = &x->hold[x->hold_head];
		pi = sim_xacc_accel_path(x);
		if (!h->dropped) {
			/* Read and checked again: the slots stayed the
			 * application's memory while held. */
			r = sim_xacc_frame(x, h->slot, ep->head, &bytes);
			if (r != (int32_t)h->k) {
				sim_ep_st(ep)->dev_drops++;
				sim_ep_st(ep)->drops_too_big++;
			} else {
				if (!sim_xacc_room(&x->path[pi], h->k))
					break;
				sim_xacc_put(x, pi, h->k, bytes);
				if (pi == SIM_XEN_PATH_SLOW)
					x->slow_accel_put = x->path[pi].put;
			}
		}
		x->hold_head = nm_idx_next(x->hold_head, x->n);
		x->hold_n--;
	}
	while (x->disp != ep->head) {
		r = sim_xacc_frame(x, x->disp, ep->head, &bytes);
		if (r == 0)
			break;
		if (r < 0) {
			/* Counted, its slots skipped (released in order). */
			sim_ep_st(ep)->dev_drops++;
			sim_ep_st(ep)->drops_too_big++;
			if (x->hold_n != 0) /* released after the held frames before it */
				sim_xacc_hold_push(x, x->disp, (uint32_t)-r, 0, true);
			x->disp = nm_idx_add(x->disp, (uint32_t)-r, x->n);
			continue;
		}
		k = (uint32_t)r;
		acc = sim_xacc_is_accel(x);
		if (acc && (sim_xacc_switching(x) || x->hold_n != 0)) {
			sim_xacc_hold_push(x, x->disp, k, bytes, false);
			x->disp = nm_idx_add(x->disp, k, x->n);
			continue;
		}
		pi = acc ? sim_xacc_accel_path(x) : SIM_XEN_PATH_SLOW;
		if (!sim_xacc_room(&x->path[pi], k))
			break;
		sim_xacc_put(x, pi, k, bytes);
		if (acc && pi == SIM_XEN_PATH_SLOW)
			x->slow_accel_put = x->path[pi].put;
		x->disp = nm_idx_add(x->disp, k, x->n);
	}
	for (pi = 0; pi < 2; pi++)
		if (x->path[pi].ep.head != x->path[pi].synced)
			sim_xacc_sync(&x->path[pi]);
	rel = x->hold_n != 0 ? x->hold[x->hold_head].slot : x->disp;
	ep->tail = nm_idx_prev(rel, x->n);
}

/* ---- The application's side (struct sim_dev_ops). */

static void sim_xacc_app_sync(struct sim_ep *ep)
{
	sim_xacc_pass(ep->dev);
}

/* Sleep on path pi's notification: true, or false if it has news. */
static bool sim_xacc_arm(struct sim_xacc *x, uint32_t pi)
{
	struct sim_xacc_path *p = &x->path[pi];
	bool sleep;

	if (pi == SIM_XEN_PATH_FAST) {
		/* cur over every free slot: the CSB's would-block test is
		 * cur == hwtail, so the host interrupts at its next hwtail,
		 * the wait for room and for the drain alike (netmap's
		 * "wake me when tail passes cur"). */
		p->ep.cur_ahead = nm_idx_dist(p->ep.head, p->ep.tail, p->ep.n);
		sim_xacc_sync(p);
		p->ep.cur_ahead = 0;
	}
	sleep = p->ep.ops->may_sleep(&p->ep);
	sim_xacc_account(p);
	p->armed = sleep;
	return sleep;
}

static bool sim_xacc_may_sleep(struct sim_ep *ep)
{
	struct sim_xacc *x = ep->dev;
	uint32_t before = ep->tail, pi;

	sim_xacc_pass(x);
	if (ep->tail != before || ep->tail == nm_idx_prev(ep->head, ep->n))
		return false;
	/* What the pass waits for: the old path's drain, room on a path. */
	if (x->st == SIM_XACC_WITHDRAWING)
		pi = SIM_XEN_PATH_FAST;
	else if (x->st == SIM_XACC_RESTORING)
		pi = SIM_XEN_PATH_SLOW;
	else if (x->path[SIM_XEN_PATH_SLOW].blocked)
		pi = SIM_XEN_PATH_SLOW;
	else if (x->path[SIM_XEN_PATH_FAST].blocked)
		pi = SIM_XEN_PATH_FAST;
	else
		return false; /* nothing blocks: run again */
	return sim_xacc_arm(x, pi);
}

static void sim_xacc_woken(struct sim_ep *ep)
{
	struct sim_xacc *x = ep->dev;
	uint32_t pi;

	for (pi = 0; pi < 2; pi++) {
		if (!x->path[pi].armed)
			continue;
		x->path[pi].ep.ops->woken(&x->path[pi].ep);
		x->path[pi].armed = false;
	}
}

static bool sim_xacc_app_has_work(struct sim_ep *ep)
{
	struct sim_xacc *x = ep->dev;
	uint32_t pi;

	/* Only the path it sleeps on promised a notification. */
	for (pi = 0; pi < 2; pi++)
		if (x->path[pi].armed &&
		    x->path[pi].ep.ops->app_has_work(&x->path[pi].ep))
			return true;
	return false;
}

static bool sim_xacc_rings_ok(struct sim_ep *ep, const char **what)
{
	struct sim_xacc *x = ep->dev;

	return x->path[SIM_XEN_PATH_SLOW].ep.ops->rings_ok(&x->path[SIM_XEN_PATH_SLOW].ep, what) &&
	       x->path[SIM_XEN_PATH_FAST].ep.ops->rings_ok(&x->path[SIM_XEN_PATH_FAST].ep, what);
}

static void sim_xacc_free(struct sim_xacc *x)
{
	uint32_t pi;

	for (pi = 0; pi < 2; pi++)
		if (x->path_up[pi])
			x->path[pi].ep.ops->fini(&x->path[pi].ep);
	nm_region_destroy(&x->areg);
	free(x->hold);
	free(x);
}

static void sim_xacc_fini(struct sim_ep *ep)
{
	if (ep->dev == NULL)
		return;
	sim_xacc_free(ep->dev);
	ep->dev = NULL;
}

/* Installed by sim_xen_accel_init(), which xen's own init calls: never in
 * the device table, so no init of its own. */
static const struct sim_dev_ops sim_dev_xen_accel_ops = {
	.name = "xen",
	.init = NULL,
	.fini = sim_xacc_fini,
	.sync = sim_xacc_app_sync,
	.may_sleep = sim_xacc_may_sleep,
	.woken = sim_xacc_woken,
	.app_has_work = sim_xacc_app_has_work,
	.rings_ok = sim_xacc_rings_ok,
};

/* ---- The toolstack: withdraw (index 0) and restore (1) at their times. */

static void sim_xacc_timer(struct sim_engine *eng, void *arg,
			   const struct sim_event *ev)
{
	struct sim_xacc *x = arg;
	struct sim_xen_switchover *so = ev->index == 0 ? &x->rep.withdraw : &x->rep.restore;

	(void)eng;
	so->requested = true;
	so->req_ns = nm_os_time_ns();
	if (ev->index == 0)
		x->want_withdraw = true;
	else
		x->want_restore = true;
	/* A xenstore watch fires in the guest: an event channel interrupt
	 * that runs netfront (its next pass begins the switch-over). */
	sim_actor_wake(&x->ep->app, nm_os_time_ns() + sim_cost_ns(SIM_C_IRQ_INJECT));
}

/* ---- Building it. */

static int sim_xacc_path_init(struct sim_xacc *x, uint32_t pi,
			      const struct sim_dev_ops *slow, char *err,
			      size_t errlen)
{
	struct sim_ep *ep = x->ep, *p = &x->path[pi].ep;
	bool fast = pi == SIM_XEN_PATH_FAST;
	int rc;

	p->run = ep->run;
	p->trace = ep->trace;
	p->tcfg = ep->tcfg;
	p->pk = ep->pk;
	p->buf_size = ep->buf_size;
	p->cfg = ep->cfg;
	p->idx = ep->idx;
	p->role = ep->role;
	p->dir = ep->dir;
	p->sw = ep->sw;
	p->swport = fast ? ep->accel_swport : ep->swport;
	p->port = fast ? ep->accel_port : ep->port;
	p->pkr = fast ? ep->accel_pkr : ep->pkr;
	p->owner = ep;
	p->ops = fast ? &sim_dev_ptnet_evtchn_ops : slow;
	rc = p->ops->init(p, err, errlen);
	if (rc != 0) {
		/* ptnet's init leaves its state behind on a CSB error. */
		if (p->dev != NULL)
			p->ops->fini(p);
		return rc;
	}
	x->path_up[pi] = true;
	x->path[pi].synced = p->head;
	sim_xacc_account(&x->path[pi]);
	return 0;
}

int sim_xen_accel_init(struct sim_ep *ep, const struct sim_dev_ops *slow,
		       char *err, size_t errlen)
{
	struct nm_region_geom g = { 0 };
	struct sim_xacc *x;
	int rc;

	if (ep->accel_port == NULL || ep->role != SIM_ROLE_SENDER) {
		snprintf(err, errlen, "endpoint %s: accel without the plugin's port (expected a sender on a VALE switch)",
			 ep->cfg->name);
		return -EINVAL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		goto oom;
	x->ep = ep;
	x->n = ep->cfg->slots;
	x->hold = calloc(x->n, sizeof(*x->hold));
	g.num_ifs = 1;
	g.ifs[0].tx_rings = g.ifs[0].rx_rings = 1;
	g.ifs[0].tx_slots = g.ifs[0].rx_slots = x->n;
	g.buf_size = ep->buf_size;
	if (x->hold == NULL || nm_region_create(&x->areg, &g, ep->cfg->name) != 0) {
		free(x->hold);
		free(x);
		goto oom;
	}
	x->aring = nm_region_ring(&x->areg, 0, NR_TX, 0);
	x->rep.flows = sim_xen_accel_names[ep->cfg->accel];
	x->rep.mode = sim_xen_switch_names[ep->cfg->accel_switch];
	rc = sim_xacc_path_init(x, SIM_XEN_PATH_SLOW, slow, err, errlen);
	if (rc == 0)
		rc = sim_xacc_path_init(x, SIM_XEN_PATH_FAST, NULL, err, errlen);
	if (rc != 0) {
		sim_xacc_free(x);
		return rc;
	}
	ep->dev = x;
	ep->ops = &sim_dev_xen_accel_ops;
	ep->ring = x->aring;
	ep->n = x->n;
	ep->head = x->aring->head;
	ep->tail = x->aring->tail;
	/* netback is the endpoint's device thread (backend_cpu pins it). */
	ep->backend = x->path[SIM_XEN_PATH_SLOW].ep.backend;
	if (ep->cfg->accel_withdraw_us != 0)
		sim_schedule(ep->run->eng, ep->cfg->accel_withdraw_us * 1000ULL,
			     sim_xacc_timer, x, SIM_EV_DEV, ep->app.id, ep->idx, 0);
	if (ep->cfg->accel_restore_us != 0)
		sim_schedule(ep->run->eng, ep->cfg->accel_restore_us * 1000ULL,
			     sim_xacc_timer, x, SIM_EV_DEV, ep->app.id, ep->idx, 1);
	return 0;
oom:
	snprintf(err, errlen, "endpoint %s: out of memory for the device", ep->cfg->name);
	return -ENOMEM;
}

bool sim_xen_accel_report(const struct sim_ep *ep, struct sim_xen_accel_report *r)
{
	const struct sim_xacc *x;

	if (ep->ops != &sim_dev_xen_accel_ops || ep->dev == NULL)
		return false;
	x = ep->dev;
	*r = x->rep;
	r->present = x->st == SIM_XACC_PRESENT;
	return true;
}
