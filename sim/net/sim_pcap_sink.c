/*
 * sim_pcap_sink.c - a checked pcap writer (sim_pcap_sink.h).
 *
 * Written here rather than through libpcap's pcap_dump because pcap_dump
 * returns nothing and pcap_dump_close drops fclose's result: a full disk
 * would leave a short capture and a clean exit.  The format is small: a
 * 24-byte file header, then a 16-byte header per record.
 */
#include "sim_pcap_sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_text.h"

#define SIM_PCAP_MAGIC_NS 0xa1b23c4dU /* timestamps in ns, host order */
#define SIM_PCAP_LINKTYPE_ETHERNET 1U

/* The file header, written in host order; 24 bytes without padding. */
struct sim_pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct sim_pcap_sink {
	FILE *f;
	char *path;
	uint64_t count;
	int err; /* negative errno of the first failure; 0 while all is well */
};

/* Keep the first failure only: later ones follow from it. */
static void sim_pcap_sink_fail(struct sim_pcap_sink *s, int err)
{
	if (s->err == 0)
		s->err = err != 0 ? -err : -EIO;
}

static void sim_pcap_sink_put(struct sim_pcap_sink *s, const void *p, size_t n)
{
	if (s->err == 0 && n != 0 && fwrite(p, n, 1, s->f) != 1)
		sim_pcap_sink_fail(s, errno);
}

struct sim_pcap_sink *sim_pcap_sink_open(const char *path, uint32_t snaplen,
					 char *err, size_t errlen)
{
	struct sim_pcap_file_hdr hdr = { SIM_PCAP_MAGIC_NS, 2, 4, 0, 0, snaplen,
					 SIM_PCAP_LINKTYPE_ETHERNET };
	struct sim_pcap_sink *s = calloc(1, sizeof(*s));
	char shown[4 * SIM_TEXT_SHOW + 8];

	sim_text_show(shown, sizeof(shown), path, SIM_TEXT_SHOW);
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", shown);
		free(s);
		return NULL;
	}
	s->f = fopen(path, "wb");
	if (s->f == NULL) {
		snprintf(err, errlen, "%s: cannot create the capture: %s", shown,
			 strerror(errno));
		free(s->path);
		free(s);
		return NULL;
	}
	sim_pcap_sink_put(s, &hdr, sizeof(hdr));
	return s;
}

void sim_pcap_sink_write(struct sim_pcap_sink *s, uint64_t ts_ns,
			 const uint8_t *frame, uint32_t len)
{
	uint32_t rec[4];

	rec[0] = (uint32_t)(ts_ns / 1000000000ULL);
	rec[1] = (uint32_t)(ts_ns % 1000000000ULL);
	rec[2] = len; /* captured */
	rec[3] = len; /* on the wire */
	sim_pcap_sink_put(s, rec, sizeof(rec));
	sim_pcap_sink_put(s, frame, len);
	if (s->err == 0)
		s->count++;
}

uint64_t sim_pcap_sink_count(const struct sim_pcap_sink *s)
{
	return s->count;
}

const char *sim_pcap_sink_path(const struct sim_pcap_sink *s)
{
	return s->path;
}

int sim_pcap_sink_close(struct sim_pcap_sink *s)
{
	int rc;

	if (s == NULL)
		return 0;
	/* fflush first so a buffered write's errno is the one reported. */
	if (s->err == 0 && fflush(s->f) != 0)
		sim_pcap_sink_fail(s, errno);
	if (s->err == 0 && ferror(s->f))
		sim_pcap_sink_fail(s, EIO);
	if (fclose(s->f) != 0)
		sim_pcap_sink_fail(s, errno);
	rc = s->err;
	free(s->path);
	free(s);
	return rc;
}
