/*
 * frame_digest.c - per-flow digests of received frames (see the header).
 */
#include "frame_digest.h"

#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n-- > 0)
		h = (h ^ *p++) * FNV_PRIME;
	return h;
}

/* Bytes [off, off + n) of f, if the frame holds them. */
static uint64_t fnv_at(uint64_t h, const uint8_t *f, uint32_t len, uint32_t off,
		       uint32_t n)
{
	return off + n <= len ? fnv(h, f + off, n) : h;
}

static uint64_t flow_key(const uint8_t *f, uint32_t len)
{
	uint64_t h = FNV_OFFSET;
	uint32_t ihl, l4;
	uint16_t type;
	uint8_t proto;

	if (len < 14)
		return fnv(h, f, len);
	type = (uint16_t)(f[12] << 8 | f[13]);
	h = fnv(h, f + 12, 2);
	if (type == 0x0800 && len >= 14 + 20 && (f[14] >> 4) == 4) {
		ihl = (uint32_t)(f[14] & 0xf) * 4;
		proto = f[14 + 9];
		h = fnv(h, &proto, 1);
		h = fnv_at(h, f, len, 14 + 12, 8);
		l4 = 14 + ihl;
	} else if (type == 0x86dd && len >= 14 + 40 && (f[14] >> 4) == 6) {
		proto = f[14 + 6];
		h = fnv(h, &proto, 1);
		h = fnv_at(h, f, len, 14 + 8, 32);
		l4 = 14 + 40;
	} else {
		return fnv(h, f, 12); /* the MAC addresses */
	}
	if (proto == 6 || proto == 17)
		h = fnv_at(h, f, len, l4, 4);
	return h;
}

int frame_digest_add(struct frame_digest *d, const uint8_t *f, uint32_t len)
{
	uint64_t key = flow_key(f, len), h;
	struct frame_flow *fl = NULL, *grown;
	uint8_t le[4] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
			  (uint8_t)(len >> 24) };
	size_t i;

	for (i = 0; i < d->n && fl == NULL; i++)
		if (d->flow[i].key == key)
			fl = &d->flow[i];
	if (fl == NULL) {
		if (d->n == d->cap) {
			grown = realloc(d->flow, (d->cap ? 2 * d->cap : 16) * sizeof(*grown));
			if (grown == NULL)
				return -1;
			d->flow = grown;
			d->cap = d->cap ? 2 * d->cap : 16;
		}
		fl = &d->flow[d->n++];
		fl->key = key;
		fl->frames = 0;
		fl->hash = FNV_OFFSET;
	}
	h = fnv(fl->hash, le, sizeof(le));
	fl->hash = fnv(h, f, len);
	fl->frames++;
	d->frames++;
	return 0;
}

static int flow_cmp(const void *a, const void *b)
{
	const struct frame_flow *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

int frame_digest_print(const struct frame_digest *d, const char *port, FILE *out)
{
	size_t i;

	if (d->n > 0)
		qsort(d->flow, d->n, sizeof(d->flow[0]), flow_cmp);
	for (i = 0; i < d->n; i++)
		fprintf(out, "%s %016llx %llu %016llx\n", port,
			(unsigned long long)d->flow[i].key,
			(unsigned long long)d->flow[i].frames,
			(unsigned long long)d->flow[i].hash);
	fprintf(out, "%s total %llu\n", port, (unsigned long long)d->frames);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

void frame_digest_free(struct frame_digest *d)
{
	free(d->flow);
	memset(d, 0, sizeof(*d));
}
