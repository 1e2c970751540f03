/*
 * sim_capfile.c - classic pcap and pcapng, record by record.
 *
 * Formats (IETF draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng):
 * classic pcap is a 24-byte header (magic 0xa1b2c3d4 for microseconds,
 * 0xa1b23c4d for nanoseconds, in the writer's byte order; version, snap
 * length, link type whose top bits may carry FCS information) and records
 * of a 16-byte header (seconds, fraction, captured length, wire length).
 * pcapng is a sequence of blocks (type, total length, body, total length
 * again; lengths multiples of 4): a Section Header Block (magic
 * 0x1A2B3C4D gives the section's byte order) resets the interfaces; each
 * Interface Description Block adds one (link type, snap length, options:
 * if_tsresol, code 9, gives its timestamp units, 10^-6 s by default);
 * Enhanced, Simple and (obsolete) Packet Blocks carry records; every other
 * block is skipped by its length.
 */
#include "sim_capfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIM_CAP_CHUNK (256U * 1024U)
/* A packet block: its record, its fixed fields and options up to this. */
#define SIM_CAP_MAX_BLOCK (SIM_CAP_MAX_RECORD + 65536U)
#define SIM_CAP_MAX_IDB 65536U

#define SHB_TYPE 0x0A0D0D0AU
#define IDB_TYPE 1U
#define PB_TYPE 2U
#define SPB_TYPE 3U
#define EPB_TYPE 6U

static uint32_t rd32(const struct sim_capfile *c, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return c->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct sim_capfile *c, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return c->swap ? __builtin_bswap16(v) : v;
}

/*
 * Bytes [off, off + n) of the file: a pointer to them, or NULL when the
 * file ends first (*got says how many there are) or reading failed (*rc).
 */
static const uint8_t *sim_cap_at(struct sim_capfile *c, uint64_t off, uint32_t n,
				 uint32_t *got, int *rc)
{
	uint32_t want;
	ssize_t r;
	void *p;

	*rc = 0;
	if (c->fd < 0) {
		*got = off >= c->memlen ? 0
			: (uint32_t)(c->memlen - off < n ? c->memlen - off : n);
		return *got == n ? c->mem + off : NULL;
	}
	if (off >= c->boff && off - c->boff <= c->blen &&
	    c->blen - (off - c->boff) >= n) {
		*got = n;
		return c->buf + (off - c->boff);
	}
	if (c->at_eof && off >= c->boff && off - c->boff <= c->blen) {
		/* Past the end the last read found: no read, and the buffer
		 * stays for a rewind. */
		*got = c->blen - (uint32_t)(off - c->boff);
		return NULL;
	}
	want = n > SIM_CAP_CHUNK ? n : SIM_CAP_CHUNK;
	if (want > c->bcap) {
		p = realloc(c->buf, want);
		if (p == NULL) {
			*rc = -ENOMEM;
			*got = 0;
			return NULL;
		}
		c->buf = p;
		c->bcap = want;
	}
	c->boff = off;
	c->blen = 0;
	c->at_eof = false;
	while (c->blen < want) {
		r = pread(c->fd, c->buf + c->blen, want - c->blen,
			  (off_t)(off + c->blen));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*rc = -errno;
			break;
		}
		if (r == 0) {
			c->at_eof = true;
			break;
		}
		c->blen += (uint32_t)r;
	}
	*got = c->blen < n ? c->blen : n;
	return *got == n ? c->buf : NULL;
}

static int sim_cap_fail(char *err, size_t errlen, const char *name, int rc,
			const char *what)
{
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory reading it", name);
		return -ENOMEM;
	}
	if (rc != 0)
		snprintf(err, errlen, "%s: read error: %s (expected a readable file)",
			 name, strerror(-rc));
	else
		snprintf(err, errlen, "%s: %s", name, what);
	return -EINVAL;
}

/* Timestamp units per second from an if_tsresol value; 0: unusable. */
static uint64_t sim_cap_units(uint8_t v)
{
	uint64_t u = 1;
	unsigned i;

	if (v & 0x80)
		return (v & 0x7f) <= 63 ? 1ULL << (v & 0x7f) : 0;
	for (i = 0; i < v; i++) {
		if (u > UINT64_MAX / 10)
			return 0;
		u *= 10;
	}
	return u;
}

/* A section header at c->off (its type already read): 0, or -EINVAL. */
static int sim_cap_shb(struct sim_capfile *c, const char *name, char *err,
		       size_t errlen)
{
	const uint8_t *p;
	uint32_t got, magic, blen;
	int rc;

	p = sim_cap_at(c, c->off, 16, &got, &rc);
	if (p == NULL)
		return sim_cap_fail(err, errlen, name, rc,
				    "pcapng section header cut short (expected a complete block)");
	memcpy(&magic, p + 8, 4);
	if (magic == 0x1A2B3C4D)
		c->swap = false;
	else if (magic == 0x4D3C2B1A)
		c->swap = true;
	else
		return sim_cap_fail(err, errlen, name, 0,
				    "pcapng section header with a bad byte-order magic (expected 0x1A2B3C4D)");
	blen = rd32(c, p + 4);
	if (rd16(c, p + 12) != 1) {
		snprintf(err, errlen, "%s: pcapng major version %u (expected 1)", name,
			 rd16(c, p + 12));
		return -EINVAL;
	}
	if (blen < 28 || blen % 4 != 0) {
		snprintf(err, errlen, "%s: pcapng section header of %u bytes (expected a multiple of 4, at least 28)",
			 name, blen);
		return -EINVAL;
	}
	c->nifaces = 0;
	c->off += blen;
	return 0;
}

/* An interface description block body p[0..blen). */
static int sim_cap_idb(struct sim_capfile *c, const uint8_t *p, uint32_t blen,
		       const char *name, char *err, size_t errlen)
{
	struct sim_cap_iface *ifc;
	uint32_t o = 16, code, olen;

	if (blen < 20) {
		snprintf(err, errlen, "%s: pcapng interface block of %u bytes (expected at least 20)",
			 name, blen);
		return -EINVAL;
	}
	if (c->nifaces == SIM_CAP_MAX_IFACES) {
		snprintf(err, errlen, "%s: more than %u interfaces in one section (expected fewer)",
			 name, SIM_CAP_MAX_IFACES);
		return -EINVAL;
	}
	ifc = &c->iface[c->nifaces];
	ifc->linktype = rd16(c, p + 8);
	ifc->snaplen = rd32(c, p + 12);
	ifc->units = 1000000;
	/* Options: code, length, value padded to 4; the block's trailing
	 * length (4 bytes) ends them at the latest. */
	while (o + 4 <= blen - 4) {
		code = rd16(c, p + o);
		olen = rd16(c, p + o + 2);
		if (code == 0)
			break;
		if (olen > blen - 4 - o - 4)
			break; /* an option past the block: ignore the rest */
		if (code == 9 && olen == 1) {
			ifc->units = sim_cap_units(p[o + 4]);
			if (ifc->units == 0) {
				snprintf(err, errlen, "%s: interface %u: if_tsresol 0x%02x (expected at most 10^-19 or 2^-63 s)",
					 name, c->nifaces, p[o + 4]);
				return -EINVAL;
			}
		}
		o += 4 + ((olen + 3U) & ~3U);
	}
	c->nifaces++;
	return 0;
}

/* units since 1970 -> ns, floor; -ERANGE past INT64_MAX. */
static int sim_cap_ts(uint64_t v, uint64_t units, int64_t *ns)
{
	unsigned __int128 x = (unsigned __int128)v * 1000000000U / units;

	if (x > INT64_MAX)
		return -ERANGE;
	*ns = (int64_t)x;
	return 0;
}

static int sim_capfile_open_hdr(struct sim_capfile *c, const char *name,
				char *err, size_t errlen)
{
	const uint8_t *p;
	uint32_t got, magic;
	int rc;

	p = sim_cap_at(c, 0, 4, &got, &rc);
	if (p == NULL) {
		if (rc == 0 && got == 0)
			return sim_cap_fail(err, errlen, name, 0,
					    "empty file (expected a pcap or pcapng capture)");
		return sim_cap_fail(err, errlen, name, rc,
				    "too short for a capture file header (expected a pcap or pcapng capture)");
	}
	memcpy(&magic, p, 4);
	if (magic == SHB_TYPE) {
		c->pcapng = true;
		return sim_cap_shb(c, name, err, errlen);
	}
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		c->swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		c->swap = true;
	else {
		snprintf(err, errlen, "%s: magic 0x%08x is not a capture file's (expected pcap 0xa1b2c3d4 or 0xa1b23c4d, or pcapng)",
			 name, magic);
		return -EINVAL;
	}
	c->nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	p = sim_cap_at(c, 0, 24, &got, &rc);
	if (p == NULL)
		return sim_cap_fail(err, errlen, name, rc,
				    "pcap file header cut short (expected 24 bytes)");
	if (rd16(c, p + 4) != 2) {
		snprintf(err, errlen, "%s: pcap major version %u (expected 2)", name,
			 rd16(c, p + 4));
		return -EINVAL;
	}
	c->snaplen = rd32(c, p + 16);
	/* The top bits tell about an FCS (and are reserved): not the type. */
	c->classic_linktype = rd32(c, p + 20) & 0x03ffffffU;
	c->off = 24;
	return 0;
}

/* Parse from the first byte again: every field reset but the source and
 * the buffered bytes (what the file held when they were read), then the
 * header.  On failure the reader is closed. */
static int sim_capfile_start(struct sim_capfile *c, const char *name,
			     char *err, size_t errlen)
{
	const struct sim_capfile keep = *c;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = keep.fd;
	c->mem = keep.mem;
	c->memlen = keep.memlen;
	c->buf = keep.buf;
	c->boff = keep.boff;
	c->blen = keep.blen;
	c->bcap = keep.bcap;
	c->at_eof = keep.at_eof;
	rc = sim_capfile_open_hdr(c, name, err, errlen);
	if (rc != 0)
		sim_capfile_close(c);
	return rc;
}

int sim_capfile_open(struct sim_capfile *c, int fd, const uint8_t *mem,
		     uint64_t memlen, const char *name, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->mem = mem;
	c->memlen = memlen;
	return sim_capfile_start(c, name, err, errlen);
}

static int sim_cap_next_classic(struct sim_capfile *c, struct sim_cap_rec *r,
				const char *name, char *err, size_t errlen)
{
	const uint8_t *p;
	uint32_t got, caplen;
	int64_t ns;
	int rc;

	p = sim_cap_at(c, c->off, 16, &got, &rc);
	if (p == NULL) {
		if (rc == 0 && got == 0)
			return 0;
		snprintf(err, errlen, "%s: record %llu: header cut short at %u of 16 bytes (expected a complete record)",
			 name, (unsigned long long)c->rec + 1, got);
		return rc == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	caplen = rd32(c, p + 8);
	r->len = rd32(c, p + 12);
	/* Seconds and fraction as signed 32-bit fields, in either byte
	 * order (libpcap's reading of a host-order file: a capture dated
	 * before 1970 keeps its order). */
	ns = (int64_t)(int32_t)rd32(c, p) * 1000000000 +
	     (int64_t)(int32_t)rd32(c, p + 4) * (c->nano ? 1 : 1000);
	if (caplen > SIM_CAP_MAX_RECORD) {
		snprintf(err, errlen, "%s: record %llu: captured length %u (expected at most %u)",
			 name, (unsigned long long)c->rec + 1, caplen,
			 SIM_CAP_MAX_RECORD);
		return -EINVAL;
	}
	p = sim_cap_at(c, c->off + 16, caplen, &got, &rc);
	if (p == NULL) {
		if (rc == -ENOMEM)
			return sim_cap_fail(err, errlen, name, rc, "");
		snprintf(err, errlen, "%s: record %llu: %u of its %u captured bytes in the file (expected a complete record)",
			 name, (unsigned long long)c->rec + 1, got, caplen);
		return -EINVAL;
	}
	r->data = p;
	r->caplen = caplen;
	r->linktype = c->classic_linktype;
	r->snaplen = c->snaplen;
	r->iface = 0;
	r->ts_ns = ns;
	c->off += 16 + (uint64_t)caplen;
	c->rec++;
	return 1;
}

static int sim_cap_rec_err(char *err, size_t errlen, const char *name,
			   uint64_t rec, const char *what, uint32_t v)
{
	snprintf(err, errlen, "%s: record %llu: %s %u", name,
		 (unsigned long long)rec, what, v);
	return -EINVAL;
}

/* A packet block's body p[0..blen) (type t): 1 and *r, or -EINVAL. */
static int sim_cap_packet(struct sim_capfile *c, uint32_t t, const uint8_t *p,
			  uint32_t blen, struct sim_cap_rec *r, const char *name,
			  char *err, size_t errlen)
{
	uint64_t rec = c->rec + 1, ts;
	uint32_t fixed, ifc, caplen;

	if (t == SPB_TYPE) {
		fixed = 12;
		ifc = 0;
		if (blen < 16)
			return sim_cap_rec_err(err, errlen, name, rec,
					       "simple packet block shorter than 16 bytes: length", blen);
		r->len = rd32(c, p + 8);
		caplen = r->len < blen - 16 ? r->len : blen - 16;
		ts = 0;
	} else {
		fixed = 28;
		if (blen < 32)
			return sim_cap_rec_err(err, errlen, name, rec,
					       "packet block shorter than 32 bytes: length", blen);
		ifc = t == PB_TYPE ? rd16(c, p + 8) : rd32(c, p + 8);
		ts = (uint64_t)rd32(c, p + 12) << 32 | rd32(c, p + 16);
		caplen = rd32(c, p + 20);
		r->len = rd32(c, p + 24);
		if (caplen > blen - 32) {
			snprintf(err, errlen, "%s: record %llu: captured length %u in a block of %u bytes (expected at most %u)",
				 name, (unsigned long long)rec, caplen, blen,
				 blen - 32);
			return -EINVAL;
		}
	}
	if (ifc >= c->nifaces) {
		snprintf(err, errlen, "%s: record %llu: interface %u, but the section describes %u (expected a described interface)",
			 name, (unsigned long long)rec, ifc, c->nifaces);
		return -EINVAL;
	}
	if (sim_cap_ts(ts, c->iface[ifc].units, &r->ts_ns) != 0) {
		snprintf(err, errlen, "%s: record %llu: timestamp %llu units of 1/%llu s is out of range (expected within 2^63 ns of 1970)",
			 name, (unsigned long long)rec, (unsigned long long)ts,
			 (unsigned long long)c->iface[ifc].units);
		return -EINVAL;
	}
	r->data = p + fixed;
	r->caplen = caplen;
	r->iface = ifc;
	r->linktype = c->iface[ifc].linktype;
	r->snaplen = c->iface[ifc].snaplen;
	c->rec++;
	return 1;
}

static int sim_cap_next_ng(struct sim_capfile *c, struct sim_cap_rec *r,
			   const char *name, char *err, size_t errlen)
{
	const uint8_t *p;
	uint32_t got, t, blen, need;
	int rc;

	for (;;) {
		p = sim_cap_at(c, c->off, 8, &got, &rc);
		if (p == NULL) {
			if (rc == 0 && got == 0)
				return 0;
			if (rc == -ENOMEM)
				return sim_cap_fail(err, errlen, name, rc, "");
			snprintf(err, errlen, "%s: record %llu: pcapng block header cut short at %u of 8 bytes (expected a complete block)",
				 name, (unsigned long long)c->rec + 1, got);
			return -EINVAL;
		}
		memcpy(&t, p, 4);
		if (t == SHB_TYPE) {
			rc = sim_cap_shb(c, name, err, errlen);
			if (rc != 0)
				return rc;
			continue;
		}
		t = rd32(c, p);
		blen = rd32(c, p + 4);
		if (blen < 12 || blen % 4 != 0) {
			snprintf(err, errlen, "%s: record %llu: pcapng block of type %u with length %u (expected a multiple of 4, at least 12)",
				 name, (unsigned long long)c->rec + 1, t, blen);
			return -EINVAL;
		}
		if (t != IDB_TYPE && t != EPB_TYPE && t != SPB_TYPE && t != PB_TYPE) {
			c->off += blen; /* another kind of block: skipped */
			continue;
		}
		if ((t == IDB_TYPE && blen > SIM_CAP_MAX_IDB) ||
		    (t != IDB_TYPE && blen > SIM_CAP_MAX_BLOCK)) {
			snprintf(err, errlen, "%s: record %llu: pcapng block of type %u with length %u (expected at most %u)",
				 name, (unsigned long long)c->rec + 1, t, blen,
				 t == IDB_TYPE ? SIM_CAP_MAX_IDB : SIM_CAP_MAX_BLOCK);
			return -EINVAL;
		}
		need = blen;
		p = sim_cap_at(c, c->off, need, &got, &rc);
		if (p == NULL) {
			if (rc == -ENOMEM)
				return sim_cap_fail(err, errlen, name, rc, "");
			snprintf(err, errlen, "%s: record %llu: pcapng block of %u bytes cut short at %u (expected a complete block)",
				 name, (unsigned long long)c->rec + 1, blen, got);
			return -EINVAL;
		}
		if (rd32(c, p + blen - 4) != blen) {
			snprintf(err, errlen, "%s: record %llu: pcapng block's trailing length %u differs from its length %u (expected equal)",
				 name, (unsigned long long)c->rec + 1,
				 rd32(c, p + blen - 4), blen);
			return -EINVAL;
		}
		c->off += blen;
		if (t == IDB_TYPE) {
			rc = sim_cap_idb(c, p, blen, name, err, errlen);
			if (rc != 0)
				return rc;
			continue;
		}
		return sim_cap_packet(c, t, p, blen, r, name, err, errlen);
	}
}

int sim_capfile_next(struct sim_capfile *c, struct sim_cap_rec *r,
		     const char *name, char *err, size_t errlen)
{
	return c->pcapng ? sim_cap_next_ng(c, r, name, err, errlen)
			 : sim_cap_next_classic(c, r, name, err, errlen);
}

int sim_capfile_rewind(struct sim_capfile *c, const char *name, char *err,
		       size_t errlen)
{
	/* The buffered bytes stay: a file that fits in them (a short trace
	 * replayed in loops) is read once, not once per loop. */
	return sim_capfile_start(c, name, err, errlen);
}

void sim_capfile_close(struct sim_capfile *c)
{
	free(c->buf);
	c->buf = NULL;
	c->bcap = c->blen = 0;
}
