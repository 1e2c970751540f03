/*
 * bench_ring.c - nmlab-bench-ring: the cost of the ring core on one core.
 *
 * What it measures: an application thread fills `batch` TX slots with
 * 60-byte frames and calls the TX sync, whose backend consumes the slots
 * (validating each one through nm_slot_load and touching its first bytes).
 * The baseline, measured in the same run, does the same per-packet work
 * (60-byte copy in, 8-byte read out) over a plain array ring with no kring,
 * no validation and no sync.  Every figure is the median of --runs runs
 * (default 5) with min and max, and the ratio of medians to the baseline.
 *
 *   nmlab-bench-ring [--packets N] [--runs R] [--json FILE]
 */
#include "bench_json.h"
#include "nm_kring.h"
#include "nm_mem.h"
#include "nm_ring_user.h"
#include "nm_shim.h"

#include <stdio.h>
#include <stdlib.h>

#define RING_SLOTS 1024U
#define FRAME_LEN 60U

static const uint32_t batches[] = { 1, 8, 32, 64, 256, 1023 };

struct bench {
	struct nm_buf_pool pool;
	struct netmap_ring *ring;
	struct nm_kring kr;
	uint64_t sink;
};

static int consume_backend(struct nm_kring *kr, uint32_t flags)
{
	struct bench *b = kr->sync_priv;
	uint32_t n = kr->num_slots, i;

	(void)flags;
	for (i = kr->hwcur; i != kr->rhead; i = nm_idx_next(i, n)) {
		struct nm_slot_snap snap;
		uint64_t word;

		if (nm_slot_load(&b->pool, &kr->ring->slot[i], &snap) != 0)
			return -EINVAL;
		memcpy(&word, nm_buf_addr(&b->pool, snap.buf_idx), sizeof(word));
		b->sink += word + snap.len;
	}
	kr->hwcur = kr->rhead;
	kr->hwtail = nm_idx_prev(kr->hwcur, n);
	return 0;
}

/* Packets per second through nm_kring_sync at this batch size. */
static double run_kring(struct bench *b, uint32_t batch, uint64_t packets)
{
	static const uint8_t frame[FRAME_LEN] = { 0x02, 0, 0, 0, 0, 1 };
	struct netmap_ring *ring = b->ring;
	uint32_t head = ring->head;
	uint64_t sent = 0, t0 = nm_os_time_ns();

	while (sent < packets) {
		uint32_t tail = nm_ring_user_tail(ring), k;
		uint32_t space = nm_ring_user_space(ring, head, tail);

		for (k = 0; k < batch && k < space; k++) {
			struct netmap_slot *s = &ring->slot[head];

			memcpy(nm_buf_addr(&b->pool, s->buf_idx), frame, FRAME_LEN);
			s->len = FRAME_LEN;
			head = nm_idx_next(head, RING_SLOTS);
		}
		sent += k;
		nm_ring_user_publish(ring, head, head);
		if (nm_kring_sync(&b->kr, 0) != 0) {
			fprintf(stderr, "bench: sync failed\n");
			exit(1);
		}
	}
	return (double)sent * 1e9 / (double)(nm_os_time_ns() - t0);
}

/* The same per-packet work over a bare array ring. */
static double run_baseline(struct bench *b, uint32_t batch, uint64_t packets)
{
	static const uint8_t frame[FRAME_LEN] = { 0x02, 0, 0, 0, 0, 1 };
	struct netmap_slot *slot = b->ring->slot;
	uint32_t prod = 0, cons = 0;
	uint64_t sent = 0, t0 = nm_os_time_ns();

	while (sent < packets) {
		uint32_t k;

		for (k = 0; k < batch; k++) {
			memcpy(b->pool.base + (size_t)slot[prod].buf_idx *
						      b->pool.buf_size,
			       frame, FRAME_LEN);
			slot[prod].len = FRAME_LEN;
			prod = prod + 1 == RING_SLOTS ? 0 : prod + 1;
		}
		while (cons != prod) {
			uint64_t word;

			memcpy(&word, b->pool.base + (size_t)slot[cons].buf_idx *
							     b->pool.buf_size,
			       sizeof(word));
			b->sink += word + slot[cons].len;
			cons = cons + 1 == RING_SLOTS ? 0 : cons + 1;
		}
		sent += batch;
	}
	return (double)sent * 1e9 / (double)(nm_os_time_ns() - t0);
}

int main(int argc, char **argv)
{
	uint64_t packets = 20000000;
	int runs = 5, i, r;
	const char *json = NULL;
	json_t *out, *results;
	struct bench *b = calloc(1, sizeof(*b));
	size_t nb;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			packets = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--packets N] [--runs R (>= 5)] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (b == NULL || runs < 5 || runs > 101 || packets == 0) {
		fprintf(stderr, "bench: --runs must be 5..101 and --packets > 0\n");
		return 2;
	}
	b->ring = calloc(1, sizeof(*b->ring) + RING_SLOTS * sizeof(struct netmap_slot));
	if (b->ring == NULL ||
	    nm_buf_pool_init(&b->pool, RING_SLOTS + 2, 2048) != 0 ||
	    nm_buf_ring_fill(&b->pool, b->ring, RING_SLOTS) != 0 ||
	    nm_kring_init(&b->kr, NM_KRING_TX, RING_SLOTS, b->ring,
			  consume_backend, b, "bench") != 0) {
		fprintf(stderr, "bench: setup failed\n");
		return 1;
	}
	out = json_pack("{s:s,s:i,s:i,s:I,s:i}", "benchmark", "ring", "frame_bytes", (int)FRAME_LEN,
			"ring_slots", (int)RING_SLOTS, "packets_per_run", (json_int_t)packets,
			"runs", runs);
	results = json_array();
	nb = sizeof(batches) / sizeof(batches[0]);
	for (i = 0; i < (int)nb; i++) {
		double kv[101], bv[101];
		struct stat3 k, base;

		for (r = 0; r < runs; r++) {
			bv[r] = run_baseline(b, batches[i], packets);
			kv[r] = run_kring(b, batches[i], packets);
		}
		base = summarize(bv, runs);
		k = summarize(kv, runs);
		json_array_append_new(results, json_pack("{s:i,s:o,s:o,s:o}", "batch", (int)batches[i],
			"kring_mpps", bench_stat(k, 1e6), "baseline_mpps", bench_stat(base, 1e6),
			"ratio", bench_num(k.median / base.median)));
		fprintf(stderr, "batch %4u: kring %7.2f Mpps  baseline %7.2f Mpps  ratio %.3f\n",
			batches[i], k.median / 1e6, base.median / 1e6,
			k.median / base.median);
	}
	json_object_set_new(out, "results", results);
	json_object_set_new(out, "sink", json_integer((json_int_t)(b->sink & 1)));
	if (bench_json_write(out, json) != 0)
		return 1;
	nm_buf_ring_drain(&b->pool, b->ring, RING_SLOTS);
	nm_buf_pool_fini(&b->pool);
	free(b->ring);
	free(b);
	return 0;
}
