/*
 * csb_tx.pml - the CSB protocol on one TX ring: the application publishes
 * packets (cur, head), the kernel sync loop consumes them and publishes the
 * freed space (hwcur, hwtail).  Transmission completes inside the sync, so
 * hwtail = hwcur - 1 after every sync.
 *
 * Two notification hand-offs, each a Dekker pattern:
 *   KICK: app publishes head, full fence, reads kern_need_kick, kicks if set;
 *         kernel, out of work, sets kern_need_kick, full fence, re-reads head
 *         and sleeps only if nothing new arrived.
 *   IRQ:  kernel publishes hwtail, full fence, reads appl_need_kick, raises
 *         an interrupt if set; app, out of space, sets appl_need_kick, full
 *         fence, re-reads hwtail and sleeps only if nothing was freed.
 * Start states (both legal idle snapshots, chosen by init):
 *   KERN_ASLEEP  ring empty, kernel asleep waiting for a kick (eventfd
 *                mode only), app about to transmit;
 *   APP_ASLEEP   app published a full ring and sleeps waiting for space,
 *                kernel about to run.
 * Properties: the assertions in csb_mem.pml and below (safety), and the
 * watchdog: when no process can move (both sides asleep or finished, store
 * buffers drained) every packet must have been consumed - otherwise a
 * notification was lost.
 */
#include "csb_mem.pml"

#define START_KERN_ASLEEP 1
#define START_APP_ASLEEP 2

byte start;
byte g_sent;		/* packets the app published */
byte g_consumed;	/* packets the kernel consumed */

proctype app()
{
	byte h, hwcur_v, hwtail_v, t;
	byte sbi;

	hwtail_v = N - 1;
	if
	:: start == START_APP_ASLEEP ->
		h = N - 1;
		goto sleep
	:: else -> skip
	fi;
loop:
	if
	:: g_sent == P -> goto done
	:: else -> skip
	fi;
	if
	:: h == hwtail_v ->
		/* Would block: look at the kernel's latest pair. */
		READ_KTOA(h, hwtail_v, hwcur_v);
		if
		:: h != hwtail_v -> goto loop
		:: else -> skip
		fi;
		STORE(APP, A_NEED_KICK, 1);
		ENABLE_FENCE(APP);
#ifndef MUT_NO_RECHECK
		READ_KTOA(h, hwtail_v, hwcur_v);
		if
		:: h != hwtail_v ->
			STORE(APP, A_NEED_KICK, 0);
			goto loop
		:: else -> skip
		fi;
#endif
sleep:
		printf("@@ app:  SLEEP until interrupt\n");
end_app_sleep:
		atomic { irq_latch -> irq_latch = 0; printf("@@ app:  woken by interrupt\n") };
#ifdef ARM
		ACQUIRE(APP);
#endif
		STORE(APP, A_NEED_KICK, 0);
		goto loop
	:: else ->
		d_step {
			h = NEXT(h);
			g_sent++;
			printf("@@ app:  queues packet %d, head -> %d\n", g_sent, h)
		};
		PUBLISH_ATOK(h);
		PUB_FENCE(APP);
		LOAD(APP, K_NEED_KICK, t);
		if
		:: t != 0 -> NOTIFY(APP, kick_latch)
		:: else -> skip
		fi;
		t = 0;
		goto loop
	fi;
done:
	skip
}

proctype kern()
{
	byte rhead, rcur, hwcur, hwtail, rtail, head, cur, t;
	bit more_space;
	byte sbi;

	rtail = N - 1;
	hwtail = N - 1;
#ifndef BUSY_WAIT
	if
	:: start == START_KERN_ASLEEP -> goto sleep
	:: else -> skip
	fi;
#endif
top:
#ifndef BUSY_WAIT
	/* Running: the application need not kick. */
	STORE(KERN, K_NEED_KICK, 0);
#endif
	READ_ATOK(head, cur);
prologue:
	/* Never head ahead of cur; the TX prologue: head in [rhead, rtail],
	 * cur in [head, rtail]. */
	assert(DIST(rhead, head) <= DIST(rhead, cur));
	assert(IN_WIN(head, rhead, rtail) && IN_WIN(cur, head, rtail));
	rcur = cur;
	/* nm_sync: transmit [hwcur, head) and complete it at once. */
	d_step {
		g_consumed = g_consumed + DIST(hwcur, head);
		rhead = head;
		hwcur = head;
		hwtail = PREV(hwcur);
		printf("@@ kern: txsync: %d packets sent in all, hwcur %d hwtail %d\n",
		       g_consumed, hwcur, hwtail)
	};
	PUBLISH_KTOA(hwcur, hwtail);
	more_space = (hwtail != rtail);
	rtail = hwtail;
	if
	:: more_space ->
		PUB_FENCE(KERN);
		LOAD(KERN, A_NEED_KICK, t);
		if
		:: t != 0 -> NOTIFY(KERN, irq_latch)
		:: else -> skip
		fi;
		t = 0
	:: else -> skip
	fi;
	more_space = 0;
	READ_ATOK(head, cur);
	if
	:: head != rhead -> goto prologue
	:: else -> skip
	fi;
#ifdef BUSY_WAIT
	/* Idle: poll until the application's head changes in memory. */
end_kern_poll:
	mem[A_HEAD] != rhead;
#ifdef ARM
	/* A poll that saw the change orders what follows. */
	ACQUIRE(KERN);
#endif
	goto top;
#else
	STORE(KERN, K_NEED_KICK, 1);
	ENABLE_FENCE(KERN);
#ifndef MUT_NO_RECHECK
	READ_ATOK(head, cur);
	if
	:: head != rhead ->
		STORE(KERN, K_NEED_KICK, 0);
		goto prologue
	:: else -> skip
	fi;
#endif
sleep:
	printf("@@ kern: SLEEP until kick\n");
end_kern_sleep:
	atomic { kick_latch -> kick_latch = 0; printf("@@ kern: woken by kick\n") };
#ifdef ARM
	ACQUIRE(KERN);
#endif
	goto top
#endif
}

/* Quiescence: nothing can move.  Every published packet must have been
 * consumed and the app must have sent them all. */
active proctype watchdog()
{
end:
	timeout ->
	assert(g_sent == P && g_consumed == P)
}

init
{
	atomic {
		if
#ifndef BUSY_WAIT
		:: start = START_KERN_ASLEEP
#endif
		:: start = START_APP_ASLEEP
		fi;
		mem[K_HWCUR] = 0;
		mem[K_HWTAIL] = N - 1;
		if
		:: start == START_KERN_ASLEEP ->
			mem[A_NEED_KICK] = 1;
			mem[K_NEED_KICK] = SLEEPER_INIT_KICK
		:: start == START_APP_ASLEEP ->
			mem[A_HEAD] = N - 1;
			mem[A_CUR] = N - 1;
			g_sent = N - 1;
			mem[A_NEED_KICK] = SLEEPER_INIT_KICK;
			mem[K_NEED_KICK] = 0
		fi;
		run app();
		run kern();
#if defined(TSO) || defined(ARM)
		run flusher(APP);
		run flusher(KERN)
#endif
	}
}
