/*
 * vale_poll.h - polling an interface attached to a VALE switch
 * (VALE_POLLING_ENABLE): which threads poll which NIC RX rings on which
 * CPU, and what one pass of one thread does.
 *
 * Owns: the judgement of the request (vale_poll_plan(): the reference's
 * rules, plus CPU ids that must exist) and the poll pass
 * (vale_poll_step()): the frames the interface's receive path queued in
 * NIC RX rings [first, first + count) go through the switch port of the
 * attachment, then their slots are released.  Threads, sleeping and CPU
 * binding are the backend's (kmod/nmlab_vale.c).
 *
 * Invariants: the NIC port's RX rings are mapped by nobody (an attached
 * interface is exclusive), so the pass plays the application on them and
 * the same prologues judge its indices; each ring is polled by one thread
 * (the plan gives threads disjoint rings), and the ring's sync gate makes
 * a second caller skip it.
 * Locking: none of ours; the switch port's TX gate serialises several
 * threads' frames into the switch (vale_kport_send()).
 */
#ifndef VALE_POLL_H
#define VALE_POLL_H

#include "vale_kport.h"

#define VALE_POLL_MAX_THREADS NM_NIC_MAX_QUEUES

struct vale_poll_thread {
	uint32_t cpu;			/* to bind to */
	uint32_t first_ring, num_rings; /* NIC RX rings it polls */
};

struct vale_poll_plan {
	uint32_t mode; /* NETMAP_POLLING_MODE_* */
	uint32_t nthreads;
	struct vale_poll_thread thread[VALE_POLL_MAX_THREADS];
};

/*
 * [any ctx] Judge a request against an interface with nic_rx_rings NIC RX
 * rings on a machine with ncpu_ids CPU ids (0..ncpu_ids - 1):
 *  - SINGLE_CPU: one thread on CPU first_cpu polls every ring; ncpus
 *    must be 1;
 *  - MULTI_CPU: ncpus threads, thread i polls ring first_cpu + i on CPU
 *    first_cpu + i (the reference uses first_cpu for both); those rings
 *    must exist.
 * Both: ncpus 0 or not below ncpu_ids (the reference keeps one CPU free)
 * is -EINVAL, as is an unknown mode; stricter than the reference, a CPU
 * id at or past ncpu_ids is -EINVAL too (it would bind a thread to a CPU
 * that does not exist).  0 and *p filled, or -EINVAL.
 */
int vale_poll_plan(struct vale_poll_plan *p, uint32_t mode, uint32_t first_cpu,
		   uint32_t ncpus, uint32_t nic_rx_rings, uint32_t ncpu_ids);

/*
 * [softirq, or bottom halves off: it sends with vale_kport_send(), whose
 * gate softirq senders spin on][no sleep] One pass over NIC RX rings [first,
 * first + count) of nic: import what the receive path queued, send each
 * complete frame into the switch through k (a full switch drops it,
 * counted by k), release the slots.  Returns the frames taken off the
 * rings (0: nothing was waiting, or the rings are being synced by
 * another caller).
 */
uint32_t vale_poll_step(struct vale_kport *k, struct nm_nic *nic,
			uint32_t first, uint32_t count);

#endif /* VALE_POLL_H */
