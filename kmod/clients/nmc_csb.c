/*
 * nmc_csb.c - a client port in CSB mode with the kernel's kloop (see the
 * header).
 */
#include "nmc_csb.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void *nmc_csb_kloop(void *arg)
{
	struct nmc_csb *c = arg;
	struct nmreq_sync_kloop_start ks = { .sleep_us = 50 };
	struct {
		struct nmreq_opt_sync_kloop_eventfds o;
		int32_t fds[NMC_CSB_RINGS][2];
	} efd;
	struct nmreq_opt_sync_kloop_mode m;
	struct nmreq_header h;
	uint32_t i;

	memset(&efd, 0, sizeof(efd));
	memset(&m, 0, sizeof(m));
	efd.o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
	efd.o.nro_opt.nro_size = sizeof(efd);
	for (i = 0; i < NMC_CSB_RINGS; i++) {
		efd.fds[i][0] = c->mode == NMC_CSB_BUSY ? -1 : c->kick[i];
		efd.fds[i][1] = c->irq[i];
	}
	m.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_MODE;
	m.nro_opt.nro_size = sizeof(m);
	m.mode = NM_OPT_SYNC_KLOOP_DIRECT_TX;
	if (c->mode == NMC_CSB_DIRECT)
		efd.o.nro_opt.nro_next = (uint64_t)(uintptr_t)&m;
	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_START, "", &ks);
	h.nr_options = (uint64_t)(uintptr_t)&efd;
	c->err = nmc_ctrl(c->p->fd, &h);
	if (c->err == 0)
		NMC_CHECK(efd.o.nro_opt.nro_status == 0, "eventfds status %u",
			  efd.o.nro_opt.nro_status);
	return NULL;
}

void nmc_csb_start(struct nmc_csb *c, struct nmc_port *p, enum nmc_csb_mode mode,
		   uint32_t n)
{
	struct nmreq_opt_csb csb;
	struct nmreq_header h;
	uint32_t i;
	int err;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->mode = mode;
	c->atok = aligned_alloc(64, NMC_CSB_RINGS * sizeof(*c->atok));
	c->ktoa = aligned_alloc(64, NMC_CSB_RINGS * sizeof(*c->ktoa));
	NMC_CHECK(c->atok != NULL && c->ktoa != NULL, "alloc");
	/* Garbage the kernel must overwrite at CSB_ENABLE. */
	memset(c->atok, 0xa5, NMC_CSB_RINGS * sizeof(*c->atok));
	memset(c->ktoa, 0x5a, NMC_CSB_RINGS * sizeof(*c->ktoa));
	memset(&csb, 0, sizeof(csb));
	csb.nro_opt.nro_reqtype = NETMAP_REQ_OPT_CSB;
	csb.nro_opt.nro_size = sizeof(csb);
	csb.csb_atok = (uint64_t)(uintptr_t)c->atok;
	csb.csb_ktoa = (uint64_t)(uintptr_t)c->ktoa;
	nmc_hdr(&h, NETMAP_REQ_CSB_ENABLE, "", NULL);
	h.nr_options = (uint64_t)(uintptr_t)&csb;
	err = nmc_ctrl(p->fd, &h);
	NMC_CHECK(err == 0, "CSB_ENABLE: %s", strerror(err));
	NMC_CHECK(csb.nro_opt.nro_status == 0, "csb status %u", csb.nro_opt.nro_status);
	/* The kernel initialised the TX line from the kring. */
	NMC_CHECK(c->atok[0].head == 0 && c->atok[0].cur == 0 &&
			  c->atok[0].appl_need_kick == 1 && c->ktoa[0].hwcur == 0 &&
			  c->ktoa[0].hwtail == n - 1 && c->ktoa[0].kern_need_kick == 1,
		  "initial CSB: head %u cur %u hwcur %u hwtail %u", c->atok[0].head,
		  c->atok[0].cur, c->ktoa[0].hwcur, c->ktoa[0].hwtail);
	NMC_CHECK(nmc_sync(p, NR_TX) == EBUSY, "TXSYNC in CSB mode");
	for (i = 0; i < NMC_CSB_RINGS; i++) {
		c->kick[i] = eventfd(0, 0);
		c->irq[i] = eventfd(0, EFD_NONBLOCK);
		NMC_CHECK(c->kick[i] >= 0 && c->irq[i] >= 0, "eventfd");
	}
	NMC_CHECK(pthread_create(&c->thr, NULL, nmc_csb_kloop, c) == 0, "pthread_create");
}

bool nmc_csb_kick(struct nmc_csb *c, uint32_t i)
{
	uint64_t v = 1;

	if (c->mode == NMC_CSB_BUSY)
		return false;
	NMC_CHECK(write(c->kick[i], &v, 8) == 8, "kick");
	return true;
}

void nmc_csb_stop(struct nmc_csb *c)
{
	struct nmreq_header h;
	uint32_t i;
	int err;

	nmc_hdr(&h, NETMAP_REQ_SYNC_KLOOP_STOP, "", NULL);
	err = nmc_ctrl(c->p->fd, &h);
	NMC_CHECK(err == 0, "STOP: %s", strerror(err));
	NMC_CHECK(pthread_join(c->thr, NULL) == 0, "join");
	NMC_CHECK(c->err == 0, "START returned %s", strerror(c->err));
	/* A second STOP finds nothing to stop. */
	NMC_CHECK(nmc_ctrl(c->p->fd, &h) == 0, "second STOP");
	for (i = 0; i < NMC_CSB_RINGS; i++) {
		close(c->kick[i]);
		close(c->irq[i]);
	}
	free(c->atok);
	free(c->ktoa);
}
