/*
 * sim_report_locks.c - lock contention per class and lease overlap per
 * VALE RX ring, in the text and JSON reports (see sim_report_locks.h).
 *
 * Classes are listed by name (unnamed ones as "class<N>", N their number
 * in order of first initialisation), so the order does not depend on
 * which scenario a process ran first.  Rings are listed in switch and
 * port order, only those on which a lease was taken.
 */
#include "sim_report_locks.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_switch.h"
#include "sim_text.h"

struct lock_row {
	char name[32];
	const struct nm_sim_lock_class *c;
};

static int lock_row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lock_row *)a)->name,
		      ((const struct lock_row *)b)->name);
}

/* The classes that were acquired in this run, sorted by name. */
static uint32_t lock_rows(struct lock_row *rows)
{
	uint32_t i, n = 0;

	for (i = 0; i < nm_sim_lock_nclasses; i++) {
		const struct nm_sim_lock_class *c = &nm_sim_lock_classes[i];

		if (c->acquired == 0)
			continue;
		if (c->name != NULL)
			snprintf(rows[n].name, sizeof(rows[n].name), "%s", c->name);
		else
			snprintf(rows[n].name, sizeof(rows[n].name), "class%u", i);
		rows[n].c = c;
		n++;
	}
	qsort(rows, n, sizeof(*rows), lock_row_cmp);
	return n;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole != 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

void sim_report_locks_text(FILE *f, const struct sim_world *w)
{
	struct lock_row rows[NM_SIM_LOCK_CLASSES];
	char name[SIM_TEXT_SHOW * 4 + 4];
	uint32_t i, j, n = lock_rows(rows);
	bool head = false;

	if (n != 0)
		fprintf(f, "  locks      per class: acquisitions, contended, virtual time waiting\n");
	for (i = 0; i < n; i++)
		fprintf(f, "    %-14s acquired %10" PRIu64 " contended %8" PRIu64
			" (%.2f%%) waited %10" PRIu64 " ns (max %" PRIu64 " ns)\n",
			rows[i].name, rows[i].c->acquired, rows[i].c->contended,
			pct(rows[i].c->contended, rows[i].c->acquired),
			rows[i].c->wait_ns, rows[i].c->wait_max_ns);
	for (i = 0; i < w->sc.nswitches; i++) {
		const struct sim_switch *sw = w->sw[i];

		for (j = 0; j < sw->nports; j++) {
			const struct sim_lease_watch *lw = sw->port[j].lease;

			if (lw == NULL || lw->leases == 0)
				continue;
			if (!head)
				fprintf(f, "  rx rings   VALE destination rings: lock, senders' leases, overlap (two senders or more leasing at once)\n");
			head = true;
			fprintf(f, "    %-22s lock acquired %" PRIu64 " contended %" PRIu64
				" waited %" PRIu64 " ns; leases %" PRIu64 " (%" PRIu64
				" while another sender held one); overlap %" PRIu64
				" times, %" PRIu64 " ns (%.2f%% of the run), at most %u senders%s\n",
				sim_text_show(name, sizeof(name), sw->port[j].p->name, sizeof(name)),
				lw->lw.acquired, lw->lw.contended, lw->lw.wait_ns,
				lw->leases, lw->leases_shared, lw->overlaps,
				sim_lease_overlap_ns(lw, w->end_ns),
				pct(sim_lease_overlap_ns(lw, w->end_ns), w->end_ns),
				lw->max_holders,
				lw->untracked != 0 ? " (some leases untracked: no memory)" : "");
		}
	}
}

void sim_report_locks_json(json_t *o, const struct sim_world *w)
{
	struct lock_row rows[NM_SIM_LOCK_CLASSES];
	json_t *locks = json_array(), *rings = json_array();
	uint32_t i, j, n = lock_rows(rows);

	for (i = 0; i < n; i++)
		json_array_append_new(locks, json_pack("{s:s,s:I,s:I,s:I,s:I}",
			"class", rows[i].name,
			"acquired", (json_int_t)rows[i].c->acquired,
			"contended", (json_int_t)rows[i].c->contended,
			"wait_ns", (json_int_t)rows[i].c->wait_ns,
			"wait_max_ns", (json_int_t)rows[i].c->wait_max_ns));
	json_object_set_new(o, "locks", locks);
	for (i = 0; i < w->sc.nswitches; i++) {
		const struct sim_switch *sw = w->sw[i];

		for (j = 0; j < sw->nports; j++) {
			const struct sim_lease_watch *lw = sw->port[j].lease;
			json_t *r;

			if (lw == NULL || lw->leases == 0)
				continue;
			r = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
				"switch", sw->name, "port", sw->port[j].p->name,
				"lock_acquired", (json_int_t)lw->lw.acquired,
				"lock_contended", (json_int_t)lw->lw.contended,
				"lock_wait_ns", (json_int_t)lw->lw.wait_ns,
				"leases", (json_int_t)lw->leases,
				"leases_shared", (json_int_t)lw->leases_shared,
				"overlaps", (json_int_t)lw->overlaps,
				"overlap_ns", (json_int_t)sim_lease_overlap_ns(lw, w->end_ns),
				"max_holders", (json_int_t)lw->max_holders,
				"untracked", (json_int_t)lw->untracked);
			/* json_pack refuses invalid UTF-8 in a name: then the
			 * row is left out rather than the whole report. */
			if (r != NULL)
				json_array_append_new(rings, r);
		}
	}
	json_object_set_new(o, "rx_rings", rings);
}
