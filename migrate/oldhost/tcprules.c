/*
 * NAME		tcprules - read tcprules(1) text and the .cdb it compiles to
 * DOES		one item per rule: deny, allow, RELAYCLIENT, MAXCONNIP,
 *		MAXCONNC, MAXLOAD and every other variable; compares the text
 *		with the .cdb tcpserver really used
 * NEVER	reads past a record, trusts a cdb length
 */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

static int
var_item(struct limits *l, enum limits_svc svc, const char *name,
    unsigned long line, const char *key, const char *var, size_t vlen,
    const char *val, size_t xlen)
{
	static const struct {
		const char *name;
		enum limits_kind kind;
	} known[] = {
		{ "MAXCONNIP", LK_CONC_IP }, { "MAXCONNC", LK_CONC_NET24 },
		{ "MAXLOAD", LK_LOADAVG },
	};
	size_t k;
	long v;
	int idx, err;

	if (vlen == 11 && memcmp(var, "RELAYCLIENT", 11) == 0) {
		idx = limits_add(l, LK_RELAY, svc, xlen == 0 ? 0 : 1, 0,
		    "tcprules RELAYCLIENT", name, line, "RELAYCLIENT=\"%.*s\"",
		    (int)xlen, val);
		if (idx < 0)
			return idx;
		if (xlen > 0 && (err = limits_set_inert(l, (size_t)idx,
		    "RELAYCLIENT with a value appends it to every recipient "
		    "address; Postfix has no such rewrite per client: this "
		    "network is NOT added to mynetworks; use a "
		    "check_client_access map with a FILTER or a "
		    "canonical map instead")) < 0)
			return err;
		return limits_set_addr(l, (size_t)idx, key);
	}
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		if (strlen(known[k].name) != vlen ||
		    memcmp(known[k].name, var, vlen) != 0)
			continue;
		if ((v = limits_number(val, xlen)) < 0) {
			return limits_diag(l, 1, name, line,
			    "%.*s=\"%.*s\": not a number; not read", (int)vlen,
			    var, (int)(xlen > 40 ? 40 : xlen), val) < 0 ?
			    QPM_ENOMEM : 0;
		}
		if (known[k].kind == LK_LOADAVG)
			v *= 100;
		idx = limits_add(l, known[k].kind, svc, v, 0, "tcprules",
		    name, line, "%.*s=\"%.*s\" for %s", (int)vlen, var,
		    (int)xlen, val, key[0] != '\0' ? key : "every client");
		if (idx < 0)
			return idx;
		return limits_set_addr(l, (size_t)idx, key);
	}
	idx = limits_add(l, LK_CLIENT_ENV, svc, -1, 0, "tcprules", name, line,
	    "%.*s=\"%.*s\"", (int)vlen, var, (int)(xlen > 200 ? 200 : xlen),
	    val);
	if (idx < 0)
		return idx;
	return limits_set_addr(l, (size_t)idx, key);
}

/* One rule: "key:allow|deny[,VAR=dvalued...]"; recs gets its records. */
static int
rule(struct limits *l, enum limits_svc svc, const char *name,
    unsigned long line, const char *p, size_t n, struct qstr *recs)
{
	struct qstr data = QSTR_INIT(64 * 1024);
	const char *colon = memchr(p, ':', n), *e = p + n, *q, *comma;
	char key[256];
	size_t first = l->nitems;
	int deny, idx, err = 0;

	if (colon == NULL)
		return limits_diag(l, 1, name, line, "no ':' in this rule "
		    "(tcprules skips such a line silently); not read") < 0 ?
		    QPM_ENOMEM : 0;
	if ((size_t)(colon - p) >= sizeof(key))
		return limits_diag(l, 1, name, line, "address too long; "
		    "not read") < 0 ? QPM_ENOMEM : 0;
	memcpy(key, p, (size_t)(colon - p));
	key[colon - p] = '\0';
	q = colon + 1;
	comma = memchr(q, ',', (size_t)(e - q));
	if (comma == NULL)
		comma = e;
	if ((size_t)(comma - q) == 4 && memcmp(q, "deny", 4) == 0)
		deny = 1;
	else if ((size_t)(comma - q) == 5 && memcmp(q, "allow", 5) == 0)
		deny = 0;
	else
		return limits_diag(l, 1, name, line, "instruction \"%.*s\" is "
		    "neither allow nor deny; not read",
		    (int)((comma - q) > 40 ? 40 : (comma - q)), q) < 0 ?
		    QPM_ENOMEM : 0;
	idx = limits_add(l, deny ? LK_ACCESS_DENY : LK_ACCESS_ALLOW, svc, 1, 0,
	    "tcprules", name, line, "%s %s", deny ? "deny" : "allow",
	    key[0] != '\0' ? key : "(every other client)");
	if (idx < 0 || (err = limits_set_addr(l, (size_t)idx, key)) < 0)
		return idx < 0 ? idx : err;
	/* tcprules writes "D\0" for deny, then "+VAR=value\0" per variable */
	if (deny && (err = qstr_catn(&data, "D", 2)) < 0)
		goto out;
	q = comma;
	while (q < e) {
		const char *var, *eq, *val, *end;
		char delim;

		q++;	/* the comma */
		var = q;
		eq = memchr(q, '=', (size_t)(e - q));
		if (eq == NULL || eq + 1 >= e) {
			err = limits_diag(l, 1, name, line, "variable without "
			    "=value; rule not read");
			goto bad;
		}
		delim = eq[1];
		val = eq + 2;
		end = memchr(val, delim, (size_t)(e - val));
		if (end == NULL) {
			err = limits_diag(l, 1, name, line, "value of %.*s not "
			    "closed by %c; rule not read", (int)(eq - var),
			    var, delim);
			goto bad;
		}
		if ((err = var_item(l, svc, name, line, key, var,
		    (size_t)(eq - var), val, (size_t)(end - val))) < 0)
			goto out;
		if (((err = qstr_catc(&data, '+')) < 0 ||
		    (err = qstr_catn(&data, var, (size_t)(eq - var))) < 0 ||
		    (err = qstr_catc(&data, '=')) < 0 ||
		    (err = qstr_catn(&data, val, (size_t)(end - val))) < 0 ||
		    (err = qstr_catc(&data, '\0')) < 0))
			goto out;
		q = end + 1;
		if (q < e && *q != ',') {
			err = limits_diag(l, 1, name, line, "text after the "
			    "value of %.*s; rule not read", (int)(eq - var),
			    var);
			goto bad;
		}
	}
	err = limits_addr_expand(recs, key, qstr_str(&data), data.len);
	goto out;
bad:
	/* drop what this rule added: a half-read rule is not guessed */
	while (l->nitems > first) {
		struct limits_item *it = &l->items[--l->nitems];

		free(it->source); free(it->detail); free(it->addr);
		free(it->file); free(it->inert);
	}
	err = err < 0 ? err : 0;
out:
	qstr_free(&data);
	return err;
}

static int
parse_text(struct limits *l, enum limits_svc svc, const char *name,
    const char *text, size_t len, struct qstr *recs)
{
	size_t i = 0;
	unsigned long line = 0;
	int err;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : len;

		line++;
		if (e > i && text[i] != '#' &&
		    (err = rule(l, svc, name, line, text + i, e - i, recs)) < 0)
			return err;
		i = nl != NULL ? e + 1 : len;
	}
	return 0;
}

int
tcprules_parse_text(struct limits *l, enum limits_svc svc, const char *name,
    const char *text, size_t len)
{
	struct qstr recs = QSTR_INIT(LIMITS_MAX_FILE * 4);
	int err;

	err = parse_text(l, svc, name, text, len, &recs);
	qstr_free(&recs);
	return err;
}

static uint32_t
u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Walk the records of a cdb (format: 2048-byte header of 256 table
 * positions, records klen dlen key data, then the tables). */
static int
cdb_records(const unsigned char *d, size_t len, struct qstr *recs,
    const char *name, struct limits *l)
{
	uint32_t end = UINT32_MAX, pos, klen, dlen;
	size_t i;
	int err;

	if (len < 2048)
		goto bad;
	for (i = 0; i < 256; i++) {
		uint32_t tp = u32le(d + i * 8), ns = u32le(d + i * 8 + 4);

		/* every hash table must lie inside the file */
		if (tp > len || ns > (len - tp) / 8)
			goto bad;
		if (tp < end)
			end = tp;
	}
	if (end < 2048 || end > len)
		goto bad;
	for (pos = 2048; pos < end; ) {
		if (end - pos < 8)
			goto bad;
		klen = u32le(d + pos);
		dlen = u32le(d + pos + 4);
		if (klen > end - pos - 8 || dlen > end - pos - 8 - klen)
			goto bad;
		if ((err = limits_addr_record(recs, (const char *)d + pos + 8,
		    klen, (const char *)d + pos + 8 + klen, dlen)) < 0)
			return err;
		pos += 8 + klen + dlen;
	}
	return 0;
bad:
	return limits_diag(l, 1, name, 0, "not a cdb file (or truncated); "
	    "rules not read") < 0 ? QPM_ENOMEM : QPM_ESYNTAX;
}

/* Items from the records of a cdb (no line numbers: the record number). */
static int
items_from_records(struct limits *l, enum limits_svc svc, const char *name,
    const char *recs, size_t len)
{
	struct qstr line = QSTR_INIT(128 * 1024);
	struct qstr dummy = QSTR_INIT(128 * 1024);
	const char *p = recs, *e = recs + len;
	unsigned long n = 0;
	int err = 0;

	while (p < e) {
		size_t klen, dlen;
		const char *key, *data, *q;
		char *endp;

		klen = strtoul(p, &endp, 10);
		dlen = strtoul(endp + 1, &endp, 10);
		key = endp + 1;
		data = key + klen + 2;
		n++;
		qstr_reset(&line);
		if ((err = qstr_catn(&line, key, klen)) < 0 ||
		    (err = qstr_catc(&line, ':')) < 0)
			break;
		if (dlen > 0 && data[0] == 'D') {
			err = qstr_cat(&line, "deny");
		} else {
			err = qstr_cat(&line, "allow");
			for (q = data; err == 0 && q < data + dlen; ) {
				const char *z = memchr(q, '\0',
				    (size_t)(data + dlen - q));
				const char *eq;

				if (z == NULL || *q != '+' ||
				    (eq = memchr(q, '=', (size_t)(z - q))) == NULL)
					break;
				err = qstr_catf(&line, ",%.*s=\"%.*s\"",
				    (int)(eq - q - 1), q + 1, (int)(z - eq - 1),
				    eq + 1);
				q = z + 1;
			}
		}
		if (err < 0)
			break;
		qstr_reset(&dummy);
		if ((err = rule(l, svc, name, n, qstr_str(&line), line.len,
		    &dummy)) < 0)
			break;
		p = data + dlen + 1;
	}
	qstr_free(&line);
	qstr_free(&dummy);
	return err;
}

int
tcprules_parse_cdb(struct limits *l, enum limits_svc svc, const char *name,
    const void *data, size_t len)
{
	struct qstr recs = QSTR_INIT(LIMITS_MAX_FILE * 4);
	int err;

	err = cdb_records(data, len, &recs, name, l);
	if (err == 0)
		err = items_from_records(l, svc, name, qstr_str(&recs),
		    recs.len);
	qstr_free(&recs);
	return err == QPM_ESYNTAX ? 0 : err;
}

int
tcprules_read(struct limits *l, const char *root, enum limits_svc svc,
    const char *cdbpath, const char *from, unsigned long fromline)
{
	struct qstr cdb = QSTR_INIT(LIMITS_MAX_FILE + 1);
	struct qstr text = QSTR_INIT(LIMITS_MAX_FILE + 1);
	struct qstr trecs = QSTR_INIT(LIMITS_MAX_FILE * 4);
	struct qstr crecs = QSTR_INIT(LIMITS_MAX_FILE * 4);
	char txt[PATH_MAX];
	const char *cshown = cdbpath + (cdbpath[0] == '/'), *tshown;
	size_t clen = strlen(cdbpath), first;
	int cerr, terr = QPM_ENOENT, err = 0;

	cerr = limits_readfile(root, cdbpath, LIMITS_MAX_FILE, &cdb);
	if (clen > 4 && strcmp(cdbpath + clen - 4, ".cdb") == 0 &&
	    clen - 4 < sizeof(txt)) {
		memcpy(txt, cdbpath, clen - 4);
		txt[clen - 4] = '\0';
		terr = limits_readfile(root, txt, LIMITS_MAX_FILE, &text);
	}
	tshown = txt + (txt[0] == '/');
	if (cerr < 0 && terr < 0) {
		err = limits_diag(l, 1, from, fromline, "-x %s: %s; the "
		    "listener's rules are not known", cshown,
		    rootfs_strerror(cerr));
		goto out;
	}
	if (cerr == 0 && (err = cdb_records((const unsigned char *)cdb.buf,
	    cdb.len, &crecs, cshown, l)) < 0 && err != QPM_ESYNTAX)
		goto out;
	if (cerr == 0 && err == QPM_ESYNTAX)
		cerr = QPM_ESYNTAX;
	if (terr == 0) {
		first = l->nitems;
		if ((err = parse_text(l, svc, tshown, qstr_str(&text),
		    text.len, &trecs)) < 0)
			goto out;
		if (cerr != 0 || (trecs.len == crecs.len &&
		    memcmp(qstr_str(&trecs), qstr_str(&crecs), crecs.len) == 0))
			goto out;
		/* The text was edited after the last tcprules run:
		 * tcpserver used the .cdb, so the .cdb is what counts. */
		while (l->nitems > first) {
			struct limits_item *it = &l->items[--l->nitems];

			free(it->source); free(it->detail); free(it->addr);
			free(it->file); free(it->inert);
		}
		if ((err = limits_diag(l, 0, tshown, 0, "differs from %s "
		    "(tcprules was not re-run after an edit); the .cdb is what "
		    "tcpserver used and is what was read", cshown)) < 0)
			goto out;
	}
	if (cerr == 0)
		err = items_from_records(l, svc, cshown, qstr_str(&crecs),
		    crecs.len);
out:
	qstr_free(&cdb);
	qstr_free(&text);
	qstr_free(&trecs);
	qstr_free(&crecs);
	return err == QPM_ESYNTAX ? 0 : err;
}
