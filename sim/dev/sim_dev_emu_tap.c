/*
 * sim_dev_emu_tap.c - the emulated NIC family's tap backend: frames
 * between the guest's ring and the endpoint's tap (net/sim_tap.h), as a
 * VMM with a tap backend moves them (docs/simulator.md, "Backends").
 *
 * Per frame, TX: the descriptor work (pkt_cost, DMA map), a write() for a
 * userspace VMM (none for vhost), and sim_tap_write() (skb, copy, tun,
 * bridge, the destination's queue).  RX: a read() likewise, the copy out
 * of the skb into the guest's buffers, sim_tap_pop().  Neither batches:
 * QEMU's tap backend and bhyve write and read one frame per call.  Guest
 * buffer indices are guest-written: one outside the guest's buffers drops
 * the frame, counted, never a wild access.  The caller publishes cons.
 */
#include <stdio.h>

#include "sim_dev_emu_impl.h"
#include "sim_tap.h"

/* A guest buffer of e's ring by its (guest-written) index, or NULL for an
 * index outside the guest's buffers. */
static uint8_t *sim_emu_gbuf(struct sim_emu *e, uint32_t idx)
{
	return (uint8_t *)sim_emu_guest_buf(e->gring, e->greg.pool.num_bufs, idx);
}

/* The system call a userspace VMM makes per frame (QEMU's tap backend and
 * bhyve's write and read one frame per call); vhost calls the tun driver
 * from the kernel. */
static void sim_emu_tap_syscall(struct sim_emu *e)
{
	if (!e->pol.backend_syscall)
		return;
	sim_cost_charge(SIM_C_SYSCALL, 1);
	sim_ep_st(e->ep)->syscalls++;
}

/* A write(): the frame to the host stack; its drops counted. */
static void sim_emu_tap_send(struct sim_emu *e, const uint8_t *const *frag,
			     const uint32_t *flen, uint32_t k, uint32_t bytes)
{
	struct sim_ep *ep = e->ep;

	sim_emu_tap_syscall(e);
	sim_ep_st(ep)->frame_bytes += bytes;
	switch (sim_tap_write(e->tap, frag, flen, k, &sim_ep_st(ep)->copy_bytes_host)) {
	case SIM_TAP_QUEUE_FULL:
		sim_ep_st(ep)->dev_drops++;
		sim_ep_st(ep)->drops_tap_full++;
		break;
	case SIM_TAP_NO_DEST:
		sim_ep_st(ep)->dev_drops++;
		sim_ep_st(ep)->drops_tap_no_dest++;
		break;
	case SIM_TAP_QUEUED:
	default:
		break;
	}
}

uint32_t sim_emu_tap_tx(struct sim_emu *e)
{
	const uint8_t *frag[NETMAP_MAX_FRAGS];
	uint32_t flen[NETMAP_MAX_FRAGS];
	uint32_t prod = nm_os_shared_load32(&e->sh.prod);
	uint32_t moved = 0, k, f, bytes;
	struct netmap_slot *ss;
	bool bad_buf, too_big;

	if (prod >= e->n)
		return 0;
	/* prod before the descriptors it hands over; pairs with the
	 * nm_os_fence_store_store() in sim_emu_guest_publish(). */
	nm_os_fence_load_load();
	while ((k = sim_emu_next_frame(e, prod, &bytes, &moved)) != 0) {
		sim_emu_charge_pkt(e);
		/* The frame's buffers, each index and length read once. */
		bad_buf = too_big = false;
		for (f = 0; f < k && !bad_buf && !too_big; f++) {
			ss = &e->gring->slot[nm_idx_add(e->dcons, f, e->n)];
			flen[f] = nm_os_shared_load16(&ss->len);
			frag[f] = sim_emu_gbuf(e, nm_os_shared_load32(&ss->buf_idx));
			bad_buf = frag[f] == NULL;
			too_big = flen[f] > e->gring->nr_buf_size;
		}
		if (sim_emu_too_long(e, bytes))
			sim_emu_drop(e, true);
		else if (bad_buf)
			sim_emu_drop_bad_buf(e);
		else if (too_big)
			sim_emu_drop(e, false);
		else
			sim_emu_tap_send(e, frag, flen, k, bytes);
		e->dcons = nm_idx_add(e->dcons, k, e->n);
		moved += k;
	}
	return moved;
}

uint32_t sim_emu_tap_rx(struct sim_emu *e)
{
	struct sim_ep *ep = e->ep;
	uint32_t prod = nm_os_shared_load32(&e->sh.prod), moved = 0;
	uint32_t len, k, f, off, c, di, chunk = sim_ep_chunk(e->gring->nr_buf_size);
	const uint8_t *data;
	struct netmap_slot *ds;
	uint8_t *dst;
	bool ok;

	if (prod >= e->n)
		return 0;
	/* prod before the buffers it hands over; pairs with the
	 * nm_os_fence_store_store() in sim_emu_guest_publish(). */
	nm_os_fence_load_load();
	while (e->dcons != prod && (data = sim_tap_peek(e->tap, &len)) != NULL) {
		k = sim_ep_slots(len, chunk);
		if (sim_emu_too_long(e, len) || k > NETMAP_MAX_FRAGS || k > e->n - 1) {
			sim_emu_tap_syscall(e);
			sim_emu_drop(e, true);
			sim_tap_pop(e->tap);
			moved++;
			continue;
		}
		if (nm_idx_dist(e->dcons, prod, e->n) < k)
			break; /* the guest offers too few buffers yet */
		sim_emu_tap_syscall(e);
		sim_emu_charge_pkt(e);
		/* read(): the copy out of the skb into the guest's buffers. */
		ok = true;
		for (f = 0, off = 0; f < k && ok; f++, off += c) {
			di = nm_idx_add(e->dcons, f, e->n);
			ds = &e->gring->slot[di];
			c = len - off < chunk ? len - off : chunk;
			dst = sim_emu_gbuf(e, nm_os_shared_load32(&ds->buf_idx));
			ok = dst != NULL;
			if (!ok)
				break;
			nm_os_memcpy(dst, data + off, c);
			sim_ep_st(ep)->copy_bytes_host += c;
			nm_os_shared_store16(&ds->len, (uint16_t)c);
			nm_os_shared_store16(&ds->flags, f + 1 < k ? NS_MOREFRAG : 0);
		}
		sim_tap_pop(e->tap);
		if (ok) {
			e->dcons = nm_idx_add(e->dcons, k, e->n);
			sim_ep_st(ep)->frame_bytes += len;
		} else {
			sim_emu_drop_bad_buf(e);
		}
		moved++;
	}
	return moved;
}
