/*
 * nm_legacy.h - the legacy control API: NIOCREGIF and NIOCGINFO with the
 * 60-byte struct nmreq of netmap API 11-13, translated onto the same
 * requests NIOCCTRL carries (nm_ctrl.h), so programs built against the old
 * headers run on the same code paths.
 *
 * Owns: the legacy struct's layout and constants, the copy-in of one
 * legacy request (its 60 bytes read once, through nm_os_copy_from_user()),
 * its translation to an nm_ctrl_req (REGISTER, PORT_INFO_GET, VALE_LIST,
 * VALE_ATTACH/DETACH, VALE_NEWIF/DELIF, PORT_HDR_SET/GET), and the copy-out
 * of the results into the legacy fields.
 *
 * Rules (the reference's translation, as netmap.4 and netmap_legacy.h
 * describe the fields):
 *  - nr_version in [NM_LEGACY_MIN_API, NETMAP_MAX_API], else -EINVAL.  The
 *    reference accepts only 14 and 15 here; we also take 11..13 so that
 *    binaries of those APIs run (docs/kmod.md says so).
 *  - nr_flags' NR_REG_* mode, or with NR_REG_DEFAULT the old nr_ringid
 *    bits: NETMAP_SW_RING -> NR_REG_SW, NETMAP_HW_RING -> NR_REG_ONE_NIC
 *    (ring nr_ringid & NETMAP_RING_MASK), else NR_REG_ALL_NIC.
 *    NR_REG_PIPE_MASTER / _SLAVE with ring N become the name suffix "{N" /
 *    "}N" and NR_REG_ALL_NIC.  NETMAP_NO_TX_POLL and NETMAP_DO_RX_POLL
 *    become NR_NO_TX_POLL and NR_DO_RX_POLL; nr_arg2 is nr_mem_id, nr_arg3
 *    the extra buffers.
 *  - NIOCGINFO: nr_cmd 0 is PORT_INFO_GET, NETMAP_BDG_LIST is VALE_LIST,
 *    NETMAP_VNET_HDR_GET is PORT_HDR_GET.  NIOCREGIF: nr_cmd 0 is
 *    REGISTER, NETMAP_BDG_ATTACH (nr_arg1 NETMAP_BDG_HOST: with the host
 *    rings) / _DETACH / _NEWIF / _DELIF / _VNET_HDR are the requests of
 *    those names; NETMAP_BDG_POLLING_ON / _OFF are VALE_POLLING_ENABLE /
 *    _DISABLE (nr_flags' mode ONE_NIC: MULTI_CPU, ALL_NIC: SINGLE_CPU,
 *    other: mode 0; first CPU nr_ringid & NETMAP_RING_MASK; CPUs
 *    nr_arg1).  Any other nr_cmd is -EINVAL.
 *  - Results go back only when the request succeeded: the 32-bit nr_offset
 *    and nr_memsize (-EOVERFLOW if they do not fit), rings, slots,
 *    nr_arg2 = nr_mem_id, the list cursor in nr_arg1/nr_arg2 and the name.
 *
 * Locking: none; a translated request belongs to one ioctl call.
 */
#ifndef NM_LEGACY_H
#define NM_LEGACY_H

#include "nm_ctrl.h"

#define NM_LEGACY_MIN_API 11
#define NM_LEGACY_IFNAMSIZ 16

/* nr_ringid */
#define NETMAP_HW_RING 0x4000
#define NETMAP_SW_RING 0x2000
#define NETMAP_NO_TX_POLL 0x1000
#define NETMAP_DO_RX_POLL 0x8000
#define NETMAP_RING_MASK 0x0fff
/* nr_cmd */
#define NETMAP_BDG_ATTACH 1
#define NETMAP_BDG_DETACH 2
#define NETMAP_BDG_LIST 4
#define NETMAP_BDG_VNET_HDR 5
#define NETMAP_BDG_NEWIF 6
#define NETMAP_BDG_DELIF 7
#define NETMAP_BDG_POLLING_ON 10
#define NETMAP_BDG_POLLING_OFF 11
#define NETMAP_VNET_HDR_GET 12
#define NETMAP_BDG_HOST 1 /* nr_arg1 of NETMAP_BDG_ATTACH */
#define NR_REG_MASK 0xfU

struct nmreq_legacy {
	char nr_name[NM_LEGACY_IFNAMSIZ];
	uint32_t nr_version;
	uint32_t nr_offset;  /* out */
	uint32_t nr_memsize; /* out */
	uint32_t nr_tx_slots, nr_rx_slots;
	uint16_t nr_tx_rings, nr_rx_rings;
	uint16_t nr_ringid;
	uint16_t nr_cmd;
	uint16_t nr_arg1, nr_arg2;
	uint32_t nr_arg3;
	uint32_t nr_flags;
	uint32_t spare;
};
NM_STATIC_ASSERT(sizeof(struct nmreq_legacy) == NM_LEGACY_NMREQ_SIZE,
		 "struct nmreq_legacy must be the 60 bytes of struct nmreq");

/* The request legacy l asks for with ioctl cmd (NIOCREGIF or NIOCGINFO),
 * in r (reset here; no options): 0, -EINVAL (version, nr_cmd, a pipe
 * name that does not fit). */
int nm_legacy_to_req(const struct nmreq_legacy *l, uint32_t cmd, struct nm_ctrl_req *r);
/* The results of the request r that succeeded, into l: 0 or -EOVERFLOW. */
int nm_legacy_from_req(const struct nm_ctrl_req *r, struct nmreq_legacy *l);

/* [control path] Copy in the legacy request at uaddr (into *l) and
 * translate it: 0, -EFAULT or as nm_legacy_to_req(). */
int nm_legacy_decode(struct nm_ctrl_req *r, struct nmreq_legacy *l, uint32_t cmd,
		     uint64_t uaddr);
/* [control path] After the request ran with result err: on success the
 * results are copied out to uaddr.  Returns err, -EOVERFLOW or -EFAULT. */
int nm_legacy_finish(struct nm_ctrl_req *r, struct nmreq_legacy *l, int err,
		     uint64_t uaddr);

#endif /* NM_LEGACY_H */
