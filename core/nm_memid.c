/*
 * nm_memid.c - ids of the memory regions in use (see nm_memid.h).
 *
 * A short list: one entry per region with holders (a region per port or
 * pipe that some file is bound to), searched linearly on the control path
 * only.  Fresh ids come from a wrapping counter that skips live ids, so a
 * stale id a program still holds names nothing (EINVAL) for as long as
 * possible rather than another port's region.
 */
#include "nm_memid.h"
#include "nm_abi.h"

void nm_memid_table_init(struct nm_memid_table *t)
{
	t->head = NULL;
	t->live = 0;
	t->next_id = NM_MEMID_FIRST;
}

void nm_memid_table_fini(struct nm_memid_table *t)
{
	NM_ASSERT(t->head == NULL);
}

struct nm_memid *nm_memid_find(const struct nm_memid_table *t, uint16_t id)
{
	struct nm_memid *m;

	for (m = t->head; m != NULL; m = m->next)
		if (m->id == id)
			return m;
	return NULL;
}

struct nm_memid *nm_memid_of(const struct nm_memid_table *t,
			     const struct nm_region *r)
{
	struct nm_memid *m;

	for (m = t->head; m != NULL; m = m->next)
		if (m->region == r)
			return m;
	return NULL;
}

uint16_t nm_memid_fresh(struct nm_memid_table *t)
{
	uint32_t tries;
	uint16_t id;

	if (t->live >= NM_MEMID_MAX_LIVE)
		return 0;
	/* With fewer than NM_MEMID_MAX_LIVE ids live, one of the next
	 * live + 1 candidates is free. */
	for (tries = 0; tries <= t->live; tries++) {
		id = t->next_id;
		t->next_id = id == 65535U ? NM_MEMID_FIRST : (uint16_t)(id + 1);
		if (nm_memid_find(t, id) == NULL)
			return id;
	}
	return 0;
}

int nm_memid_get(struct nm_memid_table *t, const struct nm_region *r,
		 struct nm_memid **out)
{
	struct nm_memid *m = nm_memid_of(t, r);
	uint16_t id;

	if (m != NULL) {
		m->holders++;
		*out = m;
		return 0;
	}
	id = nm_memid_fresh(t);
	if (id == 0)
		return -ENOMEM;
	m = nm_os_zalloc(sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	m->region = r;
	m->id = id;
	m->holders = 1;
	m->next = t->head;
	t->head = m;
	t->live++;
	*out = m;
	return 0;
}

void nm_memid_put(struct nm_memid_table *t, struct nm_memid *m)
{
	struct nm_memid **pp;

	if (!NM_ASSERT(m->holders > 0))
		return;
	if (--m->holders > 0)
		return;
	for (pp = &t->head; *pp != NULL && *pp != m; pp = &(*pp)->next)
		;
	if (!NM_ASSERT(*pp == m)) /* an entry of another table */
		return;
	*pp = m->next;
	t->live--;
	nm_os_free(m);
}

int nm_memid_register_check(const struct nm_memid_table *t, uint32_t mode,
			    uint16_t req_id, const struct nm_region *port_region,
			    bool port_new)
{
	const struct nm_memid *m;

	if (req_id == 0)
		return mode == NR_REG_NULL ? -EINVAL : 0;
	m = nm_memid_find(t, req_id);
	if (m == NULL)
		return -EINVAL; /* the reference: "failed to find mem_id" */
	if (port_region == NULL || mode == NR_REG_NULL)
		return 0;
	if (m->region == port_region || !port_new)
		return 0;
	return -ENOMEM;
}
