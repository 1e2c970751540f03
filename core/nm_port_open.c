/*
 * nm_port_open.c - opening a software port by name: the one file that
 * knows every kind of port (nm_pipe.c, vale_switch.c), so that nm_port.c,
 * below them, knows none.
 *
 * Monitors ("PORT/t", or the request's NR_MONITOR_* flags) are opened
 * here too: nm_monitor.c knows no kind, so finding the parent is ours.
 *
 * Locking: none here; each kind's open takes reg->lock itself.
 */
#include "nm_monitor.h"
#include "nm_port.h"
#include "nm_pipe.h"
#include "vale.h"

/* A monitor of the open port name[0..len): the monitor takes the
 * reference vale_port_get() gives. */
static int nm_port_open_monitor(struct nm_registry *reg, const char *name,
				size_t len, uint64_t nr_flags,
				struct nm_port_geom *g, struct nm_port **out)
{
	char base[NETMAP_REQ_IFNAMSIZ];
	struct nm_monitor *mon;
	struct vale_port *v;
	int err;

	if (len >= sizeof(base))
		return -EINVAL;
	nm_os_memcpy(base, name, len);
	base[len] = '\0';
	if (nm_pipe_name_is_pipe(base))
		return -EOPNOTSUPP; /* TODO(#18): monitors of pipe ends */
	if (!vale_name_is_vale(base))
		return -ENXIO;
	err = vale_port_get(reg, base, &v);
	if (err != 0)
		return err == -ENXIO ? -EINVAL : err;
	err = nm_monitor_create(reg, &v->up, nr_flags, g, &mon);
	if (err != 0) {
		vale_port_close(v);
		return err;
	}
	*out = &mon->up;
	return 0;
}

int nm_port_open_flags(struct nm_registry *reg, const char *name,
		       uint64_t nr_flags, struct nm_port_geom *g,
		       struct nm_port **out)
{
	size_t len;

	nr_flags &= NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON;
	if (nr_flags == 0)
		return nm_port_open(reg, name, g, out);
	for (len = 0; len < NETMAP_REQ_IFNAMSIZ && name[len] != '\0'; len++)
		;
	return nm_port_open_monitor(reg, name, len, nr_flags, g, out);
}

int nm_port_open_spare(struct nm_registry *reg, const char *name,
		       uint64_t nr_flags, uint32_t extra_bufs,
		       struct nm_port_geom *g, struct nm_port **out)
{
	struct vale_port *v;
	int err;

	if (extra_bufs > NM_PORT_MAX_EXTRA_BUFS)
		return -EINVAL;
	if (extra_bufs == 0 ||
	    (nr_flags & (NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON)) ||
	    nm_monitor_name_split(name, &(size_t){ 0 }, &(uint64_t){ 0 }) ||
	    nm_pipe_name_is_pipe(name) || !vale_name_is_vale(name))
		return nm_port_open_flags(reg, name, nr_flags, g, out);
	err = vale_port_open_spare(reg, name, g, extra_bufs, &v);
	if (err == 0)
		*out = &v->up;
	return err;
}

int nm_port_open(struct nm_registry *reg, const char *name,
		 struct nm_port_geom *g, struct nm_port **out)
{
	struct nm_pipe_end *e;
	struct vale_port *v;
	uint64_t mflags;
	size_t len;
	int err;

	/* "PORT/t", "/r", "/rt", "/z": a monitor (libnetmap's syntax). */
	if (nm_monitor_name_split(name, &len, &mflags))
		return nm_port_open_monitor(reg, name, len, mflags, g, out);

	/* Pipes first, as the reference: "vale0:1{2" is a pipe end. */
	if (nm_pipe_name_is_pipe(name)) {
		err = nm_pipe_open(reg, name, g, &e);
		if (err == 0)
			*out = &e->up;
		return err;
	}
	if (vale_name_is_vale(name)) {
		err = vale_port_open(reg, name, g, &v);
		if (err == 0)
			*out = &v->up;
		return err;
	}
	return -ENXIO;
}
