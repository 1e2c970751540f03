/*
 * sim_monitor.h - a scenario's monitors (an endpoint's `monitors:`): the
 * core's copy or zero-copy monitor of the endpoint's VALE port, drained
 * by an actor of its own, a host process like the endpoint's (pkt-gen
 * -f rx on "PORT/t", "/r", "/rt", "/z", ...), optionally into a pcap.
 *
 * Owns: the monitor port, its actor (each run: a system call syncing
 * every monitor RX ring, which releases the previous run's slots and
 * imports the new ones; per slot the application's work; frames gathered
 * over NS_MOREFRAG and written to the pcap; asleep, poll(), until the
 * monitor port's notifier wakes it), its counters, and the end-of-run
 * check: a monitor that dropped nothing saw exactly the frames the
 * endpoint's application moved in the monitored direction, one that
 * dropped saw no more (its drops are the core's `stats.dropped`, a reason
 * of their own, never a packet loss of the run).
 *
 * Locking: none (the simulator is single-threaded).
 */
#ifndef SIM_MONITOR_H
#define SIM_MONITOR_H

#include <stdint.h>
#include <stdbool.h>

#include "sim_ep.h"

struct nm_registry;
struct sim_monitor;

/* Spare buffers the port of endpoint cfg needs for its zero-copy
 * monitors (0 without any), given its ring size and the buffer size. */
uint32_t sim_monitor_spare_bufs(const struct sim_sc_endpoint *cfg,
				uint32_t buf_size);
/* Open monitor k of endpoint ep (its port open) and make its actor (the
 * world starts it with the others);
 * pcap_dir as the run's --pcap-out (NULL: a relative pcap is not written).
 * 0, or -errno with one line in err. */
int sim_monitor_open(struct sim_ep *ep, uint32_t k, struct nm_registry *reg,
		     const char *pcap_dir, struct sim_monitor **out,
		     char *err, size_t errlen);
/* After the run: drain what is left (as the monitor's process would
 * before it exits) and check it against the endpoint; checks counted in
 * *checks. */
void sim_monitor_finish(struct sim_monitor *m, uint64_t *checks);
/* What the report shows of a monitor (text and JSON alike); the strings
 * are the scenario's (endpoint name, pcap path: input, the report
 * escapes them) or constants. */
struct sim_monitor_stats {
	const char *ep_name;
	uint32_t k;	   /* the endpoint's monitor number */
	const char *mode;  /* "copy" or "zero-copy" */
	const char *rings; /* "tx", "rx" or "both" */
	uint64_t seen[2];  /* [NR_TX], [NR_RX]: whole frames seen */
	uint64_t dropped;  /* slots lost to a full monitor ring */
	uint64_t bad;	   /* parent slots not shown (bad index or length) */
	const char *pcap;  /* "" without one */
};
/* false: the monitor was never opened (nothing to report). */
bool sim_monitor_stats(const struct sim_monitor *m, struct sim_monitor_stats *out);
/* The pcap's path, or NULL; frames written. */
const char *sim_monitor_pcap(const struct sim_monitor *m, uint64_t *frames);
/* Close the pcap now (0, or -errno: a write failed), while the caller
 * can still report it; the report line keeps its path. */
int sim_monitor_flush(struct sim_monitor *m);
/* Close the monitor port and the pcap (0, or the pcap's -errno); the
 * actor must be finished (sim_actor_fini) first. */
int sim_monitor_close(struct sim_monitor *m);
/* The monitor's actor, for the world's list. */
struct sim_actor *sim_monitor_actor(struct sim_monitor *m);

#endif /* SIM_MONITOR_H */
