/*
 * pcap_digest.c - nm-pcap-digest FILE.pcap...: the per-flow digest of each
 * capture (frame_digest.h), its port named after the file (rx.pcap: rx).
 * Reads what nmsim --pcap-out writes.  Exit 0, or 1 after one line.
 */
#include "frame_digest.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

static int digest_file(const char *path)
{
	char err[PCAP_ERRBUF_SIZE], port[64];
	const char *base = strrchr(path, '/');
	struct frame_digest d = { 0 };
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	size_t n;
	int rc;

	base = base != NULL ? base + 1 : path;
	n = strcspn(base, ".");
	snprintf(port, sizeof(port), "%.*s", (int)(n < sizeof(port) ? n : sizeof(port) - 1), base);
	p = pcap_open_offline(path, err);
	if (p == NULL) {
		fprintf(stderr, "nm-pcap-digest: %s: %s\n", path, err);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen != h->len) {
			fprintf(stderr, "nm-pcap-digest: %s: a record cut at %u of %u bytes\n", path,
				h->caplen, h->len);
			rc = -3;
			break;
		}
		if (frame_digest_add(&d, data, h->caplen) != 0) {
			fprintf(stderr, "nm-pcap-digest: out of memory\n");
			rc = -3;
			break;
		}
	}
	if (rc == -1)
		fprintf(stderr, "nm-pcap-digest: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	if (rc == -2 && frame_digest_print(&d, port, stdout) != 0) {
		fprintf(stderr, "nm-pcap-digest: cannot write standard output\n");
		rc = -3;
	}
	frame_digest_free(&d);
	return rc == -2 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: nm-pcap-digest FILE.pcap...\n");
		return 1;
	}
	for (i = 1; i < argc; i++)
		bad |= digest_file(argv[i]);
	return bad;
}
