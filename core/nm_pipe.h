/*
 * nm_pipe.h - netmap pipes: "X{Y" (one end) and "X}Y" (the other end).
 *
 * Owns: a pipe pair and its memory.  Both ends live in ONE nm_region with
 * two interfaces (netmap_if 0 is the '{' end, 1 the '}' end), so a pipe
 * does not need its parent X to exist, and closing X cannot pull memory from
 * under a pipe (the reference shares the parent's allocator instead).
 *
 * Data path: zero-copy.  TX ring i of one end is linked to RX ring i of
 * the other, same size, same slot indices.  A txsync swaps each new TX
 * slot's descriptor (buffer index, length, NS_MOREFRAG) with the peer RX
 * slot of the same index, which the receiver has released: buffers move,
 * never bytes, and every buffer always belongs to exactly one slot.  Only
 * complete packets are published to the receiver (link tx_pos, a release
 * store); the receiver's releases come back through link rx_pos.
 *
 *   sender txsync                         receiver rxsync
 *   swap slots [hwcur, head)               release: hwcur = head
 *   store_release tx_pos (packet end) -->  load_acquire tx_pos -> hwtail
 *   load_acquire rx_pos -> hwtail    <--   store_release rx_pos
 *
 * Either end can be closed and reopened while the other stays open (its
 * rings resume where they were); the pipe is destroyed when both are
 * closed.  One open per end (-EBUSY otherwise).
 *
 * Locking: reg->lock for the pipe list and the open flags; the data path
 * is lock-free (one sync per kring by the kring gate).
 */
#ifndef NM_PIPE_H
#define NM_PIPE_H

#include "nm_port.h"
#include "nm_registry.h"

#define NM_PIPE_MAX 256U /* pipes per registry */

struct nm_pipe_link {
	volatile uint32_t tx_pos; /* sender: slots before it hold whole packets */
	volatile uint32_t rx_pos; /* receiver: slots before it are released */
};

struct nm_pipe_end;

struct nm_pipe_ring {
	struct nm_kring kr;
	struct nm_pipe_end *end;
	uint32_t ring;
	struct nm_pipe_link *link;
	struct netmap_ring *peer; /* TX: the linked RX ring of the other end */
	uint32_t pub;		  /* TX: last tx_pos published */
};

struct nm_pipe_stats {
	struct nm_os_counter tx_pkts;	/* complete packets handed over */
	struct nm_os_counter tx_slots;	/* slots swapped */
	struct nm_os_counter bad_slots; /* TX slots with a bad index/length:
					   delivered as empty, buffer kept */
};

struct nm_pipe_end {
	struct nm_port up; /* first member */
	struct nm_pipe *pipe;
	uint32_t side; /* 0: '{', 1: '}' */
	bool open;     /* under reg->lock */
	struct nm_pipe_ring tx[NM_PORT_MAX_RINGS];
	struct nm_pipe_ring rx[NM_PORT_MAX_RINGS];
	struct nm_pipe_stats stats;
};

struct nm_pipe {
	struct nm_pipe *next; /* registry list */
	struct nm_registry *reg;
	char key[NETMAP_REQ_IFNAMSIZ]; /* "X{Y" */
	struct nm_region region;
	struct nm_pipe_end end[2];
	struct nm_pipe_link link[2][NM_PORT_MAX_RINGS]; /* [TX side][ring] */
};

/* Does the name ask for a pipe (contains '{' or '}')? */
bool nm_pipe_name_is_pipe(const char *name);
/* Is it a valid pipe name: X non-empty printable, Y in [A-Za-z0-9_]+? */
bool nm_pipe_name_is_valid(const char *name);

/*
 * [control path][may sleep] Open one end; the first open creates the pipe
 * with geometry *g for this end (the other end mirrored: its TX is our RX),
 * later opens report the existing geometry in *g.  0, -EINVAL, -ENOMEM
 * (no memory or NM_PIPE_MAX pipes) or -EBUSY (this end is already open).
 */
int nm_pipe_open(struct nm_registry *reg, const char *name,
		 struct nm_port_geom *g, struct nm_pipe_end **out);
/* [control path][may sleep] Close one end (clears its notifiers); the
 * second close destroys the pipe. */
void nm_pipe_close(struct nm_pipe_end *e);

int nm_pipe_txsync(struct nm_kring *kr, uint32_t flags);
int nm_pipe_rxsync(struct nm_kring *kr, uint32_t flags);

#endif /* NM_PIPE_H */
