/*
 * csb_kloop_ctl.c - the sync kloop's START/STOP decision (csb_kloop_ctl.h).
 */
#include "csb_kloop_ctl.h"

#include "csb.h"

bool csb_kloop_ctl_start(struct csb_kloop_ctl *c)
{
	bool run = !c->stop_pending;

	/* The reference marks the kloop running here, which ends any
	 * earlier STOP request, whatever this START then does. */
	c->stop_pending = false;
	c->running = run;
	return run;
}

bool csb_kloop_ctl_stop(struct csb_kloop_ctl *c)
{
	if (c->running)
		return true;
	/* The historical bug: a STOP that wins the race against its START
	 * finds nothing to stop and is dropped; the START then runs until
	 * the file is closed. */
	if (!CSB_MUTANT(CSB_MUT_LOST_STOP))
		c->stop_pending = true;
	return false;
}

void csb_kloop_ctl_exit(struct csb_kloop_ctl *c)
{
	c->running = false;
}
