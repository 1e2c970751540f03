/*
 * nm_ctrl.c - copy-in, checks and copy-out of NIOCCTRL requests.
 *
 * Owns: nm_ctrl_decode() and nm_ctrl_finish() (rules in nm_ctrl.h).  The
 * option chain is walked once and each option judged as it is copied, in
 * the reference's order: a type 0 or a duplicate ends the walk with
 * -EINVAL, and a running total (each option costing its header, its body
 * and NM_CTRL_OPT_OVERHEAD) enforces NETMAP_REQ_MAXSIZE, so any loop ends
 * after at most NM_CTRL_MAX_OPTS hops.  User memory is only touched
 * through nm_os_copy_from_user()/nm_os_copy_to_user().
 */
#include "nm_ctrl.h"

static uint32_t nm_ctrl_align8(uint32_t n)
{
	return (n + 7U) & ~7U;
}

int nm_ctrl_body_size(uint32_t reqtype)
{
	switch (reqtype) {
	case NETMAP_REQ_REGISTER:
		return sizeof(struct nmreq_register);
	case NETMAP_REQ_PORT_INFO_GET:
		return sizeof(struct nmreq_port_info_get);
	case NETMAP_REQ_VALE_ATTACH:
		return sizeof(struct nmreq_vale_attach);
	case NETMAP_REQ_VALE_DETACH:
		return sizeof(struct nmreq_vale_detach);
	case NETMAP_REQ_VALE_LIST:
		return sizeof(struct nmreq_vale_list);
	case NETMAP_REQ_PORT_HDR_SET:
	case NETMAP_REQ_PORT_HDR_GET:
		return sizeof(struct nmreq_port_hdr);
	case NETMAP_REQ_VALE_NEWIF:
		return sizeof(struct nmreq_vale_newif);
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE:
		return sizeof(struct nmreq_vale_polling);
	case NETMAP_REQ_POOLS_INFO_GET:
		return sizeof(struct nmreq_pools_info);
	case NETMAP_REQ_SYNC_KLOOP_START:
		return sizeof(struct nmreq_sync_kloop_start);
	case NETMAP_REQ_VALE_DELIF:
	case NETMAP_REQ_SYNC_KLOOP_STOP:
	case NETMAP_REQ_CSB_ENABLE:
		return 0;
	default:
		return -EINVAL;
	}
}

int64_t nm_ctrl_opt_body_size(uint32_t type, uint64_t nro_size)
{
	const uint64_t hdr = sizeof(struct nmreq_option);

	switch (type) {
	case NETMAP_REQ_OPT_EXTMEM:
		return sizeof(struct nmreq_opt_extmem) - hdr;
	case NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS:
		/* The only variable-size option: its size is the user's.
		 * Below the header it would wrap in the reference too, which
		 * then reports the oversize. */
		if (nro_size < hdr || nro_size > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		return (int64_t)(nro_size - hdr);
	case NETMAP_REQ_OPT_CSB:
		return sizeof(struct nmreq_opt_csb) - hdr;
	case NETMAP_REQ_OPT_SYNC_KLOOP_MODE:
		return sizeof(struct nmreq_opt_sync_kloop_mode) - hdr;
	case NETMAP_REQ_OPT_OFFSETS:
		return sizeof(struct nmreq_opt_offsets) - hdr;
	default:
		return 0; /* type 0 and unknown types: the header only */
	}
}

/*
 * Walk the chain from the header's first option, in the reference's order
 * for each option: room for its header (with the per-option overhead), the
 * header copy, type 0 (-EINVAL, stop), a duplicate of a known type
 * (-EINVAL on both, stop: a known type pointing at itself ends here, before
 * the size cap), an nro_size beyond NETMAP_REQ_MAXSIZE (-EMSGSIZE, any
 * type), then the body of a known type within the cap.
 */
static int nm_ctrl_copy_options(struct nm_ctrl_req *r)
{
	uint64_t uaddr = r->hdr.nr_options;
	uint64_t total = r->body_len;
	struct nmreq_option oh;
	struct nm_ctrl_opt *o;
	int64_t blen;

	while (uaddr != 0) {
		if (total + NM_CTRL_OPT_COST > NETMAP_REQ_MAXSIZE ||
		    r->nopts == NM_CTRL_MAX_OPTS)
			return -EMSGSIZE;
		if (nm_os_copy_from_user(&oh, uaddr, sizeof(oh)) != 0)
			return -EFAULT;
		total += NM_CTRL_OPT_COST;
		o = &r->opts[r->nopts++];
		o->uaddr = uaddr;
		o->nro_size = oh.nro_size;
		o->type = oh.nro_reqtype;
		o->status = EOPNOTSUPP;
		if (o->type == 0)
			return nm_ctrl_opt_fail(o, -EINVAL);
		if (o->type < NETMAP_REQ_OPT_MAX) {
			if (r->by_type[o->type] != NULL) {
				nm_ctrl_opt_fail(r->by_type[o->type], -EINVAL);
				return nm_ctrl_opt_fail(o, -EINVAL);
			}
			r->by_type[o->type] = o;
		}
		if (oh.nro_size > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		blen = nm_ctrl_opt_body_size(o->type, oh.nro_size);
		if (blen < 0)
			return (int)blen;
		if (total + (uint64_t)blen > NETMAP_REQ_MAXSIZE)
			return -EMSGSIZE;
		total += (uint64_t)blen;
		o->body_ofs = r->used;
		o->body_len = (uint32_t)blen;
		if (!NM_ASSERT(r->used + o->body_len <= sizeof(r->buf)))
			return -EINVAL;
		if (blen > 0 &&
		    nm_os_copy_from_user((uint8_t *)r->buf + o->body_ofs,
					 uaddr + sizeof(oh), o->body_len) != 0)
			return -EFAULT;
		r->used += nm_ctrl_align8(o->body_len);
		uaddr = oh.nro_next;
	}
	return 0;
}

int nm_ctrl_decode(struct nm_ctrl_req *r, uint64_t hdr_uaddr)
{
	int bsz;

	nm_os_memset(r, 0, sizeof(*r));
	r->hdr_uaddr = hdr_uaddr;
	if (nm_os_copy_from_user(&r->hdr, hdr_uaddr, sizeof(r->hdr)) != 0)
		return -EFAULT;
	r->hdr.nr_name[NETMAP_REQ_IFNAMSIZ - 1] = '\0';
	if (r->hdr.nr_version < NETMAP_MIN_API ||
	    r->hdr.nr_version > NETMAP_MAX_API || r->hdr.nr_reserved != 0)
		return -EINVAL;
	bsz = nm_ctrl_body_size(r->hdr.nr_reqtype);
	if (bsz < 0)
		return bsz;
	if ((bsz > 0) != (r->hdr.nr_body != 0))
		return -EINVAL;
	if (bsz > 0 &&
	    nm_os_copy_from_user(r->buf, r->hdr.nr_body, (size_t)bsz) != 0)
		return -EFAULT;
	r->body_len = (uint32_t)bsz;
	r->used = nm_ctrl_align8(r->body_len);
	return nm_ctrl_copy_options(r);
}

void *nm_ctrl_body(struct nm_ctrl_req *r)
{
	return r->body_len > 0 ? (void *)r->buf : NULL;
}

void *nm_ctrl_opt_body(struct nm_ctrl_req *r, const struct nm_ctrl_opt *o)
{
	return (uint8_t *)r->buf + o->body_ofs;
}

struct nm_ctrl_opt *nm_ctrl_opt_take(struct nm_ctrl_req *r, uint32_t type)
{
	struct nm_ctrl_opt *o;

	if (type == 0 || type >= NETMAP_REQ_OPT_MAX)
		return NULL;
	o = r->by_type[type];
	if (o != NULL)
		o->status = 0;
	return o;
}

int nm_ctrl_opt_fail(struct nm_ctrl_opt *o, int err)
{
	o->status = (uint32_t)(err < 0 ? -err : err);
	return err;
}

int nm_ctrl_options_check(const struct nm_ctrl_req *r)
{
	uint32_t i;

	for (i = 0; i < r->nopts; i++)
		if (r->opts[i].status == EOPNOTSUPP)
			return -EOPNOTSUPP;
	return 0;
}

int nm_ctrl_finish(struct nm_ctrl_req *r, int err)
{
	const uint64_t status_ofs = NM_OFFSETOF(struct nmreq_option, nro_status);
	struct nm_ctrl_opt *o;
	int cerr = 0;
	uint32_t i;

	for (i = 0; i < r->nopts; i++) {
		o = &r->opts[i];
		if (nm_os_copy_to_user(o->uaddr + status_ofs, &o->status,
				       sizeof(o->status)) != 0)
			cerr = -EFAULT;
		if (err == 0 && o->status == 0 && o->body_len > 0 &&
		    nm_os_copy_to_user(o->uaddr + sizeof(struct nmreq_option),
				       nm_ctrl_opt_body(r, o),
				       o->body_len) != 0)
			cerr = -EFAULT;
	}
	if (err != 0)
		return err;
	if (nm_os_copy_to_user(r->hdr_uaddr, &r->hdr, sizeof(r->hdr)) != 0)
		cerr = -EFAULT;
	if (r->body_len > 0 &&
	    nm_os_copy_to_user(r->hdr.nr_body, r->buf, r->body_len) != 0)
		cerr = -EFAULT;
	return cerr;
}
