/*
 * nmc_csb.h - a client port in CSB mode driven by the kernel's sync kloop:
 * CSB_ENABLE with two 64-byte aligned line arrays (TX ring 0, then RX ring
 * 0), a thread blocked in SYNC_KLOOP_START until nmc_csb_stop(), and the
 * ioeventfds / irqfds of the chosen mode.  Used by csb-pair and by
 * diff-replay's -csb topologies.
 */
#ifndef NMC_CSB_H
#define NMC_CSB_H

#include "csb.h"
#include "nmc.h"

#include <pthread.h>

#define NMC_CSB_RINGS 2U /* TX 0 then RX 0 */

/* eventfd: kicks and interrupts through eventfds, toggled by the CSB
 * flags; busy: no ioeventfds (the kloop polls every 50 us), interrupts
 * still delivered; direct: eventfds plus SYNC_KLOOP_MODE DIRECT_TX. */
enum nmc_csb_mode { NMC_CSB_EVENTFD, NMC_CSB_BUSY, NMC_CSB_DIRECT };

struct nmc_csb {
	struct nmc_port *p;
	enum nmc_csb_mode mode;
	struct nm_csb_atok *atok;
	struct nm_csb_ktoa *ktoa;
	int kick[NMC_CSB_RINGS], irq[NMC_CSB_RINGS];
	pthread_t thr;
	int err; /* START's result */
};

/* CSB_ENABLE on p (bound with NR_EXCLUSIVE), check the lines the kernel
 * initialised (n slots per ring), and start the kloop thread. */
void nmc_csb_start(struct nmc_csb *c, struct nmc_port *p, enum nmc_csb_mode mode,
		   uint32_t n);
/* Kick ring i if the mode has ioeventfds (returns whether it did). */
bool nmc_csb_kick(struct nmc_csb *c, uint32_t i);
/* STOP, join the thread (START must have returned 0), close the fds. */
void nmc_csb_stop(struct nmc_csb *c);

#endif /* NMC_CSB_H */
