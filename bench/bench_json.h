/*
 * bench_json.h - every benchmark's JSON goes through jansson, so a file is
 * valid JSON whatever its figures: a value that is not finite (a ratio to
 * a zero baseline, a figure this machine cannot measure) is null, never
 * the nan or inf that printf would write.  Writes are checked.
 */
#ifndef BENCH_JSON_H
#define BENCH_JSON_H

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include "bench_stats.h"

/* A number, or null when x is NaN or infinite. */
static inline json_t *bench_num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* {"median", "min", "max"} of s, each divided by scale. */
static inline json_t *bench_stat(struct stat3 s, double scale)
{
	json_t *o = json_object();

	json_object_set_new(o, "median", bench_num(s.median / scale));
	json_object_set_new(o, "min", bench_num(s.min / scale));
	json_object_set_new(o, "max", bench_num(s.max / scale));
	return o;
}

/* Dump j (indented, keys in insertion order) to path, or stdout when
 * path is NULL, and free it; 0, or 1 after one line on stderr. */
static inline int bench_json_write(json_t *j, const char *path)
{
	FILE *f = path != NULL ? fopen(path, "w") : stdout;
	int bad;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
		json_decref(j);
		return 1;
	}
	bad = json_dumpf(j, f, JSON_INDENT(2) | JSON_REAL_PRECISION(9)) != 0;
	bad |= fputc('\n', f) == EOF;
	bad |= fflush(f) != 0 || ferror(f);
	if (path != NULL)
		bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "%s: cannot write: %s\n", path != NULL ? path : "standard output",
			strerror(errno));
	json_decref(j);
	return bad ? 1 : 0;
}

#endif /* BENCH_JSON_H */
