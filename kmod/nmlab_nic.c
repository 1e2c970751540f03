/*
 * nmlab_nic.c - the generic adapter: a Linux net_device (a physical NIC,
 * virtio-net, e1000, a tap, a veth) opened by name as a netmap port, the
 * Linux half of core/nm_nic.c.
 *
 * Owns: the adapter record of each interface in netmap mode (one per
 * net_device, shared by the files bound to it), the three hooks that put
 * a device in netmap mode and their removal, the skbs built from TX slots,
 * and device unregistration while the port is open.
 *
 *   wire -> driver -> rx_handler -------------> NIC RX ring -> application
 *   application -> NIC TX ring -> skb -> dev_queue_xmit -> driver -> wire
 *   stack -> ndo_start_xmit (our copy of the ops) -> host RX ring -> app
 *   application -> host TX ring -> skb -> netif_rx -> stack
 *
 * Our own skbs carry our destructor (and the adapter in destructor_arg):
 * that is how the hooks tell them from the stack's (the xmit hook passes
 * ours to the driver, the rx_handler passes ours to the stack), and how
 * TX completion is seen: each skb in flight holds an adapter reference
 * and counts against NMLAB_NIC_INFLIGHT; when the count falls back to
 * half, the TX rings' waiters are woken (POLLOUT).
 *
 * Locking: nmlab_lock (the caller's) then rtnl_lock.  The adapter list
 * holds the hooked adapters and is walked and changed under rtnl only, so
 * the netdevice notifier (rtnl held, never takes nmlab_lock) takes an
 * unregistered device's adapter off it: the old port stays open, a new
 * device of the same name gets a new adapter.  a->dev is RCU-published: NULL once the device
 * is gone (NETDEV_UNREGISTER) or the adapter detached; the data path
 * reads it in a read section and the detacher waits (synchronize_net)
 * before dropping the device reference.  a->live (the core port, for
 * destructors) is cleared and waited out before the port is freed.  The
 * adapter itself is freed by the last reference: the open, or the last
 * skb in flight.  Module unload waits until no adapter is left.
 */
#include "nmlab_nic.h"
#include "nmlab_dev.h"
#include "nm_nic.h"

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#define NMLAB_NIC_INFLIGHT 512 /* our skbs queued in the device, at most */

struct nmlab_nic {
	struct list_head link;	   /* nmlab_nics: nmlab_lock + rtnl */
	struct nm_nic *nic;	   /* the core port, until the last close */
	struct nm_nic __rcu *live; /* nic while destructors may use it */
	struct net_device __rcu *dev; /* NULL when not (or no longer) hooked */
	struct net_device *held;   /* the reference we hold, or NULL */
	bool listed;		   /* in nmlab_nics (hooked), under rtnl */
	bool owned;		   /* attached to a switch */
	bool promisc;		   /* we raised the device's promiscuity */
	struct nmlab_nic_sink __rcu *sink; /* the switch, when owned */
	struct nmlab_nic_sink __rcu *host_sink; /* its host port, if any */
	unsigned int users;	   /* opens, under nmlab_lock */
	refcount_t ref;		   /* the opens (1) + each skb in flight */
	atomic_t inflight;	   /* TX skbs not yet freed by the device */
	const struct net_device_ops *saved_ops;
	struct net_device_ops ops; /* saved_ops with our ndo_start_xmit */
};

static LIST_HEAD(nmlab_nics);
static atomic_t nmlab_nic_alive = ATOMIC_INIT(0); /* adapters not freed */

/* ---- Adapter lifetime. */

static void nmlab_nic_unref(struct nmlab_nic *a)
{
	/* In a read section, so that nmlab_nic_exit()'s synchronize_rcu()
	 * also waits for the module code after the last decrement. */
	rcu_read_lock();
	if (refcount_dec_and_test(&a->ref)) {
		kfree(a);
		/* Wakes the wait for the last adapter in nmlab_nic_exit(). */
		if (atomic_dec_and_test(&nmlab_nic_alive))
			wake_up_var(&nmlab_nic_alive);
	}
	rcu_read_unlock();
}

/* ---- Our skbs. */

/* TX skbs (to the wire): completion.  Any context. */
static void nmlab_nic_tx_destructor(struct sk_buff *skb)
{
	struct nmlab_nic *a = skb_shinfo(skb)->destructor_arg;
	struct nm_nic *nic;
	uint32_t i;

	if (atomic_dec_return(&a->inflight) == NMLAB_NIC_INFLIGHT / 2) {
		rcu_read_lock();
		nic = rcu_dereference(a->live);
		if (nic != NULL)
			for (i = 0; i < nic->nic_rings[NR_TX]; i++)
				nm_nic_tx_wake(nic, i);
		rcu_read_unlock();
	}
	nmlab_nic_unref(a);
}

/* RX skbs (host TX ring -> stack): only a marker and a reference. */
static void nmlab_nic_rx_destructor(struct sk_buff *skb)
{
	nmlab_nic_unref(skb_shinfo(skb)->destructor_arg);
}

static struct sk_buff *nmlab_nic_skb(struct nmlab_nic *a,
				     struct net_device *dev,
				     const struct nm_nic_frag *f,
				     uint32_t nfrags, uint32_t len,
				     void (*destructor)(struct sk_buff *))
{
	struct sk_buff *skb;
	uint32_t i;

	if (len < ETH_HLEN || len > dev->mtu + dev->hard_header_len + VLAN_HLEN)
		return NULL;
	skb = __netdev_alloc_skb(dev, len, GFP_NOWAIT | __GFP_NOWARN);
	if (skb == NULL)
		return NULL;
	for (i = 0; i < nfrags; i++)
		skb_put_data(skb, f[i].buf, f[i].len);
	skb->dev = dev;
	refcount_inc(&a->ref);
	skb_shinfo(skb)->destructor_arg = a;
	skb->destructor = destructor;
	return skb;
}

/* core: a frame from NIC TX ring `ring` to the wire. */
static int nmlab_nic_xmit(void *priv, uint32_t ring,
			  const struct nm_nic_frag *f, uint32_t nfrags,
			  uint32_t len)
{
	struct nmlab_nic *a = priv;
	struct net_device *dev;
	struct sk_buff *skb;
	int err = -ENXIO;

	rcu_read_lock_bh();
	dev = rcu_dereference_bh(a->dev);
	if (dev == NULL)
		goto out; /* unregistered: the frame is dropped */
	err = -EAGAIN;
	if (atomic_read(&a->inflight) >= NMLAB_NIC_INFLIGHT)
		goto out;
	err = -ENOBUFS;
	skb = nmlab_nic_skb(a, dev, f, nfrags, len, nmlab_nic_tx_destructor);
	if (skb == NULL)
		goto out;
	atomic_inc(&a->inflight);
	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	skb_set_queue_mapping(skb, ring % dev->real_num_tx_queues);
	/* Consumed whatever the verdict; a qdisc drop is a drop on the wire. */
	dev_queue_xmit(skb);
	err = 0;
out:
	rcu_read_unlock_bh();
	return err;
}

/* core: a frame from the host TX ring to the stack, as if received. */
static int nmlab_nic_to_host(void *priv, const struct nm_nic_frag *f,
			     uint32_t nfrags, uint32_t len)
{
	struct nmlab_nic *a = priv;
	struct net_device *dev;
	struct sk_buff *skb;
	int err = -ENXIO;

	rcu_read_lock_bh();
	dev = rcu_dereference_bh(a->dev);
	if (dev == NULL)
		goto out;
	err = -ENOBUFS;
	skb = nmlab_nic_skb(a, dev, f, nfrags, len, nmlab_nic_rx_destructor);
	if (skb == NULL)
		goto out;
	skb->protocol = eth_type_trans(skb, dev);
	netif_rx(skb);
	err = 0;
out:
	rcu_read_unlock_bh();
	return err;
}

/* ---- The hooks. */

struct nmlab_nic_copy {
	const struct sk_buff *skb;
	int base; /* offset of the frame's first byte from skb->data */
};

static void nmlab_nic_copy_skb(void *dst, uint32_t off, uint32_t len,
			       const void *ctx)
{
	const struct nmlab_nic_copy *c = ctx;

	/* The length was taken from this skb: it cannot fail. */
	WARN_ON_ONCE(skb_copy_bits(c->skb, c->base + (int)off, dst, (int)len));
}

/* Frames from the wire (softirq, under rcu_read_lock). */
static rx_handler_result_t nmlab_nic_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct nmlab_nic *a = rcu_dereference(skb->dev->rx_handler_data);
	struct nmlab_nic_sink *sink;
	struct nmlab_nic_copy c;
	uint32_t ring = 0;

	if (skb->destructor == nmlab_nic_rx_destructor)
		return RX_HANDLER_PASS; /* from our host TX ring: the stack's */
	if (skb_rx_queue_recorded(skb))
		ring = skb_get_rx_queue(skb) % a->nic->nic_rings[NR_RX];
	c.skb = skb;
	/* The frame starts at the MAC header the driver pulled. */
	c.base = skb_mac_header_was_set(skb) ? skb_mac_offset(skb) : 0;
	sink = rcu_dereference(a->sink);
	if (c.base > 0)
		; /* no MAC header before the data: not a frame we can copy */
	else if (sink != NULL)
		sink->rx(sink, skb->len + (uint32_t)(-c.base),
			 nmlab_nic_copy_skb, &c);
	else
		nm_nic_rx_deliver(a->nic, ring, skb->len + (uint32_t)(-c.base),
				  nmlab_nic_copy_skb, &c);
	consume_skb(skb);
	return RX_HANDLER_CONSUMED;
}

/* One frame of the stack into the host RX ring (or the switch's host
 * port), as the wire would see it. */
static void nmlab_nic_to_app(struct nmlab_nic *a, struct sk_buff *skb)
{
	struct nmlab_nic_copy c = { .skb = skb, .base = 0 };
	struct nmlab_nic_sink *hs = rcu_dereference_bh(a->host_sink);

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb) != 0)
		return;
	if (hs != NULL)
		hs->rx(hs, skb->len, nmlab_nic_copy_skb, &c);
	else
		nm_nic_rx_deliver(a->nic, nm_nic_host_ring(a->nic, NR_RX),
				  skb->len, nmlab_nic_copy_skb, &c);
}

/* Frames of the host stack to the device (BH off, under rcu_read_lock_bh).
 * The hook is installed only while our rx_handler is (nmlab_nic_unhook()
 * removes it and waits before unregistering the handler), so the handler's
 * data is the adapter. */
static netdev_tx_t nmlab_nic_start_xmit(struct sk_buff *skb,
					struct net_device *dev)
{
	struct nmlab_nic *a = rcu_dereference_bh(dev->rx_handler_data);
	struct sk_buff *segs, *s, *next;

	if (skb->destructor == nmlab_nic_tx_destructor)
		return a->saved_ops->ndo_start_xmit(skb, dev);
	if (!skb_is_gso(skb)) {
		nmlab_nic_to_app(a, skb);
	} else {
		/* Cut into frames of the wire's size, checksums done. */
		segs = skb_gso_segment(skb, 0);
		if (!IS_ERR_OR_NULL(segs)) {
			skb_list_walk_safe(segs, s, next) {
				skb_mark_not_on_list(s);
				nmlab_nic_to_app(a, s);
				dev_consume_skb_any(s);
			}
		}
	}
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
}

/* [rtnl] Put dev in netmap mode. */
static int nmlab_nic_hook(struct nmlab_nic *a, struct net_device *dev)
{
	int err;

	ASSERT_RTNL();
	a->saved_ops = dev->netdev_ops;
	a->ops = *dev->netdev_ops;
	a->ops.ndo_start_xmit = nmlab_nic_start_xmit;
	rcu_assign_pointer(a->dev, dev);
	err = netdev_rx_handler_register(dev, nmlab_nic_rx_handler, a);
	if (err != 0) {
		RCU_INIT_POINTER(a->dev, NULL);
		return err;
	}
	WRITE_ONCE(dev->netdev_ops, &a->ops);
	/* A switch port takes every frame, as a bridge port does. */
	a->promisc = a->owned && dev_set_promiscuity(dev, 1) == 0;
	return 0;
}

/* [rtnl] Take dev out of netmap mode and drop our reference to it. */
static void nmlab_nic_unhook(struct nmlab_nic *a)
{
	struct net_device *dev = rtnl_dereference(a->dev);

	ASSERT_RTNL();
	if (dev == NULL)
		return;
	if (a->promisc)
		dev_set_promiscuity(dev, -1);
	a->promisc = false;
	WRITE_ONCE(dev->netdev_ops, a->saved_ops);
	/* A start_xmit hook still running reads rx_handler_data. */
	synchronize_net();
	netdev_rx_handler_unregister(dev); /* waits for running handlers */
	RCU_INIT_POINTER(a->dev, NULL);
	/* Hooks and data-path readers of a->dev are done after this. */
	synchronize_net();
	dev_put(a->held);
	a->held = NULL;
}

static int nmlab_nic_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nmlab_nic *a, *tmp;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	list_for_each_entry_safe(a, tmp, &nmlab_nics, link) {
		if (a->held == dev) {
			/* The port stays open with no device: its TX frames
			 * are dropped, nothing arrives. */
			nmlab_nic_unhook(a);
			list_del(&a->link);
			a->listed = false;
			pr_info("nmlab: %s unregistered while in netmap mode\n",
				dev->name);
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block nmlab_nic_nb = {
	.notifier_call = nmlab_nic_event,
};

/* ---- Open and close. */

static void nmlab_nic_close(void *priv);

static const struct nm_nic_ops nmlab_nic_ops = {
	.xmit = nmlab_nic_xmit,
	.to_host = nmlab_nic_to_host,
	.close = nmlab_nic_close,
};

static void nmlab_nic_close(void *priv)
{
	struct nmlab_nic *a = priv;

	lockdep_assert_held(&nmlab_lock);
	if (--a->users > 0)
		return;
	rtnl_lock();
	nmlab_nic_unhook(a);
	if (a->listed)
		list_del(&a->link);
	rtnl_unlock();
	if (a->held != NULL) { /* never hooked (a geometry-only open) */
		dev_put(a->held);
		a->held = NULL;
	}
	/* Destructors running now may still wake the rings; later ones not. */
	RCU_INIT_POINTER(a->live, NULL);
	synchronize_rcu();
	nm_nic_destroy(a->nic);
	a->nic = NULL;
	nmlab_nic_unref(a);
}

/* [rtnl] The hooked adapter of the device now called name (a listed
 * adapter holds its device, whose name rtnl keeps still). */
static struct nmlab_nic *nmlab_nic_find(const char *name)
{
	struct nmlab_nic *a;

	ASSERT_RTNL();
	list_for_each_entry(a, &nmlab_nics, link)
		if (strncmp(a->held->name, name, IFNAMSIZ) == 0)
			return a;
	return NULL;
}

int nmlab_nic_open(const char *name, struct nm_port_geom *g,
		   enum nmlab_nic_use use, struct nm_port **out)
{
	bool attach = use != NMLAB_NIC_INFO;
	struct net_device *dev;
	struct nmlab_nic *a;
	int err;

	lockdep_assert_held(&nmlab_lock);
	if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ || name[0] == '\0')
		return -ENXIO;
	rtnl_lock();
	a = nmlab_nic_find(name);
	rtnl_unlock();
	/* nmlab_lock keeps a alive: only its last close (under nmlab_lock)
	 * frees it; the notifier may unhook it meanwhile (then it is a dead
	 * port we share, as if the device went away just after).
	 * The switch owns an attached interface alone (the reference's
	 * EBUSY for an adapter owned by the kernel). */
	if (a != NULL && (use == NMLAB_NIC_SWITCH || (a->owned && attach)))
		return -EBUSY;
	if (a != NULL) {
		a->users++;
		nm_port_geom_get(&a->nic->up, g);
		*out = &a->nic->up;
		return 0;
	}
	dev = dev_get_by_name(&init_net, name);
	if (dev == NULL)
		return -ENXIO;
	err = -EOPNOTSUPP;
	if (dev->type != ARPHRD_ETHER || (dev->flags & IFF_LOOPBACK) ||
	    dev->netdev_ops->ndo_start_xmit == NULL)
		goto err_put;
	err = -ENOMEM;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (a == NULL)
		goto err_put;
	a->held = dev;
	a->users = 1;
	a->owned = use == NMLAB_NIC_SWITCH;
	refcount_set(&a->ref, 1);
	atomic_inc(&nmlab_nic_alive);
	/* One NIC ring per device queue; the hints give the slots. */
	g->tx_rings = dev->real_num_tx_queues;
	g->rx_rings = dev->real_num_rx_queues;
	err = nm_nic_create(name, g, true, &nmlab_nic_ops, a, &a->nic);
	if (err != 0)
		goto err_free;
	rcu_assign_pointer(a->live, a->nic);
	if (attach) {
		rtnl_lock();
		/* The device may have gone (or been renamed) meanwhile. */
		if (dev->reg_state != NETREG_REGISTERED ||
		    strncmp(dev->name, name, IFNAMSIZ) != 0)
			err = -ENXIO;
		else
			err = nmlab_nic_hook(a, dev);
		if (err == 0) {
			list_add(&a->link, &nmlab_nics);
			a->listed = true;
		}
		rtnl_unlock();
		if (err != 0)
			goto err_nic;
	}
	nm_port_geom_get(&a->nic->up, g);
	*out = &a->nic->up;
	return 0;

err_nic:
	RCU_INIT_POINTER(a->live, NULL);
	nm_nic_destroy(a->nic);
err_free:
	a->held = NULL;
	nmlab_nic_unref(a);
err_put:
	dev_put(dev);
	return err;
}

void nmlab_nic_set_sink(struct nm_port *p, struct nmlab_nic_sink *s)
{
	struct nmlab_nic *a = ((struct nm_nic *)p)->priv;

	rcu_assign_pointer(a->sink, s);
	if (s == NULL)
		synchronize_net(); /* receive paths using the old one are done */
}

void nmlab_nic_set_host_sink(struct nm_port *p, struct nmlab_nic_sink *s)
{
	struct nmlab_nic *a = ((struct nm_nic *)p)->priv;

	rcu_assign_pointer(a->host_sink, s);
	if (s == NULL)
		synchronize_net(); /* transmit hooks using the old one are done */
}

int nmlab_nic_send_host(struct nm_port *p, const struct nm_nic_frag *f,
			uint32_t nfrags, uint32_t len)
{
	return nmlab_nic_to_host(((struct nm_nic *)p)->priv, f, nfrags, len);
}

int nmlab_nic_send(struct nm_port *p, const struct nm_nic_frag *f,
		   uint32_t nfrags, uint32_t len)
{
	return nmlab_nic_xmit(((struct nm_nic *)p)->priv, 0, f, nfrags, len);
}

int nmlab_nic_init(void)
{
	return register_netdevice_notifier(&nmlab_nic_nb);
}

void nmlab_nic_exit(void)
{
	unregister_netdevice_notifier(&nmlab_nic_nb);
	/* No file is open, so no adapter is listed; what is left are skbs
	 * still queued somewhere with our destructor. */
	while (!wait_var_event_timeout(&nmlab_nic_alive,
				       atomic_read(&nmlab_nic_alive) == 0,
				       10 * HZ))
		pr_info("nmlab: waiting for %d adapter(s) with frames in flight\n",
			atomic_read(&nmlab_nic_alive));
	/* The last destructor's read section (wake_up_var included) is
	 * over before the module text goes. */
	synchronize_rcu();
}
