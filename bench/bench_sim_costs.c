/*
 * bench_sim_costs.c - nmlab-bench-sim-costs: measure, on this machine, the
 * cost-model primitives it can measure (docs/cost-model.md says which
 * figure comes from here and which from a publication).
 *
 *   syscall_ns      getppid() round trip
 *   wakeup_ns       one thread wakes another blocked in read() on an
 *                   eventfd: half of a ping-pong round trip
 *   cacheline_ns    two threads bounce one cache line (a flag each way):
 *                   half of a round trip
 *   copy_byte_ps    memcpy of 2048-byte buffers resident in L1/L2
 *   csum_byte_ps    the core's vale_csum_sum() over 1448-byte payloads
 *                   resident in L1 (the switch's segmentation)
 *   vmexit_user_ns  KVM: the guest executes OUT, KVM_RUN returns to this
 *                   process (exit handled in userspace), re-enter
 *   vmexit_ns       KVM: the guest executes OUT to a port bound to an
 *                   ioeventfd, handled in the kernel (no return to us)
 * Each figure is the median of --runs (default 5) with min and max; there
 * is no baseline ratio because these are the primitives themselves.  The
 * machine is shared: the thread figures include scheduling noise.  KVM
 * figures are skipped (reported as null) when /dev/kvm cannot be used.
 *
 *   nmlab-bench-sim-costs [--runs R] [--json FILE]
 */
#include "bench_json.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vale_offload.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double bench_syscall(void)
{
	const int n = 2000000;
	double t0 = now_s();
	int i;

	for (i = 0; i < n; i++)
		(void)getppid();
	return (now_s() - t0) / n * 1e9;
}

struct pp {
	int a, b;
	int n;
};

static void *pp_echo(void *arg)
{
	struct pp *p = arg;
	uint64_t v;
	int i;

	for (i = 0; i < p->n; i++) {
		if (read(p->a, &v, sizeof(v)) != sizeof(v))
			break;
		if (write(p->b, &v, sizeof(v)) != sizeof(v))
			break;
	}
	return NULL;
}

static double bench_wakeup(void)
{
	struct pp p = { eventfd(0, 0), eventfd(0, 0), 20000 };
	uint64_t v = 1;
	pthread_t t;
	double t0;
	int i;

	pthread_create(&t, NULL, pp_echo, &p);
	t0 = now_s();
	for (i = 0; i < p.n; i++) {
		if (write(p.a, &v, sizeof(v)) != sizeof(v) ||
		    read(p.b, &v, sizeof(v)) != sizeof(v))
			break;
	}
	t0 = now_s() - t0;
	pthread_join(t, NULL);
	close(p.a);
	close(p.b);
	return t0 / p.n / 2 * 1e9;
}

static volatile uint64_t line_a __attribute__((aligned(64)));
static volatile uint64_t line_b __attribute__((aligned(64)));

static void *cl_echo(void *arg)
{
	uint64_t i, n = *(uint64_t *)arg;

	for (i = 1; i <= n; i++) {
		while (__atomic_load_n(&line_a, __ATOMIC_ACQUIRE) != i)
			;
		__atomic_store_n(&line_b, i, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double bench_cacheline(void)
{
	uint64_t i, n = 200000;
	pthread_t t;
	double t0;

	line_a = line_b = 0;
	pthread_create(&t, NULL, cl_echo, &n);
	t0 = now_s();
	for (i = 1; i <= n; i++) {
		__atomic_store_n(&line_a, i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&line_b, __ATOMIC_ACQUIRE) != i)
			;
	}
	t0 = now_s() - t0;
	pthread_join(t, NULL);
	return t0 / (double)n / 2 * 1e9;
}

/* The core's Internet checksum (vale_csum_sum(), what the switch runs
 * when it segments or completes a checksum) over 1448-byte payloads. */
static double bench_csum(void)
{
	static uint8_t buf[1448 * 8];
	const int n = 100000;
	volatile uint32_t sink = 0;
	double t0;
	int i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	t0 = now_s();
	for (i = 0; i < n; i++)
		sink += vale_csum_sum(buf + (i & 7) * 1448, 1448);
	t0 = now_s() - t0;
	(void)sink;
	return t0 / n / 1448 * 1e12;
}

static double bench_copy(void)
{
	static uint8_t src[2048 * 8], dst[2048 * 8];
	const int n = 400000;
	volatile uint8_t sink;
	double t0;
	int i;

	memset(src, 1, sizeof(src));
	t0 = now_s();
	for (i = 0; i < n; i++) {
		memcpy(dst + (i & 7) * 2048, src + ((i + 3) & 7) * 2048, 2048);
		__asm__ volatile("" ::: "memory");
	}
	t0 = now_s() - t0;
	sink = dst[5];
	(void)sink;
	return t0 / n / 2048 * 1e12;
}

/* A real-mode guest: out %al, $0x10 in a loop; with count > 0 it does
 * count outs (ioeventfd-bound) then hlt. */
static int kvm_setup(int *kvm, int *vm, int *vcpu, struct kvm_run **run,
		     const uint8_t *code, size_t len)
{
	struct kvm_userspace_memory_region mem = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	void *guest;
	int size;

	*kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (*kvm < 0)
		return -1;
	*vm = ioctl(*kvm, KVM_CREATE_VM, 0);
	if (*vm < 0)
		return -1;
	guest = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (guest == MAP_FAILED)
		return -1;
	memcpy(guest, code, len);
	mem.slot = 0;
	mem.guest_phys_addr = 0x1000;
	mem.memory_size = 0x1000;
	mem.userspace_addr = (uint64_t)(uintptr_t)guest;
	if (ioctl(*vm, KVM_SET_USER_MEMORY_REGION, &mem) < 0)
		return -1;
	*vcpu = ioctl(*vm, KVM_CREATE_VCPU, 0);
	if (*vcpu < 0)
		return -1;
	size = ioctl(*kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	*run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    *vcpu, 0);
	if (*run == MAP_FAILED)
		return -1;
	if (ioctl(*vcpu, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(*vcpu, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rax = 1;
	regs.rflags = 0x2;
	return ioctl(*vcpu, KVM_SET_REGS, &regs);
}

static double bench_kvm_user_exit(void)
{
	/* 1000: out %al,$0x10 ; jmp 1000 */
	static const uint8_t code[] = { 0xe6, 0x10, 0xeb, 0xfc };
	int kvm, vm, vcpu, i, n = 100000;
	struct kvm_run *run;
	double t0;

	if (kvm_setup(&kvm, &vm, &vcpu, &run, code, sizeof(code)) != 0)
		return -1;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO)
			return -1;
	}
	t0 = now_s() - t0;
	close(vcpu);
	close(vm);
	close(kvm);
	return t0 / n * 1e9;
}

static double bench_kvm_ioeventfd_exit(void)
{
	/* mov $N,%cx ; 1: out %al,$0x10 ; loop 1b ; hlt  (N = 50000) */
	static const uint8_t code[] = { 0xb9, 0x50, 0xc3, 0xe6, 0x10, 0xe2,
					0xfc, 0xf4 };
	struct kvm_ioeventfd io = { 0 };
	int kvm, vm, vcpu, efd;
	struct kvm_run *run;
	uint64_t count;
	double t0;

	if (kvm_setup(&kvm, &vm, &vcpu, &run, code, sizeof(code)) != 0)
		return -1;
	efd = eventfd(0, EFD_NONBLOCK);
	io.addr = 0x10;
	io.len = 1;
	io.fd = efd;
	io.flags = KVM_IOEVENTFD_FLAG_PIO;
	if (ioctl(vm, KVM_IOEVENTFD, &io) < 0)
		return -1;
	t0 = now_s();
	if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_HLT)
		return -1;
	t0 = now_s() - t0;
	if (read(efd, &count, sizeof(count)) != sizeof(count) || count != 50000)
		return -1;
	close(efd);
	close(vcpu);
	close(vm);
	close(kvm);
	return t0 / 50000 * 1e9;
}

struct fig {
	const char *name;
	const char *unit;
	double (*fn)(void);
	double v[32];
};

int main(int argc, char **argv)
{
	struct fig figs[] = {
		{ "syscall_ns", "ns", bench_syscall, { 0 } },
		{ "wakeup_ns", "ns", bench_wakeup, { 0 } },
		{ "cacheline_ns", "ns", bench_cacheline, { 0 } },
		{ "copy_byte_ps", "ps", bench_copy, { 0 } },
		{ "csum_byte_ps", "ps", bench_csum, { 0 } },
		{ "vmexit_user_ns", "ns", bench_kvm_user_exit, { 0 } },
		{ "vmexit_ns", "ns", bench_kvm_ioeventfd_exit, { 0 } },
	};
	size_t nf = sizeof(figs) / sizeof(figs[0]), f;
	unsigned runs = 5, r;
	const char *json = NULL;
	json_t *out;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--runs R] [--json FILE]\n", argv[0]);
			return 2;
		}
	}
	if (runs == 0 || runs > 32) {
		fprintf(stderr, "%s: --runs must be 1..32\n", argv[0]);
		return 2;
	}
	for (r = 0; r < runs; r++)
		for (f = 0; f < nf; f++)
			figs[f].v[r] = figs[f].fn();
	out = json_pack("{s:s,s:i}", "bench", "sim_costs", "runs", (int)runs);
	for (f = 0; f < nf; f++) {
		qsort(figs[f].v, runs, sizeof(double), cmp_double);
		if (figs[f].v[0] < 0) {
			fprintf(stderr, "%-16s unavailable here\n", figs[f].name);
			json_object_set_new(out, figs[f].name, json_null());
			continue;
		}
		fprintf(stderr, "%-16s median %9.1f %s (min %.1f, max %.1f)\n",
			figs[f].name, figs[f].v[runs / 2], figs[f].unit, figs[f].v[0],
			figs[f].v[runs - 1]);
		json_object_set_new(out, figs[f].name,
				    bench_stat((struct stat3){ figs[f].v[runs / 2], figs[f].v[0],
							       figs[f].v[runs - 1] }, 1));
	}
	return bench_json_write(out, json);
}
