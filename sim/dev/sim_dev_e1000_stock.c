/*
 * sim_dev_e1000_stock.c - the emulated Intel e1000 (QEMU) with the stock
 * Linux driver in the guest instead of netmap's: the case the ANCS 2013
 * measurements started from.
 *
 * The application sends and receives through a socket, so every packet is
 * a system call of its own, and the driver writes TDT (or RDT) once per
 * packet (no xmit_more): whatever batch the application asks for, the
 * device sees one packet per register write, each an exit to the VMM.
 * Interrupt moderation (itr_us) works as on e1000; send combining and the
 * CSB are netmap's improvements and do not apply.  The guest's network
 * stack (skb allocation, UDP/IP) has no cost of its own in the model: the
 * figures are an upper bound for the stock path.
 */
#include "nm_idx.h"
#include "sim_dev_emu.h"

static int sim_e1000_stock_init(struct sim_ep *ep, char *err, size_t errlen)
{
	struct sim_emu_policy p = {
		.kick = SIM_EMU_ALWAYS,
		.irq = SIM_EMU_ALWAYS,
		.kick_cost = SIM_C_VMEXIT_USER,
		.irq_cost = SIM_C_COUNT,
		.pkt_cost = SIM_C_DEV_DESC,
		.pkt_dma = true,
		.tx_inline = true,
		.reg_read_exits = true,
		.backend_syscall = true,
		.send_combining = false,
		.itr_ns = ep->cfg->itr_us * 1000U,
		.max_frame = SIM_E1000_MAX_FRAME,
	};

	return sim_emu_init(ep, &p, err, errlen);
}

/* Hand [last head, ep->head) over one packet per sync (system call and
 * register write); with nothing new, one sync to learn the tail. */
static void sim_e1000_stock_sync(struct sim_ep *ep)
{
	uint32_t head = ep->head, h = ep->ring->head;

	if (h == head) {
		sim_emu_sync(ep);
		return;
	}
	while (h != head) {
		h = nm_idx_next(h, ep->n);
		ep->head = h;
		sim_emu_sync(ep);
	}
}

static const struct sim_dev_ops sim_dev_e1000_stock_ops =
	SIM_EMU_OPS_SYNC("e1000-stock", sim_e1000_stock_init, sim_e1000_stock_sync);

static const struct sim_dev_key *const sim_e1000_stock_keys[] = {
	&sim_dev_key_itr_us, NULL,
};

const struct sim_dev_desc sim_dev_e1000_stock_desc = {
	.name = "e1000-stock",
	.summary = "emulated Intel e1000 (QEMU), the stock Linux driver: one packet per syscall and TDT write",
	.keys = sim_e1000_stock_keys,
	.model = { .threads = SIM_DEV_BACKEND, .ops = &sim_dev_e1000_stock_ops },
};
