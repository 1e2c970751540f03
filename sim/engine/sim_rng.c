/*
 * sim_rng.c - xoshiro256** streams seeded through splitmix64.
 *
 * The stream state is splitmix64 applied to seed ^ hash(stream name), four
 * times; splitmix64 never yields an all-zero xoshiro state from distinct
 * outputs in practice, and we re-draw if it ever does.
 */
#include "sim_rng.h"

uint64_t sim_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t sim_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0') {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *stream)
{
	uint64_t x = seed ^ sim_hash_str(stream);
	int i;

	do {
		for (i = 0; i < 4; i++)
			r->s[i] = sim_splitmix64(&x);
	} while ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0);
}

static inline uint64_t sim_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = sim_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl(s[3], 45);
	return result;
}

uint64_t sim_rng_below(struct sim_rng *r, uint64_t bound)
{
	/* Reject the top partial range so every value is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t v;

	do {
		v = sim_rng_next(r);
	} while (v >= limit);
	return v % bound;
}
