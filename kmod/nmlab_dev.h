/*
 * nmlab_dev.h - the /dev/netmap character device: per-file and per-port
 * state shared by nmlab_dev.c (open, ioctl, mmap, poll, release) and
 * nmlab_kloop.c (CSB pinning and the sync kloop thread).
 *
 * Invariants: a file is bound to at most one port, once (REGISTER), and
 * stays bound until release; priv->port is published with a release store
 * only when the binding is complete, so the data path (NIOCTXSYNC,
 * NIOCRXSYNC, poll, mmap), which takes no lock, sees either nothing or a
 * complete binding.  The kloop and the CSB belong to the file.
 *
 * Locking: nmlab_lock (a mutex) serialises every control operation of every
 * file and the list of per-port records; the data path relies on the file
 * reference the VFS holds during a call, and on the kring sync gate.
 */
#ifndef NMLAB_DEV_H
#define NMLAB_DEV_H

#include "nm_memid.h"
#include "nm_os.h"
#include "nm_port.h"
#include "csb.h"
#include "csb_kloop_ctl.h"

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/wait.h>

#define NMLAB_MAX_RINGS (2 * NM_PORT_MAX_RINGS) /* bound TX + RX rings */

/* One per open nm_port, shared by every file bound to it.  A file bound
 * with NR_REG_NULL maps the port's region and holds the record without an
 * open of its own; when the last file with one goes while such files
 * remain, its open passes to the record (kept), so the port, and with it
 * the region they map, lives until the last of them goes. */
struct nmlab_port {
	struct list_head link;	      /* nmlab_ports, under nmlab_lock */
	struct nm_port *port;
	unsigned int files;	      /* files bound to it, nulls included */
	unsigned int nulls;	      /* of which NR_REG_NULL */
	bool kept;		      /* the record holds one open of port */
	struct nm_memid *mem;	      /* the region's id (nr_mem_id), held */
	wait_queue_head_t wq;	      /* poll waiters and kloops */
	struct nm_os_notifier notifier; /* port-wide, wakes wq */
	uint32_t users[2][NM_PORT_MAX_RINGS]; /* files bound to each ring */
	bool excl[2][NM_PORT_MAX_RINGS];       /* bound with NR_EXCLUSIVE */
};

/* A pinned user array (one CSB direction), mapped for the kernel. */
struct nmlab_pin {
	struct page **pages;
	unsigned int npages;
	void *vaddr; /* vmap of the pages */
	void *kptr;  /* vaddr + offset of the user address in its page */
};

struct nmlab_kloop_ring {
	struct nmlab_priv *priv;
	struct file *kick_file;	      /* ioeventfd, or NULL */
	wait_queue_head_t *kick_wqh;  /* where kick_wait is queued */
	wait_queue_entry_t kick_wait;
	poll_table kick_pt;
	struct eventfd_ctx *irq;      /* irqfd, or NULL */
};

struct nmlab_kloop {
	struct task_struct *task; /* NULL when not running */
	uint32_t sleep_us;
	bool eventfds;
	atomic_t wakes;		      /* kicks and backend wake-ups seen */
	wait_queue_entry_t port_wait; /* on the port's wq */
	struct nmlab_kloop_ring ring[NMLAB_MAX_RINGS];
	uint64_t gen;		      /* bumped at every stop */
	wait_queue_head_t stopped;    /* START waits here for the stop */
	/* running / STOP pending (core/csb_kloop_ctl.h, the reference's
	 * STOPPING flag): the next START that passes the busy and CSB
	 * checks consumes a pending STOP and returns without running a
	 * pass.  Under nmlab_lock, as every entry point. */
	struct csb_kloop_ctl ctl;
};

struct nmlab_priv {
	struct nmlab_port *np;	/* bound port record, or NULL */
	struct nm_port *port;	/* published last (release store) */
	uint32_t first[2], last[2]; /* bound rings per direction: [first, last) */
	uint64_t nr_flags;
	bool exclusive;
	bool null_mode; /* NR_REG_NULL: the region only, no rings */

	/* CSB mode (CSB_ENABLE or REGISTER with the CSB option). */
	bool csb_mode;
	uint32_t nrings; /* bound rings: TX then RX, as the CSB arrays */
	struct nm_kring *krings[NMLAB_MAX_RINGS];
	struct nmlab_pin atok_pin, ktoa_pin;
	struct csb_host_ring hr[NMLAB_MAX_RINGS];

	struct nmlab_kloop kloop;
};

extern struct mutex nmlab_lock;

/* nmlab_dev.c, under nmlab_lock: may a port made by this request (not a
 * file's REGISTER) live in region id?  0 for id 0, -EINVAL for an id no
 * region has, -ENOMEM for any other (such a port has its own region). */
int nmlab_memid_check_new(uint16_t id);

/* nmlab_dev.c */
int nmlab_dev_init(void);
void nmlab_dev_exit(void);

/* nmlab_kloop.c, all under nmlab_lock. */
/* Pin and map the CSB arrays of the bound rings and initialise them. */
int nmlab_csb_enable(struct nmlab_priv *priv, uint64_t atok, uint64_t ktoa);
/* Stop the kloop if it runs, unpin the CSB, leave CSB mode. */
void nmlab_csb_disable(struct nmlab_priv *priv);
/* Start the kloop thread: sleep_us, EVENTFDS body (or NULL) and its size,
 * MODE bits.  0 or -errno; *gen receives the run's generation. */
int nmlab_kloop_start(struct nmlab_priv *priv, uint32_t sleep_us,
		      const void *efds, uint32_t efds_len, bool have_efds,
		      uint32_t direct, uint64_t *gen);
/* Stop it (no-op if not running) and wake the START waiter. */
void nmlab_kloop_stop(struct nmlab_priv *priv);
/* SYNC_KLOOP_STOP: stop the kloop, or keep the request for the next START
 * if none runs.  0, or -ENXIO on an unbound file. */
int nmlab_kloop_stop_req(struct nmlab_priv *priv);
void nmlab_kloop_init(struct nmlab_priv *priv);

#endif /* NMLAB_DEV_H */
