/*
 * bench_stats.h - the statistic every nmlab benchmark reports: the median
 * of its runs (>= 5) with the min and max, so a figure carries its spread.
 * Shared by the bench_*.c programs; userspace only.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdlib.h>

struct stat3 {
	double median, min, max;
};

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v[0..n) in place; n >= 1 (the upper median for even n). */
static inline struct stat3 summarize(double *v, int n)
{
	struct stat3 s;

	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	s.median = v[n / 2];
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

#endif /* BENCH_STATS_H */
