/*
 * gen_trace.c - nm-gen-trace OUT.pcap [FRAMES]: the differential replay's
 * trace (trace_gen.h) as a classic pcap (microseconds, EN10MB, snap
 * length 2048; frame i at i ms).  Every write checked: exit 0, or 1
 * after one line.
 */
#include "trace_gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

int main(int argc, char **argv)
{
	uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 }, rec[16], frame[TRACE_GEN_MAX];
	unsigned long long n = TRACE_GEN_FRAMES, i;
	struct trace_gen g;
	char *end;
	FILE *f;
	uint32_t len;
	int bad;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: nm-gen-trace OUT.pcap [FRAMES]\n");
		return 1;
	}
	if (argc == 3) {
		errno = 0;
		n = strtoull(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || n == 0 || n > 100000000ULL) {
			fprintf(stderr, "nm-gen-trace: FRAMES '%s': expected 1..100000000\n", argv[2]);
			return 1;
		}
	}
	f = fopen(argv[1], "wb");
	if (f == NULL) {
		fprintf(stderr, "nm-gen-trace: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	put32(hdr + 16, 2048); /* every frame fits a 2048-byte buffer */
	put32(hdr + 20, 1);
	bad = fwrite(hdr, sizeof(hdr), 1, f) != 1;
	trace_gen_init(&g);
	for (i = 0; i < n && !bad; i++) {
		len = trace_gen_next(&g, frame);
		put32(rec, (uint32_t)(i / 1000));
		put32(rec + 4, (uint32_t)(i % 1000) * 1000);
		put32(rec + 8, len);
		put32(rec + 12, len);
		bad = fwrite(rec, sizeof(rec), 1, f) != 1 || fwrite(frame, len, 1, f) != 1;
	}
	bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, "nm-gen-trace: %s: cannot write: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
