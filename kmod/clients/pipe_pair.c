/*
 * pipe_pair.c - two processes talk through a netmap pipe ("nmcP{1" and
 * "nmcP}1"): zero-copy, with the pipe's own flow control (the sender's
 * tail moves only when the receiver releases slots).  The sender sleeps
 * in poll(POLLOUT) when its ring is full, the receiver in poll(POLLIN).
 * Every 5th packet is sent as 3 fragments (NS_MOREFRAG).  Passes when the
 * receiver sees every packet once, in order, intact, with its fragments.
 */
#include "nmc.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NMC_PIPE_PKTS 30000U
#define NMC_PIPE_SLOTS 256U

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 1, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 1, 0x02 };

static uint32_t frags_of(uint32_t seq)
{
	return seq % 5 == 4 ? 3 : 1;
}

static int receiver(int s)
{
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t got = 0, frag = 0, head, tail;
	char c = 'R';
	int err, ev;

	nmc_prog = "pipe-pair/rx";
	err = nmc_open(&p, "nmcP}1", NR_REG_ALL_NIC, 0, NMC_PIPE_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	NMC_CHECK(write(s, &c, 1) == 1, "ready");
	ring = nmc_ring(&p, NR_RX, 0);
	while (got < NMC_PIPE_PKTS) {
		ev = nmc_poll(p.fd, POLLIN, 10000);
		NMC_CHECK(ev & POLLIN, "poll: revents %#x after %u packets", ev,
			  got);
		head = ring->head;
		tail = nm_ring_user_tail(ring);
		while (head != tail) {
			struct netmap_slot *sl = &ring->slot[head];
			uint32_t nf = frags_of(got);
			int64_t seq;

			seq = nmc_frame_check(nm_ring_user_buf(ring, sl->buf_idx),
					      sl->len);
			NMC_CHECK(seq == (int64_t)got, "packet %u frag %u: seq %lld",
				  got, frag, (long long)seq);
			NMC_CHECK(((sl->flags & NS_MOREFRAG) != 0) ==
					  (frag + 1 < nf),
				  "packet %u frag %u: flags %#x", got, frag,
				  sl->flags);
			if (++frag == nf) {
				frag = 0;
				got++;
			}
			head = nm_idx_next(head, ring->num_slots);
		}
		nm_ring_user_publish(ring, head, head);
		err = nmc_sync(&p, NR_RX);
		NMC_CHECK(err == 0, "rxsync: %s", strerror(err));
	}
	nmc_close(&p);
	printf("pipe-pair/rx: OK %u packets in order\n", got);
	return 0;
}

static int sender(int s)
{
	struct nmc_port p;
	struct netmap_ring *ring;
	uint32_t sent = 0, head, f, nf, sleeps = 0;
	char c;
	int err, ev;

	nmc_prog = "pipe-pair/tx";
	NMC_CHECK(read(s, &c, 1) == 1 && c == 'R', "receiver not ready");
	err = nmc_open(&p, "nmcP{1", NR_REG_ALL_NIC, 0, NMC_PIPE_SLOTS, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	ring = nmc_ring(&p, NR_TX, 0);
	NMC_CHECK(ring->num_slots == NMC_PIPE_SLOTS, "slots %u", ring->num_slots);
	while (sent < NMC_PIPE_PKTS) {
		head = ring->head;
		nf = frags_of(sent);
		if (nm_ring_user_space(ring, head, nm_ring_user_tail(ring)) < nf) {
			ev = nmc_poll(p.fd, POLLOUT, 10000);
			NMC_CHECK(ev & POLLOUT, "poll: revents %#x after %u", ev,
				  sent);
			sleeps++;
			continue;
		}
		for (f = 0; f < nf; f++) {
			struct netmap_slot *sl = &ring->slot[head];

			sl->len = NMC_FRAME_LEN + f;
			nmc_frame_fill(nm_ring_user_buf(ring, sl->buf_idx),
				       sl->len, sent, mac_a, mac_b);
			sl->flags = f + 1 < nf ? NS_MOREFRAG : 0;
			head = nm_idx_next(head, ring->num_slots);
		}
		sent++;
		nm_ring_user_publish(ring, head, head);
		if (sent % 64 == 0 || sent == NMC_PIPE_PKTS) {
			err = nmc_sync(&p, NR_TX);
			NMC_CHECK(err == 0, "txsync: %s", strerror(err));
		}
	}
	/* Wait until the receiver has released everything. */
	for (f = 0; nm_ring_user_space(ring, ring->head, ring->tail) !=
		    ring->num_slots - 1;
	     f++) {
		NMC_CHECK(f < 10000, "tx ring not drained: space %u",
			  nm_ring_user_space(ring, ring->head, ring->tail));
		usleep(1000);
		err = nmc_sync(&p, NR_TX);
		NMC_CHECK(err == 0, "txsync: %s", strerror(err));
	}
	nmc_close(&p);
	printf("pipe-pair/tx: OK %u packets, %u waits for space\n", sent,
	       sleeps);
	return 0;
}

static int sender_main(int s, void *arg)
{
	(void)arg;
	return sender(s);
}

int main(void)
{
	nmc_prog = "pipe-pair";
	nmc_run_pair(receiver, sender_main, NULL);
	printf("pipe-pair: OK\n");
	return 0;
}
