/*
 * sim_file.c - input files opened without blocking, regular files only
 * (sim_file.h).
 */
#include "sim_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_text.h"

static const char *sim_file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

int sim_file_open(const char *path, const char *what, FILE **fp, char *err,
		  size_t errlen)
{
	char shown[4 * SIM_FILE_SHOW + 4];
	struct stat st;
	int fd, e;

	*fp = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file (%s; expected a %s file)",
			 sim_text_show(shown, sizeof(shown), path, SIM_FILE_SHOW),
			 sim_file_kind(st.st_mode), what);
		return -EINVAL;
	}
	/* A regular file never blocks; clear the flag so stdio sees a plain
	 * descriptor. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    (*fp = fdopen(fd, "rb")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return -e;
	}
	return 0;
}
