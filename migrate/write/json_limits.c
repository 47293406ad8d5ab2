/*
 * NAME		json_limits - the "limits" object of migration.json
 * DOES		items, diagnostics, conflicts, settings, the log evidence and the
 *		policy as a jansson object (migration.json(5), LIMITS)
 * NEVER	writes a file (write_json.c places the object)
 */
#include <config.h>

#include <jansson.h>

#include "mail/json.h"
#include "migrate/model/limits.h"
#include "migrate/write/limits_text.h"
#include "migrate/write/writers.h"
#include "util/qstr.h"

static json_t *
item_json(const struct limits *l, const struct limits_item *it)
{
	json_t *o = json_object();
	struct qstr t = QSTR_INIT(8192);
	int err = 0;

	if (o == NULL)
		return NULL;
	err |= qpm_json_set_str(o, "file", it->file);
	err |= qpm_json_set_int(o, "line", (long long)it->line);
	err |= qpm_json_set_str(o, "source", it->source);
	err |= qpm_json_set_str(o, "kind", limits_kind_name(it->kind));
	err |= qpm_json_set_str(o, "service", limits_svc_name(it->svc));
	err |= qpm_json_set_int(o, "port", limits_svc_port(it->svc));
	err |= qpm_json_set_int(o, "value", it->value);
	if (it->per > 0)
		err |= qpm_json_set_int(o, "per_seconds", it->per);
	err |= qpm_json_set_str(o, "detail", it->detail);
	if (it->addr != NULL)
		err |= qpm_json_set_str(o, "address", it->addr);
	/* RELAYCLIENT="VALUE" did act on the old host (it let the client
	 * relay and rewrote recipients): not inert; target says why */
	err |= qpm_json_set_str(o, "inert", it->kind == LK_RELAY &&
	    it->value != 0 ? NULL : it->inert);
	err |= qpm_json_set_bool(o, "program_default", it->is_default);
	if (limits_item_target(l, it, &t) < 0)
		err = 1;
	err |= qpm_json_set_str(o, "target", qstr_str(&t));
	qstr_free(&t);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
svc_json(const struct limits_svcstats *ss)
{
	json_t *o = json_object(), *h = json_object(), *pk = json_array(),
	    *cn = json_array();
	size_t i;
	int err = 0;

	if (o == NULL || h == NULL || pk == NULL || cn == NULL) {
		json_decref(o); json_decref(h); json_decref(pk); json_decref(cn);
		return NULL;
	}
	err |= qpm_json_set_int(o, "connections", (long long)ss->connections);
	err |= qpm_json_set_int(o, "peak", ss->peak);
	err |= qpm_json_set_int(o, "peak_at", (long long)ss->peak_at);
	err |= qpm_json_set_int(o, "status_limit", ss->status_max);
	err |= qpm_json_set_int(o, "at_limit", (long long)ss->at_limit);
	err |= qpm_json_set_int(o, "peak_per_ip", ss->peak_ip);
	err |= qpm_json_set_str(o, "peak_ip", ss->peak_ip_addr);
	err |= qpm_json_set_int(o, "peak_per_user_ip", ss->peak_userip);
	err |= qpm_json_set_str(o, "peak_user_ip", ss->peak_user);
	err |= qpm_json_set_int(o, "logins_ok", (long long)ss->login_ok);
	err |= qpm_json_set_int(o, "logins_failed", (long long)ss->login_fail);
	err |= qpm_json_set_int(o, "denied", (long long)ss->denied);
	for (i = 0; i < ss->hours.n; i++) {
		err |= qpm_json_append(pk, json_integer(ss->hours.peak[i]));
		err |= qpm_json_append(cn, json_integer((json_int_t)
		    ss->hours.conns[i]));
	}
	err |= qpm_json_set_int(h, "first", (long long)ss->hours.first_hour *
	    3600);
	err |= qpm_json_set_int(h, "step_seconds", 3600);
	err |= qpm_json_set(h, "peak", pk);
	err |= qpm_json_set(h, "connections", cn);
	err |= qpm_json_set(o, "hours", h);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
limits_json(const struct limits *l)
{
	json_t *o = json_object(), *a;
	size_t i, k;
	int err = 0;

	if (o == NULL)
		return NULL;
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->nitems; i++)
		err |= qpm_json_append(a, item_json(l, &l->items[i]));
	err |= qpm_json_set(o, "items", a);
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->ndiags; i++) {
		json_t *d = json_object();

		if (d == NULL) {
			err = 1;
			break;
		}
		err |= qpm_json_set_str(d, "file", l->diags[i].file);
		err |= qpm_json_set_int(d, "line", (long long)l->diags[i].line);
		err |= qpm_json_set_bool(d, "error", l->diags[i].error);
		err |= qpm_json_set_str(d, "text", l->diags[i].text);
		err |= qpm_json_append(a, d);
	}
	err |= qpm_json_set(o, "diagnostics", a);
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->nconflicts; i++) {
		json_t *c = json_object();

		if (c == NULL) {
			err = 1;
			break;
		}
		err |= qpm_json_set_str(c, "kind",
		    limits_kind_name(l->conflicts[i].kind));
		err |= qpm_json_set_str(c, "service",
		    limits_svc_name(l->conflicts[i].svc));
		err |= qpm_json_set_int(c, "kept_item",
		    (long long)l->conflicts[i].kept);
		err |= qpm_json_set_int(c, "other_item",
		    (long long)l->conflicts[i].other);
		err |= qpm_json_append(a, c);
	}
	err |= qpm_json_set(o, "conflicts", a);
	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < l->nsettings; i++) {
		const struct limits_setting *s = &l->settings[i];
		json_t *so = json_object(), *src = json_array();

		if (so == NULL || src == NULL) {
			json_decref(so);
			json_decref(src);
			err = 1;
			break;
		}
		err |= qpm_json_set_str(so, "target",
		    limits_target_name(s->target));
		err |= qpm_json_set_str(so, "service", s->svc == LSVC_HOST ?
		    "all" : limits_svc_name(s->svc));
		err |= qpm_json_set_int(so, "old", s->old);
		if (s->per > 0)
			err |= qpm_json_set_int(so, "per_seconds", s->per);
		err |= qpm_json_set_int(so, "observed", s->observed);
		err |= qpm_json_set_int(so, "errors", (long long)s->errors);
		err |= qpm_json_set_int(so, "recommended", s->recommended);
		err |= qpm_json_set_int(so, "value", s->value);
		err |= qpm_json_set_bool(so, "from_logs", s->from_logs);
		err |= qpm_json_set_bool(so, "perf_mode", s->perf_mode);
		err |= qpm_json_set_str(so, "why", s->why != NULL ? s->why : "");
		for (k = 0; k < s->nsrc; k++)
			err |= qpm_json_append(src, json_integer((json_int_t)
			    s->src[k]));
		err |= qpm_json_set(so, "source_items", src);
		err |= qpm_json_append(a, so);
	}
	err |= qpm_json_set(o, "settings", a);
	if (l->have_logs) {
		json_t *lo = json_object(), *sv = json_object(), *ea;

		if (lo == NULL || sv == NULL || (ea = json_array()) == NULL) {
			json_decref(lo);
			json_decref(sv);
			goto fail;
		}
		err |= qpm_json_set_int(lo, "files", (long long)l->logs.files);
		err |= qpm_json_set_int(lo, "lines", (long long)l->logs.lines);
		err |= qpm_json_set_int(lo, "lines_used",
		    (long long)l->logs.lines_used);
		err |= qpm_json_set_int(lo, "bytes", (long long)l->logs.bytes);
		err |= qpm_json_set_int(lo, "first", (long long)l->logs.first);
		err |= qpm_json_set_int(lo, "last", (long long)l->logs.last);
		err |= qpm_json_set_int(lo, "not_counted",
		    (long long)l->logs.table_full);
		for (i = 0; i < LSVC_N; i++) {
			const struct limits_svcstats *ss = &l->logs.svc[i];

			if (ss->connections == 0 && ss->peak == 0 &&
			    ss->login_ok == 0 && ss->login_fail == 0)
				continue;
			err |= qpm_json_set(sv, limits_svc_name(
			    (enum limits_svc)i), svc_json(ss));
		}
		err |= qpm_json_set(lo, "services", sv);
		for (i = 0; i < l->logs.nerrs; i++) {
			const struct limits_logerr *le = &l->logs.errs[i];
			json_t *e = json_object();

			if (e == NULL) {
				err = 1;
				break;
			}
			err |= qpm_json_set_str(e, "kind", limits_logerr_name(le->kind));
			err |= qpm_json_set_str(e, "service",
			    limits_svc_name(le->svc));
			err |= qpm_json_set_int(e, "limit", le->limit);
			err |= qpm_json_set_int(e, "count", (long long)le->count);
			err |= qpm_json_set_str(e, "file", le->file);
			err |= qpm_json_set_int(e, "line", (long long)le->line);
			err |= qpm_json_append(ea, e);
		}
		err |= qpm_json_set(lo, "errors", ea);
		err |= qpm_json_set(o, "logs", lo);
	}
	err |= qpm_json_set_str(o, "mynetworks", l->mynetworks);
	err |= qpm_json_set_str(o, "limit_exceptions", l->exempt);
	{
		json_t *p = json_object();

		if (p == NULL)
			goto fail;
		err |= qpm_json_set_bool(p, "size_from_logs", l->size_from_logs);
		err |= qpm_json_set_bool(p, "keep_looser", l->keep_looser);
		err |= qpm_json_set_int(p, "headroom_percent", l->headroom_pct);
		err |= qpm_json_set(o, "policy", p);
	}
	if (err)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}
