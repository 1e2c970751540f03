/*
 * vale_pair.c - two processes talk through a VALE switch.
 *
 * The receiver binds "valeK0:rx", the sender "valeK0:tx" (both created on
 * first open).  The sender sends NMC_VALE_PKTS frames of varied lengths in
 * batches; the receiver sleeps in poll(POLLIN), checks every frame
 * (sequence, length, pattern), releases the slots with NIOCRXSYNC and
 * acknowledges each batch over a socketpair, so the sender never overruns
 * the receiver's ring (VALE drops when a destination ring is full).
 * Passes when every frame arrived once, in order, intact.
 */
#include "nmc.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NMC_VALE_PKTS 20000U
#define NMC_VALE_BATCH 200U

static const uint8_t mac_tx[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_rx[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static uint32_t frame_len(uint32_t seq)
{
	return NMC_FRAME_LEN + seq % 1455U;
}

static void sock_send(int s, char c)
{
	NMC_CHECK(write(s, &c, 1) == 1, "socket write: %s", strerror(errno));
}

static char sock_recv(int s)
{
	char c = 0;

	NMC_CHECK(read(s, &c, 1) == 1, "socket read: %s", strerror(errno));
	return c;
}

static int receiver(int s)
{
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t got = 0, in_batch = 0, head, tail;
	int err, ev;

	nmc_prog = "vale-pair/rx";
	err = nmc_open(&p, "valeK0:rx", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	ring = nmc_ring(&p, NR_RX, 0);
	sock_send(s, 'R');
	while (got < NMC_VALE_PKTS) {
		ev = nmc_poll(p.fd, POLLIN, 10000);
		NMC_CHECK(ev & POLLIN, "poll: revents %#x after %u frames", ev,
			  got);
		head = ring->head;
		tail = nm_ring_user_tail(ring);
		while (head != tail) {
			struct netmap_slot *sl = &ring->slot[head];
			int64_t seq;

			NMC_CHECK(sl->len == frame_len(got),
				  "frame %u: len %u", got, sl->len);
			seq = nmc_frame_check(nm_ring_user_buf(ring, sl->buf_idx),
					      sl->len);
			NMC_CHECK(seq == (int64_t)got, "frame %u: got seq %lld",
				  got, (long long)seq);
			got++;
			head = nm_idx_next(head, ring->num_slots);
			if (++in_batch == NMC_VALE_BATCH) {
				in_batch = 0;
				sock_send(s, 'A');
			}
		}
		nm_ring_user_publish(ring, head, head);
		err = nmc_sync(&p, NR_RX);
		NMC_CHECK(err == 0, "rxsync: %s", strerror(err));
	}
	NMC_CHECK(nmc_poll(p.fd, POLLIN, 0) == 0 || ring->head == ring->tail,
		  "extra frames after %u", got);
	nmc_close(&p);
	printf("vale-pair/rx: OK %u frames in order\n", got);
	return 0;
}

static int sender(int s)
{
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t sent = 0, i, head;
	int err;

	nmc_prog = "vale-pair/tx";
	NMC_CHECK(sock_recv(s) == 'R', "receiver not ready");
	err = nmc_open(&p, "valeK0:tx", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	NMC_CHECK(p.reg.nr_tx_rings == 1 && p.reg.nr_tx_slots == 1024,
		  "geometry %u rings %u slots", p.reg.nr_tx_rings,
		  p.reg.nr_tx_slots);
	ring = nmc_ring(&p, NR_TX, 0);
	while (sent < NMC_VALE_PKTS) {
		head = ring->head;
		NMC_CHECK(nm_ring_user_space(ring, head, nm_ring_user_tail(ring)) >=
				  NMC_VALE_BATCH,
			  "tx ring space %u", nm_ring_user_space(ring, head, ring->tail));
		for (i = 0; i < NMC_VALE_BATCH; i++) {
			struct netmap_slot *sl = &ring->slot[head];

			sl->len = (uint16_t)frame_len(sent);
			nmc_frame_fill(nm_ring_user_buf(ring, sl->buf_idx),
				       sl->len, sent, mac_tx, mac_rx);
			sl->flags = 0;
			sent++;
			head = nm_idx_next(head, ring->num_slots);
		}
		nm_ring_user_publish(ring, head, head);
		err = nmc_sync(&p, NR_TX);
		NMC_CHECK(err == 0, "txsync: %s", strerror(err));
		NMC_CHECK(sock_recv(s) == 'A', "no ack after %u frames", sent);
	}
	/* Everything was consumed by the switch: the ring is empty again. */
	err = nmc_sync(&p, NR_TX);
	NMC_CHECK(err == 0, "final txsync: %s", strerror(err));
	NMC_CHECK(nm_ring_user_space(ring, ring->head, ring->tail) ==
			  ring->num_slots - 1,
		  "tx ring not drained: space %u",
		  nm_ring_user_space(ring, ring->head, ring->tail));
	nmc_close(&p);
	printf("vale-pair/tx: OK %u frames sent\n", sent);
	return 0;
}

static int sender_main(int s, void *arg)
{
	(void)arg;
	return sender(s);
}

int main(void)
{
	nmc_prog = "vale-pair";
	nmc_run_pair(receiver, sender_main, NULL);
	printf("vale-pair: OK\n");
	return 0;
}
