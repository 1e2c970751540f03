/*
 * test_nm_ctrl.c - NIOCCTRL request decoding against hostile user memory.
 *
 * The shim's "user memory" is one arena registered with nm_shim_user_add();
 * pointers outside it fault.  Groups: header (version, reserved, type,
 * name), body (required, forbidden, faulting), options (cap, loops, type 0,
 * duplicates, unknown types, EVENTFDS sizes), copyout (what is written back
 * and when), fault (every copy made to fail in turn), random (arbitrary
 * chains: the decoder's verdict against an independent model).
 */
#include "nm_test.h"

#include "nm_ctrl.h"
#include "nm_shim.h"

#define ARENA_BYTES 65536

static uint8_t *arena;
static struct nm_ctrl_req *req;

static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(64, ARENA_BYTES);
	req = malloc(sizeof(*req));
	if (arena == NULL || req == NULL)
		return -1;
	memset(arena, 0, ARENA_BYTES);
	nm_shim_user_reset();
	return nm_shim_user_add(arena, ARENA_BYTES);
}

static int teardown(void **state)
{
	(void)state;
	nm_shim_user_reset();
	free(arena);
	free(req);
	return 0;
}

static uint64_t ua(size_t ofs)
{
	return (uint64_t)(uintptr_t)(arena + ofs);
}

/* A valid header at arena offset 0 of type t with its body at 4096. */
static struct nmreq_header *hdr_at0(uint16_t t)
{
	struct nmreq_header *h = (struct nmreq_header *)arena;
	int bsz = nm_ctrl_body_size(t);

	memset(h, 0, sizeof(*h));
	h->nr_version = NETMAP_API;
	h->nr_reqtype = t;
	snprintf(h->nr_name, sizeof(h->nr_name), "vale0:a");
	h->nr_body = bsz > 0 ? ua(4096) : 0;
	return h;
}

/* An option header at arena offset ofs. */
static struct nmreq_option *opt_at(size_t ofs, uint32_t type, uint64_t size,
				   uint64_t next)
{
	struct nmreq_option *o = (struct nmreq_option *)(arena + ofs);

	memset(o, 0, sizeof(*o));
	o->nro_reqtype = type;
	o->nro_size = size;
	o->nro_next = next;
	o->nro_status = 12345;
	return o;
}

static int decode(void)
{
	return nm_ctrl_decode(req, ua(0));
}

/* ---- header */

static void test_nm_ctrl_header_bad_pointer(void **state)
{
	(void)state;
	assert_int_equal(nm_ctrl_decode(req, 0), -EFAULT);
	assert_int_equal(nm_ctrl_decode(req, ua(ARENA_BYTES - 8)), -EFAULT);
	assert_int_equal(nm_ctrl_decode(req, UINT64_MAX - 4), -EFAULT);
	assert_int_equal(nm_ctrl_finish(req, -EFAULT), -EFAULT);
}

static void test_nm_ctrl_header_version(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	h->nr_version = 13;
	assert_int_equal(decode(), -EINVAL);
	h->nr_version = 16;
	assert_int_equal(decode(), -EINVAL);
	h->nr_version = 0;
	assert_int_equal(decode(), -EINVAL);
	h->nr_version = 14;
	assert_int_equal(decode(), 0);
	h->nr_version = 15;
	assert_int_equal(decode(), 0);
}

static void test_nm_ctrl_header_reserved(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	h->nr_reserved = 1;
	assert_int_equal(decode(), -EINVAL);
	h->nr_reserved = 0x80000000U;
	assert_int_equal(decode(), -EINVAL);
}

static void test_nm_ctrl_header_type(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	h->nr_body = 0;
	h->nr_reqtype = 0;
	assert_int_equal(decode(), -EINVAL);
	h->nr_reqtype = 16;
	assert_int_equal(decode(), -EINVAL);
	h->nr_reqtype = 0xffff;
	assert_int_equal(decode(), -EINVAL);
}

static void test_nm_ctrl_header_name_terminated(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	memset(h->nr_name, 'x', sizeof(h->nr_name));
	assert_int_equal(decode(), 0);
	assert_int_equal(req->hdr.nr_name[NETMAP_REQ_IFNAMSIZ - 1], '\0');
	assert_int_equal(strlen(req->hdr.nr_name), NETMAP_REQ_IFNAMSIZ - 1);
	/* The terminated copy is what goes back on success. */
	assert_int_equal(nm_ctrl_finish(req, 0), 0);
	assert_int_equal(h->nr_name[NETMAP_REQ_IFNAMSIZ - 1], '\0');
}

/* ---- body */

static void test_nm_ctrl_body_sizes(void **state)
{
	static const int want[] = { -EINVAL, 56, 32, 64, 8, 8, 8, 8, 16, 0,
				    16, 16, 64, 8, 0, 0, -EINVAL };
	uint32_t t;

	(void)state;
	for (t = 0; t < NM_ARRAY_SIZE(want); t++)
		assert_int_equal(nm_ctrl_body_size(t), want[t]);
}

static void test_nm_ctrl_body_required(void **state)
{
	uint16_t t;

	(void)state;
	for (t = 1; t <= NETMAP_REQ_CSB_ENABLE; t++) {
		struct nmreq_header *h = hdr_at0(t);

		if (nm_ctrl_body_size(t) > 0) {
			assert_int_equal(decode(), 0);
			h->nr_body = 0; /* required: NULL refused */
			assert_int_equal(decode(), -EINVAL);
		} else {
			assert_int_equal(decode(), 0);
			h->nr_body = ua(4096); /* forbidden: a body refused */
			assert_int_equal(decode(), -EINVAL);
		}
	}
}

static void test_nm_ctrl_body_fault(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	h->nr_body = ua(ARENA_BYTES - 8); /* 56-byte body crosses the end */
	assert_int_equal(decode(), -EFAULT);
	h->nr_body = 8; /* low address */
	assert_int_equal(decode(), -EFAULT);
	h->nr_body = ua(ARENA_BYTES - 56); /* exactly at the end: fine */
	assert_int_equal(decode(), 0);
}

static void test_nm_ctrl_body_copied(void **state)
{
	struct nmreq_register *reg;

	(void)state;
	hdr_at0(NETMAP_REQ_REGISTER);
	reg = (struct nmreq_register *)(arena + 4096);
	memset(reg, 0, sizeof(*reg));
	reg->nr_tx_slots = 1024;
	reg->nr_mode = NR_REG_ALL_NIC;
	assert_int_equal(decode(), 0);
	assert_int_equal(req->body_len, sizeof(*reg));
	reg->nr_tx_slots = 7; /* the user changes it after the copy */
	assert_int_equal(((struct nmreq_register *)nm_ctrl_body(req))->nr_tx_slots,
			 1024);
}

/* ---- options */

static void test_nm_ctrl_options_csb(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_CSB_ENABLE);
	struct nmreq_opt_csb *c;
	struct nm_ctrl_opt *o;

	(void)state;
	h->nr_options = ua(8192);
	c = (struct nmreq_opt_csb *)opt_at(8192, NETMAP_REQ_OPT_CSB, 0, 0);
	c->csb_atok = 0x1000;
	c->csb_ktoa = 0x2000;
	assert_int_equal(decode(), 0);
	assert_int_equal(req->nopts, 1);
	assert_int_equal(nm_ctrl_options_check(req), -EOPNOTSUPP);
	assert_null(nm_ctrl_opt_take(req, NETMAP_REQ_OPT_SYNC_KLOOP_MODE));
	o = nm_ctrl_opt_take(req, NETMAP_REQ_OPT_CSB);
	assert_non_null(o);
	assert_int_equal(o->body_len, 16);
	assert_int_equal(((uint64_t *)nm_ctrl_opt_body(req, o))[1], 0x2000);
	assert_int_equal(nm_ctrl_options_check(req), 0);
	assert_int_equal(nm_ctrl_finish(req, 0), 0);
	assert_int_equal(c->nro_opt.nro_status, 0);
}

static void test_nm_ctrl_options_loop(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);
	struct nmreq_option *a;

	(void)state;
	/* A known type pointing at itself is its own duplicate: -EINVAL at
	 * the second hop, before the size cap (the reference's order). */
	h->nr_options = ua(8192);
	a = opt_at(8192, NETMAP_REQ_OPT_CSB, 0, ua(8192));
	assert_int_equal(decode(), -EINVAL);
	assert_int_equal(req->nopts, 2);
	assert_int_equal(nm_ctrl_finish(req, -EINVAL), -EINVAL);
	assert_int_equal(a->nro_status, EINVAL);
	/* Two unknown types pointing at each other: only the cap ends it. */
	opt_at(8192, 100, 0, ua(9000));
	opt_at(9000, 200, 0, ua(8192));
	assert_int_equal(decode(), -EMSGSIZE);
	assert_true(req->nopts <= NM_CTRL_MAX_OPTS);
	/* A cycle through a type 0 stops there. */
	opt_at(8192, 7, 0, ua(9000));
	opt_at(9000, 0, 0, ua(10000));
	opt_at(10000, 8, 0, ua(8192));
	assert_int_equal(decode(), -EINVAL);
	assert_int_equal(req->nopts, 2);
	/* A cycle of unknown types through a known one: the duplicate. */
	opt_at(8192, NETMAP_REQ_OPT_OFFSETS, 0, ua(9000));
	opt_at(9000, 300, 0, ua(8192));
	assert_int_equal(decode(), -EINVAL);
	assert_int_equal(req->nopts, 3);
	assert_int_equal(nm_ctrl_finish(req, -EINVAL), -EINVAL);
}

/* A chain of n unknown options (nro_size each) from arena offset 8192. */
static void chain_unknown_sized(uint32_t n, uint64_t nro_size)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		opt_at(8192 + 32 * i, 99, nro_size,
		       i + 1 < n ? ua(8192 + 32 * (i + 1)) : 0);
}

static void chain_unknown(uint32_t n)
{
	chain_unknown_sized(n, 0);
}

static void test_nm_ctrl_options_cap(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	h->nr_options = ua(8192);
	/* Each option costs 24 + 8: 56 + 32 * 126 = 4088 fits; 127 make
	 * 4120. */
	chain_unknown(126);
	assert_int_equal(decode(), 0);
	assert_int_equal(req->nopts, 126);
	assert_int_equal(nm_ctrl_options_check(req), -EOPNOTSUPP);
	chain_unknown(127);
	assert_int_equal(decode(), -EMSGSIZE);
	/* No body: 128 options (4096 bytes) fit, 129 do not. */
	h = hdr_at0(NETMAP_REQ_SYNC_KLOOP_STOP);
	h->nr_options = ua(8192);
	chain_unknown(128);
	assert_int_equal(decode(), 0);
	assert_int_equal(req->nopts, NETMAP_REQ_MAXSIZE / NM_CTRL_OPT_COST);
	chain_unknown(129);
	assert_int_equal(decode(), -EMSGSIZE);
}

static void test_nm_ctrl_options_unknown_large_size(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);

	(void)state;
	h->nr_options = ua(8192);
	/* 99 unknown options claiming 5000 bytes each: the reference
	 * refuses the size (ours said EOPNOTSUPP before issue 16). */
	chain_unknown_sized(99, 5000);
	assert_int_equal(decode(), -EMSGSIZE);
	assert_int_equal(req->nopts, 1);
	/* Up to NETMAP_REQ_MAXSIZE the size of an unknown type is ignored. */
	chain_unknown_sized(99, NETMAP_REQ_MAXSIZE);
	assert_int_equal(decode(), 0);
	assert_int_equal(req->nopts, 99);
	assert_int_equal(nm_ctrl_options_check(req), -EOPNOTSUPP);
}

static void test_nm_ctrl_options_type0(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);
	struct nmreq_option *a, *b;

	(void)state;
	h->nr_options = ua(8192);
	a = opt_at(8192, NETMAP_REQ_OPT_OFFSETS, 0, ua(9000));
	b = opt_at(9000, 0, 0, 0);
	assert_int_equal(decode(), -EINVAL);
	assert_int_equal(nm_ctrl_finish(req, -EINVAL), -EINVAL);
	assert_int_equal(b->nro_status, EINVAL);
	assert_int_equal(a->nro_status, EOPNOTSUPP);
}

static void test_nm_ctrl_options_duplicate(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_SYNC_KLOOP_START);
	struct nmreq_option *a, *b, *c;

	(void)state;
	h->nr_options = ua(8192);
	a = opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 0, ua(9000));
	b = opt_at(9000, NETMAP_REQ_OPT_CSB, 0, ua(10000));
	c = opt_at(10000, NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 0, 0);
	assert_int_equal(decode(), -EINVAL);
	assert_int_equal(nm_ctrl_finish(req, -EINVAL), -EINVAL);
	assert_int_equal(a->nro_status, EINVAL);
	assert_int_equal(b->nro_status, EOPNOTSUPP);
	assert_int_equal(c->nro_status, EINVAL);
}

static void test_nm_ctrl_options_unknown(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);
	struct nmreq_option *a;

	(void)state;
	h->nr_options = ua(8192);
	a = opt_at(8192, NETMAP_REQ_OPT_MAX, 1000000, 0);
	assert_int_equal(decode(), -EMSGSIZE);
	a = opt_at(8192, NETMAP_REQ_OPT_MAX, 1000, 0);
	assert_int_equal(decode(), 0);
	assert_int_equal(req->opts[0].body_len, 0);
	assert_null(nm_ctrl_opt_take(req, NETMAP_REQ_OPT_MAX));
	assert_int_equal(nm_ctrl_options_check(req), -EOPNOTSUPP);
	assert_int_equal(nm_ctrl_finish(req, -EOPNOTSUPP), -EOPNOTSUPP);
	assert_int_equal(a->nro_status, EOPNOTSUPP);
}

static void test_nm_ctrl_options_eventfds_size(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_SYNC_KLOOP_START);
	struct nm_ctrl_opt *o;

	(void)state;
	h->nr_options = ua(8192);
	opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 24 + 2 * 8, 0);
	assert_int_equal(decode(), 0);
	o = nm_ctrl_opt_take(req, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS);
	assert_non_null(o);
	assert_int_equal(o->body_len, 16);
	opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 23, 0);
	assert_int_equal(decode(), -EMSGSIZE);
	opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 4097, 0);
	assert_int_equal(decode(), -EMSGSIZE);
	opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, UINT64_MAX, 0);
	assert_int_equal(decode(), -EMSGSIZE);
	/* body 8 + header 24 + overhead 8 + 4056 = 4096: fits exactly. */
	opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 24 + 4056, 0);
	assert_int_equal(decode(), 0);
	opt_at(8192, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 24 + 4057, 0);
	assert_int_equal(decode(), -EMSGSIZE);
	/* An option body crossing the end of user memory. */
	h->nr_options = ua(ARENA_BYTES - 32);
	opt_at(ARENA_BYTES - 32, NETMAP_REQ_OPT_CSB, 0, 0);
	assert_int_equal(decode(), -EFAULT);
}

/* ---- copyout */

static void test_nm_ctrl_copyout_on_success(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);
	struct nmreq_register *reg = (struct nmreq_register *)(arena + 4096);
	struct nmreq_opt_csb *c;
	struct nm_ctrl_opt *o;

	(void)state;
	h->nr_options = ua(8192);
	c = (struct nmreq_opt_csb *)opt_at(8192, NETMAP_REQ_OPT_CSB, 0, 0);
	c->csb_atok = 64;
	assert_int_equal(decode(), 0);
	((struct nmreq_register *)nm_ctrl_body(req))->nr_memsize = 777;
	o = nm_ctrl_opt_take(req, NETMAP_REQ_OPT_CSB);
	((uint64_t *)nm_ctrl_opt_body(req, o))[0] = 128; /* csb_atok */
	/* The user rewrites the chain pointer meanwhile: copy-out must use
	 * the addresses recorded at copy-in. */
	h->nr_options = ua(20000);
	assert_int_equal(nm_ctrl_finish(req, 0), 0);
	assert_int_equal(reg->nr_memsize, 777);
	assert_int_equal(c->csb_atok, 128);
	assert_int_equal(c->nro_opt.nro_status, 0);
	assert_int_equal(h->nr_options, ua(8192));
}

static void test_nm_ctrl_copyout_on_failure(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_REGISTER);
	struct nmreq_register *reg = (struct nmreq_register *)(arena + 4096);
	struct nmreq_opt_csb *c;
	struct nm_ctrl_opt *o;

	(void)state;
	memset(reg, 0, sizeof(*reg));
	h->nr_options = ua(8192);
	c = (struct nmreq_opt_csb *)opt_at(8192, NETMAP_REQ_OPT_CSB, 0, 0);
	c->csb_atok = 0;
	assert_int_equal(decode(), 0);
	((struct nmreq_register *)nm_ctrl_body(req))->nr_memsize = 777;
	o = nm_ctrl_opt_take(req, NETMAP_REQ_OPT_CSB);
	((uint64_t *)nm_ctrl_opt_body(req, o))[0] = 128;
	assert_int_equal(nm_ctrl_opt_fail(o, -EINVAL), -EINVAL);
	assert_int_equal(nm_ctrl_finish(req, -EINVAL), -EINVAL);
	assert_int_equal(reg->nr_memsize, 0);	  /* body not written */
	assert_int_equal(c->csb_atok, 0);	  /* option body not written */
	assert_int_equal(c->nro_opt.nro_status, EINVAL);
}

static void test_nm_ctrl_copyout_fault(void **state)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_SYNC_KLOOP_STOP);

	(void)state;
	assert_int_equal(decode(), 0);
	/* The header's memory is gone by the time the result is written. */
	nm_shim_user_reset();
	assert_int_equal(nm_ctrl_finish(req, 0), -EFAULT);
	assert_int_equal(nm_shim_user_add(arena, ARENA_BYTES), 0);
	(void)h;
}

/* ---- fault: each copy of a full request made to fail in turn */

static void build_full_request(void)
{
	struct nmreq_header *h = hdr_at0(NETMAP_REQ_SYNC_KLOOP_START);

	h->nr_options = ua(8192);
	opt_at(8192, NETMAP_REQ_OPT_CSB, 0, ua(9000));
	opt_at(9000, NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 0, ua(10000));
	opt_at(10000, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 24 + 16, ua(11000));
	opt_at(11000, 77, 0, 0);
}

static void test_nm_ctrl_fault_every_copy(void **state)
{
	uint64_t copies;
	int64_t k;
	int err;

	(void)state;
	build_full_request();
	nm_shim_user_reset();
	assert_int_equal(nm_shim_user_add(arena, ARENA_BYTES), 0);
	assert_int_equal(decode(), 0);
	copies = nm_shim_user_copies();
	assert_int_equal(copies, 1 + 1 + 4 + 3); /* hdr, body, 4 hdrs, 3 bodies */
	assert_int_equal(nm_shim_user_bytes(),
			 sizeof(struct nmreq_header) +
				 sizeof(struct nmreq_sync_kloop_start) +
				 sizeof(struct nmreq_opt_csb) +
				 sizeof(struct nmreq_opt_sync_kloop_mode) +
				 sizeof(struct nmreq_option) + 16 +
				 sizeof(struct nmreq_option));
	for (k = 0; k < (int64_t)copies; k++) {
		nm_shim_user_fail_after(k);
		err = decode();
		assert_int_equal(err, -EFAULT);
		assert_int_equal(nm_ctrl_finish(req, err), -EFAULT);
	}
	nm_shim_user_fail_after(-1);
	assert_int_equal(decode(), 0);
	nm_ctrl_opt_take(req, NETMAP_REQ_OPT_CSB);
	nm_ctrl_opt_take(req, NETMAP_REQ_OPT_SYNC_KLOOP_MODE);
	nm_ctrl_opt_take(req, NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS);
	assert_int_equal(nm_ctrl_options_check(req), -EOPNOTSUPP);
}

/* ---- random: arbitrary chains against an independent model */

/* What the decoder must say about the chain at ofs[0..] (model): options in
 * chain order, each costing 24 + 8 + its body; type 0 and duplicates stop
 * the walk; an nro_size over 4096 is EMSGSIZE. */
static int model_verdict(const uint32_t *types, const uint64_t *sizes,
			 const int *next, int first, uint32_t body)
{
	uint64_t total = body;
	int seen[NETMAP_REQ_OPT_MAX] = { 0 };
	int i;
	int64_t b;

	for (i = first; i >= 0; i = next[i]) {
		total += 32;
		if (total > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		if (types[i] == 0)
			return -EINVAL;
		if (types[i] < NETMAP_REQ_OPT_MAX && seen[types[i]]++)
			return -EINVAL;
		if (sizes[i] > 4096)
			return -EMSGSIZE;
		switch (types[i]) {
		case 1: b = 72; break;
		case 2:
			if (sizes[i] < 24)
				return -EMSGSIZE;
			b = (int64_t)sizes[i] - 24;
			break;
		case 3: b = 16; break;
		case 4: b = 8; break;
		case 5: b = 32; break;
		default: b = 0; break;
		}
		total += (uint64_t)b;
		if (total > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
	}
	return 0;
}

static void test_nm_ctrl_random_chains(void **state)
{
	enum { NODES = 12 };
	uint64_t rng = nm_test_seed("ctrl_random_chains");
	uint32_t types[NODES];
	uint64_t sizes[NODES];
	int next[NODES];
	int iter, i;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		struct nmreq_header *h =
			hdr_at0(nm_test_below(&rng, 2) ? NETMAP_REQ_REGISTER
						       : NETMAP_REQ_CSB_ENABLE);
		uint32_t body = (uint32_t)nm_ctrl_body_size(h->nr_reqtype);
		int first = (int)nm_test_below(&rng, NODES + 1) - 1;
		int want, got;

		for (i = 0; i < NODES; i++) {
			uint32_t r = nm_test_below(&rng, 10);

			types[i] = r < 7 ? r : (r == 7 ? 0xffffffffU : 6 + r);
			sizes[i] = nm_test_below(&rng, 4) == 0
					   ? nm_test_rand(&rng)
					   : nm_test_below(&rng, 700);
			/* Mostly forward (chains), sometimes back (loops). */
			next[i] = nm_test_below(&rng, 4) == 0
					  ? -1
					  : (int)nm_test_below(&rng, NODES);
			opt_at(8192 + 1024 * i, types[i], sizes[i],
			       next[i] < 0 ? 0 : ua(8192 + 1024 * next[i]));
		}
		h->nr_options = first < 0 ? 0 : ua(8192 + 1024 * first);
		/* The model cannot follow a loop forever: bound its walk by
		 * the cap (each hop costs >= 24 bytes). */
		want = model_verdict(types, sizes, next, first, body);
		got = decode();
		assert_int_equal(got, want);
		assert_true(req->used <= sizeof(req->buf));
		assert_true(req->nopts <= NM_CTRL_MAX_OPTS);
		if (got == 0)
			assert_int_equal(nm_ctrl_options_check(req) == 0,
					 req->nopts == 0);
		assert_int_equal(nm_ctrl_finish(req, got), got);
	}
}

/* ---- selftest: the vectors the kernel runs at load */

static void test_nm_ctrl_selftest_vectors(void **state)
{
	struct nm_selftest_result r = { 0, 0 };

	(void)state;
	nm_ctrl_selftest(&r);
	assert_int_equal(r.failed, 0);
	assert_true(r.passed >= 30);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest header[] = {
		cmocka_unit_test(test_nm_ctrl_header_bad_pointer),
		cmocka_unit_test(test_nm_ctrl_header_version),
		cmocka_unit_test(test_nm_ctrl_header_reserved),
		cmocka_unit_test(test_nm_ctrl_header_type),
		cmocka_unit_test(test_nm_ctrl_header_name_terminated),
	};
	static const struct CMUnitTest body[] = {
		cmocka_unit_test(test_nm_ctrl_body_sizes),
		cmocka_unit_test(test_nm_ctrl_body_required),
		cmocka_unit_test(test_nm_ctrl_body_fault),
		cmocka_unit_test(test_nm_ctrl_body_copied),
	};
	static const struct CMUnitTest options[] = {
		cmocka_unit_test(test_nm_ctrl_options_csb),
		cmocka_unit_test(test_nm_ctrl_options_loop),
		cmocka_unit_test(test_nm_ctrl_options_cap),
		cmocka_unit_test(test_nm_ctrl_options_unknown_large_size),
		cmocka_unit_test(test_nm_ctrl_options_type0),
		cmocka_unit_test(test_nm_ctrl_options_duplicate),
		cmocka_unit_test(test_nm_ctrl_options_unknown),
		cmocka_unit_test(test_nm_ctrl_options_eventfds_size),
	};
	static const struct CMUnitTest copyout[] = {
		cmocka_unit_test(test_nm_ctrl_copyout_on_success),
		cmocka_unit_test(test_nm_ctrl_copyout_on_failure),
		cmocka_unit_test(test_nm_ctrl_copyout_fault),
	};
	static const struct CMUnitTest fault[] = {
		cmocka_unit_test(test_nm_ctrl_fault_every_copy),
	};
	static const struct CMUnitTest random[] = {
		cmocka_unit_test(test_nm_ctrl_random_chains),
	};
	static const struct CMUnitTest selftest[] = {
		cmocka_unit_test(test_nm_ctrl_selftest_vectors),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("header", header),
		NM_TEST_GROUP("body", body),
		NM_TEST_GROUP("options", options),
		NM_TEST_GROUP("copyout", copyout),
		NM_TEST_GROUP("fault", fault),
		NM_TEST_GROUP("random", random),
		NM_TEST_GROUP("selftest", selftest),
	};
	int rc;

	if (setup(NULL) != 0)
		return 1;
	rc = nm_test_main("nm_ctrl", argc, argv, groups, NM_ARRAY_SIZE(groups));
	teardown(NULL);
	return rc;
}
