/*
 * vale_switch.c - VALE switches in a registry: names, switches, ports,
 * attach/detach.
 *
 * Owns: creation and destruction of switches and ports and their
 * publication to forwarding passes.  A port is built completely (region,
 * krings, scratch, lease arrays) before nm_os_ptr_publish() makes it
 * visible in sw->ports[]; detaching unpublishes it under reg->lock, then
 * nm_os_read_synchronize() waits out every forwarding pass that might still
 * copy into it, and only then is it freed.  A switch lives while it has
 * ports or vale_switch_open() holders.
 *
 * Locking: reg->lock is a short spinlock in the kernel: allocation and
 * synchronize happen outside it, and a create re-checks under the lock (a
 * racing open of the same name wins, the loser frees its copy).
 */
#include "vale.h"
#include "vale_lease.h"
#include "vale_offload.h"

/* ---- Names. */

static bool vale_is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

bool vale_name_is_vale(const char *name)
{
	return nm_strnlen(name, 4) == 4 && name[0] == 'v' && name[1] == 'a' &&
	       name[2] == 'l' && name[3] == 'e';
}

/* Length of the switch part ("valeX") of a valid name, or 0. */
static size_t vale_name_switch_len(const char *name)
{
	size_t len = nm_strnlen(name, NETMAP_REQ_IFNAMSIZ), i, colon = 0;

	if (len == 0 || len >= NETMAP_REQ_IFNAMSIZ || !vale_name_is_vale(name))
		return 0;
	for (i = 4; i < len && name[i] != ':'; i++)
		if (!vale_is_ident(name[i]))
			return 0;
	if (i == len || i >= VALE_SWITCH_NAME_MAX)
		return 0; /* no ':' or the switch name is too long */
	colon = i;
	if (colon + 1 == len)
		return 0; /* empty port name */
	/* A final '^' names the host stack's port of an interface attached
	 * with its host rings ("vale0:eth0^"), as the reference does. */
	if (name[len - 1] == '^' && len - 1 > colon + 1)
		len--;
	for (i = colon + 1; i < len; i++)
		if (!vale_is_ident(name[i]) && name[i] != '.' && name[i] != '-')
			return 0;
	return colon;
}

bool vale_name_is_valid(const char *name)
{
	return vale_name_switch_len(name) != 0;
}

/* Is s[0..len) exactly the NUL-terminated t? */
static bool vale_streq_n(const char *s, size_t len, const char *t)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (t[i] != s[i] || t[i] == '\0')
			return false;
	return t[len] == '\0';
}

static bool vale_streq(const char *a, const char *b)
{
	return vale_streq_n(a, nm_strnlen(a, NETMAP_REQ_IFNAMSIZ), b);
}

/* [reg->lock] the switch named name[0..len), or NULL. */
static struct vale_switch *vale_switch_find_locked(struct nm_registry *reg,
						   const char *name, size_t len)
{
	uint32_t i;

	for (i = 0; i < VALE_MAX_SWITCHES; i++)
		if (reg->sw[i] != NULL && vale_streq_n(name, len, reg->sw[i]->name))
			return reg->sw[i];
	return NULL;
}

static struct vale_switch *vale_switch_alloc(const char *name, size_t len)
{
	struct vale_switch *sw = nm_os_zalloc(sizeof(*sw));

	if (sw == NULL)
		return NULL;
	nm_os_memcpy(sw->name, name, len);
	sw->name[len] = '\0';
	vale_bridge_init(&sw->bridge);
	sw->default_lookup.fn = vale_bridge_lookup;
	sw->default_lookup.priv = &sw->bridge;
	sw->lookup = &sw->default_lookup;
	return sw;
}

/* [reg->lock] install sw in a free registry slot: 0 or -ENOMEM. */
static int vale_switch_install_locked(struct nm_registry *reg,
				      struct vale_switch *sw)
{
	uint32_t i;

	for (i = 0; i < VALE_MAX_SWITCHES; i++) {
		if (reg->sw[i] == NULL) {
			sw->reg = reg;
			sw->slot = i;
			reg->sw[i] = sw;
			return 0;
		}
	}
	return -ENOMEM; /* as the reference when no bridge is free */
}

/* [reg->lock] remove sw if nothing holds it; true if the caller must free it. */
static bool vale_switch_release_locked(struct vale_switch *sw)
{
	if (sw->num_ports != 0 || sw->users != 0)
		return false;
	sw->reg->sw[sw->slot] = NULL;
	return true;
}

int vale_switch_open(struct nm_registry *reg, const char *name,
		     struct vale_switch **out)
{
	size_t len = nm_strnlen(name, VALE_SWITCH_NAME_MAX), i;
	struct vale_switch *sw, *fresh;
	int err = 0;

	if (len >= VALE_SWITCH_NAME_MAX || !vale_name_is_vale(name))
		return -EINVAL;
	for (i = 4; i < len; i++)
		if (!vale_is_ident(name[i]))
			return -EINVAL;
	fresh = vale_switch_alloc(name, len);
	if (fresh == NULL)
		return -ENOMEM;
	nm_os_lock_acquire(&reg->lock);
	sw = vale_switch_find_locked(reg, name, len);
	if (sw == NULL) {
		err = vale_switch_install_locked(reg, fresh);
		if (err == 0) {
			sw = fresh;
			fresh = NULL;
		}
	}
	if (sw != NULL)
		sw->users++;
	nm_os_lock_release(&reg->lock);
	nm_os_free(fresh);
	*out = sw;
	return err;
}

void vale_switch_close(struct vale_switch *sw)
{
	struct nm_registry *reg = sw->reg;
	bool dead;

	nm_os_lock_acquire(&reg->lock);
	NM_ASSERT(sw->users > 0);
	sw->users--;
	dead = vale_switch_release_locked(sw);
	nm_os_lock_release(&reg->lock);
	if (dead) {
		nm_os_read_synchronize();
		nm_os_free(sw);
	}
}

void vale_switch_set_lookup(struct vale_switch *sw, struct vale_lookup *l)
{
	if (l == NULL) {
		vale_bridge_init(&sw->bridge);
		l = &sw->default_lookup;
	}
	nm_os_ptr_publish((void **)&sw->lookup, l);
	/* Passes that read the old lookup end before we return. */
	nm_os_read_synchronize();
}

/* ---- Ports. */

static void vale_port_close_op(struct nm_port *p)
{
	vale_port_close((struct vale_port *)p); /* up is the first member */
}

static const struct nm_port_ops vale_port_ops = {
	.close = vale_port_close_op,
};

static void vale_port_free(struct vale_port *p)
{
	uint32_t i;

	if (p->tx != NULL) {
		for (i = 0; i < p->up.num_rings[NR_TX]; i++)
			vale_fwd_scratch_free(p->tx[i].ft);
		nm_os_free(p->tx);
	}
	if (p->rx != NULL) {
		for (i = 0; i < p->up.num_rings[NR_RX]; i++) {
			if (p->rx[i].ls.ends != NULL) {
				nm_os_free(p->rx[i].ls.ends);
				nm_os_lock_fini(&p->rx[i].lock);
			}
		}
		nm_os_free(p->rx);
	}
	nm_region_destroy(&p->region);
	nm_os_free(p);
}

static int vale_port_init_rings(struct vale_port *p)
{
	uint32_t i, *ends;
	int err;

	for (i = 0; i < p->up.num_rings[NR_TX]; i++) {
		struct vale_tx_ring *t = &p->tx[i];

		t->port = p;
		t->ring = i;
		t->ft = vale_fwd_scratch_alloc();
		if (t->ft == NULL)
			return -ENOMEM;
		err = nm_kring_init(&t->kr, NM_KRING_TX, p->up.num_slots[NR_TX],
				    nm_region_ring(&p->region, 0, NR_TX, i),
				    vale_txsync, t, p->up.name);
		if (err != 0)
			return err;
		p->up.kring[NR_TX][i] = &t->kr;
	}
	for (i = 0; i < p->up.num_rings[NR_RX]; i++) {
		struct vale_rx_ring *r = &p->rx[i];
		uint32_t n = p->up.num_slots[NR_RX];

		r->port = p;
		r->ring = i;
		ends = nm_os_zalloc(sizeof(uint32_t) * n);
		if (ends == NULL)
			return -ENOMEM;
		err = nm_os_lock_init(&r->lock);
		if (err != 0) {
			nm_os_free(ends);
			return err;
		}
		vale_lease_init(&r->ls, n, ends);
		err = nm_kring_init(&r->kr, NM_KRING_RX, n,
				    nm_region_ring(&p->region, 0, NR_RX, i),
				    vale_rxsync, r, p->up.name);
		if (err != 0)
			return err;
		p->up.kring[NR_RX][i] = &r->kr;
	}
	return 0;
}

static int vale_port_alloc(const char *name, const struct nm_port_geom *g,
			   uint32_t extra_bufs, struct vale_port **out)
{
	struct nm_region_geom rg;
	struct vale_port *p;
	int err;

	p = nm_os_zalloc(sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->users = 1;
	p->up.kind = NM_PORT_VALE;
	p->up.ops = &vale_port_ops;
	nm_strlcpy(p->up.name, name, sizeof(p->up.name));
	p->up.region = &p->region;
	p->up.num_rings[NR_TX] = g->tx_rings;
	p->up.num_rings[NR_RX] = g->rx_rings;
	p->up.num_slots[NR_TX] = g->tx_slots;
	p->up.num_slots[NR_RX] = g->rx_slots;

	nm_os_memset(&rg, 0, sizeof(rg));
	rg.num_ifs = 1;
	rg.ifs[0].tx_rings = g->tx_rings;
	rg.ifs[0].rx_rings = g->rx_rings;
	rg.ifs[0].tx_slots = g->tx_slots;
	rg.ifs[0].rx_slots = g->rx_slots;
	rg.buf_size = g->buf_size;
	rg.extra_bufs = extra_bufs; /* zero-copy monitors' (nm_port.h) */
	err = nm_region_create(&p->region, &rg, name);
	if (err != 0)
		goto err_free;
	err = -ENOMEM;
	p->tx = nm_os_zalloc(sizeof(*p->tx) * g->tx_rings);
	p->rx = nm_os_zalloc(sizeof(*p->rx) * g->rx_rings);
	if (p->tx == NULL || p->rx == NULL)
		goto err_free;
	err = vale_port_init_rings(p);
	if (err != 0)
		goto err_free;
	*out = p;
	return 0;

err_free:
	vale_port_free(p);
	return err == -E2BIG ? -ENOMEM : err;
}

/* [reg->lock] the port named name on sw, or NULL. */
static struct vale_port *vale_port_find_locked(struct vale_switch *sw,
					       const char *name)
{
	uint32_t i;

	for (i = 0; i < VALE_MAX_PORTS; i++)
		if (sw->ports[i] != NULL && vale_streq(name, sw->ports[i]->up.name))
			return sw->ports[i];
	return NULL;
}

/* [reg->lock] take an existing port or attach fresh; see vale_port_open. */
static int vale_port_attach_locked(struct nm_registry *reg, const char *name,
				   size_t swlen, struct vale_switch **fresh_sw,
				   struct vale_port **fresh, struct vale_port **out)
{
	struct vale_switch *sw = vale_switch_find_locked(reg, name, swlen);
	struct vale_port *p;
	uint32_t i;
	int err;

	if (sw != NULL && (p = vale_port_find_locked(sw, name)) != NULL) {
		p->users++;
		*out = p;
		return 0;
	}
	if (*fresh == NULL)
		return -EAGAIN; /* caller allocates outside the lock */
	if (sw == NULL) {
		if (*fresh_sw == NULL)
			return -EAGAIN;
		err = vale_switch_install_locked(reg, *fresh_sw);
		if (err != 0)
			return err;
		sw = *fresh_sw;
		*fresh_sw = NULL;
	}
	for (i = 0; i < VALE_MAX_PORTS && sw->ports[i] != NULL; i++)
		;
	if (i == VALE_MAX_PORTS)
		return -ENOMEM; /* switch full, as the reference */
	p = *fresh;
	*fresh = NULL;
	p->sw = sw;
	p->index = i;
	sw->num_ports++;
	/* Everything in p is initialised before forwarding passes can see it;
	 * the release in nm_os_ptr_publish orders those stores first. */
	nm_os_ptr_publish((void **)&sw->ports[i], p);
	*out = p;
	return 0;
}

int vale_port_open(struct nm_registry *reg, const char *name,
		   struct nm_port_geom *g, struct vale_port **out)
{
	return vale_port_open_spare(reg, name, g, 0, out);
}

int vale_port_open_spare(struct nm_registry *reg, const char *name,
			 struct nm_port_geom *g, uint32_t extra_bufs,
			 struct vale_port **out)
{
	struct vale_switch *fresh_sw = NULL;
	struct vale_port *fresh = NULL, *p = NULL;
	size_t swlen = vale_name_switch_len(name);
	int err;

	if (swlen == 0)
		return -EINVAL;
	err = nm_port_geom_normalize(g);
	if (err != 0)
		return err;
	for (;;) {
		nm_os_lock_acquire(&reg->lock);
		err = vale_port_attach_locked(reg, name, swlen, &fresh_sw,
					      &fresh, &p);
		nm_os_lock_release(&reg->lock);
		if (err != -EAGAIN)
			break;
		/* Allocate outside the lock (it may sleep), then retry. */
		if (fresh == NULL) {
			err = vale_port_alloc(name, g, extra_bufs, &fresh);
			if (err != 0)
				break;
		} else {
			fresh_sw = vale_switch_alloc(name, swlen);
			if (fresh_sw == NULL) {
				err = -ENOMEM;
				break;
			}
		}
	}
	if (fresh != NULL)
		vale_port_free(fresh);
	nm_os_free(fresh_sw);
	if (err != 0)
		return err;
	nm_port_geom_get(&p->up, g);
	*out = p;
	return 0;
}

void vale_port_close(struct vale_port *p)
{
	struct vale_switch *sw = p->sw;
	struct nm_registry *reg = sw->reg;
	bool last, sw_dead = false;

	nm_os_lock_acquire(&reg->lock);
	NM_ASSERT(p->users > 0);
	last = --p->users == 0;
	if (last) {
		nm_os_ptr_publish((void **)&sw->ports[p->index], NULL);
		sw->num_ports--;
		sw_dead = vale_switch_release_locked(sw);
	}
	nm_os_lock_release(&reg->lock);
	if (!last)
		return;
	/* Addresses learnt on p are flooded again rather than sent to a
	 * number a later port may reuse (the table is unused, and clearing
	 * it harmless, when another lookup is installed). */
	if (!sw_dead)
		vale_bridge_forget_port(&sw->bridge, p->index);
	/* Every pass that might still copy into p (or use sw) ends first. */
	nm_os_read_synchronize();
	vale_port_free(p);
	if (sw_dead)
		nm_os_free(sw);
}

/* [reg->lock] the port called name, or NULL (also for a name that is not
 * a VALE port's); its switch in *swp when swp is not NULL. */
static struct vale_port *vale_port_lookup_locked(struct nm_registry *reg,
						 const char *name,
						 struct vale_switch **swp)
{
	size_t swlen = vale_name_switch_len(name);
	struct vale_switch *sw = swlen != 0 ? vale_switch_find_locked(reg, name, swlen) : NULL;

	if (swp != NULL)
		*swp = sw;
	return sw != NULL ? vale_port_find_locked(sw, name) : NULL;
}

int vale_port_get(struct nm_registry *reg, const char *name,
		  struct vale_port **out)
{
	struct vale_port *p;

	if (vale_name_switch_len(name) == 0)
		return -EINVAL;
	nm_os_lock_acquire(&reg->lock);
	p = vale_port_lookup_locked(reg, name, NULL);
	if (p != NULL)
		p->users++;
	nm_os_lock_release(&reg->lock);
	if (p == NULL)
		return -ENXIO;
	*out = p;
	return 0;
}

int vale_port_find(struct nm_registry *reg, const char *name,
		   uint32_t *sw_idx, uint32_t *port_idx)
{
	struct vale_switch *sw;
	struct vale_port *p;

	if (vale_name_switch_len(name) == 0)
		return -EINVAL;
	nm_os_lock_acquire(&reg->lock);
	p = vale_port_lookup_locked(reg, name, &sw);
	if (p != NULL) {
		*sw_idx = sw->slot;
		*port_idx = p->index;
	}
	nm_os_lock_release(&reg->lock);
	return p != NULL ? 0 : -ENXIO;
}

int vale_port_list_next(struct nm_registry *reg, uint32_t *sw_idx,
			uint32_t *port_idx, char *name, size_t size)
{
	uint32_t s, i;
	int err = -ENOENT;

	nm_os_lock_acquire(&reg->lock);
	for (s = *sw_idx; s < VALE_MAX_SWITCHES && err != 0; s++) {
		struct vale_switch *sw = reg->sw[s];

		if (sw == NULL)
			continue;
		for (i = s == *sw_idx ? *port_idx : 0; i < VALE_MAX_PORTS; i++) {
			if (sw->ports[i] != NULL) {
				nm_strlcpy(name, sw->ports[i]->up.name, size);
				*sw_idx = s;
				*port_idx = i;
				err = 0;
				break;
			}
		}
	}
	nm_os_lock_release(&reg->lock);
	return err;
}

uint64_t vale_port_drops(const struct vale_port *p, enum vale_drop_reason r)
{
	if ((uint32_t)r >= VALE_DROP_NREASONS)
		return 0;
	return nm_os_counter_read(&p->stats.drops[r]);
}

int vale_port_set_vnet_hdr(struct nm_registry *reg, const char *name,
			   uint32_t len)
{
	struct vale_port *p;

	/* The length is judged first, then the port, as the reference. */
	if (!vale_vnet_hdr_len_valid(len))
		return -EINVAL;
	nm_os_lock_acquire(&reg->lock);
	p = vale_port_lookup_locked(reg, name, NULL);
	if (p != NULL)
		p->vnet_hdr_len = len; /* one untorn store; see vale.h */
	nm_os_lock_release(&reg->lock);
	return p != NULL ? 0 : -ENXIO;
}

int vale_port_get_vnet_hdr(struct nm_registry *reg, const char *name,
			   uint32_t *len)
{
	struct vale_port *p;

	nm_os_lock_acquire(&reg->lock);
	p = vale_port_lookup_locked(reg, name, NULL);
	if (p != NULL)
		*len = vale_port_vnet_hdr(p);
	nm_os_lock_release(&reg->lock);
	return p != NULL ? 0 : -ENXIO;
}

uint64_t vale_port_rx_seg_extra(const struct vale_port *p)
{
	return nm_os_counter_read(&p->stats.rx_seg_extra);
}

uint64_t vale_port_rx_csum_bytes(const struct vale_port *p)
{
	return nm_os_counter_read(&p->stats.rx_csum_bytes);
}

uint64_t vale_port_rx_pads(const struct vale_port *p)
{
	return nm_os_counter_read(&p->stats.rx_pad_slots);
}

uint64_t vale_port_drops_total(const struct vale_port *p)
{
	uint64_t sum = 0;
	uint32_t r;

	for (r = 0; r < VALE_DROP_NREASONS; r++)
		sum += nm_os_counter_read(&p->stats.drops[r]);
	return sum;
}
