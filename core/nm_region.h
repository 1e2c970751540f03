/*
 * nm_region.h - one port's shared memory: netmap_if, rings and buffers in a
 * single block that can be mapped into a process.
 *
 * Owns: the layout of the region a netmap application mmaps (the kernel
 * module's mmap hands out exactly r->base .. r->base + r->size), the
 * initialisation of every netmap_if and netmap_ring header in it, and the
 * buffer pool that lives at its end.  Up to NM_REGION_MAX_IFS interfaces
 * share one region (the two ends of a pipe); each interface has its own
 * rings, all rings share the buffers.
 *
 * Layout (offsets from base, every block 128-byte aligned, buffers
 * page-aligned):   [netmap_if 0][netmap_if 1]...[rings...][pad][buffers]
 * A ring finds its buffers as ring + ring->buf_ofs + idx * nr_buf_size.
 *
 * Locking: create/destroy are control path; the pool has its own lock.
 */
#ifndef NM_REGION_H
#define NM_REGION_H

#include "nm_idx.h"
#include "nm_mem.h"

#define NM_REGION_MAX_IFS 2
#define NM_REGION_MAX_RINGS 64 /* per direction per interface */
#define NM_REGION_MAX_BYTES (1ULL << 31)

struct nm_region_if_geom {
	uint32_t tx_rings, rx_rings; /* 1..NM_REGION_MAX_RINGS each */
	uint32_t tx_slots, rx_slots; /* 2..4096 each */
};

struct nm_region_geom {
	uint32_t num_ifs; /* 1..NM_REGION_MAX_IFS */
	struct nm_region_if_geom ifs[NM_REGION_MAX_IFS];
	uint32_t buf_size;   /* 64..65536, multiple of 64 */
	uint32_t extra_bufs; /* free buffers beyond one per slot */
};

struct nm_region {
	uint8_t *base;	/* from nm_os_region_alloc() */
	size_t size;	/* bytes, a multiple of the page size */
	struct nm_region_geom geom;
	uint64_t if_ofs[NM_REGION_MAX_IFS]; /* offset of each netmap_if */
	uint64_t buf_ofs;		     /* offset of buffer index 0 */
	struct nm_buf_pool pool;
};

/* [control path] 0, -EINVAL (bad geometry), -E2BIG (region too large) or -ENOMEM. */
int nm_region_create(struct nm_region *r, const struct nm_region_geom *g,
		     const char *name);
/* [control path] free the region and its pool; idempotent. */
void nm_region_destroy(struct nm_region *r);

/* The netmap_if of interface i (< num_ifs). */
struct netmap_if *nm_region_if(const struct nm_region *r, uint32_t i);
/* Ring `ring` (TX: NR_TX, RX: NR_RX) of interface i, or NULL if out of range. */
struct netmap_ring *nm_region_ring(const struct nm_region *r, uint32_t i,
				   uint32_t dir, uint32_t ring);
/* Does [ptr, ptr + len) lie inside the region? */
bool nm_region_contains(const struct nm_region *r, const void *ptr,
			size_t len);

#endif /* NM_REGION_H */
