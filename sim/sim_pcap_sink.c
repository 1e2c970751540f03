/*
 * sim_pcap_sink.c - pcap writer over libpcap's pcap_dump.
 */
#include "sim_pcap_sink.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

struct sim_pcap_sink {
	pcap_t *dead;
	pcap_dumper_t *d;
	uint64_t count;
};

struct sim_pcap_sink *sim_pcap_sink_open(const char *path, uint32_t snaplen,
					 char *err, size_t errlen)
{
	struct sim_pcap_sink *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->dead = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, (int)snaplen, PCAP_TSTAMP_PRECISION_NANO);
	if (s->dead == NULL) {
		snprintf(err, errlen, "%s: cannot create a pcap handle", path);
		free(s);
		return NULL;
	}
	s->d = pcap_dump_open(s->dead, path);
	if (s->d == NULL) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(s->dead));
		pcap_close(s->dead);
		free(s);
		return NULL;
	}
	return s;
}

void sim_pcap_sink_write(struct sim_pcap_sink *s, uint64_t ts_ns,
			 const uint8_t *frame, uint32_t len)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)(ts_ns / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000ULL); /* ns precision */
	h.caplen = len;
	h.len = len;
	pcap_dump((u_char *)s->d, &h, frame);
	s->count++;
}

uint64_t sim_pcap_sink_count(const struct sim_pcap_sink *s)
{
	return s->count;
}

int sim_pcap_sink_close(struct sim_pcap_sink *s)
{
	int rc = 0;

	if (s == NULL)
		return 0;
	if (pcap_dump_flush(s->d) != 0)
		rc = -EIO;
	pcap_dump_close(s->d);
	pcap_close(s->dead);
	free(s);
	return rc;
}
