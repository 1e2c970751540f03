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
#include "csb.h"
#include "nmc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NMC_CSB_PKTS 20000U
#define NMC_CSB_SLOTS 256U
#define NMC_CSB_RINGS 2U /* TX 0 then RX 0 */

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 2, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 2, 0x02 };

enum mode { MODE_EVENTFD, MODE_BUSY, MODE_DIRECT };

struct kloop_arg {
	int fd;
	enum mode mode;
	int kick[NMC_CSB_RINGS], irq[NMC_CSB_RINGS];
	int err; /* START's result */
};

static void *kloop_thread(void *p)
{
	struct kloop_arg *a = p;
	struct nmreq_sync_kloop_start ks = { .sleep_us = 50 };
	struct {
		struct nmreq_opt_sync_kloop_eventfds o;
		int32_t fds[NMC_CSB_RINGS][2];
	} efd;
	struct nmreq_opt_sync_kloop_mode m;
	struct nmreq_header h;
	uint32_t i;

	memset(&efd, 0, sizeof(efd));
	memset(&m, 0, sizeof(m));
	efd.o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
	efd.o.nro_opt.nro_size = sizeof(efd);
	for (i = 0; i < NMC_CSB_RINGS; i++) {
		efd.fds[i][0] = a->mode == MODE_BUSY ? -1 : a->kick[i];
		efd.fds[i][1] = a->irq[i];
	}
	m.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_MODE;
	m.nro_opt.nro_size = sizeof(m);
	m.mode = NM_OPT_SYNC_KLOOP_DIRECT_TX;
	if (a->mode == MODE_DIRECT)
		efd.o.nro_opt.nro_next = (uint64_t)(uintptr_t)&m;
	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_START, "", &ks);
	h.nr_options = (uint64_t)(uintptr_t)&efd;
	a->err = nmc_ctrl(a->fd, &h);
	if (a->err == 0)
		NMC_CHECK(efd.o.nro_opt.nro_status == 0, "eventfds status %u",
			  efd.o.nro_opt.nro_status);
	return NULL;
}

static int sender(int s, enum mode mode)
{
	struct nm_csb_atok *atok;
	struct nm_csb_ktoa *ktoa;
	struct nmreq_opt_csb csb;
	struct kloop_arg ka;
	struct nmreq_header h;
	struct netmap_ring *ring;
	struct csb_guest g;
	struct nmc_port p;
	pthread_t thr;
	uint32_t sent = 0, head, n, i, kicks = 0, sleeps = 0;
	unsigned todo;
	uint64_t v;
	char c;
	int err;

	nmc_prog = "csb-pair/tx";
	NMC_CHECK(read(s, &c, 1) == 1 && c == 'R', "receiver not ready");
	err = nmc_open(&p, "nmcC{1", NR_REG_ALL_NIC, NR_EXCLUSIVE,
		       NMC_CSB_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	ring = nmc_ring(&p, NR_TX, 0);
	n = ring->num_slots;

	atok = aligned_alloc(64, NMC_CSB_RINGS * sizeof(*atok));
	ktoa = aligned_alloc(64, NMC_CSB_RINGS * sizeof(*ktoa));
	NMC_CHECK(atok != NULL && ktoa != NULL, "alloc");
	memset(atok, 0xa5, NMC_CSB_RINGS * sizeof(*atok));
	memset(ktoa, 0x5a, NMC_CSB_RINGS * sizeof(*ktoa));
	memset(&csb, 0, sizeof(csb));
	csb.nro_opt.nro_reqtype = NETMAP_REQ_OPT_CSB;
	csb.nro_opt.nro_size = sizeof(csb);
	csb.csb_atok = (uint64_t)(uintptr_t)atok;
	csb.csb_ktoa = (uint64_t)(uintptr_t)ktoa;
	nmc_hdr(&h, NETMAP_REQ_CSB_ENABLE, "", NULL);
	h.nr_options = (uint64_t)(uintptr_t)&csb;
	err = nmc_ctrl(p.fd, &h);
	NMC_CHECK(err == 0, "CSB_ENABLE: %s", strerror(err));
	NMC_CHECK(csb.nro_opt.nro_status == 0, "csb status %u",
		  csb.nro_opt.nro_status);
	/* The kernel initialised both lines from the kring. */
	NMC_CHECK(atok[0].head == 0 && atok[0].cur == 0 &&
			  atok[0].appl_need_kick == 1 &&
			  ktoa[0].hwcur == 0 && ktoa[0].hwtail == n - 1 &&
			  ktoa[0].kern_need_kick == 1,
		  "initial CSB: head %u cur %u hwcur %u hwtail %u",
		  atok[0].head, atok[0].cur, ktoa[0].hwcur, ktoa[0].hwtail);
	NMC_CHECK(nmc_sync(&p, NR_TX) == EBUSY, "TXSYNC in CSB mode");

	memset(&ka, 0, sizeof(ka));
	ka.fd = p.fd;
	ka.mode = mode;
	for (i = 0; i < NMC_CSB_RINGS; i++) {
		ka.kick[i] = eventfd(0, 0);
		ka.irq[i] = eventfd(0, EFD_NONBLOCK);
		NMC_CHECK(ka.kick[i] >= 0 && ka.irq[i] >= 0, "eventfd");
	}
	NMC_CHECK(pthread_create(&thr, NULL, kloop_thread, &ka) == 0,
		  "pthread_create");

	/* The guest side starts from the lines the kernel initialised;
	 * interrupts are turned off by the first sync (we are running). */
	err = csb_guest_init(&g, NM_KRING_TX, n, &atok[0], &ktoa[0]);
	NMC_CHECK(err == 0, "csb_guest_init: %d", err);
	head = g.head;
	while (sent < NMC_CSB_PKTS) {
		if (csb_guest_would_block(&g)) {
			/* Full (everything filled is published): enable
			 * interrupts, full fence, re-check, then sleep. */
			if (csb_guest_may_sleep(&g)) {
				NMC_CHECK(nmc_poll(ka.irq[0], POLLIN, 10000) &
						  POLLIN,
					  "no interrupt after %u packets "
					  "(hwtail %u head %u)",
					  sent, g.hwtail, head);
				NMC_CHECK(read(ka.irq[0], &v, 8) == 8, "irq read");
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
		if ((todo & CSB_DO_NOTIFY) != 0 && mode != MODE_BUSY) {
			v = 1;
			NMC_CHECK(write(ka.kick[0], &v, 8) == 8, "kick");
			kicks++;
		}
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

	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_STOP, "", NULL);
	err = nmc_ctrl(p.fd, &h);
	NMC_CHECK(err == 0, "STOP: %s", strerror(err));
	NMC_CHECK(pthread_join(thr, NULL) == 0, "join");
	NMC_CHECK(ka.err == 0, "START returned %s", strerror(ka.err));
	/* A second STOP finds nothing to stop. */
	NMC_CHECK(nmc_ctrl(p.fd, &h) == 0, "second STOP");
	nmc_close(&p);
	for (i = 0; i < NMC_CSB_RINGS; i++) {
		close(ka.kick[i]);
		close(ka.irq[i]);
	}
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
	return sender(s, *(enum mode *)arg);
}

int main(int argc, char **argv)
{
	enum mode mode = MODE_EVENTFD;

	nmc_prog = "csb-pair";
	if (argc > 1 && strcmp(argv[1], "busy") == 0)
		mode = MODE_BUSY;
	else if (argc > 1 && strcmp(argv[1], "direct") == 0)
		mode = MODE_DIRECT;
	nmc_run_pair(receiver, sender_main, &mode);
	printf("csb-pair %s: OK\n", argc > 1 ? argv[1] : "eventfd");
	return 0;
}
