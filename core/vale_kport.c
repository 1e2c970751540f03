/*
 * vale_kport.c - the kernel as the application of a VALE port (see
 * vale_kport.h): the same ring rules as a user, through nm_kring_sync().
 */
#include "vale_kport.h"
#include "nm_ring_user.h"

int vale_kport_init(struct vale_kport *k, struct vale_port *p)
{
	nm_os_memset(k, 0, sizeof(*k));
	k->port = p;
	nm_os_counter_init(&k->sent);
	nm_os_counter_init(&k->dropped);
	nm_os_counter_init(&k->delivered);
	return 0;
}

void vale_kport_fini(struct vale_kport *k)
{
	(void)k;
}

int vale_kport_send(struct vale_kport *k, uint32_t len, nm_nic_copy_fn copy,
		    const void *ctx)
{
	struct nm_kring *kr = nm_port_kring(&k->port->up, NR_TX, 0);
	const struct nm_buf_pool *pool = &k->port->region.pool;
	struct netmap_ring *ring = kr->ring;
	uint32_t n = kr->num_slots, bs = pool->buf_size, need, i, s, off, chunk;
	struct netmap_slot *slot;
	uint8_t *buf;
	int err;

	need = len == 0 ? 0 : (len - 1) / bs + 1;
	if (need == 0 || need > NETMAP_MAX_FRAGS) {
		nm_os_counter_add(&k->dropped, 1);
		return -EMSGSIZE;
	}
	/* The gate: one sender writes slots and syncs at a time.  A holder
	 * is another sender on another CPU, in a short non-sleeping step. */
	while (!nm_kring_tryget(kr))
		;
	/* Our own head and the tail the last sync showed us. */
	if (nm_idx_dist(kr->rhead, kr->rtail, n) < need) {
		err = -ENOSPC;
		goto out;
	}
	for (i = 0, off = 0, s = kr->rhead; i < need;
	     i++, off += chunk, s = nm_idx_next(s, n)) {
		slot = &ring->slot[s];
		buf = nm_buf_addr(pool, slot->buf_idx);
		chunk = nm_min_u32(bs, len - off);
		if (buf == NULL) { /* never: nobody else writes this ring */
			err = -EINVAL;
			goto out;
		}
		copy(buf, off, chunk, ctx);
		slot->len = (uint16_t)chunk;
		slot->flags = i + 1 < need ? NS_MOREFRAG : 0;
	}
	nm_ring_user_publish(ring, s, s);
	err = nm_kring_sync_held(kr, 0);
out:
	nm_kring_put(kr);
	nm_os_counter_add(err == 0 ? &k->sent : &k->dropped, 1);
	return err;
}

/* One RX ring: import, hand on the complete frames, release them. */
uint32_t vale_kport_gather(const struct nm_buf_pool *pool,
			   const struct nm_kring *kr, uint32_t head,
			   struct vale_kport_frame *fr)
{
	struct netmap_ring *ring = kr->ring;
	uint32_t n = kr->num_slots, j = head;
	struct nm_slot_snap snap;
	bool bad = false, more;

	fr->nf = 0;
	fr->len = 0;
	do {
		if (j == kr->rtail)
			return head; /* producers publish whole chains */
		bad |= nm_slot_load(pool, &ring->slot[j], &snap) != 0;
		more = (snap.flags & NS_MOREFRAG) != 0;
		if (!bad && fr->nf < NETMAP_MAX_FRAGS) {
			fr->f[fr->nf].buf = nm_buf_addr(pool, snap.buf_idx);
			fr->f[fr->nf].len = snap.len;
			fr->len += snap.len;
		}
		fr->nf++;
		j = nm_idx_next(j, n);
	} while (more);
	fr->ok = !bad && fr->nf <= NETMAP_MAX_FRAGS && fr->len != 0;
	return j;
}

static uint32_t vale_kport_drain_ring(struct vale_kport *k, struct nm_kring *kr,
				      vale_kport_out_fn out, void *priv)
{
	const struct nm_buf_pool *pool = &k->port->region.pool;
	struct netmap_ring *ring = kr->ring;
	uint32_t head, next, frames = 0;
	struct vale_kport_frame fr;

	if (nm_kring_sync(kr, 0) != 0)
		return 0;
	head = kr->rhead;
	while (head != kr->rtail) {
		next = vale_kport_gather(pool, kr, head, &fr);
		if (next == head)
			break;
		if (!fr.ok || out(priv, fr.f, fr.nf, fr.len) != 0)
			nm_os_counter_add(&k->dropped, 1);
		else
			nm_os_counter_add(&k->delivered, 1);
		frames++;
		head = next;
	}
	nm_ring_user_publish(ring, head, head);
	nm_kring_sync(kr, 0);
	return frames;
}

uint32_t vale_kport_drain(struct vale_kport *k, vale_kport_out_fn out,
			  void *priv)
{
	uint32_t i, frames = 0;

	for (i = 0; i < k->port->up.num_rings[NR_RX]; i++)
		frames += vale_kport_drain_ring(k, nm_port_kring(&k->port->up,
								  NR_RX, i),
						out, priv);
	return frames;
}
