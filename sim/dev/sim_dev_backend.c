/*
 * sim_dev_backend.c - the VMM backend of the emulated e1000 and of virtio:
 * its scenario keys and the policy they make (struct sim_emu_policy's
 * backend fields, read by sim_dev_emu.c).
 *
 * backend     netmap: the VMM reaches a port of the scenario's VALE switch
 *             (what the models did before these keys); tap: a tap device
 *             on a host bridge (net/sim_tap.h): a write()/read() per frame
 *             (none for vhost, which calls the tun driver from the
 *             kernel), a copy each way, an skb, the bridge, and the tap's
 *             bounded queue (txqueuelen, drops counted).
 * more_hint   netmap only: the guest driver marks each frame "more coming"
 *             when its application hands over another at once (Linux's
 *             later xmit_more), and the VMM defers the switch txsync until
 *             a frame without the mark (KVM Forum 2013, "Improving VALE
 *             batching").
 * indirect    netmap only: the VMM puts a pointer to the guest's buffer in
 *             the port slot (NS_INDIRECT) instead of copying the frame, and
 *             completes the guest's descriptors only once the switch has
 *             consumed them (the same talk's indirect buffers).
 * Defaults (netmap, no hint, no indirect) leave every model as it was.
 */
#include "sim_dev_emu.h"

#include <errno.h>
#include <stdio.h>

static const char *const sim_backend_names[] = { "netmap", "tap", NULL };

const struct sim_dev_key sim_dev_key_backend = {
	.name = "backend", .type = SIM_DEV_KEY_ENUM, .def = SIM_BACKEND_NETMAP,
	.unit = "", .names = sim_backend_names,
	.off = offsetof(struct sim_sc_endpoint, backend),
	.help = "the VMM's backend: a VALE port (netmap) or a tap on a host bridge (tap)",
};
/* tun's default tx_queue_len (TUN_READQ_SIZE, drivers/net/tun.c): the
 * frames a tap holds for its reader before it drops. */
const struct sim_dev_key sim_dev_key_txqueuelen = {
	.name = "txqueuelen", .type = SIM_DEV_KEY_U32, .lo = 1, .hi = 65536, .def = 500,
	.unit = "packets", .off = offsetof(struct sim_sc_endpoint, txqueuelen),
	.help = "backend tap: frames the receiving tap queues before it drops (tap_queue_full)",
};
const struct sim_dev_key sim_dev_key_more_hint = {
	.name = "more_hint", .type = SIM_DEV_KEY_BOOL, .def = 0, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, more_hint),
	.help = "backend netmap, sender: the guest marks frames more-coming; the VMM defers its txsync",
};
const struct sim_dev_key sim_dev_key_indirect = {
	.name = "indirect", .type = SIM_DEV_KEY_BOOL, .def = 0, .unit = "",
	.off = offsetof(struct sim_sc_endpoint, indirect),
	.help = "backend netmap, sender: NS_INDIRECT slots point at guest buffers, no VMM copy",
};

int sim_dev_backend_check(const struct sim_sc_endpoint *c, const char **key,
			  char *err, size_t errlen)
{
	if (c->backend == SIM_BACKEND_TAP && (c->more_hint || c->indirect)) {
		*key = c->more_hint ? "more_hint" : "indirect";
		snprintf(err, errlen,
			 "endpoint %s: %s needs backend netmap (a tap has no txsync to defer and no NS_INDIRECT)",
			 c->name, *key);
		return -EINVAL;
	}
	/* The held TDT write waits for the TX interrupt, which indirect
	 * completion holds until the txsync the hint defers until the
	 * guest's next publication: the held write. */
	if (c->indirect && c->more_hint && c->send_combining) {
		*key = "indirect";
		snprintf(err, errlen,
			 "endpoint %s: indirect with more_hint and send_combining (expected at most two of them: the TDT write send_combining holds waits for an interrupt the other two defer)",
			 c->name);
		return -EINVAL;
	}
	if (c->txqueuelen < 1 || c->txqueuelen > 65536) {
		*key = "txqueuelen";
		snprintf(err, errlen, "endpoint %s: txqueuelen %u (expected 1..65536)",
			 c->name, c->txqueuelen);
		return -EINVAL;
	}
	return 0;
}

int sim_emu_backend_policy(const struct sim_ep *ep, struct sim_emu_policy *p,
			   char *err, size_t errlen)
{
	const struct sim_sc_endpoint *c = ep->cfg;
	const char *key;

	p->backend = c->backend;
	p->txqueuelen = c->txqueuelen;
	p->more_hint = c->more_hint;
	p->indirect = c->indirect;
	/* The scenario reader refuses these; a configuration built another
	 * way (a test, the fuzzer) gets the same line here. */
	return sim_dev_backend_check(c, &key, err, errlen);
}
