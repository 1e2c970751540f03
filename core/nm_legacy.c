/*
 * nm_legacy.c - NIOCREGIF / NIOCGINFO onto the NIOCCTRL requests (see the
 * header for the rules).
 */
#include "nm_legacy.h"

#include "nm_os.h"
#include "nm_util.h"

/* The largest nr_offset or nr_memsize the 32-bit legacy fields hold (the
 * kernel has no UINT32_MAX). */
#define NM_LEGACY_U32_MAX 0xffffffffULL

/* Copy the legacy name into the header, with "{N" or "}N" after it for
 * the old pipe modes: 0, or -EINVAL if it does not fit. */
static int nm_legacy_name(const struct nmreq_legacy *l, struct nmreq_header *h,
			  uint32_t mode)
{
	uint32_t n = 0, ring = l->nr_ringid & NETMAP_RING_MASK, digits = 1, d, k;

	while (n < NM_LEGACY_IFNAMSIZ && l->nr_name[n] != '\0') {
		h->nr_name[n] = l->nr_name[n];
		n++;
	}
	if (mode != NR_REG_PIPE_MASTER && mode != NR_REG_PIPE_SLAVE)
		return 0;
	for (d = ring; d >= 10; d /= 10)
		digits++;
	if (n + 1 + digits >= NETMAP_REQ_IFNAMSIZ)
		return -EINVAL;
	h->nr_name[n++] = mode == NR_REG_PIPE_MASTER ? '{' : '}';
	for (k = digits, d = ring; k > 0; k--, d /= 10)
		h->nr_name[n + k - 1] = (char)('0' + d % 10);
	return 0;
}

/* REGISTER's body from the legacy fields. */
static int nm_legacy_register(const struct nmreq_legacy *l, struct nmreq_register *reg,
			      struct nmreq_header *h)
{
	uint32_t mode = l->nr_flags & NR_REG_MASK;

	if (mode == NR_REG_DEFAULT)
		mode = (l->nr_ringid & NETMAP_SW_RING)	 ? NR_REG_SW
		       : (l->nr_ringid & NETMAP_HW_RING) ? NR_REG_ONE_NIC
							 : NR_REG_ALL_NIC;
	if (nm_legacy_name(l, h, mode) != 0)
		return -EINVAL;
	reg->nr_ringid = l->nr_ringid & NETMAP_RING_MASK;
	if (mode == NR_REG_PIPE_MASTER || mode == NR_REG_PIPE_SLAVE) {
		mode = NR_REG_ALL_NIC; /* the ring number went into the name */
		reg->nr_ringid = 0;
	}
	reg->nr_mode = mode;
	reg->nr_flags = l->nr_flags & ~(uint64_t)NR_REG_MASK;
	if (l->nr_ringid & NETMAP_NO_TX_POLL)
		reg->nr_flags |= NR_NO_TX_POLL;
	if (l->nr_ringid & NETMAP_DO_RX_POLL)
		reg->nr_flags |= NR_DO_RX_POLL;
	reg->nr_tx_slots = l->nr_tx_slots;
	reg->nr_rx_slots = l->nr_rx_slots;
	reg->nr_tx_rings = l->nr_tx_rings;
	reg->nr_rx_rings = l->nr_rx_rings;
	reg->nr_mem_id = l->nr_arg2;
	reg->nr_extra_bufs = l->nr_arg3;
	return 0;
}

/* The NIOCCTRL request type of legacy command (cmd, nr_cmd), or 0. */
static uint16_t nm_legacy_type(uint32_t cmd, uint16_t nr_cmd)
{
	if (cmd == NIOCGINFO)
		return nr_cmd == 0		       ? NETMAP_REQ_PORT_INFO_GET
		       : nr_cmd == NETMAP_BDG_LIST     ? NETMAP_REQ_VALE_LIST
		       : nr_cmd == NETMAP_VNET_HDR_GET ? NETMAP_REQ_PORT_HDR_GET
						       : 0;
	switch (nr_cmd) {
	case 0:
		return NETMAP_REQ_REGISTER;
	case NETMAP_BDG_ATTACH:
		return NETMAP_REQ_VALE_ATTACH;
	case NETMAP_BDG_DETACH:
		return NETMAP_REQ_VALE_DETACH;
	case NETMAP_BDG_NEWIF:
		return NETMAP_REQ_VALE_NEWIF;
	case NETMAP_BDG_DELIF:
		return NETMAP_REQ_VALE_DELIF;
	case NETMAP_BDG_VNET_HDR:
		return NETMAP_REQ_PORT_HDR_SET;
	case NETMAP_BDG_POLLING_ON:
		return NETMAP_REQ_VALE_POLLING_ENABLE;
	case NETMAP_BDG_POLLING_OFF:
		return NETMAP_REQ_VALE_POLLING_DISABLE;
	default:
		return 0;
	}
}

int nm_legacy_to_req(const struct nmreq_legacy *l, uint32_t cmd, struct nm_ctrl_req *r)
{
	uint16_t type = nm_legacy_type(cmd, l->nr_cmd);
	void *body = r->buf;
	int bsz;

	nm_os_memset(r, 0, sizeof(*r));
	if (l->nr_version < NM_LEGACY_MIN_API || l->nr_version > NETMAP_MAX_API || type == 0)
		return -EINVAL;
	bsz = nm_ctrl_body_size(type);
	if (bsz < 0)
		return bsz;
	r->hdr.nr_version = NETMAP_MIN_API;
	r->hdr.nr_reqtype = type;
	r->body_len = (uint32_t)bsz;
	r->used = r->body_len;
	switch (type) {
	case NETMAP_REQ_REGISTER:
		return nm_legacy_register(l, body, &r->hdr);
	case NETMAP_REQ_VALE_ATTACH: {
		struct nmreq_vale_attach *a = body;

		a->reg.nr_mode = l->nr_arg1 == NETMAP_BDG_HOST ? NR_REG_NIC_SW : NR_REG_ALL_NIC;
		a->reg.nr_mem_id = l->nr_arg2;
		break;
	}
	case NETMAP_REQ_VALE_NEWIF: {
		struct nmreq_vale_newif *nw = body;

		nw->nr_tx_slots = l->nr_tx_slots;
		nw->nr_rx_slots = l->nr_rx_slots;
		nw->nr_tx_rings = l->nr_tx_rings;
		nw->nr_rx_rings = l->nr_rx_rings;
		nw->nr_mem_id = l->nr_arg2;
		break;
	}
	case NETMAP_REQ_VALE_LIST: {
		struct nmreq_vale_list *vl = body;

		vl->nr_bridge_idx = l->nr_arg1;
		vl->nr_port_idx = l->nr_arg2;
		break;
	}
	case NETMAP_REQ_PORT_HDR_SET:
		((struct nmreq_port_hdr *)body)->nr_hdr_len = l->nr_arg1;
		break;
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE: {
		struct nmreq_vale_polling *vp = body;

		/* As the reference's translation: the register mode says
		 * which polling mode (anything else is mode 0, refused by
		 * ENABLE), the ring id the first CPU, nr_arg1 the CPUs. */
		switch (l->nr_flags & NR_REG_MASK) {
		case NR_REG_ONE_NIC:
			vp->nr_mode = NETMAP_POLLING_MODE_MULTI_CPU;
			break;
		case NR_REG_ALL_NIC:
			vp->nr_mode = NETMAP_POLLING_MODE_SINGLE_CPU;
			break;
		default:
			vp->nr_mode = 0;
			break;
		}
		vp->nr_first_cpu_id = l->nr_ringid & NETMAP_RING_MASK;
		vp->nr_num_polling_cpus = l->nr_arg1;
		break;
	}
	case NETMAP_REQ_PORT_INFO_GET:
		((struct nmreq_port_info_get *)body)->nr_mem_id = l->nr_arg2;
		break;
	default:
		break;
	}
	return nm_legacy_name(l, &r->hdr, NR_REG_DEFAULT);
}

int nm_legacy_from_req(const struct nm_ctrl_req *r, struct nmreq_legacy *l)
{
	const void *body = r->buf;
	uint32_t n;

	switch (r->hdr.nr_reqtype) {
	case NETMAP_REQ_REGISTER: {
		const struct nmreq_register *reg = body;

		if (reg->nr_offset > NM_LEGACY_U32_MAX || reg->nr_memsize > NM_LEGACY_U32_MAX)
			return -EOVERFLOW;
		l->nr_offset = (uint32_t)reg->nr_offset;
		l->nr_memsize = (uint32_t)reg->nr_memsize;
		l->nr_tx_slots = reg->nr_tx_slots;
		l->nr_rx_slots = reg->nr_rx_slots;
		l->nr_tx_rings = reg->nr_tx_rings;
		l->nr_rx_rings = reg->nr_rx_rings;
		l->nr_arg2 = reg->nr_mem_id;
		l->nr_arg3 = reg->nr_extra_bufs;
		break;
	}
	case NETMAP_REQ_PORT_INFO_GET: {
		const struct nmreq_port_info_get *pi = body;

		if (pi->nr_memsize > NM_LEGACY_U32_MAX)
			return -EOVERFLOW;
		l->nr_memsize = (uint32_t)pi->nr_memsize;
		l->nr_tx_slots = pi->nr_tx_slots;
		l->nr_rx_slots = pi->nr_rx_slots;
		l->nr_tx_rings = pi->nr_tx_rings;
		l->nr_rx_rings = pi->nr_rx_rings;
		l->nr_arg2 = pi->nr_mem_id;
		break;
	}
	case NETMAP_REQ_VALE_LIST: {
		const struct nmreq_vale_list *vl = body;

		l->nr_arg1 = vl->nr_bridge_idx;
		l->nr_arg2 = (uint16_t)vl->nr_port_idx;
		/* The port's name, cut to the legacy field, NUL-terminated. */
		nm_os_memset(l->nr_name, 0, sizeof(l->nr_name));
		for (n = 0; n < NM_LEGACY_IFNAMSIZ - 1 && r->hdr.nr_name[n] != '\0'; n++)
			l->nr_name[n] = r->hdr.nr_name[n];
		break;
	}
	case NETMAP_REQ_PORT_HDR_GET:
		l->nr_arg1 = (uint16_t)((const struct nmreq_port_hdr *)body)->nr_hdr_len;
		break;
	case NETMAP_REQ_VALE_NEWIF: {
		const struct nmreq_vale_newif *nw = body;

		l->nr_tx_slots = nw->nr_tx_slots;
		l->nr_rx_slots = nw->nr_rx_slots;
		l->nr_tx_rings = nw->nr_tx_rings;
		l->nr_rx_rings = nw->nr_rx_rings;
		l->nr_arg2 = nw->nr_mem_id;
		break;
	}
	default:
		break;
	}
	return 0;
}

int nm_legacy_decode(struct nm_ctrl_req *r, struct nmreq_legacy *l, uint32_t cmd,
		     uint64_t uaddr)
{
	if (nm_os_copy_from_user(l, uaddr, sizeof(*l)) != 0) {
		nm_os_memset(r, 0, sizeof(*r));
		return -EFAULT;
	}
	return nm_legacy_to_req(l, cmd, r);
}

int nm_legacy_finish(struct nm_ctrl_req *r, struct nmreq_legacy *l, int err,
		     uint64_t uaddr)
{
	if (err != 0)
		return err;
	err = nm_legacy_from_req(r, l);
	if (err != 0)
		return err;
	return nm_os_copy_to_user(uaddr, l, sizeof(*l)) != 0 ? -EFAULT : 0;
}
