/*
 * fuzz_util.h - what every fuzz target shares: the oracle check that stops
 * the run with the failed condition's text and line, and the input cursor
 * (all of a target's randomness comes from the bytes it reads here).
 * Included by fuzz/fuzz_*.c only; no core headers.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An oracle: abort (a crash libFuzzer keeps) when cond does not hold. */
#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s: oracle '%s' failed at line %d\n", \
				__FILE__, #cond, __LINE__);                  \
			abort();                                             \
		}                                                            \
	} while (0)

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

/* Copy the next n bytes into out; false (and nothing read) if fewer remain. */
static inline bool fuzz_take(struct fuzz_input *in, void *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

/* The next byte, or 0 once the input is used up. */
static inline uint8_t in_u8(struct fuzz_input *in)
{
	uint8_t v;

	if (in->left == 0)
		return 0;
	v = *in->p++;
	in->left--;
	return v;
}

/* Little-endian 16 and 32 bits, 0-padded past the end. */
static inline uint16_t in_u16(struct fuzz_input *in)
{
	uint16_t lo = in_u8(in);

	return (uint16_t)(lo | (uint16_t)in_u8(in) << 8);
}

static inline uint32_t in_u32(struct fuzz_input *in)
{
	uint32_t lo = in_u16(in);

	return lo | (uint32_t)in_u16(in) << 16;
}

#endif /* FUZZ_UTIL_H */
