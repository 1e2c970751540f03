/*
 * sim_tap.h - tap devices on a host bridge: the host network stack a VMM
 * backend crosses when it is not a netmap port (docs/simulator.md,
 * "Backends"; the BSDCan 2017 comparison of TAP and netmap backends).
 *
 * Owns: one bridge per scenario switch whose endpoints use backend tap
 * (the scenario reader puts no other port on it), each endpoint's tap
 * and the tap's queue of frames waiting for its reader.  A writer (the
 * sending VMM) pays, per frame, the skb allocation, the copy into it, the
 * tun driver and the bridge's forwarding; the frame joins the queue of the
 * tap whose receiver has its destination MAC, or is dropped, counted:
 * tap_queue_full when txqueuelen frames already wait (tun drops, it never
 * pushes back), tap_no_dest when no tap has that MAC (flooding is not
 * modelled).  A reader (the receiving VMM) takes frames in order, pays the
 * tun driver and the skb's free, and is woken through its file descriptor
 * when it asked to be (sim_tap_wait()), once per time it asks.
 *
 * Locking: writers to one tap serialise on its producer lock (ptr_ring's
 * producer lock); its one reader owns cons.  prod and cons are published
 * with fences, the wake-up is a Dekker pair (sim_tap_write() and
 * sim_tap_wait()).
 */
#ifndef SIM_TAP_H
#define SIM_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm_os.h"

struct sim_tap_skb {
	uint8_t *data;
	uint32_t len, cap;
};

struct sim_tap_stats {
	uint64_t written;	   /* frames this tap's writer handed over */
	uint64_t queued;	   /* frames that joined this tap's queue */
	uint64_t read;		   /* frames its reader took */
	uint64_t drops_queue_full; /* frames for this tap dropped: queue full */
	uint64_t wakeups;	   /* notifications to its reader (one per arming) */
};

struct sim_tap_bridge;

struct sim_tap {
	struct sim_tap_bridge *br;
	uint32_t ep;		/* endpoint index */
	bool receiver;
	uint8_t mac[6];		/* a receiver's: its rank MAC */
	/* The queue: frames [cons, prod) of cap (txqueuelen), free-running
	 * counters, entry i % cap. */
	uint32_t cap;
	/* The words both sides touch (and the lock) start a cache line of
	 * their own: the cost model counts transfers per 64-byte line, so
	 * where the heap put the tap must not decide which words share one
	 * (the run would depend on the allocation history). */
	uint32_t prod __attribute__((aligned(64))); /* WW RR: written under lock */
	uint32_t cons;		/* RW WR */
	uint32_t reader_waiting; /* RW WR: the reader polls the fd */
	/* WW WR (RW at arming): a writer has woken the reader since it last
	 * armed its poll, so later writers need not (a task already woken
	 * costs a wake_up() next to nothing). */
	uint32_t reader_woken;
	struct nm_os_lock lock;	/* producers */
	struct sim_tap_skb *q;
	/* A writer's skb being filled (tun_get_user() copies the frame in
	 * before the bridge decides): it trades places with the queue entry
	 * it joins, so a queued frame is not copied again. */
	struct sim_tap_skb stage;
	struct nm_os_notifier *wake; /* the reader's wake-up */
	struct sim_tap_stats st;
};

struct sim_tap_bridge {
	uint32_t ntaps;
	struct sim_tap **tap;
};

/* Attach a tap for endpoint ep to the bridge *brp (created on first use):
 * a receiver with queue length qlen, rank MAC mac and wake-up notifier
 * wake (the VMM thread's); a sender with qlen 0.  0 or -ENOMEM. */
int sim_tap_open(struct sim_tap_bridge **brp, uint32_t ep, bool receiver,
		 uint32_t qlen, const uint8_t mac[6], struct nm_os_notifier *wake,
		 struct sim_tap **out);
/* The tap of endpoint ep on bridge br (NULL: no bridge, or none). */
const struct sim_tap *sim_tap_of(const struct sim_tap_bridge *br, uint32_t ep);
/* Free the bridge and its taps (NULL: nothing). */
void sim_tap_bridge_free(struct sim_tap_bridge *br);

/* Why a written frame was not queued. */
enum sim_tap_verdict { SIM_TAP_QUEUED, SIM_TAP_QUEUE_FULL, SIM_TAP_NO_DEST };

/* The writer t hands over a frame of nfrag fragments (frag[i], len[i]
 * bytes, total > 0): skb, copy (one per fragment, its bytes added to
 * *copy_bytes),
 * tun, bridge, the destination's queue and its reader's wake-up. */
enum sim_tap_verdict sim_tap_write(struct sim_tap *t, const uint8_t *const *frag,
				   const uint32_t *len, uint32_t nfrag,
				   uint64_t *copy_bytes);

/* Reader: the oldest frame waiting (its bytes and length), or NULL. */
const uint8_t *sim_tap_peek(struct sim_tap *t, uint32_t *len);
/* Reader: the frame sim_tap_peek() returned is consumed (tun, skb free). */
void sim_tap_pop(struct sim_tap *t);
/* Reader: poll the fd (true) or stop polling; true on return when frames
 * are waiting (the re-check after enabling). */
bool sim_tap_wait(struct sim_tap *t, bool on);
/* Frames waiting, as the last published indices say (plain reads: for
 * the simulator's checks, not a step). */
uint32_t sim_tap_queued(const struct sim_tap *t);
/* Does the reader poll its fd? (plain read, as above) */
bool sim_tap_polled(const struct sim_tap *t);

#endif /* SIM_TAP_H */
