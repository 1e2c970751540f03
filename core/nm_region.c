/*
 * nm_region.c - layout and initialisation of a port's shared region.
 *
 * Sizes are computed in 64 bits and bounded by NM_REGION_MAX_BYTES before
 * anything is allocated, so no geometry can overflow a size_t or a 32-bit
 * kernel's address space.
 */
#include "nm_region.h"

#define NM_REGION_ALIGN 128ULL
#define NM_REGION_PAGE 4096ULL

static uint64_t nm_region_round(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static uint64_t nm_region_if_bytes(const struct nm_region_if_geom *g)
{
	return nm_region_round(sizeof(struct netmap_if) +
				       sizeof(int64_t) *
					       (uint64_t)(g->tx_rings + g->rx_rings),
			       NM_REGION_ALIGN);
}

static uint64_t nm_region_ring_bytes(uint32_t slots)
{
	return nm_region_round(sizeof(struct netmap_ring) +
				       sizeof(struct netmap_slot) * (uint64_t)slots,
			       NM_REGION_ALIGN);
}

static bool nm_region_geom_valid(const struct nm_region_geom *g)
{
	uint32_t i;

	if (g->num_ifs < 1 || g->num_ifs > NM_REGION_MAX_IFS)
		return false;
	if (g->buf_size < NM_BUF_MIN_SIZE || g->buf_size > NM_BUF_MAX_SIZE ||
	    g->buf_size % 64 != 0 || g->extra_bufs > NM_BUF_MAX_COUNT)
		return false;
	for (i = 0; i < g->num_ifs; i++) {
		const struct nm_region_if_geom *f = &g->ifs[i];

		if (f->tx_rings < 1 || f->tx_rings > NM_REGION_MAX_RINGS ||
		    f->rx_rings < 1 || f->rx_rings > NM_REGION_MAX_RINGS)
			return false;
		if (f->tx_slots < NM_RING_MIN_SLOTS ||
		    f->tx_slots > NM_RING_MAX_SLOTS ||
		    f->rx_slots < NM_RING_MIN_SLOTS ||
		    f->rx_slots > NM_RING_MAX_SLOTS)
			return false;
	}
	return true;
}

/* Buffers needed: one per slot, the extras, and the two reserved. */
static uint64_t nm_region_num_bufs(const struct nm_region_geom *g)
{
	uint64_t n = NETMAP_BUF_RESERVED + (uint64_t)g->extra_bufs;
	uint32_t i;

	for (i = 0; i < g->num_ifs; i++)
		n += (uint64_t)g->ifs[i].tx_rings * g->ifs[i].tx_slots +
		     (uint64_t)g->ifs[i].rx_rings * g->ifs[i].rx_slots;
	return n;
}

/* Offset of the first ring of interface i (rings follow all the ifs). */
static uint64_t nm_region_ring_ofs(const struct nm_region *r, uint32_t i,
				   uint32_t dir, uint32_t ring)
{
	const struct nm_region_geom *g = &r->geom;
	uint64_t ofs = 0;
	uint32_t k;

	for (k = 0; k < g->num_ifs; k++)
		ofs += nm_region_if_bytes(&g->ifs[k]);
	for (k = 0; k < i; k++)
		ofs += g->ifs[k].tx_rings * nm_region_ring_bytes(g->ifs[k].tx_slots) +
		       g->ifs[k].rx_rings * nm_region_ring_bytes(g->ifs[k].rx_slots);
	if (dir == NR_RX)
		ofs += g->ifs[i].tx_rings * nm_region_ring_bytes(g->ifs[i].tx_slots);
	return ofs + ring * nm_region_ring_bytes(dir == NR_TX ? g->ifs[i].tx_slots
							      : g->ifs[i].rx_slots);
}

static int nm_region_init_if(struct nm_region *r, uint32_t i, const char *name)
{
	const struct nm_region_if_geom *f = &r->geom.ifs[i];
	struct netmap_if *nifp = nm_region_if(r, i);
	uint32_t k, dir;
	int err;

	nm_strlcpy(nifp->ni_name, name, sizeof(nifp->ni_name));
	nifp->ni_version = NETMAP_API;
	nifp->ni_flags = NI_PRIV_MEM;
	nifp->ni_tx_rings = f->tx_rings;
	nifp->ni_rx_rings = f->rx_rings;
	for (dir = NR_TX; dir <= NR_RX; dir++) {
		uint32_t count = dir == NR_TX ? f->tx_rings : f->rx_rings;
		uint32_t slots = dir == NR_TX ? f->tx_slots : f->rx_slots;

		for (k = 0; k < count; k++) {
			struct netmap_ring *ring = nm_region_ring(r, i, dir, k);
			uint32_t pos = dir == NR_TX ? k : f->tx_rings + k;

			nifp->ring_ofs[pos] = (int64_t)((uint8_t *)ring -
							(uint8_t *)nifp);
			ring->buf_ofs = (int64_t)(r->buf_ofs -
						  (uint64_t)((uint8_t *)ring -
							     r->base));
			ring->num_slots = slots;
			ring->nr_buf_size = r->geom.buf_size;
			ring->ringid = (uint16_t)k;
			ring->dir = (uint16_t)dir;
			ring->tail = dir == NR_TX ? slots - 1 : 0;
			err = nm_buf_ring_fill(&r->pool, ring, slots);
			if (err != 0)
				return err;
		}
	}
	return 0;
}

int nm_region_create(struct nm_region *r, const struct nm_region_geom *g,
		     const char *name)
{
	uint64_t meta = 0, nbufs, size;
	uint32_t i;
	int err;

	nm_os_memset(r, 0, sizeof(*r));
	if (!nm_region_geom_valid(g))
		return -EINVAL;
	r->geom = *g;
	for (i = 0; i < g->num_ifs; i++) {
		r->if_ofs[i] = meta;
		meta += nm_region_if_bytes(&g->ifs[i]);
	}
	meta = nm_region_ring_ofs(r, g->num_ifs - 1, NR_RX,
				  g->ifs[g->num_ifs - 1].rx_rings);
	nbufs = nm_region_num_bufs(g);
	r->buf_ofs = nm_region_round(meta, NM_REGION_PAGE);
	size = r->buf_ofs + nbufs * g->buf_size;
	if (nbufs > NM_BUF_MAX_COUNT || size > NM_REGION_MAX_BYTES) {
		nm_os_memset(r, 0, sizeof(*r));
		return -E2BIG;
	}
	r->size = (size_t)nm_region_round(size, NM_REGION_PAGE);
	r->base = nm_os_region_alloc(r->size);
	if (r->base == NULL)
		goto err_alloc;
	err = nm_buf_pool_init_at(&r->pool, r->base + r->buf_ofs,
				  (uint32_t)nbufs, g->buf_size);
	if (err != 0)
		goto err_pool;
	for (i = 0; i < g->num_ifs; i++) {
		err = nm_region_init_if(r, i, name != NULL ? name : "");
		if (err != 0)
			goto err_if;
	}
	return 0;

err_if:
	nm_buf_pool_fini(&r->pool);
err_pool:
	nm_os_region_free(r->base, r->size);
err_alloc:
	nm_os_memset(r, 0, sizeof(*r));
	return -ENOMEM;
}

void nm_region_destroy(struct nm_region *r)
{
	if (r->base == NULL)
		return;
	nm_buf_pool_fini(&r->pool);
	nm_os_region_free(r->base, r->size);
	nm_os_memset(r, 0, sizeof(*r));
}

struct netmap_if *nm_region_if(const struct nm_region *r, uint32_t i)
{
	if (i >= r->geom.num_ifs)
		return NULL;
	return (struct netmap_if *)(r->base + r->if_ofs[i]);
}

struct netmap_ring *nm_region_ring(const struct nm_region *r, uint32_t i,
				   uint32_t dir, uint32_t ring)
{
	const struct nm_region_if_geom *f;

	if (i >= r->geom.num_ifs || (dir != NR_TX && dir != NR_RX))
		return NULL;
	f = &r->geom.ifs[i];
	if (ring >= (dir == NR_TX ? f->tx_rings : f->rx_rings))
		return NULL;
	return (struct netmap_ring *)(r->base +
				      nm_region_ring_ofs(r, i, dir, ring));
}

bool nm_region_contains(const struct nm_region *r, const void *ptr,
			size_t len)
{
	const uint8_t *p = ptr;

	return p >= r->base && len <= r->size &&
	       (size_t)(p - r->base) <= r->size - len;
}
