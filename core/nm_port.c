/*
 * nm_port.c - the front-end view shared by VALE ports and pipe ends: ring
 * lookup, notifiers, geometry, and closing through the port's ops.  It
 * knows no kind by name: the kinds depend on it, never the reverse.
 *
 * An RX notification first lets the ring's taps (monitors) see what
 * arrived (nm_kring_tap_arrivals()).
 *
 * Notifier pointers are published with nm_os_ptr_publish() and read with
 * nm_os_ptr_read() inside read sections; replacing one waits for running
 * notifications (nm_os_read_synchronize) so the old one may be freed.
 */
#include "nm_port.h"

uint64_t nm_port_nifp_offset(const struct nm_port *p)
{
	if (p->ops != NULL && p->ops->nifp_offset != NULL)
		return p->ops->nifp_offset(p);
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
		/* RX copy monitors see frames as they arrive. */
		if (dir == NR_RX && ring < p->num_rings[NR_RX])
			nm_kring_tap_arrivals(p->kring[NR_RX][ring]);
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

int nm_port_geom_normalize(struct nm_port_geom *g)
{
	uint32_t *rings[2] = { &g->tx_rings, &g->rx_rings };
	uint32_t *slots[2] = { &g->tx_slots, &g->rx_slots };
	uint32_t d;

	/* The reference's nm_bound_var: 0 takes the default, too large
	 * values are clamped (a 1-slot ring is raised to our minimum of 2). */
	for (d = 0; d < 2; d++) {
		if (*rings[d] == 0)
			*rings[d] = 1;
		if (*rings[d] > NM_PORT_MAX_RINGS)
			*rings[d] = NM_PORT_MAX_RINGS;
		if (*slots[d] == 0)
			*slots[d] = 1024;
		if (*slots[d] < NM_RING_MIN_SLOTS)
			*slots[d] = NM_RING_MIN_SLOTS;
		if (*slots[d] > NM_RING_MAX_SLOTS)
			*slots[d] = NM_RING_MAX_SLOTS;
	}
	if (g->buf_size == 0)
		g->buf_size = NM_PORT_BUF_SIZE;
	/* nm_region_create()'s rule, checked before anything is allocated. */
	if (g->buf_size < NM_BUF_MIN_SIZE || g->buf_size > NM_BUF_MAX_SIZE ||
	    g->buf_size % 64 != 0)
		return -EINVAL;
	return 0;
}

void nm_port_close(struct nm_port *p)
{
	if (NM_ASSERT(p->ops != NULL && p->ops->close != NULL))
		p->ops->close(p);
}
