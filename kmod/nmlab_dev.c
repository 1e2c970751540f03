/*
 * nmlab_dev.c - the /dev/netmap misc device: netmap API 14 over the core.
 *
 * Owns: open/release of a file, NIOCCTRL (decoded by core/nm_ctrl.c, then
 * dispatched here: REGISTER, PORT_INFO_GET, VALE_LIST, POOLS_INFO_GET,
 * PORT_HDR_SET/GET, CSB_ENABLE, SYNC_KLOOP_START/STOP, and
 * VALE_ATTACH/DETACH/NEWIF/DELIF/POLLING_* to nmlab_vale.c; legacy
 * NIOCREGIF/NIOCGINFO run the same),
 * NIOCTXSYNC/NIOCRXSYNC (nm_kring_sync on the bound rings), poll, and
 * mmap of the bound port's region (remap_vmalloc_range, bounds checked).
 * Ports are the core's software ports (nm_port_open: VALE "valeX:Y" and
 * pipes "X{Y" / "X}Y") in one registry for the module, or else network
 * interfaces by name (nmlab_nic.c, the generic adapter).
 *
 * Invariants: user memory is read only through nm_ctrl (once per request)
 * or the kring syncs (once per index); a file's binding never changes
 * after it is published; a port record lives while a file is bound to it.
 *
 * Locking: nmlab_lock for every control operation (never held by the data
 * path); the data path is serialised per ring by the kring gate.
 */
#include "nmlab_dev.h"
#include "nmlab_nic.h"
#include "nmlab_vale.h"
#include "nm_ctrl.h"
#include "nm_legacy.h"
#include "vale.h"

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

DEFINE_MUTEX(nmlab_lock);
static LIST_HEAD(nmlab_ports);
struct nm_registry nmlab_reg; /* nmlab_vale.c attaches into it */
/* Ids of the regions files are bound to (core/nm_memid.c). */
static struct nm_memid_table nmlab_mems;

/* ---- Port records. */

/* The id reported for region rg: its own if a file holds it (a pipe's
 * region is held by either end), else a fresh one, as the reference
 * gives each new private allocator (the region lives for the request). */
static uint16_t nmlab_region_id(const struct nm_region *rg)
{
	struct nm_memid *m = nm_memid_of(&nmlab_mems, rg);

	return m != NULL ? m->id : nm_memid_fresh(&nmlab_mems);
}

int nmlab_memid_check_new(uint16_t id)
{
	if (id == 0)
		return 0;
	return nm_memid_find(&nmlab_mems, id) == NULL ? -EINVAL : -ENOMEM;
}

/* The record of a port some file is bound to, or NULL. */
static struct nmlab_port *nmlab_port_find(const struct nm_port *port)
{
	struct nmlab_port *np;

	list_for_each_entry(np, &nmlab_ports, link)
		if (np->port == port)
			return np;
	return NULL;
}

static struct nmlab_port *nmlab_port_get(struct nm_port *port)
{
	struct nmlab_port *np = nmlab_port_find(port);

	if (np != NULL) {
		np->files++;
		return np;
	}
	np = kzalloc(sizeof(*np), GFP_KERNEL);
	if (np == NULL)
		return NULL;
	np->port = port;
	np->files = 1;
	if (nm_memid_get(&nmlab_mems, port->region, &np->mem) != 0) {
		kfree(np);
		return NULL;
	}
	init_waitqueue_head(&np->wq);
	np->notifier.wq = &np->wq;
	atomic64_set(&np->notifier.count, 0);
	if (nm_port_set_notifier(port, NR_TX, NM_PORT_ALL_RINGS,
				 &np->notifier) != 0) {
		nm_memid_put(&nmlab_mems, np->mem);
		kfree(np);
		return NULL;
	}
	list_add(&np->link, &nmlab_ports);
	return np;
}

static void nmlab_port_put(struct nmlab_port *np)
{
	if (--np->files > 0)
		return;
	/* Returns once no notification can still use np->notifier. */
	nm_port_set_notifier(np->port, NR_TX, NM_PORT_ALL_RINGS, NULL);
	list_del(&np->link);
	if (np->kept)
		nm_port_close(np->port); /* after the notifier is gone */
	nm_memid_put(&nmlab_mems, np->mem);
	kfree(np);
}

/* A record of a port living in region m (any, for a pipe's region). */
static struct nmlab_port *nmlab_port_of_mem(const struct nm_memid *m)
{
	struct nmlab_port *np;

	list_for_each_entry(np, &nmlab_ports, link)
		if (np->mem == m)
			return np;
	return NULL;
}

/* A software port by name (nm_port_open), else a network interface
 * (nmlab_nic.c), put in netmap mode with attach. */
static int nmlab_port_open(const char *name, uint64_t flags,
			   uint32_t extra_bufs, struct nm_port_geom *g,
			   bool attach, struct nm_port **out)
{
	/* NR_MONITOR_TX / NR_MONITOR_RX: a copy monitor of the named port
	 * (core/nm_monitor.c; "name/t" does the same); NR_ZCOPY_MON ("/z"):
	 * a zero-copy one (core/nm_monitor_zc.c), laid in the spare buffers
	 * the port was created with (extra_bufs, the request's nr_extra_bufs;
	 * docs/monitors.md).  Monitors watch ports of the registry: an
	 * interface is never opened in their place. */
	int err = nm_port_open_spare(&nmlab_reg, name, flags, extra_bufs, g,
				     out);

	if (err == -ENXIO && !(flags & (NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON)))
		err = nmlab_nic_open(name, g,
				     attach ? NMLAB_NIC_APP : NMLAB_NIC_INFO,
				     out);
	return err;
}

/* ---- Binding (REGISTER). */

/* Ring selection, the reference's netmap_interp_ringid.  The host rings
 * are the last num_host_rings[d] krings of each direction. */
static int nmlab_select_rings(struct nmlab_priv *priv, struct nm_port *port,
			      const struct nmreq_register *reg)
{
	uint32_t d, n, nic[2], host[2];

	for (d = NR_TX; d <= NR_RX; d++) {
		host[d] = port->num_host_rings[d];
		nic[d] = port->num_rings[d] - host[d];
	}
	switch (reg->nr_mode) {
	case NR_REG_DEFAULT:
	case NR_REG_ALL_NIC:
		for (d = NR_TX; d <= NR_RX; d++) {
			priv->first[d] = 0;
			priv->last[d] = nic[d];
		}
		break;
	case NR_REG_ONE_NIC:
		if (reg->nr_ringid >= nic[NR_TX] && reg->nr_ringid >= nic[NR_RX])
			return -EINVAL;
		for (d = NR_TX; d <= NR_RX; d++) {
			n = reg->nr_ringid < nic[d] ? reg->nr_ringid : 0;
			priv->first[d] = n;
			priv->last[d] = n + 1;
		}
		break;
	case NR_REG_SW:
	case NR_REG_NIC_SW:
	case NR_REG_ONE_SW:
		if (host[NR_TX] == 0 || host[NR_RX] == 0)
			return -EINVAL; /* software ports have no host rings */
		if (reg->nr_mode == NR_REG_ONE_SW &&
		    reg->nr_ringid >= host[NR_TX] && reg->nr_ringid >= host[NR_RX])
			return -EINVAL;
		for (d = NR_TX; d <= NR_RX; d++) {
			n = reg->nr_mode == NR_REG_ONE_SW &&
					    reg->nr_ringid < host[d] ?
				    reg->nr_ringid :
				    0;
			priv->first[d] = reg->nr_mode == NR_REG_NIC_SW ? 0
								       : nic[d] + n;
			priv->last[d] = reg->nr_mode == NR_REG_ONE_SW ?
						nic[d] + n + 1 :
						nic[d] + host[d];
		}
		break;
	default:
		return -EINVAL; /* PIPE_MASTER/SLAVE (deprecated) and unknown */
	}
	if (reg->nr_flags & NR_TX_RINGS_ONLY)
		priv->last[NR_RX] = priv->first[NR_RX];
	if (reg->nr_flags & NR_RX_RINGS_ONLY)
		priv->last[NR_TX] = priv->first[NR_TX];
	return 0;
}

/* Take (or, with undo, give back) the selected rings of np. */
static int nmlab_claim_rings(struct nmlab_priv *priv, struct nmlab_port *np,
			     bool undo)
{
	uint32_t d, i;

	for (d = NR_TX; d <= NR_RX && !undo; d++)
		for (i = priv->first[d]; i < priv->last[d]; i++)
			if (np->excl[d][i] ||
			    (priv->exclusive && np->users[d][i] > 0))
				return -EBUSY;
	for (d = NR_TX; d <= NR_RX; d++) {
		for (i = priv->first[d]; i < priv->last[d]; i++) {
			if (undo) {
				np->users[d][i]--;
				if (priv->exclusive)
					np->excl[d][i] = false;
			} else {
				np->users[d][i]++;
				if (priv->exclusive)
					np->excl[d][i] = true;
			}
		}
	}
	return 0;
}

static void nmlab_unbind(struct nmlab_priv *priv)
{
	struct nmlab_port *np = priv->np;
	struct nm_port *port = priv->port;
	bool keep = false;

	if (port == NULL)
		return;
	if (priv->null_mode) {
		np->nulls--;
	} else {
		nmlab_csb_disable(priv);
		nmlab_claim_rings(priv, np, true);
		/* The last open of the port while null files still map its
		 * region: the record keeps it (closed by nmlab_port_put()). */
		keep = !np->kept && np->nulls > 0 &&
		       np->files - np->nulls == 1;
		if (keep)
			np->kept = true;
	}
	nmlab_port_put(np);
	if (!priv->null_mode && !keep)
		nm_port_close(port);
	priv->np = NULL;
	priv->port = NULL;
	priv->null_mode = false;
}

/* REGISTER with NR_REG_NULL: the file maps the region named by nr_mem_id
 * (nm_memid_register_check() has found it) and binds no ring.  It holds a
 * port record of that region, so the region outlives the files that made
 * it while this one is bound (the reference's null port holds its
 * allocator the same way). */
static int nmlab_register_null(struct nmlab_priv *priv, struct nm_ctrl_req *r,
			       struct nm_ctrl_opt *csb)
{
	struct nmreq_register *reg = nm_ctrl_body(r);
	struct nmlab_port *np;
	struct nm_memid *m;

	if (csb != NULL)
		return nm_ctrl_opt_fail(csb, -EINVAL); /* no ring to sync */
	m = nm_memid_find(&nmlab_mems, reg->nr_mem_id);
	np = m != NULL ? nmlab_port_of_mem(m) : NULL;
	if (!NM_ASSERT(np != NULL)) /* ids live only with their records */
		return -EINVAL;
	np->files++;
	np->nulls++;
	priv->np = np;
	priv->null_mode = true;
	priv->exclusive = false;
	priv->nr_flags = reg->nr_flags;
	priv->nrings = 0;
	priv->first[NR_TX] = priv->last[NR_TX] = 0;
	priv->first[NR_RX] = priv->last[NR_RX] = 0;
	/* The region and the netmap_if of a port in it; no ring is ours. */
	reg->nr_offset = nm_port_nifp_offset(np->port);
	reg->nr_memsize = np->port->region->size;
	reg->nr_tx_rings = reg->nr_rx_rings = 0;
	reg->nr_tx_slots = reg->nr_rx_slots = 0;
	reg->nr_host_tx_rings = reg->nr_host_rx_rings = 0;
	reg->nr_extra_bufs = 0;
	reg->nr_mem_id = np->mem->id;
	/* The data path may look now (it finds no ring). */
	smp_store_release(&priv->port, np->port);
	return 0;
}

static int nmlab_register(struct nmlab_priv *priv, struct nm_ctrl_req *r)
{
	struct nmreq_register *reg = nm_ctrl_body(r);
	struct nm_ctrl_opt *csb = nm_ctrl_opt_take(r, NETMAP_REQ_OPT_CSB);
	struct nm_port_geom g;
	struct nmlab_port *np;
	struct nm_port *port;
	uint32_t d, i;
	int err;

	if (priv->port != NULL)
		return -EBUSY;
	/* Options we do not use fail the request before anything happens. */
	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	/* nr_mem_id names a live region (EINVAL otherwise, as the
	 * reference); a null port needs one. */
	err = nm_memid_register_check(&nmlab_mems, reg->nr_mode,
				      reg->nr_mem_id, NULL, true);
	if (err != 0)
		return err;
	if (reg->nr_mode == NR_REG_NULL)
		return nmlab_register_null(priv, r, csb);
	if (csb != NULL && !(reg->nr_flags & NR_EXCLUSIVE))
		return nm_ctrl_opt_fail(csb, -EINVAL);

	memset(&g, 0, sizeof(g));
	g.tx_rings = reg->nr_tx_rings;
	g.rx_rings = reg->nr_rx_rings;
	g.tx_slots = reg->nr_tx_slots;
	g.rx_slots = reg->nr_rx_slots;
	err = nmlab_port_open(r->hdr.nr_name, reg->nr_flags, reg->nr_extra_bufs,
			      &g, true, &port);
	if (err != 0)
		return err;
	err = nmlab_vale_owned(port) ? -EBUSY : 0; /* attached to a switch */
	if (err != 0)
		goto fail_close;
	/* A port with a virtio-net header only for applications that say
	 * they expect one (the reference's EIO). */
	if (port->kind == NM_PORT_VALE &&
	    vale_port_vnet_hdr((struct vale_port *)port) != 0 &&
	    !(reg->nr_flags & NR_ACCEPT_VNET_HDR)) {
		err = -EIO;
		goto fail_close;
	}
	err = nmlab_select_rings(priv, port, reg);
	if (err != 0)
		goto fail_close;
	/* A port nobody is bound to must live in the named region (a pipe
	 * end whose peer is bound does); one already bound keeps its own. */
	err = nm_memid_register_check(&nmlab_mems, reg->nr_mode,
				      reg->nr_mem_id, port->region,
				      nmlab_port_find(port) == NULL);
	if (err != 0)
		goto fail_close;
	if (port->kind == NM_PORT_PIPE && reg->nr_mode != NR_REG_DEFAULT &&
	    reg->nr_mode != NR_REG_ALL_NIC && reg->nr_mode != NR_REG_ONE_NIC) {
		err = -EINVAL;
		goto fail_close;
	}
	np = nmlab_port_get(port);
	if (np == NULL) {
		err = -ENOMEM;
		goto fail_close;
	}
	priv->exclusive = (reg->nr_flags & NR_EXCLUSIVE) != 0;
	priv->nr_flags = reg->nr_flags;
	err = nmlab_claim_rings(priv, np, false);
	if (err != 0)
		goto fail_put;
	priv->np = np;
	priv->nrings = 0;
	for (d = NR_TX; d <= NR_RX; d++)
		for (i = priv->first[d]; i < priv->last[d]; i++)
			priv->krings[priv->nrings++] = nm_port_kring(port, d, i);
	if (csb != NULL) {
		/* The option body: csb_atok, csb_ktoa. */
		const uint64_t *c = nm_ctrl_opt_body(r, csb);

		err = nmlab_csb_enable(priv, c[0], c[1]);
		if (err != 0) {
			nm_ctrl_opt_fail(csb, err);
			goto fail_claim;
		}
	}

	reg->nr_offset = nm_port_nifp_offset(port);
	reg->nr_memsize = port->region->size;
	reg->nr_tx_rings = port->num_rings[NR_TX] - port->num_host_rings[NR_TX];
	reg->nr_rx_rings = port->num_rings[NR_RX] - port->num_host_rings[NR_RX];
	reg->nr_tx_slots = port->num_slots[NR_TX];
	reg->nr_rx_slots = port->num_slots[NR_RX];
	reg->nr_host_tx_rings = port->num_host_rings[NR_TX];
	reg->nr_host_rx_rings = port->num_host_rings[NR_RX];
	/* None given to the application (ni_bufs_head stays 0): spare
	 * buffers asked for at creation stay in the port's pool for
	 * zero-copy monitors (docs/kmod.md). */
	reg->nr_extra_bufs = 0;
	reg->nr_mem_id = np->mem->id;
	/* The data path may look now. */
	smp_store_release(&priv->port, port);
	return 0;

fail_claim:
	priv->np = NULL;
	nmlab_claim_rings(priv, np, true);
fail_put:
	nmlab_port_put(np);
fail_close:
	nm_port_close(port);
	return err;
}

/* ---- Information requests. */

static int nmlab_port_info(struct nm_ctrl_req *r)
{
	struct nmreq_port_info_get *pi = nm_ctrl_body(r);
	struct nm_port_geom g;
	struct nm_port *port;
	int err;

	/* nr_mem_id is output only: the id of an unbound port's region
	 * lives for one request, so a program that passes the body back
	 * must not be refused for it. */
	memset(&g, 0, sizeof(g));
	err = nmlab_port_open(r->hdr.nr_name, 0, 0, &g, false, &port);
	if (err != 0)
		return err;
	pi->nr_mem_id = nmlab_region_id(port->region);
	pi->nr_memsize = port->region->size;
	pi->nr_tx_rings = port->num_rings[NR_TX] - port->num_host_rings[NR_TX];
	pi->nr_rx_rings = port->num_rings[NR_RX] - port->num_host_rings[NR_RX];
	pi->nr_tx_slots = port->num_slots[NR_TX];
	pi->nr_rx_slots = port->num_slots[NR_RX];
	pi->nr_host_tx_rings = port->num_host_rings[NR_TX];
	pi->nr_host_rx_rings = port->num_host_rings[NR_RX];
	nm_port_close(port);
	return 0;
}

/* The pools as they lie in the port's region: its netmap_ifs (one per
 * port of the region, each slot 128-byte aligned, up to the first ring),
 * its rings (objsize: the larger of the TX and RX ring slots) and its
 * buffers.  The reference's private allocators round the if objects up to
 * 1024 bytes; ours are packed, and a larger objsize would claim ring bytes. */
static void nmlab_fill_pools(struct nmreq_pools_info *pi,
			     const struct nm_port *port, uint16_t mem_id)
{
	const struct nm_region *rg = port->region;
	const uint8_t *rings = (const uint8_t *)nm_region_ring(rg, 0, NR_TX, 0);
	uint32_t d, n, size, ifs = rg->geom.num_ifs;

	memset(pi, 0, sizeof(*pi));
	pi->nr_memsize = rg->size;
	pi->nr_mem_id = mem_id;
	pi->nr_if_pool_offset = rg->if_ofs[0];
	pi->nr_if_pool_objtotal = ifs;
	pi->nr_ring_pool_offset = (uint64_t)(rings - rg->base);
	/* The if slots are equal in size: the pool divided by their count. */
	pi->nr_if_pool_objsize = (uint32_t)((pi->nr_ring_pool_offset -
					     rg->if_ofs[0]) / ifs);
	for (n = 0; n < ifs; n++) {
		const struct nm_region_if_geom *f = &rg->geom.ifs[n];

		pi->nr_ring_pool_objtotal += f->tx_rings + f->rx_rings;
		for (d = NR_TX; d <= NR_RX; d++) {
			size = (uint32_t)(sizeof(struct netmap_ring) +
					  (size_t)(d == NR_TX ? f->tx_slots
							      : f->rx_slots) *
						  sizeof(struct netmap_slot));
			size = ALIGN(size, 128); /* NM_REGION_ALIGN */
			if (size > pi->nr_ring_pool_objsize)
				pi->nr_ring_pool_objsize = size;
		}
	}
	pi->nr_buf_pool_offset = rg->buf_ofs;
	pi->nr_buf_pool_objtotal = rg->pool.num_bufs;
	pi->nr_buf_pool_objsize = rg->pool.buf_size;
}

/* The pools of the port named in the header, as the reference (which
 * opens the port by name); a bound file may leave the name empty. */
static int nmlab_pools_info(struct nmlab_priv *priv, struct nm_ctrl_req *r)
{
	struct nmreq_pools_info *pi = nm_ctrl_body(r);
	struct nm_port_geom g;
	struct nm_port *port;
	int err;

	if (priv->port != NULL &&
	    (r->hdr.nr_name[0] == '\0' ||
	     strcmp(r->hdr.nr_name, priv->port->name) == 0)) {
		nmlab_fill_pools(pi, priv->port, priv->np->mem->id);
		return 0;
	}
	if (r->hdr.nr_name[0] == '\0')
		return -EINVAL;
	memset(&g, 0, sizeof(g));
	err = nmlab_port_open(r->hdr.nr_name, 0, 0, &g, false, &port);
	if (err != 0)
		return err;
	/* A port nobody is bound to lives for this request only: its
	 * region is new, and so is its id. */
	nmlab_fill_pools(pi, port, nmlab_region_id(port->region));
	nm_port_close(port);
	return 0;
}

/* PORT_HDR_SET / PORT_HDR_GET: the virtio-net header length of the VALE
 * port named in the header (docs/kmod.md). */
static int nmlab_port_hdr(struct nmlab_priv *priv, struct nm_ctrl_req *r)
{
	struct nmreq_port_hdr *ph = nm_ctrl_body(r);

	if (r->hdr.nr_reqtype == NETMAP_REQ_PORT_HDR_SET)
		return nmlab_vale_owned_name(r->hdr.nr_name) ?
			       -EBUSY : /* an attached interface's */
			       vale_port_set_vnet_hdr(&nmlab_reg, r->hdr.nr_name,
						      ph->nr_hdr_len);
	/* A pipe has no header; we answer for the pipe this file is bound
	 * to (the reference for any existing pipe). */
	if (priv->port != NULL && priv->port->kind == NM_PORT_PIPE &&
	    strcmp(r->hdr.nr_name, priv->port->name) == 0) {
		ph->nr_hdr_len = 0;
		return 0;
	}
	return vale_port_get_vnet_hdr(&nmlab_reg, r->hdr.nr_name,
				      &ph->nr_hdr_len);
}

static int nmlab_vale_list(struct nm_ctrl_req *r)
{
	struct nmreq_vale_list *vl = nm_ctrl_body(r);
	uint32_t sw, port;
	int err;

	if (r->hdr.nr_name[0] != '\0') {
		err = vale_port_find(&nmlab_reg, r->hdr.nr_name, &sw, &port);
		if (err != 0)
			return err;
	} else {
		sw = vl->nr_bridge_idx;
		port = vl->nr_port_idx;
		err = vale_port_list_next(&nmlab_reg, &sw, &port, r->hdr.nr_name,
					  sizeof(r->hdr.nr_name));
		if (err != 0)
			return err;
	}
	vl->nr_bridge_idx = (uint16_t)sw;
	vl->nr_port_idx = port;
	/* Ours, in the reference's padding: whether the port is polled. */
	vl->pad1 = nmlab_vale_polled(r->hdr.nr_name) ? NMLAB_VALE_LIST_POLLED : 0;
	return 0;
}

/* ---- CSB and the kloop. */

static int nmlab_csb_enable_req(struct nmlab_priv *priv, struct nm_ctrl_req *r)
{
	struct nm_ctrl_opt *csb = nm_ctrl_opt_take(r, NETMAP_REQ_OPT_CSB);
	const uint64_t *c;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	if (priv->port == NULL)
		return -ENXIO;
	if (csb == NULL)
		return -EINVAL; /* CSB_ENABLE needs NETMAP_REQ_OPT_CSB */
	if (!priv->exclusive)
		return nm_ctrl_opt_fail(csb, -EINVAL);
	c = nm_ctrl_opt_body(r, csb); /* csb_atok, csb_ktoa */
	err = nmlab_csb_enable(priv, c[0], c[1]);
	return err != 0 ? nm_ctrl_opt_fail(csb, err) : 0;
}

/* Runs until the kloop is stopped (STOP, or release): the reference's
 * START returns only then.  A fatal signal ends the wait (the kloop is
 * then stopped by release). */
static int nmlab_kloop_start_req(struct nmlab_priv *priv, struct nm_ctrl_req *r)
{
	struct nmreq_sync_kloop_start *ks = nm_ctrl_body(r);
	struct nm_ctrl_opt *efd =
		nm_ctrl_opt_take(r, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS);
	struct nm_ctrl_opt *mode =
		nm_ctrl_opt_take(r, NETMAP_REQ_OPT_SYNC_KLOOP_MODE);
	uint32_t direct = 0;
	uint64_t gen;
	int err;

	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	if (priv->port == NULL)
		return -ENXIO;
	if (priv->kloop.task != NULL)
		return -EBUSY;
	if (!priv->csb_mode)
		return -EINVAL; /* needs NETMAP_REQ_OPT_CSB first */
	if (mode != NULL)
		direct = *(const uint32_t *)nm_ctrl_opt_body(r, mode);
	err = nmlab_kloop_start(priv, ks->sleep_us,
				efd != NULL ? nm_ctrl_opt_body(r, efd) : NULL,
				efd != NULL ? efd->body_len : 0, efd != NULL,
				direct, &gen);
	if (err != 0) {
		if (err == -EINVAL && mode != NULL && direct != 0)
			nm_ctrl_opt_fail(mode, err);
		else if (efd != NULL && err != -EINVAL)
			nm_ctrl_opt_fail(efd, err);
		return err;
	}
	mutex_unlock(&nmlab_lock);
	err = wait_event_killable(priv->kloop.stopped,
				  READ_ONCE(priv->kloop.gen) != gen);
	mutex_lock(&nmlab_lock);
	return err != 0 ? -EINTR : 0;
}

/* ---- NIOCCTRL. */

/* Run the decoded request r (from NIOCCTRL or a legacy ioctl); called
 * with nmlab_lock held. */
static int nmlab_ctrl_run(struct nmlab_priv *priv, struct nm_ctrl_req *r)
{
	int err;

	/* Requests that take options judge them themselves. */
	switch (r->hdr.nr_reqtype) {
	case NETMAP_REQ_REGISTER:
		return nmlab_register(priv, r);
	case NETMAP_REQ_CSB_ENABLE:
		return nmlab_csb_enable_req(priv, r);
	case NETMAP_REQ_SYNC_KLOOP_START:
		return nmlab_kloop_start_req(priv, r);
	case NETMAP_REQ_VALE_ATTACH:
		return nmlab_vale_attach(r);
	case NETMAP_REQ_VALE_DETACH:
		return nmlab_vale_detach(r);
	case NETMAP_REQ_VALE_NEWIF:
		return nmlab_vale_newif(r);
	case NETMAP_REQ_VALE_DELIF:
		return nmlab_vale_delif(r);
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE:
		return nmlab_vale_polling(r, r->hdr.nr_reqtype ==
						     NETMAP_REQ_VALE_POLLING_ENABLE);
	case NETMAP_REQ_PORT_INFO_GET:
	case NETMAP_REQ_POOLS_INFO_GET:
	case NETMAP_REQ_VALE_LIST:
	case NETMAP_REQ_PORT_HDR_SET:
	case NETMAP_REQ_PORT_HDR_GET:
	case NETMAP_REQ_SYNC_KLOOP_STOP:
		break;
	default:
		return -EOPNOTSUPP; /* nm_ctrl_decode() knows no other */
	}
	/* The others take none: any option fails them first. */
	err = nm_ctrl_options_check(r);
	if (err != 0)
		return err;
	switch (r->hdr.nr_reqtype) {
	case NETMAP_REQ_PORT_INFO_GET:
		return nmlab_port_info(r);
	case NETMAP_REQ_POOLS_INFO_GET:
		return nmlab_pools_info(priv, r);
	case NETMAP_REQ_VALE_LIST:
		return nmlab_vale_list(r);
	case NETMAP_REQ_SYNC_KLOOP_STOP:
		return nmlab_kloop_stop_req(priv);
	default: /* PORT_HDR_SET, PORT_HDR_GET */
		return nmlab_port_hdr(priv, r);
	}
}

/* NIOCCTRL, or NIOCREGIF / NIOCGINFO of API 11-13 (core/nm_legacy.c:
 * the same requests, with the legacy struct's fields in and out). */
static long nmlab_ctrl(struct nmlab_priv *priv, unsigned int cmd, unsigned long arg)
{
	struct nmreq_legacy l;
	struct nm_ctrl_req *r;
	bool legacy = cmd != NIOCCTRL;
	int err;

	r = kvmalloc(sizeof(*r), GFP_KERNEL);
	if (r == NULL)
		return -ENOMEM;
	mutex_lock(&nmlab_lock);
	err = legacy ? nm_legacy_decode(r, &l, cmd, (uint64_t)arg)
		     : nm_ctrl_decode(r, (uint64_t)arg);
	if (err == 0)
		err = nmlab_ctrl_run(priv, r);
	err = legacy ? nm_legacy_finish(r, &l, err, (uint64_t)arg) : nm_ctrl_finish(r, err);
	mutex_unlock(&nmlab_lock);
	kvfree(r);
	return err;
}

/* ---- Data path. */

static struct nm_port *nmlab_bound(struct nmlab_priv *priv)
{
	return smp_load_acquire(&priv->port);
}

static long nmlab_sync(struct nmlab_priv *priv, uint32_t dir)
{
	struct nm_port *port = nmlab_bound(priv);
	uint32_t i;
	int err, ret = 0;

	if (port == NULL)
		return -ENXIO;
	if (READ_ONCE(priv->csb_mode))
		return -EBUSY;
	for (i = priv->first[dir]; i < priv->last[dir]; i++) {
		err = nm_kring_sync(nm_port_kring(port, dir, i), 0);
		/* A ring another thread is syncing is skipped, as the
		 * reference does; a rejected head/cur is reported. */
		if (err != 0 && err != -EBUSY)
			ret = err;
	}
	return ret;
}

static long nmlab_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct nmlab_priv *priv = f->private_data;

	switch (cmd) {
	case NIOCCTRL:
	case NIOCGINFO:
	case NIOCREGIF:
		return nmlab_ctrl(priv, cmd, arg);
	case NIOCTXSYNC:
		return nmlab_sync(priv, NR_TX);
	case NIOCRXSYNC:
		return nmlab_sync(priv, NR_RX);
	default:
		return -ENOTTY;
	}
}

static __poll_t nmlab_poll(struct file *f, poll_table *wait)
{
	struct nmlab_priv *priv = f->private_data;
	struct nm_port *port = nmlab_bound(priv);
	__poll_t want = poll_requested_events(wait);
	__poll_t mask = 0;
	struct nm_kring *kr;
	uint32_t i;
	int err;

	if (port == NULL || READ_ONCE(priv->csb_mode))
		return EPOLLERR;
	poll_wait(f, &priv->np->wq, wait);
	if ((want & (EPOLLOUT | EPOLLWRNORM)) ||
	    !(priv->nr_flags & NR_NO_TX_POLL)) {
		for (i = priv->first[NR_TX]; i < priv->last[NR_TX]; i++) {
			kr = nm_port_kring(port, NR_TX, i);
			err = nm_kring_sync(kr, 0);
			if (err == -EINVAL)
				mask |= EPOLLERR;
			if (READ_ONCE(kr->rcur) != READ_ONCE(kr->rtail))
				mask |= want & (EPOLLOUT | EPOLLWRNORM);
		}
	}
	if (want & (EPOLLIN | EPOLLRDNORM)) {
		for (i = priv->first[NR_RX]; i < priv->last[NR_RX]; i++) {
			kr = nm_port_kring(port, NR_RX, i);
			err = nm_kring_sync(kr, 0);
			if (err == -EINVAL)
				mask |= EPOLLERR;
			if (READ_ONCE(kr->rcur) != READ_ONCE(kr->rtail))
				mask |= want & (EPOLLIN | EPOLLRDNORM);
		}
	}
	return mask;
}

static int nmlab_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct nmlab_priv *priv = f->private_data;
	struct nm_port *port = nmlab_bound(priv);
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long pgoff = vma->vm_pgoff;
	size_t size;

	if (port == NULL)
		return -EINVAL; /* nothing registered: nothing to map */
	size = port->region->size;
	if (pgoff >= (size >> PAGE_SHIFT) || len > size - (pgoff << PAGE_SHIFT))
		return -EINVAL;
	/* remap_vmalloc_range takes a page reference for each mapped page,
	 * so the pages outlive the region if the port goes away first. */
	return remap_vmalloc_range(vma, port->region->base, pgoff);
}

static int nmlab_open(struct inode *inode, struct file *f)
{
	struct nmlab_priv *priv = kzalloc(sizeof(*priv), GFP_KERNEL);

	if (priv == NULL)
		return -ENOMEM;
	nmlab_kloop_init(priv);
	f->private_data = priv;
	return 0;
}

static int nmlab_release(struct inode *inode, struct file *f)
{
	struct nmlab_priv *priv = f->private_data;

	mutex_lock(&nmlab_lock);
	nmlab_unbind(priv);
	mutex_unlock(&nmlab_lock);
	kfree(priv);
	return 0;
}

static const struct file_operations nmlab_fops = {
	.owner = THIS_MODULE,
	.open = nmlab_open,
	.release = nmlab_release,
	.unlocked_ioctl = nmlab_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = nmlab_poll,
	.mmap = nmlab_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice nmlab_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "netmap",
	.fops = &nmlab_fops,
	.mode = 0600,
};

int nmlab_dev_init(void)
{
	int err = nm_registry_init(&nmlab_reg);

	if (err != 0)
		return err;
	nm_memid_table_init(&nmlab_mems);
	err = nmlab_nic_init();
	if (err != 0)
		goto err_reg;
	err = misc_register(&nmlab_misc);
	if (err != 0)
		goto err_nic;
	return 0;

err_nic:
	nmlab_nic_exit();
err_reg:
	nm_registry_fini(&nmlab_reg);
	return err;
}

void nmlab_dev_exit(void)
{
	/* No file is open: the module cannot be unloaded while one is. */
	misc_deregister(&nmlab_misc);
	nmlab_vale_exit(); /* attachments live without files */
	nmlab_nic_exit();
	nm_memid_table_fini(&nmlab_mems);
	nm_registry_fini(&nmlab_reg);
}
