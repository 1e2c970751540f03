/*
 * vale_lease.pml - VALE phase 2: several senders forward into one receiver
 * ring through leases (reserve under the ring lock, copy unlocked, publish
 * under the lock); completions arrive out of order, hwtail moves in order.
 *
 * State under the ring lock: hwcur (receiver), hwtail (published), hwlease
 * (reserved), the lease array (end of each outstanding lease, or NOSLOT
 * while it is being copied) and lease_idx (next lease entry).  Every
 * critical section is one atomic step: all it touches is only ever accessed
 * under the lock, except the slots, which the protocol partitions between
 * their owners (a sender owns its leased slots until hwtail passes them;
 * the receiver owns [hwcur, hwtail)); the assertions check that partition.
 * The lock orders the unlocked slot copies, so sequential consistency is
 * the right memory model here.
 *
 * A sender sends B batches of 1..K one-slot packets.  It leases min(want,
 * space) slots (the rest is dropped, counted), copies them, and may stop
 * early (a packet that does not fit whole, a copy fault: the rest of the
 * batch is dropped, counted).  Unused leased slots are rolled back when the
 * lease is the newest one, else padded with empty packets; as in the code
 * (vale_fwd_run_close()), trimming, padding and completing are three steps:
 * trim under the lock, pad without it, complete under it.  Only the oldest
 * lease publishes: it walks forward over the completed leases and moves
 * hwtail to the end of the last one.
 *
 * Properties: hwtail only advances over fully written slots; a sender never
 * writes a slot the receiver still owns; per sender, packets are delivered
 * in order, never twice, and delivered + dropped = sent; at quiescence no
 * slot is leased or unpublished.
 * Mutant MUT_YOUNGER_FIRST: a completed lease publishes its end even when an
 * older lease is still being copied.
 */

#ifndef N
#define N 4		/* receiver ring slots */
#endif
#ifndef S
#define S 2		/* senders */
#endif
#ifndef B
#define B 2		/* batches per sender */
#endif
#ifndef K
#define K 2		/* max packets per batch */
#endif

#define NL N		/* lease entries: every outstanding lease holds >= 1 slot */
#define NOSLOT 255
#define PAD 255		/* slot content of an empty (padding) packet */

#define ADD(i, k) ((((i) + (k)) >= N) -> ((i) + (k) - N) : ((i) + (k)))
#define DIST(a, b) (((b) >= (a)) -> ((b) - (a)) : ((b) + N - (a)))

/* Ring lock protected. */
byte hwcur, hwtail, hwlease;
byte leases[NL];
byte lease_idx;
byte outstanding;	/* leases taken and not yet walked past */

/* Slots: 0 = free, PAD, or a packet id 1 + s * 16 + q. */
byte slot[N];

/* Ghost accounting. */
byte sent[S], dropped[S], delivered[S], next_q[S];
byte senders_done;

/* Publish up to newt; hwtail only moves over written slots. */
inline ADVANCE_HWTAIL(newt)
{
	j = hwtail;
	do
	:: j != newt ->
		assert(slot[j] != 0);
		j = ADD(j, 1)
	:: else -> break
	od;
	hwtail = newt
}

proctype sender(byte s)
{
	byte b, want, howmany, used, my_start, lidx, wend, j, upd, q;

	b = 0;
	do
	:: b == B -> break
	:: else ->
		if
		:: want = 1
#if K >= 2
		:: want = 2
#endif
#if K >= 3
		:: want = 3
#endif
		fi;
		sent[s] = sent[s] + want;
		/* 1. Reserve under the lock. */
		d_step {
			my_start = hwlease;
			howmany = N - 1 - DIST(hwcur, hwlease);
			if
			:: howmany > want -> howmany = want
			:: else -> skip
			fi;
			if
			:: howmany > 0 ->
				assert(outstanding < NL);
				lidx = lease_idx;
				assert(leases[lidx] == NOSLOT);
				lease_idx = (lease_idx + 1) % NL;
				outstanding++;
				hwlease = ADD(hwlease, howmany)
			:: else -> skip
			fi;
			dropped[s] = dropped[s] + want - howmany
		};
		if
		:: howmany == 0 -> goto next_batch
		:: else -> skip
		fi;
		/* 2. Copy without the lock. */
		used = 0;
		do
		:: used < howmany ->
			d_step {
				j = ADD(my_start, used);
				/* never overwrite a slot the receiver owns */
				assert(slot[j] == 0);
				slot[j] = 1 + s * 16 + q;
				q++;
				used++;
				j = 0
			}
		:: used < howmany -> break	/* stop early: rest dropped */
		:: else -> break
		od;
		skip;
		/* 3a. Trim under the lock (vale_lease_trim()): the newest
		 * lease gives its unused slots back, and the lease itself
		 * when it holds none. */
		d_step {
			dropped[s] = dropped[s] + howmany - used;
			q = q + howmany - used;
			wend = ADD(my_start, used);
			if
			:: used < howmany &&
			   (lidx + 1) % NL == lease_idx &&
			   hwlease == ADD(my_start, howmany) ->
				hwlease = wend;
				howmany = used;
				if
				:: used == 0 ->
					lease_idx = lidx;
					outstanding--
				:: else -> skip
				fi
			:: else -> skip
			fi
		};
		if
		:: howmany == 0 -> goto next_batch
		:: else -> skip
		fi;
		/* 3b. An older lease pads its unused slots with empty
		 * packets, without the lock (vale_fwd_run_close()): a later
		 * sender may lease, copy and complete meanwhile. */
		do
		:: d_step {
			wend != ADD(my_start, howmany) ->
			assert(slot[wend] == 0);
			slot[wend] = PAD;
			wend = ADD(wend, 1)
		   }
		:: else -> break
		od;
		skip;
		/* 3c. Complete under the lock (vale_lease_done()). */
		d_step {
			leases[lidx] = wend;
#ifdef MUT_YOUNGER_FIRST
			if
			:: my_start != hwtail ->
				/* publish my end over the older, unfinished leases */
				ADVANCE_HWTAIL(wend)
			:: else -> skip
			fi;
#endif
			if
			:: my_start == hwtail ->
				/* oldest lease: walk over the completed ones */
				j = lidx;
				do
				:: leases[j] != NOSLOT && outstanding > 0 ->
					upd = leases[j];
					leases[j] = NOSLOT;
					outstanding--;
					j = (j + 1) % NL
				:: else -> break
				od;
				ADVANCE_HWTAIL(upd)
			:: else -> skip
			fi;
			j = 0;
			upd = 0
		};
next_batch:
		skip;
		d_step {
			b++;
			want = 0;
			howmany = 0;
			used = 0;
			my_start = 0;
			lidx = 0;
			wend = 0
		}
	od;
	senders_done++
}

proctype receiver()
{
	byte v, s, q;

end:
	do
	:: d_step {
		hwcur != hwtail ->
		v = slot[hwcur];
		assert(v != 0);
		if
		:: v != PAD ->
			s = (v - 1) / 16;
			q = (v - 1) % 16;
			assert(s < S);
			/* per sender: in order, never twice */
			assert(q >= next_q[s]);
			next_q[s] = q + 1;
			delivered[s]++
		:: else -> skip
		fi;
		slot[hwcur] = 0;
		hwcur = ADD(hwcur, 1);
		v = 0;
		s = 0;
		q = 0
	   }
	od
}

active proctype watchdog()
{
	byte i;

end:
	timeout ->
	assert(senders_done == S);
	assert(hwcur == hwtail && hwtail == hwlease && outstanding == 0);
	i = 0;
	do
	:: i < S ->
		assert(delivered[i] + dropped[i] == sent[i]);
		i++
	:: else -> break
	od
}

init
{
	byte i;

	atomic {
		i = 0;
		do
		:: i < NL -> leases[i] = NOSLOT; i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < S -> run sender(i); i++
		:: else -> break
		od;
		run receiver()
	}
}
