/*
 * mem_share.c - memory regions by id (nr_mem_id) and NR_REG_NULL (#16).
 *
 * A null registration needs the id of a live region (EINVAL without one,
 * or for an id nobody has), maps that region, binds no ring, and keeps the
 * region alive: after the port's last file closes, REGISTER of the same
 * port with that id finds the same region, and a frame received there is
 * read through the null file's mapping.  Both ends of a pipe report one
 * id and either may be opened with the other's; a new port cannot be put
 * in another port's region (ENOMEM), a port already open keeps its own;
 * PORT_INFO_GET and POOLS_INFO_GET report the ids; VALE_NEWIF judges its
 * nr_mem_id the same way.  When the null file closes, the id is gone.
 */
#include "nmc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 7, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 7, 0x0b };

/* REGISTER name on a new file with mode and mem_id; the file, or -errno. */
static int reg_id(const char *name, uint32_t mode, uint16_t mem_id,
		  struct nmreq_register *out)
{
	struct nmreq_header h;
	int fd = open(NMC_DEV, O_RDWR), err;

	NMC_CHECK(fd >= 0, "open: %s", strerror(errno));
	memset(out, 0, sizeof(*out));
	out->nr_mode = mode;
	out->nr_mem_id = mem_id;
	nmc_hdr(&h, NETMAP_REQ_REGISTER, name, out);
	err = nmc_ctrl(fd, &h);
	if (err != 0) {
		close(fd);
		return -err;
	}
	return fd;
}

static void expect_err(const char *what, int ret, int want)
{
	NMC_CHECK(ret == -want, "%s: got %s, want %s", what,
		  ret < 0 ? strerror(-ret) : "success", strerror(want));
	if (ret >= 0)
		close(ret);
	printf("mem-share: %s: %s as expected\n", what, strerror(want));
}

static uint16_t pools_id(int fd, const char *name, uint64_t *memsize)
{
	struct nmreq_pools_info pi;
	struct nmreq_header h;
	int err;

	memset(&pi, 0, sizeof(pi));
	nmc_hdr(&h, NETMAP_REQ_POOLS_INFO_GET, name, &pi);
	err = nmc_ctrl(fd, &h);
	NMC_CHECK(err == 0, "POOLS_INFO_GET %s: %s", name, strerror(err));
	if (memsize != NULL)
		*memsize = pi.nr_memsize;
	return pi.nr_mem_id;
}

static int port_info(const char *name, uint16_t in_id, uint16_t *out_id)
{
	struct nmreq_port_info_get pi;
	struct nmreq_header h;
	int fd = open(NMC_DEV, O_RDWR), err;

	memset(&pi, 0, sizeof(pi));
	pi.nr_mem_id = in_id;
	nmc_hdr(&h, NETMAP_REQ_PORT_INFO_GET, name, &pi);
	err = nmc_ctrl(fd, &h);
	close(fd);
	*out_id = pi.nr_mem_id;
	return err;
}

static int newif(const char *name, uint16_t mem_id)
{
	struct nmreq_vale_newif nw;
	struct nmreq_header h;
	int fd = open(NMC_DEV, O_RDWR), err;

	memset(&nw, 0, sizeof(nw));
	nw.nr_mem_id = mem_id;
	nmc_hdr(&h, NETMAP_REQ_VALE_NEWIF, name, &nw);
	err = nmc_ctrl(fd, &h);
	close(fd);
	return err;
}

/* Send one frame from tx to whoever listens on the switch. */
static void send_frame(struct nmc_port *tx, uint32_t seq)
{
	struct netmap_ring *ring = nmc_ring(tx, NR_TX, 0);
	uint32_t head = ring->head;
	struct netmap_slot *sl = &ring->slot[head];

	nmc_frame_fill(nm_ring_user_buf(ring, sl->buf_idx), NMC_FRAME_LEN, seq,
		       mac_b, mac_a);
	sl->len = NMC_FRAME_LEN;
	head = nm_idx_next(head, ring->num_slots);
	nm_ring_user_publish(ring, head, head);
	NMC_CHECK(nmc_sync(tx, NR_TX) == 0, "txsync");
}

static void null_cases(void)
{
	struct nmc_port a, b, a2;
	struct nmreq_register rn, r;
	struct netmap_ring *rx, *rx_null;
	struct netmap_slot *sl;
	uint8_t *nmem;
	uint64_t memsize;
	uint16_t ida, idb, id;
	int nfd, fd, err;

	expect_err("null_without_mem_id", reg_id("valeM:n", NR_REG_NULL, 0, &r),
		   EINVAL);
	expect_err("null_unknown_mem_id",
		   reg_id("valeM:n", NR_REG_NULL, 65535, &r), EINVAL);
	expect_err("register_unknown_mem_id",
		   reg_id("valeM:a", NR_REG_ALL_NIC, 65535, &r), EINVAL);

	err = nmc_open(&a, "valeM:a", NR_REG_ALL_NIC, 0, 64, 0);
	NMC_CHECK(err == 0, "valeM:a: %s", strerror(err));
	err = nmc_open(&b, "valeM:b", NR_REG_ALL_NIC, 0, 64, 0);
	NMC_CHECK(err == 0, "valeM:b: %s", strerror(err));
	ida = a.reg.nr_mem_id;
	idb = b.reg.nr_mem_id;
	NMC_CHECK(ida >= 2 && idb >= 2 && ida != idb, "ids %u %u", ida, idb);

	/* The null file: a's region, no ring. */
	nfd = reg_id("anything", NR_REG_NULL, ida, &rn);
	NMC_CHECK(nfd >= 0, "null register: %s", strerror(-nfd));
	NMC_CHECK(rn.nr_mem_id == ida && rn.nr_memsize == a.memsize &&
			  rn.nr_offset == a.reg.nr_offset && rn.nr_tx_rings == 0 &&
			  rn.nr_rx_rings == 0 && rn.nr_tx_slots == 0,
		  "null reply: id %u memsize %llu offset %llu rings %u/%u",
		  rn.nr_mem_id, (unsigned long long)rn.nr_memsize,
		  (unsigned long long)rn.nr_offset, rn.nr_tx_rings,
		  rn.nr_rx_rings);
	nmem = mmap(NULL, rn.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		    nfd, 0);
	NMC_CHECK(nmem != MAP_FAILED, "null mmap: %s", strerror(errno));
	NMC_CHECK(strcmp(((struct netmap_if *)(nmem + rn.nr_offset))->ni_name,
			 "valeM:a") == 0,
		  "netmap_if seen through the null mapping");
	NMC_CHECK(ioctl(nfd, NIOCTXSYNC) == 0 && ioctl(nfd, NIOCRXSYNC) == 0,
		  "syncs on a null file (no ring): %s", strerror(errno));
	NMC_CHECK(pools_id(nfd, "", &memsize) == ida && memsize == a.memsize,
		  "POOLS_INFO_GET of the null file");
	{
		struct nmreq_header h;

		nmc_hdr(&h, NETMAP_REQ_CSB_ENABLE, "", NULL);
		NMC_CHECK(nmc_ctrl(nfd, &h) == EINVAL, "CSB_ENABLE on a null file");
		memset(&r, 0, sizeof(r));
		nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeM:a", &r);
		NMC_CHECK(nmc_ctrl(nfd, &h) == EBUSY, "second REGISTER");
	}
	printf("mem-share: null file maps region %u, no ring\n", ida);

	/* The port's last file goes; the null file keeps the region, so
	 * the port, reopened with the id, is the same region. */
	nmc_close(&a);
	fd = reg_id("valeM:a", NR_REG_ALL_NIC, ida, &r);
	NMC_CHECK(fd >= 0, "reopen valeM:a with id %u: %s", ida, strerror(-fd));
	NMC_CHECK(r.nr_mem_id == ida, "reopened id %u, want %u", r.nr_mem_id, ida);
	close(fd);
	err = nmc_open(&a2, "valeM:a", NR_REG_ALL_NIC, 0, 64, 0);
	NMC_CHECK(err == 0 && a2.reg.nr_mem_id == ida, "reopen: %s id %u",
		  strerror(err), a2.reg.nr_mem_id);
	send_frame(&b, 41);
	NMC_CHECK(nmc_sync(&a2, NR_RX) == 0, "rxsync");
	rx = nmc_ring(&a2, NR_RX, 0);
	NMC_CHECK(nm_ring_user_tail(rx) != rx->head, "frame at valeM:a");
	sl = &rx->slot[rx->head];
	/* The same ring and buffer, through the other mapping. */
	rx_null = (struct netmap_ring *)(nmem + ((uint8_t *)rx - a2.mem));
	NMC_CHECK(nmc_frame_check(nm_ring_user_buf(rx_null, sl->buf_idx),
				  sl->len) == 41,
		  "frame read through the null file's mapping");
	printf("mem-share: the null file kept region %u across the port's "
	       "last close\n", ida);

	/* A new port cannot live in a's region; b keeps its own. */
	expect_err("new_port_in_other_region",
		   reg_id("valeM:c", NR_REG_ALL_NIC, ida, &r), ENOMEM);
	fd = reg_id("valeM:b", NR_REG_ALL_NIC, ida, &r);
	NMC_CHECK(fd >= 0 && r.nr_mem_id == idb,
		  "open port keeps its region: %d id %u", fd, r.nr_mem_id);
	close(fd);
	NMC_CHECK(port_info("valeM:b", 0, &id) == 0 && id == idb,
		  "PORT_INFO_GET id %u want %u", id, idb);
	/* nr_mem_id is output only (a body passed back is not refused). */
	NMC_CHECK(port_info("valeM:b", 65535, &id) == 0 && id == idb,
		  "PORT_INFO_GET ignores the id it is given");
	NMC_CHECK(newif("vpm0", 65535) == EINVAL, "NEWIF with an unknown id");
	NMC_CHECK(newif("vpm0", ida) == ENOMEM, "NEWIF in another region");

	/* Last holders: the id goes with them. */
	nmc_close(&a2);
	munmap(nmem, rn.nr_memsize);
	close(nfd);
	expect_err("null_after_last_holder",
		   reg_id("valeM:n", NR_REG_NULL, ida, &r), EINVAL);
	nmc_close(&b);
}

static void pipe_cases(void)
{
	struct nmc_port m, s;
	struct nmreq_register r;
	uint16_t id;
	int fd, nfd;

	/* Regression: both ends of a pipe live in one region and report
	 * one id (each end had an id of its own). */
	NMC_CHECK(nmc_open(&m, "memP{1", NR_REG_ALL_NIC, 0, 64, 0) == 0, "pipe {");
	NMC_CHECK(nmc_open(&s, "memP}1", NR_REG_ALL_NIC, 0, 64, 0) == 0, "pipe }");
	NMC_CHECK(m.reg.nr_mem_id == s.reg.nr_mem_id,
		  "pipe ends: ids %u and %u", m.reg.nr_mem_id, s.reg.nr_mem_id);
	nmc_close(&s);
	/* The other end opened with the first end's id. */
	id = m.reg.nr_mem_id;
	fd = reg_id("memP}1", NR_REG_ALL_NIC, id, &r);
	NMC_CHECK(fd >= 0 && r.nr_mem_id == id, "pipe end with id %u: %d", id, fd);
	NMC_CHECK(pools_id(fd, "", NULL) == id, "POOLS_INFO_GET of the pipe");
	/* A null file on the pipe's region. */
	nfd = reg_id("x", NR_REG_NULL, id, &r);
	NMC_CHECK(nfd >= 0 && r.nr_memsize == m.memsize, "null on a pipe");
	close(fd);
	nmc_close(&m);
	close(nfd);
	printf("mem-share: pipe ends share region %u\n", id);
}

int main(void)
{
	nmc_prog = "mem-share";
	null_cases();
	pipe_cases();
	printf("mem-share: OK\n");
	return 0;
}
