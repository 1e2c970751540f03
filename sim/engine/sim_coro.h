/*
 * sim_coro.h - coroutines for the simulator's actors (issue 12): each
 * coroutine runs a function on its own stack and can suspend itself
 * (sim_coro_yield) back to whoever resumed it (sim_coro_resume).
 *
 * Owns: the coroutines, their stacks and a pool of stacks for reuse.  A
 * stack is an anonymous mapping with a PROT_NONE guard page below it, so an
 * overflow faults instead of writing into a neighbour; the coroutine's own
 * record lives at the top of that mapping, so creating one from the pool and
 * every resume or yield allocate nothing.
 *
 * Invariants:
 *  - a coroutine is NEW (never run), RUNNING (on the chain of resumers that
 *    leads to the code running now), SUSPENDED (yielded) or DONE (its
 *    function returned); only NEW and SUSPENDED ones can be resumed;
 *  - a yield goes back to the resumer (a coroutine or the thread itself);
 *    resumes nest: a coroutine may resume another one;
 *  - sim_coro_destroy() of a SUSPENDED coroutine drops its stack without
 *    unwinding it: nothing the function was doing is finished and nothing it
 *    holds is released.  Simulator actors are C functions that hold no
 *    resources (locks, allocations) across a yield, so that is all they need.
 *
 * The switch is our own on x86-64 (callee-saved registers, stack pointer,
 * MXCSR and the x87 control word; about a dozen instructions) and glibc's
 * ucontext elsewhere, or with -DSIM_CORO_UCONTEXT; both give the same API.
 * See docs/simulator.md ("Coroutines") and docs/PERFORMANCE.md for the
 * measurements behind that choice.  Under ASan every switch is announced
 * (__sanitizer_start_switch_fiber); under valgrind each stack is registered.
 *
 * Locking: none.  One thread (the simulator's) owns all coroutines.
 */
#ifndef SIM_CORO_H
#define SIM_CORO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Usable stack of a coroutine created with stack_bytes 0, and the only size
 * the pool keeps.  The core's step functions are shallow (see "Coroutines"
 * in docs/simulator.md for the depths measured). */
#define SIM_CORO_STACK_DEFAULT (64u * 1024u)
/* Stacks the pool keeps for reuse; more are unmapped when destroyed. */
#define SIM_CORO_POOL_MAX 256u

struct sim_coro;

/*
 * A NEW coroutine that will run fn(arg) on a stack of at least stack_bytes
 * (0: SIM_CORO_STACK_DEFAULT) when first resumed; NULL when the stack cannot
 * be mapped.  Nothing runs until sim_coro_resume().
 */
struct sim_coro *sim_coro_create(void (*fn)(void *), void *arg,
				 size_t stack_bytes);

/*
 * Run c until it yields or its function returns, then return here.
 * 0, or -EINVAL (c is NULL or DONE), -EBUSY (c is RUNNING: itself or one of
 * its resumers).  Whether it finished: sim_coro_done(c).
 */
int sim_coro_resume(struct sim_coro *c);

/*
 * From inside a coroutine: suspend it and return to its resumer; returns 0
 * when it is resumed again.  -EPERM outside any coroutine.
 */
int sim_coro_yield(void);

/* The coroutine running now, NULL when the thread itself is. */
struct sim_coro *sim_coro_current(void);

/* Has c's function returned? */
bool sim_coro_done(const struct sim_coro *c);

/*
 * Free c (NULL is ignored): its stack goes back to the pool or is unmapped.
 * NEW, SUSPENDED (stack dropped without unwinding, see above) and DONE
 * coroutines may be destroyed; 0, or -EBUSY for a RUNNING one.
 */
int sim_coro_destroy(struct sim_coro *c);

/*
 * Bytes of c's stack ever written, measured from its top down to the lowest
 * non-zero byte: exact on a freshly mapped stack (the pool was empty),
 * an upper bound on a reused one.  For measuring how deep actors go.
 */
size_t sim_coro_stack_used(const struct sim_coro *c);

/* Counters of the stacks (for tests, benchmarks and leak checks). */
struct sim_coro_stats {
	uint64_t maps;	  /* stacks mapped (mmap calls) */
	uint64_t unmaps;  /* stacks unmapped */
	uint64_t reuses;  /* creations served from the pool */
	uint32_t live;	  /* coroutines created and not yet destroyed */
	uint32_t pooled;  /* stacks kept for reuse */
	uint32_t mapped;  /* mappings held now: live + pooled */
};

void sim_coro_stats(struct sim_coro_stats *s);

/* Unmap every pooled stack; returns how many. */
uint32_t sim_coro_pool_trim(void);

#endif /* SIM_CORO_H */
