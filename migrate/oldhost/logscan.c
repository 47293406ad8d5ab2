/*
 * NAME		logscan - size limits from the old host's logs: tcpserver,
 *		qmail-smtpd/rblsmtpd, vchkpw, courier, xinetd and Dovecot
 *		lines, in multilog (@tai64n) or syslog form, any mix
 * DOES		peak concurrency per listener, per client IP and per user+IP,
 *		a per-hour peak series, login failures, limit errors seen
 * NEVER	holds more than one read buffer of a file, grows a table past
 *		its limit (events past it are counted, not guessed)
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "migrate/oldhost/logscan.h"
#include "migrate/oldhost/logscan_int.h"
#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

#define LS_MAX_LINE	(64 * 1024)	/* longer log lines are skipped */
#define LS_READ		(1u << 20)	/* read buffer */


struct logscan *
logscan_new(struct limits *l)
{
	struct logscan *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->l = l;
	s->st = &l->logs;
	l->have_logs = 1;
	s->year = l->log_year;
	return s;
}

void
logscan_free(struct logscan *s)
{
	if (s == NULL)
		return;
	s->st->table_full += s->ip.full + s->userip.full + s->pids.full +
	    s->userlast.full;
	lh_free(&s->ip);
	free(s->userip.e);
	lh_free(&s->userlast);
	lh_free(&s->pids);
	s->st->table_full += s->ip4.full + s->pids4.full;
	free(s->ip4.e);
	free(s->pids4.e);
	free(s);
}


/* ---- time stamps ---- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static time_t
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (time_t)(era * 146097 + (long)doe - 719468);
}

static int
month(const char *p)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(m + i * 3, p, 3) == 0)
			return i;
	return -1;
}

static int
two(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "Nov 16 00:15:52 " -> time; 0 when not a syslog stamp */
static time_t
syslog_time(struct logscan *s, const char *p, size_t n)
{
	int mon, day, hh, mm, ss;
	long year;

	if (n < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' ||
	    p[12] != ':' || p[15] != ' ')
		return 0;
	if (memcmp(p, s->tsc, 15) == 0)
		return s->tsc_t;
	if ((mon = month(p)) < 0)
		return 0;
	day = p[4] == ' ' ? two((char[]){ '0', p[5] }) : two(p + 4);
	hh = two(p + 7);
	mm = two(p + 10);
	ss = two(p + 13);
	if (day < 1 || hh < 0 || mm < 0 || ss < 0)
		return 0;
	year = s->year;
	/* a December line in a file that ends in January: last year */
	if (mon > s->ref_mon)
		year--;
	memcpy(s->tsc, p, 15);
	s->tsc_t = days_from_civil(year, (unsigned)mon + 1, (unsigned)day) *
	    86400 + hh * 3600 + mm * 60 + ss;
	return s->tsc_t;
}

/* "2026-11-16T00:15:52(.frac)(Z|+hh:mm) " */
static time_t
iso_time(const char *p, size_t n, size_t *used)
{
	long y;
	int mo, d, hh, mm, ss;
	size_t i = 19;

	if (n < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' ||
	    p[13] != ':' || p[16] != ':')
		return 0;
	y = two(p) * 100 + two(p + 2);
	mo = two(p + 5);
	d = two(p + 8);
	hh = two(p + 11);
	mm = two(p + 14);
	ss = two(p + 17);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || hh < 0 || mm < 0 || ss < 0)
		return 0;
	while (i < n && p[i] != ' ')
		i++;
	*used = i + 1;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    hh * 3600 + mm * 60 + ss;
}

/* hexval() + 1 as a table (0: not a digit): 16 digits on every
 * multilog line */
static const unsigned char hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16
};

/* ---- one line ---- */

static int
line(struct logscan *s, const char *p, size_t n)
{
	const char *e = p + n, *tag, *msg, *colon;
	time_t t = 0;
	long spid = -1;
	size_t used;

	s->line++;
	s->st->lines++;
	if (n > 26 && p[0] == '@' && p[25] == ' ') {
		/* multilog: @ + 16 hex seconds (TAI64, 2^62 + 10 offset) +
		 * 8 hex nanoseconds */
		uint64_t v = 0;
		int i, h;

		msg = p + 26;
		/* tcpserver's ok, end and deny lines change no level: half
		 * of a busy log needs no time stamp at all */
		if (starts(msg, e, "tcpserver: ", 11) && n > 37 &&
		    (msg[11] == 'o' || msg[11] == 'e' || msg[11] == 'd')) {
			s->st->lines_used++;
			return logscan_tcpserver(s, 0, -1, msg + 11, e);
		}
		if (memcmp(p, s->taic, 17) == 0)
			t = s->taic_t;	/* the same second as the last line */
		else {
			for (i = 1; i <= 16; i++) {
				if ((h = hex_tab[(unsigned char)p[i]] - 1) < 0)
					return 0;
				v = v << 4 | (uint64_t)h;
			}
			if (v < 4611686018427387914ULL)
				return 0;
			t = (time_t)(v - 4611686018427387914ULL);
			memcpy(s->taic, p, 17);
			s->taic_t = t;
		}
		msg = p + 26;
	} else if ((t = syslog_time(s, p, n)) != 0) {
		/* "Mmm dd hh:mm:ss host tag[pid]: msg" */
		const char *h = p + 16, *sp;

		if ((sp = memchr(h, ' ', (size_t)(e - h))) == NULL)
			return 0;
		tag = sp + 1;
		goto tagged;
	} else if ((t = iso_time(p, n, &used)) != 0) {
		const char *h = p + used, *sp;

		if (h >= e || (sp = memchr(h, ' ', (size_t)(e - h))) == NULL)
			return 0;
		tag = sp + 1;
		goto tagged;
	} else
		return 0;
	/* multilog: "prog: msg" without a pid */
	if (starts(msg, e, "tcpserver: ", 11)) {
		s->st->lines_used++;
		return logscan_tcpserver(s, t, -1, msg + 11, e);
	}
	if (starts(msg, e, "vchkpw-", 7)) {
		s->st->lines_used++;
		logscan_vchkpw(s, msg + 7, e);
		return 0;
	}
	return 0;
tagged:
	if ((colon = memchr(tag, ':', (size_t)(e - tag))) == NULL)
		return 0;
	msg = colon + 1;
	if (msg < e && *msg == ' ')
		msg++;
	{
		const char *br = memchr(tag, '[', (size_t)(colon - tag));
		size_t tl = (size_t)((br != NULL ? br : colon) - tag);

		if (br != NULL) {
			const char *q = br + 1;

			spid = num(&q, colon);
		}
		s->st->lines_used++;
		if (tl == 9 && memcmp(tag, "tcpserver", 9) == 0)
			return logscan_tcpserver(s, t, spid, msg, e);
		if (tl == 5 && memcmp(tag, "imapd", 5) == 0)
			return logscan_courier(s, LSVC_IMAP, t, msg, e);
		if (tl == 9 && memcmp(tag, "imapd-ssl", 9) == 0)
			return logscan_courier(s, LSVC_IMAPS, t, msg, e);
		if (tl == 5 && memcmp(tag, "pop3d", 5) == 0)
			return logscan_courier(s, LSVC_POP3, t, msg, e);
		if (tl == 9 && memcmp(tag, "pop3d-ssl", 9) == 0)
			return logscan_courier(s, LSVC_POP3S, t, msg, e);
		if (tl == 7 && memcmp(tag, "dovecot", 7) == 0)
			return logscan_dovecot(s, t, msg, e);
		if (tl == 6 && memcmp(tag, "xinetd", 6) == 0)
			return logscan_xinetd(s, t, spid, msg, e);
		if ((tl == 8 && memcmp(tag, "vpopmail", 8) == 0) ||
		    (tl >= 6 && memcmp(tag, "vchkpw", 6) == 0)) {
			if (starts(msg, e, "vchkpw-", 7))
				logscan_vchkpw(s, msg + 7, e);
			return 0;
		}
		if (tl > 8 && memcmp(tag, "postfix/", 8) == 0)
			return logscan_postfix(s, msg, e);
		if (starts(msg, e, "tcpserver: ", 11))
			return logscan_tcpserver(s, t, spid, msg + 11, e);
		s->st->lines_used--;
	}
	return 0;
}

static enum limits_svc
hint_of(const char *name)
{
	static const struct {
		const char *word;
		enum limits_svc svc;
	} h[] = {
		{ "smtps", LSVC_SMTPS }, { "submission", LSVC_SUBMISSION },
		{ "pop3s", LSVC_POP3S }, { "pop3", LSVC_POP3 },
		{ "imaps", LSVC_IMAPS }, { "imap", LSVC_IMAP },
		{ "smtp", LSVC_SMTP },
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strstr(name, h[i].word) != NULL)
			return h[i].svc;
	return LSVC_OTHER;
}

static void
begin(struct logscan *s, const char *name, time_t ref)
{
	struct tm tm;

	s->fileno++;
	s->name = name;
	s->line = 0;
	s->hint = hint_of(name);
	s->st->files++;
	memset(s->tsc, 0, sizeof(s->tsc));
	memset(s->taic, 0, sizeof(s->taic));
	if (s->l->log_year != 0) {
		s->year = s->l->log_year;
		s->ref_mon = 11;
	} else if (gmtime_r(&ref, &tm) != NULL) {
		s->year = tm.tm_year + 1900;
		s->ref_mon = tm.tm_mon;
	}
}

int
logscan_buf(struct logscan *s, const char *name, const char *buf, size_t len,
    time_t ref)
{
	size_t i = 0;
	int err;

	begin(s, name, ref);
	s->st->bytes += len;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - buf) : len;

		if (e - i <= LS_MAX_LINE && (err = line(s, buf + i, e - i)) < 0)
			return err;
		i = e + 1;
	}
	return 0;
}

/* fd: a log opened by the caller; name: how diagnostics call it */
static int
logscan_fd(struct logscan *s, const char *name, int fd, time_t ref)
{
	char *buf;
	size_t have = 0, skip = 0;
	ssize_t n;
	int err = 0;
	struct stat st;

	if (ref == 0 && fstat(fd, &st) == 0)
		ref = st.st_mtime;
	if ((buf = malloc(LS_READ + LS_MAX_LINE)) == NULL)
		return QPM_ENOMEM;
	begin(s, name, ref);
	for (;;) {
		size_t i = 0;

		n = read(fd, buf + have, LS_READ + LS_MAX_LINE - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = limits_diag(s->l, 0, name, s->line, "read error: "
			    "%s", strerror(errno));
			break;
		}
		s->st->bytes += (unsigned long long)n;
		have += (size_t)n;
		while (i < have) {
			const char *nl = memchr(buf + i, '\n', have - i);
			size_t e;

			if (nl == NULL) {
				if (n == 0)
					e = have;	/* last line, no \n */
				else
					break;
			} else
				e = (size_t)(nl - buf);
			if (skip) {
				skip = 0;	/* tail of an over-long line */
			} else if ((err = line(s, buf + i, e - i)) < 0)
				goto out;
			i = e + 1;
		}
		if (n == 0)
			break;
		if (i < have) {
			memmove(buf, buf + i, have - i);
			have -= i;
			if (have >= LS_MAX_LINE) {
				/* over-long line: drop what we have */
				have = 0;
				skip = 1;
				s->line++;
			}
		} else
			have = 0;
	}
out:
	free(buf);
	return err < 0 ? err : 0;
}

/* First bytes of an open log (read in place: the scan starts at 0):
 * '@' for multilog. */
static int
sniff_fd(int fd, time_t *first)
{
	char b[32];
	ssize_t n;

	*first = 0;
	n = pread(fd, b, sizeof(b), 0);
	if (n >= 17 && b[0] == '@') {
		uint64_t v = 0;
		int i, h;

		for (i = 1; i <= 16; i++) {
			if ((h = hexval(b[i])) < 0)
				return 1;
			v = v << 4 | (uint64_t)h;
		}
		if (v >= 4611686018427387914ULL)
			*first = (time_t)(v - 4611686018427387914ULL);
		return 1;
	}
	return 0;
}

/* A log under root is opened inside it (lib/util/rootfs.h) and must be
 * a regular file; one named on the command line is the admin's choice
 * and is opened as given. */
static int
open_log(const struct rootfs *root, const char *file, struct stat *st)
{
	int fd;

	if (root != NULL)
		return rootfs_open_file(root, file, ROOTFS_NOFOLLOW, st);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		memset(st, 0, sizeof(*st));
	return fd;
}

static int
read_logs(struct limits *l, const struct rootfs *root,
    const char *const *files, size_t n)
{
	struct logscan *s;
	time_t ref = 0, t;
	size_t i, pass;
	int err = 0, fd, ml;
	struct stat st;

	if ((s = logscan_new(l)) == NULL)
		return QPM_ENOMEM;
	/* multilog files first: their stamps carry the year the syslog
	 * files lack */
	for (pass = 0; pass < 2 && err >= 0; pass++)
		for (i = 0; i < n && err >= 0; i++) {
			if ((fd = open_log(root, files[i], &st)) < 0) {
				if (pass == 1 && limits_diag(l, 0, files[i], 0,
				    "cannot read log: %s",
				    rootfs_strerror(fd)) < 0)
					err = QPM_ENOMEM;
				continue;
			}
			ml = sniff_fd(fd, &t);
			if ((pass == 0) != (ml != 0)) {
				close(fd);
				continue;
			}
			err = logscan_fd(s, files[i], fd, pass == 1 &&
			    ref == 0 ? st.st_mtime : ref);
			close(fd);
			if (pass == 0 && l->logs.last > ref)
				ref = l->logs.last;
		}
	logscan_free(s);
	return err;
}

int
limits_read_logs(struct limits *l, const char *const *files, size_t n)
{
	return read_logs(l, NULL, files, n);
}

int
limits_read_root_logs(struct limits *l, const char *root,
    const char *const *files, size_t n)
{
	struct rootfs r;
	int err;

	if ((err = rootfs_init(&r, root, 0)) < 0)
		return err;
	err = read_logs(l, &r, files, n);
	rootfs_free(&r);
	return err;
}
