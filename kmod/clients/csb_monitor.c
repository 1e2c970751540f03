/*
 * csb_monitor.c - an RX copy monitor of a VALE port whose receive ring the
 * kernel's sync kloop drives (CSB mode), and the interrupts its guest
 * relies on.
 *
 *   csb-monitor
 *
 * The receiver binds "valeK3:r" with NR_EXCLUSIVE, enables the CSB and
 * starts the kloop in eventfd mode (nmc_csb.c), opens the RX monitor
 * "valeK3:r/r" in the same process, and runs the core's guest side of the
 * CSB protocol on its RX ring (core/csb_guest.c): consume what hwtail
 * shows, release it through the CSB, kick when the kloop asks, and with
 * nothing to read enable interrupts, re-check and sleep on the irqfd.  A
 * plain sender on "valeK3:s" sends NMC_CSBMON_PKTS broadcast frames in
 * batches.  Both the receiver and the monitor must see every frame, in
 * order; the receiver must be interrupted whenever it sleeps with frames
 * on their way.
 *
 * What it pins (docs/monitors.md, "Whoever drives the ring"): the monitor
 * sees the traffic the kloop moves, and its imports at the switch's
 * notification do not swallow the guest's interrupt (the kloop compared
 * hwtail with its own value before its sync, saw nothing new and never
 * interrupted: the receiver slept until its 10 s timeout).
 */
#include "nmc_csb.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define NMC_CSBMON_PKTS 4000U
#define NMC_CSBMON_BATCH 32U
#define NMC_CSBMON_WINDOW 128U /* a multiple of the batch, < the ring */
#define NMC_CSBMON_SLOTS 256U

static const uint8_t mac_s[6] = { 0x02, 0, 0, 0, 3, 0x01 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Read what the monitor holds: each frame the next in sequence. */
static void monitor_drain(struct nmc_port *m, uint32_t *seen)
{
	struct netmap_ring *r = nmc_ring(m, NR_RX, 0);
	uint32_t head, tail;
	int64_t seq;
	int err;

	err = nmc_sync(m, NR_RX);
	NMC_CHECK(err == 0, "monitor rxsync: %s", strerror(err));
	head = r->head;
	tail = nm_ring_user_tail(r);
	while (head != tail) {
		struct netmap_slot *sl = &r->slot[head];

		seq = nmc_frame_check(nm_ring_user_buf(r, sl->buf_idx), sl->len);
		NMC_CHECK(seq == (int64_t)*seen, "monitor: seq %lld, want %u",
			  (long long)seq, *seen);
		(*seen)++;
		head = nm_idx_next(head, r->num_slots);
	}
	nm_ring_user_publish(r, head, head);
}

static int receiver(int s)
{
	struct nmc_port p, m;
	struct netmap_ring *ring;
	struct csb_guest g;
	struct nmc_csb c;
	uint32_t got = 0, seen = 0, head, n, sleeps = 0, kicks = 0, acked = 0, i;
	unsigned todo;
	uint64_t v;
	char ch = 'R', ack = 'A';
	int64_t seq;
	int err;

	nmc_prog = "csb-monitor/rx";
	err = nmc_open(&p, "valeK3:r", NR_REG_ALL_NIC, NR_EXCLUSIVE,
		       NMC_CSBMON_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	/* The monitor's ring holds every frame: nothing is dropped for it. */
	err = nmc_open(&m, "valeK3:r/r", NR_REG_ALL_NIC, 0, 4096, 0);
	NMC_CHECK(err == 0, "monitor register: %s", strerror(err));
	ring = nmc_ring(&p, NR_RX, 0);
	n = ring->num_slots;
	nmc_csb_start(&c, &p, NMC_CSB_EVENTFD, n);
	err = csb_guest_init(&g, NM_KRING_RX, n, &c.atok[1], &c.ktoa[1]);
	NMC_CHECK(err == 0, "csb_guest_init: %d", err);
	head = g.head;
	NMC_CHECK(write(s, &ch, 1) == 1, "ready");
	while (got < NMC_CSBMON_PKTS) {
		monitor_drain(&m, &seen);
		if (csb_guest_would_block(&g)) {
			/* Nothing to read: enable interrupts, full fence,
			 * re-check, then sleep on the irqfd. */
			if (csb_guest_may_sleep(&g)) {
				NMC_CHECK(nmc_poll(c.irq[1], POLLIN, 10000) & POLLIN,
					  "no interrupt after %u packets (hwtail %u head %u, monitor saw %u)",
					  got, g.hwtail, head, seen);
				NMC_CHECK(read(c.irq[1], &v, 8) == 8, "irq read");
				sleeps++;
				(void)csb_guest_woken(&g);
			}
			continue;
		}
		while (head != g.hwtail) {
			struct netmap_slot *sl = &ring->slot[head];

			seq = nmc_frame_check(nm_ring_user_buf(ring, sl->buf_idx),
					      sl->len);
			NMC_CHECK(seq == (int64_t)got, "packet %u: seq %lld", got,
				  (long long)seq);
			got++;
			head = nm_idx_next(head, n);
		}
		/* Release through the CSB; the kloop wants a kick? */
		err = csb_guest_rxsync(&g, head, head, &todo);
		NMC_CHECK(err == 0, "csb_guest_rxsync: %d (head %u)", err, head);
		if ((todo & CSB_DO_NOTIFY) != 0 && nmc_csb_kick(&c, 1))
			kicks++;
		if (got / NMC_CSBMON_WINDOW > acked && got < NMC_CSBMON_PKTS) {
			/* Acknowledge a window once the kloop has taken the
			 * release (hwcur): only then can the switch use the
			 * room, and a frame it dropped for a full ring would
			 * end the test with a gap, not a verdict. */
			for (i = 0; g.hwcur != head; i++) {
				NMC_CHECK(i < 10000, "release not taken: hwcur %u head %u",
					  g.hwcur, head);
				usleep(100);
				NMC_CHECK(csb_guest_refresh(&g) == 0,
					  "kernel indices rejected");
			}
			acked = got / NMC_CSBMON_WINDOW;
			NMC_CHECK(write(s, &ack, 1) == 1, "acknowledge");
		}
	}
	for (i = 0; seen < NMC_CSBMON_PKTS; i++) {
		NMC_CHECK(i < 1000, "monitor saw %u of %u", seen, NMC_CSBMON_PKTS);
		monitor_drain(&m, &seen);
		if (seen < NMC_CSBMON_PKTS)
			usleep(1000);
	}
	NMC_CHECK(nm_os_counter_read(&g.stats.bad_ktoa) == 0,
		  "kernel indices rejected");
	nmc_csb_stop(&c);
	nmc_close(&m);
	nmc_close(&p);
	printf("csb-monitor/rx: OK %u packets in order, monitor %u, %u sleeps, %u kicks\n",
	       got, seen, sleeps, kicks);
	return 0;
}

static int sender(int s, void *arg)
{
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t sent = 0, k;
	char ch;
	int err;

	(void)arg;
	nmc_prog = "csb-monitor/tx";
	NMC_CHECK(read(s, &ch, 1) == 1 && ch == 'R', "receiver not ready");
	err = nmc_open(&p, "valeK3:s", NR_REG_ALL_NIC, 0, NMC_CSBMON_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	ring = nmc_ring(&p, NR_TX, 0);
	while (sent < NMC_CSBMON_PKTS) {
		for (k = 0; k < NMC_CSBMON_BATCH && sent < NMC_CSBMON_PKTS; k++) {
			struct netmap_slot *sl = &ring->slot[ring->head];

			/* VALE forwards at the sync: the ring is empty again. */
			NMC_CHECK(nm_ring_user_tail(ring) != ring->head, "TX ring full");
			sl->len = NMC_FRAME_LEN;
			sl->flags = 0;
			nmc_frame_fill(nm_ring_user_buf(ring, sl->buf_idx), sl->len,
				       sent, mac_s, mac_bcast);
			nm_ring_user_publish(ring, nm_idx_next(ring->head, ring->num_slots),
					     nm_idx_next(ring->head, ring->num_slots));
			sent++;
		}
		err = nmc_sync(&p, NR_TX);
		NMC_CHECK(err == 0, "txsync: %s", strerror(err));
		/* At most a window of frames the receiver's kloop has not
		 * released: under its ring's 255 slots. */
		if (sent % NMC_CSBMON_WINDOW == 0 && sent < NMC_CSBMON_PKTS)
			NMC_CHECK(read(s, &ch, 1) == 1 && ch == 'A',
				  "no acknowledgement after %u packets", sent);
	}
	nmc_close(&p);
	printf("csb-monitor/tx: OK %u packets\n", sent);
	return 0;
}

int main(void)
{
	nmc_prog = "csb-monitor";
	nmc_run_pair(receiver, sender, NULL);
	printf("csb-monitor: OK\n");
	return 0;
}
