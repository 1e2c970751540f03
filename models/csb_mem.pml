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
 *            orders).
 *   -DARM    ARMv8-like, as the explorer's --mem arm (docs/models.md): the
 *            same buffers, but the flusher drains any entry that has no
 *            older entry for its address and no store-store fence before
 *            it since an older one (FENCE_SS, the seam's release); a load
 *            not served by its own buffer may return the value its word
 *            held before the last store reached memory (one older value
 *            per word: old_v), until the thread reads the newest
 *            (coherence) or passes a load-load fence, a full fence or a
 *            wake-up (FENCE_LL, FENCE_SL, ACQUIRE).
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
 *   MUT_NO_LDLD          no load-load fence between the two loads of an
 *                        index pair, on both sides (only ARM sees it)
 *   MUT_PLAIN_RELEASE    no store-store fence between the two stores of an
 *                        index pair, on both sides (only ARM sees it)
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
    defined(MUT_SWAP_PUBLISH) || defined(MUT_RX_WAIT_IF_ROOM) || defined(MUT_NO_LDLD) || \
    defined(MUT_PLAIN_RELEASE)
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

#ifdef ARM
byte sb_a[2 * SB];	/* buffered store: address */
byte sb_v[2 * SB];	/* buffered store: value */
bit sb_f[2 * SB];	/* a store-store fence lies between it and the one before */
byte sb_n[2];		/* entries in use per thread */
bit ss_pend[2];		/* a store-store fence since the last buffered store */
byte old_v[NVARS];	/* the value each word held before its last drain */
bit stale[2 * NVARS];	/* thread may still read old_v of that word */
/* Scratch, always 0 between atomic steps (no state). */
bit w_own;
byte w_i, w_j, w_k, w_cnt;
bit w_ok;

inline STORE(thr, adr, val)
{
#ifndef MUTANT
	assert(sb_n[thr] < SB);
#endif
	d_step {
		sb_n[thr] < SB ->
		sb_a[thr * SB + sb_n[thr]] = adr;
		sb_v[thr * SB + sb_n[thr]] = val;
		sb_f[thr * SB + sb_n[thr]] = ss_pend[thr];
		ss_pend[thr] = 0;
		sb_n[thr]++;
		PWHO(thr); printf("store "); PNAME(adr);
		printf(" = %d  (into my store buffer, %d pending)\n", val, sb_n[thr])
	}
}

/* Later loads of thr see the newest value of every word. */
inline SEE_NEWEST(thr)
{
	w_i = 0;
	do
	:: w_i < NVARS -> stale[thr * NVARS + w_i] = 0; w_i++
	:: else -> break
	od;
	w_i = 0
}

inline LOAD(thr, adr, res)
{
	atomic {
		res = mem[adr];
		w_own = 0;
		sbi = 0;
		do
		:: sbi < sb_n[thr] ->
			if
			:: sb_a[thr * SB + sbi] == adr ->
				res = sb_v[thr * SB + sbi];
				w_own = 1
			:: else -> skip
			fi;
			sbi++
		:: else -> break
		od;
		sbi = 0;
		if
		:: w_own == 0 && stale[thr * NVARS + adr] ->
			res = old_v[adr];
			PWHO(thr); printf("load  "); PNAME(adr);
			printf(" -> %d  (stale: a newer value is in memory)\n", res)
		:: w_own == 0 && stale[thr * NVARS + adr] ->
			stale[thr * NVARS + adr] = 0;
			PWHO(thr); printf("load  "); PNAME(adr); printf(" -> %d\n", res)
		:: else ->
			PWHO(thr); printf("load  "); PNAME(adr); printf(" -> %d\n", res)
		fi;
		w_own = 0
	}
}

inline FENCE_SS(thr)
{
	d_step {
		if
		:: sb_n[thr] > 0 -> ss_pend[thr] = 1
		:: else -> skip
		fi;
		PWHO(thr); printf("store-store fence\n")
	}
}

inline FENCE_LL(thr)
{
	d_step {
		SEE_NEWEST(thr);
		PWHO(thr); printf("load-load fence\n")
	}
}

inline FENCE_SL(thr)
{
	atomic {
		sb_n[thr] == 0;
		SEE_NEWEST(thr);
		PWHO(thr); printf("full fence (store buffer empty)\n")
	}
}

inline NOTIFY(thr, latch)
{
	atomic {
		sb_n[thr] == 0 -> latch = 1;
		SEE_NEWEST(thr);
		PWHO(thr); printf("NOTIFY the peer\n")
	}
}

/* Woken by a notification, or a poll saw the change: a full barrier. */
inline ACQUIRE(thr)
{
	d_step { SEE_NEWEST(thr) }
}

/* Is entry w_i of t's buffer drainable?  Into w_ok. */
inline DRAINABLE(t)
{
	w_ok = 1;
	w_j = 0;
	do
	:: w_j < w_i ->
		if
		:: sb_a[t * SB + w_j] == sb_a[t * SB + w_i] || sb_f[t * SB + w_j + 1] ->
			w_ok = 0
		:: else -> skip
		fi;
		w_j++
	:: else -> break
	od;
	w_j = 0
}

proctype flusher(byte t)
{
	byte a;
end:
	do
	:: atomic {
		sb_n[t] > 0 ->
		/* How many entries may drain now (entry 0 always may). */
		w_cnt = 0;
		w_i = 0;
		do
		:: w_i < sb_n[t] ->
			DRAINABLE(t);
			w_cnt = w_cnt + w_ok;
			w_i++
		:: else -> break
		od;
		/* Choose the w_k-th of them. */
		w_k = 0;
		do
		:: w_k + 1 < w_cnt -> w_k++
		:: break
		od;
		w_i = 0;
		do
		:: true ->
			DRAINABLE(t);
			if
			:: w_ok && w_k == 0 -> break
			:: w_ok && w_k > 0 -> w_k--
			:: else -> skip
			fi;
			w_i++
		od;
		/* Entry w_i reaches memory; the value it replaces stays
		 * readable by the other thread until it reads the newest. */
		a = sb_a[t * SB + w_i];
		old_v[a] = mem[a];
		mem[a] = sb_v[t * SB + w_i];
		stale[(1 - t) * NVARS + a] = 1;
		stale[t * NVARS + a] = 0;
		PWHO(t); printf("        store buffer drains: ");
		PNAME(a); printf(" = %d now visible\n", mem[a]);
		/* The fence before it now separates the entries around it. */
		if
		:: w_i + 1 < sb_n[t] && sb_f[t * SB + w_i] ->
			sb_f[t * SB + w_i + 1] = 1
		:: else -> skip
		fi;
		do
		:: w_i + 1 < sb_n[t] ->
			sb_a[t * SB + w_i] = sb_a[t * SB + w_i + 1];
			sb_v[t * SB + w_i] = sb_v[t * SB + w_i + 1];
			sb_f[t * SB + w_i] = sb_f[t * SB + w_i + 1];
			w_i++
		:: else -> break
		od;
		sb_n[t]--;
		sb_a[t * SB + sb_n[t]] = 0;
		sb_v[t * SB + sb_n[t]] = 0;
		sb_f[t * SB + sb_n[t]] = 0;
		sb_f[t * SB] = 0;	/* nothing is older than entry 0 */
		if
		:: sb_n[t] == 0 -> ss_pend[t] = 0
		:: else -> skip
		fi;
		a = 0;
		w_i = 0;
		w_k = 0;
		w_cnt = 0;
		w_ok = 0
	   }
	od
}
#elif defined(TSO)
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
#if defined(ARM) && !defined(MUT_PLAIN_RELEASE)
	/* cur before head; pairs with FENCE_LL in READ_ATOK. */
	FENCE_SS(APP);
#endif
	STORE(APP, A_HEAD, h)
#endif
}

/* Kernel: read head, load-load fence, read cur.  head < N and cur < N are
 * the first thing the prologue checks. */
inline READ_ATOK(head, cur)
{
	LOAD(KERN, A_HEAD, head);
#if defined(ARM) && !defined(MUT_NO_LDLD)
	/* head before cur; pairs with FENCE_SS in PUBLISH_ATOK. */
	FENCE_LL(KERN);
#endif
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
#if defined(ARM) && !defined(MUT_PLAIN_RELEASE)
	/* hwcur before hwtail; pairs with FENCE_LL in READ_KTOA. */
	FENCE_SS(KERN);
#endif
	STORE(KERN, K_HWTAIL, hwtail)
#endif
}

/* Application: read hwtail, load-load fence, read hwcur; the pair must be
 * consistent with the application's own head (hwcur <= head <= hwtail on
 * the circle): seeing a newer hwtail with an older hwcur breaks it. */
inline READ_KTOA(h, hwtail_v, hwcur_v)
{
	LOAD(APP, K_HWTAIL, hwtail_v);
#if defined(ARM) && !defined(MUT_NO_LDLD)
	/* hwtail before hwcur; pairs with FENCE_SS in PUBLISH_KTOA. */
	FENCE_LL(APP);
#endif
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
