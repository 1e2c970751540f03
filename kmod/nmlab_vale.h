/*
 * nmlab_vale.h - network interfaces attached to VALE switches
 * (VALE_ATTACH / VALE_DETACH), the kernel's side of nmctl -a / -d.
 */
#ifndef NMLAB_VALE_H
#define NMLAB_VALE_H

#include "nm_ctrl.h"
#include "nm_port.h"
#include "nm_registry.h"

extern struct nm_registry nmlab_reg; /* nmlab_dev.c */

/* [nmlab_lock] VALE_ATTACH "valeX:ifname" (an interface, or a port made
 * by VALE_NEWIF): 0 or -errno. */
int nmlab_vale_attach(struct nm_ctrl_req *r);
/* [nmlab_lock] VALE_DETACH "valeX:ifname": 0 or -errno. */
int nmlab_vale_detach(struct nm_ctrl_req *r);
/* [nmlab_lock] VALE_NEWIF name: a persistent port: 0, -EINVAL, -EEXIST. */
int nmlab_vale_newif(struct nm_ctrl_req *r);
/* [nmlab_lock] VALE_DELIF name: 0, -ENXIO, -EBUSY (attached). */
int nmlab_vale_delif(struct nm_ctrl_req *r);
/* [nmlab_lock] Is p the switch side of an attached interface?  (Nobody
 * may bind it: EBUSY, as the reference for a kernel-owned adapter.) */
bool nmlab_vale_owned(const struct nm_port *p);
/* [nmlab_lock] The same by name (PORT_HDR_SET: the kernel writes plain
 * frames into those ports, so no header may be set on them). */
bool nmlab_vale_owned_name(const char *name);
/* [nmlab_lock] VALE_POLLING_ENABLE (enable) / _DISABLE "valeX:ifname":
 * kernel threads move what the interface receives into the switch.  0,
 * -EINVAL (bad name or plan), -ENXIO (no such port), -EOPNOTSUPP (a port
 * that is not an attached interface's), -EFAULT (already polling / not
 * polling: the reference's errno), or the thread's creation error. */
int nmlab_vale_polling(struct nm_ctrl_req *r, bool enable);
/* [nmlab_lock] Is the attached interface "valeX:ifname" polled? */
bool nmlab_vale_polled(const char *name);
/* [nmlab_lock] Module unload: detach every interface. */
void nmlab_vale_exit(void);

#endif /* NMLAB_VALE_H */
