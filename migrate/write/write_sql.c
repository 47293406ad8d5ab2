/*
 * NAME		write_sql - the users and routes for MariaDB (--userdb sql)
 * DOES		OUT/sql: schema.sql (the tables), data.sql (the rows:
 *		vpasswd's mailboxes with their hashes as they are, the
 *		domains, Maildirs and aliases of the Postfix tables the
 *		file output writes), grant.sql (the reading user and its
 *		password), password, README (the load commands); the
 *		mysql: map files Postfix reads and Dovecot's queries
 * NEVER	prints a hash or the password; puts an old-host byte into
 *		SQL text other than through sql_literal()
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/write/writers.h"
#include "util/err.h"
#include "util/file.h"
#include "util/msg.h"

#define BIG	((size_t)1 << 32)
/* 192 bits of the password, as hex: no byte any of the files quote */
#define SQL_PASSWORD_BYTES	24

/*
 * A MariaDB string literal of n bytes.  Inside '...' MariaDB reads a
 * backslash as an escape, except under sql_mode NO_BACKSLASH_ESCAPES,
 * where it is a plain byte: no backslash form is right in both.  So a
 * value of printable ASCII without a backslash is quoted with its quotes
 * doubled (the same in every mode); any other (backslash, NUL, control,
 * DEL, non-ASCII) is written whole as a hex literal X'..', which every
 * mode and character set reads as those bytes.
 */
int
sql_literal(struct qstr *s, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len0 = s->len, i;
	int e = 0, plain = 1;

	for (i = 0; i < n && plain; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e ||
		    p[i] == '\\')
			plain = 0;
	if (plain) {
		e = qstr_catc(s, '\'');
		for (i = 0; i < n && e == 0; i++)
			e = p[i] == '\'' ? qstr_cat(s, "''") :
			    qstr_catc(s, p[i]);
		if (e == 0)
			e = qstr_catc(s, '\'');
	} else {
		e = qstr_cat(s, "X'");
		for (i = 0; i < n && e == 0; i++)
			if ((e = qstr_catc(s, hex[(unsigned char)p[i] >> 4])) == 0)
				e = qstr_catc(s, hex[(unsigned char)p[i] & 15]);
		if (e == 0)
			e = qstr_catc(s, '\'');
	}
	if (e < 0) {
		s->len = len0;
		if (s->buf != NULL)
			s->buf[len0] = '\0';
	}
	return e;
}

static int
dsn_word_ok(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && strchr("._-/", *v) == NULL)
			return 0;
	return 1;
}

int
sql_dsn_parse(struct sql_dsn *d, char *spec, const char **why)
{
	char *kv, *v, *next;
	long port;

	d->host = NULL;
	d->socket = Q2P_SQL_SOCKET;
	d->dbname = d->user = "mail";
	d->port = 3306;
	for (kv = spec; kv != NULL && *kv != '\0'; kv = next) {
		if ((next = strchr(kv, ',')) != NULL)
			*next++ = '\0';
		if ((v = strchr(kv, '=')) == NULL) {
			*why = "not KEY=VALUE";
			return QPM_ESYNTAX;
		}
		*v++ = '\0';
		/* every value lands in a query, a map file and a connect
		 * string: letters, digits and . _ - / only */
		if (!dsn_word_ok(v)) {
			*why = "a value other than letters, digits and . _ - /";
			return QPM_ESYNTAX;
		}
		if (strcmp(kv, "host") == 0) {
			d->host = v;
			d->socket = NULL;
		} else if (strcmp(kv, "socket") == 0) {
			if (*v != '/') {
				*why = "socket is not an absolute path";
				return QPM_ESYNTAX;
			}
			d->socket = v;
			d->host = NULL;
		} else if (strcmp(kv, "port") == 0) {
			port = strtol(v, &kv, 10);
			if (*kv != '\0' || port < 1 || port > 65535) {
				*why = "port is not 1..65535";
				return QPM_ESYNTAX;
			}
			d->port = (int)port;
		} else if (strcmp(kv, "dbname") == 0 && strchr(v, '/') == NULL)
			d->dbname = v;
		else if (strcmp(kv, "user") == 0 && strchr(v, '/') == NULL)
			d->user = v;
		else {
			*why = "a key other than host, port, socket, dbname, "
			    "user (or '/' in a name)";
			return QPM_ESYNTAX;
		}
	}
	return 0;
}

int
sql_out_init(struct sql_out *q)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[SQL_PASSWORD_BYTES];
	size_t i;
	int e;

	qstr_init(&q->boxes, BIG);
	qstr_init(&q->maps, BIG);
	if ((e = writer_random(b, sizeof(b))) < 0)
		return e;
	for (i = 0; i < sizeof(b); i++) {
		q->password[2 * i] = hex[b[i] >> 4];
		q->password[2 * i + 1] = hex[b[i] & 15];
	}
	q->password[2 * sizeof(b)] = '\0';
	explicit_bzero(b, sizeof(b));
	return 0;
}

void
sql_out_free(struct sql_out *q)
{
	qstr_free(&q->boxes);
	qstr_free(&q->maps);
	explicit_bzero(q->password, sizeof(q->password));
}

/* the mailboxes row of mb: the fields of Dovecot's users file, and the
 * flags its deny lists hold */
int
sql_mailbox_row(struct sql_out *q, const struct m_mailbox *mb, long uid,
    long gid)
{
	struct qstr a = QSTR_INIT(BIG);
	int e;

	if ((e = qstr_catf(&a, "%s@%s", mb->local, mb->domain)) < 0 ||
	    (e = writer_src(&q->boxes, "-- from ", mb->src)) < 0 ||
	    (e = qstr_cat(&q->boxes, "INSERT INTO mailboxes VALUES (")) < 0 ||
	    (e = sql_literal(&q->boxes, a.buf, a.len)) < 0)
		goto out;
	qstr_reset(&a);
	/* an empty vpopmail password refused every login: keep it so */
	if ((e = qstr_catf(&a, "{CRYPT}%s", mb->hash[0] ? mb->hash : "!")) < 0 ||
	    (e = qstr_cat(&q->boxes, ", ")) < 0 ||
	    (e = sql_literal(&q->boxes, a.buf, a.len)) < 0 ||
	    (e = qstr_catf(&q->boxes, ", %ld, %ld, ", uid, gid)) < 0 ||
	    (e = sql_literal(&q->boxes, mb->home, strlen(mb->home))) < 0)
		goto out;
	if (mb->quota_bytes >= 0)
		e = qstr_catf(&q->boxes, ", %lld", mb->quota_bytes);
	else
		e = qstr_cat(&q->boxes, ", NULL");
	if (e == 0 && mb->quota_count >= 0)
		e = qstr_catf(&q->boxes, ", %lld", mb->quota_count);
	else if (e == 0)
		e = qstr_cat(&q->boxes, ", NULL");
	if (e == 0)
		e = qstr_catf(&q->boxes, ", %d, %d, %d, %d);\n",
		    !!(mb->flags & VP_NO_POP), !!(mb->flags & VP_NO_IMAP),
		    !!(mb->flags & VP_NO_SMTP), !!(mb->flags & VP_NO_WEBMAIL));
out:
	qstr_free(&a);
	return e;
}

/* The tables of the Postfix writer that go into MariaDB, each with the
 * table of data.sql its rows go to and the query of its map file. */
static const struct sql_map {
	const char	*name;		/* OUT/postfix/NAME as the file output */
	const char	*insert;	/* "INSERT INTO t VALUES (" */
	const char	*tail;		/* after the key and the value */
	const char	*query;
} sql_maps[] = {
	{ "virtual_mailbox_domains", "INSERT INTO domains VALUES (",
	    ", 'mailbox');\n", "SELECT result FROM domains WHERE "
	    "domain = '%s' AND kind = 'mailbox'" },
	{ "virtual_alias_domains", "INSERT INTO domains VALUES (",
	    ", 'alias');\n", "SELECT result FROM domains WHERE "
	    "domain = '%s' AND kind = 'alias'" },
	{ "virtual_mailbox", "INSERT INTO maildirs VALUES (", ");\n",
	    "SELECT maildir FROM maildirs WHERE address = '%s'" },
	{ "virtual_alias", "INSERT INTO aliases VALUES (", ");\n",
	    "SELECT destination FROM aliases WHERE address = '%s'" },
	{ NULL, NULL, NULL, NULL }
};

static const struct sql_map *
sql_map_find(const char *name)
{
	size_t i;

	for (i = 0; sql_maps[i].name != NULL; i++)
		if (strcmp(sql_maps[i].name, name) == 0)
			return &sql_maps[i];
	return NULL;
}

int
sql_has_map(const char *name)
{
	return sql_map_find(name) != NULL;
}

/*
 * The rows of one Postfix lookup table, read as postmap reads the
 * source the file output writes: a comment or empty line is skipped,
 * the key ends at the first blank and is folded to lower case (as
 * postmap and the mysql: lookup fold it), the value is the rest without
 * its surrounding blanks.  The writer puts no continuation line there;
 * one would be an internal error, never a dropped row.
 */
int
sql_map_rows(struct sql_out *q, const char *name, const struct qstr *body)
{
	const struct sql_map *sm = sql_map_find(name);
	const char *s, *eol, *k, *v, *ve;
	struct qstr key = QSTR_INIT(BIG);
	size_t kl, i;
	int e = 0;

	if (sm == NULL)
		return QPM_ESYNTAX;
	if (body->len == 0)
		return 0;
	e = qstr_catf(&q->maps, "-- %s\n", name);
	for (s = body->buf; e == 0 && *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		k = s;
		if (k == eol || *k == '#')
			continue;
		if (*k == ' ' || *k == '\t') {
			msg_errorx("postfix/%s: a continuation line: no row "
			    "for it", name);
			e = QPM_ESYNTAX;
			break;
		}
		kl = strcspn(k, " \t\n");
		for (v = k + kl; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		qstr_reset(&key);
		for (i = 0; i < kl && e == 0; i++)
			e = qstr_catc(&key, (char)tolower((unsigned char)k[i]));
		if (e == 0)
			e = qstr_cat(&q->maps, sm->insert);
		if (e == 0)
			e = sql_literal(&q->maps, key.buf, key.len);
		if (e == 0 && (e = qstr_cat(&q->maps, ", ")) == 0)
			e = sql_literal(&q->maps, v, (size_t)(ve - v));
		if (e == 0)
			e = qstr_cat(&q->maps, sm->tail);
	}
	qstr_free(&key);
	return e;
}

/* "inet:HOST:PORT" or "unix:SOCKET", as Postfix's hosts names it */
static int
sql_pf_hosts(struct qstr *s, const struct sql_dsn *d)
{
	if (d->socket != NULL)
		return qstr_catf(s, "unix:%s", d->socket);
	return qstr_catf(s, "inet:%s:%d", d->host, d->port);
}

int
sql_postfix_cf(const struct wopts *o, const char *name)
{
	const struct sql_map *sm = sql_map_find(name);
	const struct sql_out *q = o->sql;
	struct qstr s = QSTR_INIT(BIG), rel = QSTR_INIT(BIG);
	int e;

	if (sm == NULL)
		return QPM_ESYNTAX;
	if ((e = qstr_catf(&s, "# %s: a mysql: lookup table written by "
	    "qmail2postfix " PACKAGE_VERSION ".\n# The rows are in MariaDB "
	    "(the sql directory: schema.sql, data.sql).\n# It holds the "
	    "password: 0640, group postfix once installed.\nhosts = ",
	    name)) < 0 || (e = sql_pf_hosts(&s, &q->dsn)) < 0 ||
	    (e = qstr_catf(&s, "\ndbname = %s\nuser = %s\npassword = %s\n"
	    "query = %s\n", q->dsn.dbname, q->dsn.user, q->password,
	    sm->query)) < 0 ||
	    (e = qstr_catf(&rel, "postfix/mysql-%s.cf", name)) < 0)
		goto out;
	e = writer_file(o, rel.buf, &s, 0640);
out:
	explicit_bzero(s.buf, s.cap);
	qstr_free(&s);
	qstr_free(&rel);
	return e;
}

int
sql_dovecot_connect(struct qstr *s, const struct wopts *o)
{
	const struct sql_dsn *d = &o->sql->dsn;

	if (d->socket != NULL)
		return qstr_catf(s, "host=%s dbname=%s user=%s password=%s",
		    d->socket, d->dbname, d->user, o->sql->password);
	return qstr_catf(s, "host=%s port=%d dbname=%s user=%s password=%s",
	    d->host, d->port, d->dbname, d->user, o->sql->password);
}

int
sql_dovecot24_mysql(struct qstr *s, const struct wopts *o)
{
	const struct sql_dsn *d = &o->sql->dsn;
	int e;

	/* 2.4: the host (or socket) names a mysql filter; the values are
	 * sql_dsn_parse's words and the hex password: nothing to quote */
	if (d->socket != NULL)
		e = qstr_catf(s, "mysql %s {\n", d->socket);
	else
		e = qstr_catf(s, "mysql %s {\n  port = %d\n", d->host,
		    d->port);
	if (e < 0)
		return e;
	return qstr_catf(s, "  dbname = %s\n  user = %s\n  password = %s\n}\n",
	    d->dbname, d->user, o->sql->password);
}

static const char schema[] =
    "-- The users and routes of the new host for MariaDB, written by\n"
    "-- qmail2postfix " PACKAGE_VERSION ". Load it first (README).\n"
    "-- Binary columns: addresses and paths are compared byte for byte, as\n"
    "-- the passwd-file and the hash: tables did; keys are lower case.\n"
    "-- strict: a value too long for its column fails the load, never cut\n"
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';\n"
    "CREATE DATABASE IF NOT EXISTS `%s`;\n"
    "USE `%s`;\n"
    "-- Dovecot's passdb and userdb: one row per vpasswd mailbox, the\n"
    "-- fields of the users file of the file output. password: the hash\n"
    "-- as vpopmail kept it, with its {CRYPT} scheme; quota_bytes and\n"
    "-- quota_count NULL: none (NOQUOTA); deny_*: vpopmail's NO_POP,\n"
    "-- NO_IMAP, NO_SMTP, NO_WEBMAIL (webmail: POP3 and IMAP from\n"
    "-- 127.0.0.1, where NO_POP and NO_IMAP do not apply)\n"
    "CREATE TABLE IF NOT EXISTS mailboxes (\n"
    "  address VARBINARY(320) NOT NULL PRIMARY KEY,\n"
    "  password VARBINARY(1024) NOT NULL,\n"
    "  uid INT UNSIGNED NOT NULL,\n"
    "  gid INT UNSIGNED NOT NULL,\n"
    "  home VARBINARY(4096) NOT NULL,\n"
    "  quota_bytes BIGINT NULL,\n"
    "  quota_count BIGINT NULL,\n"
    "  deny_pop3 BOOLEAN NOT NULL DEFAULT 0,\n"
    "  deny_imap BOOLEAN NOT NULL DEFAULT 0,\n"
    "  deny_smtp BOOLEAN NOT NULL DEFAULT 0,\n"
    "  deny_webmail BOOLEAN NOT NULL DEFAULT 0\n"
    ") ENGINE=InnoDB;\n"
    "-- Postfix's virtual_mailbox_domains (kind mailbox) and\n"
    "-- virtual_alias_domains (kind alias); result is what the lookup answers\n"
    "CREATE TABLE IF NOT EXISTS domains (\n"
    "  domain VARBINARY(255) NOT NULL,\n"
    "  result VARBINARY(255) NOT NULL,\n"
    "  kind ENUM('mailbox', 'alias') NOT NULL,\n"
    "  PRIMARY KEY (domain, kind)\n"
    ") ENGINE=InnoDB;\n"
    "-- Postfix's virtual_mailbox_maps: the Maildir of each address\n"
    "CREATE TABLE IF NOT EXISTS maildirs (\n"
    "  address VARBINARY(1024) NOT NULL PRIMARY KEY,\n"
    "  maildir VARBINARY(4096) NOT NULL\n"
    ") ENGINE=InnoDB;\n"
    "-- Postfix's virtual_alias_maps (with the regexp: file beside it):\n"
    "-- aliases, forwards, catch-alls (key @domain), alias domains;\n"
    "-- destination is a comma-separated list, as in the hash: table\n"
    "CREATE TABLE IF NOT EXISTS aliases (\n"
    "  address VARBINARY(1024) NOT NULL PRIMARY KEY,\n"
    "  destination BLOB NOT NULL\n"
    ") ENGINE=InnoDB;\n";

static int
sql_readme(const struct wopts *o, struct qstr *s)
{
	const struct sql_dsn *d = &o->sql->dsn;
	struct wtext t = { s, 0 };

	wt_catf(&t, "The new host's users and routes for MariaDB, written by "
	    "qmail2postfix " PACKAGE_VERSION "\n(--userdb sql).\n\n"
	    "  schema.sql   the database %s and its tables (IF NOT EXISTS)\n"
	    "  data.sql     the rows; it replaces every row of those tables "
	    "in one\n               transaction. It holds the password hashes: "
	    "0600.\n"
	    "  grant.sql    the user %s@%s, its password, SELECT on %s.*: "
	    "0600\n"
	    "  password     that password alone: 0600\n\n"
	    "Postfix reads them through postfix/mysql-*.cf (the password "
	    "inside: install\ngives them mode 0640 and the group postfix), "
	    "Dovecot through\ndovecot/dovecot-sql.conf.ext (0600, read as "
	    "root). qmail2postfix install loads\nnothing by itself. To load, "
	    "as MariaDB's root on the database host:\n\n"
	    "  mariadb < schema.sql\n  mariadb < grant.sql\n"
	    "  mariadb < data.sql\n\n"
	    "Nothing else is needed: transport, sender_access and "
	    "recipient_access stay\nhash: tables (each transport row names a "
	    "service of master.cf), and the\nregexp: tables stay files.\n",
	    d->dbname, d->user, d->socket != NULL ? "localhost" : "%",
	    d->dbname);
	return t.e;
}

int
write_sql(const struct model *m, const struct wopts *o)
{
	const struct sql_dsn *d;
	struct qstr s = QSTR_INIT(BIG);
	int e;

	(void)m;
	if (o->sql == NULL)
		return 0;
	d = &o->sql->dsn;
	if ((e = qstr_catf(&s, schema, d->dbname, d->dbname)) < 0 ||
	    (e = writer_file(o, "sql/schema.sql", &s, QPM_MODE_PUBLIC)) < 0)
		goto out;
	qstr_reset(&s);
	if ((e = qstr_catf(&s, "-- The rows of schema.sql's tables, written "
	    "by qmail2postfix " PACKAGE_VERSION ".\n-- It holds the password "
	    "hashes: never readable by others. Each row\n-- names its old "
	    "file:line. Loading it replaces every row. Strict: a value\n-- "
	    "too long for its column fails the load, never cut.\n"
	    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';"
	    "\nUSE `%s`;\n"
	    "START TRANSACTION;\nDELETE FROM mailboxes;\nDELETE FROM domains;\n"
	    "DELETE FROM maildirs;\nDELETE FROM aliases;\n", d->dbname)) < 0 ||
	    (e = qstr_catn(&s, qstr_str(&o->sql->boxes),
	    o->sql->boxes.len)) < 0 ||
	    (e = qstr_catn(&s, qstr_str(&o->sql->maps), o->sql->maps.len)) < 0 ||
	    (e = qstr_cat(&s, "COMMIT;\n")) < 0 ||
	    (e = writer_file(o, "sql/data.sql", &s, QPM_MODE_SECRET)) < 0)
		goto out;
	explicit_bzero(s.buf, s.cap);
	qstr_reset(&s);
	if ((e = qstr_catf(&s, "-- The user Postfix and Dovecot read the "
	    "tables as, written by qmail2postfix.\n-- It holds the password: "
	    "never readable by others.\nCREATE USER IF NOT EXISTS '%s'@'%s' "
	    "IDENTIFIED BY '%s';\nALTER USER '%s'@'%s' IDENTIFIED BY '%s';\n"
	    "GRANT SELECT ON `%s`.* TO '%s'@'%s';\n", d->user,
	    d->socket != NULL ? "localhost" : "%", o->sql->password, d->user,
	    d->socket != NULL ? "localhost" : "%", o->sql->password, d->dbname,
	    d->user, d->socket != NULL ? "localhost" : "%")) < 0 ||
	    (e = writer_file(o, "sql/grant.sql", &s, QPM_MODE_SECRET)) < 0)
		goto out;
	explicit_bzero(s.buf, s.cap);
	qstr_reset(&s);
	if ((e = qstr_catf(&s, "%s\n", o->sql->password)) < 0 ||
	    (e = writer_file(o, "sql/password", &s, QPM_MODE_SECRET)) < 0)
		goto out;
	explicit_bzero(s.buf, s.cap);
	qstr_reset(&s);
	if ((e = sql_readme(o, &s)) < 0)
		goto out;
	e = writer_file(o, "sql/README", &s, QPM_MODE_PUBLIC);
out:
	if (s.buf != NULL)
		explicit_bzero(s.buf, s.cap);
	qstr_free(&s);
	return e;
}
