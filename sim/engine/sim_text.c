/*
 * sim_text.c - input strings made safe for one-line messages (sim_text.h).
 */
#include "sim_text.h"

#include <stdio.h>
#include <string.h>

/* The escaped form of byte c into e[0..5); its length. */
static size_t sim_text_escape(unsigned char c, char e[5])
{
	switch (c) {
	case '\n':
		memcpy(e, "\\n", 3);
		return 2;
	case '\t':
		memcpy(e, "\\t", 3);
		return 2;
	case '\\':
		memcpy(e, "\\\\", 3);
		return 2;
	default:
		if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			e[1] = '\0';
			return 1;
		}
		snprintf(e, 5, "\\x%02x", c);
		return 4;
	}
}

const char *sim_text_show(char *dst, size_t dstlen, const char *src,
			  size_t max_shown)
{
	size_t o = 0, i, n;
	char e[5];

	if (dstlen == 0)
		return dst;
	for (i = 0; src[i] != '\0'; i++) {
		n = sim_text_escape((unsigned char)src[i], e);
		/* Keep room for "..." and the NUL in case more follows. */
		if (i == max_shown || o + n + 4 > dstlen) {
			if (o + 4 <= dstlen) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}
