/*
 * nmlab_nic.h - the generic adapter: any Linux net_device opened by name as
 * a netmap port (core/nm_nic.c owns its rings; nmlab_nic.c the hooks).
 */
#ifndef NMLAB_NIC_H
#define NMLAB_NIC_H

#include "nm_nic.h"

/* How nmlab_nic_open() opens an interface. */
enum nmlab_nic_use {
	NMLAB_NIC_INFO,	  /* geometry only; shares an adapter in netmap mode */
	NMLAB_NIC_APP,	  /* an application's REGISTER: netmap mode */
	NMLAB_NIC_SWITCH, /* VALE_ATTACH: netmap mode, promiscuous, exclusive */
};

/* Where an interface attached to a switch sends what it receives. */
struct nmlab_nic_sink {
	/* [softirq][no sleep] one frame of len bytes, copied with copy(ctx). */
	void (*rx)(struct nmlab_nic_sink *s, uint32_t len, nm_nic_copy_fn copy,
		   const void *ctx);
};

/*
 * [nmlab_lock held][may sleep] Open the interface `name` as a port with
 * NIC rings (one per device queue) and one host ring pair.  APP and SWITCH
 * put the device in netmap mode (its receive path and the host stack's
 * transmit path go to the rings) until the last nm_port_close(); INFO
 * only describes the geometry (PORT_INFO_GET, POOLS_INFO_GET), sharing an
 * adapter in netmap mode if there is one.
 * 0, -ENXIO (no such interface), -EOPNOTSUPP (not Ethernet), -EBUSY (the
 * device has another receive handler: a bridge, a bond...; or it is
 * attached to a switch; or, for SWITCH, in netmap mode already), -ENOMEM.
 */
int nmlab_nic_open(const char *name, struct nm_port_geom *g,
		   enum nmlab_nic_use use, struct nm_port **out);

/* [nmlab_lock held][may sleep] Send what the interface of p (opened with
 * SWITCH) receives to s instead of its NIC RX rings (NULL: back to the
 * rings); returns once no receive path uses the old sink. */
void nmlab_nic_set_sink(struct nm_port *p, struct nmlab_nic_sink *s);

/* [nmlab_lock held][may sleep] The same for what the host stack sends on
 * the interface (instead of the host RX ring). */
void nmlab_nic_set_host_sink(struct nm_port *p, struct nmlab_nic_sink *s);

/* [process ctx or softirq][no sleep] One frame into the host stack, as if
 * the interface of p had received it: 0, -ENXIO, -ENOBUFS. */
int nmlab_nic_send_host(struct nm_port *p, const struct nm_nic_frag *f,
			uint32_t nfrags, uint32_t len);

/* [process ctx or softirq][no sleep] Transmit one frame on the interface
 * of p: 0, -EAGAIN (too many in flight), -ENXIO (device gone), -ENOBUFS. */
int nmlab_nic_send(struct nm_port *p, const struct nm_nic_frag *f,
		   uint32_t nfrags, uint32_t len);

/* Module load / unload: the netdevice notifier; unload waits for the
 * frames still in flight that point back at the module. */
int nmlab_nic_init(void);
void nmlab_nic_exit(void);

#endif /* NMLAB_NIC_H */
