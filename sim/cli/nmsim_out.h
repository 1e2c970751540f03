/*
 * nmsim_out.h - nmsim's outputs, every write checked.
 *
 * Owns: the rule that an output nmsim could not write (a full disk, a
 * file-size limit, a closed or full standard output) is one line on stderr
 * naming the file, or "standard output", and strerror, and exit status
 * NMSIM_EXIT_OUTPUT.  Files are opened before a run starts, so a long run
 * does not end by finding its output unwritable.  Standard output is
 * checked once, at exit (nmsim_out_stdout()), so a failure there is
 * reported once however many parts (report, table, JSON) went to it.
 */
#ifndef NMSIM_OUT_H
#define NMSIM_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "sim_text.h"

/* Exit status when an output could not be written. */
#define NMSIM_EXIT_OUTPUT 3

/* Room for sim_text_show(..., SIM_TEXT_SHOW): \xHH per byte, "...", NUL. */
#define NMSIM_SHOWN (4 * SIM_TEXT_SHOW + 8)

/* Print "nmsim: NAME: cannot write: strerror(err)"; NMSIM_EXIT_OUTPUT. */
int nmsim_out_fail(const char *name, int err);

/* Open path for writing ("-": stdout); NULL after nmsim_out_fail(). */
FILE *nmsim_out_open(const char *path);
/* Flush and close what nmsim_out_open() gave (stdout is left to
 * nmsim_out_stdout()); 0 or NMSIM_EXIT_OUTPUT after one line. */
int nmsim_out_close(FILE *f, const char *path);
/* Dump j (indented, sorted keys, a final newline) into f and close it. */
int nmsim_out_json(FILE *f, const char *path, json_t *j);
/* At exit: flush and close stdout; 0 or NMSIM_EXIT_OUTPUT after one line. */
int nmsim_out_stdout(void);

#endif /* NMSIM_OUT_H */
