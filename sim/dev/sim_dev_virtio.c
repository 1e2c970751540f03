/*
 * sim_dev_virtio.c - virtio-net with a vhost-net backend in the host kernel.
 *
 * The guest kicks through a notification register (a VM exit that KVM turns
 * into an ioeventfd signal for vhost) and vhost interrupts through an irqfd.
 * Notification suppression, as the virtio spec defines it:
 *   event_idx: false  flags: vhost clears VRING_USED_F_NO_NOTIFY only when
 *                     idle; the guest clears VRING_AVAIL_F_NO_INTERRUPT only
 *                     when it is about to sleep;
 *   event_idx: true   VIRTIO_RING_F_EVENT_IDX: kick only if the avail index
 *                     crossed avail_event, interrupt only if the used index
 *                     crossed used_event.
 * vhost reaches the switch port from the kernel (no system call) and copies
 * each packet after translating the guest address.
 * A receiver's guest may run the stock stack above the driver (rx_stack:
 * napi, sim_guest_stack.c): the NAPI poll takes the ring, the application
 * reads a socket.
 */
#include "sim_dev_emu.h"
#include "sim_guest_stack.h"

static int sim_virtio_init(struct sim_ep *ep, char *err, size_t errlen)
{
	enum sim_emu_notify how = ep->cfg->event_idx ? SIM_EMU_EVENT_IDX : SIM_EMU_FLAG;
	struct sim_emu_policy p = {
		.kick = how,
		.irq = how,
		.kick_cost = SIM_C_VMEXIT,
		.irq_cost = SIM_C_COUNT,
		.pkt_cost = SIM_C_DMA_MAP,
		.pkt_dma = false,
		.tx_inline = false,
		.reg_read_exits = false,
		.backend_syscall = false,
		.send_combining = false,
		.itr_ns = 0,
	};
	struct sim_guest_stack *stack;
	int rc;

	/* The backend's policy first (it only reads keys), then what can
	 * fail of the stack: the device registers actors with the run that
	 * a failure could not take back. */
	rc = sim_emu_backend_policy(ep, &p, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_guest_stack_new(ep, &stack, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_emu_init(ep, &p, err, errlen);
	if (rc != 0) {
		sim_guest_stack_free(stack);
		return rc;
	}
	if (stack != NULL)
		sim_guest_stack_attach(ep, stack);
	return 0;
}

static const struct sim_dev_ops sim_dev_virtio_ops = SIM_EMU_OPS("virtio", sim_virtio_init);

static const struct sim_dev_key sim_virtio_key_event_idx = {
	.name = "event_idx", .type = SIM_DEV_KEY_BOOL, .def = 1, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, event_idx),
	.help = "VIRTIO_RING_F_EVENT_IDX: notify on crossing the peer's event index, else flags",
};
static const struct sim_dev_key *const sim_virtio_keys[] = {
	&sim_virtio_key_event_idx, &sim_dev_key_backend, &sim_dev_key_txqueuelen,
	&sim_dev_key_more_hint, &sim_dev_key_indirect, &sim_stack_key_rx_stack,
	&sim_stack_key_napi_budget, &sim_stack_key_sockq_packets,
	&sim_stack_key_softirq_ns, &sim_stack_key_consumer_ns,
	&sim_stack_key_napi_yield, &sim_dev_key_vnet_hdr, &sim_dev_key_offloads,
	&sim_dev_key_mtu, NULL,
};

const struct sim_dev_desc sim_dev_virtio_desc = {
	.name = "virtio",
	.summary = "virtio-net with vhost in the host kernel",
	.keys = sim_virtio_keys,
	.model = { .threads = SIM_DEV_BACKEND, .ops = &sim_dev_virtio_ops },
};
