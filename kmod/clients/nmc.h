/*
 * nmc.h - what the guest clients share: a netmap application's view of
 * /dev/netmap (NIOCCTRL, mmap, rings) written against core/nm_abi.h and
 * core/nm_ring_user.h, plus failure reporting and test frames.
 *
 * Clients are static userspace programs run by kmod/test/init inside the
 * QEMU guest; each prints "<client>: OK ..." and exits 0, or prints the
 * failing check and exits 1.
 */
#ifndef NMC_H
#define NMC_H

#include "nm_abi.h"
#include "nm_idx.h"
#include "nm_ring_user.h"

#include <stdio.h>
#include <stdlib.h>

#define NMC_DEV "/dev/netmap"

/* Fail the client unless cond holds. */
#define NMC_CHECK(cond, ...)                                               \
	do {                                                               \
		if (!(cond))                                               \
			nmc_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);  \
	} while (0)

void nmc_fail(const char *file, int line, const char *expr, const char *fmt,
	      ...) __attribute__((noreturn, format(printf, 4, 5)));
/* Tag for messages (the program name). */
extern const char *nmc_prog;

struct nmc_port {
	int fd;
	struct nmreq_register reg;
	uint8_t *mem;
	size_t memsize;
	struct netmap_if *nifp;
};

/* A request header of type t for name with body (may be NULL). */
void nmc_hdr(struct nmreq_header *h, uint16_t type, const char *name,
	     void *body);
/* ioctl(NIOCCTRL): 0 or the errno. */
int nmc_ctrl(int fd, struct nmreq_header *h);
/* Open /dev/netmap, REGISTER name (slots 0: default) with the option chain
 * opts (0: none), mmap the region.  0 or the errno of the failing step. */
int nmc_open(struct nmc_port *p, const char *name, uint32_t mode,
	     uint64_t flags, uint32_t slots, uint64_t opts);
/* The same with nr_extra_bufs (spare buffers of a VALE port it creates,
 * for zero-copy monitors). */
int nmc_open_extra(struct nmc_port *p, const char *name, uint32_t mode,
		   uint64_t flags, uint32_t slots, uint64_t opts,
		   uint32_t extra_bufs);
void nmc_close(struct nmc_port *p);
struct netmap_ring *nmc_ring(struct nmc_port *p, uint32_t dir, uint32_t i);
/* ioctl(NIOCTXSYNC / NIOCRXSYNC): 0 or the errno. */
int nmc_sync(struct nmc_port *p, uint32_t dir);
/* poll() for events, timeout_ms; returns revents (0 on timeout). */
int nmc_poll(int fd, int events, int timeout_ms);

/*
 * Run a two-process test: a socketpair between them, receiver(s) in a
 * forked child, sender(s, arg) here; fails (exits) unless both succeed.
 */
void nmc_run_pair(int (*receiver)(int s), int (*sender)(int s, void *arg),
		  void *arg);

/* Test frames: 60 bytes (unless len), broadcast-free addresses, a
 * sequence number and a pattern derived from it. */
#define NMC_FRAME_LEN 60
void nmc_frame_fill(uint8_t *buf, uint32_t len, uint32_t seq,
		    const uint8_t src[6], const uint8_t dst[6]);
/* Check a frame: returns its sequence number or -1 if the pattern is off. */
int64_t nmc_frame_check(const uint8_t *buf, uint32_t len);

#endif /* NMC_H */
