/*
 * nm_abi.h - the netmap userspace ABI, API version 14, in our own words.
 *
 * Owns: every structure and constant a netmap application shares with the
 * kernel (rings, slots, the interface descriptor, NIOCCTRL requests, options,
 * the ptnetmap CSB) and the ioctl numbers.  Field names follow netmap's so
 * that netmap applications compile against us; layouts are pinned below by
 * compile-time asserts on LP64 (x86-64, aarch64).
 *
 * Writer/reader marks on shared fields: U = user (application or guest),
 * K = kernel (host).  "UW KR" means the user writes it and the kernel reads
 * it, and therefore the kernel must validate it on every read.
 */
#ifndef NM_ABI_H
#define NM_ABI_H

#include "nm_util.h"

#define NETMAP_API 14	  /* the API version we implement */
#define NETMAP_MIN_API 14 /* oldest nr_version accepted */
#define NETMAP_MAX_API 15 /* newest nr_version accepted */

#define NM_CACHE_ALIGN 128   /* alignment of netmap_ring.sem */
#define NETMAP_MAX_FRAGS 64  /* most slots one packet may span */
#define NETMAP_REQ_IFNAMSIZ 64
#define NETMAP_REQ_MAXSIZE 4096 /* body plus all options, in bytes */
#define NETMAP_BUF_RESERVED 2	/* buffer indices 0 and 1 are never handed out */

/* ---- Slots. */

#define NS_BUF_CHANGED 0x0001 /* buf_idx changed (by the user or by a swap) */
#define NS_REPORT 0x0002      /* ask for a completion report */
#define NS_FORWARD 0x0004     /* pass the slot to the peer ring (NR_FORWARD) */
#define NS_NO_LEARN 0x0008    /* VALE: do not learn the source MAC */
#define NS_INDIRECT 0x0010    /* VALE TX: payload at the user address in ptr */
#define NS_MOREFRAG 0x0020    /* another fragment of this packet follows */
#define NS_TXMON 0x0040	      /* monitor: slot came from a TX ring */
#define NS_PORT_SHIFT 8
#define NS_PORT_MASK (0xff << NS_PORT_SHIFT)
#define NS_RFRAGS(slot) ((slot)->flags >> 8)

struct netmap_slot {
	uint32_t buf_idx; /* UW KR: buffer index, validated against the pool */
	uint16_t len;	  /* UW KR: bytes in this fragment, <= buffer size */
	uint16_t flags;	  /* UW KR: NS_* */
	uint64_t ptr;	  /* UW KR: user address (NS_INDIRECT) or offset */
};

/* ---- Rings. */

#define NR_TIMESTAMP 0x0002 /* ring->flags: timestamp on every sync */
#define NR_FORWARD 0x0004   /* ring->flags: honour NS_FORWARD */

#define NR_TX 0 /* netmap_ring.dir */
#define NR_RX 1

struct nm_timeval { /* struct timeval on LP64 */
	int64_t tv_sec;
	int64_t tv_usec;
};

struct netmap_ring {
	int64_t buf_ofs;      /* K: buffer pool offset from this ring */
	uint32_t num_slots;   /* K: ring size, any value 2..4096 */
	uint32_t nr_buf_size; /* K: bytes per buffer */
	uint16_t ringid;      /* K */
	uint16_t dir;	      /* K: NR_TX or NR_RX */
	uint32_t head;	      /* UW KR: first slot owned by the user */
	uint32_t cur;	      /* UW KR: wake-up point, head <= cur <= tail */
	uint32_t tail;	      /* KW UR: first slot owned by the kernel */
	uint32_t flags;	      /* UW KR: NR_* */
	uint32_t ring_pad0;
	struct nm_timeval ts;  /* KW UR: time of the last sync */
	uint64_t offset_mask;  /* K: slot offset feature */
	uint64_t buf_align;    /* K: slot offset feature */
	/* Explicit padding rather than an aligned(128) attribute: the layout
	 * is the same, and a ring need not be allocated 128-byte aligned. */
	uint8_t ring_pad1[NM_CACHE_ALIGN - 72];
	uint8_t sem[128]; /* K only, at NM_CACHE_ALIGN */
	struct netmap_slot slot[]; /* the ring itself, at offset 256 */
};

/* ---- The interface descriptor (netmap_if), found at nr_offset in the region. */

#define NI_PRIV_MEM 0x1

struct netmap_if {
	char ni_name[16];
	uint32_t ni_version;
	uint32_t ni_flags;
	uint32_t ni_tx_rings;
	uint32_t ni_rx_rings;
	uint32_t ni_bufs_head; /* extra buffers, chained through their first u32 */
	uint32_t ni_host_tx_rings;
	uint32_t ni_host_rx_rings;
	uint32_t ni_spare1[3];
	int64_t ring_ofs[]; /* NIC TX, host TX, NIC RX, host RX */
};

/* ---- Control requests: NIOCCTRL carries a header and a typed body. */

enum nmreq_type {
	NETMAP_REQ_REGISTER = 1,
	NETMAP_REQ_PORT_INFO_GET = 2,
	NETMAP_REQ_VALE_ATTACH = 3,
	NETMAP_REQ_VALE_DETACH = 4,
	NETMAP_REQ_VALE_LIST = 5,
	NETMAP_REQ_PORT_HDR_SET = 6,
	NETMAP_REQ_PORT_HDR_GET = 7,
	NETMAP_REQ_VALE_NEWIF = 8,
	NETMAP_REQ_VALE_DELIF = 9,
	NETMAP_REQ_VALE_POLLING_ENABLE = 10,
	NETMAP_REQ_VALE_POLLING_DISABLE = 11,
	NETMAP_REQ_POOLS_INFO_GET = 12,
	NETMAP_REQ_SYNC_KLOOP_START = 13,
	NETMAP_REQ_SYNC_KLOOP_STOP = 14,
	NETMAP_REQ_CSB_ENABLE = 15,
};

struct nmreq_header {
	uint16_t nr_version;  /* NETMAP_MIN_API..NETMAP_MAX_API */
	uint16_t nr_reqtype;  /* enum nmreq_type */
	uint32_t nr_reserved; /* must be 0 */
	char nr_name[NETMAP_REQ_IFNAMSIZ];
	uint64_t nr_options; /* user pointer to the first nmreq_option */
	uint64_t nr_body;    /* user pointer to the request body */
};

enum nmreq_reg_mode {
	NR_REG_DEFAULT = 0,
	NR_REG_ALL_NIC = 1,
	NR_REG_SW = 2,
	NR_REG_NIC_SW = 3,
	NR_REG_ONE_NIC = 4,
	NR_REG_PIPE_MASTER = 5, /* deprecated, refused */
	NR_REG_PIPE_SLAVE = 6,	/* deprecated, refused */
	NR_REG_NULL = 7,
	NR_REG_ONE_SW = 8,
};

/* nmreq_register.nr_flags */
#define NR_MONITOR_TX 0x100ULL
#define NR_MONITOR_RX 0x200ULL
#define NR_ZCOPY_MON 0x400ULL
#define NR_EXCLUSIVE 0x800ULL
#define NR_RX_RINGS_ONLY 0x2000ULL
#define NR_TX_RINGS_ONLY 0x4000ULL
#define NR_ACCEPT_VNET_HDR 0x8000ULL
#define NR_DO_RX_POLL 0x10000ULL
#define NR_NO_TX_POLL 0x20000ULL

struct nmreq_register {
	uint64_t nr_offset;  /* out: netmap_if offset in the region */
	uint64_t nr_memsize; /* out: region size */
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_host_tx_rings;
	uint16_t nr_host_rx_rings;
	uint16_t nr_mem_id;
	uint16_t nr_ringid;
	uint32_t nr_mode; /* enum nmreq_reg_mode */
	uint32_t nr_extra_bufs;
	uint64_t nr_flags; /* NR_* above */
};

enum nmreq_option_type {
	NETMAP_REQ_OPT_EXTMEM = 1,
	NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS = 2,
	NETMAP_REQ_OPT_CSB = 3,
	NETMAP_REQ_OPT_SYNC_KLOOP_MODE = 4,
	NETMAP_REQ_OPT_OFFSETS = 5,
	NETMAP_REQ_OPT_MAX = 6,
};

struct nmreq_option {
	uint64_t nro_next;    /* user pointer to the next option, 0 ends */
	uint32_t nro_reqtype; /* enum nmreq_option_type */
	uint32_t nro_status;  /* out: 0 or a positive errno */
	uint64_t nro_size;    /* bytes including this header */
};

/* ---- Request bodies other than nmreq_register (sizes pinned below). */

struct nmreq_port_info_get { /* NETMAP_REQ_PORT_INFO_GET, all out */
	uint64_t nr_memsize;
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_host_tx_rings;
	uint16_t nr_host_rx_rings;
	uint16_t nr_mem_id; /* in: 0 or the port's */
	uint16_t pad[3];
};

struct nmreq_vale_attach { /* NETMAP_REQ_VALE_ATTACH */
	struct nmreq_register reg;
	uint32_t port_index; /* out */
	uint32_t pad1;
};

struct nmreq_vale_detach { /* NETMAP_REQ_VALE_DETACH */
	uint32_t port_index; /* out */
	uint32_t pad1;
};

struct nmreq_vale_list { /* NETMAP_REQ_VALE_LIST: in/out cursor */
	uint16_t nr_bridge_idx;
	uint16_t pad1; /* out, nmlab only: NMLAB_VALE_LIST_POLLED */
	uint32_t nr_port_idx;
};

struct nmreq_port_hdr { /* NETMAP_REQ_PORT_HDR_SET / _GET */
	uint32_t nr_hdr_len;
	uint32_t pad1;
};

struct nmreq_vale_newif { /* NETMAP_REQ_VALE_NEWIF */
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_mem_id;
	uint16_t pad1;
};

/* nmlab's use of nmreq_vale_list.pad1 in a VALE_LIST reply (the reference
 * leaves it as given): the port is an attached interface being polled. */
#define NMLAB_VALE_LIST_POLLED 0x1

/* nmreq_vale_polling.nr_mode */
#define NETMAP_POLLING_MODE_SINGLE_CPU 1 /* one thread, every NIC RX ring */
#define NETMAP_POLLING_MODE_MULTI_CPU 2	 /* one thread per ring, ring i on CPU i */

struct nmreq_vale_polling { /* NETMAP_REQ_VALE_POLLING_ENABLE / _DISABLE */
	uint32_t nr_mode;
	uint32_t pad1;
	uint32_t nr_first_cpu_id;
	uint32_t nr_num_polling_cpus;
};

struct nmreq_pools_info { /* NETMAP_REQ_POOLS_INFO_GET, and in OPT_EXTMEM */
	uint64_t nr_memsize;
	uint16_t nr_mem_id;
	uint16_t pad1[3];
	uint64_t nr_if_pool_offset;
	uint32_t nr_if_pool_objtotal;
	uint32_t nr_if_pool_objsize;
	uint64_t nr_ring_pool_offset;
	uint32_t nr_ring_pool_objtotal;
	uint32_t nr_ring_pool_objsize;
	uint64_t nr_buf_pool_offset;
	uint32_t nr_buf_pool_objtotal;
	uint32_t nr_buf_pool_objsize;
};

struct nmreq_sync_kloop_start { /* NETMAP_REQ_SYNC_KLOOP_START */
	uint32_t sleep_us; /* busy-wait interval, <= 1000000 */
	uint32_t pad1;
};

/* ---- Options: a header followed by the option's own fields. */

struct nmreq_opt_extmem { /* NETMAP_REQ_OPT_EXTMEM */
	struct nmreq_option nro_opt;
	uint64_t nro_usrptr;
	struct nmreq_pools_info nro_info;
};

struct nmreq_opt_sync_kloop_eventfds { /* NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS */
	struct nmreq_option nro_opt; /* nro_size = 24 + 8 * bound rings */
	struct {
		int32_t ioeventfd; /* kick: the application writes it */
		int32_t irqfd;	   /* interrupt: the kernel signals it; < 0 none */
	} eventfds[];		   /* TX rings first, then RX rings */
};

struct nmreq_opt_csb { /* NETMAP_REQ_OPT_CSB: user addresses, 64-aligned */
	struct nmreq_option nro_opt;
	uint64_t csb_atok; /* struct nm_csb_atok[bound rings] */
	uint64_t csb_ktoa; /* struct nm_csb_ktoa[bound rings] */
};

#define NM_OPT_SYNC_KLOOP_DIRECT_TX 0x1U
#define NM_OPT_SYNC_KLOOP_DIRECT_RX 0x2U

struct nmreq_opt_sync_kloop_mode { /* NETMAP_REQ_OPT_SYNC_KLOOP_MODE */
	struct nmreq_option nro_opt;
	uint32_t mode; /* NM_OPT_SYNC_KLOOP_DIRECT_* */
};

struct nmreq_opt_offsets { /* NETMAP_REQ_OPT_OFFSETS */
	struct nmreq_option nro_opt;
	uint64_t nro_max_offset;
	uint64_t nro_initial_offset;
	uint32_t nro_offset_bits;
	uint32_t nro_tx_align;
	uint64_t nro_min_gap;
};

/* ---- ptnetmap / sync-kloop Communication Status Block: one 64-byte line per
 * ring per direction, so every line has a single writer. */

#define NAF_FORCE_READ 1
#define NAF_FORCE_RECLAIM 2

struct nm_csb_atok {		 /* application -> kernel */
	uint32_t head;		 /* UW KR: published after cur */
	uint32_t cur;		 /* UW KR: published before head */
	uint32_t appl_need_kick; /* UW KR: user wants interrupts */
	uint32_t sync_flags;	 /* UW KR: NAF_FORCE_* for the sync */
	uint32_t pad[12];
} __attribute__((aligned(64)));

struct nm_csb_ktoa {		 /* kernel -> application */
	uint32_t hwcur;		 /* KW UR: published before hwtail */
	uint32_t hwtail;	 /* KW UR: published after hwcur */
	uint32_t kern_need_kick; /* KW UR: kernel wants kicks */
	uint32_t pad[13];
} __attribute__((aligned(64)));

/* ---- ioctl numbers, Linux encoding: dir(2) size(14) type(8) nr(8). */

#define NM_IOC_NONE 0U
#define NM_IOC_WRITE 1U
#define NM_IOC_READ 2U
#define NM_IOC(dir, type, nr, size)                                   \
	(((uint32_t)(dir) << 30) | ((uint32_t)(size) << 16) |         \
	 ((uint32_t)(type) << 8) | (uint32_t)(nr))

#define NM_LEGACY_NMREQ_SIZE 60 /* struct nmreq of NIOCGINFO/NIOCREGIF */

#define NIOCGINFO NM_IOC(NM_IOC_READ | NM_IOC_WRITE, 'i', 145, NM_LEGACY_NMREQ_SIZE)
#define NIOCREGIF NM_IOC(NM_IOC_READ | NM_IOC_WRITE, 'i', 146, NM_LEGACY_NMREQ_SIZE)
#define NIOCTXSYNC NM_IOC(NM_IOC_NONE, 'i', 148, 0)
#define NIOCRXSYNC NM_IOC(NM_IOC_NONE, 'i', 149, 0)
#define NIOCCTRL NM_IOC(NM_IOC_READ | NM_IOC_WRITE, 'i', 151, sizeof(struct nmreq_header))

/* ---- The layout, pinned. */

#define NM_ABI_AT(type, field, off)                                        \
	NM_STATIC_ASSERT(NM_OFFSETOF(struct type, field) == (off),         \
			 #type "." #field " must be at offset " #off)
#define NM_ABI_SIZE(type, size)                                            \
	NM_STATIC_ASSERT(sizeof(struct type) == (size),                    \
			 "struct " #type " must be " #size " bytes")

NM_ABI_SIZE(netmap_slot, 16);
NM_ABI_AT(netmap_slot, buf_idx, 0);
NM_ABI_AT(netmap_slot, len, 4);
NM_ABI_AT(netmap_slot, flags, 6);
NM_ABI_AT(netmap_slot, ptr, 8);

NM_ABI_SIZE(netmap_ring, 256);
NM_ABI_AT(netmap_ring, buf_ofs, 0);
NM_ABI_AT(netmap_ring, num_slots, 8);
NM_ABI_AT(netmap_ring, nr_buf_size, 12);
NM_ABI_AT(netmap_ring, ringid, 16);
NM_ABI_AT(netmap_ring, dir, 18);
NM_ABI_AT(netmap_ring, head, 20);
NM_ABI_AT(netmap_ring, cur, 24);
NM_ABI_AT(netmap_ring, tail, 28);
NM_ABI_AT(netmap_ring, flags, 32);
NM_ABI_AT(netmap_ring, ts, 40);
NM_ABI_AT(netmap_ring, offset_mask, 56);
NM_ABI_AT(netmap_ring, buf_align, 64);
NM_ABI_AT(netmap_ring, sem, 128);
NM_ABI_AT(netmap_ring, slot, 256);

NM_ABI_SIZE(netmap_if, 56);
NM_ABI_AT(netmap_if, ni_name, 0);
NM_ABI_AT(netmap_if, ni_version, 16);
NM_ABI_AT(netmap_if, ni_flags, 20);
NM_ABI_AT(netmap_if, ni_tx_rings, 24);
NM_ABI_AT(netmap_if, ni_rx_rings, 28);
NM_ABI_AT(netmap_if, ni_bufs_head, 32);
NM_ABI_AT(netmap_if, ni_host_tx_rings, 36);
NM_ABI_AT(netmap_if, ni_host_rx_rings, 40);
NM_ABI_AT(netmap_if, ni_spare1, 44);
NM_ABI_AT(netmap_if, ring_ofs, 56);

NM_ABI_SIZE(nmreq_header, 88);
NM_ABI_AT(nmreq_header, nr_version, 0);
NM_ABI_AT(nmreq_header, nr_reqtype, 2);
NM_ABI_AT(nmreq_header, nr_reserved, 4);
NM_ABI_AT(nmreq_header, nr_name, 8);
NM_ABI_AT(nmreq_header, nr_options, 72);
NM_ABI_AT(nmreq_header, nr_body, 80);

NM_ABI_SIZE(nmreq_register, 56);
NM_ABI_AT(nmreq_register, nr_offset, 0);
NM_ABI_AT(nmreq_register, nr_memsize, 8);
NM_ABI_AT(nmreq_register, nr_tx_slots, 16);
NM_ABI_AT(nmreq_register, nr_rx_slots, 20);
NM_ABI_AT(nmreq_register, nr_tx_rings, 24);
NM_ABI_AT(nmreq_register, nr_rx_rings, 26);
NM_ABI_AT(nmreq_register, nr_host_tx_rings, 28);
NM_ABI_AT(nmreq_register, nr_host_rx_rings, 30);
NM_ABI_AT(nmreq_register, nr_mem_id, 32);
NM_ABI_AT(nmreq_register, nr_ringid, 34);
NM_ABI_AT(nmreq_register, nr_mode, 36);
NM_ABI_AT(nmreq_register, nr_extra_bufs, 40);
NM_ABI_AT(nmreq_register, nr_flags, 48);

NM_ABI_SIZE(nmreq_option, 24);
NM_ABI_AT(nmreq_option, nro_next, 0);
NM_ABI_AT(nmreq_option, nro_reqtype, 8);
NM_ABI_AT(nmreq_option, nro_status, 12);
NM_ABI_AT(nmreq_option, nro_size, 16);

NM_ABI_SIZE(nmreq_port_info_get, 32);
NM_ABI_AT(nmreq_port_info_get, nr_mem_id, 24);
NM_ABI_SIZE(nmreq_vale_attach, 64);
NM_ABI_AT(nmreq_vale_attach, port_index, 56);
NM_ABI_SIZE(nmreq_vale_detach, 8);
NM_ABI_SIZE(nmreq_vale_list, 8);
NM_ABI_AT(nmreq_vale_list, nr_port_idx, 4);
NM_ABI_SIZE(nmreq_port_hdr, 8);
NM_ABI_SIZE(nmreq_vale_newif, 16);
NM_ABI_AT(nmreq_vale_newif, nr_mem_id, 12);
NM_ABI_SIZE(nmreq_vale_polling, 16);
NM_ABI_SIZE(nmreq_pools_info, 64);
NM_ABI_AT(nmreq_pools_info, nr_if_pool_offset, 16);
NM_ABI_AT(nmreq_pools_info, nr_ring_pool_offset, 32);
NM_ABI_AT(nmreq_pools_info, nr_buf_pool_offset, 48);
NM_ABI_AT(nmreq_pools_info, nr_buf_pool_objsize, 60);
NM_ABI_SIZE(nmreq_sync_kloop_start, 8);
NM_ABI_SIZE(nmreq_opt_extmem, 96);
NM_ABI_SIZE(nmreq_opt_sync_kloop_eventfds, 24);
NM_ABI_SIZE(nmreq_opt_csb, 40);
NM_ABI_AT(nmreq_opt_csb, csb_atok, 24);
NM_ABI_AT(nmreq_opt_csb, csb_ktoa, 32);
NM_ABI_SIZE(nmreq_opt_sync_kloop_mode, 32);
NM_ABI_AT(nmreq_opt_sync_kloop_mode, mode, 24);
NM_ABI_SIZE(nmreq_opt_offsets, 56);

NM_ABI_SIZE(nm_csb_atok, 64);
NM_ABI_AT(nm_csb_atok, head, 0);
NM_ABI_AT(nm_csb_atok, cur, 4);
NM_ABI_AT(nm_csb_atok, appl_need_kick, 8);
NM_ABI_AT(nm_csb_atok, sync_flags, 12);
NM_ABI_SIZE(nm_csb_ktoa, 64);
NM_ABI_AT(nm_csb_ktoa, hwcur, 0);
NM_ABI_AT(nm_csb_ktoa, hwtail, 4);
NM_ABI_AT(nm_csb_ktoa, kern_need_kick, 8);

NM_STATIC_ASSERT(NIOCCTRL == 0xc0586997U, "NIOCCTRL must be 0xc0586997");
NM_STATIC_ASSERT(NIOCTXSYNC == 0x6994U, "NIOCTXSYNC must be 0x6994");
NM_STATIC_ASSERT(NIOCRXSYNC == 0x6995U, "NIOCRXSYNC must be 0x6995");
NM_STATIC_ASSERT(NIOCGINFO == 0xc03c6991U, "NIOCGINFO must be 0xc03c6991");
NM_STATIC_ASSERT(NIOCREGIF == 0xc03c6992U, "NIOCREGIF must be 0xc03c6992");

#endif /* NM_ABI_H */
