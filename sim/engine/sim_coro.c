/*
 * sim_coro.c - coroutine switch, stacks and their pool (sim_coro.h).
 *
 * One mapping per coroutine, lowest address first:
 *
 *   [ guard page, PROT_NONE ][ stack ... grows down ...  | struct sim_coro ]
 *   map                       c->stack                   c (top, 64-aligned)
 *
 * Switch (x86-64): sim_coro_swap(&save_sp, load_sp) pushes the callee-saved
 * registers and the FP control words on the current stack, stores the stack
 * pointer in *save_sp, loads load_sp and pops the same frame from there.  A
 * NEW coroutine's stack is given such a frame by hand, whose return address
 * is sim_coro_boot, which calls sim_coro_main().  Everything caller-saved is
 * the compiler's business: sim_coro_swap is an ordinary external call to it.
 *
 * Sanitizers: every switch is bracketed by __sanitizer_start_switch_fiber
 * (before, on the stack being left; with NULL when that stack ends for
 * good, so its fake stack is freed) and __sanitizer_finish_switch_fiber
 * (after, on the stack arrived on).  A stack dropped without unwinding
 * keeps the poisoning of its frames, so it is unpoisoned before reuse.
 *
 * Locking: none; single-threaded (the current coroutine and the pool are
 * plain globals).
 */
#include "sim_coro.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(SIM_CORO_UCONTEXT)
#define SIM_CORO_ASM 1
#else
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SIM_CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_CORO_ASAN 1
#endif
#endif
#ifdef SIM_CORO_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SIM_CORO_VALGRIND 1
#endif
#endif

enum sim_coro_state {
	SIM_CORO_NEW,
	SIM_CORO_RUNNING,
	SIM_CORO_SUSPENDED,
	SIM_CORO_DONE,
};

struct sim_coro {
#ifdef SIM_CORO_ASM
	void *sp;		/* its stack pointer while not running */
	void *caller_sp;	/* its resumer's while it runs */
#else
	ucontext_t uc;
	ucontext_t caller_uc;
#endif
	void (*fn)(void *);
	void *arg;
	struct sim_coro *caller; /* its resumer (NULL: the thread) */
	enum sim_coro_state state;
	bool cancel;		/* destroyed while suspended: end at once */
	unsigned char *stack;	/* lowest usable byte, above the guard */
	size_t stack_bytes;	/* usable: from stack up to this record */
	void *map;		/* the mapping, guard page included */
	size_t map_bytes;
	struct sim_coro *next_free; /* pool link */
#ifdef SIM_CORO_ASAN
	void *fake_stack;	/* its ASan fake stack while not running */
	const void *caller_bottom; /* its resumer's stack, for the yield */
	size_t caller_size;
#endif
#ifdef SIM_CORO_VALGRIND
	unsigned vg_id;
#endif
};

static struct sim_coro *sim_coro_cur;
static struct sim_coro *sim_coro_pool;
static struct sim_coro_stats sim_coro_st;

void sim_coro_main(void) __attribute__((noreturn, visibility("hidden")));

#ifdef SIM_CORO_ASM
int sim_coro_swap(void **save_sp, void *load_sp)
	__attribute__((visibility("hidden")));
void sim_coro_boot(void) __attribute__((visibility("hidden")));

/*
 * The saved frame, from the saved stack pointer up: MXCSR (4 bytes) and the
 * x87 control word (2) in 16 bytes, r15, r14, r13, r12, rbx, rbp, return
 * address.  The SysV ABI makes the control bits of both callee-saved, so a
 * coroutine that changes its rounding mode keeps it to itself (as
 * Boost.Context does).  It returns 0 and leaves by an indirect jump, not
 * `ret`: a `ret` to the other stack's return address is mispredicted by
 * the return stack buffer every time (17 ns a switch instead of 11 in
 * bench_coro), while the jump's target is learnt.  Shadow stacks (CET SHSTK) are not supported: the
 * `ret` lands on another stack; glibc 2.36 never enables them.
 */
__asm__(".text\n"
	".p2align 4\n"
	".globl sim_coro_swap\n"
	".hidden sim_coro_swap\n"
	".type sim_coro_swap, @function\n"
	"sim_coro_swap:\n"
	"	.cfi_startproc\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $16, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	fldcw 4(%rsp)\n"
	"	addq $16, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	popq %rcx\n"
	"	xorl %eax, %eax\n"
	"	jmp *%rcx\n"
	"	.cfi_endproc\n"
	".size sim_coro_swap, .-sim_coro_swap\n"
	/* First return into a NEW coroutine: rbp is 0 and the return
	 * address undefined, so unwinders (gdb, ASan) stop here. */
	".p2align 4\n"
	".globl sim_coro_boot\n"
	".hidden sim_coro_boot\n"
	".type sim_coro_boot, @function\n"
	"sim_coro_boot:\n"
	"	.cfi_startproc\n"
	"	.cfi_undefined rip\n"
	"	call sim_coro_main\n"
	"	ud2\n"
	"	.cfi_endproc\n"
	".size sim_coro_boot, .-sim_coro_boot\n");

/* Give a NEW coroutine the frame sim_coro_swap pops: zero registers, the
 * creator's FP control words, sim_coro_boot as return address, and the
 * stack 16-aligned after that return (the ABI's alignment at a call). */
static void sim_coro_arch_init(struct sim_coro *c)
{
	uintptr_t top = ((uintptr_t)c->stack + c->stack_bytes) & ~(uintptr_t)15;
	uint64_t *f = (uint64_t *)(top - 16 - 9 * 8);
	uint32_t mxcsr;
	uint16_t fcw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	memset(f, 0, 9 * 8);
	memcpy(&f[0], &mxcsr, sizeof(mxcsr));
	memcpy((char *)&f[0] + 4, &fcw, sizeof(fcw));
	f[8] = (uint64_t)(uintptr_t)sim_coro_boot;
	c->sp = f;
}

static inline int sim_coro_switch_in(struct sim_coro *c)
{
	return sim_coro_swap(&c->caller_sp, c->sp);
}

static inline int sim_coro_switch_out(struct sim_coro *c)
{
	return sim_coro_swap(&c->sp, c->caller_sp);
}
#else
static void sim_coro_boot_uc(void)
{
	sim_coro_main();
}

static void sim_coro_arch_init(struct sim_coro *c)
{
	if (getcontext(&c->uc) != 0)
		abort();
	c->uc.uc_stack.ss_sp = c->stack;
	c->uc.uc_stack.ss_size = c->stack_bytes;
	c->uc.uc_link = NULL;
	makecontext(&c->uc, sim_coro_boot_uc, 0);
}

static inline int sim_coro_switch_in(struct sim_coro *c)
{
	if (swapcontext(&c->caller_uc, &c->uc) != 0)
		abort();
	return 0;
}

static inline int sim_coro_switch_out(struct sim_coro *c)
{
	if (swapcontext(&c->uc, &c->caller_uc) != 0)
		abort();
	return 0;
}
#endif

/* ---- ASan: announce each switch (no-ops otherwise). */

#ifdef SIM_CORO_ASAN
static inline void sim_coro_asan_enter(struct sim_coro *c, void **save)
{
	__sanitizer_start_switch_fiber(save, c->stack, c->stack_bytes);
}
#endif

static inline void sim_coro_asan_leave(struct sim_coro *c, bool for_good)
{
#ifdef SIM_CORO_ASAN
	__sanitizer_start_switch_fiber(for_good ? NULL : &c->fake_stack,
				       c->caller_bottom, c->caller_size);
#else
	(void)c;
	(void)for_good;
#endif
}

/* Arrived on c's stack: note where we came from (the resumer's stack). */
static inline void sim_coro_asan_arrived(struct sim_coro *c)
{
#ifdef SIM_CORO_ASAN
	__sanitizer_finish_switch_fiber(c->fake_stack, &c->caller_bottom,
					&c->caller_size);
#else
	(void)c;
#endif
}

/* ---- Running. */

/* Leave c for good (its function returned, or it was destroyed while
 * suspended): back to its resumer, never to return. */
static void sim_coro_exit(struct sim_coro *c) __attribute__((noreturn));
static void sim_coro_exit(struct sim_coro *c)
{
	c->state = SIM_CORO_DONE;
	sim_coro_cur = c->caller;
	sim_coro_asan_leave(c, true);
	sim_coro_switch_out(c);
	abort(); /* a DONE coroutine is never resumed */
}

void sim_coro_main(void)
{
	struct sim_coro *c = sim_coro_cur;

	sim_coro_asan_arrived(c);
	c->fn(c->arg);
	sim_coro_exit(c);
}

int sim_coro_resume(struct sim_coro *c)
{
	if (c == NULL || c->state == SIM_CORO_DONE)
		return -EINVAL;
	if (c->state == SIM_CORO_RUNNING)
		return -EBUSY;
	c->caller = sim_coro_cur;
	c->state = SIM_CORO_RUNNING;
	sim_coro_cur = c;
#ifdef SIM_CORO_ASAN
	{
		void *fake = NULL;

		sim_coro_asan_enter(c, &fake);
		sim_coro_switch_in(c);
		/* Back: c yielded or ended (and reset sim_coro_cur). */
		__sanitizer_finish_switch_fiber(fake, NULL, NULL);
		return 0;
	}
#else
	/* Nothing to do once back (c yielded or ended, and reset
	 * sim_coro_cur): a tail call, so the switch comes back straight to
	 * our caller, one mispredicted return fewer per switch. */
	return sim_coro_switch_in(c);
#endif
}

int sim_coro_yield(void)
{
	struct sim_coro *c = sim_coro_cur;

	if (c == NULL)
		return -EPERM;
	c->state = SIM_CORO_SUSPENDED;
	sim_coro_cur = c->caller;
#ifdef SIM_CORO_ASAN
	sim_coro_asan_leave(c, false);
	sim_coro_switch_out(c);
	sim_coro_asan_arrived(c);
	if (c->cancel)
		sim_coro_exit(c);
	return 0;
#else
	/* A tail call, as in sim_coro_resume(); c->cancel is only set
	 * under ASan. */
	return sim_coro_switch_out(c);
#endif
}

struct sim_coro *sim_coro_current(void)
{
	return sim_coro_cur;
}

bool sim_coro_done(const struct sim_coro *c)
{
	return c->state == SIM_CORO_DONE;
}

/* ---- Stacks and the pool. */

static size_t sim_coro_page(void)
{
	static size_t page;

	if (page == 0)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

/* Mapping size for a usable stack of `bytes`: guard + stack + record. */
static size_t sim_coro_map_bytes(size_t bytes)
{
	size_t page = sim_coro_page();

	return page + (bytes + sizeof(struct sim_coro) + 64 + page - 1) / page * page;
}

static struct sim_coro *sim_coro_map(size_t map_bytes)
{
	size_t page = sim_coro_page();
	struct sim_coro *c;
	uintptr_t rec;
	void *map;

	map = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		   -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	if (mprotect(map, page, PROT_NONE) != 0) {
		munmap(map, map_bytes);
		return NULL;
	}
	rec = ((uintptr_t)map + map_bytes - sizeof(*c)) & ~(uintptr_t)63;
	c = (struct sim_coro *)rec;
	c->map = map;
	c->map_bytes = map_bytes;
	c->stack = (unsigned char *)map + page;
	c->stack_bytes = rec - (uintptr_t)c->stack;
#ifdef SIM_CORO_VALGRIND
	c->vg_id = VALGRIND_STACK_REGISTER(c->stack, c->stack + c->stack_bytes);
#endif
	sim_coro_st.maps++;
	sim_coro_st.mapped++;
	return c;
}

static void sim_coro_unmap(struct sim_coro *c)
{
#ifdef SIM_CORO_VALGRIND
	VALGRIND_STACK_DEREGISTER(c->vg_id);
#endif
	sim_coro_st.unmaps++;
	sim_coro_st.mapped--;
	munmap(c->map, c->map_bytes);
}

struct sim_coro *sim_coro_create(void (*fn)(void *), void *arg,
				 size_t stack_bytes)
{
	size_t want = sim_coro_map_bytes(stack_bytes != 0 ? stack_bytes
							  : SIM_CORO_STACK_DEFAULT);
	struct sim_coro *c = NULL;

	if (sim_coro_pool != NULL && sim_coro_pool->map_bytes == want) {
		c = sim_coro_pool;
		sim_coro_pool = c->next_free;
		sim_coro_st.pooled--;
		sim_coro_st.reuses++;
	} else {
		c = sim_coro_map(want);
		if (c == NULL)
			return NULL;
	}
	c->fn = fn;
	c->arg = arg;
	c->caller = NULL;
	c->state = SIM_CORO_NEW;
	c->cancel = false;
	c->next_free = NULL;
#ifdef SIM_CORO_ASAN
	c->fake_stack = NULL;
	c->caller_bottom = NULL;
	c->caller_size = 0;
#endif
	sim_coro_arch_init(c);
	sim_coro_st.live++;
	return c;
}

int sim_coro_destroy(struct sim_coro *c)
{
	if (c == NULL)
		return 0;
	if (c->state == SIM_CORO_RUNNING)
		return -EBUSY;
#ifdef SIM_CORO_ASAN
	/* Its fake stack (detect_stack_use_after_return) is freed only by a
	 * switch away from it for good: run it into sim_coro_exit(). */
	if (c->state == SIM_CORO_SUSPENDED) {
		c->cancel = true;
		sim_coro_resume(c);
	}
	/* Frames never returned from keep their redzones poisoned. */
	ASAN_UNPOISON_MEMORY_REGION(c->stack, c->stack_bytes);
#endif
	sim_coro_st.live--;
	if (sim_coro_st.pooled < SIM_CORO_POOL_MAX &&
	    c->map_bytes == sim_coro_map_bytes(SIM_CORO_STACK_DEFAULT)) {
		c->next_free = sim_coro_pool;
		sim_coro_pool = c;
		sim_coro_st.pooled++;
	} else {
		sim_coro_unmap(c);
	}
	return 0;
}

/* Reads below live frames: their ASan redzones are poisoned. */
__attribute__((no_sanitize_address))
size_t sim_coro_stack_used(const struct sim_coro *c)
{
	const unsigned char *p = c->stack, *end = c->stack + c->stack_bytes;

	while (p < end && *p == 0)
		p++;
	return (size_t)(end - p);
}

void sim_coro_stats(struct sim_coro_stats *s)
{
	*s = sim_coro_st;
}

uint32_t sim_coro_pool_trim(void)
{
	uint32_t n = 0;

	while (sim_coro_pool != NULL) {
		struct sim_coro *c = sim_coro_pool;

		sim_coro_pool = c->next_free;
		sim_coro_st.pooled--;
		sim_coro_unmap(c);
		n++;
	}
	return n;
}
