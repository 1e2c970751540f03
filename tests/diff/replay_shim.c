/*
 * replay_shim.c - nm-replay-shim vale|pipe|vale-csb|pipe-csb TRACE.pcap:
 * the shim leg of the differential replay (issue 19).  The core, in real
 * threads: a sender thread puts the trace's frames on the TX ring of one
 * port ("vale0:tx", or the pipe end "d{0") and a receiver thread drains
 * the other ("vale0:rx" or "d}0"), and prints what it received as
 * frame_digest.h lines for port "rx" (what nm-pcap-digest prints for
 * nmsim's rx.pcap).  With -csb both threads are guests: they reach their
 * rings through the CSB (core/csb_guest.c), and a busy-polling kloop
 * thread (shim/csb_kloop.c) runs the rings' syncs, as ptnet guests do.
 *
 * The sender keeps at most a ring's worth of frames in flight (VALE drops
 * what finds the receiver's ring full; the simulator's receiver keeps up),
 * so every frame arrives.  Exit 0, or 1 after one line.
 */
#include "csb.h"
#include "csb_kloop.h"
#include "frame_digest.h"
#include "nm_port.h"
#include "nm_registry.h"
#include "nm_ring_user.h"
#include "nm_shim.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024U
#define BATCH 64U

struct trace {
	uint8_t **frame;
	uint32_t *len;
	uint64_t n;
};

struct replay {
	struct trace t;
	struct nm_port *tx, *rx;
	struct frame_digest d;
	uint64_t received; /* atomic: written by the receiver */
	int sender_done;   /* atomic */
	int err;	   /* atomic: a sync failed */
	/* -csb: the CSB lines (TX ring, then RX ring), the kloop, the
	 * guests' views of the two rings. */
	bool csb;
	struct nm_csb_atok atok[2];
	struct nm_csb_ktoa ktoa[2];
	struct nm_os_notifier irq[2];
	struct csb_kloop *kl;
	struct csb_guest gtx, grx;
};

/* Receiver polls that find nothing once the sender is done before it
 * gives up (frames lost: the digests will say how many). */
#define IDLE_POLLS_AFTER_DONE 10000U
/* The sender gives up when its window stays shut this long (frames lost
 * in the switch never come back to open it): never a hang. */
#define STALL_NS 5000000000ULL

static void trace_free(struct trace *t)
{
	uint64_t i;

	for (i = 0; i < t->n; i++)
		free(t->frame[i]);
	free(t->frame);
	free(t->len);
}

static int trace_load(struct trace *t, const char *path, uint32_t buf_size)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t cap = 0;
	pcap_t *p = pcap_open_offline(path, err);
	int rc;

	if (p == NULL) {
		fprintf(stderr, "nm-replay-shim: %s: %s\n", path, err);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen != h->len || h->caplen == 0 || h->caplen > buf_size) {
			fprintf(stderr, "nm-replay-shim: %s: record %llu: length %u of %u (expected a whole frame of 1..%u bytes)\n",
				path, (unsigned long long)t->n + 1, h->caplen, h->len, buf_size);
			rc = -3;
			break;
		}
		if (t->n == cap) {
			cap = cap ? 2 * cap : 1024;
			t->frame = realloc(t->frame, cap * sizeof(*t->frame));
			t->len = realloc(t->len, cap * sizeof(*t->len));
			if (t->frame == NULL || t->len == NULL) {
				fprintf(stderr, "nm-replay-shim: out of memory\n");
				exit(1);
			}
		}
		t->frame[t->n] = malloc(h->caplen);
		if (t->frame[t->n] == NULL) {
			fprintf(stderr, "nm-replay-shim: out of memory\n");
			exit(1);
		}
		memcpy(t->frame[t->n], data, h->caplen);
		t->len[t->n++] = h->caplen;
	}
	if (rc == -1)
		fprintf(stderr, "nm-replay-shim: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return rc == -2 ? 0 : -1;
}

/* Publish the application's head on ring dir and sync it: a system call
 * on the port, or through the CSB (and a kick when the kloop asks). */
static int sync_ring(struct replay *r, uint32_t dir)
{
	struct nm_kring *kr = nm_port_kring(dir == NR_TX ? r->tx : r->rx, dir, 0);
	struct csb_guest *g = dir == NR_TX ? &r->gtx : &r->grx;
	uint32_t head = kr->ring->head;
	unsigned todo = 0;

	if (!r->csb) {
		nm_ring_user_publish(kr->ring, head, head);
		return nm_kring_sync(kr, 0);
	}
	if (head != g->head &&
	    (dir == NR_TX ? csb_guest_txsync(g, head, head, &todo)
			  : csb_guest_rxsync(g, head, head, &todo)) != 0)
		return -1;
	if ((todo & CSB_DO_NOTIFY) && csb_kloop_kick(r->kl, dir == NR_TX ? 0 : 1) != 0)
		return -1;
	return csb_guest_refresh(g);
}

/* Slots ready for the application on ring dir (free TX, pending RX). */
static uint32_t ring_space(struct replay *r, uint32_t dir)
{
	struct netmap_ring *ring = nm_port_kring(dir == NR_TX ? r->tx : r->rx, dir, 0)->ring;

	if (r->csb)
		return nm_ring_user_space(ring, ring->head,
					  dir == NR_TX ? r->gtx.hwtail : r->grx.hwtail);
	return nm_ring_user_space(ring, ring->head, nm_ring_user_tail(ring));
}

static void *sender_main(void *arg)
{
	struct replay *r = arg;
	struct netmap_ring *ring = nm_port_kring(r->tx, NR_TX, 0)->ring;
	uint64_t sent = 0, in_flight, stalled_since = 0;
	uint32_t k;

	nm_shim_thread_register(); /* the core's read sections need it */

	while (sent < r->t.n && !__atomic_load_n(&r->err, __ATOMIC_ACQUIRE)) {
		in_flight = sent - __atomic_load_n(&r->received, __ATOMIC_ACQUIRE);
		for (k = 0; k < BATCH && sent < r->t.n && in_flight + k < SLOTS - BATCH &&
			    ring_space(r, NR_TX) > 0;
		     k++, sent++) {
			struct netmap_slot *s = &ring->slot[ring->head];

			memcpy(nm_ring_user_buf(ring, s->buf_idx), r->t.frame[sent],
			       r->t.len[sent]);
			s->len = (uint16_t)r->t.len[sent];
			s->flags = 0;
			ring->head = nm_idx_next(ring->head, ring->num_slots);
		}
		if (sync_ring(r, NR_TX) != 0) {
			__atomic_store_n(&r->err, 1, __ATOMIC_RELEASE);
			break;
		}
		if (k != 0) {
			stalled_since = 0;
		} else if (stalled_since == 0) {
			stalled_since = nm_os_time_ns();
		} else if (nm_os_time_ns() - stalled_since > STALL_NS) {
			fprintf(stderr, "nm-replay-shim: no progress for 5 s with %llu of %llu frames sent\n",
				(unsigned long long)sent, (unsigned long long)r->t.n);
			break;
		}
		if (k == 0)
			sched_yield();
	}
	__atomic_store_n(&r->sender_done, 1, __ATOMIC_RELEASE);
	nm_shim_thread_unregister();
	return NULL;
}

static void *receiver_main(void *arg)
{
	struct replay *r = arg;
	struct netmap_ring *ring = nm_port_kring(r->rx, NR_RX, 0)->ring;
	uint64_t got = 0;
	uint32_t k, idle = 0;

	nm_shim_thread_register();

	while (got < r->t.n && !__atomic_load_n(&r->err, __ATOMIC_ACQUIRE) &&
	       idle < IDLE_POLLS_AFTER_DONE) {
		if (sync_ring(r, NR_RX) != 0) {
			__atomic_store_n(&r->err, 1, __ATOMIC_RELEASE);
			break;
		}
		for (k = 0; ring_space(r, NR_RX) > 0; k++) {
			struct netmap_slot *s = &ring->slot[ring->head];

			if (frame_digest_add(&r->d, nm_ring_user_buf(ring, s->buf_idx), s->len) != 0) {
				__atomic_store_n(&r->err, 2, __ATOMIC_RELEASE);
				break;
			}
			ring->head = nm_idx_next(ring->head, ring->num_slots);
		}
		got += k;
		/* The sender's window counts slots the kernel side has taken
		 * back: through the CSB, those between the kernel's hwcur and
		 * our head are released but not yet seen by the kloop, and
		 * VALE would find them still full. */
		__atomic_store_n(&r->received,
				 r->csb ? got - nm_ring_user_space(ring, r->grx.hwcur, ring->head)
					: got,
				 __ATOMIC_RELEASE);
		if (k == 0 && __atomic_load_n(&r->sender_done, __ATOMIC_ACQUIRE))
			idle++;
		if (k == 0)
			sched_yield();
	}
	nm_shim_thread_unregister();
	return NULL;
}

/* The kloop over the sender's TX ring and the receiver's RX ring, and the
 * two guests' views of them; 0 or -1. */
static int csb_start(struct replay *r)
{
	struct csb_kloop_cfg cfg = { .num_tx_rings = 1, .num_rx_rings = 1 };
	struct csb_kloop_ring_cfg rc[2];
	int i;

	memset(rc, 0, sizeof(rc));
	rc[0].kr = nm_port_kring(r->tx, NR_TX, 0);
	rc[1].kr = nm_port_kring(r->rx, NR_RX, 0);
	for (i = 0; i < 2; i++) {
		if (nm_shim_notifier_init(&r->irq[i]) != 0)
			return -1;
		rc[i].atok = &r->atok[i];
		rc[i].ktoa = &r->ktoa[i];
		rc[i].irqfd = &r->irq[i];
	}
	cfg.eventfds = false; /* busy-polling kloop: the guests never sleep */
	if (csb_kloop_create(&r->kl, &cfg, rc) != 0 ||
	    csb_guest_init(&r->gtx, NM_KRING_TX, SLOTS, &r->atok[0], &r->ktoa[0]) != 0 ||
	    csb_guest_init(&r->grx, NM_KRING_RX, SLOTS, &r->atok[1], &r->ktoa[1]) != 0)
		return -1;
	return csb_kloop_start(r->kl) != 0 ? -1 : 0;
}

static void csb_stop(struct replay *r)
{
	int i;

	csb_kloop_stop(r->kl);
	csb_kloop_destroy(r->kl);
	for (i = 0; i < 2; i++)
		nm_shim_notifier_fini(&r->irq[i]);
}

int main(int argc, char **argv)
{
	struct nm_port_geom g = { 1, 1, SLOTS, SLOTS, 0 };
	static struct replay r;
	struct nm_registry reg;
	pthread_t ts, tr;
	bool vale;
	int rc = 1;

	if (argc != 3 || (strcmp(argv[1], "vale") && strcmp(argv[1], "pipe") &&
			  strcmp(argv[1], "vale-csb") && strcmp(argv[1], "pipe-csb"))) {
		fprintf(stderr, "usage: nm-replay-shim vale|pipe|vale-csb|pipe-csb TRACE.pcap\n");
		return 1;
	}
	vale = !strncmp(argv[1], "vale", 4);
	r.csb = strstr(argv[1], "-csb") != NULL;
	nm_shim_thread_register();
	if (trace_load(&r.t, argv[2], NM_PORT_BUF_SIZE) != 0)
		return 1;
	if (nm_registry_init(&reg) != 0 ||
	    nm_port_open(&reg, vale ? "vale0:rx" : "d}0", &g, &r.rx) != 0 ||
	    nm_port_open(&reg, vale ? "vale0:tx" : "d{0", &g, &r.tx) != 0) {
		fprintf(stderr, "nm-replay-shim: cannot open the %s ports\n", argv[1]);
		return 1;
	}
	if (r.csb && csb_start(&r) != 0) {
		fprintf(stderr, "nm-replay-shim: cannot start the CSB kloop\n");
		return 1;
	}
	if (pthread_create(&tr, NULL, receiver_main, &r) != 0 ||
	    pthread_create(&ts, NULL, sender_main, &r) != 0) {
		fprintf(stderr, "nm-replay-shim: cannot start threads\n");
		return 1;
	}
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	if (r.csb)
		csb_stop(&r);
	if (r.err != 0)
		fprintf(stderr, "nm-replay-shim: %s\n", r.err == 1 ? "a ring sync failed" : "out of memory");
	else if (frame_digest_print(&r.d, "rx", stdout) != 0)
		fprintf(stderr, "nm-replay-shim: cannot write standard output\n");
	else
		rc = 0;
	nm_port_close(r.tx);
	nm_port_close(r.rx);
	nm_registry_fini(&reg);
	frame_digest_free(&r.d);
	trace_free(&r.t);
	nm_shim_thread_unregister();
	return rc;
}
