/*
 * test_sim_coro.c - coroutines for the simulator's actors (sim/sim_coro.c).
 *
 * Groups: switch (resume/yield order over interleaved coroutines, the
 * errors of resuming a finished or running one, locals of deep frames and
 * the FP rounding mode surviving switches), pool (stacks reused and
 * unmapped, a suspended coroutine destroyed, 100k creations, 1000 alive at
 * once, stack depth measured), guard (an overflow faults).
 * Built for the x86-64 switch (plain, asan) and for the ucontext fallback
 * (sim_coro_ucontext: the same file with -DSIM_CORO_UCONTEXT).
 */
#include "nm_test.h"

#include <errno.h>
#include <fenv.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_coro.h"

/* The same tests on the portable switch are their own unit (ctest
 * unit.sim_coro_ucontext.*, tests/sim.cmake). */
#ifdef SIM_CORO_UCONTEXT
#define NM_SIM_CORO_UNIT "sim_coro_ucontext"
#else
#define NM_SIM_CORO_UNIT "sim_coro"
#endif

/* ---- switch */

struct pp {
	char *log;	/* shared log, one "<id><step>" pair per step */
	unsigned id;
	unsigned steps;
	struct sim_coro *self;
	bool saw_self;
};

static void pp_body(void *arg)
{
	struct pp *p = arg;
	unsigned i;
	size_t n;

	for (i = 0; i < p->steps; i++) {
		p->saw_self = sim_coro_current() == p->self;
		n = strlen(p->log);
		p->log[n] = (char)('a' + p->id);
		p->log[n + 1] = (char)('0' + i);
		p->log[n + 2] = '\0';
		if (i + 1 < p->steps && sim_coro_yield() != 0)
			p->saw_self = false;
	}
}

static void test_sim_coro_pingpong_order(void **state)
{
	/* Resume order a b a c c b a b c: each coroutine continues where it
	 * yielded, so the log shows every one's steps in its own order. */
	static const unsigned order[] = {0, 1, 0, 2, 2, 1, 0, 1, 2};
	char log[64] = "";
	struct pp p[3];
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		p[i] = (struct pp){ .log = log, .id = i, .steps = 3 };
		p[i].self = sim_coro_create(pp_body, &p[i], 0);
		assert_non_null(p[i].self);
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		assert_int_equal(sim_coro_resume(p[order[i]].self), 0);
		assert_null(sim_coro_current());
		assert_true(p[order[i]].saw_self);
	}
	assert_string_equal(log, "a0b0a1c0c1b1a2b2c2");
	for (i = 0; i < 3; i++) {
		assert_true(sim_coro_done(p[i].self));
		assert_int_equal(sim_coro_destroy(p[i].self), 0);
	}
}

/* Coroutines record what they see and the thread asserts it: a failed
 * assertion must not longjmp across stacks. */
struct nest {
	struct sim_coro *outer, *inner;
	int inner_resumes_outer; /* what resuming its resumer returned */
	int outer_resumes_self;
	int bad;		 /* other calls that did not return 0 */
	bool outer_was_current;	 /* after the inner one yielded */
	char log[16];
};

static void nest_inner(void *arg)
{
	struct nest *n = arg;

	strcat(n->log, "i");
	n->inner_resumes_outer = sim_coro_resume(n->outer);
	n->bad += sim_coro_yield() != 0;
	strcat(n->log, "I");
}

static void nest_outer(void *arg)
{
	struct nest *n = arg;

	strcat(n->log, "o");
	n->outer_resumes_self = sim_coro_resume(n->outer);
	n->bad += sim_coro_resume(n->inner) != 0;
	/* The inner one yielded back here, not to the thread. */
	n->outer_was_current = sim_coro_current() == n->outer;
	strcat(n->log, "O");
	n->bad += sim_coro_yield() != 0;
	n->bad += sim_coro_resume(n->inner) != 0;
	strcat(n->log, "E");
}

static void test_sim_coro_resume_errors(void **state)
{
	struct nest n = { .log = "" };

	(void)state;
	assert_int_equal(sim_coro_yield(), -EPERM);
	assert_int_equal(sim_coro_resume(NULL), -EINVAL);
	n.outer = sim_coro_create(nest_outer, &n, 0);
	n.inner = sim_coro_create(nest_inner, &n, 0);
	assert_non_null(n.outer);
	assert_non_null(n.inner);
	assert_int_equal(sim_coro_resume(n.outer), 0);
	assert_string_equal(n.log, "oiO");
	assert_int_equal(n.outer_resumes_self, -EBUSY);
	assert_int_equal(n.inner_resumes_outer, -EBUSY);
	assert_true(n.outer_was_current);
	assert_false(sim_coro_done(n.outer));
	assert_int_equal(sim_coro_resume(n.outer), 0);
	assert_string_equal(n.log, "oiOIE");
	assert_int_equal(n.bad, 0);
	assert_true(sim_coro_done(n.inner));
	assert_true(sim_coro_done(n.outer));
	/* Finished: cannot be resumed, and nothing runs. */
	assert_int_equal(sim_coro_resume(n.outer), -EINVAL);
	assert_int_equal(sim_coro_resume(n.inner), -EINVAL);
	assert_string_equal(n.log, "oiOIE");
	assert_int_equal(sim_coro_destroy(n.inner), 0);
	assert_int_equal(sim_coro_destroy(n.outer), 0);
	assert_int_equal(sim_coro_destroy(NULL), 0);
}

static void self_destroy(void *arg)
{
	*(int *)arg = sim_coro_destroy(sim_coro_current());
}

static void test_sim_coro_destroy_running_refused(void **state)
{
	struct sim_coro *c;
	int rc = 1;

	(void)state;
	c = sim_coro_create(self_destroy, &rc, 0);
	assert_int_equal(sim_coro_resume(c), 0);
	assert_int_equal(rc, -EBUSY);
	assert_int_equal(sim_coro_destroy(c), 0);
}

/* Each frame fills its own locals with a pattern of (id, depth), yields at
 * the bottom, and counts what changed under it when it unwinds. */
static unsigned deep(unsigned id, unsigned depth, unsigned yields)
{
	volatile unsigned char buf[96];
	unsigned i, bad = 0;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(id * 31 + depth * 7 + i);
	if (depth > 0)
		bad += deep(id, depth - 1, yields);
	else
		for (i = 0; i < yields; i++)
			sim_coro_yield();
	for (i = 0; i < sizeof(buf); i++)
		bad += buf[i] != (unsigned char)(id * 31 + depth * 7 + i);
	return bad + (depth > 0 ? 0 : id * 1000);
}

struct deep_arg {
	unsigned id, bad;
};

static void deep_body(void *arg)
{
	struct deep_arg *d = arg;

	/* id * 1000 comes back through 24 returns: registers and return
	 * addresses survived too. */
	d->bad = deep(d->id, 24, 5) - d->id * 1000;
}

static void test_sim_coro_deep_locals_survive(void **state)
{
	struct deep_arg d[4];
	struct sim_coro *c[4];
	unsigned i, round;

	(void)state;
	for (i = 0; i < 4; i++) {
		d[i] = (struct deep_arg){ .id = i + 1, .bad = 99 };
		c[i] = sim_coro_create(deep_body, &d[i], 0);
		assert_non_null(c[i]);
	}
	for (round = 0; round < 6; round++)
		for (i = 0; i < 4; i++)
			assert_int_equal(sim_coro_resume(c[(i + round) % 4]), 0);
	for (i = 0; i < 4; i++) {
		assert_true(sim_coro_done(c[i]));
		assert_int_equal(d[i].bad, 0);
		sim_coro_destroy(c[i]);
	}
}

struct fp_arg {
	int mode;	  /* rounding mode this coroutine runs in */
	int seen[3];	  /* fegetround() after each resume */
	double third[3];  /* 1/3 computed after each resume */
};

static void fp_body(void *arg)
{
	struct fp_arg *f = arg;
	volatile double one = 1.0, three = 3.0;
	unsigned i;

	fesetround(f->mode);
	for (i = 0; i < 3; i++) {
		f->seen[i] = fegetround();
		f->third[i] = one / three;
		sim_coro_yield();
	}
}

static void test_sim_coro_fp_state_survives(void **state)
{
	struct fp_arg up = { .mode = FE_UPWARD }, down = { .mode = FE_DOWNWARD };
	volatile double one = 1.0, three = 3.0;
	struct sim_coro *cu, *cd;
	unsigned i;

	(void)state;
	assert_int_equal(fegetround(), FE_TONEAREST);
	cu = sim_coro_create(fp_body, &up, 0);
	cd = sim_coro_create(fp_body, &down, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sim_coro_resume(cu), 0);
		/* The coroutine's rounding mode stayed with it. */
		assert_int_equal(fegetround(), FE_TONEAREST);
		assert_int_equal(sim_coro_resume(cd), 0);
		assert_int_equal(fegetround(), FE_TONEAREST);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(up.seen[i], FE_UPWARD);
		assert_int_equal(down.seen[i], FE_DOWNWARD);
		/* Seen by the SSE unit (MXCSR) too, not only the x87 word. */
		assert_true(up.third[i] > down.third[i]);
		assert_true(up.third[i] == up.third[0]);
	}
	assert_true(one / three < up.third[0]);
	sim_coro_destroy(cu);
	sim_coro_destroy(cd);
}

/* ---- pool */

static void noop_body(void *arg)
{
	(*(unsigned *)arg)++;
}

static void yield_forever(void *arg)
{
	for (;;) {
		(*(unsigned *)arg)++;
		sim_coro_yield();
	}
}

/* Is the page holding p mapped? (msync: ENOMEM when it is not.) */
static bool mapped(const void *p)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	return msync((void *)((uintptr_t)p & ~(page - 1)), page, MS_ASYNC) == 0;
}

static void test_sim_coro_pool_reuses_stacks(void **state)
{
	struct sim_coro_stats s0, s;
	struct sim_coro *c[10];
	unsigned ran = 0, i;

	(void)state;
	sim_coro_pool_trim();
	sim_coro_stats(&s0);
	assert_int_equal(s0.pooled, 0);
	for (i = 0; i < 100; i++) {
		c[0] = sim_coro_create(noop_body, &ran, 0);
		assert_int_equal(sim_coro_resume(c[0]), 0);
		sim_coro_destroy(c[0]);
	}
	assert_int_equal(ran, 100);
	sim_coro_stats(&s);
	assert_int_equal(s.maps - s0.maps, 1);
	assert_int_equal(s.reuses - s0.reuses, 99);
	assert_int_equal(s.pooled, 1);
	for (i = 0; i < 10; i++)
		c[i] = sim_coro_create(noop_body, &ran, 0);
	sim_coro_stats(&s);
	assert_int_equal(s.live, s0.live + 10);
	assert_int_equal(s.mapped, s0.mapped + 10);
	for (i = 0; i < 10; i++)
		sim_coro_destroy(c[i]);
	sim_coro_stats(&s);
	assert_int_equal(s.live, s0.live);
	assert_int_equal(s.pooled, 10);
	assert_true(mapped(c[3]));
	assert_int_equal(sim_coro_pool_trim(), 10);
	sim_coro_stats(&s);
	assert_int_equal(s.mapped, s0.mapped);
	assert_int_equal(s.unmaps - s0.unmaps, 10);
	for (i = 0; i < 10; i++)
		assert_false(mapped(c[i]));
}

static void test_sim_coro_destroy_suspended(void **state)
{
	struct sim_coro_stats s0, s;
	struct sim_coro *c;
	unsigned n = 0;

	(void)state;
	sim_coro_pool_trim();
	sim_coro_stats(&s0);
	/* Not the pool's size: unmapped at once. */
	c = sim_coro_create(yield_forever, &n, 4 * SIM_CORO_STACK_DEFAULT);
	assert_int_equal(sim_coro_resume(c), 0);
	assert_int_equal(sim_coro_resume(c), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sim_coro_destroy(c), 0);
	assert_int_equal(n, 2); /* dropped: its loop did not go on */
	sim_coro_stats(&s);
	assert_int_equal(s.unmaps - s0.unmaps, 1);
	assert_int_equal(s.mapped, s0.mapped);
	assert_false(mapped(c));
	/* The pool's size: kept, and the next coroutine starts afresh on it. */
	c = sim_coro_create(yield_forever, &n, 0);
	sim_coro_resume(c);
	sim_coro_destroy(c);
	c = sim_coro_create(noop_body, &n, 0);
	sim_coro_stats(&s);
	assert_int_equal(s.reuses - s0.reuses, 1);
	assert_int_equal(sim_coro_resume(c), 0);
	assert_true(sim_coro_done(c));
	assert_int_equal(n, 4);
	sim_coro_destroy(c);
}

static void test_sim_coro_100k_from_pool(void **state)
{
	struct sim_coro_stats s0, s;
	struct sim_coro *c;
	unsigned ran = 0, i;

	(void)state;
	sim_coro_stats(&s0);
	for (i = 0; i < 100000; i++) {
		c = sim_coro_create(yield_forever, &ran, 0);
		assert_non_null(c);
		assert_int_equal(sim_coro_resume(c), 0);
		if (i % 2 == 0)
			assert_int_equal(sim_coro_resume(c), 0);
		sim_coro_destroy(c);
	}
	assert_int_equal(ran, 150000);
	sim_coro_stats(&s);
	/* At most one stack mapped (when the pool was empty). */
	assert_true(s.maps - s0.maps <= 1);
	assert_int_equal(s.live, s0.live);
}

struct many {
	unsigned id, rounds;
	uintptr_t local_at;  /* address of a local: on its own stack */
	unsigned bad;
};

static void many_body(void *arg)
{
	struct many *m = arg;
	volatile unsigned mine = m->id;

	m->local_at = (uintptr_t)&mine;
	for (;;) {
		m->rounds++;
		m->bad += mine != m->id;
		sim_coro_yield();
	}
}

static int cmp_uptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void test_sim_coro_1000_alive(void **state)
{
	enum { N = 1000 };
	static struct many m[N];
	static struct sim_coro *c[N];
	static uintptr_t at[N];
	struct sim_coro_stats s0, s;
	unsigned i, round;

	(void)state;
	sim_coro_pool_trim();
	sim_coro_stats(&s0);
	for (i = 0; i < N; i++) {
		m[i] = (struct many){ .id = i };
		c[i] = sim_coro_create(many_body, &m[i], 0);
		assert_non_null(c[i]);
	}
	for (round = 0; round < 3; round++)
		for (i = 0; i < N; i++)
			assert_int_equal(sim_coro_resume(c[(i * 7 + round) % N]), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(m[i].rounds, 3);
		assert_int_equal(m[i].bad, 0);
		at[i] = m[i].local_at;
	}
	/* Each on its own stack: locals at least a stack apart. */
	qsort(at, N, sizeof(at[0]), cmp_uptr);
	for (i = 1; i < N; i++)
		assert_true(at[i] - at[i - 1] >= SIM_CORO_STACK_DEFAULT);
	sim_coro_stats(&s);
	assert_int_equal(s.live, s0.live + N);
	for (i = 0; i < N; i++)
		sim_coro_destroy(c[i]);
	sim_coro_stats(&s);
	assert_int_equal(s.live, s0.live);
	assert_int_equal(s.pooled, SIM_CORO_POOL_MAX);
	assert_int_equal(s.mapped, s0.mapped + SIM_CORO_POOL_MAX);
	sim_coro_pool_trim();
	sim_coro_stats(&s);
	assert_int_equal(s.mapped, s0.mapped);
}

/* `depth` frames of 1 KiB each. */
static unsigned eat_stack(unsigned depth)
{
	volatile unsigned char buf[1024];

	buf[0] = (unsigned char)depth;
	buf[sizeof(buf) - 1] = (unsigned char)depth;
	if (depth > 1)
		return eat_stack(depth - 1) + buf[0] + buf[sizeof(buf) - 1];
	return buf[0];
}

static void eat_body(void *arg)
{
	eat_stack(*(unsigned *)arg);
}

static void test_sim_coro_stack_used_measured(void **state)
{
	struct sim_coro *c;
	unsigned kib = 16;
	size_t used;

	(void)state;
	sim_coro_pool_trim();
	c = sim_coro_create(eat_body, &kib, 0);
	assert_true(sim_coro_stack_used(c) < 256);
	assert_int_equal(sim_coro_resume(c), 0);
	used = sim_coro_stack_used(c);
	print_message("stack used by 16 frames of 1 KiB: %zu bytes\n", used);
	assert_true(used >= 16 * 1024);
	assert_true(used < SIM_CORO_STACK_DEFAULT);
	sim_coro_destroy(c);
}

/* ---- guard */

/* Run eat_stack(kib) in a coroutine of the default stack in a child;
 * its wait status. */
static int child_eats(unsigned kib)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sim_coro *c = sim_coro_create(eat_body, &kib, 0);

		sim_coro_resume(c);
		_exit(sim_coro_done(c) ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_sim_coro_overflow_faults(void **state)
{
	int st;

	(void)state;
	/* Within the stack: fine. */
	st = child_eats(32);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Past it: the guard page faults (ASan reports the stack overflow
	 * and exits 1 instead of dying of SIGSEGV). */
	st = child_eats(16 * SIM_CORO_STACK_DEFAULT / 1024);
	if (WIFSIGNALED(st))
		assert_int_equal(WTERMSIG(st), SIGSEGV);
	else
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0 &&
			    WEXITSTATUS(st) != 3);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest sw[] = {
		cmocka_unit_test(test_sim_coro_pingpong_order),
		cmocka_unit_test(test_sim_coro_resume_errors),
		cmocka_unit_test(test_sim_coro_destroy_running_refused),
		cmocka_unit_test(test_sim_coro_deep_locals_survive),
		cmocka_unit_test(test_sim_coro_fp_state_survives),
	};
	static const struct CMUnitTest pool[] = {
		cmocka_unit_test(test_sim_coro_pool_reuses_stacks),
		cmocka_unit_test(test_sim_coro_destroy_suspended),
		cmocka_unit_test(test_sim_coro_100k_from_pool),
		cmocka_unit_test(test_sim_coro_1000_alive),
		cmocka_unit_test(test_sim_coro_stack_used_measured),
	};
	static const struct CMUnitTest guard[] = {
		cmocka_unit_test(test_sim_coro_overflow_faults),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("switch", sw),
		NM_TEST_GROUP("pool", pool),
		NM_TEST_GROUP("guard", guard),
	};

	return nm_test_main(NM_SIM_CORO_UNIT, argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
