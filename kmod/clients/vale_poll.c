/*
 * vale_poll.c - VALE_POLLING_ENABLE / _DISABLE on an interface attached to
 * a switch (#16).
 *
 *   vale-poll errnos valeX:IF valeX:P
 *        with IF attached (nmctl -a) and not polled: the refusals (bad
 *        name EINVAL, no such port ENXIO, an application's port P
 *        EOPNOTSUPP, bad plans EINVAL, disable when not polled and enable
 *        twice EFAULT, VALE_DETACH while polled EBUSY), enable / disable
 *        in both modes with the threads counted, and the legacy nr_cmd
 *        NETMAP_BDG_POLLING_ON / _OFF; leaves IF not polled
 *   vale-poll toggle valeX:IF PEER N
 *        while a child streams frames from PEER's NIC TX ring onto the
 *        wire (into IF, so into the switch), polling of IF is turned on
 *        and off N times (SINGLE_CPU on CPU 1, MULTI_CPU on CPU 0 in
 *        turn): every ENABLE and DISABLE succeeds, and at the end no
 *        thread is left (the console check catches a lockup or a splat)
 *   vale-poll threads N       exactly N kernel threads named nmlab-poll/CPU run
 *   vale-poll listed valeX:IF [0|1]
 *        VALE_LIST by name and by iteration say IF is polled (1, the
 *        default) or not (0)
 */
#include "nmc.h"
#include "nm_legacy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int polling(int fd, bool on, const char *name, uint32_t mode,
		   uint32_t first, uint32_t ncpus)
{
	struct nmreq_vale_polling vp;
	struct nmreq_header h;

	memset(&vp, 0, sizeof(vp));
	vp.nr_mode = mode;
	vp.nr_first_cpu_id = first;
	vp.nr_num_polling_cpus = ncpus;
	nmc_hdr(&h, on ? NETMAP_REQ_VALE_POLLING_ENABLE
		       : NETMAP_REQ_VALE_POLLING_DISABLE,
		name, &vp);
	return nmc_ctrl(fd, &h);
}

#define EXPECT(call, want)                                                  \
	do {                                                                \
		int got_ = (call);                                          \
		NMC_CHECK(got_ == (want), "%s: %s, want %s", #call,        \
			  strerror(got_), strerror(want));                  \
	} while (0)

/* The number of kernel threads whose comm starts with nmlab-poll/. */
static unsigned int poll_threads(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned int n = 0;
	char path[64], comm[32];
	FILE *f;

	NMC_CHECK(d != NULL, "/proc: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "nmlab-poll/", 11) == 0)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* poll_threads() once it has settled at want, or what it shows after a
 * second.  A stopped thread is gone for the module when kthread_stop()
 * returns, but its /proc entry lasts until the task is reaped, a moment
 * later: counting at once made the "no thread" checks flaky. */
static unsigned int poll_threads_settle(unsigned int want)
{
	unsigned int n = poll_threads(), tries;

	for (tries = 0; n != want && tries < 100; tries++) {
		usleep(10000);
		n = poll_threads();
	}
	return n;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	NMC_CHECK(n >= 1, "sysconf: %ld", n);
	return (int)n;
}

/* Legacy NIOCREGIF with nr_cmd NETMAP_BDG_POLLING_ON / _OFF. */
static int legacy_polling(int fd, const char *name, uint16_t cmd,
			  uint32_t reg_mode, uint16_t first, uint16_t ncpus)
{
	struct nmreq_legacy l;

	memset(&l, 0, sizeof(l));
	snprintf(l.nr_name, sizeof(l.nr_name), "%s", name);
	l.nr_version = 14;
	l.nr_cmd = cmd;
	l.nr_flags = reg_mode;
	l.nr_ringid = first;
	l.nr_arg1 = ncpus;
	return ioctl(fd, NIOCREGIF, &l) == 0 ? 0 : errno;
}

static void errnos(const char *sw_if, const char *app)
{
	int fd = open(NMC_DEV, O_RDWR), ncpu = online_cpus();
	struct nmreq_vale_detach vd;
	struct nmreq_header h;
	struct nmc_port p;

	NMC_CHECK(fd >= 0, "open");
	NMC_CHECK(ncpu >= 2, "the guest needs 2 CPUs (one stays free)");
	NMC_CHECK(poll_threads() == 0, "no poll thread before");
	/* Names. */
	EXPECT(polling(fd, true, "novale", 1, 0, 1), EINVAL);
	EXPECT(polling(fd, true, "vale1:nosuchport", 1, 0, 1), ENXIO);
	NMC_CHECK(nmc_open(&p, app, NR_REG_ALL_NIC, 0, 0, 0) == 0, "open %s", app);
	EXPECT(polling(fd, true, app, 1, 0, 1), EOPNOTSUPP);
	nmc_close(&p);
	/* Plans: CPUs 0 or all of them, unknown modes, a CPU or a ring
	 * that does not exist (e1000 has one RX ring). */
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_SINGLE_CPU, 0, 0), EINVAL);
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_SINGLE_CPU, 0,
		       (uint32_t)ncpu), EINVAL);
	EXPECT(polling(fd, true, sw_if, 0, 0, 1), EINVAL);
	EXPECT(polling(fd, true, sw_if, 3, 0, 1), EINVAL);
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_SINGLE_CPU,
		       (uint32_t)ncpu, 1), EINVAL);
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_MULTI_CPU, 1, 1), EINVAL);
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_MULTI_CPU,
		       0xffffffffU, 1), EINVAL);
	/* Off when off. */
	EXPECT(polling(fd, false, sw_if, 0, 0, 0), EFAULT);
	NMC_CHECK(poll_threads() == 0, "no thread after refusals");

	/* On, twice, detach refused, off. */
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_SINGLE_CPU, 1, 1), 0);
	NMC_CHECK(poll_threads_settle(1) == 1, "one thread (single): %u", poll_threads());
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_SINGLE_CPU, 0, 1), EFAULT);
	memset(&vd, 0, sizeof(vd));
	nmc_hdr(&h, NETMAP_REQ_VALE_DETACH, sw_if, &vd);
	EXPECT(nmc_ctrl(fd, &h), EBUSY);
	EXPECT(polling(fd, false, sw_if, 0, 0, 0), 0);
	NMC_CHECK(poll_threads_settle(0) == 0, "thread stopped: %u", poll_threads());
	EXPECT(polling(fd, false, sw_if, 0, 0, 0), EFAULT);
	/* MULTI_CPU: ring 0 on CPU 0. */
	EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_MULTI_CPU, 0, 1), 0);
	NMC_CHECK(poll_threads_settle(1) == 1, "one thread (multi)");
	EXPECT(polling(fd, false, sw_if, 0, 0, 0), 0);
	/* Legacy: ALL_NIC is SINGLE_CPU, the ring id the CPU, nr_arg1 the
	 * count; another mode is refused. */
	EXPECT(legacy_polling(fd, sw_if, NETMAP_BDG_POLLING_ON, NR_REG_NIC_SW, 0, 1),
	       EINVAL);
	EXPECT(legacy_polling(fd, sw_if, NETMAP_BDG_POLLING_ON, NR_REG_ALL_NIC, 1, 1), 0);
	NMC_CHECK(poll_threads_settle(1) == 1, "one thread (legacy)");
	EXPECT(legacy_polling(fd, sw_if, NETMAP_BDG_POLLING_OFF, 0, 0, 0), 0);
	NMC_CHECK(poll_threads_settle(0) == 0, "no thread at the end");
	close(fd);
	printf("vale-poll: errnos, both modes, legacy: as expected\n");
}

/* The child of toggle(): broadcast frames out of peer's NIC TX ring as
 * fast as the ring drains, until killed. */
static void stream_forever(const char *peer)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 8, 0x01 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct netmap_ring *tx;
	struct nmc_port p;
	uint32_t seq = 0, space;
	int err;

	err = nmc_open(&p, peer, NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "register %s: %s", peer, strerror(err));
	tx = nmc_ring(&p, NR_TX, 0);
	for (;;) {
		space = nm_ring_user_space(tx, tx->head, nm_ring_user_tail(tx));
		while (space-- > 0) {
			struct netmap_slot *sl = &tx->slot[tx->head];

			nmc_frame_fill(nm_ring_user_buf(tx, sl->buf_idx),
				       NMC_FRAME_LEN, seq++, src, bcast);
			sl->len = NMC_FRAME_LEN;
			sl->flags = 0;
			tx->head = tx->cur = nm_idx_next(tx->head, tx->num_slots);
		}
		NMC_CHECK(nmc_sync(&p, NR_TX) == 0, "txsync");
		nmc_poll(p.fd, POLLOUT, 100);
	}
}

static void toggle(const char *sw_if, const char *peer, int rounds)
{
	int fd = open(NMC_DEV, O_RDWR), i, status;
	struct timespec pause = { 0, 2000000 }; /* 2 ms of traffic each way */
	pid_t child;

	NMC_CHECK(fd >= 0, "open");
	child = fork();
	NMC_CHECK(child >= 0, "fork");
	if (child == 0) {
		stream_forever(peer);
		_exit(0);
	}
	nanosleep(&pause, NULL);
	for (i = 0; i < rounds; i++) {
		if (i % 2 == 0)
			EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_SINGLE_CPU,
				       1, 1), 0);
		else
			EXPECT(polling(fd, true, sw_if, NETMAP_POLLING_MODE_MULTI_CPU,
				       0, 1), 0);
		nanosleep(&pause, NULL);
		EXPECT(polling(fd, false, sw_if, 0, 0, 0), 0);
		nanosleep(&pause, NULL);
	}
	kill(child, SIGKILL);
	NMC_CHECK(waitpid(child, &status, 0) == child, "waitpid");
	NMC_CHECK(poll_threads_settle(0) == 0, "threads left: %u", poll_threads());
	close(fd);
	printf("vale-poll: %d enable/disable rounds under traffic from %s\n",
	       rounds, peer);
}

static void listed(const char *name, int want)
{
	int fd = open(NMC_DEV, O_RDWR), err, seen = 0;
	struct nmreq_vale_list vl;
	struct nmreq_header h;

	NMC_CHECK(fd >= 0, "open");
	memset(&vl, 0, sizeof(vl));
	nmc_hdr(&h, NETMAP_REQ_VALE_LIST, name, &vl);
	EXPECT(nmc_ctrl(fd, &h), 0);
	NMC_CHECK(!!(vl.pad1 & NMLAB_VALE_LIST_POLLED) == want,
		  "VALE_LIST %s: flags %#x", name, vl.pad1);
	memset(&vl, 0, sizeof(vl));
	for (;;) {
		nmc_hdr(&h, NETMAP_REQ_VALE_LIST, NULL, &vl);
		err = nmc_ctrl(fd, &h);
		if (err == ENOENT)
			break;
		NMC_CHECK(err == 0, "VALE_LIST: %s", strerror(err));
		if (vl.pad1 & NMLAB_VALE_LIST_POLLED) {
			NMC_CHECK(strcmp(h.nr_name, name) == 0,
				  "%s listed as polled", h.nr_name);
			seen = 1;
		}
		vl.nr_port_idx++;
		vl.pad1 = 0;
	}
	NMC_CHECK(seen == want, "iteration: polled %d, want %d", seen, want);
	close(fd);
}

int main(int argc, char **argv)
{
	nmc_prog = "vale-poll";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && strcmp(argv[1], "errnos") == 0) {
		errnos(argv[2], argv[3]);
	} else if (argc == 5 && strcmp(argv[1], "toggle") == 0) {
		toggle(argv[2], argv[3], atoi(argv[4]));
	} else if (argc == 3 && strcmp(argv[1], "threads") == 0) {
		unsigned int n = poll_threads();

		NMC_CHECK(n == (unsigned int)atoi(argv[2]),
			  "%u poll threads, want %s", n, argv[2]);
	} else if ((argc == 3 || argc == 4) && strcmp(argv[1], "listed") == 0) {
		listed(argv[2], argc == 4 ? atoi(argv[3]) : 1);
	} else {
		fprintf(stderr, "usage: vale-poll errnos valeX:IF valeX:P | "
				"toggle valeX:IF PEER N | threads N | "
				"listed valeX:IF [0|1]\n");
		return 2;
	}
	printf("vale-poll: OK\n");
	return 0;
}
