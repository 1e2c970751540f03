/*
 * nmsim_merge.c - a sweep's rows into its outputs: the table, the tidy
 * CSV, the JSON and the chart (nmsim_render()), and `nmsim merge DIR...`,
 * which reads the rows shards wrote and renders them the same way.
 *
 * Owns: the replication statistics.  Rows with equal params (one per
 * seed) form a point: the table shows each figure's mean and, for the
 * rate, the half-width of its 95% confidence interval, t(0.975, n-1) *
 * sd / sqrt(n) (Student t, sample sd); with one seed the interval is 0.
 */
#define _GNU_SOURCE /* asprintf */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmsim.h"
#include "nmsim_plot.h"
#include "nmsim_sweep.h"

static const char usage_merge[] =
	"usage: nmsim merge DIR... [--csv FILE] [--json FILE] [--plot FILE] [--quiet]\n"
	"  reads the run-*.json files that 'nmsim sweep --shard K/N --out DIR' wrote\n"
	"  and prints the sweep's table (and CSV, JSON, chart) as the unsharded sweep\n";

/* t(0.975, df) for df = 1..30; beyond, the normal's 1.96 is within 2%. */
static double nmsim_t975(unsigned df)
{
	static const double t[30] = {
		12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };

	return df == 0 ? 0 : df <= 30 ? t[df - 1] : 1.96;
}

static double num(json_t *row, const char *a, const char *b)
{
	json_t *v = json_object_get(row, a);

	if (b != NULL)
		v = json_object_get(v, b);
	return json_number_value(v);
}

void nmsim_csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The point's label: "a=1 b=x", or the value alone with one parameter. */
static char *nmsim_label(json_t *row)
{
	json_t *names = json_object_get(row, "param_names"), *n;
	char *s = strdup(""), *t;
	size_t i;

	json_array_foreach(names, i, n) {
		const char *v = json_string_value(json_object_get(json_object_get(row, "params"),
								  json_string_value(n)));
		if (json_array_size(names) == 1)
			t = strdup(v);
		else if (asprintf(&t, "%s%s%s=%s", s, i ? " " : "", json_string_value(n), v) < 0)
			t = NULL;
		free(s);
		s = t;
		if (s == NULL)
			return strdup("?");
	}
	return s;
}

struct nmsim_point {
	char *label;
	unsigned n;
	double mpps, mpps_sq, drops, loss, kicks, p50, p99;
	const char *inv;
};

static void nmsim_csv(FILE *f, json_t *rows)
{
	json_t *row, *names = json_object_get(json_array_get(rows, 0), "param_names"), *n;
	char fp[24];
	size_t i, k;

	fputs("run,seed", f);
	json_array_foreach(names, k, n) {
		fputc(',', f);
		nmsim_csv_field(f, json_string_value(n));
	}
	fputs(",mpps,gbps,packets_in,packets_out,drops,loss_percent,in_flight,"
	      "kicks_per_pkt,irqs_per_pkt,exits_per_pkt,spurious_per_pkt,"
	      "lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p99_9_ns,lat_max_ns,ok,fingerprint\n", f);
	json_array_foreach(rows, i, row) {
		fprintf(f, "%.0f,%.0f", num(row, "run", NULL), num(row, "seed", NULL));
		json_array_foreach(names, k, n) {
			fputc(',', f);
			nmsim_csv_field(f, json_string_value(json_object_get(
						   json_object_get(row, "params"), json_string_value(n))));
		}
		snprintf(fp, sizeof(fp), "%s", json_string_value(json_object_get(row, "fingerprint")));
		fprintf(f, ",%.6f,%.6f,%.0f,%.0f,%.0f,%.4f,%.0f,%.6f,%.6f,%.6f,%.6f,%.0f,%.0f,%.0f,%.0f,%.0f,%s,%s\n",
			num(row, "mpps", NULL), num(row, "gbps", NULL), num(row, "packets_in", NULL),
			num(row, "packets_out", NULL), num(row, "drops", "total"),
			num(row, "loss_percent", NULL), num(row, "in_flight", NULL),
			num(row, "per_packet", "kicks"), num(row, "per_packet", "interrupts"),
			num(row, "per_packet", "vm_exits"), num(row, "per_packet", "spurious_wakeups"),
			num(json_object_get(row, "latency_ns"), "p50", NULL),
			num(json_object_get(row, "latency_ns"), "p90", NULL),
			num(json_object_get(row, "latency_ns"), "p99", NULL),
			num(json_object_get(row, "latency_ns"), "p99_9", NULL),
			num(json_object_get(row, "latency_ns"), "max", NULL),
			json_is_true(json_object_get(row, "ok")) ? "true" : "false", fp);
	}
}

/* Rows into points (consecutive rows with the same label). */
static unsigned nmsim_points(json_t *rows, struct nmsim_point *pt)
{
	unsigned np = 0;
	json_t *row;
	size_t i;
	char *l;
	double m;

	json_array_foreach(rows, i, row) {
		l = nmsim_label(row);
		if (np == 0 || strcmp(pt[np - 1].label, l) != 0) {
			memset(&pt[np], 0, sizeof(pt[np]));
			pt[np].label = l;
			pt[np].inv = "ok";
			np++;
		} else {
			free(l);
		}
		m = num(row, "mpps", NULL);
		pt[np - 1].n++;
		pt[np - 1].mpps += m;
		pt[np - 1].mpps_sq += m * m;
		pt[np - 1].drops += num(row, "drops", "total");
		pt[np - 1].loss += num(row, "loss_percent", NULL);
		pt[np - 1].kicks += num(row, "per_packet", "kicks");
		pt[np - 1].p50 += num(json_object_get(row, "latency_ns"), "p50", NULL);
		pt[np - 1].p99 += num(json_object_get(row, "latency_ns"), "p99", NULL);
		if (!json_is_true(json_object_get(row, "ok")))
			pt[np - 1].inv = json_string_value(json_object_get(row, "failure"));
	}
	return np;
}

static double nmsim_ci(const struct nmsim_point *p)
{
	double mean = p->mpps / p->n, var;

	if (p->n < 2)
		return 0;
	var = (p->mpps_sq - p->n * mean * mean) / (p->n - 1);
	return nmsim_t975(p->n - 1) * sqrt(var > 0 ? var : 0) / sqrt((double)p->n);
}

static void nmsim_plot_points(struct nmsim_plot *p, const struct nmsim_point *pt, unsigned n)
{
	FILE *g = nmsim_plot_script(p), *d = nmsim_plot_data(p);
	unsigned i;

	for (i = 0; i < n; i++)
		fprintf(d, "%u %.6f %.6f %.6f\n", i, pt[i].mpps / pt[i].n, nmsim_ci(&pt[i]),
			pt[i].loss / pt[i].n);
	fputs("set title 'nmsim sweep'\nset xtics rotate by -30 (", g);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", g);
		nmsim_plot_str(g, pt[i].label);
		fprintf(g, " %u", i);
	}
	fprintf(g, ")\nset xrange [-0.5:%u.5]\n", n - 1);
	fputs("set ylabel 'Mpps (mean, 95% CI)'\nset y2label 'loss %'\n"
	      "set ytics nomirror\nset y2tics\nset grid\nset key top left\n"
	      "plot 'data' using 1:2:3 with yerrorlines title 'Mpps' axes x1y1, "
	      "'' using 1:4 with linespoints title 'loss %' axes x1y2\n", g);
}

int nmsim_render(const struct nmsim_opts *o, json_t *rows)
{
	size_t nrows = json_array_size(rows);
	struct nmsim_point *pt = calloc(nrows + 1, sizeof(*pt));
	char shown[NMSIM_SHOWN], shown2[NMSIM_SHOWN];
	struct nmsim_plot *plot = NULL;
	json_t *summary = json_array(), *top;
	FILE *jf = NULL, *cf = NULL;
	unsigned np, i;
	int rc = 0, wid = 8;

	if (pt == NULL || nrows == 0) {
		free(pt);
		json_decref(summary);
		return 0;
	}
	np = nmsim_points(rows, pt);
	if (o->json != NULL && (jf = nmsim_out_open(o->json)) == NULL)
		rc = NMSIM_EXIT_OUTPUT;
	if (rc == 0 && o->csv != NULL && (cf = nmsim_out_open(o->csv)) == NULL)
		rc = NMSIM_EXIT_OUTPUT;
	if (rc == 0 && o->plot != NULL && (plot = nmsim_plot_open(o->plot)) == NULL)
		rc = NMSIM_EXIT_OUTPUT;
	for (i = 0; i < np; i++)
		if (strlen(NMSIM_SHOW(shown, pt[i].label)) > (size_t)wid)
			wid = (int)strlen(shown);
	if (!o->quiet && rc == 0) {
		printf("%-*s %4s %10s %9s %10s %8s %10s %10s %10s  %s\n", wid, "point", "runs", "Mpps",
		       "+-95%", "drops", "loss %", "kicks/pkt", "p50 ns", "p99 ns", "invariants");
		for (i = 0; i < np; i++)
			printf("%-*s %4u %10.3f %9.3f %10.0f %8.3f %10.4f %10.0f %10.0f  %s\n",
			       wid, NMSIM_SHOW(shown, pt[i].label), pt[i].n, pt[i].mpps / pt[i].n,
			       nmsim_ci(&pt[i]), pt[i].drops / pt[i].n, pt[i].loss / pt[i].n,
			       pt[i].kicks / pt[i].n, pt[i].p50 / pt[i].n, pt[i].p99 / pt[i].n,
			       NMSIM_SHOW(shown2, pt[i].inv != NULL ? pt[i].inv : "failed"));
	}
	for (i = 0; i < np; i++)
		json_array_append_new(summary, json_pack("{s:o,s:I,s:f,s:f,s:f,s:f}",
			"point", nmsim_json_text(pt[i].label), "runs", (json_int_t)pt[i].n,
			"mpps_mean", pt[i].mpps / pt[i].n, "mpps_ci95", nmsim_ci(&pt[i]),
			"drops_mean", pt[i].drops / pt[i].n, "loss_percent_mean", pt[i].loss / pt[i].n));
	if (cf != NULL) {
		nmsim_csv(cf, rows);
		if (nmsim_out_close(cf, o->csv) != 0)
			rc = NMSIM_EXIT_OUTPUT;
	}
	if (plot != NULL) {
		nmsim_plot_points(plot, pt, np);
		if (nmsim_plot_close(plot) != 0)
			rc = NMSIM_EXIT_OUTPUT;
	}
	if (jf != NULL) {
		top = json_pack("{s:O,s:O}", "runs", rows, "summary", summary);
		if (nmsim_out_json(jf, o->json, top) != 0)
			rc = NMSIM_EXIT_OUTPUT;
		json_decref(top);
	}
	for (i = 0; i < np; i++)
		free(pt[i].label);
	free(pt);
	json_decref(summary);
	return rc;
}

static int cmp_run(const void *a, const void *b)
{
	double x = num(*(json_t *const *)a, "run", NULL), y = num(*(json_t *const *)b, "run", NULL);

	return x < y ? -1 : x > y;
}

int nmsim_rows_read(const char *const *dirs, unsigned n, json_t *rows)
{
	char shown[NMSIM_SHOWN], *path;
	json_t **all = NULL, **grown, *j;
	size_t cnt = 0, cap = 0, i;
	json_error_t jerr;
	struct dirent *de;
	unsigned k;
	DIR *d;

	for (k = 0; k < n; k++) {
		if ((d = opendir(dirs[k])) == NULL) {
			fprintf(stderr, "nmsim: merge '%s': %s\n", NMSIM_SHOW(shown, dirs[k]),
				strerror(errno));
			goto bad;
		}
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "run-", 4) != 0 || strstr(de->d_name, ".json") == NULL)
				continue;
			if (asprintf(&path, "%s/%s", dirs[k], de->d_name) < 0)
				break;
			j = json_load_file(path, 0, &jerr);
			if (j == NULL || !json_is_integer(json_object_get(j, "run"))) {
				fprintf(stderr, "nmsim: merge: %s: not a sweep run (%s)\n",
					NMSIM_SHOW(shown, path), jerr.text);
				free(path);
				closedir(d);
				goto bad;
			}
			free(path);
			if (cnt == cap) {
				cap = cap ? cap * 2 : 64;
				grown = realloc(all, cap * sizeof(*all));
				if (grown == NULL)
					break;
				all = grown;
			}
			all[cnt++] = j;
		}
		closedir(d);
	}
	if (cnt == 0) {
		fprintf(stderr, "nmsim: merge: no run-*.json files (expected directories that sweep --shard --out wrote)\n");
		goto bad;
	}
	qsort(all, cnt, sizeof(*all), cmp_run);
	for (i = 0; i < cnt; i++)
		if (num(all[i], "run", NULL) != (double)i ||
		    num(all[i], "runs_total", NULL) != (double)cnt) {
			fprintf(stderr, "nmsim: merge: run %zu of %.0f is missing or twice (expected every shard's runs once)\n",
				i, num(all[0], "runs_total", NULL));
			goto bad;
		}
	for (i = 0; i < cnt; i++)
		json_array_append_new(rows, all[i]);
	free(all);
	return 0;
bad:
	for (i = 0; i < cnt; i++)
		json_decref(all[i]);
	free(all);
	return NMSIM_EXIT_BAD;
}

void nmsim_rows_remove(const char *dir)
{
	struct dirent *de;
	char *path;
	DIR *d = opendir(dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			continue;
		unlink(path);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int nmsim_merge(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "merge",
				.refuse = "trace pcap-out set seed seeds jobs shard out slurm interval strict flows" };
	json_t *rows = json_array();
	int rc;

	o.maxpos = (unsigned)argc;
	rc = nmsim_parse(argc, argv, &o, usage_merge);
	if (rc == 0 && o.npos == 0) {
		fprintf(stderr, "nmsim: merge needs DIR... (see nmsim merge --help)\n");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0)
		rc = nmsim_rows_read(o.pos, o.npos, rows);
	if (rc == 0)
		rc = nmsim_render(&o, rows);
	json_decref(rows);
	free(o.sets);
	free(o.pos);
	return rc < 0 ? 0 : rc;
}
