/*
 * sim_dev_xen_accel.h - the Xen accelerator plugin beside netfront and
 * netback: what the rest of the simulator sees of it (its key values, the
 * scenario check, the world's question "does this endpoint need a second
 * port?" and the figures the report prints).  The model itself is
 * sim_dev_xen_accel.c.
 */
#ifndef SIM_DEV_XEN_ACCEL_H
#define SIM_DEV_XEN_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_config.h"

struct sim_ep;

/* accel: which flows netfront hands to the plugin (index of the key's
 * names; off: no plugin, the model of fast_path decides). */
enum sim_xen_accel {
	SIM_XEN_ACCEL_OFF,
	SIM_XEN_ACCEL_ALL,
	SIM_XEN_ACCEL_NONE,
	SIM_XEN_ACCEL_EVEN, /* TCP/UDP source port even */
	SIM_XEN_ACCEL_ODD,  /* TCP/UDP source port odd */
	SIM_XEN_ACCEL_COUNT
};

/* accel_switch: how netfront moves flows between the paths. */
enum sim_xen_accel_switch {
	SIM_XEN_SWITCH_DRAIN, /* hold the moving flows until the old path drained */
	SIM_XEN_SWITCH_NAIVE, /* test only: move at once (reorders a flow) */
	SIM_XEN_SWITCH_COUNT
};

/* The keys' value names, by enum (NULL-terminated, for the device table). */
extern const char *const sim_xen_accel_names[SIM_XEN_ACCEL_COUNT + 1];
extern const char *const sim_xen_switch_names[SIM_XEN_SWITCH_COUNT + 1];

#define SIM_XEN_PATH_SLOW 0U
#define SIM_XEN_PATH_FAST 1U

/* One switch-over (withdraw: fast to slow; restore: slow to fast). */
struct sim_xen_switchover {
	bool requested, started, done;
	uint64_t req_ns;   /* the toolstack asked (accel_*_us) */
	uint64_t start_ns; /* netfront began it (its next sync) */
	uint64_t done_ns;  /* the old path had returned every slot of the moving flows */
	uint64_t pending;  /* those slots still out when it began */
	uint64_t held;	   /* frames netfront held back meanwhile */
};

struct sim_xen_accel_report {
	const char *flows;  /* the accel value */
	const char *mode;   /* the accel_switch value */
	uint64_t pkts[2], bytes[2]; /* handed to each path (SIM_XEN_PATH_*) */
	uint64_t held_max;  /* most frames held at once */
	bool present;	    /* the plugin at the end of the run */
	struct sim_xen_switchover withdraw, restore;
};

/* Does endpoint configuration c run the split (xen with accel set)? */
bool sim_xen_accel_on(const struct sim_sc_endpoint *c);

/* The combinations of keys the model rejects, for an endpoint c on a
 * switch of type swt: 0, or -EINVAL with what is wrong and what was
 * expected in msg (the scenario reader adds file, line and endpoint). */
int sim_xen_accel_check(const struct sim_sc_endpoint *c,
			enum sim_switch_type swt, char *msg, size_t msglen);

/* Build the split device of ep (xen's init, when accel is set) with slow,
 * the netfront/netback channel's operations, as its slow path; it installs
 * its own operations in ep->ops. */
struct sim_dev_ops;
int sim_xen_accel_init(struct sim_ep *ep, const struct sim_dev_ops *slow,
		       char *err, size_t errlen);

/* ep's figures, or false when ep does not run the split. */
bool sim_xen_accel_report(const struct sim_ep *ep, struct sim_xen_accel_report *r);

#endif /* SIM_DEV_XEN_ACCEL_H */
