/*
 * nmsim_out.c - checked outputs for nmsim (nmsim_out.h).
 *
 * stdio keeps a write error in the stream and may only meet it at the
 * flush, so each stream is judged by fflush, ferror and fclose together;
 * the errno of the first of those to fail is the reason shown.
 */
#include "nmsim_out.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <string.h>

/* The errno of the first write to standard output seen failing, kept for
 * nmsim_out_stdout(): by the time stdout is flushed at exit, stdio holds
 * only its error flag. */
static int nmsim_out_stdout_err;

int nmsim_out_fail(const char *name, int err)
{
	char shown[NMSIM_SHOWN];

	fprintf(stderr, "nmsim: %s: cannot write: %s\n",
		sim_text_show(shown, sizeof(shown), name, SIM_TEXT_SHOW),
		strerror(err != 0 ? err : EIO));
	return NMSIM_EXIT_OUTPUT;
}

static bool nmsim_out_is_stdout(const char *path)
{
	return strcmp(path, "-") == 0;
}

FILE *nmsim_out_open(const char *path)
{
	FILE *f;

	if (nmsim_out_is_stdout(path))
		return stdout;
	f = fopen(path, "w");
	if (f == NULL)
		nmsim_out_fail(path, errno);
	return f;
}

/* 0, or the errno of the first of fflush, ferror, fclose to fail. */
static int nmsim_out_finish(FILE *f)
{
	bool pending = __fpending(f) != 0;
	int err = 0;

	errno = 0;
	if (fflush(f) != 0)
		err = errno != 0 ? errno : EIO;
	else if (ferror(f))
		err = EIO;
	/* A closed stdout (">&-") that was never written to is no failure:
	 * EBADF with nothing pending and no earlier error (gnulib's rule). */
	if (fclose(f) != 0 && err == 0 && (pending || errno != EBADF))
		err = errno != 0 ? errno : EIO;
	return err;
}

int nmsim_out_close(FILE *f, const char *path)
{
	int err;

	if (f == stdout)
		return 0;
	err = nmsim_out_finish(f);
	return err != 0 ? nmsim_out_fail(path, err) : 0;
}

int nmsim_out_json(FILE *f, const char *path, json_t *j)
{
	int err = 0;

	errno = 0;
	if (json_dumpf(j, f, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 ||
	    fputc('\n', f) == EOF)
		err = errno != 0 ? errno : EIO;
	if (f == stdout) {
		if (nmsim_out_stdout_err == 0)
			nmsim_out_stdout_err = err;
		return 0; /* reported once, by nmsim_out_stdout() */
	}
	if (err != 0) {
		fclose(f);
		return nmsim_out_fail(path, err);
	}
	return nmsim_out_close(f, path);
}

int nmsim_out_stdout(void)
{
	int err = nmsim_out_finish(stdout);

	if (err != 0 && nmsim_out_stdout_err != 0)
		err = nmsim_out_stdout_err;
	return err != 0 ? nmsim_out_fail("standard output", err) : 0;
}
