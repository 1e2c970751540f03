/*
 * xp.h - an exhaustive interleaving explorer for real core code running on
 * the simulator backend.
 *
 * Owns: the explored state (shared words, per-thread FIFO store buffers,
 * per-thread replay records, the system's own snapshot), the memory model
 * installed as nm_sim_os.mem (sequential consistency, x86-TSO or an
 * ARMv8-like weak model), and a depth-first search with a visited set of
 * 64-bit state hashes.
 *
 * How a thread runs: each thread is a driver (the system's code) that calls
 * core functions.  Every shared load, store and fence inside them is an
 * event and a scheduling point.  To run a thread one event further, the
 * engine restores the thread's objects as they were when its current core
 * call began and calls it again: the events already done are replayed (a
 * load returns the value recorded the first time, a store or fence does
 * nothing), the next one is performed for real on the explored state, and
 * the engine longjmp()s out of the call.  Core code is deterministic given
 * the values its loads return, so (objects at call start, values loaded
 * since) is the whole of a thread's local state: no stacks to save, and a
 * state is a plain struct that can be copied and hashed.  A call that
 * returns without a new event has completed; the driver then decides what
 * comes next.  Store-buffer drains (under TSO and ARM) are separate actions.
 *
 * ARM (XP_ARM), after the Linux kernel memory model's description of
 * ARMv8 (tools/memory-model): a store waits in its thread's buffer and
 * entries for different words may drain in any order, except that none
 * drains past a store-store fence that precedes it (a fence_store_store
 * followed by a store is our release store); a load may return an older
 * value of its word than the newest, never one older than what the thread
 * already read or wrote there (coherence), and after a load-load fence or
 * a full fence only the newest (so loads may be reordered with loads
 * except across the seam's fences).  Which value a load returns is part
 * of the action (run thread t, reading the value c stores back).  Not
 * modelled: load buffering (a later store made visible before an earlier
 * load is satisfied) and dependencies; the core code orders everything it
 * needs with the seam's fences, which is what this mode checks.
 *
 * Not thread-safe; one exploration at a time (it owns nm_sim_os.mem).
 */
#ifndef XP_H
#define XP_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XP_THREADS 2
#define XP_WORDS 32	   /* shared 32-bit words (two 64-byte lines) */
#define XP_SB_MAX 16	   /* store-buffer entries per thread */
#define XP_LOADS_MAX 32	   /* loads per core call */
#define XP_SYS_MAX 1024	   /* bytes of the system's snapshot */
#define XP_OLD 3	   /* ARM: older values kept per word */
#define XP_CHOICES (XP_OLD + 1) /* ARM: values a load may return */

enum xp_memory_model { XP_SC, XP_TSO, XP_ARM };

struct xp_sb {
	uint8_t n;
	uint8_t epoch;		   /* ARM: store-store fences since entry 0 */
	uint8_t word[XP_SB_MAX];
	uint8_t ep[XP_SB_MAX];	   /* ARM: fences before this entry, from 0 */
	uint32_t val[XP_SB_MAX];
};

/* ARM: the values of each word older than mem[w] that some thread may
 * still read (oldest first), and per thread the oldest it may read. */
struct xp_hist {
	uint8_t nold[XP_WORDS];
	uint8_t lo[XP_THREADS][XP_WORDS]; /* 0..nold; nold: only the newest */
	uint32_t old[XP_WORDS][XP_OLD];
};

struct xp_thread {
	uint8_t phase;	/* the driver's phase (system-defined) */
	uint8_t nev;	/* events done in the current core call */
	uint8_t nloads; /* loads among them */
	uint8_t pad;
	uint32_t arg;	/* argument of the current core call */
	uint32_t loads[XP_LOADS_MAX];
};

struct xp_state {
	uint32_t mem[XP_WORDS];
	struct xp_sb sb[XP_THREADS];
	struct xp_thread th[XP_THREADS];
	struct xp_hist hist; /* ARM only; zero otherwise */
	unsigned char sys[XP_SYS_MAX];
};

struct xp;

/* What a system (the drivers around the core code) provides. */
struct xp_system {
	unsigned nthreads;
	const char *const *thread_names;
	volatile void *shared; /* base of the XP_WORDS shared words */
	/* Name of a shared word, for traces. */
	const char *(*word_name)(unsigned w);
	/* Copy thread t's objects from s->sys into the live objects. */
	void (*restore)(const struct xp_state *s, unsigned t);
	/* Can thread t move in s (not asleep, not finished)? */
	bool (*enabled)(const struct xp_state *s, unsigned t);
	/* Run thread t's current phase: call the core function (the engine
	 * may longjmp out of it after one new event) and, when it returns,
	 * do the driver's bookkeeping (xp_call_done()).  0, or -1 with why
	 * filled for a property violation. */
	int (*run)(struct xp *x, struct xp_state *s, unsigned t);
	/* Hash of the parts of s->sys that influence behaviour. */
	uint64_t (*hash)(const struct xp_state *s, uint64_t h);
	/* Does run() declare what a completed call touches beyond its own
	 * thread (xp_touch(), xp_drain())?  If not, a completion is taken to
	 * touch everything (only --por cares). */
	bool footprints;
	/* Invariant on every state: 0, or -1 with why filled. */
	int (*check)(struct xp *x, const struct xp_state *s);
	/* Property at quiescence (nothing can move): 0, or -1 with why. */
	int (*quiescent)(struct xp *x, const struct xp_state *s);
};

struct xp_stats {
	uint64_t states;      /* distinct states stored */
	uint64_t transitions; /* actions applied */
	uint64_t revisits;    /* transitions into a stored state */
	uint64_t quiescent;   /* quiescent states checked */
	uint64_t max_depth;
	uint64_t pruned;      /* actions not applicable (ARM load choices) */
	uint64_t slept;       /* actions skipped by sleep sets (--por) */
	uint64_t reexplored;  /* --por: stored states explored again */
	uint64_t clamps;      /* ARM: a value dropped from a full history */
	double seconds;
};

struct xp {
	const struct xp_system *sys;
	enum xp_memory_model mm;
	bool verbose; /* print events (used to replay a counterexample) */
	bool por;     /* partial-order reduction: sleep sets (see xp.c) */
	char why[512];
	struct xp_stats stats;
	/* the running thread */
	struct xp_state *cur;
	unsigned t;
	unsigned ev, li;
	unsigned choice; /* ARM: the load of this action reads newest - choice */
	bool invalid;	 /* the choice does not apply to the next event */
	uint32_t rd, wr; /* words the new event read / wrote (bit masks) */
	uint8_t avail;	 /* ARM: older values the new event could have read */
	jmp_buf jb;
};

/*
 * Explore every state reachable from init.  Returns 0 when all states
 * satisfy the properties, 1 when a violation was found (x->why says which,
 * and the trace has been printed to stdout), -1 on an explorer limit
 * (x->why says which).
 */
int xp_explore(struct xp *x, const struct xp_state *init, uint64_t max_states);

/* For run(): the current core call completed; the thread's next call (or
 * blocked phase) is phase, with argument arg. */
void xp_call_done(struct xp_state *s, unsigned t, uint8_t phase, uint32_t arg);
/* For run(): thread t notifies its peer (a locked operation): its store
 * buffer is drained first (and, under ARM, it is a full fence). */
void xp_drain(struct xp *x, struct xp_state *s, unsigned t);
/* For run(): thread t was woken by a notification or its poll saw a
 * change: the wake-up is a full barrier (the kernel's wake_up/schedule
 * pair), so its next loads see the newest values (a no-op but under ARM). */
void xp_acquire(struct xp *x, struct xp_state *s, unsigned t);
/* For run(), with footprints: the completed call also read / wrote
 * these shared things (bit w: shared word w; XP_FP_SYS: the system's own
 * shared state, e.g. notification latches; it shares its bit with word 31,
 * which only adds dependencies). */
#define XP_FP_SYS (1U << 31)
void xp_touch(struct xp *x, uint32_t rd, uint32_t wr);
/* For run() and check(): record a violation. */
int xp_fail(struct xp *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* For run(): print a driver-level line when replaying a counterexample. */
void xp_note(struct xp *x, unsigned t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* XP_H */
