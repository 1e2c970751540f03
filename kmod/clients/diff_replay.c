/*
 * diff_replay.c - diff-replay vale|pipe|vale-csb|pipe-csb: the kernel
 * module's leg of the differential replay (issue 19, docs/differential.md).
 *
 * The sender generates the replay's trace (tests/diff/trace_gen.h, the
 * frames nm-gen-trace writes for nmsim and the shim leg) and sends it
 * through nmlab.ko: a VALE switch ("valeD0:tx" -> "valeD0:rx") or a pipe
 * ("nmcD{0" -> "nmcD}0").  The receiver sleeps in poll(), digests what
 * arrives (tests/diff/frame_digest.h) and acknowledges every batch over a
 * socketpair, so the sender never overruns its ring (VALE drops when a
 * destination ring is full).  It prints the digest as "NMDIFF KIND rx KEY
 * FRAMES HASH" lines on the console, where the host-side test
 * (tests/diff/kmod_vs_sim.sh) compares them with the simulator's.  With
 * -csb the sender is a guest: its TX ring goes through the CSB to the
 * kernel's busy-polling kloop (nmc_csb.h), as nmsim's ptnet-*-busy
 * senders do.
 */
#include "nmc_csb.h"

#include "frame_digest.h"
#include "trace_gen.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define DIFF_BATCH 200U

static const char *kind = "vale";
static bool csb;

static const char *port_name(bool tx)
{
	if (strncmp(kind, "vale", 4) == 0)
		return tx ? "valeD0:tx" : "valeD0:rx";
	return tx ? "nmcD{0" : "nmcD}0";
}

static int receiver(int s)
{
	struct frame_digest d = { 0 };
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t got = 0, in_batch = 0, head, tail;
	char c = 'R', prefix[32];
	int err, ev;

	nmc_prog = "diff-replay/rx";
	err = nmc_open(&p, port_name(false), NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", port_name(false), strerror(err));
	ring = nmc_ring(&p, NR_RX, 0);
	NMC_CHECK(write(s, &c, 1) == 1, "socket write: %s", strerror(errno));
	while (got < TRACE_GEN_FRAMES) {
		ev = nmc_poll(p.fd, POLLIN, 10000);
		NMC_CHECK(ev & POLLIN, "poll: revents %#x after %u frames", ev, got);
		head = ring->head;
		tail = nm_ring_user_tail(ring);
		while (head != tail) {
			struct netmap_slot *sl = &ring->slot[head];

			NMC_CHECK(sl->len <= TRACE_GEN_MAX, "frame %u: len %u", got, sl->len);
			NMC_CHECK(frame_digest_add(&d, nm_ring_user_buf(ring, sl->buf_idx),
						   sl->len) == 0, "out of memory");
			got++;
			head = nm_idx_next(head, ring->num_slots);
			if (++in_batch == DIFF_BATCH) {
				in_batch = 0;
				c = 'A';
				NMC_CHECK(write(s, &c, 1) == 1, "socket write: %s", strerror(errno));
			}
		}
		nm_ring_user_publish(ring, head, head);
		err = nmc_sync(&p, NR_RX);
		NMC_CHECK(err == 0, "rxsync: %s", strerror(err));
	}
	nmc_close(&p);
	snprintf(prefix, sizeof(prefix), "NMDIFF %s rx", kind);
	NMC_CHECK(frame_digest_print(&d, prefix, stdout) == 0, "cannot write the digest");
	frame_digest_free(&d);
	return 0;
}

/* Publish the TX ring up to head: TXSYNC, or through the CSB (with a
 * kick when the kloop asks and the mode has ioeventfds). */
static void tx_publish(struct nmc_port *p, struct netmap_ring *ring, struct csb_guest *cg,
		       struct nmc_csb *c, uint32_t head)
{
	unsigned todo = 0;
	int err;

	if (!csb) {
		nm_ring_user_publish(ring, head, head);
		err = nmc_sync(p, NR_TX);
		NMC_CHECK(err == 0, "txsync: %s", strerror(err));
		return;
	}
	err = csb_guest_txsync(cg, head, head, &todo);
	NMC_CHECK(err == 0, "csb_guest_txsync: %d (head %u)", err, head);
	if (todo & CSB_DO_NOTIFY)
		(void)nmc_csb_kick(c, 0);
}

/* Free TX slots: the ring's tail, or the kernel's hwtail through the CSB
 * (refreshed until a batch fits; the kloop polls every 50 us). */
static uint32_t tx_space(struct netmap_ring *ring, struct csb_guest *cg, uint32_t head)
{
	uint32_t i;

	if (!csb)
		return nm_ring_user_space(ring, head, nm_ring_user_tail(ring));
	for (i = 0; nm_ring_user_space(ring, head, cg->hwtail) < DIFF_BATCH && i < 20000; i++) {
		usleep(100);
		NMC_CHECK(csb_guest_refresh(cg) == 0, "kernel indices rejected");
	}
	return nm_ring_user_space(ring, head, cg->hwtail);
}

static int sender(int s, void *arg)
{
	static uint8_t frame[TRACE_GEN_MAX];
	struct trace_gen g;
	struct nmc_port p;
	struct netmap_ring *ring;
	struct csb_guest cg;
	struct nmc_csb c;
	uint32_t sent = 0, i, head, len;
	char ch = 0;
	int err;

	(void)arg;
	nmc_prog = "diff-replay/tx";
	NMC_CHECK(read(s, &ch, 1) == 1 && ch == 'R', "receiver not ready");
	err = nmc_open(&p, port_name(true), NR_REG_ALL_NIC, csb ? NR_EXCLUSIVE : 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", port_name(true), strerror(err));
	ring = nmc_ring(&p, NR_TX, 0);
	if (csb) {
		nmc_csb_start(&c, &p, NMC_CSB_BUSY, ring->num_slots);
		err = csb_guest_init(&cg, NM_KRING_TX, ring->num_slots, &c.atok[0], &c.ktoa[0]);
		NMC_CHECK(err == 0, "csb_guest_init: %d", err);
	}
	trace_gen_init(&g);
	head = ring->head;
	while (sent < TRACE_GEN_FRAMES) {
		NMC_CHECK(tx_space(ring, &cg, head) >= DIFF_BATCH, "tx ring space %u",
			  tx_space(ring, &cg, head));
		for (i = 0; i < DIFF_BATCH && sent < TRACE_GEN_FRAMES; i++, sent++) {
			struct netmap_slot *sl = &ring->slot[head];

			len = trace_gen_next(&g, frame);
			memcpy(nm_ring_user_buf(ring, sl->buf_idx), frame, len);
			sl->len = (uint16_t)len;
			sl->flags = 0;
			head = nm_idx_next(head, ring->num_slots);
		}
		tx_publish(&p, ring, &cg, &c, head);
		NMC_CHECK(read(s, &ch, 1) == 1 && ch == 'A', "no ack after %u frames", sent);
	}
	if (csb)
		nmc_csb_stop(&c);
	nmc_close(&p);
	return 0;
}

int main(int argc, char **argv)
{
	nmc_prog = "diff-replay";
	if (argc != 2 || (strcmp(argv[1], "vale") && strcmp(argv[1], "pipe") &&
			  strcmp(argv[1], "vale-csb") && strcmp(argv[1], "pipe-csb"))) {
		fprintf(stderr, "usage: diff-replay vale|pipe|vale-csb|pipe-csb\n");
		return 2;
	}
	kind = argv[1];
	csb = strstr(kind, "-csb") != NULL;
	nmc_run_pair(receiver, sender, NULL);
	printf("diff-replay %s: OK\n", kind);
	return 0;
}
