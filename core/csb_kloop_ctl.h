/*
 * csb_kloop_ctl.h - the sync kloop's START/STOP decision, as steps.
 *
 * Owns: whether a kloop runs and whether a STOP arrived before its START
 * (the reference's NETMAP_REQ_SYNC_KLOOP_START / _STOP).  The loop itself,
 * its thread and its resources live in the backend (kmod/nmlab_kloop.c);
 * the simulator's zoo replays these steps (models/zoo/zoo_kctl.c).
 *
 * Invariants: a STOP is never lost: a STOP with no loop running is kept
 * (stop_pending) until the next START consumes it, and that START then
 * returns at once instead of running.  running is true from a START that
 * said "run" until csb_kloop_ctl_exit().
 *
 * Locking: the caller serialises every call with its own lock (kmod:
 * nmlab_lock, held by every entry point).  The steps never sleep.
 */
#ifndef CSB_KLOOP_CTL_H
#define CSB_KLOOP_CTL_H

#include "nm_util.h"

struct csb_kloop_ctl {
	bool running;	   /* a START said "run" and no exit() since */
	bool stop_pending; /* a STOP came with no loop running */
};

/* A START (the caller has checked that no loop runs).  Consumes a pending
 * STOP: true to run the loop (running is then set; call exit() if the
 * start fails after all), false to return at once, already stopped. */
bool csb_kloop_ctl_start(struct csb_kloop_ctl *c);
/* A STOP.  true: a loop runs and the caller must stop it (then exit());
 * false: none runs, the STOP is kept for the next START. */
bool csb_kloop_ctl_stop(struct csb_kloop_ctl *c);
/* The loop has ended (stopped, or its start failed). */
void csb_kloop_ctl_exit(struct csb_kloop_ctl *c);

#endif /* CSB_KLOOP_CTL_H */
