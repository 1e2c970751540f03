/*
 * nm_port.c - the front-end view shared by VALE ports and pipe ends: ring
 * lookup, notifiers, and opening a software port by name.
 *
 * Notifier pointers are published with nm_os_ptr_publish() and read with
 * nm_os_ptr_read() inside read sections; replacing one waits for running
 * notifications (nm_os_read_synchronize) so the old one may be freed.
 */
#include "nm_port.h"
#include "nm_pipe.h"
#include "vale.h"

uint64_t nm_port_nifp_offset(const struct nm_port *p)
{
	return p->region->if_ofs[p->if_index];
}

struct nm_kring *nm_port_kring(const struct nm_port *p, uint32_t dir,
			       uint32_t ring)
{
	if (dir > NR_RX || ring >= p->num_rings[dir])
		return NULL;
	return p->kring[dir][ring];
}

int nm_port_set_notifier(struct nm_port *p, uint32_t dir, uint32_t ring,
			 struct nm_os_notifier *n)
{
	void **slot;

	if (ring == NM_PORT_ALL_RINGS)
		slot = (void **)&p->notifier_all;
	else if (dir <= NR_RX && ring < p->num_rings[dir])
		slot = (void **)&p->notifier[dir][ring];
	else
		return -EINVAL;
	nm_os_ptr_publish(slot, n);
	nm_os_read_synchronize();
	return 0;
}

void nm_port_notify(struct nm_port *p, uint32_t dir, uint32_t ring)
{
	struct nm_os_notifier *n;

	if (dir <= NR_RX && ring < NM_PORT_MAX_RINGS) {
		n = nm_os_ptr_read((void *const *)&p->notifier[dir][ring]);
		if (n != NULL)
			nm_os_notify(n);
	}
	n = nm_os_ptr_read((void *const *)&p->notifier_all);
	if (n != NULL)
		nm_os_notify(n);
}

void nm_port_geom_get(const struct nm_port *p, struct nm_port_geom *g)
{
	g->tx_rings = p->num_rings[NR_TX];
	g->rx_rings = p->num_rings[NR_RX];
	g->tx_slots = p->num_slots[NR_TX];
	g->rx_slots = p->num_slots[NR_RX];
	g->buf_size = p->region->geom.buf_size;
}

int nm_port_open(struct vale_registry *reg, const char *name,
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

void nm_port_close(struct nm_port *p)
{
	/* up is the first member of both kinds. */
	if (p->kind == NM_PORT_PIPE)
		nm_pipe_close((struct nm_pipe_end *)p);
	else if (NM_ASSERT(p->kind == NM_PORT_VALE))
		vale_port_close((struct vale_port *)p);
}
