/*
 * legacy_api.c - programs of netmap API 11-13 on nmlab.ko: NIOCREGIF and
 * NIOCGINFO with the 60-byte struct nmreq (core/nm_legacy.c translates
 * them onto the NIOCCTRL requests).
 *
 * Cases: two VALE ports bound with NIOCREGIF (API 11 and 13, the old
 * nr_ringid NETMAP_HW_RING form), a frame from one to the other through
 * the mapped rings; NIOCGINFO of a port and of the switch's port list
 * (NETMAP_BDG_LIST); a pipe's master bound with the old
 * NR_REG_PIPE_MASTER mode and its slave with NIOCCTRL, a frame across;
 * refusals: API 10, an nr_cmd the module does not translate (REGOPS), a
 * second bind of one descriptor, a faulting pointer.  Prints PASS lines
 * and "legacy-api: OK".
 */
#include "nm_legacy.h"
#include "nmc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct lport {
	int fd;
	struct nmreq_legacy l;
	uint8_t *mem;
	struct netmap_if *nifp;
};

static int legacy_ioctl(int fd, unsigned long cmd, struct nmreq_legacy *l)
{
	return ioctl(fd, cmd, l) == 0 ? 0 : errno;
}

static struct nmreq_legacy lreq(const char *name, uint32_t version)
{
	struct nmreq_legacy l;

	memset(&l, 0, sizeof(l));
	snprintf(l.nr_name, sizeof(l.nr_name), "%s", name);
	l.nr_version = version;
	return l;
}

/* Bind name with NIOCREGIF (version, ringid, flags) and map it. */
static void lport_open(struct lport *p, const char *name, uint32_t version,
		       uint16_t ringid, uint32_t flags)
{
	int err;

	p->fd = open(NMC_DEV, O_RDWR);
	NMC_CHECK(p->fd >= 0, "open: %s", strerror(errno));
	p->l = lreq(name, version);
	p->l.nr_ringid = ringid;
	p->l.nr_flags = flags;
	err = legacy_ioctl(p->fd, NIOCREGIF, &p->l);
	NMC_CHECK(err == 0, "NIOCREGIF %s (API %u): %s", name, version, strerror(err));
	NMC_CHECK(p->l.nr_memsize > 0 && p->l.nr_tx_slots > 0 && p->l.nr_arg2 != 0,
		  "NIOCREGIF %s: memsize %u slots %u mem_id %u", name, p->l.nr_memsize,
		  p->l.nr_tx_slots, p->l.nr_arg2);
	p->mem = mmap(NULL, p->l.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	NMC_CHECK(p->mem != MAP_FAILED, "mmap: %s", strerror(errno));
	p->nifp = (struct netmap_if *)(p->mem + p->l.nr_offset);
}

static void lport_close(struct lport *p)
{
	munmap(p->mem, p->l.nr_memsize);
	close(p->fd);
}

/* One frame of len bytes, pattern seed, from ring TX 0 of fd/nifp. */
static void send_frame(int fd, struct netmap_if *nifp, uint32_t len, uint8_t seed)
{
	struct netmap_ring *tx = nm_if_user_ring(nifp, NR_TX, 0);
	struct netmap_slot *s = &tx->slot[tx->head];
	uint8_t *b = nm_ring_user_buf(tx, s->buf_idx);
	uint32_t i;

	NMC_CHECK(nm_ring_user_space(tx, tx->head, nm_ring_user_tail(tx)) > 0, "tx ring full");
	memset(b, 0xff, 6); /* broadcast: the switch floods it */
	memset(b + 6, 0x02, 6);
	for (i = 12; i < len; i++)
		b[i] = (uint8_t)(seed + i);
	s->len = (uint16_t)len;
	s->flags = 0;
	tx->head = tx->cur = nm_idx_next(tx->head, tx->num_slots);
	NMC_CHECK(ioctl(fd, NIOCTXSYNC) == 0, "txsync: %s", strerror(errno));
}

static void recv_frame(int fd, struct netmap_if *nifp, uint32_t len, uint8_t seed)
{
	struct netmap_ring *rx = nm_if_user_ring(nifp, NR_RX, 0);
	struct netmap_slot *s;
	uint8_t *b;
	uint32_t i;

	NMC_CHECK(ioctl(fd, NIOCRXSYNC) == 0, "rxsync: %s", strerror(errno));
	NMC_CHECK(nm_ring_user_space(rx, rx->head, nm_ring_user_tail(rx)) == 1,
		  "expected one frame, %u ready", nm_ring_user_space(rx, rx->head, rx->tail));
	s = &rx->slot[rx->head];
	b = nm_ring_user_buf(rx, s->buf_idx);
	NMC_CHECK(s->len == len, "len %u, sent %u", s->len, len);
	for (i = 12; i < len; i++)
		NMC_CHECK(b[i] == (uint8_t)(seed + i), "byte %u differs", i);
	rx->head = rx->cur = nm_idx_next(rx->head, rx->num_slots);
	NMC_CHECK(ioctl(fd, NIOCRXSYNC) == 0, "rxsync: %s", strerror(errno));
}

int main(void)
{
	struct lport a, b, pm;
	struct nmreq_legacy l;
	struct nmc_port ps;
	int err, fd;

	nmc_prog = "legacy-api";
	lport_open(&b, "valeL0:b", 11, 0, 0);
	lport_open(&a, "valeL0:a", 13, NETMAP_HW_RING | 0, 0);
	send_frame(a.fd, a.nifp, 200, 7);
	recv_frame(b.fd, b.nifp, 200, 7);
	printf("legacy-api: PASS vale_frame (API 11 and 13 ports)\n");

	l = lreq("valeL0:a", 12);
	err = legacy_ioctl(a.fd, NIOCGINFO, &l);
	NMC_CHECK(err == 0 && l.nr_tx_slots == a.l.nr_tx_slots && l.nr_memsize > 0,
		  "NIOCGINFO: %s, slots %u", strerror(err), l.nr_tx_slots);
	printf("legacy-api: PASS niocginfo\n");
	l = lreq("", 14);
	l.nr_cmd = NETMAP_BDG_LIST;
	err = legacy_ioctl(a.fd, NIOCGINFO, &l);
	NMC_CHECK(err == 0 && strncmp(l.nr_name, "valeL0:", 7) == 0,
		  "BDG_LIST: %s, name '%.16s'", strerror(err), l.nr_name);
	printf("legacy-api: PASS bdg_list (%.16s at %u:%u)\n", l.nr_name, l.nr_arg1, l.nr_arg2);

	lport_open(&pm, "nmcL", 11, 1, NR_REG_PIPE_MASTER);
	err = nmc_open(&ps, "nmcL}1", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "slave nmcL}1: %s", strerror(err));
	send_frame(pm.fd, pm.nifp, 64, 3);
	recv_frame(ps.fd, ps.nifp, 64, 3);
	printf("legacy-api: PASS pipe_master (nmcL{1 by NR_REG_PIPE_MASTER)\n");

	fd = open(NMC_DEV, O_RDWR);
	NMC_CHECK(fd >= 0, "open: %s", strerror(errno));
	l = lreq("valeL0:c", 10);
	NMC_CHECK(legacy_ioctl(fd, NIOCREGIF, &l) == EINVAL, "API 10 accepted");
	l = lreq("valeL0:c", 14);
	l.nr_cmd = 3; /* NETMAP_BDG_REGOPS: in-kernel callbacks only */
	NMC_CHECK(legacy_ioctl(fd, NIOCREGIF, &l) == EINVAL, "REGOPS accepted");
	NMC_CHECK(ioctl(fd, NIOCREGIF, (void *)8) != 0 && errno == EFAULT,
		  "faulting pointer: %s", strerror(errno));
	l = lreq("valeL0:c", 14);
	NMC_CHECK(legacy_ioctl(fd, NIOCREGIF, &l) == 0, "valeL0:c");
	l = lreq("valeL0:d", 14);
	NMC_CHECK(legacy_ioctl(fd, NIOCREGIF, &l) == EBUSY, "second bind not EBUSY");
	close(fd);
	printf("legacy-api: PASS refusals (API 10, REGOPS, EFAULT, EBUSY)\n");

	nmc_close(&ps);
	lport_close(&pm);
	lport_close(&a);
	lport_close(&b);
	printf("legacy-api: OK\n");
	return 0;
}
