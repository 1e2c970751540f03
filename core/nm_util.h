/*
 * nm_util.h - small freestanding helpers shared by every core file.
 *
 * Owns: compile-time asserts, the NM_ASSERT invariant check, branch hints and
 * string helpers core needs without libc.  Nothing here touches shared memory
 * or takes a lock.
 */
#ifndef NM_UTIL_H
#define NM_UTIL_H

#include "nm_os.h"

#define NM_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define NM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NM_OFFSETOF(type, field) __builtin_offsetof(type, field)

#define nm_likely(x) __builtin_expect(!!(x), 1)
#define nm_unlikely(x) __builtin_expect(!!(x), 0)

/*
 * NM_ASSERT(cond) evaluates to true when cond holds.  When it does not, the
 * backend reports it: shim and sim abort, the kernel warns once and the
 * expression evaluates to false so the caller can fail with -EINVAL:
 *	if (!NM_ASSERT(kring->hwcur < n))
 *		return -EINVAL;
 */
#define NM_ASSERT(cond)                                                      \
	(nm_likely(cond) ? true                                              \
			 : (nm_os_invariant_failed(#cond, __FILE__, __LINE__), \
			    false))

static inline uint32_t nm_min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t nm_max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Length of s, looking at no more than max bytes. */
static inline size_t nm_strnlen(const char *s, size_t max)
{
	size_t i = 0;

	while (i < max && s[i] != '\0')
		i++;
	return i;
}

/* Copy a NUL-terminated string into dst[size], truncating; always terminates. */
static inline void nm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return;
	n = nm_strnlen(src, size - 1);
	nm_os_memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif /* NM_UTIL_H */
