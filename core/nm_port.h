/*
 * nm_port.h - what a netmap front-end (kmod, simulator, shim test) sees of a
 * software port: a VALE port or one end of a netmap pipe.
 *
 * Owns: the front-end view (region to map, netmap_if offset, ring and slot
 * counts, krings to sync), the notifiers called when an RX ring gains
 * packets or a TX ring regains space, geometry normalisation, and the ops
 * table through which a port is closed without nm_port.c knowing its kind.
 * Opening by name is nm_port_open.c, above both kinds; each kind's file
 * (nm_pipe.c, vale_switch.c) sits above this one.  nm_port_notify() runs in a read-side
 * section after the state the next sync imports is published; notifiers are
 * read with nm_os_ptr_read(), and nm_port_set_notifier() waits
 * (nm_os_read_synchronize) so the old one may be freed when it returns.
 *
 * Locking: the view is immutable while the port is open, except the
 * notifier pointers (RCU-published by control-path writers).
 */
#ifndef NM_PORT_H
#define NM_PORT_H

#include "nm_kring.h"
#include "nm_region.h"

#define NM_PORT_MAX_RINGS 16U
#define NM_PORT_ALL_RINGS 0xffffffffU /* nm_port_set_notifier(): port-wide */
#define NM_PORT_BUF_SIZE 2048U	      /* default buffer size (geom.buf_size 0) */

enum nm_port_kind {
	NM_PORT_VALE = 1, /* struct vale_port */
	NM_PORT_PIPE = 2, /* struct nm_pipe_end */
	NM_PORT_MONITOR = 3, /* struct nm_monitor (nm_monitor.h) */
	NM_PORT_NIC = 4,     /* struct nm_nic (nm_nic.h), opened by the backend */
};

struct nm_port;

/* What differs by kind, filled in by the kind's open. */
struct nm_port_ops {
	/* [control path][may sleep] nm_port_close() of this kind. */
	void (*close)(struct nm_port *p);
	/* Offset of the port's netmap_if from region->base, for a kind whose
	 * netmap_if is not one of the region's (a zero-copy monitor lays its
	 * own inside its parent's buffers); NULL: region->if_ofs[if_index]. */
	uint64_t (*nifp_offset)(const struct nm_port *p);
};

/* Ring and slot counts: hints on input (0 means the default, values above
 * the limit are clamped, like the reference), actual values on output.
 * The buffer size is not clamped: a smaller buffer than asked for would
 * let the caller copy past it, so a bad one fails the open. */
struct nm_port_geom {
	uint32_t tx_rings, rx_rings; /* 1..16, default 1 */
	uint32_t tx_slots, rx_slots; /* 2..4096, default 1024 */
	uint32_t buf_size; /* 64..65536, multiple of 64, default NM_PORT_BUF_SIZE */
};

struct nm_port {
	enum nm_port_kind kind;	     /* for front-ends; behaviour is in ops */
	/* The last num_host_rings[d] of the num_rings[d] krings are host
	 * rings (nm_nic.c); 0 for software ports.  In the hole before ops:
	 * the layout (and so the simulator's cache-line costs) of every
	 * other field is as before. */
	uint16_t num_host_rings[2];
	const struct nm_port_ops *ops;
	char name[NETMAP_REQ_IFNAMSIZ];
	struct nm_region *region; /* mmap base .. base + size */
	uint32_t if_index;	  /* this port's netmap_if in the region */
	uint32_t num_rings[2];	  /* [NR_TX], [NR_RX] */
	uint32_t num_slots[2];
	struct nm_kring *kring[2][NM_PORT_MAX_RINGS];
	/* RCU-published; NULL when nobody waits. */
	struct nm_os_notifier *notifier[2][NM_PORT_MAX_RINGS];
	struct nm_os_notifier *notifier_all;
};

struct nm_registry;

/* Offset of the port's netmap_if from region->base (nmreq_register.nr_offset). */
uint64_t nm_port_nifp_offset(const struct nm_port *p);

/* Kring `ring` of direction dir (NR_TX / NR_RX), or NULL if out of range.
 * Front-ends run nm_kring_sync() on it for NIOCTXSYNC / NIOCRXSYNC. */
struct nm_kring *nm_port_kring(const struct nm_port *p, uint32_t dir,
			       uint32_t ring);

/*
 * [control path][may sleep] Set (or clear, n = NULL) the notifier of one
 * ring, or of the whole port with ring = NM_PORT_ALL_RINGS.  Waits for
 * running notifications to end before returning.  0 or -EINVAL.
 */
int nm_port_set_notifier(struct nm_port *p, uint32_t dir, uint32_t ring,
			 struct nm_os_notifier *n);

/* [read section][no sleep] Wake whoever waits on ring `ring` of direction dir
 * and on the whole port. */
void nm_port_notify(struct nm_port *p, uint32_t dir, uint32_t ring);

/*
 * [control path][may sleep] Open a port by name (nm_port_open.c): "X{Y" / "X}Y" is a pipe end,
 * "valeX:Y" a VALE port (created and attached on first open).  *g is
 * normalised to the actual geometry (an existing port or pipe keeps its
 * own, buffer size included).  0, -EINVAL (bad name or buffer size), -ENOMEM,
 * -EBUSY (pipe end already open) or -ENXIO (not a software port name).
 */
int nm_port_open(struct nm_registry *reg, const char *name,
		 struct nm_port_geom *g, struct nm_port **out);
/*
 * [control path][may sleep] nm_port_open() with the request's nr_flags:
 * NR_MONITOR_TX / NR_MONITOR_RX / NR_ZCOPY_MON open a monitor of the
 * open port `name` (nm_monitor.h; a name "PORT/t", "/r", "/rt", "/z" does
 * the same through nm_port_open()); other flags are ignored here.  A port
 * that is not open is -EINVAL (the reference's "not in netmap mode"), a
 * pipe end -EOPNOTSUPP, a zero-copy monitor of a port without enough
 * spare buffers -ENOMEM.
 */
int nm_port_open_flags(struct nm_registry *reg, const char *name,
		       uint64_t nr_flags, struct nm_port_geom *g,
		       struct nm_port **out);
/*
 * [control path][may sleep] nm_port_open_flags() that, if it creates a
 * VALE port, gives its region extra_bufs spare buffers (at most
 * NM_PORT_MAX_EXTRA_BUFS) beyond one per slot: what zero-copy monitors of
 * the port take their rings from (docs/monitors.md).  An existing port
 * keeps its own.  Errors as nm_port_open_flags(), -EINVAL for too many.
 */
#define NM_PORT_MAX_EXTRA_BUFS 65536U
int nm_port_open_spare(struct nm_registry *reg, const char *name,
		       uint64_t nr_flags, uint32_t extra_bufs,
		       struct nm_port_geom *g, struct nm_port **out);
/* [control path][may sleep] Close what nm_port_open() returned. */
void nm_port_close(struct nm_port *p);

/* Clamp a geometry to the limits, applying defaults for zeros.  0, or
 * -EINVAL for a buffer size nm_region_create() would refuse. */
int nm_port_geom_normalize(struct nm_port_geom *g);
/* The actual geometry of an open port. */
void nm_port_geom_get(const struct nm_port *p, struct nm_port_geom *g);

#endif /* NM_PORT_H */
