/*
 * csb_pair.c - a sender in CSB mode driven by the kernel's sync kloop, and
 * a plain receiver, on the two ends of a netmap pipe.
 *
 *   csb-pair [eventfd|busy|direct]
 *
 * The sender binds "nmcC{1" with NR_EXCLUSIVE, enables the CSB with
 * NETMAP_REQ_CSB_ENABLE, and starts the kloop (SYNC_KLOOP_START blocks in
 * a thread until SYNC_KLOOP_STOP).  eventfd: one ioeventfd and irqfd per
 * ring, kicks and interrupts toggled by the CSB need-kick flags.  busy: no
 * ioeventfds (the kloop polls every 50 us), interrupts still delivered.
 * direct: eventfds plus SYNC_KLOOP_MODE DIRECT_TX.  The sender never calls
 * NIOCTXSYNC (it gets EBUSY in CSB mode): it runs the core's guest side
 * of the CSB protocol, core/csb_guest.c (linked in by scripts/kmod-test):
 * csb_guest_txsync() publishes cur then head and says when to kick,
 * csb_guest_may_sleep() enables appl_need_kick and re-checks hwtail before
 * the sender sleeps on its irqfd.  So the module is tested against the very
 * code the shim stress tests and the simulator's guests run, fences and
 * their pairings included (docs/csb.md).  The receiver checks order and
 * content.
 */
#include "nmc_csb.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NMC_CSB_PKTS 20000U
#define NMC_CSB_SLOTS 256U

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 2, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 2, 0x02 };

static int sender(int s, enum nmc_csb_mode mode)
{
	struct netmap_ring *ring;
	struct csb_guest g;
	struct nmc_port p;
	struct nmc_csb c;
	uint32_t sent = 0, head, n, i, kicks = 0, sleeps = 0;
	unsigned todo;
	uint64_t v;
	char ch;
	int err;

	nmc_prog = "csb-pair/tx";
	NMC_CHECK(read(s, &ch, 1) == 1 && ch == 'R', "receiver not ready");
	err = nmc_open(&p, "nmcC{1", NR_REG_ALL_NIC, NR_EXCLUSIVE,
		       NMC_CSB_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	ring = nmc_ring(&p, NR_TX, 0);
	n = ring->num_slots;
	nmc_csb_start(&c, &p, mode, n);

	/* The guest side starts from the lines the kernel initialised;
	 * interrupts are turned off by the first sync (we are running). */
	err = csb_guest_init(&g, NM_KRING_TX, n, &c.atok[0], &c.ktoa[0]);
	NMC_CHECK(err == 0, "csb_guest_init: %d", err);
	head = g.head;
	while (sent < NMC_CSB_PKTS) {
		if (csb_guest_would_block(&g)) {
			/* Full (everything filled is published): enable
			 * interrupts, full fence, re-check, then sleep. */
			if (csb_guest_may_sleep(&g)) {
				NMC_CHECK(nmc_poll(c.irq[0], POLLIN, 10000) &
						  POLLIN,
					  "no interrupt after %u packets "
					  "(hwtail %u head %u)",
					  sent, g.hwtail, head);
				NMC_CHECK(read(c.irq[0], &v, 8) == 8, "irq read");
				sleeps++;
				(void)csb_guest_woken(&g);
			}
			continue;
		}
		ring->slot[head].len = NMC_FRAME_LEN;
		ring->slot[head].flags = 0;
		nmc_frame_fill(nm_ring_user_buf(ring, ring->slot[head].buf_idx),
			       NMC_FRAME_LEN, sent, mac_a, mac_b);
		head = nm_idx_next(head, n);
		sent++;
		if (sent % 16 != 0 && sent != NMC_CSB_PKTS && head != g.hwtail)
			continue;
		/* Publish slots, cur, head; the kernel wants a kick? */
		err = csb_guest_txsync(&g, head, head, &todo);
		NMC_CHECK(err == 0, "csb_guest_txsync: %d (head %u)", err, head);
		if ((todo & CSB_DO_NOTIFY) != 0 && nmc_csb_kick(&c, 0))
			kicks++;
	}
	/* Wait until the kernel has consumed everything and the receiver
	 * released it: hwtail comes back to head - 1. */
	for (i = 0; g.hwtail != nm_idx_prev(head, n); i++) {
		NMC_CHECK(i < 10000, "not drained: hwtail %u head %u",
			  g.hwtail, head);
		usleep(1000);
		NMC_CHECK(csb_guest_refresh(&g) == 0, "kernel indices rejected");
	}
	NMC_CHECK(g.hwcur == head, "hwcur %u head %u", g.hwcur, head);
	NMC_CHECK(nm_os_counter_read(&g.stats.bad_ktoa) == 0,
		  "kernel indices rejected");
	nmc_csb_stop(&c);
	nmc_close(&p);
	printf("csb-pair/tx: OK %u packets, %u kicks, %u sleeps\n", sent,
	       kicks, sleeps);
	return 0;
}

static int receiver(int s)
{
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t got = 0, head, tail;
	char c = 'R';
	int err, ev;

	nmc_prog = "csb-pair/rx";
	err = nmc_open(&p, "nmcC}1", NR_REG_ALL_NIC, 0, NMC_CSB_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	NMC_CHECK(write(s, &c, 1) == 1, "ready");
	ring = nmc_ring(&p, NR_RX, 0);
	while (got < NMC_CSB_PKTS) {
		ev = nmc_poll(p.fd, POLLIN, 10000);
		NMC_CHECK(ev & POLLIN, "poll: revents %#x after %u", ev, got);
		head = ring->head;
		tail = nm_ring_user_tail(ring);
		while (head != tail) {
			struct netmap_slot *sl = &ring->slot[head];
			int64_t seq = nmc_frame_check(
				nm_ring_user_buf(ring, sl->buf_idx), sl->len);

			NMC_CHECK(seq == (int64_t)got, "packet %u: seq %lld",
				  got, (long long)seq);
			got++;
			head = nm_idx_next(head, ring->num_slots);
		}
		nm_ring_user_publish(ring, head, head);
		err = nmc_sync(&p, NR_RX);
		NMC_CHECK(err == 0, "rxsync: %s", strerror(err));
	}
	nmc_close(&p);
	printf("csb-pair/rx: OK %u packets in order\n", got);
	return 0;
}

static int sender_main(int s, void *arg)
{
	return sender(s, *(enum nmc_csb_mode *)arg);
}

int main(int argc, char **argv)
{
	enum nmc_csb_mode mode = NMC_CSB_EVENTFD;

	nmc_prog = "csb-pair";
	if (argc > 1 && strcmp(argv[1], "busy") == 0)
		mode = NMC_CSB_BUSY;
	else if (argc > 1 && strcmp(argv[1], "direct") == 0)
		mode = NMC_CSB_DIRECT;
	nmc_run_pair(receiver, sender_main, &mode);
	printf("csb-pair %s: OK\n", argc > 1 ? argv[1] : "eventfd");
	return 0;
}
