/*
 * bench_csb.c - nmlab-bench-csb: frames per second and notifications per
 * 1000 frames through the CSB protocol, against a baseline measured in the
 * same run.
 *
 * Two threads in every scheme.  The application thread sends batches of
 * 60-byte sequence-numbered frames on a TX ring and receives them back on
 * an RX ring (checking every sequence number); the host thread moves them
 * from TX to RX with a zero-copy descriptor hand-off: in the CSB schemes
 * the core's netmap pipe (the TX ring of "bench{0" feeds the RX ring of
 * "bench}0", nm_pipe_txsync/rxsync run by the kloop), in the baseline the
 * same swap done inline over plain indices (tests/csb_wire.h's rings).
 * Schemes:
 *   baseline      the same two threads over plain SPSC indices with no
 *                 CSB and no suppression: one eventfd write per batch in
 *                 each direction, blocking reads when idle
 *   eventfd       the CSB in eventfd mode, kloop and application sleep as
 *                 soon as they are idle (the reference's behaviour)
 *   eventfd-spin  the same, both sides first poll for --spin-us
 *   busywait      the CSB in busy-wait mode (kloop naps --sleep-us,
 *                 0 = sched_yield), application as in eventfd-spin
 * Every figure is the median of --runs runs (>= 5) with min and max.
 *
 *   nmlab-bench-csb [--packets N] [--runs R] [--ring SLOTS] [--spin-us U]
 *                   [--sleep-us U] [--batches 1,2,...] [--json FILE]
 */
#include "bench_json.h"
#include "csb_kloop.h"
#include "csb_wire.h"
#include "nm_pipe.h"
#include "nm_port.h"
#include "vale.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum scheme { S_BASELINE, S_EVENTFD, S_EVENTFD_SPIN, S_BUSYWAIT, S_COUNT };
static const char *const scheme_names[S_COUNT] = { "baseline", "eventfd",
						   "eventfd-spin", "busywait" };

struct opts {
	uint64_t packets;
	int runs;
	uint32_t ring;
	uint32_t spin_us;
	uint32_t sleep_us;
	uint32_t batches[16];
	int nbatches;
	const char *json;
};

struct result {
	double mpps;
	double kicks_per_k; /* application -> host notifications per 1000 */
	double irqs_per_k;  /* host -> application notifications per 1000 */
};

struct run {
	struct csb_wire *w; /* CSB lines; the baseline's rings and buffers */
	/* The rings frames travel on: the wire's (baseline) or the pipe's. */
	struct netmap_ring *txr, *rxr;
	struct nm_buf_pool *pool;
	struct nm_kring *txk, *rxk;
	struct nm_registry reg;
	struct nm_port *pa, *pb; /* the two pipe ends (CSB schemes) */
	struct nm_os_notifier kick, irq;
	uint64_t packets;
	uint32_t batch;
	uint64_t spin_ns;
	/* baseline shared indices */
	uint32_t tx_prod, fwd;
	uint32_t stop;
	/* CSB */
	struct csb_kloop *kl;
	struct csb_guest gtx, grx;
	struct nm_os_notifier kick_ev[2], irq_ev[2];
	/* results */
	uint64_t errors;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static uint64_t rx_check(struct run *r, uint32_t i, uint64_t expect)
{
	if (csb_frame_get(r->rxr, r->pool, i) != expect)
		r->errors++;
	return expect + 1;
}

/* ---- baseline: SPSC indices, an eventfd write per batch each way. */

static void *baseline_host(void *arg)
{
	struct run *r = arg;
	struct csb_wire *w = r->w;
	uint32_t n = w->n, fwd = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint32_t p = __atomic_load_n(&r->tx_prod, __ATOMIC_ACQUIRE), i;

		if (p == fwd) {
			nm_shim_notifier_wait(&r->kick, -1);
			continue;
		}
		for (i = fwd; i != p; i = nm_idx_next(i, n)) {
			struct netmap_slot *ts = &w->txr->slot[i];
			struct netmap_slot *rs = &w->rxr->slot[i];
			uint32_t spare = rs->buf_idx;

			rs->buf_idx = ts->buf_idx;
			rs->len = ts->len;
			ts->buf_idx = spare;
		}
		fwd = p;
		__atomic_store_n(&r->fwd, fwd, __ATOMIC_RELEASE);
		nm_os_notify(&r->irq);
	}
	return NULL;
}

static void baseline_app(struct run *r)
{
	struct csb_wire *w = r->w;
	uint32_t n = w->n, prod = 0, cons = 0;
	uint64_t sent = 0, expect = 0;

	while (expect < r->packets) {
		uint32_t space = nm_idx_dist(prod, nm_idx_prev(cons, n), n);
		uint32_t f, k;
		bool progress = false;

		k = nm_min_u32(space, r->batch);
		if (r->packets - sent < k)
			k = (uint32_t)(r->packets - sent);
		if (k > 0) {
			uint32_t i;

			for (i = 0; i < k; i++) {
				csb_frame_put(r->txr, r->pool, prod, sent++);
				prod = nm_idx_next(prod, n);
			}
			__atomic_store_n(&r->tx_prod, prod, __ATOMIC_RELEASE);
			nm_os_notify(&r->kick);
			progress = true;
		}
		f = __atomic_load_n(&r->fwd, __ATOMIC_ACQUIRE);
		while (cons != f) {
			expect = rx_check(r, cons, expect);
			cons = nm_idx_next(cons, n);
			progress = true;
		}
		if (!progress)
			nm_shim_notifier_wait(&r->irq, -1);
	}
}

static struct result run_baseline(struct run *r)
{
	struct nm_os_kthread host;
	struct result res;
	uint64_t t0, t1;

	if (nm_os_kthread_create(&host, baseline_host, r, "host") != 0)
		abort();
	t0 = nm_os_time_ns();
	baseline_app(r);
	t1 = nm_os_time_ns();
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	nm_os_notify(&r->kick);
	nm_os_kthread_join(&host);
	res.mpps = (double)r->packets * 1e3 / (double)(t1 - t0);
	res.kicks_per_k = (double)nm_os_notify_count(&r->kick) * 1000.0 /
			  (double)r->packets;
	res.irqs_per_k = (double)nm_os_notify_count(&r->irq) * 1000.0 /
			 (double)r->packets;
	return res;
}

/* ---- CSB: one application thread (TX and RX), the kloop thread. */

/* Sleep until an interrupt on RX (or on TX if want_tx); each ring gets
 * the enable + fence + re-check of csb_guest_may_sleep() first. */
static void app_sleep(struct run *r, bool want_tx)
{
	struct pollfd pfd[2];
	uint64_t v;
	int i;

	if (want_tx && !csb_guest_may_sleep(&r->gtx))
		return;
	if (!csb_guest_may_sleep(&r->grx))
		return;
	for (i = 0; i < 2; i++) {
		pfd[i].fd = r->irq_ev[i].fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	while (poll(want_tx ? pfd : &pfd[1], want_tx ? 2 : 1, -1) < 0)
		;
	for (i = 0; i < 2; i++)
		if ((pfd[i].revents & POLLIN) != 0 &&
		    read(pfd[i].fd, &v, sizeof(v)) < 0)
			r->errors++;
	if (want_tx)
		csb_guest_woken(&r->gtx);
	csb_guest_woken(&r->grx);
}

static void csb_app(struct run *r)
{
	struct csb_guest *gt = &r->gtx, *gr = &r->grx;
	uint32_t n = r->w->n;
	uint64_t sent = 0, expect = 0, idle_since = 0;
	unsigned todo;

	while (expect < r->packets) {
		uint32_t k, head, i;
		bool progress = false;

		k = csb_guest_space(gt);
		if (k < r->batch && sent < r->packets &&
		    csb_guest_refresh(gt) != 0)
			r->errors++;
		k = nm_min_u32(csb_guest_space(gt), r->batch);
		if (r->packets - sent < k)
			k = (uint32_t)(r->packets - sent);
		if (k > 0) {
			head = gt->head;
			for (i = 0; i < k; i++) {
				csb_frame_put(r->txr, r->pool, head, sent++);
				head = nm_idx_next(head, n);
			}
			if (csb_guest_txsync(gt, head, head, &todo) != 0)
				r->errors++;
			if (todo & CSB_DO_NOTIFY)
				csb_kloop_kick(r->kl, 0);
			progress = true;
		}
		if (csb_guest_refresh(gr) != 0)
			r->errors++;
		k = csb_guest_space(gr);
		if (k > 0) {
			head = gr->head;
			for (i = 0; i < k; i++) {
				expect = rx_check(r, head, expect);
				head = nm_idx_next(head, n);
			}
			if (csb_guest_rxsync(gr, head, head, &todo) != 0)
				r->errors++;
			if (todo & CSB_DO_NOTIFY)
				csb_kloop_kick(r->kl, 1);
			progress = true;
		}
		if (progress) {
			idle_since = 0;
			continue;
		}
		/* Nothing to send and nothing received.  Spin a while, then
		 * sleep with interrupts on for every ring we wait for: RX,
		 * and TX too while frames remain to be sent (its space may
		 * come back with no frame in flight on RX). */
		if (r->spin_ns != 0) {
			uint64_t now = nm_os_time_ns();

			if (idle_since == 0)
				idle_since = now;
			if (now - idle_since < r->spin_ns) {
				cpu_relax();
				continue;
			}
		}
		idle_since = 0;
		app_sleep(r, sent < r->packets);
	}
}

static struct result run_csb(struct run *r, enum scheme s, const struct opts *o)
{
	struct csb_kloop_cfg cfg = { .num_tx_rings = 1, .num_rx_rings = 1 };
	struct csb_kloop_ring_cfg rc[2];
	const struct csb_host_ring *htx, *hrx;
	struct result res;
	uint64_t t0, t1;
	int i;

	cfg.eventfds = s != S_BUSYWAIT;
	cfg.sleep_us = o->sleep_us;
	memset(rc, 0, sizeof(rc));
	rc[0].kr = r->txk;
	rc[1].kr = r->rxk;
	for (i = 0; i < 2; i++) {
		if (nm_shim_notifier_init(&r->kick_ev[i]) != 0 ||
		    nm_shim_notifier_init(&r->irq_ev[i]) != 0)
			abort();
		rc[i].atok = &r->w->atok[i];
		rc[i].ktoa = &r->w->ktoa[i];
		rc[i].ioeventfd = cfg.eventfds ? &r->kick_ev[i] : NULL;
		rc[i].irqfd = &r->irq_ev[i];
	}
	if (csb_kloop_create(&r->kl, &cfg, rc) != 0 ||
	    csb_guest_init(&r->gtx, NM_KRING_TX, r->w->n, &r->w->atok[0],
			   &r->w->ktoa[0]) != 0 ||
	    csb_guest_init(&r->grx, NM_KRING_RX, r->w->n, &r->w->atok[1],
			   &r->w->ktoa[1]) != 0)
		abort();
	r->spin_ns = s == S_EVENTFD ? 0 : (uint64_t)o->spin_us * 1000;
	if (s == S_EVENTFD_SPIN)
		csb_kloop_set_spin_us(r->kl, o->spin_us);
	if (csb_kloop_start(r->kl) != 0)
		abort();
	t0 = nm_os_time_ns();
	csb_app(r);
	t1 = nm_os_time_ns();
	csb_kloop_stop(r->kl);
	htx = csb_kloop_host(r->kl, 0);
	hrx = csb_kloop_host(r->kl, 1);
	res.mpps = (double)r->packets * 1e3 / (double)(t1 - t0);
	res.kicks_per_k = (double)(nm_os_counter_read(&r->gtx.stats.kicks_sent) +
				   nm_os_counter_read(&r->grx.stats.kicks_sent)) *
			  1000.0 / (double)r->packets;
	res.irqs_per_k = (double)(nm_os_counter_read(&htx->stats.irqs_sent) +
				  nm_os_counter_read(&hrx->stats.irqs_sent)) *
			 1000.0 / (double)r->packets;
	csb_kloop_destroy(r->kl);
	for (i = 0; i < 2; i++) {
		nm_shim_notifier_fini(&r->kick_ev[i]);
		nm_shim_notifier_fini(&r->irq_ev[i]);
	}
	return res;
}

static struct result run_one(enum scheme s, uint32_t batch, uint64_t packets,
			     const struct opts *o)
{
	struct run r;
	struct result res;

	memset(&r, 0, sizeof(r));
	if (csb_wire_init(&r.w, o->ring) != 0 ||
	    nm_shim_notifier_init(&r.kick) != 0 ||
	    nm_shim_notifier_init(&r.irq) != 0)
		abort();
	r.txr = r.w->txr;
	r.rxr = r.w->rxr;
	r.pool = &r.w->pool;
	if (s != S_BASELINE) {
		struct nm_port_geom g = { 1, 1, o->ring, o->ring, 0 };

		/* A fresh pipe pair for every run, so runs do not share state. */
		if (nm_registry_init(&r.reg) != 0 ||
		    nm_port_open(&r.reg, "bench{0", &g, &r.pa) != 0 ||
		    nm_port_open(&r.reg, "bench}0", &g, &r.pb) != 0 ||
		    g.tx_slots != o->ring || g.rx_slots != o->ring)
			abort();
		r.txk = nm_port_kring(r.pa, NR_TX, 0);
		r.rxk = nm_port_kring(r.pb, NR_RX, 0);
		r.txr = r.txk->ring;
		r.rxr = r.rxk->ring;
		r.pool = &r.pa->region->pool;
	}
	r.packets = packets;
	r.batch = batch;
	res = s == S_BASELINE ? run_baseline(&r) : run_csb(&r, s, o);
	if (r.errors != 0) {
		fprintf(stderr, "bench: %s batch %u: %llu errors (sequence or index)\n",
			scheme_names[s], batch, (unsigned long long)r.errors);
		exit(1);
	}
	nm_shim_notifier_fini(&r.kick);
	nm_shim_notifier_fini(&r.irq);
	if (s != S_BASELINE) {
		nm_port_close(r.pb);
		nm_port_close(r.pa);
		nm_registry_fini(&r.reg);
	}
	csb_wire_fini(r.w);
	return res;
}


static int parse_batches(struct opts *o, char *list)
{
	char *tok, *save = NULL;

	o->nbatches = 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		long b = strtol(tok, NULL, 0);

		if (b < 1 || b > 512 || o->nbatches == 16)
			return -1;
		o->batches[o->nbatches++] = (uint32_t)b;
	}
	return o->nbatches > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const uint32_t default_batches[] = { 1, 2, 4, 8, 16, 32, 64,
						    128, 256, 512 };
	struct opts o = { .packets = 4000000, .runs = 5, .ring = 1024,
			  .spin_us = 50, .sleep_us = 0 };
	json_t *out, *results, *row;
	int i, b, s, r;

	memcpy(o.batches, default_batches, sizeof(default_batches));
	o.nbatches = (int)NM_ARRAY_SIZE(default_batches);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			o.packets = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			o.runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ring") && i + 1 < argc)
			o.ring = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--spin-us") && i + 1 < argc)
			o.spin_us = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--sleep-us") && i + 1 < argc)
			o.sleep_us = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--batches") && i + 1 < argc) {
			if (parse_batches(&o, argv[++i]) != 0)
				goto usage;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			o.json = argv[++i];
		else
			goto usage;
	}
	if (o.runs < 5 || o.runs > 101 || o.packets < 1000 ||
	    o.ring < 2 * 512 || o.ring > NM_RING_MAX_SLOTS ||
	    o.sleep_us > CSB_SLEEP_US_MAX)
		goto usage;
	nm_shim_thread_register();
	out = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:I}", "benchmark", "csb",
			"frame_bytes", (int)CSB_WIRE_FRAME, "ring_slots", (int)o.ring,
			"runs", (int)o.runs, "spin_us", (int)o.spin_us, "sleep_us", (int)o.sleep_us,
			"cpus_online", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN));
	results = json_array();
	for (b = 0; b < o.nbatches; b++) {
		uint32_t batch = o.batches[b];
		/* Small batches are slow in every scheme: fewer frames. */
		uint64_t packets = o.packets * batch / 32;
		double mpps[S_COUNT][101], kicks[S_COUNT][101], irqs[S_COUNT][101];
		struct stat3 base;

		if (packets > o.packets)
			packets = o.packets;
		if (packets < 100000 && o.packets >= 100000)
			packets = 100000;
		for (r = 0; r < o.runs; r++) {
			/* Interleave the schemes so that machine noise hits
			 * them alike. */
			for (s = 0; s < S_COUNT; s++) {
				struct result res = run_one((enum scheme)s, batch,
							    packets, &o);

				mpps[s][r] = res.mpps;
				kicks[s][r] = res.kicks_per_k;
				irqs[s][r] = res.irqs_per_k;
			}
		}
		base = summarize(mpps[S_BASELINE], o.runs);
		row = json_pack("{s:i,s:I}", "batch", (int)batch, "packets_per_run",
				(json_int_t)packets);
		for (s = 0; s < S_COUNT; s++) {
			struct stat3 m = summarize(mpps[s], o.runs);
			struct stat3 k = summarize(kicks[s], o.runs);
			struct stat3 q = summarize(irqs[s], o.runs);

			json_object_set_new(row, scheme_names[s], json_pack("{s:o,s:o,s:o,s:o}",
				"mpps", bench_stat(m, 1), "kicks_per_1000", bench_stat(k, 1),
				"irqs_per_1000", bench_stat(q, 1),
				"ratio_to_baseline", bench_num(m.median / base.median)));
			fprintf(stderr, "batch %3u %-12s %7.2f Mpps (min %6.2f max %6.2f)  kicks/1k %8.3f  irqs/1k %8.3f  x%.2f\n",
				batch, scheme_names[s], m.median, m.min, m.max,
				k.median, q.median, m.median / base.median);
		}
		json_array_append_new(results, row);
	}
	json_object_set_new(out, "results", results);
	return bench_json_write(out, o.json);

usage:
	fprintf(stderr, "usage: %s [--packets N (>= 1000)] [--runs R (5..101)] [--ring SLOTS (1024..4096)] [--spin-us U] [--sleep-us U] [--batches 1,2,...(<= 512)] [--json FILE]\n",
		argv[0]);
	return 2;
}
