/*
 * nm_mem.c - buffer pool allocation and slot validation.
 *
 * The free list is a stack of indices protected by the pool lock; in_use[]
 * catches a double free or the release of a buffer that was never handed
 * out, which in a swap-heavy datapath (pipes, zero-copy) is the first sign
 * of a lost or duplicated buffer.
 */
#include "nm_mem.h"

static int nm_buf_pool_setup(struct nm_buf_pool *pool, void *mem,
			     uint32_t num_bufs, uint32_t buf_size)
{
	uint32_t i;
	int err;

	nm_os_memset(pool, 0, sizeof(*pool));
	if (buf_size < NM_BUF_MIN_SIZE || buf_size > NM_BUF_MAX_SIZE ||
	    buf_size % 64 != 0)
		return -EINVAL;
	if (num_bufs <= NETMAP_BUF_RESERVED || num_bufs > NM_BUF_MAX_COUNT)
		return -EINVAL;

	err = nm_os_lock_init(&pool->lock);
	if (err != 0)
		return err;
	pool->owns_base = mem == NULL;
	pool->base = mem != NULL ? mem
				 : nm_os_zalloc((size_t)num_bufs * buf_size);
	if (pool->base == NULL)
		goto err_base;
	pool->free_idx = nm_os_zalloc((size_t)num_bufs * sizeof(uint32_t));
	if (pool->free_idx == NULL)
		goto err_free_idx;
	pool->in_use = nm_os_zalloc(num_bufs);
	if (pool->in_use == NULL)
		goto err_in_use;

	pool->buf_size = buf_size;
	pool->num_bufs = num_bufs;
	/* Hand out low indices first: a small working set stays in cache. */
	for (i = num_bufs; i-- > NETMAP_BUF_RESERVED;)
		pool->free_idx[pool->free_count++] = i;
	return 0;

err_in_use:
	nm_os_free(pool->free_idx);
err_free_idx:
	if (pool->owns_base)
		nm_os_free(pool->base);
err_base:
	nm_os_lock_fini(&pool->lock);
	nm_os_memset(pool, 0, sizeof(*pool));
	return -ENOMEM;
}

int nm_buf_pool_init(struct nm_buf_pool *pool, uint32_t num_bufs,
		     uint32_t buf_size)
{
	return nm_buf_pool_setup(pool, NULL, num_bufs, buf_size);
}

int nm_buf_pool_init_at(struct nm_buf_pool *pool, void *mem,
			uint32_t num_bufs, uint32_t buf_size)
{
	if (mem == NULL)
		return -EINVAL;
	return nm_buf_pool_setup(pool, mem, num_bufs, buf_size);
}

void nm_buf_pool_fini(struct nm_buf_pool *pool)
{
	if (pool->base == NULL)
		return;
	nm_os_free(pool->in_use);
	nm_os_free(pool->free_idx);
	if (pool->owns_base)
		nm_os_free(pool->base);
	nm_os_lock_fini(&pool->lock);
	nm_os_memset(pool, 0, sizeof(*pool));
}

int nm_buf_alloc(struct nm_buf_pool *pool, uint32_t *idx)
{
	int err = -ENOMEM;

	nm_os_lock_acquire(&pool->lock);
	if (pool->free_count > 0) {
		*idx = pool->free_idx[--pool->free_count];
		pool->in_use[*idx] = 1;
		err = 0;
	}
	nm_os_lock_release(&pool->lock);
	return err;
}

int nm_buf_free(struct nm_buf_pool *pool, uint32_t idx)
{
	int err = -EINVAL;

	if (!nm_buf_idx_valid(pool, idx))
		return -EINVAL;
	nm_os_lock_acquire(&pool->lock);
	if (pool->in_use[idx]) {
		pool->in_use[idx] = 0;
		pool->free_idx[pool->free_count++] = idx;
		err = 0;
	}
	nm_os_lock_release(&pool->lock);
	if (err != 0)
		nm_os_log_err_rl("buffer pool: free of buffer %u that is not in use",
				 idx);
	return err;
}

int nm_buf_alloc_run(struct nm_buf_pool *pool, uint32_t count,
		     uint32_t *first)
{
	uint32_t i, k, len = 0, lo = 0;
	int err = -ENOMEM;

	if (count == 0)
		return -EINVAL;
	if (count > pool->num_bufs)
		return -ENOMEM; /* no run that long can be free */
	nm_os_lock_acquire(&pool->lock);
	/* From the top: the spare buffers a port was created with are its
	 * highest indices, and low ones stay with the rings (cache). */
	for (i = pool->num_bufs; i-- > NETMAP_BUF_RESERVED;) {
		len = pool->in_use[i] ? 0 : len + 1;
		if (len == count) {
			lo = i;
			err = 0;
			break;
		}
	}
	if (err == 0) {
		for (i = lo; i < lo + count; i++)
			pool->in_use[i] = 1;
		/* Drop the run from the free stack, keeping the order. */
		for (i = 0, k = 0; i < pool->free_count; i++)
			if (pool->free_idx[i] < lo ||
			    pool->free_idx[i] >= lo + count)
				pool->free_idx[k++] = pool->free_idx[i];
		pool->free_count = k;
		*first = lo;
	}
	nm_os_lock_release(&pool->lock);
	return err;
}

void nm_buf_free_run(struct nm_buf_pool *pool, uint32_t first,
		     uint32_t count)
{
	uint32_t i;

	for (i = 0; i < count; i++)
		nm_buf_free(pool, first + i);
}

uint32_t nm_buf_free_count(struct nm_buf_pool *pool)
{
	uint32_t n;

	nm_os_lock_acquire(&pool->lock);
	n = pool->free_count;
	nm_os_lock_release(&pool->lock);
	return n;
}

int nm_slot_load(const struct nm_buf_pool *pool,
		 const struct netmap_slot *slot, struct nm_slot_snap *snap)
{
	snap->buf_idx = nm_os_shared_load32(&slot->buf_idx);
	snap->len = nm_os_shared_load16(&slot->len);
	snap->flags = nm_os_shared_load16(&slot->flags);
	snap->ptr = nm_os_shared_load64(&slot->ptr);
	if (!nm_buf_idx_valid(pool, snap->buf_idx))
		return -EINVAL;
	if (snap->len > pool->buf_size)
		return -EMSGSIZE;
	return 0;
}

int nm_buf_ring_fill(struct nm_buf_pool *pool, struct netmap_ring *ring,
		     uint32_t n)
{
	uint32_t i, idx;
	int err;

	for (i = 0; i < n; i++) {
		err = nm_buf_alloc(pool, &idx);
		if (err != 0)
			goto err_alloc;
		ring->slot[i].buf_idx = idx;
		ring->slot[i].len = 0;
		ring->slot[i].flags = 0;
		ring->slot[i].ptr = 0;
	}
	ring->nr_buf_size = pool->buf_size;
	return 0;

err_alloc:
	while (i-- > 0)
		nm_buf_free(pool, ring->slot[i].buf_idx);
	return err;
}

void nm_buf_ring_drain(struct nm_buf_pool *pool, struct netmap_ring *ring,
		       uint32_t n)
{
	uint32_t i, idx;

	for (i = 0; i < n; i++) {
		idx = nm_os_shared_load32(&ring->slot[i].buf_idx);
		if (nm_buf_idx_valid(pool, idx))
			nm_buf_free(pool, idx);
		ring->slot[i].buf_idx = 0;
	}
}
