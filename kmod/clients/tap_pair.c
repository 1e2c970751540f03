/*
 * tap_pair.c - the generic adapter on a tap (#16): this process creates
 * tap0 (/dev/net/tun, IFF_TAP, tun.ko loaded by the step before), brings
 * it up, binds its NIC rings, and plays the wire through the tap's file:
 *
 *   - each frame written to the file is received by tap0 and must arrive,
 *     once, in order, intact, in the NIC RX ring;
 *   - each frame put in the NIC TX ring is sent by tap0 and must be read,
 *     once, in order, intact, from the file.
 *
 * Frames of lengths 60..1514; frames of others (the stack's) are skipped.
 */
#include "nmc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TAP_FRAMES 1000U
#define TAP_BATCH 32U

static const uint8_t mac_peer[6] = { 0x02, 0, 0, 0, 9, 0x01 };
static uint8_t mac_tap[6];

static uint32_t frame_len(uint32_t seq)
{
	return 60 + (seq * 97) % (1514 - 60 + 1);
}

static int tap_create(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR), s;

	NMC_CHECK(fd >= 0, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	NMC_CHECK(ioctl(fd, TUNSETIFF, &ifr) == 0, "TUNSETIFF: %s", strerror(errno));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	NMC_CHECK(s >= 0, "socket");
	NMC_CHECK(ioctl(s, SIOCGIFHWADDR, &ifr) == 0, "SIOCGIFHWADDR");
	memcpy(mac_tap, ifr.ifr_hwaddr.sa_data, 6);
	NMC_CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == 0, "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	NMC_CHECK(ioctl(s, SIOCSIFFLAGS, &ifr) == 0, "SIOCSIFFLAGS: %s",
		  strerror(errno));
	close(s);
	return fd;
}

/* Wire -> tap0 -> NIC RX ring: one frame at a time, each awaited. */
static void wire_to_rings(int tfd, struct nmc_port *p)
{
	struct netmap_ring *rx = nmc_ring(p, NR_RX, 0);
	uint8_t buf[2048];
	uint32_t seq, others = 0, len;
	int64_t got;

	for (seq = 0; seq < TAP_FRAMES; seq++) {
		len = frame_len(seq);
		nmc_frame_fill(buf, len, seq, mac_peer, mac_tap);
		NMC_CHECK(write(tfd, buf, len) == (ssize_t)len, "write %u: %s", seq,
			  strerror(errno));
		for (;;) {
			struct netmap_slot *sl;

			if (rx->head == nm_ring_user_tail(rx)) {
				NMC_CHECK(nmc_poll(p->fd, POLLIN, 5000) & POLLIN,
					  "frame %u never arrived", seq);
				continue;
			}
			sl = &rx->slot[rx->head];
			got = nmc_frame_check(nm_ring_user_buf(rx, sl->buf_idx),
					      sl->len);
			rx->head = rx->cur = nm_idx_next(rx->head, rx->num_slots);
			if (got < 0) {
				others++;
				continue;
			}
			NMC_CHECK(got == (int64_t)seq && sl->len == len,
				  "frame %u: seq %lld len %u", seq, (long long)got,
				  sl->len);
			break;
		}
	}
	NMC_CHECK(nmc_sync(p, NR_RX) == 0, "rxsync");
	printf("tap-pair: file -> tap0 -> RX ring: %u frames in order (%u others "
	       "skipped)\n", TAP_FRAMES, others);
}

/* NIC TX ring -> tap0 -> file, in batches the tap's queue holds. */
static void rings_to_wire(int tfd, struct nmc_port *p)
{
	struct netmap_ring *tx = nmc_ring(p, NR_TX, 0);
	uint32_t seq = 0, want = 0, others = 0, i, len;
	struct pollfd pfd = { .fd = tfd, .events = POLLIN };
	uint8_t buf[2048];
	ssize_t n;
	int64_t got;

	while (seq < TAP_FRAMES) {
		for (i = 0; i < TAP_BATCH && seq < TAP_FRAMES; i++, seq++) {
			struct netmap_slot *sl = &tx->slot[tx->head];

			while (nm_ring_user_space(tx, tx->head,
						  nm_ring_user_tail(tx)) == 0) {
				NMC_CHECK(nmc_poll(p->fd, POLLOUT, 5000) & POLLOUT,
					  "no TX room");
			}
			len = frame_len(seq);
			nmc_frame_fill(nm_ring_user_buf(tx, sl->buf_idx), len, seq,
				       mac_tap, mac_peer);
			sl->len = (uint16_t)len;
			sl->flags = 0;
			tx->head = tx->cur = nm_idx_next(tx->head, tx->num_slots);
		}
		NMC_CHECK(nmc_sync(p, NR_TX) == 0, "txsync");
		while (want < seq) {
			NMC_CHECK(poll(&pfd, 1, 5000) == 1, "frame %u not sent", want);
			n = read(tfd, buf, sizeof(buf));
			NMC_CHECK(n > 0, "read: %s", strerror(errno));
			got = nmc_frame_check(buf, (uint32_t)n);
			if (got < 0) {
				others++;
				continue;
			}
			NMC_CHECK(got == (int64_t)want && n == (ssize_t)frame_len(want),
				  "frame %u: seq %lld len %zd", want, (long long)got, n);
			want++;
		}
	}
	printf("tap-pair: TX ring -> tap0 -> file: %u frames in order (%u others "
	       "skipped)\n", TAP_FRAMES, others);
}

int main(void)
{
	struct nmc_port p;
	int tfd, err;

	nmc_prog = "tap-pair";
	setvbuf(stdout, NULL, _IONBF, 0);
	tfd = tap_create("tap0");
	err = nmc_open(&p, "tap0", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register tap0: %s", strerror(err));
	NMC_CHECK(p.reg.nr_host_tx_rings == 1, "host rings");
	wire_to_rings(tfd, &p);
	rings_to_wire(tfd, &p);
	nmc_close(&p);
	close(tfd);
	printf("tap-pair: OK\n");
	return 0;
}
