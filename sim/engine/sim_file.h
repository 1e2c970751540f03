/*
 * sim_file.h - opening a file the user named as input (a scenario, a trace).
 *
 * Owns: the one rule for it.  Opening must never block and what is read
 * must be what was checked: a FIFO with no writer blocks open() and read()
 * forever, a directory or device reads as an obscure error or endless
 * data.  So the file is opened with O_NONBLOCK, the same descriptor is
 * fstat()ed, and anything but a regular file is refused before a byte is
 * read; the caller then reads through that descriptor only (no second open
 * by name that could find another file).
 */
#ifndef SIM_FILE_H
#define SIM_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Input bytes of a file name shown in a message (sim_text_show()). */
#define SIM_FILE_SHOW 160U

/*
 * Open path for reading.  0 and *fp; -EINVAL when path is not a regular
 * file, with err "NAME: not a regular file (a FIFO; expected a WHAT file)",
 * NAME being path as sim_text_show() shows it; or another -errno from
 * open() or fstat() (never EINVAL for these flags), err untouched so the
 * caller words it.
 */
int sim_file_open(const char *path, const char *what, FILE **fp, char *err,
		  size_t errlen);

#endif /* SIM_FILE_H */
