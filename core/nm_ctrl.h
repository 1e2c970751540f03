/*
 * nm_ctrl.h - decoding of NIOCCTRL requests: nmreq_header, body, options.
 *
 * Owns: the copy-in of one request from user memory (every user byte is
 * read once, through nm_os_copy_from_user(), into one kernel buffer of at
 * most NETMAP_REQ_MAXSIZE bytes), its validation by the reference's rules,
 * and the copy-out of statuses and results to the user addresses recorded
 * at copy-in (never re-read from user memory).  What a request does is the
 * device's business (kmod/nmlab_dev.c); this file only says what it is.
 *
 * Rules (reference facts, section 2.4 of the netmap reference notes):
 *  - nr_version in [NETMAP_MIN_API, NETMAP_MAX_API], nr_reserved == 0,
 *    nr_reqtype known, else -EINVAL; nr_name is always NUL-terminated.
 *  - A body is required for every type but VALE_DELIF, SYNC_KLOOP_STOP and
 *    CSB_ENABLE, which must have none (-EINVAL either way).
 *  - Options are judged in chain order as they are copied; the first
 *    failure ends the walk (later options are not read, nor written back).
 *  - Body + every option (header, body and NM_CTRL_OPT_OVERHEAD, the
 *    reference's per-option cost in its copy buffer) <= NETMAP_REQ_MAXSIZE,
 *    else -EMSGSIZE; an nro_size beyond NETMAP_REQ_MAXSIZE is -EMSGSIZE
 *    whatever the type.  The cap also ends loops of unknown types.
 *  - Option type 0: -EINVAL (status EINVAL).  Two options of one known
 *    type: -EINVAL, status EINVAL on both (so a known type pointing at
 *    itself is -EINVAL, found before the cap).  Types >= NETMAP_REQ_OPT_MAX
 *    are kept with status EOPNOTSUPP and not copied beyond the header.
 *  - Every option starts with status EOPNOTSUPP; the handler takes the
 *    ones it understands (nm_ctrl_opt_take); one left EOPNOTSUPP fails
 *    the request with -EOPNOTSUPP (nm_ctrl_options_check).
 *  - Statuses are always written back; the header and body only when the
 *    request succeeded; an option's body only when the request and the
 *    option both succeeded.
 *
 * Locking: none; a decoded request belongs to one ioctl call.
 */
#ifndef NM_CTRL_H
#define NM_CTRL_H

#include "nm_abi.h"
#include "nm_selftest.h"

/* What an option costs in the cap beyond its header and body: the
 * reference's copy buffer keeps the user's nro_next pointer beside it. */
#define NM_CTRL_OPT_OVERHEAD 8U
#define NM_CTRL_OPT_COST (sizeof(struct nmreq_option) + NM_CTRL_OPT_OVERHEAD)
/* Room for the options of one request: each needs at least a header (the
 * cost above allows fewer, NETMAP_REQ_MAXSIZE / NM_CTRL_OPT_COST). */
#define NM_CTRL_MAX_OPTS (NETMAP_REQ_MAXSIZE / sizeof(struct nmreq_option))

struct nm_ctrl_opt {
	uint64_t uaddr;	   /* user address of the option header */
	uint64_t nro_size; /* as the user gave it */
	uint32_t type;	   /* nro_reqtype */
	uint32_t status;   /* positive errno for nro_status; EOPNOTSUPP at first */
	uint32_t body_ofs; /* offset of the option's copy in nm_ctrl_req.buf */
	uint32_t body_len; /* bytes after the header (0 for unknown types) */
};

struct nm_ctrl_req {
	uint64_t hdr_uaddr;	 /* where the header came from */
	struct nmreq_header hdr; /* the copy; nr_name NUL-terminated */
	uint32_t body_len;	 /* bytes of body at buf[0] (0: none) */
	uint32_t used;		 /* bytes of buf in use (body + option bodies) */
	uint32_t nopts;		 /* options decoded, in chain order */
	struct nm_ctrl_opt opts[NM_CTRL_MAX_OPTS];
	/* The option of each known type (index = type), or NULL. */
	struct nm_ctrl_opt *by_type[NETMAP_REQ_OPT_MAX];
	/* Body then option bodies, each 8-aligned: the cap plus the
	 * alignment padding of every piece. */
	uint64_t buf[NETMAP_REQ_MAXSIZE / sizeof(uint64_t) + NM_CTRL_MAX_OPTS + 1];
};

/* Size of the body of request type t (0: the type takes none), or -EINVAL
 * if t is not a request type. */
int nm_ctrl_body_size(uint32_t reqtype);
/* Size of the body that follows an option header of a known type, given
 * the user's nro_size (used only by the variable-size EVENTFDS option);
 * -EINVAL for type 0 or an nro_size below the header, -EMSGSIZE when it
 * exceeds NETMAP_REQ_MAXSIZE, 0 for unknown types. */
int64_t nm_ctrl_opt_body_size(uint32_t type, uint64_t nro_size);

/*
 * [control path] Copy in and check the request whose header is at user
 * address hdr_uaddr.  r is caller storage (large: allocate it); it is
 * reset here.  0, -EFAULT, -EINVAL or -EMSGSIZE.  Whatever the result,
 * nm_ctrl_finish(r, err) must follow to write the option statuses back.
 */
int nm_ctrl_decode(struct nm_ctrl_req *r, uint64_t hdr_uaddr);

/* The request body (NULL if it has none); body_len bytes, 8-aligned. */
void *nm_ctrl_body(struct nm_ctrl_req *r);
/* The option body of an option (body_len bytes, 8-aligned). */
void *nm_ctrl_opt_body(struct nm_ctrl_req *r, const struct nm_ctrl_opt *o);

/*
 * The option of a known type, marked understood (status 0), or NULL if the
 * request has none.  The handler then reports a per-option failure with
 * nm_ctrl_opt_fail().
 */
struct nm_ctrl_opt *nm_ctrl_opt_take(struct nm_ctrl_req *r, uint32_t type);
/* Record a per-option failure (err: negative errno); returns err. */
int nm_ctrl_opt_fail(struct nm_ctrl_opt *o, int err);

/* 0, or -EOPNOTSUPP if some option was left untaken (unknown type, or a
 * type this request does not use). */
int nm_ctrl_options_check(const struct nm_ctrl_req *r);

/*
 * [control path] Write back: every option's status; on err == 0 also the
 * header (original pointers, terminated name), the body and the bodies of
 * the options with status 0.  Returns err, or -EFAULT if err was 0 and a
 * copy-out failed.
 */
int nm_ctrl_finish(struct nm_ctrl_req *r, int err);

/* Vectors for the pure request rules (body and option sizes, kloop
 * configuration, name routing), added to r; nm_ctrl_selftest.c. */
void nm_ctrl_selftest(struct nm_selftest_result *r);

#endif /* NM_CTRL_H */
