/*
 * nmc_lib.c - the shared part of the guest clients (see nmc.h).
 */
#include "nmc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

const char *nmc_prog = "client";

void nmc_fail(const char *file, int line, const char *expr, const char *fmt,
	      ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAIL %s:%d: %s: ", nmc_prog, file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	exit(1);
}

void nmc_hdr(struct nmreq_header *h, uint16_t type, const char *name,
	     void *body)
{
	memset(h, 0, sizeof(*h));
	h->nr_version = NETMAP_API;
	h->nr_reqtype = type;
	if (name != NULL)
		snprintf(h->nr_name, sizeof(h->nr_name), "%s", name);
	h->nr_body = (uint64_t)(uintptr_t)body;
}

int nmc_ctrl(int fd, struct nmreq_header *h)
{
	return ioctl(fd, NIOCCTRL, h) == 0 ? 0 : errno;
}

int nmc_open(struct nmc_port *p, const char *name, uint32_t mode,
	     uint64_t flags, uint32_t slots, uint64_t opts)
{
	return nmc_open_extra(p, name, mode, flags, slots, opts, 0);
}

int nmc_open_extra(struct nmc_port *p, const char *name, uint32_t mode,
		   uint64_t flags, uint32_t slots, uint64_t opts,
		   uint32_t extra_bufs)
{
	struct nmreq_header h;
	int err;

	memset(p, 0, sizeof(*p));
	p->fd = open(NMC_DEV, O_RDWR);
	if (p->fd < 0)
		return errno;
	p->reg.nr_mode = mode;
	p->reg.nr_flags = flags;
	p->reg.nr_tx_slots = slots;
	p->reg.nr_rx_slots = slots;
	p->reg.nr_extra_bufs = extra_bufs;
	nmc_hdr(&h, NETMAP_REQ_REGISTER, name, &p->reg);
	h.nr_options = opts;
	err = nmc_ctrl(p->fd, &h);
	if (err != 0) {
		close(p->fd);
		p->fd = -1;
		return err;
	}
	p->memsize = p->reg.nr_memsize;
	p->mem = mmap(NULL, p->memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	if (p->mem == MAP_FAILED) {
		err = errno;
		close(p->fd);
		p->fd = -1;
		p->mem = NULL;
		return err;
	}
	p->nifp = (struct netmap_if *)(p->mem + p->reg.nr_offset);
	return 0;
}

void nmc_close(struct nmc_port *p)
{
	if (p->mem != NULL)
		munmap(p->mem, p->memsize);
	if (p->fd >= 0)
		close(p->fd);
	p->mem = NULL;
	p->fd = -1;
}

struct netmap_ring *nmc_ring(struct nmc_port *p, uint32_t dir, uint32_t i)
{
	return nm_if_user_ring(p->nifp, dir, i);
}

int nmc_sync(struct nmc_port *p, uint32_t dir)
{
	return ioctl(p->fd, dir == NR_TX ? NIOCTXSYNC : NIOCRXSYNC) == 0 ? 0
									  : errno;
}

int nmc_poll(int fd, int events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = (short)events };
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r > 0 ? pfd.revents : 0;
}

void nmc_frame_fill(uint8_t *buf, uint32_t len, uint32_t seq,
		    const uint8_t src[6], const uint8_t dst[6])
{
	uint32_t i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	memcpy(buf + 14, &seq, 4);
	memcpy(buf + 18, &len, 4);
	for (i = 22; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
}

int64_t nmc_frame_check(const uint8_t *buf, uint32_t len)
{
	uint32_t seq, flen, i;

	if (len < 22 || buf[12] != 0x88 || buf[13] != 0xb5)
		return -1;
	memcpy(&seq, buf + 14, 4);
	memcpy(&flen, buf + 18, 4);
	if (flen != len)
		return -1;
	for (i = 22; i < len; i++)
		if (buf[i] != (uint8_t)(seq * 7 + i))
			return -1;
	return seq;
}

void nmc_run_pair(int (*receiver)(int s), int (*sender)(int s, void *arg),
		  void *arg)
{
	int sv[2], status;
	pid_t pid;

	NMC_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	pid = fork();
	NMC_CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(sv[0]);
		exit(receiver(sv[1]));
	}
	close(sv[1]);
	NMC_CHECK(sender(sv[0], arg) == 0, "sender failed");
	NMC_CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	NMC_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "receiver failed (status %#x)", status);
}
