/*
 * nm_port_open.c - opening a software port by name: the one file that
 * knows every kind of port (nm_pipe.c, vale_switch.c), so that nm_port.c,
 * below them, knows none.
 *
 * Locking: none here; each kind's open takes reg->lock itself.
 */
#include "nm_port.h"
#include "nm_pipe.h"
#include "vale.h"

int nm_port_open(struct nm_registry *reg, const char *name,
		 struct nm_port_geom *g, struct nm_port **out)
{
	struct nm_pipe_end *e;
	struct vale_port *v;
	int err;

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
