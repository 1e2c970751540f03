/*
 * sim_guest_stack.h - the guest's stock receive stack (rx_stack: napi):
 * a NAPI poll, a bounded socket queue and a consumer calling recv(), all
 * on the receiving guest's vCPU, between a virtio RX ring and the
 * application.  See sim_guest_stack.c for the model and docs/simulator.md
 * ("The guest's receive stack") for the keys.
 */
#ifndef SIM_GUEST_STACK_H
#define SIM_GUEST_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "sim_dev.h"
#include "sim_ep.h"

/* The stack's keys (listed by the devices that carry it: virtio). */
extern const struct sim_dev_key sim_stack_key_rx_stack;
extern const struct sim_dev_key sim_stack_key_napi_budget;
extern const struct sim_dev_key sim_stack_key_sockq_packets;
extern const struct sim_dev_key sim_stack_key_softirq_ns;
extern const struct sim_dev_key sim_stack_key_consumer_ns;
extern const struct sim_dev_key sim_stack_key_napi_yield;
/* The keys that mean something only with rx_stack: napi, NULL-terminated
 * (the scenario reader refuses them otherwise). */
extern const struct sim_dev_key *const sim_stack_napi_keys[];

/* Does endpoint configuration c run the stack (a receiver with napi)? */
static inline bool sim_guest_stack_on(const struct sim_sc_endpoint *c)
{
	return c->role == SIM_ROLE_RECEIVER && c->rx_stack == SIM_RX_STACK_NAPI;
}

/*
 * Building it on an emulated device (sim_dev_emu.h), in two halves so that
 * nothing the device registered has to be undone:
 *   sim_guest_stack_new()     before the device: everything that can fail
 *                             (the socket queue's ring; a frame that needs
 *                             more slots than a ring has is refused with
 *                             one line); *out is NULL when !_on();
 *   sim_guest_stack_attach()  after the device's init succeeded: the poll
 *                             actor, the interrupt routed to it, and ep's
 *                             ring and ops become the socket's;
 *   sim_guest_stack_free()    if the device's init failed instead.
 */
int sim_guest_stack_new(struct sim_ep *ep, struct sim_guest_stack **out,
			char *err, size_t errlen);
void sim_guest_stack_attach(struct sim_ep *ep, struct sim_guest_stack *s);
void sim_guest_stack_free(struct sim_guest_stack *s);

#endif /* SIM_GUEST_STACK_H */
