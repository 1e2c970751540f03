/*
 * sim_rng.h - seeded pseudo-random streams for the simulator.
 *
 * Owns: one xoshiro256** generator per named stream, its state derived from
 * (run seed, stream name) through splitmix64, like ns-3's SetSeed/SetRun:
 * adding a stream, or drawing more numbers from one, never shifts another
 * stream's sequence.  Never seeded from the clock; rand() is not used.
 *
 * Locking: none (single-threaded simulator).
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

/* splitmix64 step: advances *x and returns a well-mixed value. */
uint64_t sim_splitmix64(uint64_t *x);
/* FNV-1a 64-bit hash of a NUL-terminated name. */
uint64_t sim_hash_str(const char *s);

/* Seed the stream named `stream` of run `seed`. */
void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *stream);
/* Next 64 random bits. */
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, bound) without modulo bias; bound > 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t bound);

#endif /* SIM_RNG_H */
