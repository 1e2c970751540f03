/*
 * xp_mutants.h - the names of the core's test-only CSB mutant switches
 * (csb_mutants, NM_CSB_MUTANTS in core/csb.h), for the explorer's and the
 * bug zoo's command lines.  One table, so a name means one bit everywhere.
 */
#ifndef XP_MUTANTS_H
#define XP_MUTANTS_H

/* "a+b+c": the union of the named mutants ("none" is 0).  0, or -1 on an
 * unknown name. */
int xp_mutants_parse(const char *spec, unsigned *bits);
/* Every name, separated by spaces (for usage messages). */
const char *xp_mutants_names(void);

#endif /* XP_MUTANTS_H */
