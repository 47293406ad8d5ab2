/*
 * NAME		rl_report - the report of "rehearse --limits"
 * DOES		each probe as JSON or as text, with the counts
 * NEVER	changes a probe
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/rehearse/rl_int.h"
#include "util/qstr.h"
#include "util/strlist.h"

static const char *const status_names[] = { "ok", "fail", "not-probed" };

size_t
rh_limits_failed(const struct rh_limits *l)
{
	size_t i, n = 0;

	for (i = 0; l != NULL && i < l->n; i++)
		n += l->v[i].status == RL_FAIL;
	return n;
}

static void
counts(const struct rh_limits *l, size_t c[3])
{
	size_t i;

	c[0] = c[1] = c[2] = 0;
	for (i = 0; i < l->n; i++)
		c[l->v[i].status]++;
}

json_t *
rh_limits_json(const struct rh_limits *l)
{
	json_t *root = json_object(), *a = json_array(), *o, *x;
	size_t i, c[3];

	counts(l, c);
	for (i = 0; i < l->n; i++) {
		const struct rl_probe *pr = &l->v[i];

		o = json_object();
		qpm_json_set_str(o, "what", qstr_str(&pr->what));
		qpm_json_set_str(o, "setting", pr->target);
		qpm_json_set_str(o, "service", pr->service);
		qpm_json_set_str(o, "status", status_names[pr->status]);
		qpm_json_set_str(o, "how", qstr_str(&pr->how));
		qpm_json_set_str(o, "expected", qstr_str(&pr->expected));
		qpm_json_set_str(o, "observed", qstr_str(&pr->observed));
		qpm_json_set_str(o, "configured", qstr_str(&pr->configured));
		x = json_object();
		if (pr->old >= 0)
			qpm_json_set_int(x, "value", pr->old);
		else
			qpm_json_set(x, "value", json_null());
		qpm_json_set_str(x, "source", qstr_str(&pr->before));
		qpm_json_set(o, "before", x);
		x = json_object();
		qpm_json_set_int(x, "value", pr->value);
		qpm_json_set_str(x, "behaviour", pr->status == RL_NOT_PROBED ?
		    qstr_str(&pr->how) : qstr_str(&pr->observed));
		qpm_json_set(o, "after", x);
		qpm_json_append(a, o);
	}
	qpm_json_set_int(root, "probes", (long long)l->n);
	qpm_json_set_int(root, "ok", (long long)c[RL_OK]);
	qpm_json_set_int(root, "failed", (long long)c[RL_FAIL]);
	qpm_json_set_int(root, "not_probed", (long long)c[RL_NOT_PROBED]);
	if (l->none.len > 0)
		qpm_json_set_str(root, "none", qstr_str(&l->none));
	x = json_array();
	for (i = 0; i < l->notes.n; i++)
		json_array_append_new(x, json_string(l->notes.v[i]));
	qpm_json_set(root, "notes", x);
	qpm_json_set(root, "results", a);
	return root;
}

void
rh_limits_text(const struct rh_limits *l, FILE *fp)
{
	size_t i, c[3];

	counts(l, c);
	fprintf(fp, "\nconnection limits (--limits)\n");
	if (l->none.len > 0)
		fprintf(fp, "nothing to probe: %s\n", qstr_str(&l->none));
	for (i = 0; i < l->n; i++) {
		const struct rl_probe *pr = &l->v[i];

		fprintf(fp, "%-10s %s\n", pr->status == RL_OK ? "ok" :
		    pr->status == RL_FAIL ? "FAIL" : "not-probed",
		    qstr_str(&pr->what));
		if (pr->status == RL_NOT_PROBED) {
			fprintf(fp, "           %s\n", qstr_str(&pr->how));
			continue;
		}
		fprintf(fp, "           how:        %s\n", qstr_str(&pr->how));
		fprintf(fp, "           expected:   %s\n",
		    qstr_str(&pr->expected));
		fprintf(fp, "           observed:   %s\n",
		    qstr_str(&pr->observed));
		if (pr->configured.len > 0)
			fprintf(fp, "           configured: %s\n",
			    qstr_str(&pr->configured));
	}
	for (i = 0; i < l->notes.n; i++)
		fprintf(fp, "note: %s\n", l->notes.v[i]);
	if (l->n > 0) {
		fprintf(fp, "\nbefore/after\n%-38s %-11s %-34s %s\n", "setting",
		    "service", "old host", "new host");
		for (i = 0; i < l->n; i++) {
			const struct rl_probe *pr = &l->v[i];
			char old[64];

			if (pr->old >= 0)
				qpm_snprintf(old, sizeof(old), "%ld", pr->old);
			else
				qpm_snprintf(old, sizeof(old), "none");
			fprintf(fp, "%-38s %-11s %-34.34s %ld: %s\n", pr->target,
			    pr->service, old, pr->value,
			    pr->status == RL_OK ? "proven" :
			    pr->status == RL_FAIL ? "FAILED" : "not probed");
			fprintf(fp, "%-38s %-11s   from %s\n", "", "",
			    qstr_str(&pr->before));
		}
	}
	fprintf(fp, "limits: %zu probes, %zu ok, %zu failed, %zu not probed\n",
	    l->n, c[RL_OK], c[RL_FAIL], c[RL_NOT_PROBED]);
}
