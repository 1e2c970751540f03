/*
 * frame_digest.h - what a port received, as one line per flow: the flow's
 * key, its frame count and a hash of its frames (length and bytes) in
 * arrival order.  Two builds of the core that delivered the same frames in
 * the same per-flow order print the same lines, whatever their timing
 * interleaved between flows (issue 19, differential replay).
 *
 * A flow is the IPv4 or IPv6 5-tuple (addresses, protocol, and the ports of
 * TCP and UDP) when the frame has one, else the Ethernet addresses and
 * type.  The hash is FNV-1a 64: a checksum for equality, not a MAC.
 */
#ifndef FRAME_DIGEST_H
#define FRAME_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct frame_flow {
	uint64_t key;
	uint64_t frames;
	uint64_t hash;
};

struct frame_digest {
	struct frame_flow *flow;
	size_t n, cap;
	uint64_t frames;
};

/* Count frame f of len bytes; 0, or -1 when out of memory. */
int frame_digest_add(struct frame_digest *d, const uint8_t *f, uint32_t len);
/* "PORT KEY FRAMES HASH" per flow, by key; then "PORT total FRAMES". */
int frame_digest_print(const struct frame_digest *d, const char *port, FILE *out);
void frame_digest_free(struct frame_digest *d);

#endif /* FRAME_DIGEST_H */
