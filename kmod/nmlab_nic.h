/*
 * nmlab_nic.h - the generic adapter: any Linux net_device opened by name as
 * a netmap port (core/nm_nic.c owns its rings; nmlab_nic.c the hooks).
 */
#ifndef NMLAB_NIC_H
#define NMLAB_NIC_H

#include "nm_port.h"

/*
 * [nmlab_lock held][may sleep] Open the interface `name` as a port with
 * NIC rings (one per device queue) and one host ring pair.  With attach,
 * the device is put in netmap mode (its receive path and the host stack's
 * transmit path go to the rings) until the last nm_port_close(); without,
 * the port only describes the geometry (PORT_INFO_GET, POOLS_INFO_GET),
 * unless an attached one already exists, which is then shared.
 * 0, -ENXIO (no such interface), -EOPNOTSUPP (not Ethernet), -EBUSY (the
 * device has another receive handler: a bridge, a bond...), -ENOMEM.
 */
int nmlab_nic_open(const char *name, struct nm_port_geom *g, bool attach,
		   struct nm_port **out);

/* Module load / unload: the netdevice notifier; unload waits for the
 * frames still in flight that point back at the module. */
int nmlab_nic_init(void);
void nmlab_nic_exit(void);

#endif /* NMLAB_NIC_H */
