/*
 * sim_capfile.h - reading capture files record by record: classic pcap
 * (microsecond and nanosecond magic, either byte order) and pcapng (any
 * number of sections and interfaces, each interface with its own link type
 * and timestamp resolution).
 *
 * Owns: the file formats only.  A reader reads through one descriptor with
 * pread() at its own offset (several readers share one open file, none
 * moves another's position) or from a byte buffer, through a bounded
 * buffer: memory is one record, never the file.  Every length read from the
 * file is checked before it is used; a record is handed out whole
 * (captured bytes, wire length, link type, time in signed nanoseconds
 * since 1970) and stays valid until the next call.
 *
 * Not checked here (the trace decides): whether the record holds its
 * whole frame, whether its link type is one the simulator converts.
 */
#ifndef SIM_CAPFILE_H
#define SIM_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest record body a reader accepts (libpcap's MAXIMUM_SNAPLEN). */
#define SIM_CAP_MAX_RECORD 262144U
#define SIM_CAP_MAX_IFACES 256U

struct sim_cap_rec {
	const uint8_t *data;
	uint32_t caplen, len;
	uint32_t linktype; /* LINKTYPE_* of its interface (FCS bits cleared) */
	uint32_t iface;	   /* pcapng interface; 0 in classic pcap */
	uint32_t snaplen;  /* its file's or interface's (0: none given) */
	int64_t ts_ns;	   /* since 1970 */
};

struct sim_cap_iface {
	uint32_t linktype;
	uint32_t snaplen;
	uint64_t units;	   /* timestamp units per second */
};

struct sim_capfile {
	/* Source: fd >= 0 (pread), else mem[0..memlen). */
	int fd;
	const uint8_t *mem;
	uint64_t memlen;
	uint64_t off;		/* next byte of the file to parse */
	uint8_t *buf;		/* buffered bytes of the file */
	uint64_t boff;		/* file offset of buf[0] */
	uint32_t blen, bcap;
	bool at_eof;		/* buf ends where the file does */
	bool pcapng, swap, nano;
	uint32_t classic_linktype, snaplen;
	struct sim_cap_iface iface[SIM_CAP_MAX_IFACES];
	uint32_t nifaces;
	uint64_t rec;		/* records handed out */
};

/*
 * Start reading at the beginning of the file (fd) or of mem (fd < 0).
 * 0; -EINVAL with one line in err ("NAME: what, expected ...") for a file
 * that is not a capture; -ENOMEM.  The reader does not own fd or mem.
 */
int sim_capfile_open(struct sim_capfile *c, int fd, const uint8_t *mem,
		     uint64_t memlen, const char *name, char *err, size_t errlen);
/*
 * The next record: 1 and *r; 0 at the clean end of the file; -EINVAL with
 * one line in err naming the record (its number counted from 1) and the
 * field; -ENOMEM.
 */
int sim_capfile_next(struct sim_capfile *c, struct sim_cap_rec *r,
		     const char *name, char *err, size_t errlen);
/*
 * Start again at the first record, as sim_capfile_open() on the same
 * source, keeping the buffered bytes (what the file held when they were
 * read).  The same results; on failure the reader is closed.
 */
int sim_capfile_rewind(struct sim_capfile *c, const char *name, char *err,
		       size_t errlen);
void sim_capfile_close(struct sim_capfile *c);

#endif /* SIM_CAPFILE_H */
