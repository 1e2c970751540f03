/*
 * nic_pair.c - the generic adapter (kmod/nmlab_nic.c) on two NICs of the
 * guest wired to each other (QEMU hub), and the host rings.
 *
 *   nic-pair wire A B    A's NIC TX ring -> wire -> B's NIC RX ring, then
 *                        the other way: every frame once, in order, intact
 *   nic-pair host B IP   an ICMP echo request for IP written to B's host TX
 *                        ring reaches B's stack; its ARP request and echo
 *                        reply come back on B's host RX ring
 *   nic-pair bridge A B IP
 *                        a child bridges B's NIC rings and host rings (the
 *                        application between the wire and the stack, mode
 *                        NR_REG_NIC_SW); this process pings IP from A's NIC
 *                        rings: request and reply cross the wire, the
 *                        bridge and B's stack
 *   nic-pair vale valeX:P A B
 *                        with A attached to switch valeX (nmctl -a), the
 *                        application's port valeX:P streams to B's NIC
 *                        rings across the wire and back; the switch's
 *                        sides refuse REGISTER and a second attach (EBUSY)
 *   nic-pair swping valeX:P B IP
 *                        with B attached to valeX with its host stack
 *                        (nmctl -h), valeX:P pings B's stack through the
 *                        switch's host port valeX:B^
 *   nic-pair persist valeX:V valeX:P
 *                        V made by VALE_NEWIF (256 slots) and attached:
 *                        streams with valeX:P both ways, outlives its
 *                        files, and the NEWIF/DELIF/DETACH errnos
 *   nic-pair modes B     ring selection of every mode, its errnos, and
 *                        PORT_INFO_GET on an interface
 *   nic-pair unreg A DRV B
 *                        A bound while it goes down and up, while nmlab.ko
 *                        is asked to unload (refused), and while its
 *                        driver DRV is unloaded (the port stays usable,
 *                        its frames dropped, nothing leaks); DRV loaded
 *                        again, the new A and B carry frames while the
 *                        old port is still open
 *
 * Frames of others (the stack's IPv6 chatter) are skipped, never counted.
 */
#include "nmc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NIC_PKTS 3000U
#define NIC_BATCH 100U

/* Who the pinger is: a made-up host behind the host rings (the stack
 * does not filter), eth0's own MAC on the wire (the receiving NIC keeps
 * only its own unicast address: the adapter does not make it promiscuous). */
static uint8_t mac_me[6] = { 0x02, 0, 0, 0, 0, 0x09 };
static uint8_t ip_me[4] = { 10, 0, 0, 9 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void read_mac(const char *ifname, uint8_t mac[6])
{
	char path[128], buf[64];
	unsigned int m[6], i;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	NMC_CHECK(f != NULL, "%s: %s", path, strerror(errno));
	NMC_CHECK(fgets(buf, sizeof(buf), f) != NULL, "read %s", path);
	fclose(f);
	NMC_CHECK(sscanf(buf, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
			 &m[4], &m[5]) == 6, "mac %s", buf);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
}

/* ---- Ring helpers. */

static void put_frame(struct netmap_ring *r, const uint8_t *buf, uint32_t len)
{
	struct netmap_slot *s = &r->slot[r->head];

	memcpy(nm_ring_user_buf(r, s->buf_idx), buf, len);
	s->len = (uint16_t)len;
	s->flags = 0;
	r->head = r->cur = nm_idx_next(r->head, r->num_slots);
}

static uint32_t tx_space(struct netmap_ring *r)
{
	return nm_ring_user_space(r, r->head, nm_ring_user_tail(r));
}

/* Send one frame on ring r of p, waiting for room. */
static void send_frame(struct nmc_port *p, struct netmap_ring *r,
		       const uint8_t *buf, uint32_t len)
{
	uint64_t end = now_ms() + 10000;

	while (tx_space(r) == 0) {
		NMC_CHECK(now_ms() < end, "no TX room on ring %u", r->ringid);
		nmc_poll(p->fd, POLLOUT, 100);
		NMC_CHECK(nmc_sync(p, NR_TX) == 0, "txsync");
	}
	put_frame(r, buf, len);
	NMC_CHECK(nmc_sync(p, NR_TX) == 0, "txsync");
}

/* ---- wire: A -> B, frames checked in order. */

/* NIC_PKTS frames from ring 0 of a to ring 0 of b, src -> dst: every one
 * once, in order, intact. */
static void stream(struct nmc_port *a, struct nmc_port *b, const uint8_t src[6],
		   const uint8_t dst[6], const char *what)
{
	struct netmap_ring *tx = nmc_ring(a, NR_TX, 0), *rx = nmc_ring(b, NR_RX, 0);
	uint32_t sent = 0, got = 0, skipped = 0, i, len;
	uint8_t frame[1514];
	uint64_t end;
	int64_t seq;

	while (got < NIC_PKTS) {
		/* A batch out, then all of it in before the next. */
		for (i = 0; i < NIC_BATCH && sent < NIC_PKTS; i++, sent++) {
			len = NMC_FRAME_LEN + (sent * 37U) % (1514U - NMC_FRAME_LEN + 1);
			nmc_frame_fill(frame, len, sent, src, dst);
			send_frame(a, tx, frame, len);
		}
		end = now_ms() + 20000;
		while (got < sent) {
			NMC_CHECK(now_ms() < end, "%s: %u of %u frames arrived",
				  what, got, sent);
			nmc_poll(b->fd, POLLIN, 500);
			NMC_CHECK(nmc_sync(b, NR_RX) == 0, "rxsync");
			while (rx->head != nm_ring_user_tail(rx)) {
				struct netmap_slot *s = &rx->slot[rx->head];
				const uint8_t *buf = nm_ring_user_buf(rx, s->buf_idx);

				seq = nmc_frame_check(buf, s->len);
				if (seq < 0 || memcmp(buf + 6, src, 6) != 0) {
					skipped++;
				} else {
					NMC_CHECK(seq == got, "%s: frame %lld, expected %u",
						  what, (long long)seq, got);
					got++;
				}
				rx->head = rx->cur = nm_idx_next(rx->head, rx->num_slots);
			}
		}
	}
	printf("nic-pair: %s: %u frames in order (%u others skipped)\n", what,
	       got, skipped);
}

static void wire_one_way(const char *a_name, const char *b_name)
{
	struct nmc_port a, b;
	uint8_t src[6], dst[6];
	char what[64];
	int err;

	read_mac(a_name, src);
	read_mac(b_name, dst);
	err = nmc_open(&a, a_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", a_name, strerror(err));
	err = nmc_open(&b, b_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", b_name, strerror(err));
	NMC_CHECK(a.reg.nr_host_tx_rings == 1 && a.reg.nr_host_rx_rings == 1,
		  "host rings %u/%u", a.reg.nr_host_tx_rings,
		  a.reg.nr_host_rx_rings);
	NMC_CHECK(a.nifp->ni_host_tx_rings == 1, "ni_host_tx_rings");
	snprintf(what, sizeof(what), "%s -> %s", a_name, b_name);
	stream(&a, &b, src, dst, what);
	nmc_close(&a);
	nmc_close(&b);
}

/* ---- vale: an application's VALE port and a NIC through a switch that
 * has the other NIC attached (nmctl -a valeX:A ran before). */

static void vale(const char *app_name, const char *a_name, const char *b_name)
{
	static const uint8_t mac_app[6] = { 0x02, 0, 0, 0, 0, 0x05 };
	struct nmreq_vale_attach va;
	struct nmreq_header h;
	char sw_a[64], what[96];
	struct nmc_port app, b, x;
	uint8_t mac_b[6];
	int err;

	read_mac(b_name, mac_b);
	snprintf(sw_a, sizeof(sw_a), "%.*s%s",
		 (int)(strchr(app_name, ':') - app_name + 1), app_name, a_name);
	/* The switch owns both sides of the attachment. */
	NMC_CHECK(nmc_open(&x, a_name, NR_REG_ALL_NIC, 0, 0, 0) == EBUSY,
		  "REGISTER %s while attached", a_name);
	NMC_CHECK(nmc_open(&x, sw_a, NR_REG_ALL_NIC, 0, 0, 0) == EBUSY,
		  "REGISTER %s while attached", sw_a);
	err = nmc_open(&app, app_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", app_name, strerror(err));
	memset(&va, 0, sizeof(va));
	va.reg.nr_mode = NR_REG_ALL_NIC;
	nmc_hdr(&h, NETMAP_REQ_VALE_ATTACH, sw_a, &va);
	NMC_CHECK(nmc_ctrl(app.fd, &h) == EBUSY, "second VALE_ATTACH %s", sw_a);
	/* The kernel writes plain frames into the switch side: no header
	 * may be imposed on it. */
	{
		struct nmreq_port_hdr ph = { .nr_hdr_len = 10 };

		nmc_hdr(&h, NETMAP_REQ_PORT_HDR_SET, sw_a, &ph);
		NMC_CHECK(nmc_ctrl(app.fd, &h) == EBUSY, "PORT_HDR_SET %s", sw_a);
	}
	nmc_hdr(&h, NETMAP_REQ_VALE_ATTACH, "vale1:nosuchif0", &va);
	NMC_CHECK(nmc_ctrl(app.fd, &h) == ENXIO, "VALE_ATTACH of no interface");
	va.reg.nr_mode = NR_REG_ONE_NIC;
	nmc_hdr(&h, NETMAP_REQ_VALE_ATTACH, "vale1:eth1", &va);
	NMC_CHECK(nmc_ctrl(app.fd, &h) == EINVAL, "VALE_ATTACH ONE_NIC");
	err = nmc_open(&b, b_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", b_name, strerror(err));
	/* The switch floods until it has learnt mac_app; then unicast. */
	snprintf(what, sizeof(what), "%s -> %s -> wire -> %s", app_name, sw_a, b_name);
	stream(&app, &b, mac_app, mac_b, what);
	snprintf(what, sizeof(what), "%s -> wire -> %s -> %s", b_name, sw_a, app_name);
	stream(&b, &app, mac_b, mac_app, what);
	nmc_close(&b);
	nmc_close(&app);
}

/* ---- ARP and ICMP, enough to ping a stack. */

static uint16_t csum(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t build_echo(uint8_t *f, const uint8_t dmac[6],
			   const uint8_t dip[4], uint16_t seq)
{
	uint8_t *ip = f + 14, *icmp = f + 34;
	uint16_t c;
	uint32_t i;

	memset(f, 0, 98);
	memcpy(f, dmac, 6);
	memcpy(f + 6, mac_me, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[3] = 84; /* total length */
	ip[8] = 64;
	ip[9] = 1; /* ICMP */
	memcpy(ip + 12, ip_me, 4);
	memcpy(ip + 16, dip, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	icmp[0] = 8; /* echo request */
	icmp[4] = 0x4e;
	icmp[5] = 0x4d; /* id "NM" */
	icmp[6] = (uint8_t)(seq >> 8);
	icmp[7] = (uint8_t)seq;
	for (i = 8; i < 64; i++)
		icmp[i] = (uint8_t)i;
	c = csum(icmp, 64);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 98;
}

static uint32_t build_arp_reply(uint8_t *f, const uint8_t *req)
{
	memset(f, 0, 60);
	memcpy(f, req + 6, 6);
	memcpy(f + 6, mac_me, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, req + 14, 6); /* htype, ptype, hlen, plen */
	f[20] = 0;
	f[21] = 2; /* reply */
	memcpy(f + 22, mac_me, 6);
	memcpy(f + 28, ip_me, 4);
	memcpy(f + 32, req + 22, 10); /* the asker's MAC and IP */
	return 60;
}

/*
 * Ping dip (at dmac) through rings tx/rx of p: send an echo request each
 * second, answer ARP requests for ip_me, until the reply arrives.  Returns
 * how many ARP requests were answered.
 */
static uint32_t ping(struct nmc_port *p, struct netmap_ring *tx,
		     struct netmap_ring *rx, const uint8_t dmac[6],
		     const uint8_t dip[4])
{
	uint8_t f[128];
	uint64_t end = now_ms() + 30000, next = 0;
	uint32_t arps = 0, len;
	uint16_t seq = 0;

	for (;;) {
		NMC_CHECK(now_ms() < end, "no echo reply from %u.%u.%u.%u (%u ARP answered)",
			  dip[0], dip[1], dip[2], dip[3], arps);
		if (now_ms() >= next) {
			len = build_echo(f, dmac, dip, ++seq);
			send_frame(p, tx, f, len);
			next = now_ms() + 1000;
		}
		nmc_poll(p->fd, POLLIN, 200);
		NMC_CHECK(nmc_sync(p, NR_RX) == 0, "rxsync");
		while (rx->head != nm_ring_user_tail(rx)) {
			struct netmap_slot *s = &rx->slot[rx->head];
			const uint8_t *b = nm_ring_user_buf(rx, s->buf_idx);

			rx->head = rx->cur = nm_idx_next(rx->head, rx->num_slots);
			if (s->len >= 42 && b[12] == 0x08 && b[13] == 0x06 &&
			    b[21] == 1 && memcmp(b + 38, ip_me, 4) == 0) {
				len = build_arp_reply(f, b);
				send_frame(p, tx, f, len);
				arps++;
			} else if (s->len >= 98 && b[12] == 0x08 && b[13] == 0 &&
				   b[23] == 1 && b[34] == 0 &&
				   memcmp(b + 26, dip, 4) == 0 &&
				   memcmp(b + 30, ip_me, 4) == 0 &&
				   memcmp(b, mac_me, 6) == 0 && b[38] == 0x4e &&
				   b[39] == 0x4d && csum(b + 34, 64) == 0) {
				return arps;
			} else {
				fprintf(stderr, "ping: other frame len %u type %02x%02x\n",
					s->len, b[12], b[13]);
			}
		}
	}
}

static int parse_ip(const char *s, uint8_t ip[4])
{
	return inet_pton(AF_INET, s, ip) == 1 ? 0 : -1;
}

/* ---- host: B's stack through its host rings. */

static void host_rings(const char *b_name, const char *ipstr)
{
	struct nmc_port b;
	uint8_t dmac[6], dip[4];
	uint32_t arps;
	int err;

	NMC_CHECK(parse_ip(ipstr, dip) == 0, "ip %s", ipstr);
	read_mac(b_name, dmac);
	err = nmc_open(&b, b_name, NR_REG_SW, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s^: %s", b_name, strerror(err));
	arps = ping(&b, nmc_ring(&b, NR_TX, b.nifp->ni_tx_rings),
		    nmc_ring(&b, NR_RX, b.nifp->ni_rx_rings), dmac, dip);
	printf("nic-pair: %s's stack answered through the host rings (%u ARP)\n",
	       b_name, arps);
	nmc_close(&b);
}

/* ---- bridge: a child forwards between B's NIC rings and host rings. */

static uint32_t forward(struct netmap_ring *from, struct netmap_ring *to)
{
	uint32_t n = 0;

	while (from->head != nm_ring_user_tail(from) && tx_space(to) > 0) {
		struct netmap_slot *s = &from->slot[from->head];

		put_frame(to, nm_ring_user_buf(from, s->buf_idx), s->len);
		from->head = from->cur = nm_idx_next(from->head, from->num_slots);
		n++;
	}
	return n;
}

static void bridge_child(const char *b_name, int ready)
{
	struct nmc_port b;
	struct netmap_ring *ntx, *nrx, *htx, *hrx;
	uint32_t up = 0, down = 0;
	uint64_t next = now_ms() + 2000;
	int err;

	nmc_prog = "nic-pair/bridge";
	err = nmc_open(&b, b_name, NR_REG_NIC_SW, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s*: %s", b_name, strerror(err));
	ntx = nmc_ring(&b, NR_TX, 0);
	nrx = nmc_ring(&b, NR_RX, 0);
	htx = nmc_ring(&b, NR_TX, b.nifp->ni_tx_rings);
	hrx = nmc_ring(&b, NR_RX, b.nifp->ni_rx_rings);
	NMC_CHECK(write(ready, "R", 1) == 1, "ready");
	for (;;) { /* until killed */
		nmc_poll(b.fd, POLLIN, 100);
		NMC_CHECK(nmc_sync(&b, NR_RX) == 0, "rxsync");
		up += forward(nrx, htx);
		down += forward(hrx, ntx);
		NMC_CHECK(nmc_sync(&b, NR_TX) == 0, "txsync");
		if (now_ms() > next) {
			fprintf(stderr, "bridge: %u to the stack, %u to the wire\n", up, down);
			next = now_ms() + 2000;
		}
	}
}

static pid_t bridge_pid;

/* A failing check exits: the bridge must not outlive us. */
static void bridge_kill(void)
{
	if (bridge_pid > 0)
		kill(bridge_pid, SIGKILL);
}

static void bridge(const char *a_name, const char *b_name, const char *ipstr)
{
	struct nmc_port a;
	uint8_t dmac[6], dip[4];
	int sv[2], status, err;
	uint32_t arps;
	char c;
	pid_t pid;

	NMC_CHECK(parse_ip(ipstr, dip) == 0, "ip %s", ipstr);
	read_mac(b_name, dmac);
	read_mac(a_name, mac_me);
	ip_me[3] = 1; /* 10.0.0.1: not the host case's 10.0.0.9 */
	NMC_CHECK(pipe(sv) == 0, "pipe");
	pid = fork();
	NMC_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(sv[0]);
		bridge_child(b_name, sv[1]);
		exit(1);
	}
	bridge_pid = pid;
	atexit(bridge_kill);
	close(sv[1]);
	NMC_CHECK(read(sv[0], &c, 1) == 1, "bridge did not start");
	err = nmc_open(&a, a_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", a_name, strerror(err));
	arps = ping(&a, nmc_ring(&a, NR_TX, 0), nmc_ring(&a, NR_RX, 0), dmac, dip);
	nmc_close(&a);
	kill(pid, SIGKILL);
	NMC_CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	bridge_pid = 0;
	NMC_CHECK(WIFSIGNALED(status), "bridge died early (status %#x)", status);
	printf("nic-pair: %s pinged %s's stack through the bridge (%u ARP)\n",
	       a_name, b_name, arps);
}

/* ---- modes: ring selection and errnos on an interface. */

static void modes(const char *b_name)
{
	struct nmreq_port_info_get pi;
	struct nmreq_header h;
	struct nmc_port p, q;
	int fd, err;

	fd = open(NMC_DEV, O_RDWR);
	NMC_CHECK(fd >= 0, "open");
	memset(&pi, 0, sizeof(pi));
	nmc_hdr(&h, NETMAP_REQ_PORT_INFO_GET, b_name, &pi);
	NMC_CHECK(nmc_ctrl(fd, &h) == 0, "PORT_INFO_GET %s", b_name);
	NMC_CHECK(pi.nr_tx_rings >= 1 && pi.nr_host_tx_rings == 1 &&
			  pi.nr_host_rx_rings == 1 && pi.nr_memsize > 0,
		  "port info: %u rings, %u host", pi.nr_tx_rings,
		  pi.nr_host_tx_rings);
	nmc_hdr(&h, NETMAP_REQ_PORT_INFO_GET, "nosuchif0", &pi);
	NMC_CHECK(nmc_ctrl(fd, &h) == ENXIO, "PORT_INFO_GET of no interface");
	nmc_hdr(&h, NETMAP_REQ_PORT_INFO_GET, "lo", &pi);
	NMC_CHECK(nmc_ctrl(fd, &h) == EOPNOTSUPP, "PORT_INFO_GET lo");
	close(fd);

	/* Host modes on a VALE port: EINVAL, as the reference. */
	NMC_CHECK(nmc_open(&p, "valeN0:x", NR_REG_SW, 0, 0, 0) == EINVAL,
		  "NR_REG_SW on VALE");
	/* ONE_SW past the host rings. */
	NMC_CHECK(nmc_open(&p, b_name, NR_REG_ONE_SW, 0, 0, 0) == 0, "ONE_SW 0");
	nmc_close(&p);
	memset(&p, 0, sizeof(p));
	{
		struct nmc_port r;

		memset(&r, 0, sizeof(r));
		r.fd = open(NMC_DEV, O_RDWR);
		r.reg.nr_mode = NR_REG_ONE_SW;
		r.reg.nr_ringid = 1;
		nmc_hdr(&h, NETMAP_REQ_REGISTER, b_name, &r.reg);
		NMC_CHECK(nmc_ctrl(r.fd, &h) == EINVAL, "ONE_SW ring 1");
		close(r.fd);
	}
	/* The host rings exclusively in one file, NIC rings in another:
	 * disjoint, so both bind; a second exclusive NIC_SW does not. */
	err = nmc_open(&p, b_name, NR_REG_SW, NR_EXCLUSIVE, 0, 0);
	NMC_CHECK(err == 0, "SW exclusive: %s", strerror(err));
	err = nmc_open(&q, b_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "ALL_NIC next to SW: %s", strerror(err));
	nmc_close(&q);
	NMC_CHECK(nmc_open(&q, b_name, NR_REG_NIC_SW, 0, 0, 0) == EBUSY,
		  "NIC_SW over an exclusive host ring");
	nmc_close(&p);
	NMC_CHECK(nmc_open(&p, "nosuchif0", NR_REG_ALL_NIC, 0, 0, 0) == ENXIO,
		  "REGISTER of no interface");
	NMC_CHECK(nmc_open(&p, "lo", NR_REG_ALL_NIC, 0, 0, 0) == EOPNOTSUPP,
		  "REGISTER lo");
	printf("nic-pair: modes and errnos on %s\n", b_name);
}

/* ---- swping: B's stack through a switch it is attached to with its
 * host rings (nmctl -h valeX:B ran before). */

static void swping(const char *app_name, const char *b_name, const char *ipstr)
{
	char host_port[64];
	uint8_t dmac[6], dip[4];
	struct nmc_port app, x;
	uint32_t arps;
	int err;

	NMC_CHECK(parse_ip(ipstr, dip) == 0, "ip %s", ipstr);
	read_mac(b_name, dmac);
	snprintf(host_port, sizeof(host_port), "%.*s%s^",
		 (int)(strchr(app_name, ':') - app_name + 1), app_name, b_name);
	NMC_CHECK(nmc_open(&x, host_port, NR_REG_ALL_NIC, 0, 0, 0) == EBUSY,
		  "REGISTER %s while attached", host_port);
	mac_me[5] = 0x0c;
	ip_me[3] = 12; /* 10.0.0.12 */
	err = nmc_open(&app, app_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", app_name, strerror(err));
	arps = ping(&app, nmc_ring(&app, NR_TX, 0), nmc_ring(&app, NR_RX, 0),
		    dmac, dip);
	nmc_close(&app);
	printf("nic-pair: %s pinged %s's stack through %s (%u ARP)\n",
	       app_name, b_name, host_port, arps);
}

/* ---- persist: a port made by VALE_NEWIF and attached to a switch
 * (nmctl -n name; nmctl -a valeX:name ran before). */

static int ctl(int fd, uint16_t type, const char *name, void *body)
{
	struct nmreq_header h;

	nmc_hdr(&h, type, name, body);
	return nmc_ctrl(fd, &h);
}

static void persist(const char *swport, const char *peer_name)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	const char *vif = strchr(swport, ':') + 1;
	struct nmreq_vale_newif nw;
	struct nmreq_vale_detach vd;
	struct nmreq_vale_list vl;
	struct nmc_port a, b;
	int err, fd;

	err = nmc_open(&a, swport, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", swport, strerror(err));
	NMC_CHECK(a.reg.nr_tx_slots == 256, "persistent port's slots %u",
		  a.reg.nr_tx_slots);
	err = nmc_open(&b, peer_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", peer_name, strerror(err));
	stream(&a, &b, mac_a, mac_b, "persistent port -> peer");
	stream(&b, &a, mac_b, mac_a, "peer -> persistent port");
	fd = a.fd;
	memset(&nw, 0, sizeof(nw));
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_NEWIF, vif, &nw) == EEXIST, "NEWIF twice");
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_NEWIF, "eth0", &nw) == EEXIST,
		  "NEWIF of an interface's name");
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_NEWIF, "vale9", &nw) == EINVAL,
		  "NEWIF vale9");
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_DELIF, vif, NULL) == EBUSY,
		  "DELIF while attached");
	memset(&vd, 0, sizeof(vd));
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_DETACH, swport, &vd) == EBUSY,
		  "DETACH while open");
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_DELIF, "nosuchvif", NULL) == ENXIO,
		  "DELIF of nothing");
	nmc_close(&a);
	nmc_close(&b);
	/* Nobody has it open: still on the switch. */
	fd = open(NMC_DEV, O_RDWR);
	NMC_CHECK(fd >= 0, "open");
	memset(&vl, 0, sizeof(vl));
	NMC_CHECK(ctl(fd, NETMAP_REQ_VALE_LIST, swport, &vl) == 0,
		  "%s gone with its last file", swport);
	close(fd);
	printf("nic-pair: %s persists\n", swport);
}

/* ---- unreg: the device goes away under an open port. */

static void send_some(struct nmc_port *p, const uint8_t src[6])
{
	uint8_t frame[NMC_FRAME_LEN];
	uint32_t i;

	for (i = 0; i < 20; i++) {
		nmc_frame_fill(frame, sizeof(frame), i, src, src);
		send_frame(p, nmc_ring(p, NR_TX, 0), frame, sizeof(frame));
	}
	NMC_CHECK(nmc_sync(p, NR_RX) == 0, "rxsync");
}

static void unreg(const char *a_name, const char *driver, const char *peer)
{
	struct nmc_port p, h, x;
	char cmd[128];
	uint8_t mac[6];
	int err;

	read_mac(a_name, mac);
	err = nmc_open(&p, a_name, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", a_name, strerror(err));
	err = nmc_open(&h, a_name, NR_REG_SW, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s^: %s", a_name, strerror(err));
	snprintf(cmd, sizeof(cmd), "ip link set %s down", a_name);
	NMC_CHECK(system(cmd) == 0, "%s", cmd);
	send_some(&p, mac);
	snprintf(cmd, sizeof(cmd), "ip link set %s up", a_name);
	NMC_CHECK(system(cmd) == 0, "%s", cmd);
	send_some(&p, mac);
	NMC_CHECK(system("rmmod nmlab 2>/dev/null") != 0,
		  "nmlab.ko unloaded with a port open");
	snprintf(cmd, sizeof(cmd), "rmmod %s", driver);
	NMC_CHECK(system(cmd) == 0, "%s", cmd);
	snprintf(cmd, sizeof(cmd), "/sys/class/net/%s", a_name);
	NMC_CHECK(access(cmd, F_OK) != 0, "%s still there", cmd);
	send_some(&p, mac); /* dropped: no device */
	nmc_poll(h.fd, POLLIN, 10);
	NMC_CHECK(nmc_sync(&h, NR_TX) == 0 && nmc_sync(&h, NR_RX) == 0,
		  "host ring syncs without a device");
	/* The name no longer opens. */
	NMC_CHECK(nmc_open(&x, a_name, NR_REG_ALL_NIC, 0, 0, 0) == ENXIO,
		  "%s opened after its unregistration", a_name);
	/* New devices of the same names, while the old port is still open
	 * (and, with peer attached to a switch before, that attachment):
	 * they open as new adapters and carry frames. */
	snprintf(cmd, sizeof(cmd), "insmod /lib/%s.ko && nic-up", driver);
	NMC_CHECK(system(cmd) == 0, "%s", cmd);
	wire_one_way(peer, a_name);
	nmc_close(&h);
	nmc_close(&p);
	printf("nic-pair: %s unregistered while open\n", a_name);
}

int main(int argc, char **argv)
{
	nmc_prog = "nic-pair";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && strcmp(argv[1], "wire") == 0) {
		wire_one_way(argv[2], argv[3]);
		wire_one_way(argv[3], argv[2]);
	} else if (argc == 4 && strcmp(argv[1], "host") == 0) {
		host_rings(argv[2], argv[3]);
	} else if (argc == 5 && strcmp(argv[1], "bridge") == 0) {
		bridge(argv[2], argv[3], argv[4]);
	} else if (argc == 3 && strcmp(argv[1], "modes") == 0) {
		modes(argv[2]);
	} else if (argc == 5 && strcmp(argv[1], "swping") == 0) {
		swping(argv[2], argv[3], argv[4]);
	} else if (argc == 4 && strcmp(argv[1], "persist") == 0) {
		persist(argv[2], argv[3]);
	} else if (argc == 5 && strcmp(argv[1], "vale") == 0) {
		vale(argv[2], argv[3], argv[4]);
	} else if (argc == 5 && strcmp(argv[1], "unreg") == 0) {
		unreg(argv[2], argv[3], argv[4]);
	} else {
		fprintf(stderr, "usage: nic-pair wire A B | host B IP | bridge A B IP | vale valeX:P A B | swping valeX:P B IP | persist valeX:V valeX:P | modes B | unreg A DRV B\n");
		return 2;
	}
	printf("nic-pair: OK\n");
	return 0;
}
