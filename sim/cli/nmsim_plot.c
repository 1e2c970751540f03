/*
 * nmsim_plot.c - gnuplot driven through files in a private directory
 * (nmsim_plot.h).
 *
 * Why files and fork/exec rather than popen: popen runs a shell, and a
 * script fed through a pipe mixes gnuplot's errors with nmsim's own.
 * Here gnuplot's chatter goes to a log in the directory, and when it fails
 * its last line becomes part of nmsim's one-line message.  The user's
 * path never appears in the script (gnuplot writes 'chart' in its working
 * directory), so no path can break out of a string, however odd.
 */
#define _GNU_SOURCE /* asprintf */
#include "nmsim_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nmsim_out.h"

/* Input bytes shown in a gnuplot string: room for a title, not a page. */
#define NMSIM_PLOT_SHOW 160U

/* The files in the private directory; gnuplot runs there. */
enum { NMSIM_PF_DATA, NMSIM_PF_SCRIPT, NMSIM_PF_CHART, NMSIM_PF_LOG, NMSIM_PF_N };
static const char *const nmsim_plot_files[NMSIM_PF_N] = {
	"data", "plot.gp", "chart", "gnuplot.log"
};

/* Terminal per extension; pngcairo draws better, png is the fallback. */
static const struct {
	const char *ext, *terminal;
} nmsim_plot_terms[] = {
	{ ".png", "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
		  "{ set terminal pngcairo size 900,540 } "
		  "else { set terminal png size 900,540 }" },
	{ ".svg", "set terminal svg size 900,540" },
	{ ".pdf", "set terminal pdfcairo size 9in,5.4in" },
};

struct nmsim_plot {
	const char *path; /* the user's, from argv */
	int out_fd;
	bool created, drawn; /* we made path; the chart is in it */
	char *dir;
	char *file[NMSIM_PF_N];
	FILE *data, *script;
};

static const char *nmsim_plot_terminal(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(nmsim_plot_terms) / sizeof(nmsim_plot_terms[0]); i++)
		if (strcasecmp(dot, nmsim_plot_terms[i].ext) == 0)
			return nmsim_plot_terms[i].terminal;
	return NULL;
}

bool nmsim_plot_path_ok(const char *path)
{
	return nmsim_plot_terminal(path) != NULL;
}

void nmsim_plot_str(FILE *f, const char *s)
{
	char shown[4 * NMSIM_PLOT_SHOW + 8];
	const char *c;

	sim_text_show(shown, sizeof(shown), s, NMSIM_PLOT_SHOW);
	fputc('\'', f);
	for (c = shown; *c != '\0'; c++) {
		if (*c == '\'')
			fputc('\'', f);
		fputc(*c, f);
	}
	fputc('\'', f);
}

void nmsim_plot_discard(struct nmsim_plot *p)
{
	unsigned i;

	if (p == NULL)
		return;
	if (p->data != NULL)
		fclose(p->data);
	if (p->script != NULL)
		fclose(p->script);
	for (i = 0; i < NMSIM_PF_N; i++) {
		if (p->file[i] != NULL)
			unlink(p->file[i]);
		free(p->file[i]);
	}
	if (p->dir != NULL)
		rmdir(p->dir);
	if (p->out_fd >= 0)
		close(p->out_fd);
	/* Leave no empty or half chart behind, but only remove a file this
	 * run created: never one that was there before (or /dev/null). */
	if (p->created && !p->drawn)
		unlink(p->path);
	free(p->dir);
	free(p);
}

struct nmsim_plot *nmsim_plot_open(const char *path)
{
	const char *tmp = getenv("TMPDIR");
	struct nmsim_plot *p = calloc(1, sizeof(*p));
	unsigned i;

	if (p == NULL) {
		nmsim_out_fail(path, ENOMEM);
		return NULL;
	}
	p->path = path;
	p->out_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	p->created = p->out_fd >= 0;
	if (p->out_fd < 0 && errno == EEXIST)
		p->out_fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (p->out_fd < 0) {
		nmsim_out_fail(path, errno);
		goto err;
	}
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if (asprintf(&p->dir, "%s/nmsim-plot-XXXXXX", tmp) < 0) {
		p->dir = NULL;
		nmsim_out_fail(path, ENOMEM);
		goto err;
	}
	if (mkdtemp(p->dir) == NULL) {
		nmsim_out_fail(p->dir, errno);
		free(p->dir);
		p->dir = NULL;
		goto err;
	}
	for (i = 0; i < NMSIM_PF_N; i++)
		if (asprintf(&p->file[i], "%s/%s", p->dir, nmsim_plot_files[i]) < 0) {
			p->file[i] = NULL;
			nmsim_out_fail(path, ENOMEM);
			goto err;
		}
	p->data = nmsim_out_open(p->file[NMSIM_PF_DATA]);
	p->script = p->data != NULL ? nmsim_out_open(p->file[NMSIM_PF_SCRIPT]) : NULL;
	if (p->script == NULL)
		goto err;
	/* noenhanced: an '_' or '^' from input is itself, not a subscript. */
	fprintf(p->script, "%s\nset termoption noenhanced\nset output '%s'\n",
		nmsim_plot_terminal(path), nmsim_plot_files[NMSIM_PF_CHART]);
	return p;
err:
	nmsim_plot_discard(p);
	return NULL;
}

FILE *nmsim_plot_data(struct nmsim_plot *p)
{
	return p->data;
}

FILE *nmsim_plot_script(struct nmsim_plot *p)
{
	return p->script;
}

/* The last non-empty line gnuplot wrote, shown safely, for a message. */
static const char *nmsim_plot_last_words(const struct nmsim_plot *p, char *dst,
					 size_t dstlen)
{
	char buf[4096], *line, *end;
	FILE *f = fopen(p->file[NMSIM_PF_LOG], "r");
	size_t n = 0;
	long size;

	snprintf(dst, dstlen, "no message");
	if (f == NULL)
		return dst;
	/* The end of the log is where the error is. */
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > (long)sizeof(buf) - 1)
		fseek(f, size - (long)sizeof(buf) + 1, SEEK_SET);
	else
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	end = buf + n;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	line = strrchr(buf, '\n');
	line = line != NULL ? line + 1 : buf;
	if (*line != '\0')
		sim_text_show(dst, dstlen, line, SIM_TEXT_SHOW);
	return dst;
}

/* Run gnuplot on the script in the directory; 0 or one line and
 * NMSIM_EXIT_OUTPUT. */
static int nmsim_plot_gnuplot(struct nmsim_plot *p)
{
	char *const argv[] = { (char *)"gnuplot", (char *)nmsim_plot_files[NMSIM_PF_SCRIPT], NULL };
	char shown[NMSIM_SHOWN], why[NMSIM_SHOWN];
	int status, fd;
	pid_t pid;

	fflush(NULL); /* no buffered output duplicated into the child */
	pid = fork();
	if (pid < 0)
		return nmsim_out_fail(p->path, errno);
	if (pid == 0) {
		fd = chdir(p->dir) == 0
			     ? open(nmsim_plot_files[NMSIM_PF_LOG], O_WRONLY | O_CREAT | O_TRUNC, 0600)
			     : -1;
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execvp(argv[0], argv);
		dprintf(2, "cannot run gnuplot: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return nmsim_out_fail(p->path, errno);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "nmsim: %s: gnuplot failed (%s %d): %s\n",
		sim_text_show(shown, sizeof(shown), p->path, SIM_TEXT_SHOW),
		WIFEXITED(status) ? "exit status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		nmsim_plot_last_words(p, why, sizeof(why)));
	return NMSIM_EXIT_OUTPUT;
}

/* Copy the chart into the user's file, every write checked. */
static int nmsim_plot_copy(struct nmsim_plot *p)
{
	char buf[65536];
	int in = open(p->file[NMSIM_PF_CHART], O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n, w, off;
	size_t total = 0;

	if (in < 0)
		return nmsim_out_fail(p->path, errno);
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				rc = nmsim_out_fail(p->path, errno);
			continue;
		}
		for (off = 0; rc == 0 && off < n; off += w > 0 ? w : 0) {
			w = write(p->out_fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				rc = nmsim_out_fail(p->path, errno);
		}
		total += (size_t)n;
	}
	close(in);
	if (rc == 0 && total == 0)
		rc = nmsim_out_fail(p->path, ENODATA);
	if (close(p->out_fd) != 0 && rc == 0)
		rc = nmsim_out_fail(p->path, errno);
	p->out_fd = -1;
	p->drawn = rc == 0;
	return rc;
}

int nmsim_plot_close(struct nmsim_plot *p)
{
	FILE *data = p->data, *script = p->script;
	int rc;

	p->data = p->script = NULL;
	rc = nmsim_out_close(data, p->file[NMSIM_PF_DATA]);
	if (nmsim_out_close(script, p->file[NMSIM_PF_SCRIPT]) != 0)
		rc = NMSIM_EXIT_OUTPUT;
	if (rc == 0)
		rc = nmsim_plot_gnuplot(p);
	if (rc == 0)
		rc = nmsim_plot_copy(p);
	nmsim_plot_discard(p);
	return rc;
}
