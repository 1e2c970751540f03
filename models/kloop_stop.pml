/*
 * kloop_stop.pml - SYNC_KLOOP_START against SYNC_KLOOP_STOP from another
 * thread (kmod/nmlab_kloop.c: nmlab_kloop_start(), nmlab_kloop_stop_req();
 * the bug zoo's case kloop_stop_before_start, docs/bugzoo.md).
 *
 * START runs its checks and either starts the kloop thread (task) or fails,
 * then blocks until the kloop's generation ends; STOP ends a running
 * kloop's generation.  Each ioctl body is one atomic step (the port lock).
 * A STOP that finds no kloop running is kept (pending, the reference's
 * STOPPING flag) and consumed by the next START that gets past its first
 * checks: that START then returns at once, without a pass.
 *
 * Property (safety at quiescence, as in csb_*.pml): when nothing can move,
 * START has returned.  MUT_LOST_STOP is the module before commit 8cdc023:
 * a STOP with no kloop running was forgotten, so a START that lost the race
 * blocked forever.
 */

bool task;		/* a kloop thread runs */
bool pending;		/* a STOP kept for the next START */
byte gen;		/* the kloop's generation: a START waits for its end */
bool start_returned;

active proctype starter()
{
	byte my;
	bool stop_first;

	atomic {
		/* Past the busy and CSB checks: consume an earlier STOP. */
		stop_first = pending;
		pending = false;
#ifdef MUT_LOST_STOP
		stop_first = false;
#endif
		if
		:: stop_first ->
			/* Valid, but already stopped: a run without a pass. */
			my = gen;
			gen++;
			printf("START: a STOP came first, return at once\n")
		:: !stop_first ->
			if
			:: task = true; my = gen;
			   printf("START: kloop %d runs\n", my)
			:: start_returned = true;
			   printf("START: later checks failed, EINVAL\n");
			   goto out
			fi
		fi
	}
	/* START blocks until its generation ends. */
	(gen != my);
	start_returned = true;
	printf("START returns\n");
out:
	skip
}

active proctype stopper()
{
	atomic {
		if
		:: task ->
			task = false;
			gen++;
			printf("STOP: kloop stopped\n")
		:: !task ->
#ifdef MUT_LOST_STOP
			printf("STOP: no kloop, request forgotten\n")
#else
			pending = true;
			printf("STOP: no kloop yet, kept for START\n")
#endif
		fi
	}
}

active proctype watchdog()
{
	timeout ->
	assert(start_returned)
}
