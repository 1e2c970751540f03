/*
 * csb_rx.pml - the CSB protocol on one RX ring: the kernel sync loop imports
 * packets from the backend (hwtail), the application consumes them and
 * releases the slots (cur, head), the kernel reclaims them (hwcur).  The
 * backend holds P slots of packets from the start and hands over one
 * packet per sync: a chain of CH slots (default 1), only when CH slots are
 * free by hwcur (what the kernel reclaimed: a switch or a pipe cannot see
 * what the application released since).
 *
 * Two notification hand-offs, each a Dekker pattern:
 *   IRQ:  kernel publishes hwtail, full fence, reads appl_need_kick, raises
 *         an interrupt if set; app, out of packets, sets appl_need_kick,
 *         full fence, re-reads hwtail and sleeps only if nothing arrived.
 *   KICK: app publishes head (slots released), full fence, reads
 *         kern_need_kick, kicks if set; kernel, without room for the next
 *         chain while the app holds slots, sets kern_need_kick, full fence,
 *         re-reads head and sleeps only if no slot was released.
 * MUT_RX_WAIT_IF_ROOM (the reference's rule): with a free slot the kernel
 * waits for the backend with kicks off instead; the backend wakes it only
 * when a chain fits, which with CH > 1 and fewer than CH free slots is
 * never, so the app's release is lost (caught with -DCH=2 -DN=4).
 * Start states (both legal idle snapshots, chosen by init):
 *   APP_ASLEEP   ring empty, app asleep waiting for an interrupt, kernel
 *                about to import;
 *   KERN_ASLEEP  ring full (N - 1 packets imported), kernel asleep waiting
 *                for a kick (eventfd mode only), app about to consume.
 * Properties: the assertions in csb_mem.pml and below (safety), and the
 * watchdog: when no process can move, every packet must have been imported
 * and consumed - otherwise a notification was lost.
 */
#include "csb_mem.pml"

#define START_APP_ASLEEP 1
#define START_KERN_ASLEEP 2

#ifndef CH
#define CH 1		/* slots per packet (chain) */
#endif
/* The next chain's slots, and the free slots between hwtail and hwcur. */
#define CHAIN ((P - g_imported < CH) -> (P - g_imported) : CH)
#define FREE(tail, cur) (N - 1 - DIST(cur, tail))

byte start;
byte g_imported;	/* slots the kernel imported into the ring */
byte g_got;		/* slots the app consumed */

proctype app()
{
	byte h, hwcur_v, hwtail_v, t;
	byte sbi;

	if
	:: start == START_APP_ASLEEP -> goto sleep
	:: else -> skip
	fi;
loop:
	if
	:: g_got == P -> goto done
	:: else -> skip
	fi;
	READ_KTOA(h, hwtail_v, hwcur_v);
	if
	:: h == hwtail_v ->
		/* Nothing to read: enable interrupts, re-check, sleep. */
		STORE(APP, A_NEED_KICK, 1);
		ENABLE_FENCE(APP);
#ifndef MUT_NO_RECHECK
		READ_KTOA(h, hwtail_v, hwcur_v);
		if
		:: h != hwtail_v ->
			STORE(APP, A_NEED_KICK, 0);
			goto consume
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
	:: else -> skip
	fi;
consume:
	skip;
	d_step {
		g_got = g_got + DIST(h, hwtail_v);
		h = hwtail_v;
		printf("@@ app:  consumed %d packets in all, head -> %d\n", g_got, h)
	};
	PUBLISH_ATOK(h);
	PUB_FENCE(APP);
	LOAD(APP, K_NEED_KICK, t);
	if
	:: t != 0 -> NOTIFY(APP, kick_latch)
	:: else -> skip
	fi;
	t = 0;
	goto loop;
done:
	skip
}

proctype kern()
{
	byte rhead, rcur, hwcur, hwtail, head, cur, t;
	bit got_some;
	byte sbi;

#ifndef BUSY_WAIT
	if
	:: start == START_KERN_ASLEEP ->
		hwtail = N - 1;
		goto sleep
	:: else -> skip
	fi;
#endif
top:
#ifndef BUSY_WAIT
	STORE(KERN, K_NEED_KICK, 0);
#endif
	READ_ATOK(head, cur);
prologue:
	/* Never head ahead of cur; the RX prologue: head in [hwcur, hwtail],
	 * cur in [head, hwtail]. */
	assert(DIST(hwcur, head) <= DIST(hwcur, cur));
	assert(IN_WIN(head, hwcur, hwtail) && IN_WIN(cur, head, hwtail));
	/* nm_sync: reclaim [hwcur, head), import one chain if it fits. */
	d_step {
		rhead = head;
		rcur = cur;
		hwcur = head;
		if
		:: g_imported < P && FREE(hwtail, hwcur) >= CHAIN ->
			hwtail = (hwtail + CHAIN) % N;
			g_imported = g_imported + CHAIN;
			got_some = 1
		:: else -> got_some = 0
		fi;
		printf("@@ kern: rxsync: %d packets imported in all, hwcur %d hwtail %d\n",
		       g_imported, hwcur, hwtail)
	};
	PUBLISH_KTOA(hwcur, hwtail);
	if
	:: got_some ->
		PUB_FENCE(KERN);
		LOAD(KERN, A_NEED_KICK, t);
		if
		:: t != 0 -> NOTIFY(KERN, irq_latch)
		:: else -> skip
		fi;
		t = 0
	:: else -> skip
	fi;
	got_some = 0;
	if
	:: g_imported == P -> goto done
	:: else -> skip
	fi;
	READ_ATOK(head, cur);
	if
	:: FREE(hwtail, head) >= CHAIN -> goto prologue
	:: else -> skip
	fi;
#ifdef MUT_RX_WAIT_IF_ROOM
	/* A free slot by what we reclaimed: wait for the backend, kicks off.
	 * It can wake us only when the next chain fits, and nothing here
	 * makes room before we run again. */
	if
	:: NEXT(hwtail) != hwcur ->
		printf("@@ kern: WAIT for the backend (kicks off)\n");
end_kern_backend:
		FREE(hwtail, hwcur) >= CHAIN;
		goto top
	:: else -> skip
	fi;
#endif
	/* No room for the next chain, and the app holds slots (else the ring
	 * would have room for any chain): wait for it to release some. */
#ifdef BUSY_WAIT
end_kern_poll:
	mem[A_HEAD] != head;
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
	goto top;
#endif
done:
	skip
}

/* Quiescence: nothing can move.  Every packet must have been imported and
 * consumed. */
active proctype watchdog()
{
end:
	timeout ->
	assert(g_imported == P && g_got == P)
}

init
{
	atomic {
		if
		:: start = START_APP_ASLEEP
#ifndef BUSY_WAIT
		:: start = START_KERN_ASLEEP
#endif
		fi;
		if
		:: start == START_APP_ASLEEP ->
			mem[A_NEED_KICK] = SLEEPER_INIT_KICK;
			mem[K_NEED_KICK] = 0
		:: start == START_KERN_ASLEEP ->
			mem[K_HWTAIL] = N - 1;
			g_imported = N - 1;
			mem[K_NEED_KICK] = SLEEPER_INIT_KICK
		fi;
		run app();
		run kern();
#if defined(TSO) || defined(ARM)
		run flusher(APP);
		run flusher(KERN)
#endif
	}
}
