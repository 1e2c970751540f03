/*
 * test_sim_trace.c - traces: the built-in generator, pcap and pcapng
 * reading through libpcap, the pcap sink, and every bad input reported as
 * one line naming the file (and the record) instead of a crash.
 *
 * Groups: gen (generator, flows, timestamps), io (sink -> reader round trip,
 * a hand-made pcapng), bad (empty, garbage, truncated record, non-Ethernet,
 * snap length and record length over the buffer, runt frame, missing file,
 * timestamp out of range).
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
	char err[256];
	const uint8_t *f;
	uint32_t i, same = 0;

	(void)state;
	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), 0);
	/* The same seed gives the same flows; another seed, others. */
	assert_int_equal(sim_trace_generate(&t2, &g, err, sizeof(err)), 0);
	assert_memory_equal(t.flow, t2.flow, 10 * sizeof(uint32_t));
	sim_trace_free(&t2);
	g.seed = 99;
	assert_int_equal(sim_trace_generate(&t2, &g, err, sizeof(err)), 0);
	for (i = 0; i < 10; i++)
		same += t.flow[i] == t2.flow[i];
	assert_true(same < 10);
	sim_trace_free(&t2);
	g.seed = 0;
	assert_int_equal(t.count, 10);
	assert_int_equal(t.nflows, 4);
	for (i = 0; i < t.count; i++)
		assert_true(t.flow[i] < 4);
	assert_true(t.ts_ns[3] == 3000);
	f = sim_trace_frame(&t, 2);
	assert_int_equal(t.len[2], 60);
	assert_int_equal(f[12], 0x08);
	assert_int_equal(f[23], 17);
	assert_memory_equal(f, g.dst_mac, 6);
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
	char err[256];
	uint32_t i;

	(void)state;
	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), 0);
	s = sim_pcap_sink_open(path, 2048, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < t.count; i++)
		sim_pcap_sink_write(s, 5000000000ULL + t.ts_ns[i],
				    sim_trace_frame(&t, i), t.len[i]);
	assert_int_equal(sim_pcap_sink_count(s), 100);
	assert_int_equal(sim_pcap_sink_close(s), 0);
	assert_int_equal(sim_trace_load(&back, path, 2048, err, sizeof(err)), 0);
	assert_int_equal(back.count, 100);
	assert_int_equal(back.nflows, 4);
	for (i = 0; i < t.count; i++) {
		assert_true(back.ts_ns[i] == t.ts_ns[i]); /* ns kept, relative */
		/* The reader numbers flows in order of appearance: the same
		 * partition of the packets, possibly other numbers. */
		assert_true(map[t.flow[i]] == 0 || map[t.flow[i]] == back.flow[i] + 1);
		map[t.flow[i]] = back.flow[i] + 1;
		assert_memory_equal(sim_trace_frame(&back, i),
				    sim_trace_frame(&t, i), 60);
	}
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
	char err[256];

	(void)state;
	write_bytes(path, buf, make_pcapng(buf, 0, 64, 3));
	assert_int_equal(sim_trace_load(&t, path, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 3);
	assert_true(t.ts_ns[2] == 2000000); /* 2 ms after the first */
	assert_int_equal(t.nflows, 3);	    /* ethertypes differ */
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
	expect_bad(p, 2048, "not a readable pcap");
	p = tmp_path("garbage.pcap");
	write_bytes(p, "this is not a capture file at all", 33);
	expect_bad(p, 2048, "not a readable pcap");
	expect_bad(tmp_path("missing.pcap"), 2048, "not a readable pcap");
}

static void write_generated(const char *path, uint64_t packets,
			    uint32_t snaplen)
{
	struct sim_trace_gen g = gen_default(packets);
	struct sim_pcap_sink *s;
	struct sim_trace t;
	char err[256];
	uint32_t i;

	assert_int_equal(sim_trace_generate(&t, &g, err, sizeof(err)), 0);
	s = sim_pcap_sink_open(path, snaplen, err, sizeof(err));
	assert_non_null(s);
	for (i = 0; i < t.count; i++)
		sim_pcap_sink_write(s, t.ts_ns[i], sim_trace_frame(&t, i), t.len[i]);
	assert_int_equal(sim_pcap_sink_close(s), 0);
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
	const char *p = tmp_path("raw.pcap");
	pcap_t *dead = pcap_open_dead(DLT_RAW, 2048);
	pcap_dumper_t *d = pcap_dump_open(dead, p);
	struct pcap_pkthdr h = { .caplen = 20, .len = 20 };
	static const u_char ip[20] = { 0x45 };

	(void)state;
	assert_non_null(d);
	pcap_dump((u_char *)d, &h, ip);
	pcap_dump_close(d);
	pcap_close(dead);
	expect_bad(p, 2048, "expected 1 (EN10MB");
}

static void test_sim_trace_bad_snaplen_and_record_length(void **state)
{
	static uint8_t buf[16384];
	const char *p = tmp_path("big-snap.pcap");

	(void)state;
	write_generated(p, 2, 9000);
	expect_bad(p, 2048, "snap length 9000 is over the buffer size 2048");
	/* pcapng with no snap length: the record itself is too long. */
	p = tmp_path("big-rec.pcapng");
	write_bytes(p, buf, make_pcapng(buf, 0, 3000, 2));
	expect_bad(p, 2048, "record 1: length 3000 is over the buffer size 2048");
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
	static const uint32_t slot_max[1][2] = { { 65536, 65536 } };
	static const uint32_t ok[2][2] = { { 60, 60 }, { 65535, 65535 } };
	const char *p = tmp_path("lens.pcap");
	struct sim_trace t;
	char err[512];

	(void)state;
	write_pcap_lens(p, 100, over_snap, 2);
	expect_bad(p, 2048, "record 2: 100 of the frame's 200 bytes captured, cut at the file's snap length 100 (expected the whole frame");
	write_pcap_lens(p, 2048, over_len, 1);
	expect_bad(p, 2048, "record 1: 60 bytes captured of a 50-byte frame (expected the captured length equal to the frame length)");
	write_pcap_lens(p, 2048, short_cap, 2);
	expect_bad(p, 2048, "record 2: 60 of the frame's 100 bytes captured (expected the whole frame: capture with a snap length at least the frame size)");
	write_pcap_lens(p, 0, slot_max, 1);
	expect_bad(p, 65536, "record 1: length 65536 is over the most a netmap slot carries, 65535 (expected <= 65535)");
	write_pcap_lens(p, 0, ok, 2);
	assert_int_equal(sim_trace_load(&t, p, 65536, err, sizeof(err)), 0);
	assert_int_equal(t.len[1], 65535);
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
	char err[256];

	(void)state;
	write_bytes(path, buf, make_pcap_ts(buf, ts, 4));
	assert_int_equal(sim_trace_load(&t, path, 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 4);
	assert_true(t.ts_ns[0] == 0);
	assert_true(t.ts_ns[1] == 1000000000ULL);
	assert_true(t.ts_ns[2] == 1000000000ULL); /* before the first: clamped */
	assert_true(t.ts_ns[3] == 1000000000ULL); /* 0 s - 250 us: clamped */
	assert_true(t.ts_clamped == 2);
	sim_trace_free(&t);
}

/* The stream reader (what fuzz_pcap uses) names the input as told and
 * reads the same as the path reader. */
static void test_sim_trace_io_stream(void **state)
{
	static const int32_t ts[2][2] = { { 5, 0 }, { 5, 7 } };
	static uint8_t buf[1024];
	struct sim_trace t;
	char err[256] = "";
	size_t n = make_pcap_ts(buf, ts, 2);
	FILE *f = fmemopen(buf, n, "rb");

	(void)state;
	assert_non_null(f);
	assert_int_equal(sim_trace_load_stream(&t, f, "mem", 2048, err, sizeof(err)), 0);
	assert_int_equal(t.count, 2);
	assert_true(t.ts_ns[1] == 7000);
	assert_string_equal(t.name, "mem");
	sim_trace_free(&t);
	f = fmemopen(buf, 10, "rb");
	assert_non_null(f);
	assert_int_equal(sim_trace_load_stream(&t, f, "mem", 2048, err, sizeof(err)),
			 -EINVAL);
	assert_true(strncmp(err, "mem: not a readable pcap", 24) == 0);
	assert_null(t.data);
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
		   "record 2: timestamp 1099511627776 s is out of range");
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
	};
	static const struct CMUnitTest bad[] = {
		cmocka_unit_test(test_sim_trace_bad_empty_and_garbage),
		cmocka_unit_test(test_sim_trace_bad_truncated_record),
		cmocka_unit_test(test_sim_trace_bad_link_type),
		cmocka_unit_test(test_sim_trace_bad_snaplen_and_record_length),
		cmocka_unit_test(test_sim_trace_bad_timestamp_out_of_range),
		cmocka_unit_test(test_sim_trace_bad_record_lengths),
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
