/*
 * NAME		write_target - the Postfix and Dovecot versions written for
 * DOES		names them, and how each was chosen (--postfix/--dovecot,
 *		found on the machine running qmail2postfix, or the safest
 *		default), for the first comment of each file, the report's
 *		header and migration.json's "targets"
 * NEVER	runs a program: run.c chose the versions before any writer
 */
#include <config.h>

#include "mail/json.h"
#include "migrate/write/writers.h"
#include "util/qstr.h"

int
writer_postfix_ver(const struct wopts *o)
{
	return o->postfix_ver != 0 ? o->postfix_ver : Q2P_POSTFIX_DEFAULT;
}

int
writer_dovecot_ver(const struct wopts *o)
{
	return o->dovecot_ver != 0 ? o->dovecot_ver : Q2P_DOVECOT_DEFAULT;
}

const char *
writer_target_from(int from)
{
	switch (from) {
	case WTARGET_OPTION:
		return "option";
	case WTARGET_DETECTED:
		return "detected";
	case WTARGET_DEFAULT:
		break;
	}
	return "default";
}

/* how, for a reader: "--postfix", "found on this machine", "default" */
static const char *
from_text(int from, const char *option)
{
	switch (from) {
	case WTARGET_OPTION:
		return option;
	case WTARGET_DETECTED:
		return "installed here";
	case WTARGET_DEFAULT:
		break;
	}
	return "default: none installed here";
}

int
writer_targets(struct qstr *s, const char *prefix, const struct wopts *o)
{
	int pv = writer_postfix_ver(o), dv = writer_dovecot_ver(o);

	return qstr_catf(s, "%sWritten for Postfix %d.%d (%s) and Dovecot "
	    "%d.%d (%s).\n", prefix, pv / 100, pv % 100,
	    from_text(o->postfix_from, "--postfix"), dv / 10, dv % 10,
	    from_text(o->dovecot_from, "--dovecot"));
}

json_t *
writer_targets_json(const struct wopts *o)
{
	char pv[16], dv[16];
	json_t *t;

	if (qpm_snprintf(pv, sizeof(pv), "%d.%d", writer_postfix_ver(o) / 100,
	    writer_postfix_ver(o) % 100) < 0 ||
	    qpm_snprintf(dv, sizeof(dv), "%d.%d", writer_dovecot_ver(o) / 10,
	    writer_dovecot_ver(o) % 10) < 0 ||
	    (t = json_object()) == NULL)
		return NULL;
	if (qpm_json_set_str(t, "postfix", pv) < 0 ||
	    qpm_json_set_str(t, "postfix_chosen",
	    writer_target_from(o->postfix_from)) < 0 ||
	    qpm_json_set_str(t, "dovecot", dv) < 0 ||
	    qpm_json_set_str(t, "dovecot_chosen",
	    writer_target_from(o->dovecot_from)) < 0) {
		json_decref(t);
		return NULL;
	}
	return t;
}
