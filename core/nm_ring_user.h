/*
 * nm_ring_user.h - the application's side of a netmap_ring.
 *
 * Owns: what a netmap application (or a simulated guest) does with a ring it
 * shares with the kernel: read tail, compute space, fill or drain slots and
 * publish head/cur.  Used by tests, benchmarks, guest clients and simulator
 * actors so that none of them re-derives the index rules.  The kernel side
 * lives in nm_kring.h; these helpers never touch a kring.
 *
 *   application                          kernel (nm_kring_sync)
 *   fill slots                            read head, cur once
 *   nm_ring_user_publish():               validate, run sync
 *     store_store fence, cur, head  --->  store_store fence, store tail
 *   nm_ring_user_tail():            <---
 *     load tail, load_load fence
 */
#ifndef NM_RING_USER_H
#define NM_RING_USER_H

#include "nm_abi.h"
#include "nm_idx.h"

/* Read the kernel's tail, then the slots it covers. */
static inline uint32_t nm_ring_user_tail(const struct netmap_ring *ring)
{
	uint32_t tail = nm_os_shared_load32(&ring->tail);

	/* Slot reads after this must not see values older than the tail;
	 * pairs with nm_os_fence_store_store() in nm_kring_sync_held(). */
	nm_os_fence_load_load();
	return tail;
}

/* Slots the application owns: free slots (TX) or received ones (RX). */
static inline uint32_t nm_ring_user_space(const struct netmap_ring *ring,
					  uint32_t head, uint32_t tail)
{
	return nm_idx_dist(head, tail, ring->num_slots);
}

/* Hand [old head, head) to the kernel and move the wake-up point to cur. */
static inline void nm_ring_user_publish(struct netmap_ring *ring,
					uint32_t head, uint32_t cur)
{
	/* Slot contents before the indices that hand them over; the kernel
	 * reads indices in its sync, so no fence is needed on its side for
	 * the syscall path, and nm_kring_sync() reads each index once. */
	nm_os_fence_store_store();
	nm_os_shared_store32(&ring->cur, cur);
	nm_os_shared_store32(&ring->head, head);
}

/* The buffer of slot idx as the application addresses it (NETMAP_BUF):
 * relative to the ring, so it works wherever the region is mapped. */
static inline void *nm_ring_user_buf(struct netmap_ring *ring, uint32_t idx)
{
	return (uint8_t *)ring + ring->buf_ofs + (int64_t)idx * ring->nr_buf_size;
}

/* Ring i of an interface as the application finds it (NETMAP_TXRING /
 * NETMAP_RXRING): RX rings follow the TX ones, host TX included, in
 * ring_ofs[]; a host ring is ring ni_tx_rings (ni_rx_rings) of its
 * direction. */
static inline struct netmap_ring *nm_if_user_ring(struct netmap_if *nifp,
						  uint32_t dir, uint32_t i)
{
	uint32_t pos = dir == NR_TX ? i
				    : nifp->ni_tx_rings + nifp->ni_host_tx_rings + i;

	return (struct netmap_ring *)((uint8_t *)nifp + nifp->ring_ofs[pos]);
}

#endif /* NM_RING_USER_H */
