/*
 * bench_monitor.c - what a monitor costs (issue #18): one thread sends
 * frames (60 bytes, or --len) from VALE port a to port b in batches, b drains after
 * every batch, with (1) no monitor, (2) a TX copy monitor of a, (3) an RX
 * copy monitor of b, (4) both, (5) a TX zero-copy monitor of a, (6) an RX
 * zero-copy monitor of b, each monitor drained after every batch too.
 * Both ports are created with spare buffers (the zero-copy monitors'
 * rings), in every configuration alike.  The configurations run
 * interleaved, round by round, so a shared machine's noise hits them
 * alike; each figure is the median over rounds and its ratio to the
 * unmonitored one of the same run.
 *
 *   nmlab-bench-monitor [--packets N] [--runs R] [--batch B] [--len L] [--json FILE]
 */
#include "bench_json.h"
#include "nm_monitor.h"
#include "nm_port.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "vale.h"

#include <stdlib.h>
#include <time.h>

#define NCONF 6
#define SPARE 4096U

static const char *conf_name[NCONF] = { "none", "tx_monitor", "rx_monitor",
					"tx_and_rx_monitors",
					"tx_zcopy_monitor",
					"rx_zcopy_monitor" };
/* Per configuration: the monitors of a (TX) and b (RX), or NULL. */
static const char *conf_mon[NCONF][2] = {
	{ NULL, NULL },		   { "vale0:a/t", NULL },
	{ NULL, "vale0:b/r" },	   { "vale0:a/t", "vale0:b/r" },
	{ "vale0:a/zt", NULL },	   { NULL, "vale0:b/zr" },
};

static void die(const char *what)
{
	fprintf(stderr, "bench_monitor: %s\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct nm_port *open_port(struct nm_registry *reg, const char *name)
{
	struct nm_port_geom g = { 1, 1, 1024, 1024, 0 };
	struct nm_port *p = NULL;

	if (nm_port_open_spare(reg, name, 0, SPARE, &g, &p) != 0)
		die(name);
	return p;
}

/* Release everything ready on RX ring 0 of p (two syncs: import, release). */
static void drain(struct nm_port *p)
{
	struct nm_kring *kr = p->kring[NR_RX][0];
	struct netmap_ring *r = kr->ring;
	uint32_t tail;

	if (nm_kring_sync(kr, 0) != 0)
		die("rxsync");
	tail = nm_ring_user_tail(r);
	nm_ring_user_publish(r, tail, tail);
}

/* Every TX buffer of a holds a frame from a to b (headers only). */
static void fill_a(struct nm_port *a)
{
	struct netmap_ring *ra = a->kring[NR_TX][0]->ring;
	uint32_t s;

	for (s = 0; s < ra->num_slots; s++) {
		uint8_t *f = nm_ring_user_buf(ra, ra->slot[s].buf_idx);

		memset(f, 0, 60);
		f[0] = 0x02, f[5] = 0x0b, f[6] = 0x02, f[11] = 0x0a;
	}
}

static uint32_t frame_len = 60; /* --len: bytes per frame */

static double run_once(struct nm_port *a, struct nm_port *b,
		       struct nm_port *mt, struct nm_port *mr,
		       uint64_t packets, uint32_t batch)
{
	struct nm_kring *tx = a->kring[NR_TX][0];
	struct netmap_ring *r = tx->ring;
	uint64_t sent = 0;
	uint32_t k, h;
	double t0 = now_s();

	while (sent < packets) {
		h = r->head;
		for (k = 0; k < batch; k++) {
			r->slot[h].len = (uint16_t)frame_len;
			r->slot[h].flags = 0;
			h = nm_idx_next(h, r->num_slots);
		}
		nm_ring_user_publish(r, h, h);
		if (nm_kring_sync(tx, 0) != 0)
			die("txsync");
		drain(b);
		if (mt != NULL)
			drain(mt);
		if (mr != NULL)
			drain(mr);
		sent += batch;
	}
	return (double)sent / (now_s() - t0) / 1e6;
}

int main(int argc, char **argv)
{
	struct nm_port_geom g = { 0, 0, 1024, 1024, 0 };
	struct nm_registry reg;
	struct nm_port *a, *b, *mt, *mr;
	uint64_t packets = 2000000;
	uint32_t batch = 256, runs = 7, i, c;
	double mpps[NCONF][101];
	struct stat3 st[NCONF];
	const char *json = NULL;
	json_t *out, *arr;

	for (i = 1; i < (uint32_t)argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < (uint32_t)argc)
			packets = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs") && i + 1 < (uint32_t)argc)
			runs = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && i + 1 < (uint32_t)argc)
			batch = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--len") && i + 1 < (uint32_t)argc)
			frame_len = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--json") && i + 1 < (uint32_t)argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--packets N] [--runs R (3..101)] [--batch B (1..1000)] [--len L (60..2048)] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (runs < 3 || runs > 101 || batch < 1 || batch > 1000 || packets == 0 ||
	    frame_len < 60 || frame_len > 2048)
		die("--runs 3..101, --batch 1..1000, --len 60..2048, --packets > 0");
	nm_shim_thread_register();
	if (nm_registry_init(&reg) != 0)
		die("registry");
	a = open_port(&reg, "vale0:a");
	b = open_port(&reg, "vale0:b");
	/* b speaks first: frames from a are unicast to it. */
	{
		struct netmap_ring *rb = b->kring[NR_TX][0]->ring;
		uint8_t *f = nm_ring_user_buf(rb, rb->slot[0].buf_idx);

		memset(f, 0, 60);
		f[0] = 0x02, f[5] = 0x0a, f[6] = 0x02, f[11] = 0x0b;
		rb->slot[0].len = 60;
		nm_ring_user_publish(rb, 1, 1);
		if (nm_kring_sync(b->kring[NR_TX][0], 0) != 0)
			die("b txsync");
		drain(a);
	}
	/* Each round opens the monitors its configuration needs and closes
	 * them after, so "none" runs with no tap at all. */
	for (i = 0; i < runs; i++) {
		for (c = 0; c < NCONF; c++) {
			mt = mr = NULL;
			if (conf_mon[c][0] != NULL &&
			    nm_port_open(&reg, conf_mon[c][0], &g, &mt))
				die("tx monitor");
			if (conf_mon[c][1] != NULL &&
			    nm_port_open(&reg, conf_mon[c][1], &g, &mr))
				die("rx monitor");
			/* A zero-copy monitor hands a its own buffers: the
			 * frames' headers are written again, untimed. */
			fill_a(a);
			/* Warm up: fault in the fresh monitor's pages. */
			run_once(a, b, mt, mr, packets / 10 + batch, batch);
			mpps[c][i] = run_once(a, b, mt, mr, packets, batch);
			if (mt != NULL)
				nm_port_close(mt);
			if (mr != NULL)
				nm_port_close(mr);
		}
	}
	out = json_object();
	arr = json_array();
	printf("bench_monitor: %llu frames of %u bytes per run, batch %u, %u runs (median Mpps; ratio to no monitor)\n",
	       (unsigned long long)packets, frame_len, batch, runs);
	for (c = 0; c < NCONF; c++) {
		json_t *o = json_object();

		st[c] = summarize(mpps[c], (int)runs);
		printf("  %-20s %7.2f Mpps  (min %.2f max %.2f)  ratio %.3f\n",
		       conf_name[c], st[c].median, st[c].min, st[c].max,
		       st[c].median / st[0].median);
		json_object_set_new(o, "config", json_string(conf_name[c]));
		json_object_set_new(o, "mpps", bench_stat(st[c], 1.0));
		json_object_set_new(o, "ratio_to_none",
				    bench_num(st[c].median / st[0].median));
		json_array_append_new(arr, o);
	}
	json_object_set_new(out, "batch", json_integer(batch));
	json_object_set_new(out, "len", json_integer(frame_len));
	json_object_set_new(out, "packets", json_integer((json_int_t)packets));
	json_object_set_new(out, "results", arr);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
	return json != NULL ? bench_json_write(out, json) : (json_decref(out), 0);
}
