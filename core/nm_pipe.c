/*
 * nm_pipe.c - netmap pipes: names, the pipe namespace, the zero-copy syncs.
 *
 * Invariants per link (TX ring i of end A -> RX ring i of end B, n slots):
 * B.rx.hwcur = rx_pos <= tx_pos <= A.tx.hwcur (circular), A.tx.hwtail =
 * rx_pos - 1.  The slots [rx_pos, A.tx.hwcur) hold A's packets (published
 * up to tx_pos, the rest is an unfinished chain); the others are free for
 * A.  Each slot is written by one side at a time: A's txsync writes RX
 * slots only in [A.tx.hwcur, head), which B released earlier.
 *
 * Locking: reg->lock for the namespace; syncs are lock-free (see nm_pipe.h).
 */
#include "nm_pipe.h"

/* ---- Names. */

bool nm_pipe_name_is_pipe(const char *name)
{
	size_t len = nm_strnlen(name, NETMAP_REQ_IFNAMSIZ), i;

	for (i = 0; i < len; i++)
		if (name[i] == '{' || name[i] == '}')
			return true;
	return false;
}

/* Position of the '{' or '}' of a valid pipe name, or 0. */
static size_t nm_pipe_name_split(const char *name)
{
	size_t len = nm_strnlen(name, NETMAP_REQ_IFNAMSIZ), i, p = 0;

	if (len >= NETMAP_REQ_IFNAMSIZ)
		return 0;
	for (i = 0; i < len && p == 0; i++) {
		if (name[i] == '{' || name[i] == '}')
			p = i;
		else if (name[i] <= ' ' || name[i] > '~')
			return 0;
	}
	if (p == 0 || p + 1 == len)
		return 0; /* no or empty parent, or empty pipe id */
	for (i = p + 1; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return p;
}

bool nm_pipe_name_is_valid(const char *name)
{
	return nm_pipe_name_split(name) != 0;
}

static bool nm_pipe_key_eq(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < NETMAP_REQ_IFNAMSIZ; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

/* ---- Syncs. */

int nm_pipe_txsync(struct nm_kring *kr, uint32_t flags)
{
	struct nm_pipe_ring *r = kr->sync_priv;
	struct nm_pipe_end *e = r->end;
	struct nm_pipe_end *peer_end = &e->pipe->end[1 - e->side];
	const struct nm_buf_pool *pool = &e->pipe->region.pool;
	struct netmap_slot *tx = kr->ring->slot, *rx = r->peer->slot;
	uint32_t n = kr->num_slots, i, pub = r->pub;
	uint64_t pkts = 0, slots = 0, bad = 0;

	(void)flags;
	for (i = kr->hwcur; i != kr->rhead; i = nm_idx_next(i, n)) {
		/* The three fields used, each read once, judged before use. */
		uint32_t idx = nm_os_shared_load32(&tx[i].buf_idx);
		uint16_t len = nm_os_shared_load16(&tx[i].len);
		uint16_t sflags = nm_os_shared_load16(&tx[i].flags);
		uint32_t rx_idx = nm_os_shared_load32(&rx[i].buf_idx);
		uint16_t more = sflags & NS_MOREFRAG;

		if (nm_unlikely(!nm_buf_idx_valid(pool, idx) ||
				len > pool->buf_size ||
				(sflags & NS_INDIRECT))) {
			/* Never hand over a buffer we cannot vouch for: the
			 * receiver gets an empty slot, the sender keeps its
			 * descriptor untouched. */
			nm_os_shared_store16(&rx[i].len, 0);
			nm_os_shared_store16(&rx[i].flags, more);
			bad++;
		} else {
			nm_os_shared_store32(&rx[i].buf_idx, idx);
			nm_os_shared_store16(&rx[i].len, len);
			nm_os_shared_store16(&rx[i].flags,
					     (uint16_t)(more | NS_BUF_CHANGED));
			nm_os_shared_store32(&tx[i].buf_idx, rx_idx);
			nm_os_shared_store16(&tx[i].len, 0);
			nm_os_shared_store16(&tx[i].flags, NS_BUF_CHANGED);
		}
		slots++;
		if (!more) {
			pub = nm_idx_next(i, n);
			pkts++;
		}
	}
	kr->hwcur = kr->rhead;
	if (pub != r->pub) {
		r->pub = pub;
		/* The swapped slots before the receiver may see tx_pos.
		 * Pairs with nm_os_atomic_load_acquire32() in nm_pipe_rxsync(). */
		nm_os_atomic_store_release32(&r->link->tx_pos, pub);
		nm_os_read_enter();
		nm_port_notify(&peer_end->up, NR_RX, r->ring);
		nm_os_read_exit();
	}
	/* The receiver's releases (and its last reads of those buffers)
	 * before we hand the slots out again.
	 * Pairs with nm_os_atomic_store_release32() in nm_pipe_rxsync(). */
	kr->hwtail = nm_idx_prev(nm_os_atomic_load_acquire32(&r->link->rx_pos), n);
	nm_os_counter_add(&e->stats.tx_pkts, pkts);
	nm_os_counter_add(&e->stats.tx_slots, slots);
	if (bad != 0)
		nm_os_counter_add(&e->stats.bad_slots, bad);
	return 0;
}

int nm_pipe_rxsync(struct nm_kring *kr, uint32_t flags)
{
	struct nm_pipe_ring *r = kr->sync_priv;
	struct nm_pipe_end *e = r->end;
	struct nm_pipe_end *peer_end = &e->pipe->end[1 - e->side];
	uint32_t tx_pos;

	(void)flags;
	if (kr->rhead != kr->hwcur) {
		kr->hwcur = kr->rhead;
		/* Our reads of the released buffers before the sender may
		 * reuse them.
		 * Pairs with nm_os_atomic_load_acquire32() in nm_pipe_txsync(). */
		nm_os_atomic_store_release32(&r->link->rx_pos, kr->hwcur);
		nm_os_read_enter();
		nm_port_notify(&peer_end->up, NR_TX, r->ring);
		nm_os_read_exit();
	}
	/* The sender's slot swaps before the tail that shows them.
	 * Pairs with nm_os_atomic_store_release32() in nm_pipe_txsync(). */
	tx_pos = nm_os_atomic_load_acquire32(&r->link->tx_pos);
	if (NM_ASSERT(tx_pos < kr->num_slots))
		kr->hwtail = tx_pos;
	return 0;
}

/* ---- Pipes. */

static void nm_pipe_port_close(struct nm_port *p)
{
	nm_pipe_close((struct nm_pipe_end *)p); /* up is the first member */
}

static const struct nm_port_ops nm_pipe_port_ops = {
	.close = nm_pipe_port_close,
};

static void nm_pipe_mirror(const struct nm_port_geom *g, struct nm_port_geom *m)
{
	m->tx_rings = g->rx_rings;
	m->rx_rings = g->tx_rings;
	m->tx_slots = g->rx_slots;
	m->rx_slots = g->tx_slots;
	m->buf_size = g->buf_size; /* one pool for both ends */
}

static int nm_pipe_init_end(struct nm_pipe *p, uint32_t k,
			    const struct nm_port_geom *g)
{
	struct nm_pipe_end *e = &p->end[k];
	uint32_t i;
	int err;

	e->pipe = p;
	e->side = k;
	e->up.kind = NM_PORT_PIPE;
	e->up.ops = &nm_pipe_port_ops;
	nm_strlcpy(e->up.name, p->key, sizeof(e->up.name));
	e->up.name[nm_pipe_name_split(p->key)] = k == 0 ? '{' : '}';
	nm_strlcpy(nm_region_if(&p->region, k)->ni_name, e->up.name,
		   sizeof(nm_region_if(&p->region, k)->ni_name));
	e->up.region = &p->region;
	e->up.if_index = k;
	e->up.num_rings[NR_TX] = g->tx_rings;
	e->up.num_rings[NR_RX] = g->rx_rings;
	e->up.num_slots[NR_TX] = g->tx_slots;
	e->up.num_slots[NR_RX] = g->rx_slots;
	for (i = 0; i < g->tx_rings; i++) {
		struct nm_pipe_ring *r = &e->tx[i];

		r->end = e;
		r->ring = i;
		r->link = &p->link[k][i];
		r->peer = nm_region_ring(&p->region, 1 - k, NR_RX, i);
		err = nm_kring_init(&r->kr, NM_KRING_TX, g->tx_slots,
				    nm_region_ring(&p->region, k, NR_TX, i),
				    nm_pipe_txsync, r, e->up.name);
		if (err != 0)
			return err;
		e->up.kring[NR_TX][i] = &r->kr;
	}
	for (i = 0; i < g->rx_rings; i++) {
		struct nm_pipe_ring *r = &e->rx[i];

		r->end = e;
		r->ring = i;
		r->link = &p->link[1 - k][i];
		err = nm_kring_init(&r->kr, NM_KRING_RX, g->rx_slots,
				    nm_region_ring(&p->region, k, NR_RX, i),
				    nm_pipe_rxsync, r, e->up.name);
		if (err != 0)
			return err;
		e->up.kring[NR_RX][i] = &r->kr;
	}
	return 0;
}

static int nm_pipe_alloc(const char *name, uint32_t side,
			 const struct nm_port_geom *g, struct nm_pipe **out)
{
	struct nm_port_geom geo[2];
	struct nm_region_geom rg;
	struct nm_pipe *p;
	uint32_t k;
	int err;

	p = nm_os_zalloc(sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	nm_strlcpy(p->key, name, sizeof(p->key));
	p->key[nm_pipe_name_split(name)] = '{';
	geo[side] = *g;
	nm_pipe_mirror(g, &geo[1 - side]);
	nm_os_memset(&rg, 0, sizeof(rg));
	rg.num_ifs = 2;
	for (k = 0; k < 2; k++) {
		rg.ifs[k].tx_rings = geo[k].tx_rings;
		rg.ifs[k].rx_rings = geo[k].rx_rings;
		rg.ifs[k].tx_slots = geo[k].tx_slots;
		rg.ifs[k].rx_slots = geo[k].rx_slots;
	}
	rg.buf_size = g->buf_size;
	err = nm_region_create(&p->region, &rg, p->key);
	if (err != 0)
		goto err_free;
	for (k = 0; k < 2; k++) {
		err = nm_pipe_init_end(p, k, &geo[k]);
		if (err != 0)
			goto err_region;
	}
	*out = p;
	return 0;

err_region:
	nm_region_destroy(&p->region);
err_free:
	nm_os_free(p);
	return err == -E2BIG ? -ENOMEM : err;
}

static void nm_pipe_free(struct nm_pipe *p)
{
	nm_region_destroy(&p->region);
	nm_os_free(p);
}

/* [reg->lock] */
static struct nm_pipe *nm_pipe_find_locked(struct nm_registry *reg,
					   const char *key)
{
	struct nm_pipe *p;

	for (p = reg->pipes; p != NULL; p = p->next)
		if (nm_pipe_key_eq(p->key, key))
			return p;
	return NULL;
}

/* [reg->lock] open end `side` of the pipe `key`, installing fresh if absent. */
static int nm_pipe_open_locked(struct nm_registry *reg, const char *key,
			       uint32_t side, struct nm_pipe **fresh,
			       struct nm_pipe_end **out)
{
	struct nm_pipe *p = nm_pipe_find_locked(reg, key);

	if (p == NULL) {
		if (*fresh == NULL)
			return -EAGAIN;
		if (reg->num_pipes >= NM_PIPE_MAX)
			return -ENOMEM;
		p = *fresh;
		*fresh = NULL;
		p->reg = reg;
		p->next = reg->pipes;
		reg->pipes = p;
		reg->num_pipes++;
	}
	if (p->end[side].open)
		return -EBUSY;
	p->end[side].open = true;
	*out = &p->end[side];
	return 0;
}

int nm_pipe_open(struct nm_registry *reg, const char *name,
		 struct nm_port_geom *g, struct nm_pipe_end **out)
{
	size_t split = nm_pipe_name_split(name);
	char key[NETMAP_REQ_IFNAMSIZ];
	struct nm_pipe *fresh = NULL;
	struct nm_pipe_end *e = NULL;
	uint32_t side;
	int err;

	if (split == 0)
		return -EINVAL;
	side = name[split] == '{' ? 0 : 1;
	nm_strlcpy(key, name, sizeof(key));
	key[split] = '{';
	err = nm_port_geom_normalize(g);
	if (err != 0)
		return err;
	for (;;) {
		nm_os_lock_acquire(&reg->lock);
		err = nm_pipe_open_locked(reg, key, side, &fresh, &e);
		nm_os_lock_release(&reg->lock);
		if (err != -EAGAIN)
			break;
		err = nm_pipe_alloc(name, side, g, &fresh);
		if (err != 0)
			break;
	}
	if (fresh != NULL)
		nm_pipe_free(fresh);
	if (err != 0)
		return err;
	nm_port_geom_get(&e->up, g);
	*out = e;
	return 0;
}

void nm_pipe_close(struct nm_pipe_end *e)
{
	struct nm_pipe *p = e->pipe;
	struct nm_registry *reg = p->reg;
	struct nm_pipe **pp;
	uint32_t d, i;
	bool dead;

	/* Nobody waits on this end any more; after the synchronize the peer
	 * no longer uses the old notifiers. */
	for (d = NR_TX; d <= NR_RX; d++)
		for (i = 0; i < NM_PORT_MAX_RINGS; i++)
			nm_os_ptr_publish((void **)&e->up.notifier[d][i], NULL);
	nm_os_ptr_publish((void **)&e->up.notifier_all, NULL);
	nm_os_read_synchronize();

	nm_os_lock_acquire(&reg->lock);
	NM_ASSERT(e->open);
	e->open = false;
	dead = !p->end[0].open && !p->end[1].open;
	if (dead) {
		for (pp = &reg->pipes; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == p) {
				*pp = p->next;
				break;
			}
		}
		reg->num_pipes--;
	}
	nm_os_lock_release(&reg->lock);
	if (dead)
		nm_pipe_free(p);
}
