/*
 * NAME		qmail2postfix - migrate a qmail + vpopmail host to Postfix +
 *		Dovecot
 * DOES		"qmail2postfix [run] --root DIR -o OUT": reads the old host,
 *		writes OUT/postfix, OUT/dovecot, OUT/migration.json and
 *		OUT/migration-report.txt; more commands slot into cmds[]
 * NEVER	touches the old tree or the running system's configuration
 */
#include <config.h>

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/exits.h"
#include "migrate/install/install.h"
#include "migrate/rehearse/rehearse.h"
#include "migrate/requeue/requeue.h"
#include "migrate/run.h"
#include "migrate/sync/sync.h"
#include "migrate/targets.h"
#include "migrate/write/writers.h"
#include "util/msg.h"
#include "util/num.h"
#include "util/version.h"

#define PROGRAM_NAME	"qmail2postfix"

static void
help(void)
{
	printf("usage: %s [run] --root DIR -o OUT [options]\n"
	    "\n"
	    "Reads a qmail + vpopmail host (a mounted disk or a copy of its /)\n"
	    "and writes a Postfix + Dovecot configuration into OUT.\n"
	    "\n"
	    "  --root DIR           the old host's / (required)\n"
	    "  -o, --output OUT     output directory (built beside it, renamed in)\n"
	    "  --force              replace an existing OUT\n"
	    "  --qmail-dir P        qmail's directory under DIR [var/qmail]\n"
	    "  --vpopmail-dir P     vpopmail's home under DIR [home/vpopmail]\n"
	    "  --qmail-ext yes|no   vpopmail was built with --enable-qmail-ext\n"
	    "                       (user-ext reaches user); only used when the\n"
	    "                       old host has no vpopmail_config.h [yes]\n"
	    "  --mysql HOST[:PORT]  vpopmail's MySQL database is there (or\n"
	    "                       --mysql /path/to/socket) [vpopmail.mysql's;\n"
	    "                       the old host's localhost is not this one]\n"
	    "  --mysql-user NAME    connect as NAME [vpopmail.mysql's]\n"
	    "  --mysql-password-file FILE  the password is FILE's first line\n"
	    "                       [vpopmail.mysql's]; never on the command line\n"
	    "  --now SECONDS        the time \"unused for a year\" counts from\n"
	    "                       (seconds since 1970) [now]\n"
	    "  --dovecot-dir P      where dovecot.conf will live [/etc/dovecot]\n"
	    "  --hostname NAME      the new host's name (myhostname, and its HELO;\n"
	    "                       control/helohost is then not carried over)\n"
	    "  --helo NAME          the HELO name (smtp_helo_name) [myhostname]\n"
	    "  --ip ADDR            the new host's address (for the report)\n"
	    "  --postfix VERSION    write for this Postfix: 3.5 ... 3.10 [the one\n"
	    "                       installed here (postconf), else 3.5]\n"
	    "  --dovecot 2.3|2.4    write for this Dovecot [the one installed\n"
	    "                       here (dovecot --version), else 2.3]\n"
	    "  --logs FILE...       the old host's logs for sizing the connection\n"
	    "                       limits [ROOT/var/log: maillog*, messages*,\n"
	    "                       qmail/*/current ...]\n"
	    "  --no-logs            read no logs\n"
	    "  --size-from-logs     write the limits the logs suggest (default:\n"
	    "                       the old limits; the report shows both)\n"
	    "  --keep-looser-limits where two old limits conflict, keep the looser\n"
	    "  --srs-domain DOMAIN  SRS domain of forwarded mail [srs.PRIMARY]\n"
	    "  --no-srs             forwards keep the original sender (no SRS)\n"
	    "  --srs-port N         srs-map's socketmap on 127.0.0.1 [10003]\n"
	    "  --srs-secret FILE    where the SRS secret will be installed\n"
	    "                       [" SYSCONFDIR "/qmail2postfix/srs-secret]\n"
	    "  --bindir DIR         where srs-forward and srs-map are installed\n"
	    "                       [" BINDIR "]\n"
	    "  --dkim-selector NAME DKIM selector of the new key [q2p]\n"
	    "  --dkim-key SEL:FILE  sign with this PEM RSA key (copied 0600) as\n"
	    "                       selector SEL instead of a new 2048-bit key\n"
	    "  --no-dkim            no OpenDKIM set-up in OUT/dkim\n"
	    "  --userdb file|sql    users and routes in Dovecot passwd-file and\n"
	    "                       Postfix hash: tables, or in MariaDB (OUT/sql,\n"
	    "                       Dovecot 2.3) [file]\n"
	    "  --sql-dsn K=V,...    with --userdb sql: host=H[,port=P] or\n"
	    "                       socket=S, dbname=D, user=U; the password is\n"
	    "                       made and kept in OUT/sql [socket=\n"
	    "                       " Q2P_SQL_SOCKET ",dbname=mail,user=mail]\n"
	    "  -q, --quiet          no file:line diagnostics on stderr\n"
	    "  -v, --verbose        more output\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "\n"
	    "Exit: 0 all converted, 1 converted with items listed in the\n"
	    "report as not converted, 2 nothing written.\n"
	    "\n"
	    "Other commands (each has --help):\n"
	    "  %s rehearse OUT      boot OUT on loopback and prove it\n"
	    "  %s install OUT       copy into place with dated backups\n"
	    "  %s requeue --root DIR  move the old qmail queue into Postfix\n"
	    "  %s sync OUT --root DIR  copy the Maildirs, courier's state "
	    "kept\n"
	    "See qmail2postfix(8).\n",
	    PROGRAM_NAME, PROGRAM_NAME, PROGRAM_NAME, PROGRAM_NAME,
	    PROGRAM_NAME);
}

static int
usage(void)
{
	fprintf(stderr, "usage: %s [run] --root DIR -o OUT [--force] "
	    "[--hostname NAME] [--ip ADDR]\n       [--mysql HOST[:PORT]|SOCKET] "
	    "[--mysql-user NAME] [--mysql-password-file FILE]\n       [--now SECONDS] "
	    "[--postfix 3.5..3.10] "
	    "[--dovecot 2.3|2.4]\n       [--logs FILE... | --no-logs] "
	    "[--size-from-logs] [--keep-looser-limits]\n       [--srs-domain "
	    "DOMAIN | --no-srs] [--srs-port N] [--srs-secret FILE]\n"
	    "       [--bindir DIR] [--helo NAME] [--dkim-selector NAME | "
	    "--dkim-key SEL:FILE\n       | --no-dkim] [--userdb file|sql] "
	    "[--sql-dsn K=V,...]\n       %s --help\n",
	    PROGRAM_NAME, PROGRAM_NAME);
	return QPM_EXIT_NOTHING;
}

/* long options without a letter */
enum { OPT_USERDB = 256, OPT_SQL_DSN };

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "qmail-dir", required_argument, NULL, 'Q' },
		{ "vpopmail-dir", required_argument, NULL, 'P' },
		{ "qmail-ext", required_argument, NULL, 'X' },
		{ "mysql", required_argument, NULL, 'M' },
		{ "mysql-user", required_argument, NULL, 'U' },
		{ "mysql-password-file", required_argument, NULL, 'W' },
		{ "now", required_argument, NULL, 'T' },
		{ "dovecot-dir", required_argument, NULL, 'D' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "ip", required_argument, NULL, 'I' },
		{ "postfix", required_argument, NULL, 'F' },
		{ "dovecot", required_argument, NULL, 'C' },
		{ "logs", required_argument, NULL, 'L' },
		{ "no-logs", no_argument, NULL, 'N' },
		{ "size-from-logs", no_argument, NULL, 'S' },
		{ "keep-looser-limits", no_argument, NULL, 'K' },
		{ "srs-domain", required_argument, NULL, 's' },
		{ "no-srs", no_argument, NULL, 'n' },
		{ "srs-port", required_argument, NULL, 'p' },
		{ "srs-secret", required_argument, NULL, 'x' },
		{ "bindir", required_argument, NULL, 'b' },
		{ "helo", required_argument, NULL, 'e' },
		{ "dkim-selector", required_argument, NULL, 'l' },
		{ "dkim-key", required_argument, NULL, 'k' },
		{ "no-dkim", no_argument, NULL, 'd' },
		{ "userdb", required_argument, NULL, OPT_USERDB },
		{ "sql-dsn", required_argument, NULL, OPT_SQL_DSN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_opts o;
	const char **logs;
	size_t nlogs = 0;
	long port;
	int c, rc;

	/* argv-sized: every --logs FILE and operand fits */
	if ((logs = calloc((size_t)argc + 1, sizeof(*logs))) == NULL) {
		msg_errorx("out of memory");
		return QPM_EXIT_NOTHING;
	}
	memset(&o, 0, sizeof(o));
	o.qmail_dir = "var/qmail";
	o.vpopmail_dir = "home/vpopmail";
	o.dovecot_dir = "/etc/dovecot";
	while ((c = getopt_long(argc, argv, "o:qvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.root = optarg; break;
		case 'o': o.out = optarg; break;
		case 'f': o.force = 1; break;
		case 'Q': o.qmail_dir = optarg; break;
		case 'P': o.vpopmail_dir = optarg; break;
		case 'X':
			if (strcmp(optarg, "yes") == 0)
				o.qmail_ext = 1;
			else if (strcmp(optarg, "no") == 0)
				o.qmail_ext = -1;
			else {
				msg_errorx("--qmail-ext %s: not yes or no",
				    optarg);
				free(logs);
				return usage();
			}
			break;
		case 'M': o.mysql.server = optarg; break;
		case 'U': o.mysql.user = optarg; break;
		case 'W': o.mysql.password_file = optarg; break;
		case 'T':
			if (num_parse_long(optarg, 0, LONG_MAX, &o.now) < 0) {
				msg_errorx("--now %s: not seconds since 1970",
				    optarg);
				free(logs);
				return usage();
			}
			break;
		case 'D': o.dovecot_dir = optarg; break;
		case 'H': o.hostname = optarg; break;
		case 'I': o.ip = optarg; break;
		case 'F':
			if ((o.postfix_ver = target_postfix_parse(optarg)) < 0) {
				msg_errorx("--postfix %s: not 3.5, 3.6, 3.7, "
				    "3.8, 3.9 or 3.10", optarg);
				free(logs);
				return usage();
			}
			break;
		case 'C':
			if ((o.dovecot_ver = target_dovecot_parse(optarg)) < 0) {
				msg_errorx("--dovecot %s: not 2.3 or 2.4",
				    optarg);
				free(logs);
				return usage();
			}
			break;
		case 'L': logs[nlogs++] = optarg; break;
		case 'N': o.no_logs = 1; break;
		case 'S': o.size_from_logs = 1; break;
		case 'K': o.keep_looser = 1; break;
		case 's': o.srs_domain = optarg; break;
		case 'n': o.no_srs = 1; break;
		case 'p':
			if (num_parse_long(optarg, 1, 65535, &port) < 0) {
				msg_errorx("--srs-port %s: not a port", optarg);
				free(logs);
				return usage();
			}
			o.srs_port = (int)port;
			break;
		case 'x': o.srs_secret = optarg; break;
		case 'b': o.bindir = optarg; break;
		case 'e': o.helo = optarg; break;
		case 'l': o.dkim_selector = optarg; break;
		case 'k': o.dkim_key = optarg; break;
		case 'd': o.no_dkim = 1; break;
		case OPT_USERDB:
			if (strcmp(optarg, "sql") != 0 &&
			    strcmp(optarg, "file") != 0) {
				msg_errorx("--userdb %s: not file or sql", optarg);
				free(logs);
				return usage();
			}
			o.userdb_sql = strcmp(optarg, "sql") == 0;
			break;
		case OPT_SQL_DSN: o.sql_dsn = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'v': msg_verbose++; break;
		case 'h': help(); free(logs); return 0;
		case 'V': qpm_version(PROGRAM_NAME); free(logs); return 0;
		default: free(logs); return usage();
		}
	}
	/* operands after --logs are more files: a shell pattern works */
	while (nlogs > 0 && optind < argc)
		logs[nlogs++] = argv[optind++];
	if (optind != argc || o.root == NULL || o.out == NULL ||
	    (o.no_logs && nlogs > 0) || (o.no_srs && o.srs_domain != NULL) ||
	    (o.no_dkim && (o.dkim_key != NULL || o.dkim_selector != NULL)) ||
	    (o.srs_secret != NULL && o.srs_secret[0] != '/') ||
	    (o.bindir != NULL && o.bindir[0] != '/') ||
	    (o.sql_dsn != NULL && !o.userdb_sql)) {
		free(logs);
		return usage();
	}
	while (*o.qmail_dir == '/')
		o.qmail_dir++;
	while (*o.vpopmail_dir == '/')
		o.vpopmail_dir++;
	o.logs = logs;
	o.nlogs = nlogs;
	rc = migrate_run(&o);
	free(logs);
	return rc;
}

/* Subcommands; "run" is also what a first argument starting with '-'
 * means. rehearse, install and requeue are added here. */
static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} cmds[] = {
	{ "run", cmd_run },
	{ "requeue", requeue_main },
	{ "rehearse", rehearse_main },
	{ "install", install_main },
	{ "sync", sync_main },
	{ NULL, NULL }
};

int
main(int argc, char **argv)
{
	int i;

	msg_init(PROGRAM_NAME, MSG_STDERR);
	if (argc < 2)
		return usage();
	if (argv[1][0] == '-')
		return cmd_run(argc, argv);
	for (i = 0; cmds[i].name != NULL; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	msg_errorx("unknown command: %s", argv[1]);
	return usage();
}
