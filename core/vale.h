/*
 * vale.h - the VALE software switch: switches, ports, lookup.
 *
 * Owns: the switches of a registry (nm_registry.h, up to 8); a switch
 * holds up to 254 ports "valeX:Y" and a pluggable lookup (default: the learning bridge); a port owns one nm_region, its
 * krings and counters.  Invariants: a port is published only when fully
 * built and freed only after nm_os_read_synchronize() following its
 * removal, so forwarding passes (read sections) never see freed memory;
 * every lookup result and ring is classified (docs/vale.md).
 *
 * Locking: reg->lock (short, never across allocation or synchronize) guards
 * the tables and counts; forwarding takes only read sections and destination
 * ring locks.  A port must not be closed while its own kring is syncing.
 */
#ifndef VALE_H
#define VALE_H

#include "nm_port.h"
#include "nm_registry.h"

#define VALE_PREFIX "vale"
#define VALE_MAX_SWITCHES NM_REGISTRY_MAX_SWITCHES
#define VALE_MAX_PORTS 254U
#define VALE_BROADCAST 254U /* lookup result: flood to every other port */
#define VALE_DROP 255U	    /* lookup result: drop (any value >= 255) */
#define VALE_MAX_RINGS NM_PORT_MAX_RINGS
#define VALE_HASH_SIZE 1024U
#define VALE_BATCH 1024U /* slots classified before a flush */
#define VALE_FT_SLOTS (VALE_BATCH + NETMAP_MAX_FRAGS)
#define VALE_NUM_QUEUES (VALE_MAX_PORTS * VALE_MAX_RINGS + 1)
#define VALE_BCAST_QUEUE (VALE_MAX_PORTS * VALE_MAX_RINGS)
#define VALE_BUF_SIZE NM_PORT_BUF_SIZE /* default buffer size */
#define VALE_SWITCH_NAME_MAX 16U /* "valeX" plus NUL */
#define VALE_MIN_FRAME 14U	 /* shorter first fragments are dropped */

/* ---- Lookup: pluggable classification (phase 1). */

struct vale_pkt {
	const uint8_t *buf; /* first fragment */
	uint32_t len;	    /* bytes in the first fragment */
	uint32_t slots;	    /* fragments, 1..NETMAP_MAX_FRAGS */
	uint16_t flags;	    /* the first slot's flags */
	uint32_t src_port;  /* 0..253 */
	uint32_t src_ring;
};

/*
 * Classify one packet: return the destination port (0..253),
 * VALE_BROADCAST, or >= VALE_DROP.  *dst_ring arrives set to the source
 * ring; a value >= VALE_MAX_RINGS drops the packet, a smaller one is taken
 * modulo the destination's RX ring count.  Runs in a read-side section,
 * concurrently with other sources: never sleeps.
 */
typedef uint32_t (*vale_lookup_fn)(const struct vale_pkt *pkt,
				   uint32_t *dst_ring, void *priv);

struct vale_lookup {
	vale_lookup_fn fn;
	void *priv;
};

/* The default learning bridge: 1024 direct-mapped entries, each one word
 * (mac << 16 | port << 8 | 1), updated with single untorn stores. */
struct vale_bridge {
	volatile uint64_t ent[VALE_HASH_SIZE];
};

void vale_bridge_init(struct vale_bridge *b);
uint32_t vale_bridge_lookup(const struct vale_pkt *pkt, uint32_t *dst_ring,
			    void *priv);
/* [control path] forget every address learnt on port (it was detached). */
void vale_bridge_forget_port(struct vale_bridge *b, uint32_t port);
/* The table slot a MAC (bytes 0..5 of mac) hashes to (tests). */
uint32_t vale_bridge_hash(const uint8_t *mac);

/* ---- Counters. */

enum vale_drop_reason {
	VALE_DROP_LOOKUP,      /* lookup returned >= 255 */
	VALE_DROP_SELF,	       /* destination is the source port */
	VALE_DROP_NO_PORT,     /* no port at that number */
	VALE_DROP_BAD_RING,    /* lookup set a ring >= 16 */
	VALE_DROP_RX_FULL,     /* destination ring had no room */
	VALE_DROP_BAD_SLOT,    /* source slot: bad buffer index or length */
	VALE_DROP_BAD_DST,     /* destination slot: bad buffer index */
	VALE_DROP_FRAGS,       /* more than NETMAP_MAX_FRAGS slots */
	VALE_DROP_TRUNC,       /* chain cut by the end of the batch */
	VALE_DROP_INDIRECT,    /* NS_INDIRECT: user payload unreadable */
	VALE_DROP_VNET_HDR,    /* virtio-net header (or the headers it
				* describes) refused: vale_offload.h */
	VALE_DROP_NREASONS
};

struct vale_port_stats {
	struct nm_os_counter tx_pkts;  /* packets taken from our TX rings */
	struct nm_os_counter tx_slots;
	struct nm_os_counter rx_pkts;  /* packets delivered into our RX rings */
	struct nm_os_counter rx_slots;
	/* Empty packets (len 0) written into our RX rings to fill the unused
	 * tail of a sender's lease that could not be rolled back (a later
	 * lease had been taken; see vale_lease_trim()). */
	struct nm_os_counter rx_pad_slots;
	/* Frames delivered into our RX rings beyond the first of each packet
	 * the switch segmented (vale_offload.c): rx_pkts - rx_seg_extra
	 * packets of the senders reached us. */
	struct nm_os_counter rx_seg_extra;
	/* Payload bytes of packets for us whose checksum the switch computed
	 * (segmented, or a partial checksum completed: vale_offload.c), so
	 * a cost model can charge that work where it happens. */
	struct nm_os_counter rx_csum_bytes;
	/* Counted at the source, once per packet and destination. */
	struct nm_os_counter drops[VALE_DROP_NREASONS];
};

/* ---- Objects. */

struct vale_fwd_scratch;
struct vale_switch;

/* Lease state of one destination RX ring; see vale_lease.h. */
struct vale_lease {
	uint32_t num_slots;
	uint32_t hwcur;	  /* receiver's release point (copied at rxsync) */
	uint32_t hwtail;  /* slots before it are complete, for the next rxsync */
	uint32_t hwlease; /* next slot to lease */
	uint32_t next_idx; /* next lease number (mod num_slots) */
	uint32_t *ends;	  /* per lease number: end slot once done, else busy */
};

struct vale_tx_ring {
	struct nm_kring kr;
	struct vale_port *port;
	uint32_t ring;
	struct vale_fwd_scratch *ft; /* phase 1 scratch, bounded by slots */
};

struct vale_rx_ring {
	struct nm_kring kr;
	struct vale_port *port;
	uint32_t ring;
	struct nm_os_lock lock; /* senders' leases and the rxsync */
	struct vale_lease ls;	/* under lock */
};

struct vale_port {
	struct nm_port up; /* front-end view; first member */
	struct vale_switch *sw;
	uint32_t index; /* 0..253 in sw */
	uint32_t users; /* opens, under reg->lock */
	struct nm_region region;
	struct vale_tx_ring *tx;
	struct vale_rx_ring *rx;
	struct vale_port_stats stats;
	/* virtio-net header length, 0, 10 or 12: written on the control path
	 * (vale_port_set_vnet_hdr), read once per forwarding pass with one
	 * untorn volatile access (vale_port_vnet_hdr()). */
	volatile uint32_t vnet_hdr_len;
};

/* The port's virtio-net header length, read once. */
static inline uint32_t vale_port_vnet_hdr(const struct vale_port *p)
{
	return p->vnet_hdr_len;
}

struct vale_switch {
	struct nm_registry *reg;
	char name[VALE_SWITCH_NAME_MAX]; /* "valeX" */
	uint32_t slot;			 /* index in reg->sw[] */
	uint32_t num_ports;		 /* under reg->lock */
	uint32_t users;			 /* vale_switch_open() holders */
	struct vale_port *ports[VALE_MAX_PORTS]; /* RCU-published */
	struct vale_lookup *lookup;		 /* RCU-published */
	struct vale_lookup default_lookup;
	struct vale_bridge bridge;
};

/* ---- Names. */

/* Is name "valeX:Y" with X in [A-Za-z0-9_]*, Y in [A-Za-z0-9_.-]+ and an
 * optional final '^' (an attached interface's host port), fitting
 * the limits?  Names containing '{' or '}' are pipes, never VALE ports. */
bool vale_name_is_valid(const char *name);
/* Does name route to the VALE code (full "vale" prefix, unlike D10)? */
bool vale_name_is_vale(const char *name);

/* ---- Ports. */

/*
 * [control path][may sleep] Open the port "valeX:Y": create the switch and
 * the port on first open (attaching it while traffic may flow), or take
 * another reference to the existing one (geometry then reports the
 * existing one's).  0, -EINVAL (name), -ENOMEM (no memory, no free switch
 * or port number).
 */
int vale_port_open(struct nm_registry *reg, const char *name,
		   struct nm_port_geom *g, struct vale_port **out);
/* The same, a port it creates getting extra_bufs spare buffers in its
 * region (zero-copy monitors', nm_port_open_spare()). */
int vale_port_open_spare(struct nm_registry *reg, const char *name,
			 struct nm_port_geom *g, uint32_t extra_bufs,
			 struct vale_port **out);
/* [control path] Take another reference to the existing port "valeX:Y"
 * (never creating it): 0, -EINVAL (name) or -ENXIO (no such port).
 * Dropped with vale_port_close(). */
int vale_port_get(struct nm_registry *reg, const char *name,
		  struct vale_port **out);
/* [control path][may sleep] Drop a reference; the last one detaches the port
 * (waiting out forwarding passes) and frees it, and the switch if empty. */
void vale_port_close(struct vale_port *p);

/* Switch and port numbers of a port by name: 0, -EINVAL or -ENXIO. */
int vale_port_find(struct nm_registry *reg, const char *name,
		   uint32_t *sw_idx, uint32_t *port_idx);
/* The first port at (*sw_idx, *port_idx) or after it in (switch, port)
 * order; its name goes to name[size].  0 or -ENOENT at the end. */
int vale_port_list_next(struct nm_registry *reg, uint32_t *sw_idx,
			uint32_t *port_idx, char *name, size_t size);

/*
 * [control path] NETMAP_REQ_PORT_HDR_SET / _GET on the existing VALE port
 * `name`: its virtio-net header length (0, 10 or 12).  Set may happen
 * while traffic flows; each forwarding pass uses one value.  0, -EINVAL
 * (set: another length, checked first, as the reference), -ENXIO (no such
 * port, or not a VALE name).
 */
int vale_port_set_vnet_hdr(struct nm_registry *reg, const char *name,
			   uint32_t len);
int vale_port_get_vnet_hdr(struct nm_registry *reg, const char *name,
			   uint32_t *len);

/* Counter snapshot helpers. */
uint64_t vale_port_drops(const struct vale_port *p, enum vale_drop_reason r);
uint64_t vale_port_drops_total(const struct vale_port *p);
uint64_t vale_port_rx_pads(const struct vale_port *p);
uint64_t vale_port_rx_seg_extra(const struct vale_port *p);
uint64_t vale_port_rx_csum_bytes(const struct vale_port *p);

/* ---- Switches (for pluggable lookups). */

/* [control path] Hold switch "valeX" (name without ':'), creating it if
 * needed; it lives until closed and empty.  0, -EINVAL, -ENOMEM. */
int vale_switch_open(struct nm_registry *reg, const char *name,
		     struct vale_switch **out);
void vale_switch_close(struct vale_switch *sw);
/*
 * [control path][may sleep] Replace the lookup (NULL restores the learning
 * bridge, cleared).  The caller keeps *l alive until it is replaced again;
 * returns after every pass that used the old one has ended.
 */
void vale_switch_set_lookup(struct vale_switch *sw, struct vale_lookup *l);

/* ---- Forwarding (vale_fwd.c); used by vale_switch.c. */

/* The sync callbacks installed on every port's krings. */
int vale_txsync(struct nm_kring *kr, uint32_t flags);
int vale_rxsync(struct nm_kring *kr, uint32_t flags);
/* [control path] scratch for one TX ring, or NULL. */
struct vale_fwd_scratch *vale_fwd_scratch_alloc(void);
void vale_fwd_scratch_free(struct vale_fwd_scratch *ft);

#endif /* VALE_H */
