/*
 * hostile.c - a process that attacks /dev/netmap and checks every answer.
 *
 * Each case prints "case <name>: <errno name> ok" (or FAIL with what was
 * expected).  Groups: request decoding (bad pointers, versions, types,
 * bodies, option chains: loops, caps, type 0, duplicates, unknown types),
 * REGISTER (names, modes, flags, double binds, exclusivity), the data path
 * (indices out of range, scribbled tail, bad buffer indices and lengths,
 * unbound files, mmap offsets and sizes, a mapping that outlives its
 * port), and CSB / kloop (unbound, not exclusive, unaligned, unmapped,
 * overlapping, bad eventfds, D3, double start, hostile CSB indices, the
 * CSB unmapped under a running kloop, close and SIGKILL while a kloop
 * runs), the kloop's START and STOP in either order and racing (every
 * START bounded to 2 s, then stopped: a lost STOP fails, never hangs), and
 * POOLS_INFO_GET against the region and REGISTER.  The console check of the harness (no BUG/Oops/WARNING) is part
 * of the verdict: a case that "passes" by crashing the kernel fails there.
 */
#define _GNU_SOURCE
#include "nmc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned int ncases, nfail;
static long page;

static const char *ename(int e)
{
	const char *s = e == 0 ? "0" : strerrorname_np(e);

	return s != NULL ? s : "?";
}

static void expect(const char *name, int got, int want)
{
	ncases++;
	if (got == want) {
		printf("case %s: %s ok\n", name, ename(got));
	} else {
		nfail++;
		printf("case %s: FAIL got %s, expected %s\n", name, ename(got),
		       ename(want));
	}
	fflush(stdout);
}

static void expect_true(const char *name, int cond, const char *what)
{
	ncases++;
	if (cond) {
		printf("case %s: %s ok\n", name, what);
	} else {
		nfail++;
		printf("case %s: FAIL %s\n", name, what);
	}
	fflush(stdout);
}

static int dev(void)
{
	int fd = open(NMC_DEV, O_RDWR);

	NMC_CHECK(fd >= 0, "open: %s", strerror(errno));
	return fd;
}

/* Two pages, the second unmapped: an object ending at the boundary
 * crosses into nothing. */
static uint8_t *guarded(void)
{
	uint8_t *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	NMC_CHECK(p != MAP_FAILED, "mmap");
	NMC_CHECK(munmap(p + page, page) == 0, "munmap");
	return p;
}

static void opt(struct nmreq_option *o, uint32_t type, uint64_t size,
		void *next)
{
	memset(o, 0, sizeof(*o));
	o->nro_reqtype = type;
	o->nro_size = size;
	o->nro_next = (uint64_t)(uintptr_t)next;
	o->nro_status = 12345;
}

static int reg_req(int fd, const char *name, uint32_t mode, uint64_t flags,
		   void *opts, struct nmreq_register *out)
{
	struct nmreq_register reg;
	struct nmreq_header h;
	int err;

	memset(&reg, 0, sizeof(reg));
	reg.nr_mode = mode;
	reg.nr_flags = flags;
	nmc_hdr(&h, NETMAP_REQ_REGISTER, name, &reg);
	h.nr_options = (uint64_t)(uintptr_t)opts;
	err = nmc_ctrl(fd, &h);
	if (out != NULL)
		*out = reg;
	return err;
}

/* ---- Request decoding. */

static void cases_decode(void)
{
	struct nmreq_option o[200];
	uint64_t zb[8]; /* a zeroed request body (64 bytes) */
	struct nmreq_register reg;
	struct nmreq_header h;
	uint8_t *g = guarded();
	uint32_t i;
	int fd = dev();

	expect("ctrl_null_header", ioctl(fd, NIOCCTRL, NULL) ? errno : 0, EFAULT);
	expect("ctrl_header_unmapped",
	       ioctl(fd, NIOCCTRL, g + page) ? errno : 0, EFAULT);
	expect("ctrl_header_crosses_page",
	       ioctl(fd, NIOCCTRL, g + page - 40) ? errno : 0, EFAULT);

	memset(&reg, 0, sizeof(reg));
	nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", &reg);
	h.nr_version = 13;
	expect("ctrl_version_13", nmc_ctrl(fd, &h), EINVAL);
	h.nr_version = 16;
	expect("ctrl_version_16", nmc_ctrl(fd, &h), EINVAL);
	h.nr_version = NETMAP_API;
	h.nr_reserved = 1;
	expect("ctrl_reserved_nonzero", nmc_ctrl(fd, &h), EINVAL);
	h.nr_reserved = 0;
	h.nr_reqtype = 0;
	expect("ctrl_reqtype_0", nmc_ctrl(fd, &h), EINVAL);
	h.nr_reqtype = 99;
	h.nr_body = 0;
	expect("ctrl_reqtype_99", nmc_ctrl(fd, &h), EINVAL);

	nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", NULL);
	expect("register_null_body", nmc_ctrl(fd, &h), EINVAL);
	nmc_hdr(&h, NETMAP_REQ_CSB_ENABLE, "", &reg);
	expect("csb_enable_with_body", nmc_ctrl(fd, &h), EINVAL);
	nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", g + page);
	expect("body_unmapped", nmc_ctrl(fd, &h), EFAULT);
	nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", g + page - 16);
	expect("body_crosses_page", nmc_ctrl(fd, &h), EFAULT);
	nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", (void *)(uintptr_t)-64);
	expect("body_kernel_address", nmc_ctrl(fd, &h), EFAULT);

	/* Option chains. */
	/* A known type pointing at itself is its own duplicate: the walk
	 * stops at the second hop, before the size cap (as the reference). */
	opt(&o[0], NETMAP_REQ_OPT_CSB, sizeof(struct nmreq_opt_csb), &o[0]);
	expect("opt_self_loop", reg_req(fd, "valeH:a", 0, 0, &o[0], NULL),
	       EINVAL);
	expect("opt_self_loop_status", (int)o[0].nro_status, EINVAL);
	opt(&o[0], 100, 24, &o[1]);
	opt(&o[1], 200, 24, &o[0]);
	expect("opt_unknown_two_cycle",
	       reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EMSGSIZE);
	for (i = 0; i < 169; i++)
		opt(&o[i], 77, 24, i + 1 < 169 ? &o[i + 1] : NULL);
	expect("opt_chain_over_4096", reg_req(fd, "valeH:a", 0, 0, &o[0], NULL),
	       EMSGSIZE);
	/* An nro_size beyond NETMAP_REQ_MAXSIZE is refused whatever the
	 * type, and every option costs its header plus 8 bytes of the
	 * copy buffer (the reference's per-option overhead). */
	for (i = 0; i < 99; i++)
		opt(&o[i], 77, 5000, i + 1 < 99 ? &o[i + 1] : NULL);
	expect("opt_99_unknown_large_size",
	       reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EMSGSIZE);
	for (i = 0; i < 127; i++)
		opt(&o[i], 77, 24, i + 1 < 127 ? &o[i + 1] : NULL);
	expect("opt_127_unknown_over_4096_with_overhead",
	       reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EMSGSIZE);
	opt(&o[0], 0, 24, NULL);
	expect("opt_type_0", reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EINVAL);
	expect("opt_type_0_status", (int)o[0].nro_status, EINVAL);
	opt(&o[0], NETMAP_REQ_OPT_OFFSETS, 56, &o[3]);
	opt(&o[3], NETMAP_REQ_OPT_OFFSETS, 56, NULL);
	expect("opt_duplicate", reg_req(fd, "valeH:a", 0, 0, &o[0], NULL),
	       EINVAL);
	expect_true("opt_duplicate_status",
		    o[0].nro_status == EINVAL && o[3].nro_status == EINVAL,
		    "EINVAL on both copies");
	opt(&o[0], 1000, 24, NULL);
	expect("opt_unknown_type", reg_req(fd, "valeH:a", 0, 0, &o[0], NULL),
	       EOPNOTSUPP);
	expect("opt_unknown_type_status", (int)o[0].nro_status, EOPNOTSUPP);
	expect("opt_unknown_type_left_unbound",
	       ioctl(fd, NIOCTXSYNC) ? errno : 0, ENXIO);
	opt(&o[0], NETMAP_REQ_OPT_EXTMEM, 96, NULL);
	expect("opt_extmem_unsupported",
	       reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EOPNOTSUPP);
	opt(&o[0], NETMAP_REQ_OPT_CSB, 40, g + page);
	expect("opt_next_unmapped", reg_req(fd, "valeH:a", 0, 0, &o[0], NULL),
	       EFAULT);
	opt((struct nmreq_option *)(g + page - 24), NETMAP_REQ_OPT_CSB, 40,
	    NULL);
	expect("opt_body_crosses_page",
	       reg_req(fd, "valeH:a", 0, 0, g + page - 24, NULL), EFAULT);
	opt(&o[0], NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, UINT64_MAX, NULL);
	expect("opt_eventfds_size_huge",
	       reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EMSGSIZE);
	opt(&o[0], NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 3, NULL);
	expect("opt_eventfds_size_below_header",
	       reg_req(fd, "valeH:a", 0, 0, &o[0], NULL), EMSGSIZE);

	/* (No NIC driver is loaded yet: eth0 does not exist.)  Zeroed
	 * bodies, so o keeps the bytes the legacy case below relies on. */
	memset(zb, 0, sizeof(zb));
	nmc_hdr(&h, NETMAP_REQ_VALE_ATTACH, "valeH:eth0", zb);
	expect("req_vale_attach_no_interface", nmc_ctrl(fd, &h), ENXIO);
	nmc_hdr(&h, NETMAP_REQ_VALE_DELIF, "valeH:a", NULL);
	expect("req_vale_delif_unknown", nmc_ctrl(fd, &h), ENXIO);
	/* Polling needs an attached interface: none of that name
	 * (vale-poll checks the rest). */
	nmc_hdr(&h, NETMAP_REQ_VALE_POLLING_ENABLE, "valeH:eth0", zb);
	expect("req_vale_polling_no_port", nmc_ctrl(fd, &h), ENXIO);
	/* As a legacy struct nmreq these bytes have nr_version 3: below API 11
	 * (core/nm_legacy.c). */
	expect("ioctl_legacy_niocregif", ioctl(fd, NIOCREGIF, o) ? errno : 0,
	       EINVAL);
	expect("ioctl_unknown", ioctl(fd, 0x12345678, o) ? errno : 0, ENOTTY);
	close(fd);
	munmap(g, page);
}

/* ---- REGISTER. */

static void cases_register(void)
{
	struct nmreq_register reg;
	int fd = dev(), fd2;

	expect("register_not_a_software_port",
	       reg_req(fd, "eth0", 0, 0, NULL, NULL), ENXIO);
	expect("register_vale_no_port", reg_req(fd, "valeH:", 0, 0, NULL, NULL),
	       EINVAL);
	expect("register_mode_sw", reg_req(fd, "valeH:a", NR_REG_SW, 0, NULL, NULL),
	       EINVAL);
	expect("register_mode_pipe_master",
	       reg_req(fd, "valeH:a", NR_REG_PIPE_MASTER, 0, NULL, NULL), EINVAL);
	expect("register_mode_99", reg_req(fd, "valeH:a", 99, 0, NULL, NULL),
	       EINVAL);
	/* A null port maps an existing region: it needs nr_mem_id (the
	 * reference's "null ports must use an existing allocator"). */
	expect("register_mode_null_without_mem_id",
	       reg_req(fd, "valeH:a", NR_REG_NULL, 0, NULL, NULL), EINVAL);
	/* A monitor of a port nobody has open, copy or zero-copy: the
	 * reference's "not in netmap mode". */
	expect("register_monitor_closed_port",
	       reg_req(fd, "valeH:a", 0, NR_MONITOR_TX, NULL, NULL), EINVAL);
	expect("register_monitor_zcopy_closed_port",
	       reg_req(fd, "valeH:a", 0, NR_ZCOPY_MON, NULL, NULL), EINVAL);
	{
		struct nmreq_register r2;
		struct nmreq_header h;

		memset(&r2, 0, sizeof(r2));
		r2.nr_mem_id = 65535; /* no region has it (mem-share: more) */
		nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", &r2);
		expect("register_unknown_mem_id", nmc_ctrl(fd, &h), EINVAL);
		memset(&r2, 0, sizeof(r2));
		r2.nr_mode = NR_REG_ONE_NIC;
		r2.nr_ringid = 5;
		nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:a", &r2);
		expect("register_one_nic_bad_ring", nmc_ctrl(fd, &h), EINVAL);
	}
	{
		struct nmreq_register r2;
		struct nmreq_header h;
		int err;

		/* 16 + 16 rings of 4096 slots: 128 Ki buffers, 256 MiB; more
		 * than this guest can spare.  Either works or ENOMEM. */
		memset(&r2, 0, sizeof(r2));
		r2.nr_tx_rings = r2.nr_rx_rings = 16;
		r2.nr_tx_slots = r2.nr_rx_slots = 4096;
		nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:big", &r2);
		fd2 = dev();
		err = nmc_ctrl(fd2, &h);
		expect_true("register_huge_geometry", err == 0 || err == ENOMEM,
			    err == 0 ? "0" : "ENOMEM");
		close(fd2);
		/* Hints beyond the limits are clamped, as the reference. */
		memset(&r2, 0, sizeof(r2));
		r2.nr_tx_rings = 60000;
		r2.nr_tx_slots = 1000000;
		nmc_hdr(&h, NETMAP_REQ_REGISTER, "valeH:clamp", &r2);
		fd2 = dev();
		err = nmc_ctrl(fd2, &h);
		expect_true("register_geometry_clamped",
			    err == 0 && r2.nr_tx_rings <= 16 &&
				    r2.nr_tx_slots <= 4096,
			    "rings and slots clamped");
		close(fd2);
	}
	expect("register_ok", reg_req(fd, "valeH:a", 0, NR_EXCLUSIVE, NULL, &reg),
	       0);
	expect("register_twice", reg_req(fd, "valeH:b", 0, 0, NULL, NULL), EBUSY);
	fd2 = dev();
	expect("register_exclusive_conflict",
	       reg_req(fd2, "valeH:a", 0, 0, NULL, NULL), EBUSY);
	close(fd);
	expect("register_after_exclusive_closed",
	       reg_req(fd2, "valeH:a", 0, 0, NULL, NULL), 0);
	close(fd2);

	fd = dev();
	fd2 = dev();
	expect("pipe_end_open", reg_req(fd, "hostP{3", 0, 0, NULL, NULL), 0);
	expect("pipe_end_twice", reg_req(fd2, "hostP{3", 0, 0, NULL, NULL), EBUSY);
	close(fd2);
	fd2 = dev();
	expect("pipe_mode_one_sw", reg_req(fd2, "hostP}3", NR_REG_ONE_SW, 0,
					   NULL, NULL),
	       EINVAL);
	close(fd2);
	close(fd);
}

/* ---- Data path. */

static void cases_datapath(void)
{
	struct nmc_port p, q;
	struct netmap_ring *tx, *rx;
	uint32_t tail, n;
	uint8_t *m;
	int fd = dev(), err;

	expect("txsync_unbound", ioctl(fd, NIOCTXSYNC) ? errno : 0, ENXIO);
	expect("rxsync_unbound", ioctl(fd, NIOCRXSYNC) ? errno : 0, ENXIO);
	expect_true("poll_unbound", nmc_poll(fd, POLLIN, 0) & POLLERR,
		    "POLLERR");
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	expect("mmap_unbound", m == MAP_FAILED ? errno : 0, EINVAL);
	close(fd);

	err = nmc_open(&p, "valeD:a", NR_REG_ALL_NIC, 0, 64, 0);
	NMC_CHECK(err == 0, "register valeD:a: %s", strerror(err));
	err = nmc_open(&q, "valeD:b", NR_REG_ALL_NIC, 0, 64, 0);
	NMC_CHECK(err == 0, "register valeD:b: %s", strerror(err));
	m = mmap(NULL, p.memsize + page, PROT_READ, MAP_SHARED, p.fd, 0);
	expect("mmap_larger_than_region", m == MAP_FAILED ? errno : 0, EINVAL);
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, p.fd, (off_t)p.memsize);
	expect("mmap_offset_at_end", m == MAP_FAILED ? errno : 0, EINVAL);
	m = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, p.fd,
		 (off_t)(p.memsize - page));
	expect("mmap_offset_plus_size_beyond", m == MAP_FAILED ? errno : 0,
	       EINVAL);
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, p.fd, (off_t)1 << 40);
	expect("mmap_offset_huge", m == MAP_FAILED ? errno : 0, EINVAL);
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, p.fd, page);
	expect("mmap_inner_page", m == MAP_FAILED ? errno : 0, 0);
	if (m != MAP_FAILED) {
		expect_true("mmap_inner_page_content",
			    memcmp(m, p.mem + page, page) == 0,
			    "same bytes as the full mapping");
		munmap(m, page);
	}

	tx = nmc_ring(&p, NR_TX, 0);
	rx = nmc_ring(&q, NR_RX, 0);
	n = tx->num_slots;
	tail = tx->tail;
	tx->head = tx->cur = n;
	expect("txsync_head_eq_num_slots", nmc_sync(&p, NR_TX), EINVAL);
	expect_true("txsync_rejected_ring_unchanged", tx->tail == tail,
		    "tail unchanged");
	tx->head = tx->cur = 0xffffffffU;
	expect("txsync_head_u32max", nmc_sync(&p, NR_TX), EINVAL);
	tx->head = 3;
	tx->cur = 2;
	expect("txsync_cur_before_head", nmc_sync(&p, NR_TX), EINVAL);
	tx->head = tx->cur = 0;
	tx->tail = 5;
	expect("txsync_tail_scribbled", nmc_sync(&p, NR_TX), 0);
	expect_true("txsync_tail_restored", tx->tail == n - 1, "tail restored");

	/* Bad buffer index and length on a VALE TX slot: dropped, counted. */
	tx->slot[0].buf_idx = 0xffffffffU;
	tx->slot[0].len = 60;
	tx->slot[1].len = 65535;
	tx->slot[2].buf_idx = 1; /* reserved index */
	tx->slot[2].len = 60;
	nm_ring_user_publish(tx, 3, 3);
	expect("txsync_bad_buf_idx_and_len", nmc_sync(&p, NR_TX), 0);
	expect("rxsync_peer", nmc_sync(&q, NR_RX), 0);
	expect_true("bad_slots_not_delivered", rx->tail == rx->head,
		    "nothing delivered");
	rx->head = rx->cur = 5;
	expect("rxsync_head_beyond_tail", nmc_sync(&q, NR_RX), EINVAL);
	rx->head = rx->cur = 0;

	/* A mapping outlives its port: the pages stay, the kernel has let
	 * go of them. */
	m = p.mem;
	p.mem = NULL;
	nmc_close(&p);
	nmc_close(&q);
	memset(m, 0x5a, page);
	expect_true("mapping_outlives_port", m[page - 1] == 0x5a,
		    "still writable after close");
	munmap(m, p.memsize);
}

/* ---- CSB and the kloop. */

struct start_arg {
	int fd;
	void *opts;
	int err;
	int done; /* set (release) once START returned */
};

static void *start_thread(void *p)
{
	struct start_arg *a = p;
	struct nmreq_sync_kloop_start ks = { .sleep_us = 100 };
	struct nmreq_header h;

	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_START, "", &ks);
	h.nr_options = (uint64_t)(uintptr_t)a->opts;
	a->err = nmc_ctrl(a->fd, &h);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int csb_enable(int fd, void *atok, void *ktoa)
{
	struct nmreq_opt_csb c;
	struct nmreq_header h;

	memset(&c, 0, sizeof(c));
	c.nro_opt.nro_reqtype = NETMAP_REQ_OPT_CSB;
	c.nro_opt.nro_size = sizeof(c);
	c.csb_atok = (uint64_t)(uintptr_t)atok;
	c.csb_ktoa = (uint64_t)(uintptr_t)ktoa;
	nmc_hdr(&h, NETMAP_REQ_CSB_ENABLE, "", NULL);
	h.nr_options = (uint64_t)(uintptr_t)&c;
	return nmc_ctrl(fd, &h);
}

static int kloop_start(int fd, uint32_t sleep_us, void *opts)
{
	struct nmreq_sync_kloop_start ks = { .sleep_us = sleep_us };
	struct nmreq_header h;

	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_START, "", &ks);
	h.nr_options = (uint64_t)(uintptr_t)opts;
	return nmc_ctrl(fd, &h);
}

static int kloop_stop(int fd)
{
	struct nmreq_header h;

	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_STOP, "", NULL);
	return nmc_ctrl(fd, &h);
}

/* A bound, exclusive pipe end with a CSB for its 2 rings in csb[]
 * (4 lines: atok 0-1, ktoa 2-3). */
static int csb_port(struct nmc_port *p, const char *name, uint8_t *csb)
{
	int err = nmc_open(p, name, NR_REG_ALL_NIC, NR_EXCLUSIVE, 64, 0);

	NMC_CHECK(err == 0, "register %s: %s", name, strerror(err));
	return csb_enable(p->fd, csb, csb + 128);
}

static void wait_child(const char *name, pid_t pid)
{
	int status, i;

	for (i = 0; i < 2000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(5000);
	}
	expect_true(name, i < 2000, "child gone, kloop stopped by release");
	if (i == 2000) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
}

static void cases_csb(void)
{
	uint8_t *csb = aligned_alloc(4096, 4096), *g = guarded();
	struct {
		struct nmreq_opt_sync_kloop_eventfds o;
		int32_t fds[2][2];
	} efd;
	struct nmreq_opt_sync_kloop_mode mode;
	struct nm_csb_atok *atok = (struct nm_csb_atok *)csb;
	struct nm_csb_ktoa *ktoa = (struct nm_csb_ktoa *)(csb + 128);
	struct start_arg sa;
	struct nmc_port p;
	pthread_t thr;
	pid_t pid;
	int fd = dev(), devnull, e, err, i;

	memset(csb, 0, 4096);
	expect("csb_enable_unbound", csb_enable(fd, csb, csb + 128), ENXIO);
	expect("kloop_start_unbound", kloop_start(fd, 0, NULL), ENXIO);
	expect("register_plain", reg_req(fd, "hostC{1", 0, 0, NULL, NULL), 0);
	expect("csb_enable_not_exclusive", csb_enable(fd, csb, csb + 128),
	       EINVAL);
	close(fd);

	err = nmc_open(&p, "hostC{1", NR_REG_ALL_NIC, NR_EXCLUSIVE, 64, 0);
	NMC_CHECK(err == 0, "register: %s", strerror(err));
	expect("kloop_start_without_csb", kloop_start(p.fd, 0, NULL), EINVAL);
	{
		struct nmreq_header h;

		nmc_hdr(&h, NETMAP_REQ_CSB_ENABLE, "", NULL);
		expect("csb_enable_missing_option", nmc_ctrl(p.fd, &h), EINVAL);
	}
	expect("csb_unaligned", csb_enable(p.fd, csb + 8, csb + 128), EINVAL);
	expect("csb_null", csb_enable(p.fd, NULL, csb + 128), EINVAL);
	expect("csb_overlap", csb_enable(p.fd, csb, csb + 64), EINVAL);
	expect("csb_unmapped", csb_enable(p.fd, g + page, csb + 128), EFAULT);
	expect("csb_crosses_into_unmapped", csb_enable(p.fd, g + page - 64,
						      csb + 128),
	       EFAULT);
	expect("csb_kernel_address",
	       csb_enable(p.fd, (void *)(uintptr_t)0xffff888000000000ULL,
			  csb + 128),
	       EFAULT);
	expect("csb_enable", csb_enable(p.fd, csb, csb + 128), 0);
	expect("txsync_in_csb_mode", nmc_sync(&p, NR_TX), EBUSY);
	expect_true("poll_in_csb_mode", nmc_poll(p.fd, POLLOUT, 0) & POLLERR,
		    "POLLERR");
	expect("kloop_sleep_us_too_big", kloop_start(p.fd, 1000001, NULL),
	       EINVAL);

	memset(&efd, 0, sizeof(efd));
	efd.o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
	efd.o.nro_opt.nro_size = sizeof(efd) - 8; /* one ring short */
	e = eventfd(0, 0);
	efd.fds[0][0] = efd.fds[1][0] = e;
	efd.fds[0][1] = efd.fds[1][1] = -1;
	expect("kloop_eventfds_wrong_size", kloop_start(p.fd, 0, &efd), EINVAL);
	efd.o.nro_opt.nro_size = sizeof(efd);
	efd.fds[1][0] = 1000;
	expect("kloop_eventfd_not_open", kloop_start(p.fd, 0, &efd), EBADF);
	devnull = open("/dev/null", O_RDWR);
	efd.fds[1][0] = devnull;
	expect("kloop_eventfd_not_an_eventfd", kloop_start(p.fd, 0, &efd),
	       EINVAL);
	efd.fds[1][0] = e;
	efd.fds[1][1] = devnull;
	expect("kloop_irqfd_not_an_eventfd", kloop_start(p.fd, 0, &efd), EINVAL);
	efd.fds[1][1] = -1;
	memset(&mode, 0, sizeof(mode));
	mode.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_MODE;
	mode.mode = NM_OPT_SYNC_KLOOP_DIRECT_TX;
	expect("kloop_direct_without_eventfds_d3",
	       kloop_start(p.fd, 0, &mode), EINVAL);
	expect("kloop_direct_without_eventfds_status",
	       (int)mode.nro_opt.nro_status, EINVAL);
	mode.mode = 0x80;
	efd.o.nro_opt.nro_next = (uint64_t)(uintptr_t)&mode;
	expect("kloop_mode_unknown_bits", kloop_start(p.fd, 0, &efd), EINVAL);
	efd.o.nro_opt.nro_next = 0;

	/* A running kloop: second START, CSB_ENABLE, hostile indices. */
	sa.fd = p.fd;
	sa.opts = &efd;
	NMC_CHECK(pthread_create(&thr, NULL, start_thread, &sa) == 0, "thread");
	usleep(100000);
	expect("kloop_start_twice", kloop_start(p.fd, 0, NULL), EBUSY);
	expect("csb_enable_while_kloop", csb_enable(p.fd, csb, csb + 128),
	       EBUSY);
	nm_os_shared_store32(&atok[0].cur, 7);
	nm_os_shared_store32(&atok[0].head, 5000);
	/* Publish the (hostile) head before reading the kernel's kick flag:
	 * the fence of a well-behaved application's publish, the one in
	 * csb_guest_publish() (whose comment names its partner in the
	 * kernel), so the kernel is kicked and meets the bad head. */
	nm_os_fence_store_load();
	if (nm_os_shared_load32(&ktoa[0].kern_need_kick)) {
		uint64_t one = 1;

		NMC_CHECK(write(e, &one, 8) == 8, "kick");
	}
	usleep(100000);
	expect_true("hostile_atok_rejected", ktoa[0].hwcur == 0 &&
			    ktoa[0].hwtail == 63,
		    "hwcur/hwtail unchanged");
	nm_os_shared_store32(&atok[0].head, 0);
	nm_os_shared_store32(&atok[0].cur, 0);
	expect("kloop_stop", kloop_stop(p.fd), 0);
	NMC_CHECK(pthread_join(thr, NULL) == 0, "join");
	expect("kloop_start_returned", sa.err, 0);
	expect("kloop_stop_again", kloop_stop(p.fd), 0);
	nmc_close(&p);
	close(e);
	close(devnull);

	/* The CSB unmapped under a running kloop: the pages stay pinned. */
	{
		uint8_t *m = mmap(NULL, page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		NMC_CHECK(m != MAP_FAILED, "mmap");
		expect("csb_in_anon_page", csb_port(&p, "hostU{1", m), 0);
		sa.fd = p.fd;
		sa.opts = NULL;
		NMC_CHECK(pthread_create(&thr, NULL, start_thread, &sa) == 0,
			  "thread");
		usleep(50000);
		munmap(m, page);
		usleep(50000);
		expect("kloop_stop_after_csb_unmapped", kloop_stop(p.fd), 0);
		pthread_join(thr, NULL);
		nmc_close(&p);
	}

	/* The CSB inside the port's own netmap region (pages the kernel
	 * mapped with remap_vmalloc_range): pinned or refused, never a crash. */
	{
		struct nmc_port q;
		int err2;

		err = nmc_open(&q, "hostR{1", NR_REG_ALL_NIC, NR_EXCLUSIVE, 64, 0);
		NMC_CHECK(err == 0, "register: %s", strerror(err));
		err2 = csb_enable(q.fd, q.mem + q.memsize - 4096,
				  q.mem + q.memsize - 2048);
		expect_true("csb_inside_netmap_region", err2 == 0 || err2 == EFAULT,
			    err2 == 0 ? "0" : "EFAULT");
		if (err2 == 0) {
			sa.fd = q.fd;
			sa.opts = NULL;
			NMC_CHECK(pthread_create(&thr, NULL, start_thread, &sa) == 0,
				  "thread");
			usleep(50000);
			expect("kloop_stop_csb_in_region", kloop_stop(q.fd), 0);
			pthread_join(thr, NULL);
		}
		nmc_close(&q);
	}

	/* close() while START runs in another thread, then exit. */
	pid = fork();
	NMC_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		alarm(20);
		if (csb_port(&p, "hostK{1", csb) != 0)
			_exit(3);
		sa.fd = p.fd;
		sa.opts = NULL;
		if (pthread_create(&thr, NULL, start_thread, &sa) != 0)
			_exit(4);
		usleep(50000);
		munmap(p.mem, p.memsize);
		close(p.fd);
		_exit(0); /* kills the thread blocked in START */
	}
	wait_child("close_while_kloop_runs", pid);

	/* SIGKILL while blocked in START (single thread). */
	pid = fork();
	NMC_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		if (csb_port(&p, "hostK{2", csb) != 0)
			_exit(3);
		kloop_start(p.fd, 0, NULL);
		_exit(5);
	}
	usleep(200000);
	kill(pid, SIGKILL);
	wait_child("sigkill_while_kloop_runs", pid);

	/* Many files, ports and kloops left open at exit. */
	pid = fork();
	NMC_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		static struct start_arg many[8];

		for (i = 0; i < 8; i++) {
			char name[32];

			snprintf(name, sizeof(name), "hostM{%d", i);
			if (csb_port(&p, name, csb) != 0)
				_exit(3);
			many[i].fd = p.fd;
			pthread_create(&thr, NULL, start_thread, &many[i]);
		}
		usleep(100000);
		_exit(0);
	}
	wait_child("exit_with_eight_kloops", pid);
	free(csb);
	munmap(g, page);
}

/* ---- Kloop START / STOP in either order. */

static void start_async(struct start_arg *a, pthread_t *thr, int fd)
{
	a->fd = fd;
	a->opts = NULL;
	a->err = -1;
	a->done = 0;
	NMC_CHECK(pthread_create(thr, NULL, start_thread, a) == 0, "thread");
}

static bool start_done(struct start_arg *a)
{
	return __atomic_load_n(&a->done, __ATOMIC_ACQUIRE) != 0;
}

/* Wait up to ms for the START of a to return.  On time-out STOP it (the
 * kloop then runs: a regression fails here instead of hanging the test). */
static bool start_returned(struct start_arg *a, pthread_t thr, int ms)
{
	bool ok;
	int i;

	for (i = 0; i < ms / 5 && !start_done(a); i++)
		usleep(5000);
	ok = start_done(a);
	if (!ok)
		kloop_stop(a->fd);
	NMC_CHECK(pthread_join(thr, NULL) == 0, "join");
	return ok;
}

static void cases_kloop_order(void)
{
	uint8_t *csb = aligned_alloc(4096, 4096);
	struct start_arg sa;
	struct nmc_port p;
	pthread_t thr;
	int i, late = 0, bad = 0, fd = dev();
	char what[96];

	memset(csb, 0, 4096);
	expect("kloop_stop_unbound", kloop_stop(fd), ENXIO);
	close(fd);
	expect("csb_port_for_order", csb_port(&p, "hostO{1", csb), 0);

	/* STOP before START: kept, and the START that follows returns 0 at
	 * once (the reference's STOPPING flag). */
	expect("kloop_stop_before_start", kloop_stop(p.fd), 0);
	start_async(&sa, &thr, p.fd);
	expect_true("kloop_start_after_stop_returns",
		    start_returned(&sa, thr, 2000), "START returned within 2 s");
	expect("kloop_start_after_stop_result", sa.err, 0);
	/* Consumed once: the next START runs until its own STOP. */
	start_async(&sa, &thr, p.fd);
	usleep(200000);
	expect_true("kloop_stop_consumed_once", !start_done(&sa),
		    "second START still running after 200 ms");
	expect("kloop_stop_second", kloop_stop(p.fd), 0);
	expect_true("kloop_start_second_returns",
		    start_returned(&sa, thr, 2000), "START returned within 2 s");
	expect("kloop_start_second_result", sa.err, 0);

	/* A START failing its own validation consumes the stop as well (the
	 * reference had marked the kloop running before that check). */
	expect("kloop_stop_before_bad_start", kloop_stop(p.fd), 0);
	expect("kloop_bad_start_after_stop", kloop_start(p.fd, 1000001, NULL),
	       EINVAL);
	start_async(&sa, &thr, p.fd);
	usleep(200000);
	expect_true("kloop_bad_start_consumed_stop", !start_done(&sa),
		    "START still running after 200 ms");
	kloop_stop(p.fd);
	expect_true("kloop_start_after_bad_returns",
		    start_returned(&sa, thr, 2000), "START returned within 2 s");

	/* The usual order: START, then STOP from another thread. */
	start_async(&sa, &thr, p.fd);
	usleep(50000);
	expect("kloop_stop_after_start", kloop_stop(p.fd), 0);
	expect_true("kloop_start_then_stop_returns",
		    start_returned(&sa, thr, 2000), "START returned within 2 s");
	expect("kloop_start_then_stop_result", sa.err, 0);

	/* No order at all: START in a thread, STOP at once from here. */
	for (i = 0; i < 200 && late == 0; i++) {
		start_async(&sa, &thr, p.fd);
		if (i % 3 == 1)
			sched_yield();
		else if (i % 3 == 2)
			usleep((useconds_t)(i % 7) * 100);
		if (kloop_stop(p.fd) != 0)
			bad++;
		if (!start_returned(&sa, thr, 2000))
			late++;
		else if (sa.err != 0)
			bad++;
	}
	snprintf(what, sizeof(what), "%d rounds, %d START late (> 2 s), %d errors",
		 i, late, bad);
	expect_true("kloop_start_stop_race", i == 200 && late == 0 && bad == 0,
		    what);
	nmc_close(&p);
	free(csb);
}

/* ---- POOLS_INFO_GET. */

/* The pools lie in order inside the region, without overlap. */
static bool pools_consistent(const struct nmreq_pools_info *pi)
{
	return pi->nr_memsize > 0 && pi->nr_if_pool_objtotal > 0 &&
	       pi->nr_if_pool_objsize > 0 && pi->nr_ring_pool_objsize > 0 &&
	       pi->nr_buf_pool_objsize > 0 &&
	       pi->nr_if_pool_offset + (uint64_t)pi->nr_if_pool_objtotal *
						pi->nr_if_pool_objsize <=
		       pi->nr_ring_pool_offset &&
	       pi->nr_ring_pool_offset + (uint64_t)pi->nr_ring_pool_objtotal *
						  pi->nr_ring_pool_objsize <=
		       pi->nr_buf_pool_offset &&
	       pi->nr_buf_pool_offset + (uint64_t)pi->nr_buf_pool_objtotal *
						 pi->nr_buf_pool_objsize <=
		       pi->nr_memsize;
}

static int pools_info(int fd, const char *name, struct nmreq_pools_info *pi)
{
	struct nmreq_header h;

	memset(pi, 0, sizeof(*pi));
	nmc_hdr(&h, NETMAP_REQ_POOLS_INFO_GET, name, pi);
	return nmc_ctrl(fd, &h);
}

static void cases_pools(void)
{
	struct nmreq_pools_info pi, pj;
	struct nmc_port p;
	int fd = dev(), err;

	expect("pools_info_unregistered_vale", pools_info(fd, "valeQ:a", &pi), 0);
	expect_true("pools_info_mem_id_before_register", pi.nr_mem_id >= 2,
		    "nr_mem_id of the port's own region (>= 2)");
	/* One netmap_if with one TX and one RX ring: its slot (128-byte
	 * aligned) fills the if pool up to the first ring. */
	expect_true("pools_info_if_pool", pi.nr_if_pool_objtotal == 1 &&
			    pi.nr_if_pool_objsize == 128 &&
			    pi.nr_ring_pool_offset ==
				    pi.nr_if_pool_offset + 128,
		    "1 netmap_if of 128 bytes before the rings");
	expect_true("pools_info_ring_pool", pi.nr_ring_pool_objtotal == 2 &&
			    pi.nr_ring_pool_objsize >= 256 + 1024 * 16,
		    "2 rings of 1024 slots");
	expect_true("pools_info_buf_pool", pi.nr_buf_pool_objsize == 2048 &&
			    pi.nr_buf_pool_objtotal >= 2 + 2 * 1024,
		    "2048-byte buffers, one per slot and the 2 reserved");
	expect_true("pools_info_consistent", pools_consistent(&pi),
		    "pools in order inside nr_memsize");
	err = nmc_open(&p, "valeQ:a", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register valeQ:a: %s", strerror(err));
	expect("pools_info_registered_by_name", pools_info(fd, "valeQ:a", &pj),
	       0);
	expect_true("pools_info_mem_id_matches_register",
		    pj.nr_mem_id == p.reg.nr_mem_id &&
			    pj.nr_memsize == p.reg.nr_memsize,
		    "nr_mem_id and nr_memsize as REGISTER said");
	expect("pools_info_bound_file", pools_info(p.fd, "", &pj), 0);
	expect_true("pools_info_bound_file_mem_id",
		    pj.nr_mem_id == p.reg.nr_mem_id && pools_consistent(&pj),
		    "the bound port's region");
	expect("pools_info_other_port_by_name",
	       pools_info(p.fd, "valeQ:b", &pj), 0);
	expect_true("pools_info_other_port_mem_id",
		    pj.nr_mem_id != p.reg.nr_mem_id && pj.nr_mem_id >= 2,
		    "the named port's region, not the bound one");
	expect("pools_info_no_name", pools_info(fd, "", &pj), EINVAL);
	nmc_close(&p);
	close(fd);
}

int main(void)
{
	nmc_prog = "hostile";
	page = sysconf(_SC_PAGESIZE);
	cases_decode();
	cases_register();
	cases_datapath();
	cases_csb();
	cases_kloop_order();
	cases_pools();
	if (nfail != 0) {
		printf("hostile: FAIL %u of %u cases\n", nfail, ncases);
		return 1;
	}
	printf("hostile: OK %u cases\n", ncases);
	return 0;
}
