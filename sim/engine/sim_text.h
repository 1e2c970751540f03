/*
 * sim_text.h - showing a string that came from input (a scenario, a trace,
 * the command line) inside a one-line message or a report.
 *
 * Owns: the one rule for it.  Input may hold newlines, escape sequences or
 * any byte; a message built from it must stay one line, show no raw control
 * character to a terminal, and keep its own "(expected ...)" part visible
 * however long the input is.  So every byte outside printable ASCII is
 * written as \n, \t, \\ or \xHH, and at most a bounded number of input
 * bytes is shown, followed by "..." when it was clipped.
 */
#ifndef SIM_TEXT_H
#define SIM_TEXT_H

#include <stddef.h>

/* Input bytes shown by default before a value is clipped. */
#define SIM_TEXT_SHOW 64U

/*
 * Write src, escaped as above and clipped after max_shown input bytes, into
 * dst[0..dstlen) (always NUL-terminated when dstlen > 0; an escape that
 * does not fit whole is left out, and "..." marks the clip).  Returns dst,
 * so it can stand as a printf argument.
 */
const char *sim_text_show(char *dst, size_t dstlen, const char *src,
			  size_t max_shown);

#endif /* SIM_TEXT_H */
