/*
 * nmsim_plot.h - gnuplot charts for nmsim, with no input reaching gnuplot
 * or a shell as anything but text.
 *
 * Owns: a private directory (mkdtemp) holding the data (numbers only), the
 * script and gnuplot's chart and messages; gnuplot is started with fork
 * and execvp in that directory (no shell), so the script names only fixed
 * file names there.  Every string from input placed in the script goes
 * through nmsim_plot_str(), the one quoting rule.  The chart is then
 * copied, with checked writes, to the path the user gave, which was
 * opened before the run (and removed on failure if this run created it).
 * The terminal follows the extension.
 */
#ifndef NMSIM_PLOT_H
#define NMSIM_PLOT_H

#include <stdbool.h>
#include <stdio.h>

struct nmsim_plot;

/* Is path's extension one nmsim draws (.png, .svg, .pdf)? */
bool nmsim_plot_path_ok(const char *path);

/* Create path and the private directory, and start the script with the
 * terminal and its output; NULL after one line (NMSIM_EXIT_OUTPUT). */
struct nmsim_plot *nmsim_plot_open(const char *path);
/* The data file: whitespace-separated numbers, one point per line. */
FILE *nmsim_plot_data(struct nmsim_plot *p);
/* The script, after the terminal and output lines. */
FILE *nmsim_plot_script(struct nmsim_plot *p);
/* Write s into f as a gnuplot single-quoted string literal: control and
 * non-ASCII bytes escaped and long values clipped by sim_text_show(),
 * each ' doubled.  Single quotes also stop gnuplot's `command` and
 * @macro substitution. */
void nmsim_plot_str(FILE *f, const char *s);
/* Run gnuplot, copy the chart to the path, remove the directory and free
 * p.  0, or NMSIM_EXIT_OUTPUT after one line. */
int nmsim_plot_close(struct nmsim_plot *p);
/* Free p and its directory without drawing (an earlier step failed). */
void nmsim_plot_discard(struct nmsim_plot *p);

#endif /* NMSIM_PLOT_H */
