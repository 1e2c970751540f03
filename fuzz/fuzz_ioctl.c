/*
 * fuzz_ioctl.c - a hostile process's NIOCCTRL request against the decoder.
 *
 * Input: 8 control bytes, then the bytes of "user memory", laid at the fixed
 * address FUZZ_UBASE (so the pointers inside it are plain numbers the input
 * can aim: a header, a body and option chains pointing anywhere in or out
 * of it, overlapping, looping, of any size):
 *   [0] flags: 1 fault in decode, 2 fault in finish, 4 the handler writes
 *       results into the body and the taken options, 8 the handler fails
 *   [1] copies allowed before the decode fault   [2] same, for finish
 *   [3] option types the handler takes (bit t-1)  [4] taken ones it fails
 *   [5..6] header offset (LE)   [7] user memory split in two ranges at 64*x
 * Oracles: the decoder agrees with an independent model of the rules
 * (docs/kmod.md) on the verdict, on every option (address, size, type,
 * status), on the bytes copied in and on the number and volume of copies
 * (<= header + NETMAP_REQ_MAXSIZE); options_check fails exactly when an
 * option is left EOPNOTSUPP; after nm_ctrl_finish() user memory equals the
 * model's write-back (statuses always, header and bodies only on success)
 * byte for byte, with faults injected anywhere.
 */
#define _GNU_SOURCE
#include "fuzz_util.h"
#include "nm_ctrl.h"
#include "nm_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define FUZZ_UBASE 0x40000000ULL /* where user memory lives */
#define FUZZ_UMAX 16384U	 /* user memory bytes taken from the input */
#define FUZZ_HDR sizeof(struct nmreq_header)
#define FUZZ_OPT sizeof(struct nmreq_option)
#define FUZZ_STATUS_OFS 12U	 /* nro_status inside nmreq_option */

enum {
	F_FAULT_DECODE = 1,
	F_FAULT_FINISH = 2,
	F_RESULTS = 4,
	F_HANDLER_FAILS = 8,
};

/* ---- The model: user memory as the shim defines it, the rules restated. */

struct model_opt {
	uint64_t uaddr, nro_size;
	uint32_t type, status, body_len;
	const uint8_t *body; /* in the snapshot */
};

struct model {
	const uint8_t *mem; /* snapshot of user memory */
	uint32_t len, split;
	int64_t budget;
	uint64_t copies, bytes;
	int rc;
	struct nmreq_header hdr;
	const uint8_t *body;
	uint32_t body_len, nopts;
	struct model_opt opts[NM_CTRL_MAX_OPTS];
	int first[NETMAP_REQ_OPT_MAX]; /* option index of each known type */
};

/* Offset of [ua, ua + n) in user memory, or -1 (the copy faults). */
static int64_t model_copy(struct model *m, uint64_t ua, uint64_t n)
{
	uint64_t lo = 0, hi = m->len, o;

	m->copies++;
	if (m->budget == 0)
		return -1;
	if (m->budget > 0)
		m->budget--;
	if (ua < FUZZ_UBASE)
		return -1;
	o = ua - FUZZ_UBASE;
	if (m->split != 0 && o < m->split)
		hi = m->split;
	else if (m->split != 0)
		lo = m->split;
	if (o < lo || o > hi || n > hi - o)
		return -1;
	m->bytes += n;
	return (int64_t)o;
}

static int model_body_size(uint32_t t)
{
	switch (t) {
	case NETMAP_REQ_REGISTER: return sizeof(struct nmreq_register);
	case NETMAP_REQ_PORT_INFO_GET: return sizeof(struct nmreq_port_info_get);
	case NETMAP_REQ_VALE_ATTACH: return sizeof(struct nmreq_vale_attach);
	case NETMAP_REQ_VALE_DETACH: return sizeof(struct nmreq_vale_detach);
	case NETMAP_REQ_VALE_LIST: return sizeof(struct nmreq_vale_list);
	case NETMAP_REQ_PORT_HDR_SET: return sizeof(struct nmreq_port_hdr);
	case NETMAP_REQ_PORT_HDR_GET: return sizeof(struct nmreq_port_hdr);
	case NETMAP_REQ_VALE_NEWIF: return sizeof(struct nmreq_vale_newif);
	case NETMAP_REQ_VALE_POLLING_ENABLE: return sizeof(struct nmreq_vale_polling);
	case NETMAP_REQ_VALE_POLLING_DISABLE: return sizeof(struct nmreq_vale_polling);
	case NETMAP_REQ_POOLS_INFO_GET: return sizeof(struct nmreq_pools_info);
	case NETMAP_REQ_SYNC_KLOOP_START: return sizeof(struct nmreq_sync_kloop_start);
	case NETMAP_REQ_VALE_DELIF: return 0;
	case NETMAP_REQ_SYNC_KLOOP_STOP: return 0;
	case NETMAP_REQ_CSB_ENABLE: return 0;
	default: return -1;
	}
}

/* Bytes after the option header, or -1 for an EVENTFDS size off the cap. */
static int64_t model_opt_body(uint32_t t, uint64_t size)
{
	switch (t) {
	case NETMAP_REQ_OPT_EXTMEM:
		return sizeof(struct nmreq_opt_extmem) - FUZZ_OPT;
	case NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS:
		if (size < FUZZ_OPT || size > NETMAP_REQ_MAXSIZE)
			return -1;
		return (int64_t)(size - FUZZ_OPT);
	case NETMAP_REQ_OPT_CSB:
		return sizeof(struct nmreq_opt_csb) - FUZZ_OPT;
	case NETMAP_REQ_OPT_SYNC_KLOOP_MODE:
		return sizeof(struct nmreq_opt_sync_kloop_mode) - FUZZ_OPT;
	case NETMAP_REQ_OPT_OFFSETS:
		return sizeof(struct nmreq_opt_offsets) - FUZZ_OPT;
	default:
		return 0;
	}
}

/* The verdict of the rules on the request at hdr_ua (fills m). */
static int model_decode(struct model *m, uint64_t hdr_ua)
{
	struct nmreq_option oh;
	struct model_opt *o;
	uint64_t total, ua;
	int64_t at, blen;
	int bsz, err = 0;
	uint32_t i;

	if ((at = model_copy(m, hdr_ua, FUZZ_HDR)) < 0)
		return -EFAULT;
	memcpy(&m->hdr, m->mem + at, FUZZ_HDR);
	m->hdr.nr_name[NETMAP_REQ_IFNAMSIZ - 1] = '\0';
	if (m->hdr.nr_version < NETMAP_MIN_API ||
	    m->hdr.nr_version > NETMAP_MAX_API || m->hdr.nr_reserved != 0)
		return -EINVAL;
	bsz = model_body_size(m->hdr.nr_reqtype);
	if (bsz < 0 || (bsz > 0) != (m->hdr.nr_body != 0))
		return -EINVAL;
	if (bsz > 0) {
		if ((at = model_copy(m, m->hdr.nr_body, (uint64_t)bsz)) < 0)
			return -EFAULT;
		m->body = m->mem + at;
		m->body_len = (uint32_t)bsz;
	}
	total = (uint64_t)bsz;
	for (i = 0; i < NETMAP_REQ_OPT_MAX; i++)
		m->first[i] = -1;
	for (ua = m->hdr.nr_options; ua != 0; ua = oh.nro_next) {
		total += FUZZ_OPT + 8; /* header and per-option overhead */
		if (total > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		if ((at = model_copy(m, ua, FUZZ_OPT)) < 0)
			return -EFAULT;
		memcpy(&oh, m->mem + at, FUZZ_OPT);
		o = &m->opts[m->nopts++];
		o->uaddr = ua;
		o->nro_size = oh.nro_size;
		o->type = oh.nro_reqtype;
		o->status = EOPNOTSUPP;
		if (o->type == 0) {
			o->status = EINVAL;
			return -EINVAL;
		}
		if (o->type < NETMAP_REQ_OPT_MAX) {
			if (m->first[o->type] >= 0) {
				o->status = EINVAL;
				m->opts[m->first[o->type]].status = EINVAL;
				return -EINVAL;
			}
			m->first[o->type] = (int)(m->nopts - 1);
		}
		if (oh.nro_size > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		blen = model_opt_body(o->type, oh.nro_size);
		if (blen < 0)
			return -EMSGSIZE;
		total += (uint64_t)blen;
		if (total > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		o->body_len = (uint32_t)blen;
		if (blen > 0) {
			if ((at = model_copy(m, ua + FUZZ_OPT, (uint64_t)blen)) < 0)
				return -EFAULT;
			o->body = m->mem + at;
		}
	}
	return err;
}

/* One write-back copy, applied to exp if the model lets it through. */
static bool model_put(struct model *m, uint8_t *exp, uint64_t ua,
		      const void *src, uint64_t n)
{
	int64_t at = model_copy(m, ua, n);

	if (at < 0)
		return false;
	memcpy(exp + at, src, n);
	return true;
}

/* ---- The harness. */

static uint8_t *fuzz_umem;	/* FUZZ_UMAX bytes at FUZZ_UBASE */
static struct nm_ctrl_req *fuzz_req;
static struct model *fuzz_model;
static uint8_t fuzz_exp[FUZZ_UMAX];
static bool fuzz_verbose; /* FUZZ_VERBOSE=1: one line per input */

static void fuzz_init(void)
{
	void *p;

	nm_shim_log_set_quiet(true);
	fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	p = mmap((void *)(uintptr_t)FUZZ_UBASE, FUZZ_UMAX, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != (void *)(uintptr_t)FUZZ_UBASE) {
		fprintf(stderr, "fuzz_ioctl: cannot map user memory at %#llx\n",
			FUZZ_UBASE);
		abort();
	}
	fuzz_umem = p;
	fuzz_req = malloc(sizeof(*fuzz_req));
	fuzz_model = malloc(sizeof(*fuzz_model));
	if (fuzz_req == NULL || fuzz_model == NULL)
		abort();
}

static void fuzz_check_decoded(const struct model *m, struct nm_ctrl_req *r,
			       int rc)
{
	uint32_t i;

	FUZZ_CHECK(rc == m->rc);
	FUZZ_CHECK(rc == 0 || rc == -EFAULT || rc == -EINVAL || rc == -EMSGSIZE);
	FUZZ_CHECK(nm_shim_user_copies() == m->copies);
	FUZZ_CHECK(nm_shim_user_bytes() == m->bytes);
	FUZZ_CHECK(m->bytes <= FUZZ_HDR + NETMAP_REQ_MAXSIZE);
	FUZZ_CHECK(r->used <= sizeof(r->buf));
	FUZZ_CHECK(r->nopts == m->nopts);
	for (i = 0; i < m->nopts; i++) {
		FUZZ_CHECK(r->opts[i].uaddr == m->opts[i].uaddr);
		FUZZ_CHECK(r->opts[i].nro_size == m->opts[i].nro_size);
		FUZZ_CHECK(r->opts[i].type == m->opts[i].type);
		FUZZ_CHECK(r->opts[i].status == m->opts[i].status);
		FUZZ_CHECK(r->opts[i].status == EOPNOTSUPP ||
			   r->opts[i].status == EINVAL);
	}
	if (rc != 0)
		return;
	FUZZ_CHECK(memcmp(&r->hdr, &m->hdr, FUZZ_HDR) == 0);
	FUZZ_CHECK(r->body_len == m->body_len);
	FUZZ_CHECK((nm_ctrl_body(r) == NULL) == (m->body_len == 0));
	if (m->body_len > 0)
		FUZZ_CHECK(memcmp(nm_ctrl_body(r), m->body, m->body_len) == 0);
	for (i = 0; i < m->nopts; i++) {
		FUZZ_CHECK(r->opts[i].body_len == m->opts[i].body_len);
		FUZZ_CHECK(r->opts[i].body_ofs + r->opts[i].body_len <= sizeof(r->buf));
		if (m->opts[i].body_len > 0)
			FUZZ_CHECK(memcmp(nm_ctrl_opt_body(r, &r->opts[i]),
					  m->opts[i].body, m->opts[i].body_len) == 0);
	}
}

/* The handler: take, fail, check, maybe write results.  Its error. */
static int fuzz_handler(struct model *m, struct nm_ctrl_req *r, uint8_t flags,
			uint8_t take, uint8_t fail)
{
	struct nm_ctrl_opt *o;
	bool left = false;
	uint32_t t, i;
	int err;

	for (t = 1; t < NETMAP_REQ_OPT_MAX; t++) {
		if (!(take & (1U << (t - 1))))
			continue;
		o = nm_ctrl_opt_take(r, t);
		FUZZ_CHECK((o == NULL) == (m->first[t] < 0));
		if (o == NULL)
			continue;
		FUZZ_CHECK(o == &r->opts[m->first[t]]);
		m->opts[m->first[t]].status = 0;
		if (fail & (1U << (t - 1))) {
			/* A per-option failure: any errno but EOPNOTSUPP. */
			FUZZ_CHECK(nm_ctrl_opt_fail(o, -(int)(EINVAL + t)) ==
				   -(int)(EINVAL + t));
			m->opts[m->first[t]].status = EINVAL + t;
		}
	}
	FUZZ_CHECK(nm_ctrl_opt_take(r, 0) == NULL);
	FUZZ_CHECK(nm_ctrl_opt_take(r, NETMAP_REQ_OPT_MAX) == NULL);
	for (i = 0; i < m->nopts; i++) {
		FUZZ_CHECK(r->opts[i].status == m->opts[i].status);
		left = left || m->opts[i].status == EOPNOTSUPP;
	}
	err = nm_ctrl_options_check(r);
	FUZZ_CHECK(err == (left ? -EOPNOTSUPP : 0));
	if (err == 0 && (flags & F_HANDLER_FAILS))
		err = -EBUSY;
	if (flags & F_RESULTS) {
		/* Results go into the kernel copies, never to user memory
		 * directly: only nm_ctrl_finish() may carry them out. */
		for (i = 0; i < r->body_len; i++)
			((uint8_t *)nm_ctrl_body(r))[i] ^= 0x5a;
		for (i = 0; i < r->nopts; i++)
			memset(nm_ctrl_opt_body(r, &r->opts[i]), 0xa5,
			       r->opts[i].body_len);
	}
	return err;
}

/* What nm_ctrl_finish(r, err) may leave in user memory (into fuzz_exp), and
 * what it must return.  Order: each option's status then (on success, if
 * the option succeeded) its body, then the header, then the body; with
 * overlapping pieces the later copy wins. */
static int model_finish(struct model *m, struct nm_ctrl_req *r, int err)
{
	uint32_t i;
	bool fault = false;

	for (i = 0; i < m->nopts; i++) {
		fault |= !model_put(m, fuzz_exp, m->opts[i].uaddr + FUZZ_STATUS_OFS,
				    &m->opts[i].status, sizeof(uint32_t));
		if (err == 0 && m->opts[i].status == 0 && m->opts[i].body_len > 0)
			fault |= !model_put(m, fuzz_exp, m->opts[i].uaddr + FUZZ_OPT,
					    nm_ctrl_opt_body(r, &r->opts[i]),
					    m->opts[i].body_len);
	}
	if (err != 0)
		return err;
	/* The header goes back with its original pointers and the name
	 * terminated: the model's copy of it. */
	fault |= !model_put(m, fuzz_exp, r->hdr_uaddr, &m->hdr, FUZZ_HDR);
	if (m->body_len > 0)
		fault |= !model_put(m, fuzz_exp, m->hdr.nr_body, nm_ctrl_body(r),
				    m->body_len);
	return fault ? -EFAULT : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nm_ctrl_req *r;
	struct model *m;
	uint8_t flags, kdec, kfin, take, fail, split;
	uint64_t hdr_ua, copies0, bytes0;
	uint32_t len;
	int rc, err, want;

	if (fuzz_umem == NULL)
		fuzz_init();
	if (size < 8)
		return 0;
	flags = data[0];
	kdec = data[1];
	kfin = data[2];
	take = data[3];
	fail = data[4];
	hdr_ua = FUZZ_UBASE + (uint64_t)(data[5] | data[6] << 8);
	split = data[7];
	data += 8;
	size -= 8;
	len = size > FUZZ_UMAX ? FUZZ_UMAX : (uint32_t)size;
	r = fuzz_req;
	m = fuzz_model;

	/* User memory: exactly the input's bytes (one or two ranges). */
	memcpy(fuzz_umem, data, len);
	memset(fuzz_umem + len, 0, FUZZ_UMAX - len);
	memset(m, 0, sizeof(*m));
	m->mem = data;
	m->len = len;
	m->split = (uint32_t)split * 64 < len ? (uint32_t)split * 64 : 0;
	m->budget = (flags & F_FAULT_DECODE) ? kdec : -1;
	nm_shim_user_reset();
	if (m->split != 0) {
		FUZZ_CHECK(nm_shim_user_add(fuzz_umem, m->split) == 0);
		FUZZ_CHECK(nm_shim_user_add(fuzz_umem + m->split, len - m->split) == 0);
	} else {
		FUZZ_CHECK(nm_shim_user_add(fuzz_umem, len) == 0);
	}
	if (flags & F_FAULT_DECODE)
		nm_shim_user_fail_after(kdec);

	m->rc = model_decode(m, hdr_ua);
	rc = nm_ctrl_decode(r, hdr_ua);
	/* Decoding reads user memory and never writes it. */
	FUZZ_CHECK(memcmp(fuzz_umem, data, len) == 0);
	fuzz_check_decoded(m, r, rc);

	err = rc == 0 ? fuzz_handler(m, r, flags, take, fail) : rc;

	memcpy(fuzz_exp, data, len);
	m->budget = (flags & F_FAULT_FINISH) ? kfin : -1;
	nm_shim_user_fail_after(m->budget);
	copies0 = nm_shim_user_copies();
	bytes0 = nm_shim_user_bytes();
	m->copies = copies0;
	m->bytes = bytes0;
	want = model_finish(m, r, err);
	FUZZ_CHECK(nm_ctrl_finish(r, err) == want);
	FUZZ_CHECK(nm_shim_user_copies() == m->copies);
	FUZZ_CHECK(nm_shim_user_bytes() == m->bytes);
	FUZZ_CHECK(memcmp(fuzz_umem, fuzz_exp, len) == 0);
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_ioctl: decode %d, %u options, handler %d, finish %d\n",
			rc, r->nopts, err, want);
	nm_shim_user_reset();
	return 0;
}
