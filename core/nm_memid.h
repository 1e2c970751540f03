/*
 * nm_memid.h - the ids of the memory regions in use (nmreq_register's
 * nr_mem_id) and the rules by which a request may name one.
 *
 * Owns: the id of each region some holder uses (one id per region, shared
 * by every port living in it: the two ends of a pipe), the holder count
 * that keeps it (freed with the last holder), fresh ids for regions that
 * live for one request only, and the verdict on a REGISTER that names a
 * region: nm_memid_register_check().
 *
 * Ids are 2..65535 (0 means "none", 1 is the reference's global allocator,
 * which does not exist here), never two live regions with one id; a freed
 * id is not reused before the counter wraps.
 *
 * Locking: none inside; the caller serialises every call (the kernel
 * module under nmlab_lock).  Entries are allocated with nm_os_zalloc().
 */
#ifndef NM_MEMID_H
#define NM_MEMID_H

#include "nm_util.h"

#define NM_MEMID_FIRST 2U /* 1 is the reference's global allocator */
/* Live ids at most: more regions than ports can exist (8 switches of 254,
 * pipes, interfaces), and it bounds the search for a fresh id (each
 * candidate is checked against the list) to a few million steps. */
#define NM_MEMID_MAX_LIVE 4096U

struct nm_region;

struct nm_memid {
	struct nm_memid *next;
	const struct nm_region *region;
	uint32_t holders; /* nm_memid_get() not yet put */
	uint16_t id;
};

struct nm_memid_table {
	struct nm_memid *head;
	uint32_t live;	  /* entries in the list */
	uint16_t next_id; /* next candidate, >= NM_MEMID_FIRST */
};

/* [control path] An empty table. */
void nm_memid_table_init(struct nm_memid_table *t);
/* [control path] Every entry must have been put (asserted). */
void nm_memid_table_fini(struct nm_memid_table *t);

/*
 * [control path][may sleep] Take a hold on the id of region r, giving it a
 * fresh id if nobody holds one.  0, or -ENOMEM (no memory, or
 * NM_MEMID_MAX_LIVE ids in use).
 */
int nm_memid_get(struct nm_memid_table *t, const struct nm_region *r,
		 struct nm_memid **out);
/* [control path] Drop a hold; the id is free again with the last one. */
void nm_memid_put(struct nm_memid_table *t, struct nm_memid *m);
/* [control path] The entry of id, or NULL if no region has it. */
struct nm_memid *nm_memid_find(const struct nm_memid_table *t, uint16_t id);
/* [control path] The entry of region r, or NULL if nobody holds it. */
struct nm_memid *nm_memid_of(const struct nm_memid_table *t,
			     const struct nm_region *r);
/* [control path] An id no live region has, for a region that lives for
 * one request (POOLS_INFO_GET of an unbound port); 0 if NM_MEMID_MAX_LIVE
 * are live. */
uint16_t nm_memid_fresh(struct nm_memid_table *t);

/*
 * [control path] May a REGISTER with mode and nr_mem_id req_id go on?
 * Judged in two steps, as the reference (which looks the id up before it
 * opens the port):
 *  - before the open (port_region NULL): an id no region has is -EINVAL;
 *    NR_REG_NULL without an id is -EINVAL (a null port only maps an
 *    existing region);
 *  - after the open: the port lives in port_region; port_new says that no
 *    file is bound to it yet.  A port already bound keeps its region
 *    whatever the id (as the reference, which then reports the port's
 *    own id); a new port must live in the named region, else -ENOMEM
 *    (regions are sized for their own ports at creation, like the
 *    reference's private allocators, which have no room for the rings
 *    and buffers of another port).
 * 0 when it may.
 */
int nm_memid_register_check(const struct nm_memid_table *t, uint32_t mode,
			    uint16_t req_id, const struct nm_region *port_region,
			    bool port_new);

#endif /* NM_MEMID_H */
