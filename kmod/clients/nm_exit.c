/*
 * nm_exit.c - guest helper: end the QEMU run with a status.
 *
 * Owns: the guest's side of -device isa-debug-exit,iobase=0xf4,iosize=0x04.
 * Writing v to port 0xf4 makes QEMU exit with status (v << 1) | 1, which the
 * harness (scripts/kmod-test) reads as the guest's verdict.  Static, no
 * netmap: it runs even when the module failed to load.
 *
 *   nm-exit <value>     (0..127)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <unistd.h>

#define NM_DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	long v = argc > 1 ? strtol(argv[1], NULL, 0) : 1;

	if (v < 0 || v > 127)
		v = 1;
	sync();
	if (ioperm(NM_DEBUG_EXIT_PORT, 4, 1) != 0) {
		perror("nm-exit: ioperm");
		return 1;
	}
	outl((unsigned int)v, NM_DEBUG_EXIT_PORT);
	/* Not reached when the device is present. */
	fprintf(stderr, "nm-exit: isa-debug-exit did not stop the machine\n");
	return 1;
}
