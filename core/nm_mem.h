/*
 * nm_mem.h - the packet buffer pool and slot validation.
 *
 * Owns: a pool of num_bufs fixed-size buffers addressed by index, with
 * indices 0 and 1 reserved (never handed out, never accepted from a slot),
 * allocation and release with double-free detection, and the one place
 * where a slot written by an untrusted user is read and judged.
 *
 * Locking: alloc/free take the pool lock and may be called concurrently;
 * nm_buf_addr() and nm_slot_load() are lock-free and read only immutable
 * pool fields.
 */
#ifndef NM_MEM_H
#define NM_MEM_H

#include "nm_abi.h"

#define NM_BUF_MIN_SIZE 64U
#define NM_BUF_MAX_SIZE 65536U
#define NM_BUF_MAX_COUNT (1U << 24)

struct nm_buf_pool {
	uint8_t *base;	    /* num_bufs * buf_size bytes */
	uint32_t buf_size;  /* multiple of 64, 64..65536 */
	uint32_t num_bufs;  /* including the two reserved indices */
	uint32_t *free_idx; /* stack of free indices */
	uint32_t free_count;
	uint8_t *in_use;    /* one byte per buffer: handed out? */
	bool owns_base;	    /* base came from nm_os_zalloc() */
	struct nm_os_lock lock;
};

/* A slot as read once from shared memory; only these copies are trusted. */
struct nm_slot_snap {
	uint32_t buf_idx;
	uint16_t len;
	uint16_t flags;
	uint64_t ptr;
};

/* [control path] 0, -EINVAL (bad geometry) or -ENOMEM. */
int nm_buf_pool_init(struct nm_buf_pool *pool, uint32_t num_bufs,
		     uint32_t buf_size);
/* [control path] the same over caller-provided memory of num_bufs * buf_size
 * bytes (inside a mappable region); the pool never frees it. */
int nm_buf_pool_init_at(struct nm_buf_pool *pool, void *mem,
			uint32_t num_bufs, uint32_t buf_size);
/* [control path] release everything; outstanding buffers are forgotten. */
void nm_buf_pool_fini(struct nm_buf_pool *pool);

/* Take a free buffer: 0 and *idx set, or -ENOMEM when none is left. */
int nm_buf_alloc(struct nm_buf_pool *pool, uint32_t *idx);
/* Give a buffer back: 0, or -EINVAL for a reserved, out-of-range or free index. */
int nm_buf_free(struct nm_buf_pool *pool, uint32_t idx);
/*
 * [control path] Take `count` free buffers with consecutive indices, so
 * [*first, *first + count) is one block of memory (a zero-copy monitor
 * lays its rings there, inside the region the parent's users map):
 * 0, -ENOMEM when no such run is free, -EINVAL for count 0.  The
 * highest run is taken.
 */
int nm_buf_alloc_run(struct nm_buf_pool *pool, uint32_t count,
		     uint32_t *first);
/* Give a run back (each index as nm_buf_free()). */
void nm_buf_free_run(struct nm_buf_pool *pool, uint32_t first,
		     uint32_t count);
/* Free buffers left. */
uint32_t nm_buf_free_count(struct nm_buf_pool *pool);

/* May a slot name this buffer?  Indices 0 and 1 and >= num_bufs may not. */
static inline bool nm_buf_idx_valid(const struct nm_buf_pool *pool,
				    uint32_t idx)
{
	return idx >= NETMAP_BUF_RESERVED && idx < pool->num_bufs;
}

/* The same test for a hot loop: idx is valid exactly when
 * idx - NETMAP_BUF_RESERVED < nm_buf_valid_span(pool) (unsigned), one
 * compare instead of two. */
static inline uint32_t nm_buf_valid_span(const struct nm_buf_pool *pool)
{
	return pool->num_bufs > NETMAP_BUF_RESERVED ?
		       pool->num_bufs - NETMAP_BUF_RESERVED :
		       0;
}

/* Address of a valid buffer, or NULL. */
static inline void *nm_buf_addr(const struct nm_buf_pool *pool, uint32_t idx)
{
	if (!nm_buf_idx_valid(pool, idx))
		return NULL;
	return pool->base + (size_t)idx * pool->buf_size;
}

/*
 * Read a user-writable slot exactly once into *snap and validate it:
 * 0, -EINVAL for a bad buffer index, -EMSGSIZE for len > buf_size.
 * *snap is filled either way so the caller can report what it saw.
 */
int nm_slot_load(const struct nm_buf_pool *pool,
		 const struct netmap_slot *slot, struct nm_slot_snap *snap);

/* Give each of the ring's n slots its own buffer (len 0, flags 0). */
int nm_buf_ring_fill(struct nm_buf_pool *pool, struct netmap_ring *ring,
		     uint32_t n);
/* Return the ring's buffers to the pool, skipping any invalid index. */
void nm_buf_ring_drain(struct nm_buf_pool *pool, struct netmap_ring *ring,
		       uint32_t n);

#endif /* NM_MEM_H */
