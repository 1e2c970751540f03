/*
 * nmc_os.c - the out-of-line nm_os entries the core's guest side needs in a
 * guest client: core/csb_guest.c and core/csb.c, linked into the static
 * clients, are compiled against the shim's header (its inline fences and
 * shared accesses, ck_pr), and use only two entries that shim/nm_os_posix.c
 * defines out of line: logging and the invariant report.  Linking that file
 * instead would bring liburcu and pthread state into every client for
 * nothing; any other entry a client starts to need fails its link, which
 * is the seam's rule (no silent stubs).
 */
#include "nm_os.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Rate limit by count (10 lines per call site): a client runs for seconds. */
#define NMC_LOG_BURST 10U

void nm_shim_log(struct nm_shim_ratelimit *rl, enum nm_shim_log_level level,
		 const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	va_list ap;

	if (rl != NULL && rl->printed++ >= NMC_LOG_BURST)
		return;
	fprintf(stderr, "nmlab %s: ", names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void nm_os_invariant_failed(const char *expr, const char *file, int line)
{
	fprintf(stderr, "nmlab: invariant '%s' failed at %s:%d\n", expr, file,
		line);
	abort();
}
