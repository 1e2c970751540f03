/*
 * csb_mem.pml - shared memory of one CSB ring pair under two memory models,
 * and the switches every CSB model shares.
 *
 * Owns: the CSB words (atok: head, cur, appl_need_kick; ktoa: hwcur, hwtail,
 * kern_need_kick) as mem[], the two notification latches (KICK app->kernel,
 * IRQ kernel->app), and the accessors LOAD / STORE / FENCE_SL / NOTIFY.
 *
 * Memory models (one of):
 *   default  sequential consistency: a store is visible at once, fences are
 *            no-ops.
 *   -DTSO    x86-TSO: each thread has a FIFO store buffer of SB entries; a
 *            store enters the buffer (stalling while it is full; the
 *            correct models assert it never is), a load
 *            returns the newest own buffered value for its address or else
 *            memory, a flusher process per thread drains the oldest entry
 *            to memory at any time, a full fence waits for an empty buffer.
 *            store-store and load-load fences are no-ops (TSO keeps both
 *            orders), so the models only spell out the store-load ones.
 * A notification (eventfd write, MMIO kick exit, irqfd injection) executes
 * locked instructions before the peer can wake, so NOTIFY drains the
 * notifier's buffer and then sets the peer's latch.  A latch is an eventfd
 * counter: a notification sent before the peer sleeps is not lost.
 *
 * Mutants (test-only, one at a time):
 *   MUT_NO_ENABLE_FENCE  no full fence between setting my need-kick flag and
 *                        re-reading the peer's index
 *   MUT_NO_PUB_FENCE     no full fence between publishing my index and
 *                        reading the peer's need-kick flag (the reference,
 *                        defect D6), on both sides
 *   MUT_NO_RECHECK       no re-read of the peer's index after enabling
 *   MUT_BAD_INIT_KICK    the side that starts asleep starts with its
 *                        need-kick flag 0
 *   MUT_SWAP_PUBLISH     each side publishes its index pair in the wrong
 *                        order (app: head before cur; kernel: hwtail before
 *                        hwcur)
 * Modes: -DBUSY_WAIT (kernel polls the CSB, keeps kern_need_kick 0 and
 * never sleeps on a kick; interrupts are still sent).
 */

#ifndef N
#define N 3		/* ring slots */
#endif
#ifndef P
#define P 3		/* packets moved over the ring in one run */
#endif
#ifndef SB
#define SB 6		/* store-buffer entries per thread */
#endif

#if defined(MUT_NO_ENABLE_FENCE) || defined(MUT_NO_PUB_FENCE) || \
    defined(MUT_NO_RECHECK) || defined(MUT_BAD_INIT_KICK) || \
    defined(MUT_SWAP_PUBLISH) || defined(MUT_RX_WAIT_IF_ROOM)
#define MUTANT 1
#endif

#define A_HEAD 0
#define A_CUR 1
#define A_NEED_KICK 2
#define K_HWCUR 3
#define K_HWTAIL 4
#define K_NEED_KICK 5
#define NVARS 6

#define APP 0
#define KERN 1

/* Circular index helpers on N slots (same meaning as core/nm_idx.h). */
#define NEXT(i) (((i) + 1 == N) -> 0 : ((i) + 1))
#define PREV(i) (((i) == 0) -> (N - 1) : ((i) - 1))
#define DIST(a, b) (((b) >= (a)) -> ((b) - (a)) : ((b) + N - (a)))
#define IN_WIN(x, lo, hi) (DIST(lo, x) <= DIST(lo, hi))

byte mem[NVARS];

/* Trail annotations: printf runs only when a trail is replayed (spin -t),
 * never during verification, and adds no state. */
inline PNAME(adr)
{
	if
	:: adr == A_HEAD -> printf("atok.head")
	:: adr == A_CUR -> printf("atok.cur")
	:: adr == A_NEED_KICK -> printf("atok.appl_need_kick")
	:: adr == K_HWCUR -> printf("ktoa.hwcur")
	:: adr == K_HWTAIL -> printf("ktoa.hwtail")
	:: adr == K_NEED_KICK -> printf("ktoa.kern_need_kick")
	fi
}

inline PWHO(thr)
{
	if
	:: thr == APP -> printf("@@ app:  ")
	:: else -> printf("@@ kern: ")
	fi
}
bit kick_latch;		/* app -> kernel (ioeventfd) */
bit irq_latch;		/* kernel -> app (irqfd) */

#ifdef TSO
byte sb_a[2 * SB];	/* buffered store: address */
byte sb_v[2 * SB];	/* buffered store: value */
byte sb_n[2];		/* entries in use per thread */

inline STORE(thr, adr, val)
{
#ifndef MUTANT
	/* The correct protocol never fills a buffer, so the bound SB does not
	 * hide any TSO behaviour there (a mutant may stall on a full buffer,
	 * as a real store buffer does). */
	assert(sb_n[thr] < SB);
#endif
	d_step {
		sb_n[thr] < SB ->
		sb_a[thr * SB + sb_n[thr]] = adr;
		sb_v[thr * SB + sb_n[thr]] = val;
		sb_n[thr]++;
		PWHO(thr); printf("store "); PNAME(adr);
		printf(" = %d  (into my store buffer, %d pending)\n", val, sb_n[thr])
	}
}

inline LOAD(thr, adr, res)
{
	d_step {
		res = mem[adr];
		sbi = 0;
		do
		:: sbi < sb_n[thr] ->
			if
			:: sb_a[thr * SB + sbi] == adr -> res = sb_v[thr * SB + sbi]
			:: else -> skip
			fi;
			sbi++
		:: else -> break
		od;
		sbi = 0;
		PWHO(thr); printf("load  "); PNAME(adr); printf(" -> %d\n", res)
	}
}

inline FENCE_SL(thr)
{
	atomic {
		sb_n[thr] == 0;
		PWHO(thr); printf("full fence (store buffer empty)\n")
	}
}

inline NOTIFY(thr, latch)
{
	atomic {
		sb_n[thr] == 0 -> latch = 1;
		PWHO(thr); printf("NOTIFY the peer\n")
	}
}

proctype flusher(byte t)
{
	byte i;
end:
	do
	:: d_step {
		sb_n[t] > 0 ->
		mem[sb_a[t * SB]] = sb_v[t * SB];
		PWHO(t); printf("        store buffer drains: ");
		PNAME(sb_a[t * SB]); printf(" = %d now visible\n", sb_v[t * SB]);
		i = 1;
		do
		:: i < sb_n[t] ->
			sb_a[t * SB + i - 1] = sb_a[t * SB + i];
			sb_v[t * SB + i - 1] = sb_v[t * SB + i];
			i++
		:: else -> break
		od;
		sb_n[t]--;
		sb_a[t * SB + sb_n[t]] = 0;
		sb_v[t * SB + sb_n[t]] = 0;
		i = 0
	   }
	od
}
#else
inline STORE(thr, adr, val)
{
	d_step {
		mem[adr] = val;
		PWHO(thr); printf("store "); PNAME(adr); printf(" = %d\n", val)
	}
}

inline LOAD(thr, adr, res)
{
	d_step {
		res = mem[adr];
		PWHO(thr); printf("load  "); PNAME(adr); printf(" -> %d\n", res)
	}
}

inline FENCE_SL(thr)
{
	skip
}

inline NOTIFY(thr, latch)
{
	d_step {
		latch = 1;
		PWHO(thr); printf("NOTIFY the peer\n")
	}
}
#endif

/* The fence after enabling notifications, before re-reading the peer. */
inline ENABLE_FENCE(thr)
{
#ifdef MUT_NO_ENABLE_FENCE
	skip
#else
	FENCE_SL(thr)
#endif
}

/* The fence after publishing an index, before reading the peer's flag. */
inline PUB_FENCE(thr)
{
#ifdef MUT_NO_PUB_FENCE
	skip
#else
	FENCE_SL(thr)
#endif
}

/* Application: publish cur then head (store-store fence between them, a
 * no-op under TSO); the kernel reads them in the reverse order. */
inline PUBLISH_ATOK(h)
{
#ifdef MUT_SWAP_PUBLISH
	STORE(APP, A_HEAD, h);
	STORE(APP, A_CUR, h)
#else
	STORE(APP, A_CUR, h);
	STORE(APP, A_HEAD, h)
#endif
}

/* Kernel: read head, load-load fence, read cur.  head < N and cur < N are
 * the first thing the prologue checks. */
inline READ_ATOK(head, cur)
{
	LOAD(KERN, A_HEAD, head);
	LOAD(KERN, A_CUR, cur);
	assert(head < N && cur < N)
}

/* Kernel: publish hwcur then hwtail. */
inline PUBLISH_KTOA(hwcur, hwtail)
{
#ifdef MUT_SWAP_PUBLISH
	STORE(KERN, K_HWTAIL, hwtail);
	STORE(KERN, K_HWCUR, hwcur)
#else
	STORE(KERN, K_HWCUR, hwcur);
	STORE(KERN, K_HWTAIL, hwtail)
#endif
}

/* Application: read hwtail, load-load fence, read hwcur; the pair must be
 * consistent with the application's own head (hwcur <= head <= hwtail on
 * the circle): seeing a newer hwtail with an older hwcur breaks it. */
inline READ_KTOA(h, hwtail_v, hwcur_v)
{
	LOAD(APP, K_HWTAIL, hwtail_v);
	LOAD(APP, K_HWCUR, hwcur_v);
	assert(hwtail_v < N && hwcur_v < N);
	assert(IN_WIN(h, hwcur_v, hwtail_v))
}

/* Initial need-kick value of the side that starts asleep. */
#ifdef MUT_BAD_INIT_KICK
#define SLEEPER_INIT_KICK 0
#else
#define SLEEPER_INIT_KICK 1
#endif
