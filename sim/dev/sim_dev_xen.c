/*
 * sim_dev_xen.c - the Xen split driver: netfront in the guest, netback in
 * the driver domain.
 *
 * fast_path: false  the classic path: requests and responses on shared
 *                   rings, notifications through event channels (a
 *                   hypercall each way) suppressed with req_event/rsp_event
 *                   (RING_PUSH_*_AND_CHECK_NOTIFY, the same crossing test as
 *                   virtio's event index), and netback grant-copies every
 *                   packet to or from the switch port in its kernel.
 * fast_path: true   the accelerated netfront maps the switch port's netmap
 *                   rings (grant-mapped) and synchronises through the CSB
 *                   with the core's step functions; netback is not on the
 *                   data path.  Implemented by the ptnet model with event
 *                   channel costs (sim_dev_ptnet.c).
 */
#include "sim_dev_emu.h"

static int sim_xen_init(struct sim_ep *ep, char *err, size_t errlen)
{
	struct sim_emu_policy p = {
		.kick = SIM_EMU_EVENT_IDX,
		.irq = SIM_EMU_EVENT_IDX,
		.kick_cost = SIM_C_HYPERCALL,
		.irq_cost = SIM_C_HYPERCALL,
		.pkt_cost = SIM_C_GRANT_COPY,
		.pkt_dma = false,
		.tx_inline = false,
		.reg_read_exits = false,
		.backend_syscall = false,
		.send_combining = false,
		.itr_ns = 0,
	};

	return sim_emu_init(ep, &p, err, errlen);
}

static const struct sim_dev_ops sim_dev_xen_ops = SIM_EMU_OPS("xen", sim_xen_init);

static const struct sim_dev_key sim_xen_key_fast_path = {
	.name = "fast_path", .type = SIM_DEV_KEY_BOOL, .def = 0, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, fast_path),
	.help = "the accelerated netfront: port rings mapped, CSB sync, netback bypassed",
};
static const struct sim_dev_key *const sim_xen_keys[] = {
	&sim_xen_key_fast_path, NULL,
};

const struct sim_dev_desc sim_dev_xen_desc = {
	.name = "xen",
	.summary = "Xen netfront/netback (grant copy), or the accelerated netfront",
	.keys = sim_xen_keys,
	.model = { .threads = SIM_DEV_BACKEND, .ops = &sim_dev_xen_ops },
	.alt_key = &sim_xen_key_fast_path,
	.alt = { .threads = SIM_DEV_KLOOP, .ops = &sim_dev_ptnet_evtchn_ops },
};
