/*
 * vale_poll.c - the plan and the pass of a polled attachment (see
 * vale_poll.h).  A pass is bounded by the rings' sizes: it takes what was
 * published when its rxsync ran, never waits for more.
 */
#include "vale_poll.h"
#include "nm_ring_user.h"

int vale_poll_plan(struct vale_poll_plan *p, uint32_t mode, uint32_t first_cpu,
		   uint32_t ncpus, uint32_t nic_rx_rings, uint32_t ncpu_ids)
{
	uint32_t i;

	nm_os_memset(p, 0, sizeof(*p));
	if (ncpus == 0 || ncpus >= ncpu_ids || nic_rx_rings == 0)
		return -EINVAL;
	switch (mode) {
	case NETMAP_POLLING_MODE_SINGLE_CPU:
		if (ncpus != 1 || first_cpu >= ncpu_ids)
			return -EINVAL;
		p->nthreads = 1;
		p->thread[0].cpu = first_cpu;
		p->thread[0].first_ring = 0;
		p->thread[0].num_rings = nic_rx_rings;
		break;
	case NETMAP_POLLING_MODE_MULTI_CPU:
		/* Sums in 64 bits: first_cpu + ncpus must not wrap. */
		if ((uint64_t)first_cpu + ncpus > nic_rx_rings ||
		    (uint64_t)first_cpu + ncpus > ncpu_ids ||
		    ncpus > VALE_POLL_MAX_THREADS)
			return -EINVAL;
		p->nthreads = ncpus;
		for (i = 0; i < ncpus; i++) {
			p->thread[i].cpu = first_cpu + i;
			p->thread[i].first_ring = first_cpu + i;
			p->thread[i].num_rings = 1;
		}
		break;
	default:
		return -EINVAL;
	}
	p->mode = mode;
	return 0;
}

/* A frame as fragments in the NIC's pool, for vale_kport_send()'s copy. */
struct vale_poll_frame {
	const struct nm_nic_frag *f;
	uint32_t nf;
};

/* Copy bytes [off, off + len) of the frame into dst. */
static void vale_poll_copy(void *dst, uint32_t off, uint32_t len,
			   const void *ctx)
{
	const struct vale_poll_frame *fr = ctx;
	uint8_t *d = dst;
	uint32_t i, at = 0, skip, n;

	for (i = 0; i < fr->nf && len > 0; at += fr->f[i].len, i++) {
		if (off >= at + fr->f[i].len)
			continue;
		skip = off > at ? off - at : 0;
		n = nm_min_u32(fr->f[i].len - skip, len);
		nm_os_memcpy(d, fr->f[i].buf + skip, n);
		d += n;
		off += n;
		len -= n;
	}
}

/* One NIC RX ring: import, forward the complete frames, release. */
static uint32_t vale_poll_ring(struct vale_kport *k, struct nm_nic *nic,
			       struct nm_kring *kr)
{
	struct netmap_ring *ring = kr->ring;
	uint32_t head, next, frames = 0;
	struct vale_kport_frame fr;
	struct vale_poll_frame pf = { fr.f, 0 };

	if (nm_kring_sync(kr, 0) != 0)
		return 0; /* another caller has the ring */
	head = kr->rhead;
	while (head != kr->rtail) {
		next = vale_kport_gather(&nic->region.pool, kr, head, &fr);
		if (next == head)
			break;
		if (!fr.ok) {
			nm_os_counter_add(&k->dropped, 1);
		} else {
			pf.nf = fr.nf;
			vale_kport_send(k, fr.len, vale_poll_copy, &pf);
		}
		frames++;
		head = next;
	}
	/* Release what was taken; the next sync hands the slots back to the
	 * producer. */
	nm_ring_user_publish(ring, head, head);
	nm_kring_sync(kr, 0);
	return frames;
}

uint32_t vale_poll_step(struct vale_kport *k, struct nm_nic *nic,
			uint32_t first, uint32_t count)
{
	uint32_t i, frames = 0;

	for (i = first; i < nic->nic_rings[NR_RX] && i - first < count; i++)
		frames += vale_poll_ring(k, nic, &nic->rx[i].kr);
	return frames;
}
