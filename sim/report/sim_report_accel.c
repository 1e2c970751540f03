/*
 * sim_report_accel.c - the accelerator plugin's figures in the text and
 * JSON reports (see the header).  A switch-over that was requested but not
 * begun or not finished when the run ended says so: its times are absent
 * from the JSON and "not begun" / "not drained" in the text.
 */
#include "sim_report_accel.h"

#include <inttypes.h>

#include "sim_dev_xen_accel.h"

static const char *const sim_rep_path_name[2] = { "slow", "fast" };

static double sim_rep_mpps(uint64_t pkts, uint64_t sim_ns)
{
	return sim_ns != 0 ? (double)pkts * 1e3 / (double)sim_ns : 0.0;
}

static void sim_rep_switch_text(FILE *f, const char *what,
				const struct sim_xen_switchover *so)
{
	if (!so->requested)
		return;
	fprintf(f, "    %-10s   %s requested at %" PRIu64 " ns: ", "", what, so->req_ns);
	if (!so->started) {
		fprintf(f, "not begun by the end of the run\n");
		return;
	}
	fprintf(f, "begun +%" PRIu64 " ns with %" PRIu64 " slots of the moving flows out, ",
		so->start_ns - so->req_ns, so->pending);
	if (!so->done)
		fprintf(f, "not drained by the end of the run, ");
	else
		fprintf(f, "drained in %" PRIu64 " ns (switched %" PRIu64 " ns after the request), ",
			so->done_ns - so->start_ns, so->done_ns - so->req_ns);
	fprintf(f, "%" PRIu64 " frames held\n", so->held);
}

void sim_report_accel_text(FILE *f, const struct sim_ep *ep, uint64_t sim_ns)
{
	struct sim_xen_accel_report r;
	uint32_t p;

	if (!sim_xen_accel_report(ep, &r))
		return;
	fprintf(f, "    %-10s   accel %s, switch %s:", "", r.flows, r.mode);
	for (p = 0; p < 2; p++)
		fprintf(f, "%s %s path %" PRIu64 " pkts (%.3f Mpps)", p == 0 ? "" : ",",
			sim_rep_path_name[p], r.pkts[p], sim_rep_mpps(r.pkts[p], sim_ns));
	fprintf(f, "; at most %" PRIu64 " held at once; plugin %s at the end\n",
		r.held_max, r.present ? "present" : "absent");
	sim_rep_switch_text(f, "withdraw", &r.withdraw);
	sim_rep_switch_text(f, "restore", &r.restore);
}

static json_t *sim_rep_switch_json(const struct sim_xen_switchover *so)
{
	json_t *o = json_pack("{s:b,s:b,s:b,s:I,s:I}", "requested", so->requested,
			      "begun", so->started, "done", so->done,
			      "pending_slots", (json_int_t)so->pending,
			      "held", (json_int_t)so->held);

	if (so->requested)
		json_object_set_new(o, "requested_ns", json_integer((json_int_t)so->req_ns));
	if (so->started)
		json_object_set_new(o, "begun_ns", json_integer((json_int_t)so->start_ns));
	if (so->done) {
		json_object_set_new(o, "done_ns", json_integer((json_int_t)so->done_ns));
		json_object_set_new(o, "drain_ns",
				    json_integer((json_int_t)(so->done_ns - so->start_ns)));
		json_object_set_new(o, "switch_ns",
				    json_integer((json_int_t)(so->done_ns - so->req_ns)));
	}
	return o;
}

json_t *sim_report_accel_json(const struct sim_ep *ep, uint64_t sim_ns)
{
	struct sim_xen_accel_report r;
	json_t *paths;
	uint32_t p;

	if (!sim_xen_accel_report(ep, &r))
		return NULL;
	paths = json_object();
	for (p = 0; p < 2; p++)
		json_object_set_new(paths, sim_rep_path_name[p],
				    json_pack("{s:I,s:I,s:f}", "packets", (json_int_t)r.pkts[p],
					      "bytes", (json_int_t)r.bytes[p],
					      "mpps", sim_rep_mpps(r.pkts[p], sim_ns)));
	return json_pack("{s:s,s:s,s:b,s:I,s:o,s:o,s:o}", "flows", r.flows,
			 "switch", r.mode, "present", r.present,
			 "held_max", (json_int_t)r.held_max, "paths", paths,
			 "withdraw", sim_rep_switch_json(&r.withdraw),
			 "restore", sim_rep_switch_json(&r.restore));
}
