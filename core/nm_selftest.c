/*
 * nm_selftest.c - prologue, pool and offload vectors, and their runner.
 *
 * The vectors are written by hand from the rules in nm_kring.c's header
 * (TX window [rhead, rtail], RX window [hwcur, hwtail], cur in [head, end of
 * window], every index < n).  tests/test_nm_kring.c checks the same rules
 * against an independent predicate on random states.
 */
#include "nm_selftest.h"
#include "nm_mem.h"
#include "vale_offload.h"

#define TX NM_KRING_TX
#define RX NM_KRING_RX

const struct nm_prologue_vector nm_prologue_vectors[] = {
	/* n   dir hwcur hwtail rhead rtail head  cur   accept */
	/* Fresh rings. */
	{ 8, TX, 0, 7, 0, 7, 0, 0, true },
	{ 8, TX, 0, 7, 0, 7, 7, 7, true },	/* fill all n - 1 */
	{ 8, TX, 0, 7, 0, 7, 8, 8, false },	/* head == n */
	{ 8, TX, 0, 7, 0, 7, 3, 8, false },	/* cur == n */
	{ 8, TX, 0, 7, 0, 7, 3, 2, false },	/* cur behind head */
	{ 8, RX, 0, 0, 0, 0, 0, 0, true },
	{ 8, RX, 0, 0, 0, 0, 1, 1, false },	/* nothing received */
	{ 8, RX, 0, 0, 0, 0, 0, 1, false },
	/* The smallest rings. */
	{ 2, TX, 0, 1, 0, 1, 1, 1, true },
	{ 2, TX, 0, 1, 0, 1, 2, 2, false },
	{ 2, TX, 1, 0, 1, 0, 0, 0, true },	/* wrapped window */
	{ 2, RX, 1, 0, 1, 0, 0, 0, true },
	{ 2, RX, 1, 0, 1, 0, 0, 1, false },	/* cur beyond hwtail */
	{ 3, TX, 2, 1, 2, 1, 0, 1, true },
	{ 3, TX, 2, 1, 2, 1, 1, 0, false },
	{ 3, RX, 2, 1, 2, 1, 1, 1, true },
	/* Non-wrapped window, both edges. */
	{ 1000, TX, 10, 9, 10, 500, 10, 500, true },
	{ 1000, TX, 10, 9, 10, 500, 500, 500, true },
	{ 1000, TX, 10, 9, 10, 500, 501, 501, false },
	{ 1000, TX, 10, 9, 10, 500, 9, 9, false },	/* head moved back */
	{ 1000, TX, 10, 9, 10, 500, 10, 501, false },
	{ 1000, RX, 100, 300, 100, 300, 300, 300, true },
	{ 1000, RX, 100, 300, 100, 200, 250, 299, true }, /* beyond rtail */
	{ 1000, RX, 100, 300, 100, 300, 301, 301, false },
	{ 1000, RX, 100, 300, 100, 300, 99, 99, false },
	/* Wrapped window: head in the upper and in the lower segment. */
	{ 1024, TX, 1000, 999, 1000, 20, 1023, 5, true },
	{ 1024, TX, 1000, 999, 1000, 20, 1023, 1023, true },
	{ 1024, TX, 1000, 999, 1000, 20, 0, 20, true },
	{ 1024, TX, 1000, 999, 1000, 20, 20, 20, true },
	{ 1024, TX, 1000, 999, 1000, 20, 21, 21, false },
	{ 1024, TX, 1000, 999, 1000, 20, 999, 999, false },
	{ 1024, TX, 1000, 999, 1000, 20, 1023, 21, false },
	{ 1024, TX, 1000, 999, 1000, 20, 5, 1023, false },
	/* The reference accepts cur >= n here (D5); we do not. */
	{ 1024, TX, 1000, 999, 1000, 20, 1010, 5000, false },
	{ 1024, TX, 1000, 999, 1000, 20, 1010, 1024, false },
	{ 1024, RX, 1000, 20, 1000, 20, 1010, 5000, false },
	{ 1024, RX, 1000, 20, 1000, 20, 1023, 0, true },
	{ 1024, RX, 1000, 20, 1000, 20, 21, 21, false },
	{ 1024, RX, 1000, 20, 1000, 20, 999, 999, false },
	/* Indices near 2^32 must not wrap into range. */
	{ 1024, TX, 0, 1023, 0, 1023, 0xffffffffu, 0, false },
	{ 1024, RX, 0, 500, 0, 500, 0, 0xffffffffu, false },
	{ 4096, TX, 4095, 4094, 4095, 4094, 4094, 4094, true },
	{ 4096, TX, 4095, 4094, 4095, 4094, 4096, 4096, false },
	{ 4096, RX, 4095, 4094, 4095, 4094, 4094, 4094, true },
	{ 4096, RX, 4095, 4094, 4095, 4094, 4095, 4096, false },
	/* Full TX ring (no free slot): only head = cur = rhead is valid. */
	{ 1024, TX, 512, 512, 512, 512, 512, 512, true },
	{ 1024, TX, 512, 512, 512, 512, 513, 513, false },
};

const uint32_t nm_prologue_vector_count = NM_ARRAY_SIZE(nm_prologue_vectors);

void nm_selftest_load_state(struct nm_kring *kr,
			    const struct nm_prologue_vector *v)
{
	kr->num_slots = v->n;
	kr->dir = (enum nm_kring_dir)v->dir;
	kr->hwcur = v->hwcur;
	kr->hwtail = v->hwtail;
	kr->rhead = v->rhead;
	kr->rcur = v->rhead;
	kr->rtail = v->rtail;
}

static int nm_selftest_noop_sync(struct nm_kring *kr, uint32_t flags)
{
	(void)kr;
	(void)flags;
	return 0;
}

static void nm_selftest_expect(struct nm_selftest_result *r, bool ok,
			       const char *what, uint32_t i)
{
	if (ok) {
		r->passed++;
		return;
	}
	r->failed++;
	nm_os_log_info("selftest: %s %u failed", what, i);
}

static void nm_selftest_prologue(struct nm_selftest_result *r,
				 struct netmap_ring *ring)
{
	struct nm_kring kr;
	uint32_t i;

	for (i = 0; i < nm_prologue_vector_count; i++) {
		const struct nm_prologue_vector *v = &nm_prologue_vectors[i];
		struct nm_kring before;
		bool ok;
		int err;

		nm_kring_init(&kr, (enum nm_kring_dir)v->dir, v->n, ring,
			      nm_selftest_noop_sync, NULL, "selftest");
		nm_selftest_load_state(&kr, v);
		before = kr;
		err = nm_kring_prologue(&kr, v->head, v->cur);
		if (v->accept)
			ok = err == 0 && kr.rhead == v->head &&
			     kr.rcur == v->cur;
		else
			ok = err == -EINVAL && kr.rhead == before.rhead &&
			     kr.rcur == before.rcur &&
			     kr.hwcur == before.hwcur &&
			     kr.hwtail == before.hwtail &&
			     kr.rtail == before.rtail;
		nm_selftest_expect(r, ok, "prologue vector", i);
	}
}

static void nm_selftest_pool(struct nm_selftest_result *r)
{
	struct nm_buf_pool pool;
	struct netmap_slot slot;
	struct nm_slot_snap snap;
	uint32_t a = 0, b = 0, c = 0;

	nm_selftest_expect(r, nm_buf_pool_init(&pool, 2, 2048) == -EINVAL,
			   "pool too small", 0);
	nm_selftest_expect(r, nm_buf_pool_init(&pool, 4, 100) == -EINVAL,
			   "pool unaligned buffer size", 0);
	if (nm_buf_pool_init(&pool, 4, 2048) != 0) {
		nm_selftest_expect(r, false, "pool init", 0);
		return;
	}
	nm_selftest_expect(r, nm_buf_alloc(&pool, &a) == 0 && a >= 2,
			   "pool alloc", 0);
	nm_selftest_expect(r, nm_buf_alloc(&pool, &b) == 0 && b >= 2 && b != a,
			   "pool alloc", 1);
	nm_selftest_expect(r, nm_buf_alloc(&pool, &c) == -ENOMEM,
			   "pool exhausted", 0);
	nm_selftest_expect(r, nm_buf_free(&pool, 0) == -EINVAL &&
				      nm_buf_free(&pool, 1) == -EINVAL &&
				      nm_buf_free(&pool, 4) == -EINVAL,
			   "pool reserved indices", 0);
	nm_selftest_expect(r, nm_buf_free(&pool, a) == 0, "pool free", 0);
	nm_selftest_expect(r, nm_buf_free(&pool, a) == -EINVAL,
			   "pool double free", 0);

	slot.buf_idx = b;
	slot.len = 2048;
	slot.flags = 0;
	slot.ptr = 0;
	nm_selftest_expect(r, nm_slot_load(&pool, &slot, &snap) == 0,
			   "slot full length", 0);
	slot.len = 2049;
	nm_selftest_expect(r, nm_slot_load(&pool, &slot, &snap) == -EMSGSIZE,
			   "slot length above buffer", 0);
	slot.len = 0;
	slot.buf_idx = 1;
	nm_selftest_expect(r, nm_slot_load(&pool, &slot, &snap) == -EINVAL,
			   "slot reserved buffer", 0);
	slot.buf_idx = 4;
	nm_selftest_expect(r, nm_slot_load(&pool, &slot, &snap) == -EINVAL,
			   "slot buffer out of range", 0);
	nm_buf_pool_fini(&pool);
}

/* The Internet checksum (RFC 1071's worked example: 00 01 f2 03 f4 f5 f6
 * f7 sums to ddf2) and the offload planner on a small TSO frame: 10-byte
 * header, Ethernet, IPv4, TCP, 100 payload bytes, gso_size 40 -> three
 * frames of one 2048-byte slot each; a bad flag is refused. */
static void nm_selftest_offload(struct nm_selftest_result *r)
{
	static const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03,
					0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[3] = { 0xab, 0xcd, 0xef };
	uint8_t f[10 + 54 + 100];
	struct vale_offload_plan *pl = nm_os_zalloc(sizeof(*pl));
	struct vale_frag fr = { f, sizeof(f) };

	nm_selftest_expect(r, vale_csum_sum(rfc, 8) == 0xddf2, "csum rfc1071",
			   0);
	nm_selftest_expect(r, vale_csum_sum(odd, 3) == 0x9ace, "csum odd", 0);
	if (pl == NULL) {
		nm_selftest_expect(r, false, "offload plan alloc", 0);
		return;
	}
	nm_os_memset(f, 0, sizeof(f));
	f[0] = VALE_VNET_F_NEEDS_CSUM;
	f[1] = VALE_VNET_GSO_TCPV4;
	f[4] = 40;		 /* gso_size */
	f[10 + 12] = 0x08;	 /* IPv4 */
	f[10 + 14] = 0x45;
	f[10 + 23] = 6;		 /* TCP */
	f[10 + 34 + 12] = 0x50; /* data offset 5 */
	nm_selftest_expect(r, vale_offload_plan(pl, &fr, 1, 10, 0, 2048) == 0 &&
				      pl->kind == VALE_OFFLOAD_TCP &&
				      pl->frames == 3 && pl->slots == 3 &&
				      pl->hlen == 54,
			   "offload plan tso", 0);
	f[0] = 4;
	nm_selftest_expect(r, vale_offload_plan(pl, &fr, 1, 10, 0, 2048) ==
				      -EINVAL,
			   "offload plan bad flags", 0);
	nm_os_free(pl);
}

struct nm_selftest_result nm_selftest_run(void)
{
	struct nm_selftest_result r = { 0, 0 };
	/* A netmap_ring header is all the prologue touches. */
	struct netmap_ring *ring = nm_os_zalloc(sizeof(*ring));

	if (ring == NULL) {
		r.failed++;
		return r;
	}
	nm_selftest_prologue(&r, ring);
	nm_selftest_pool(&r);
	nm_selftest_offload(&r);
	nm_os_free(ring);
	return r;
}
