/*
 * sim_dev_e1000.c - the emulated Intel e1000 (QEMU) with netmap's native
 * driver in the guest, and the three improvements of Rizzo, Lettieri and
 * Maffione (ANCS 2013), each switchable from the scenario:
 *   itr_us          interrupt moderation: at most one interrupt per itr_us;
 *   send_combining  the driver defers the TDT write while a TX interrupt is
 *                   due, and the interrupt handler flushes it;
 *   csb             the paravirtual extension: TDT/RDT and TDH/RDH travel
 *                   through a shared block; a register write (exit) only
 *                   when the VMM's I/O thread asked for one, an interrupt
 *                   only when the guest asked for one.
 * Without csb every TDT/RDT write exits to the VMM (which sends in the vCPU
 * thread during the exit) and reading TDH to reclaim exits too.
 */
#include "sim_dev_emu.h"

static int sim_e1000_init(struct sim_ep *ep, char *err, size_t errlen)
{
	struct sim_emu_policy p = {
		.kick = ep->cfg->csb ? SIM_EMU_FLAG : SIM_EMU_ALWAYS,
		.irq = ep->cfg->csb ? SIM_EMU_FLAG : SIM_EMU_ALWAYS,
		.kick_cost = SIM_C_VMEXIT_USER,
		.irq_cost = SIM_C_COUNT,
		.pkt_cost = SIM_C_DEV_DESC,
		.pkt_dma = true,
		.tx_inline = !ep->cfg->csb,
		.reg_read_exits = !ep->cfg->csb,
		.backend_syscall = true,
		.send_combining = ep->cfg->send_combining,
		.itr_ns = ep->cfg->itr_us * 1000U,
		.max_frame = SIM_E1000_MAX_FRAME,
	};
	int rc = sim_emu_backend_policy(ep, &p, err, errlen);

	return rc != 0 ? rc : sim_emu_init(ep, &p, err, errlen);
}

static const struct sim_dev_ops sim_dev_e1000_ops = SIM_EMU_OPS("e1000", sim_e1000_init);

const struct sim_dev_key sim_dev_key_itr_us = {
	.name = "itr_us", .type = SIM_DEV_KEY_U32, .lo = 0, .hi = 10000, .def = 0,
	.unit = "us", .off = offsetof(struct sim_sc_endpoint, itr_us),
	.help = "interrupt moderation: at most one interrupt per itr_us, 0: off",
};
static const struct sim_dev_key sim_e1000_key_send_combining = {
	.name = "send_combining", .type = SIM_DEV_KEY_BOOL, .def = 0, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, send_combining),
	.help = "defer the TDT write while a TX interrupt is due",
};
static const struct sim_dev_key sim_e1000_key_csb = {
	.name = "csb", .type = SIM_DEV_KEY_BOOL, .def = 0, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, csb),
	.help = "the paravirtual extension: indices and flags in shared memory",
};
static const struct sim_dev_key *const sim_e1000_keys[] = {
	&sim_dev_key_itr_us, &sim_e1000_key_send_combining, &sim_e1000_key_csb,
	&sim_dev_key_backend, &sim_dev_key_txqueuelen, &sim_dev_key_more_hint,
	&sim_dev_key_indirect, NULL,
};

const struct sim_dev_desc sim_dev_e1000_desc = {
	.name = "e1000",
	.summary = "emulated Intel e1000 (QEMU), netmap's native driver in the guest",
	.keys = sim_e1000_keys,
	.model = { .threads = SIM_DEV_BACKEND, .ops = &sim_dev_e1000_ops },
};
