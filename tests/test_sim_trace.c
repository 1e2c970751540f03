/*
 * test_sim_trace.c - traces: the built-in generator, pcap and pcapng
 * reading (sim_capfile.c) streamed through cursors, link types, the pcap
 * sink, and every bad input reported as one line naming the file (and the
 * record) instead of a crash.
 *
 * Groups: gen (generator, flows, timestamps, cursors over passes), io (sink
 * -> reader round trip, a hand-made pcapng, link types, pcapng with
 * interfaces of several link types, big frames), bad (empty, garbage,
 * truncated record, unknown link type, record length over what a chain
 * carries, runt frame, missing file, timestamp out of range, a file that
 * changes under its cursor).
 */
#include "nm_test.h"

#include <pcap/pcap.h>
#include <errno.h>
#include <unistd.h>

#include "sim_pcap_sink.h"
#include "sim_trace.h"

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[160];

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/nmsim-test-XXXXXX");
		assert_non_null(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* One pass of a trace through a cursor, as arrays (tests only). */
#define MAT_MAX 256
struct mat {
	uint64_t n;
	uint32_t len[MAT_MAX], flow[MAT_MAX];
	uint64_t ts[MAT_MAX];
	uint8_t *frame[MAT_MAX];
};

static void mat_load(struct mat *m, const struct sim_trace *t)
{
	struct sim_trace_cur c;
	const struct sim_trace_rec *r;
	uint64_t i;

	memset(m, 0, sizeof(*m));
	assert_true(t->count <= MAT_MAX);
	assert_int_equal(sim_trace_cur_open(&c, t), 0);
	for (i = 0; i < t->count; i++) {
		r = sim_trace_cur_get(&c);
		assert_non_null(r);
		m->len[i] = r->len;
		m->flow[i] = r->flow;
		m->ts[i] = r->ts_ns;
		m->frame[i] = malloc(r->len);
		assert_non_null(m->frame[i]);
		memcpy(m->frame[i], r->frame, r->len);
		sim_trace_cur_next(&c);
	}
	m->n = t->count;
	/* A second pass yields the first record again. */
	r = sim_trace_cur_get(&c);
	assert_non_null(r);
	assert_int_equal(r->len, m->len[0]);
	assert_memory_equal(r->frame, m->frame[0], m->len[0]);
	sim_trace_cur_close(&c);
}

static void mat_free(struct mat *m)
{
	uint64_t i;

	for (i = 0; i < m->n; i++)
		free(m->frame[i]);
	m->n = 0;
}

static struct sim_trace_gen gen_default(uint64_t packets)
{
	struct sim_trace_gen g = { .packets = packets, .size = 60, .flows = 4,
				   .rate_pps = 1000000,
				   .src_mac = { 2, 0, 0, 0, 0, 1 },
				   .dst_mac = { 2, 0, 0, 0, 0, 2 } };
	return g;
}

static void test_sim_trace_gen_frames_and_flows(void **state)
{
	struct sim_trace_gen g = gen_default(10);
	struct sim_trace t, t2;
	struct mat m, m2;
	char err[256];
	const uint8_t *f;
	uint64_t per[4];
	uint32_t i, same = 0;

	(void)state;
	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), 0);
	mat_load(&m, &t);
	/* The same seed gives the same flows; another seed, others. */
	assert_int_equal(sim_trace_generate(&t2, &g, err, sizeof(err)), 0);
	mat_load(&m2, &t2);
	assert_memory_equal(m.flow, m2.flow, 10 * sizeof(uint32_t));
	mat_free(&m2);
	sim_trace_free(&t2);
	g.seed = 99;
	assert_int_equal(sim_trace_generate(&t2, &g, err, sizeof(err)), 0);
	mat_load(&m2, &t2);
	for (i = 0; i < 10; i++)
		same += m.flow[i] == m2.flow[i];
	assert_true(same < 10);
	mat_free(&m2);
	sim_trace_free(&t2);
	g.seed = 0;
	assert_int_equal(t.count, 10);
	assert_int_equal(t.nflows, 4);
	assert_int_equal(sim_trace_flow_records(&t, 4, per), 0);
	for (i = 0; i < t.count; i++) {
		assert_true(m.flow[i] < 4);
		per[m.flow[i]]--;
	}
	for (i = 0; i < 4; i++)
		assert_true(per[i] == 0);
	assert_true(m.ts[3] == 3000);
	assert_true(t.last_ts_ns == 9000);
	f = m.frame[2];
	assert_int_equal(m.len[2], 60);
	assert_int_equal(f[12], 0x08);
	assert_int_equal(f[23], 17);
	assert_memory_equal(f, g.dst_mac, 6);
	mat_free(&m);
	sim_trace_free(&t);
	g.size = 59;
	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "size 60..1514"));
}

static void test_sim_trace_roundtrip_through_sink(void **state)
{
	struct sim_trace_gen g = gen_default(100);
	struct sim_trace t, back;
	struct sim_pcap_sink *s;
	const char *path = tmp_path("rt.pcap");
	uint32_t map[4] = { 0 };
	struct mat m, mb;
	char err[256];
	uint32_t i;

	(void)state;
	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), 0);
	mat_load(&m, &t);
	s = sim_pcap_sink_open(path, 2048, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < t.count; i++)
		sim_pcap_sink_write(s, 5000000000ULL + m.ts[i], m.frame[i], m.len[i]);
	assert_int_equal(sim_pcap_sink_count(s), 100);
	assert_int_equal(sim_pcap_sink_close(s), 0);
	assert_int_equal(sim_trace_load(&back, path, 2048, err, sizeof(err)), 0);
	assert_int_equal(back.count, 100);
	assert_int_equal(back.nflows, 4);
	mat_load(&mb, &back);
	for (i = 0; i < t.count; i++) {
		assert_true(mb.ts[i] == m.ts[i]); /* ns kept, relative */
		/* Flows are renumbered in order of first appearance, but
		 * the partition is the same. */
		assert_true(map[m.flow[i]] == 0 || map[m.flow[i]] == mb.flow[i] + 1);
		map[m.flow[i]] = mb.flow[i] + 1;
		assert_memory_equal(mb.frame[i], m.frame[i], 60);
	}
	mat_free(&m);
	mat_free(&mb);
	sim_trace_free(&t);
	sim_trace_free(&back);
}

/* A minimal pcapng: section header, one Ethernet interface with the given
 * snap length (0 = unlimited) and one enhanced packet block per frame. */
static size_t make_pcapng(uint8_t *buf, uint32_t snaplen, uint32_t frame_len,
			  int frames)
{
	uint32_t w[16];
	size_t n = 0, pad;
	int i;

	w[0] = 0x0a0d0d0a; w[1] = 28; w[2] = 0x1a2b3c4d; w[3] = 0x00000001;
	w[4] = 0xffffffff; w[5] = 0xffffffff; w[6] = 28;
	memcpy(buf + n, w, 28); n += 28;
	w[0] = 1; w[1] = 20; w[2] = 1 /* EN10MB */; w[3] = snaplen; w[4] = 20;
	memcpy(buf + n, w, 20); n += 20;
	for (i = 0; i < frames; i++) {
		pad = (frame_len + 3) / 4 * 4;
		w[0] = 6; w[1] = (uint32_t)(32 + pad); w[2] = 0;
		w[3] = 0; w[4] = (uint32_t)(1000 * (i + 1)); /* us */
		w[5] = frame_len; w[6] = frame_len;
		memcpy(buf + n, w, 28); n += 28;
		memset(buf + n, 0, pad);
		buf[n + 12] = 0x88; buf[n + 13] = (uint8_t)i;
		n += pad;
		memcpy(buf + n, &w[1], 4); n += 4;
	}
	return n;
}

static void test_sim_trace_reads_pcapng(void **state)
{
	static uint8_t buf[16384];
	const char *path = tmp_path("ok.pcapng");
	struct sim_trace t;
	struct mat m;
	char err[256];

	(void)state;
	write_bytes(path, buf, make_pcapng(buf, 0, 64, 3));
	assert_int_equal(sim_trace_load(&t, path, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 3);
	mat_load(&m, &t);
	assert_true(m.ts[2] == 2000000); /* 2 ms after the first */
	assert_int_equal(t.nflows, 3);	    /* ethertypes differ */
	mat_free(&m);
	sim_trace_free(&t);
}

static void expect_bad(const char *path, uint32_t max_frame, const char *what)
{
	struct sim_trace t;
	char err[512] = "";

	assert_int_equal(sim_trace_load(&t, path, max_frame, err, sizeof(err)),
			 -EINVAL);
	printf("    rejected: %s\n", err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, what));
	assert_null(strchr(err, '\n'));
}

static void test_sim_trace_bad_empty_and_garbage(void **state)
{
	const char *p;

	(void)state;
	p = tmp_path("empty.pcap");
	write_bytes(p, "", 0);
	expect_bad(p, 2048, "empty file (expected a pcap or pcapng capture)");
	p = tmp_path("garbage.pcap");
	write_bytes(p, "this is not a capture file at all", 33);
	expect_bad(p, 2048, "is not a capture file's (expected pcap");
	expect_bad(tmp_path("missing.pcap"), 2048, "not a readable pcap");
}

static void write_generated(const char *path, uint64_t packets,
			    uint32_t snaplen)
{
	struct sim_trace_gen g = gen_default(packets);
	struct sim_pcap_sink *s;
	struct sim_trace t;
	struct mat m;
	char err[256];
	uint32_t i;

	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), 0);
	mat_load(&m, &t);
	s = sim_pcap_sink_open(path, snaplen, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < t.count; i++)
		sim_pcap_sink_write(s, m.ts[i], m.frame[i], m.len[i]);
	assert_int_equal(sim_pcap_sink_close(s), 0);
	mat_free(&m);
	sim_trace_free(&t);
}

static void test_sim_trace_bad_truncated_record(void **state)
{
	const char *p = tmp_path("trunc.pcap");
	struct sim_trace t;
	char err[512];

	(void)state;
	write_generated(p, 3, 2048);
	/* 24 header + 3 * (16 + 60) = 252; cut into the third record. */
	assert_int_equal(truncate(p, 252 - 20), 0);
	expect_bad(p, 2048, "record 3");
	/* A header with no records at all. */
	assert_int_equal(truncate(p, 24), 0);
	expect_bad(p, 2048, "no records");
	(void)t;
	(void)err;
}

static void test_sim_trace_bad_link_type(void **state)
{
	const char *p = tmp_path("user0.pcap");
	pcap_t *dead = pcap_open_dead(147 /* USER0 */, 2048);
	pcap_dumper_t *d = pcap_dump_open(dead, p);
	struct pcap_pkthdr h = { .caplen = 20, .len = 20 };
	static const u_char ip[20] = { 0x45 };

	(void)state;
	assert_non_null(d);
	pcap_dump((u_char *)d, &h, ip);
	pcap_dump_close(d);
	pcap_close(dead);
	expect_bad(p, 2048, "record 1: link type 147 (expected EN10MB 1");
}

/* Write one record of link type lt through libpcap (an independent
 * writer). */
static const char *write_one(int lt, const uint8_t *rec, uint32_t n)
{
	const char *p = tmp_path("lt.pcap");
	pcap_t *dead = pcap_open_dead(lt, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, p);
	struct pcap_pkthdr h = { .caplen = n, .len = n };

	assert_non_null(d);
	pcap_dump((u_char *)d, &h, rec);
	pcap_dump_close(d);
	pcap_close(dead);
	return p;
}

/* ... and load it: the frame the trace makes of it. */
static void load_one(int lt, const uint8_t *rec, uint32_t n, struct mat *m)
{
	const char *p = write_one(lt, rec, n);
	struct sim_trace t;
	char err[512];

	assert_int_equal(sim_trace_load(&t, p, 65536, err, sizeof(err)), 0);
	mat_load(m, &t);
	sim_trace_free(&t);
}

/* Issue 14: a frame without an Ethernet header gets one: destination
 * 02:00:00:00:00:02, source 02:00:00:00:00:01, the ethertype its header
 * says; the rest of the record follows unchanged. */
static void test_sim_trace_io_link_types(void **state)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t rec[128], want[128];
	struct mat m;
	int k;

	(void)state;
	for (k = 0; k < 64; k++)
		want[14 + k] = rec[k] = (uint8_t)(k == 0 ? 0x45 : k);
	memcpy(want, eth, 14);
	want[12] = 0x08;
	want[13] = 0x00;
	load_one(DLT_RAW, rec, 64, &m);
	assert_int_equal(m.len[0], 78);
	assert_memory_equal(m.frame[0], want, 78);
	mat_free(&m);
	load_one(228 /* IPV4 */, rec, 64, &m);
	assert_memory_equal(m.frame[0], want, 78);
	mat_free(&m);
	/* LINUX_SLL2: protocol first, 20 bytes of header. */
	memset(rec, 0, 20);
	rec[0] = 0x08;
	for (k = 0; k < 64; k++)
		rec[20 + k] = (uint8_t)(k == 0 ? 0x45 : k);
	load_one(276, rec, 84, &m);
	assert_int_equal(m.len[0], 78);
	assert_memory_equal(m.frame[0], want, 78);
	mat_free(&m);
	/* LINUX_SLL: protocol at 14 of 16. */
	memset(rec, 0, 16);
	rec[14] = 0x08;
	for (k = 0; k < 64; k++)
		rec[16 + k] = (uint8_t)(k == 0 ? 0x45 : k);
	load_one(DLT_LINUX_SLL, rec, 80, &m);
	assert_memory_equal(m.frame[0], want, 78);
	mat_free(&m);
	/* NULL (host order; AF_INET6 is 10 on Linux) and LOOP (network
	 * order; 24 is AF_INET6 on NetBSD and OpenBSD). */
	for (k = 0; k < 64; k++)
		want[14 + k] = rec[4 + k] = (uint8_t)(k == 0 ? 0x60 : k);
	want[12] = 0x86;
	want[13] = 0xdd;
	memset(rec, 0, 4);
	rec[0] = 10;
	load_one(DLT_NULL, rec, 68, &m);
	assert_memory_equal(m.frame[0], want, 78);
	mat_free(&m);
	rec[0] = 0;
	rec[3] = 24;
	load_one(108 /* LOOP */, rec, 68, &m);
	assert_memory_equal(m.frame[0], want, 78);
	mat_free(&m);
	/* IPV6 refuses an IPv4 packet, SLL2 a protocol that is no
	 * ethertype. */
	rec[0] = 0x45;
	expect_bad(write_one(229, rec, 40), 65536, "record 1: IPV6 packet with IP version 4 (expected 6)");
	memset(rec, 0, 20);
	rec[1] = 0x04;
	expect_bad(write_one(276, rec, 40), 65536, "LINUX_SLL2 protocol 0x0004 (expected an ethertype");
}

/* A pcapng with two interfaces of different link types (EN10MB and
 * RAW, nanosecond resolution on the second): each record is converted by
 * its own interface's type and timed by its own resolution. */
static void test_sim_trace_io_pcapng_two_link_types(void **state)
{
	static uint8_t buf[1024];
	const char *p = tmp_path("two-lt.pcapng");
	uint32_t w[16];
	struct sim_trace t;
	struct mat m;
	char err[512];
	size_t n = 0;

	(void)state;
	w[0] = 0x0a0d0d0a; w[1] = 28; w[2] = 0x1a2b3c4d; w[3] = 1;
	w[4] = 0xffffffff; w[5] = 0xffffffff; w[6] = 28;
	memcpy(buf + n, w, 28); n += 28;
	w[0] = 1; w[1] = 20; w[2] = 1; w[3] = 0; w[4] = 20;
	memcpy(buf + n, w, 20); n += 20;
	/* RAW, if_tsresol 9 (ns), end of options. */
	w[0] = 1; w[1] = 32; w[2] = 101; w[3] = 0; w[4] = 9 | 1 << 16; w[5] = 9;
	w[6] = 0; w[7] = 32;
	memcpy(buf + n, w, 32); n += 32;
	/* Interface 0: a 60-byte Ethernet frame at 1 s (us units). */
	w[0] = 6; w[1] = 32 + 60; w[2] = 0; w[3] = 0; w[4] = 1000000;
	w[5] = w[6] = 60;
	memcpy(buf + n, w, 28); n += 28;
	memset(buf + n, 0, 60); buf[n + 12] = 0x08; buf[n + 14] = 0x45; n += 60;
	memcpy(buf + n, &w[1], 4); n += 4;
	/* Interface 1: a 40-byte IPv4 packet at 1.5 s (ns units). */
	w[0] = 6; w[1] = 32 + 40; w[2] = 1; w[3] = 0; w[4] = 1500000000;
	w[5] = w[6] = 40;
	memcpy(buf + n, w, 28); n += 28;
	memset(buf + n, 0, 40); buf[n] = 0x45; n += 40;
	memcpy(buf + n, &w[1], 4); n += 4;
	write_bytes(p, buf, n);
	assert_int_equal(sim_trace_load(&t, p, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 2);
	mat_load(&m, &t);
	assert_int_equal(m.len[0], 60);
	assert_int_equal(m.len[1], 54);
	assert_int_equal(m.frame[1][12], 0x08);
	assert_int_equal(m.frame[1][14], 0x45);
	assert_true(m.ts[1] == 500000000);
	mat_free(&m);
	sim_trace_free(&t);
}

static void test_sim_trace_bad_snaplen_and_record_length(void **state)
{
	static uint8_t buf[16384];
	const char *p = tmp_path("big-snap.pcap");
	struct sim_trace t;
	char err[512];

	(void)state;
	/* The header's snap length over the buffer: no reason to refuse. */
	write_generated(p, 2, 9000);
	assert_int_equal(sim_trace_load(&t, p, 64 * 2048, err, sizeof(err)), 0);
	sim_trace_free(&t);
	/* A record longer than what the run carries is. */
	p = tmp_path("big-rec.pcapng");
	write_bytes(p, buf, make_pcapng(buf, 0, 3000, 2));
	expect_bad(p, 2048, "record 1: frame length 3000 is over 2048");
	/* A runt frame. */
	p = tmp_path("runt.pcapng");
	write_bytes(p, buf, make_pcapng(buf, 0, 10, 1));
	expect_bad(p, 2048, "record 1: 10 bytes, shorter than an Ethernet header");
}

/* A classic little-endian microsecond pcap of 60-byte frames, one per
 * (seconds, microseconds) pair, the seconds as the format's signed 32 bits. */
static size_t make_pcap_ts(uint8_t *buf, const int32_t (*ts)[2], int n)
{
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4 << 16, 0, 0, 2048, 1 };
	uint32_t rec[4];
	size_t at = sizeof(hdr);
	int i;

	memcpy(buf, hdr, sizeof(hdr));
	for (i = 0; i < n; i++) {
		rec[0] = (uint32_t)ts[i][0];
		rec[1] = (uint32_t)ts[i][1];
		rec[2] = rec[3] = 60;
		memcpy(buf + at, rec, sizeof(rec));
		at += sizeof(rec);
		memset(buf + at, 0, 60);
		buf[at + 12] = 0x88;
		buf[at + 13] = (uint8_t)i;
		at += 60;
	}
	return at;
}

/* A classic little-endian microsecond pcap with the given snap length and
 * one record per (caplen, len) pair, caplen bytes of data each; records of
 * a test are written to path. */
static void write_pcap_lens(const char *path, uint32_t snaplen,
			    const uint32_t (*lens)[2], int n)
{
	const uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4 << 16, 0, 0, snaplen, 1 };
	uint32_t rec[4], i;
	FILE *f = fopen(path, "wb");
	uint8_t *data;

	assert_non_null(f);
	assert_int_equal(fwrite(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	for (i = 0; i < (uint32_t)n; i++) {
		rec[0] = i;
		rec[1] = 0;
		rec[2] = lens[i][0];
		rec[3] = lens[i][1];
		assert_int_equal(fwrite(rec, 1, sizeof(rec), f), sizeof(rec));
		data = calloc(1, lens[i][0]);
		assert_non_null(data);
		data[12] = 0x88;
		assert_int_equal(fwrite(data, 1, lens[i][0], f), lens[i][0]);
		free(data);
	}
	fclose(f);
}

/* Issue 17: a record's lengths changed the run without a word: the part
 * over the snap length was cut, more captured than the wire carried was
 * taken, a truncated capture replayed a shorter frame than the wire had,
 * and 65536 bytes were stored as 0 (a netmap slot length is 16 bits). */
static void test_sim_trace_bad_record_lengths(void **state)
{
	static const uint32_t over_snap[2][2] = { { 60, 60 }, { 200, 200 } };
	static const uint32_t over_len[1][2] = { { 60, 50 } };
	static const uint32_t short_cap[2][2] = { { 60, 60 }, { 60, 100 } };
	static const uint32_t rec_max[1][2] = { { 262145, 262145 } };
	static const uint32_t ok[2][2] = { { 60, 60 }, { 65536, 65536 } };
	const char *p = tmp_path("lens.pcap");
	struct sim_trace t;
	char err[512];

	(void)state;
	/* A record over the header's snap length is taken whole. */
	write_pcap_lens(p, 100, over_snap, 2);
	assert_int_equal(sim_trace_load(&t, p, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.max_len, 200);
	sim_trace_free(&t);
	write_pcap_lens(p, 2048, over_len, 1);
	expect_bad(p, 2048, "record 1: 60 bytes captured of a 50-byte frame (expected the captured length equal to the frame length)");
	write_pcap_lens(p, 2048, short_cap, 2);
	expect_bad(p, 2048, "record 2: 60 of the frame's 100 bytes captured (expected the whole frame: capture with a snap length at least the frame size)");
	write_pcap_lens(p, 0, rec_max, 1);
	expect_bad(p, 64 * 65536, "record 1: captured length 262145 (expected at most 262144)");
	write_pcap_lens(p, 0, ok, 2);
	assert_int_equal(sim_trace_load(&t, p, 65536, err, sizeof(err)), 0);
	assert_int_equal(t.max_len, 65536);
	sim_trace_free(&t);
}

/* Found by fuzz_pcap (corpus pcap/ts_negative_seconds): seconds before
 * 1970 were converted as unsigned, so a later record looked earlier than
 * the first and was clamped to 0. */
static void test_sim_trace_io_timestamps_before_1970(void **state)
{
	static const int32_t ts[4][2] = {
		{ -1, 0 }, { 0, 0 }, { -2147483647 - 1, 0 }, { 0, -250 }
	};
	static uint8_t buf[1024];
	const char *path = tmp_path("pre1970.pcap");
	struct sim_trace t;
	struct mat m;
	char err[256];

	(void)state;
	write_bytes(path, buf, make_pcap_ts(buf, ts, 4));
	assert_int_equal(sim_trace_load(&t, path, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 4);
	mat_load(&m, &t);
	assert_true(m.ts[0] == 0);
	assert_true(m.ts[1] == 1000000000ULL);
	assert_true(m.ts[2] == 1000000000ULL); /* before the first: clamped */
	assert_true(m.ts[3] == 1000000000ULL); /* 0 s - 250 us: clamped */
	assert_true(t.ts_clamped == 2);
	mat_free(&m);
	sim_trace_free(&t);
}

/* The memory reader (what fuzz_pcap uses) names the input as told and
 * reads the same as the path reader. */
static void test_sim_trace_io_stream(void **state)
{
	static const int32_t ts[2][2] = { { 5, 0 }, { 5, 7 } };
	static uint8_t buf[1024];
	struct sim_trace t;
	struct mat m;
	char err[256] = "";
	size_t n = make_pcap_ts(buf, ts, 2);

	(void)state;
	assert_int_equal(sim_trace_load_mem(&t, buf, n, "mem", 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 2);
	mat_load(&m, &t);
	assert_true(m.ts[1] == 7000);
	mat_free(&m);
	assert_string_equal(t.name, "mem");
	sim_trace_free(&t);
	assert_int_equal(sim_trace_load_mem(&t, buf, 10, "mem", 2048, err, sizeof(err)),
			 -EINVAL);
	assert_true(strncmp(err, "mem: pcap file header cut short", 31) == 0);
	assert_true(t.count == 0 && t.ft == NULL);
}

/* Issue 14: a frame over a buffer loads (it travels as a chain); only a
 * frame no chain of 64 slots carries is refused, and the snap length in
 * the header is no reason at all. */
static void test_sim_trace_io_big_frames(void **state)
{
	static const uint32_t lens[2][2] = { { 60, 60 }, { 65549, 65549 } };
	const char *p = tmp_path("big.pcap");
	struct sim_trace t;
	struct mat m;
	char err[512];

	(void)state;
	write_pcap_lens(p, 65535, lens, 2);
	assert_int_equal(sim_trace_load(&t, p, 64 * 2048, err, sizeof(err)), 0);
	assert_int_equal(t.max_len, 65549);
	mat_load(&m, &t);
	assert_int_equal(m.len[1], 65549);
	mat_free(&m);
	sim_trace_free(&t);
	expect_bad(p, 64 * 1024, "record 2: frame length 65549 is over 65536, the most 64 slots of buf_size carry");
}

/* A file that changes under a cursor: the cursor fails with one line
 * instead of replaying other bytes (or reading past its buffer). */
static void test_sim_trace_bad_changed_under_cursor(void **state)
{
	static const uint32_t small[2][2] = { { 60, 60 }, { 60, 60 } };
	static const uint32_t big[2][2] = { { 60, 60 }, { 3000, 3000 } };
	const char *p = tmp_path("changing.pcap");
	struct sim_trace_cur c;
	struct sim_trace t;
	char err[512];

	(void)state;
	write_pcap_lens(p, 0, small, 2);
	assert_int_equal(sim_trace_load(&t, p, 65536, err, sizeof(err)), 0);
	/* Rewritten in place (same inode: the open descriptor sees it). */
	write_pcap_lens(p, 0, big, 2);
	assert_int_equal(sim_trace_cur_open(&c, &t), 0);
	assert_non_null(sim_trace_cur_get(&c));
	sim_trace_cur_next(&c);
	assert_null(sim_trace_cur_get(&c));
	printf("    cursor: %s\n", c.err);
	assert_non_null(strstr(c.err, "record 2"));
	assert_non_null(strstr(c.err, "expected the file unchanged during the run"));
	sim_trace_cur_close(&c);
	sim_trace_free(&t);
}

/* Found by analysis with fuzz_pcap (corpus pcap/pcapng_ts_1s_resolution_huge):
 * at a pcapng resolution of 1 s, 2^40 s wrapped the 64-bit nanoseconds. */
static void test_sim_trace_bad_timestamp_out_of_range(void **state)
{
	static const uint32_t shb[7] = { 0x0a0d0d0a, 28, 0x1a2b3c4d, 1,
					  0xffffffff, 0xffffffff, 28 };
	/* Interface: EN10MB, no snap length, if_tsresol = 10^0 (seconds). */
	static const uint32_t idb[7] = { 1, 28, 1, 0, 9 | 1 << 16, 0, 28 };
	uint8_t buf[512];
	uint32_t epb[7];
	size_t n = 0;
	int i;

	(void)state;
	memcpy(buf, shb, sizeof(shb));
	n += sizeof(shb);
	memcpy(buf + n, idb, sizeof(idb));
	n += sizeof(idb);
	for (i = 0; i < 2; i++) {
		epb[0] = 6; epb[1] = 32 + 60; epb[2] = 0;
		epb[3] = i == 0 ? 0 : 1U << 8; /* 2^40 s */
		epb[4] = 0; epb[5] = epb[6] = 60;
		memcpy(buf + n, epb, sizeof(epb));
		n += sizeof(epb);
		memset(buf + n, 0, 60);
		n += 60;
		memcpy(buf + n, &epb[1], 4);
		n += 4;
	}
	write_bytes(tmp_path("huge-ts.pcapng"), buf, n);
	expect_bad(tmp_path("huge-ts.pcapng"), 2048,
		   "record 2: timestamp 1099511627776 units of 1/1 s is out of range");
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest gen[] = {
		cmocka_unit_test(test_sim_trace_gen_frames_and_flows),
	};
	static const struct CMUnitTest io[] = {
		cmocka_unit_test(test_sim_trace_roundtrip_through_sink),
		cmocka_unit_test(test_sim_trace_reads_pcapng),
		cmocka_unit_test(test_sim_trace_io_timestamps_before_1970),
		cmocka_unit_test(test_sim_trace_io_stream),
		cmocka_unit_test(test_sim_trace_io_link_types),
		cmocka_unit_test(test_sim_trace_io_pcapng_two_link_types),
		cmocka_unit_test(test_sim_trace_io_big_frames),
	};
	static const struct CMUnitTest bad[] = {
		cmocka_unit_test(test_sim_trace_bad_empty_and_garbage),
		cmocka_unit_test(test_sim_trace_bad_truncated_record),
		cmocka_unit_test(test_sim_trace_bad_link_type),
		cmocka_unit_test(test_sim_trace_bad_snaplen_and_record_length),
		cmocka_unit_test(test_sim_trace_bad_timestamp_out_of_range),
		cmocka_unit_test(test_sim_trace_bad_record_lengths),
		cmocka_unit_test(test_sim_trace_bad_changed_under_cursor),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("gen", gen),
		NM_TEST_GROUP("io", io),
		NM_TEST_GROUP("bad", bad),
	};
	int rc = nm_test_main("sim_trace", argc, argv, groups,
			      sizeof(groups) / sizeof(groups[0]));
	char cmd[128];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			rc = rc != 0 ? rc : 1;
	}
	return rc;
}
