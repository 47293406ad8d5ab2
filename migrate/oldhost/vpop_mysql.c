/*
 * NAME		vpop_mysql - vpopmail's MySQL backend (QmailToaster)
 * DOES		connects read-only (libmariadb) where vpopmail.mysql or
 *		--mysql says; the users of each domain (one table per domain,
 *		or the shared "vpopmail" table) become mailboxes exactly as
 *		vpasswd lines do, the valias rows rules as vdelivermail looks
 *		them up, lastauth each mailbox's last login; a cleartext
 *		password is kept only when it matches its hash
 * NEVER	writes to the database (only SELECT, in a read-only session),
 *		prints a credential or a server's error text (it may quote
 *		the user), connects to the old host's "localhost"
 */
#include <config.h>

#include <crypt.h>
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/oldhost/readers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/num.h"
#include "util/qstr.h"

/* vmysql.c copies each column into a SMALL_BUFF (200) with strncpy:
 * a longer value was cut (and left unterminated) on the old host */
#define VMYSQL_MAX_FIELD	199
#define VMYSQL_MAX_QUERY	4096

struct vmysql {
	struct model	*m;
	MYSQL		*c;
	const char	*db;		/* the database's name */
	const char	*where;		/* host:port or socket, for messages */
	struct src	 src;		/* vpopmail.mysql's settings line */
	int		 shared;	/* "vpopmail" table with pw_domain */
	int		 clear_col;	/* pw_clear_passwd exists */
	char		**tables;	/* SHOW TABLES */
	size_t		 ntables;
};

/* The server's error as our own words: its text may quote the user or
 * the host and is never printed. */
static const char *
db_why(struct vmysql *db)
{
	unsigned e = mysql_errno(db->c);

	switch (e) {
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
		return "access denied: wrong user or password";
	case ER_TABLEACCESS_DENIED_ERROR:
		return "access denied to the table (grant SELECT)";
	case ER_BAD_DB_ERROR:
		return "no such database";
	case ER_NO_SUCH_TABLE:
		return "no such table";
	case ER_BAD_FIELD_ERROR:
		return "a column vpopmail's table has is missing";
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_LOST:
	case CR_SERVER_GONE_ERROR:
		return "cannot reach the database server";
	}
	return model_printf(db->m, "database error %u", e);
}

static int
query(struct vmysql *db, const char *q)
{
	return mysql_real_query(db->c, q, strlen(q)) == 0 ? 0 : -1;
}

/* 'text' as a quoted SQL string, into s */
static int
quoted(struct vmysql *db, struct qstr *s, const char *text)
{
	size_t n = strlen(text);
	char *tmp;
	int e;

	if (n > QPM_MAX_DOMAIN * 4 || (tmp = malloc(2 * n + 1)) == NULL)
		return QPM_ERANGE;
	mysql_real_escape_string(db->c, tmp, text, n);
	e = qstr_catf(s, "'%s'", tmp);
	free(tmp);
	return e;
}

static int
has_table(const struct vmysql *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->ntables; i++)
		if (strcmp(db->tables[i], name) == 0)
			return 1;
	return 0;
}

static int
load_tables(struct vmysql *db)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	char **nv;
	unsigned long *len;

	if (query(db, "SHOW TABLES") < 0 ||
	    (res = mysql_store_result(db->c)) == NULL)
		return -1;
	while ((row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		if (row[0] == NULL || memchr(row[0], '\0', len[0]) != NULL)
			continue;	/* no table vpopmail made */
		if ((nv = realloc(db->tables, (db->ntables + 1) *
		    sizeof(*nv))) == NULL)
			break;
		db->tables = nv;
		if ((nv[db->ntables] = strdup(row[0])) == NULL)
			break;
		db->ntables++;
	}
	mysql_free_result(res);
	return 0;
}

/* The password: --mysql-password-file's first line, else the file's. */
static int
password_from(const char *path, char *out, size_t size)
{
	struct qstr s = QSTR_INIT(4096);
	size_t n;
	int e;

	if ((e = file_read_all(path, 4096, 0, &s)) < 0)
		return e;
	n = s.buf != NULL ? strcspn(s.buf, "\r\n") : 0;
	e = n < size ? 0 : QPM_ERANGE;
	if (e == 0) {
		memcpy(out, s.buf != NULL ? s.buf : "", n);
		out[n] = '\0';
	}
	if (s.buf != NULL)
		explicit_bzero(s.buf, s.cap);
	qstr_free(&s);
	return e;
}

/* --mysql HOST[:PORT] or /socket over the settings line */
static int
server_override(struct vmysql_server *sv, const char *arg)
{
	const char *colon;
	long port = 0;
	size_t n;

	sv->socket[0] = '\0';
	sv->port = 0;
	if (arg[0] == '/') {
		if (strlen(arg) >= sizeof(sv->socket))
			return -1;
		memcpy(sv->socket, arg, strlen(arg) + 1);
		memcpy(sv->host, "localhost", sizeof("localhost"));
		return 0;
	}
	/* [v6]:port, host:port, host */
	if (arg[0] == '[' && (colon = strchr(arg, ']')) != NULL) {
		n = (size_t)(colon - arg - 1);
		arg++;
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else if ((colon = strrchr(arg, ':')) != NULL &&
	    strchr(arg, ':') == colon) {
		n = (size_t)(colon - arg);
	} else {
		n = strlen(arg);
		colon = NULL;
	}
	if (n == 0 || n >= sizeof(sv->host) ||
	    (colon != NULL && num_parse_long(colon + 1, 1, 65535, &port) < 0))
		return -1;
	memcpy(sv->host, arg, n);
	sv->host[n] = '\0';
	sv->port = (unsigned)port;
	return 0;
}

static void
open_fail(struct model *m, struct src src, const char *why, const char *todo)
{
	model_read(m, CAT_VPASSWD);
	model_list(m, CAT_VPASSWD, src, "vpopmail MySQL database", why, todo);
}

struct vmysql *
vmysql_open(struct model *m, const char *file, const char *conf, size_t len,
    const struct vmysql_opts *o)
{
	struct vmysql_conf vc;
	struct vmysql_server *sv = &vc.read;
	struct vmysql *db = NULL;
	struct src src = { file, 0 };
	const char *why, *todo = "give --mysql HOST[:PORT] (or --mysql "
	    "/path/to/socket) of a server holding the old host's vpopmail "
	    "database, migrate again";
	unsigned long line;
	unsigned int timeout = 10;
	int e;

	memset(&vc, 0, sizeof(vc));
	if (conf != NULL) {
		if (vmysql_conf_parse(conf, len, &vc, &line, &why) < 0) {
			src.line = line;
			open_fail(m, src, why, "fix vpopmail.mysql, migrate "
			    "again");
			return NULL;
		}
		src.line = vc.read.line;
	} else {
		/* vpopmail's defaults (vmysql.h) */
		memcpy(sv->user, "vpopmail", sizeof("vpopmail"));
		memcpy(sv->database, "vpopmail", sizeof("vpopmail"));
		memcpy(sv->host, "localhost", sizeof("localhost"));
	}
	if (o->server != NULL && server_override(sv, o->server) < 0) {
		open_fail(m, src, "--mysql: neither HOST[:PORT] nor a socket "
		    "path", todo);
		goto fail;
	}
	if (o->server == NULL && (sv->socket[0] != '\0' ||
	    strcmp(sv->host, "localhost") == 0 ||
	    strncmp(sv->host, "127.", 4) == 0 || strcmp(sv->host, "::1") == 0)) {
		open_fail(m, src, "the database is on the old host itself "
		    "(localhost or a socket there), not here", todo);
		goto fail;
	}
	if (o->user != NULL) {
		if (strlen(o->user) >= sizeof(sv->user)) {
			open_fail(m, src, "--mysql-user: too long", todo);
			goto fail;
		}
		memcpy(sv->user, o->user, strlen(o->user) + 1);
	}
	if (o->password_file != NULL &&
	    (e = password_from(o->password_file, sv->password,
	    sizeof(sv->password))) < 0) {
		open_fail(m, src, model_printf(m, "--mysql-password-file: %s",
		    qpm_strerror(e)), todo);
		goto fail;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		m->nomem = 1;
		goto fail;
	}
	db->m = m;
	db->src = src;
	db->db = model_strdup(m, sv->database);
	db->where = sv->socket[0] != '\0' ? model_strdup(m, sv->socket) :
	    sv->port != 0 ? model_printf(m, "%s:%u", sv->host, sv->port) :
	    model_strdup(m, sv->host);
	if ((db->c = mysql_init(NULL)) == NULL) {
		m->nomem = 1;
		goto fail;
	}
	/* the server's bytes as stored (latin1 on an old CentOS server),
	 * as vpopmail's client saw them; no option file read */
	mysql_options(db->c, MYSQL_SET_CHARSET_NAME, "binary");
	mysql_options(db->c, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->c, MYSQL_OPT_READ_TIMEOUT, &timeout);
	if (mysql_real_connect(db->c, sv->host, sv->user, sv->password,
	    sv->database, sv->port, sv->socket[0] ? sv->socket : NULL,
	    0) == NULL) {
		open_fail(m, src, model_printf(m, "%s (%s, database %s)",
		    db_why(db), db->where, db->db), todo);
		goto fail;
	}
	vmysql_conf_wipe(&vc);
	if (query(db, "SET SESSION TRANSACTION READ ONLY") < 0 ||
	    load_tables(db) < 0) {
		open_fail(m, src, db_why(db), todo);
		goto fail;
	}
	db->shared = has_table(db, "vpopmail");
	m->userdb = "mysql";
	m->userdb_layout = db->shared ? "one table (vpopmail, pw_domain)" :
	    "one table per domain";
	m->userdb_where = model_printf(m, "%s, database %s", db->where,
	    db->db);
	m->userdb_src = src;
	return db;
fail:
	vmysql_conf_wipe(&vc);
	vmysql_close(db);
	return NULL;
}

void
vmysql_close(struct vmysql *db)
{
	size_t i;

	if (db == NULL)
		return;
	if (db->c != NULL)
		mysql_close(db->c);
	for (i = 0; i < db->ntables; i++)
		free(db->tables[i]);
	free(db->tables);
	free(db);
}

/* "[DIR/]mysql:DB.TABLE[key]": the table and the row's primary key, its
 * bytes made visible; DIR: where its programs ran (q2p-dotqmail -c) */
static const char *
row_src(struct vmysql *db, const char *dir, const char *table,
    const char *key, size_t n, const char *domain)
{
	struct qstr s = QSTR_INIT(QPM_MAX_CONFIG_LINE);
	const char *r = NULL;

	if ((dir == NULL || qstr_catf(&s, "%s/", dir) == 0) &&
	    qstr_catf(&s, "mysql:%s.%s[", db->db, table) == 0 &&
	    qstr_cat_vis(&s, key, n, 0) == 0 &&
	    (domain == NULL || (qstr_catc(&s, '@') == 0 &&
	    qstr_cat(&s, domain) == 0)) && qstr_catc(&s, ']') == 0)
		r = model_file(db->m, s.buf);
	qstr_free(&s);
	return r;
}

/* 1 when clear is the password of hash (crypt(3), as vchkpw checks) */
static int
clear_matches(const char *clear, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	int ok;

	if (*hash == '\0' || (cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	h = crypt_r(clear, hash, cd);
	ok = h != NULL && h[0] != '*' && strcmp(h, hash) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static const char *const col_name[8] = { "pw_name", "pw_passwd", "pw_uid",
    "pw_gid", "pw_gecos", "pw_dir", "pw_shell", "pw_clear_passwd" };

static void
user_row(struct vmysql *db, struct m_domain *d, const char *table,
    MYSQL_ROW row, const unsigned long *len, unsigned ncol)
{
	struct model *m = db->m;
	struct src src = { NULL, 0 };
	const char *f[8];
	size_t fl[8], i, before = m->mailboxes.n;
	struct m_mailbox *mb;

	model_read(m, CAT_VPASSWD);
	src.file = row_src(db, NULL, table, row[0] ? row[0] : "", row[0] ? len[0] :
	    0, db->shared ? d->name : NULL);
	if (src.file == NULL)
		return;
	for (i = 0; i < ncol; i++) {
		f[i] = row[i] != NULL ? row[i] : "";
		fl[i] = row[i] != NULL ? len[i] : 0;
		if (fl[i] > VMYSQL_MAX_FIELD) {
			model_list(m, CAT_VPASSWD, src, "vpopmail row",
			    model_printf(m, "%s is %zu bytes: vpopmail cut it "
			    "at %d", col_name[i], fl[i], VMYSQL_MAX_FIELD),
			    "fix the row on the old host, migrate again");
			return;
		}
	}
	if (vpasswd_fields(m, d, src, f, fl, ncol) < 0 ||
	    m->mailboxes.n == before)
		return;
	mb = M_MAILBOX(m, m->mailboxes.n - 1);
	/* pw_clear_passwd is char(16) and vmoduser -e leaves it stale:
	 * the rehearsal logs in with it only when it opens the hash */
	if (mb->clear != NULL && !clear_matches(mb->clear, mb->hash)) {
		mb->clear = NULL;
		m->clear_unverified++;
		model_note(m, src, model_printf(m, "%s@%s", mb->local,
		    mb->domain), "pw_clear_passwd does not match pw_passwd: "
		    "not used, the rehearsal cannot try this login",
		    "give the password with rehearse --passwords");
	}
}

/* SELECT the users of d; -1 when the domain has no table (listed) */
int
vmysql_users(struct vmysql *db, struct m_domain *d)
{
	struct model *m = db->m;
	struct qstr q = QSTR_INIT(VMYSQL_MAX_QUERY);
	char table[QPM_MAX_DOMAIN + 1];
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	size_t i;
	int rc = 0, e;

	if (db->shared) {
		memcpy(table, "vpopmail", sizeof("vpopmail"));
	} else {
		if (vmysql_munch(d->name, table, sizeof(table)) < 0 ||
		    !has_table(db, table)) {
			model_list(m, CAT_DOMAIN, d->src, d->name,
			    model_printf(m, "no table %s in database %s (%s)",
			    table, db->db, db->where), "add the domain's "
			    "users by hand, or drop it from users/assign");
			return -1;
		}
		/* a-b.test and a.b.test share a table: whose rows? */
		for (i = 0; i < m->domains.n; i++) {
			const struct m_domain *o = M_DOMAIN(m, i);
			char ot[QPM_MAX_DOMAIN + 1];

			if (o != d && o->kind == DOM_MAILBOX &&
			    vmysql_munch(o->name, ot, sizeof(ot)) == 0 &&
			    strcmp(ot, table) == 0) {
				model_list(m, CAT_DOMAIN, d->src, d->name,
				    model_printf(m, "shares table %s with %s "
				    "(vpopmail names both so): vpopmail "
				    "saw the same users in both", table,
				    o->name), "split the users by hand");
				return -1;
			}
		}
	}
	for (db->clear_col = 1;;) {
		qstr_reset(&q);
		e = qstr_catf(&q, "SELECT pw_name, pw_passwd, pw_uid, pw_gid, "
		    "pw_gecos, pw_dir, pw_shell%s FROM `%s`", db->clear_col ?
		    ", pw_clear_passwd" : "", table);
		if (e == 0 && db->shared)
			e = qstr_cat(&q, " WHERE pw_domain = ") < 0 ? -1 :
			    quoted(db, &q, d->name);
		if (e == 0)
			e = qstr_cat(&q, " ORDER BY pw_name");
		if (e < 0 || query(db, q.buf) < 0) {
			/* without --enable-clear-passwd: no such column */
			if (e == 0 && db->clear_col &&
			    mysql_errno(db->c) == ER_BAD_FIELD_ERROR) {
				db->clear_col = 0;
				continue;
			}
			break;
		}
		res = mysql_use_result(db->c);
		break;
	}
	if (res == NULL) {
		model_list(m, CAT_DOMAIN, d->src, d->name, model_printf(m,
		    "table %s: %s", table, e < 0 ? "query too long" :
		    db_why(db)), "check the database, migrate again");
		qstr_free(&q);
		return -1;
	}
	while ((row = mysql_fetch_row(res)) != NULL)
		user_row(db, d, table, row, mysql_fetch_lengths(res),
		    db->clear_col ? 8 : 7);
	if (mysql_errno(db->c) != 0) {
		model_list(m, CAT_DOMAIN, d->src, d->name, model_printf(m,
		    "table %s: %s while reading", table, db_why(db)),
		    "check the database, migrate again");
		rc = -1;
	}
	mysql_free_result(res);
	qstr_free(&q);
	if (rc == 0 && db->shared && d->nmailboxes == 0)
		model_note(m, d->src, d->name, "no users in table vpopmail",
		    "check the database");
	return rc;
}

/* a rule among the first n (a domain .qmail file's, or an earlier
 * valias row's) already answers for local */
static int
file_rule(const struct model *m, size_t n, enum m_key key, const char *local,
    const char *domain)
{
	const struct m_rule *r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = M_RULE(m, i);
		if (r->key == key && r->origin == ORIG_DOMAIN &&
		    strcmp(r->local, local) == 0 &&
		    strcmp(r->domain, domain) == 0)
			return 1;
	}
	return 0;
}

/* The lines of one alias, SELECTed as vdelivermail does (its order),
 * into buf one per line; a line holding a newline is listed and a
 * comment stands in its place. */
static int
alias_lines(struct vmysql *db, const char *alias, const char *domain,
    const char *file, struct qstr *buf)
{
	struct model *m = db->m;
	struct qstr q = QSTR_INIT(VMYSQL_MAX_QUERY);
	struct src src = { file, 0 };
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long *len;
	int e;

	qstr_reset(buf);
	if ((e = qstr_cat(&q, "SELECT valias_line FROM valias WHERE "
	    "alias = ")) < 0 || (e = quoted(db, &q, alias)) < 0 ||
	    (e = qstr_cat(&q, " AND domain = ")) < 0 ||
	    (e = quoted(db, &q, domain)) < 0 || query(db, q.buf) < 0 ||
	    (res = mysql_store_result(db->c)) == NULL) {
		qstr_free(&q);
		return -1;
	}
	qstr_free(&q);
	while ((row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		src.line++;
		if (row[0] != NULL && memchr(row[0], '\n', len[0]) != NULL) {
			if (file != NULL) {	/* NULL: a repeat */
				model_read(m, CAT_DOTQMAIL);
				model_list(m, CAT_DOTQMAIL, src, "valias row",
				    "valias_line holds a newline: no .qmail "
				    "line or table line can carry it",
				    "fix the row on the old host, migrate "
				    "again");
			}
			e = qstr_cat(buf, "#\n");
		} else if ((e = qstr_catn(buf, row[0] ? row[0] : "",
		    row[0] ? len[0] : 0)) == 0)
			e = qstr_catc(buf, '\n');
		if (e < 0)
			break;
	}
	mysql_free_result(res);
	return e;
}

void
vmysql_valias(struct vmysql *db, struct m_domain *d, const char *user)
{
	struct model *m = db->m;
	struct qstr q = QSTR_INIT(VMYSQL_MAX_QUERY);
	struct qstr buf = QSTR_INIT(QPM_MAX_CONFIG_FILE);
	struct dq_ctx ctx;
	struct src src = { NULL, 0 };
	struct m_mailbox *mb;
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long *len;
	const char *alias, *file;
	size_t plen, k, nfile;
	char **names = NULL, **nv;
	size_t n = 0;

	if (!has_table(db, "valias"))
		return;
	nfile = m->rules.n;	/* the domain's .qmail files' */
	if (qstr_cat(&q, "SELECT DISTINCT alias FROM valias WHERE domain = ")
	    < 0 || quoted(db, &q, d->name) < 0 || query(db, q.buf) < 0 ||
	    (res = mysql_store_result(db->c)) == NULL) {
		model_read(m, CAT_DOTQMAIL);
		model_list(m, CAT_DOTQMAIL, d->src, model_printf(m,
		    "valias rows of %s", d->name), db_why(db),
		    "check the database, migrate again");
		qstr_free(&q);
		return;
	}
	qstr_free(&q);
	while ((row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		if ((nv = realloc(names, (n + 1) * sizeof(*nv))) == NULL)
			break;
		names = nv;
		if ((names[n] = malloc(len[0] + 1)) == NULL)
			break;
		memcpy(names[n], row[0] ? row[0] : "", len[0]);
		names[n][len[0]] = '\0';
		n++;
		/* an alias name with a NUL: listed below by its length */
		if (strlen(names[n - 1]) != len[0])
			names[n - 1][0] = '\0';
	}
	mysql_free_result(res);
	for (k = 0; k < n; k++) {
		alias = model_lower(m, names[k], strlen(names[k]));
		/* the group's directory: where vdelivermail ran, the
		 * domain's (q2p-dotqmail's -c) */
		file = d->dir != NULL && alias != NULL ? row_src(db, d->dir,
		    "valias", alias, strlen(alias), d->name) : NULL;
		if (file == NULL)
			continue;
		src.file = file;
		memset(&ctx, 0, sizeof(ctx));
		ctx.domain = d->name;
		ctx.dir = d->dir;
		ctx.user = user;
		ctx.count = 1;
		switch (valias_name(alias, strlen(alias), &plen)) {
		case VALIAS_BAD:
			model_read(m, CAT_DOTQMAIL);
			model_list(m, CAT_DOTQMAIL, src, "valias row",
			    "empty alias name or a NUL byte in it",
			    "fix the row on the old host, migrate again");
			continue;
		case VALIAS_PREFIX:
			ctx.origin = ORIG_DOMAIN;
			ctx.key = KEY_PREFIX;
			ctx.local = model_strndup(m, alias, plen);
			break;
		case VALIAS_EXACT:
			ctx.key = KEY_ADDRESS;
			ctx.local = alias;
			mb = model_mailbox(m, alias, d->name);
			if (mb != NULL) {
				/* qmailadmin's forward: vdelivermail reads it
				 * before the user's own .qmail */
				ctx.origin = ORIG_USER;
				ctx.owner = mb;
				mb->valias = 1;
			} else
				ctx.origin = ORIG_DOMAIN;
			break;
		}
		if (ctx.local == NULL)
			continue;
		if (alias_lines(db, names[k], d->name, file, &buf) < 0) {
			model_read(m, CAT_DOTQMAIL);
			model_list(m, CAT_DOTQMAIL, src, "valias row",
			    db_why(db), "check the database, migrate again");
			continue;
		}
		if (ctx.origin == ORIG_DOMAIN &&
		    file_rule(m, nfile, ctx.key, ctx.local, d->name)) {
			/* qmail-local reads DOMDIR/.qmail-ALIAS first */
			ctx.count = 0;
			model_read(m, CAT_DOTQMAIL);
			model_list(m, CAT_DOTQMAIL, src, "valias row",
			    "a .qmail file of the domain answers for the "
			    "address first: qmail never looked it up",
			    "nothing (or move the lines into the file)");
			continue;
		}
		dotqmail_apply(m, &ctx, file, buf.buf ? buf.buf : "", buf.len);
	}
	/* --enable-qmail-ext: vdelivermail takes the alias named by the
	 * part before the first '-' when no ...-default row (nor a domain
	 * .qmail-...-default file) matched first */
	for (k = 0; k < n && m->qmail_ext; k++) {
		alias = model_lower(m, names[k], strlen(names[k]));
		/* the part before the first '-': an alias with a '-' is
		 * never that part */
		if (alias == NULL || valias_name(alias, strlen(alias), &plen) !=
		    VALIAS_EXACT || strchr(alias, '-') != NULL ||
		    model_mailbox(m, alias, d->name) != NULL)
			continue;
		file = row_src(db, d->dir, "valias", alias, strlen(alias),
		    d->name);
		memset(&ctx, 0, sizeof(ctx));
		ctx.origin = ORIG_DOMAIN;
		ctx.key = KEY_PREFIX;
		ctx.local = model_printf(m, "%s-", alias);
		ctx.domain = d->name;
		ctx.dir = d->dir;
		ctx.user = user;
		ctx.count = 0;	/* the rows were counted above */
		if (ctx.local == NULL || file == NULL || file_rule(m,
		    m->rules.n, KEY_PREFIX, ctx.local, d->name) ||
		    alias_lines(db, names[k], d->name, NULL, &buf) < 0)
			continue;
		dotqmail_apply(m, &ctx, file, buf.buf ? buf.buf : "", buf.len);
	}
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
	qstr_free(&buf);
}

void
vmysql_lastauth(struct vmysql *db)
{
	struct model *m = db->m;
	struct m_mailbox *mb;
	struct src src = { NULL, 0 };
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long *len;
	const char *u, *dom;
	long long t;
	char num[32], *end;

	if (!has_table(db, "lastauth"))
		return;
	if (query(db, "SELECT user, domain, remote_ip, timestamp FROM "
	    "lastauth ORDER BY domain, user") < 0 ||
	    (res = mysql_store_result(db->c)) == NULL) {
		model_note(m, db->src, "lastauth", db_why(db),
		    "nothing: the report lacks the last logins");
		return;
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		if (row[0] == NULL || row[1] == NULL || row[2] == NULL ||
		    row[3] == NULL)
			continue;
		src.file = row_src(db, NULL, "lastauth", row[0], len[0], NULL);
		if (src.file == NULL)
			continue;
		u = model_lower(m, row[0], len[0]);
		dom = model_lower(m, row[1], len[1]);
		if (len[3] >= sizeof(num))
			len[3] = 0;
		memcpy(num, row[3], len[3]);
		num[len[3]] = '\0';
		errno = 0;
		t = strtoll(num, &end, 10);
		mb = u != NULL && dom != NULL && strlen(u) == len[0] &&
		    strlen(dom) == len[1] ? model_mailbox(m, u, dom) : NULL;
		if (mb == NULL || memchr(row[2], '\0', len[2]) != NULL ||
		    len[2] > 64 || num[0] == '\0' || *end != '\0' ||
		    errno != 0 || t < 0) {
			model_note(m, src, "lastauth row", mb == NULL ?
			    "no such mailbox" : "unreadable remote_ip or "
			    "timestamp", "nothing: not in the report");
			continue;
		}
		mb->last_login = t;
		mb->last_from = model_strndup(m, row[2], len[2]);
		m->nlastauth++;
	}
	mysql_free_result(res);
}
