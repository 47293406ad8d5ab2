/*
 * NAME		test_rootfs - paths resolved inside a root, both ways
 * DOES		builds a small tree with links that point out of it, a
 *		FIFO and a link loop in a private temporary directory; runs
 *		every case with openat2 and with the walk
 * NEVER	touches anything outside that directory
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/err.h"
#include "util/qstr.h"
#include "util/rootfs.h"

static char dir[] = "/tmp/q2p-test-rootfs-XXXXXX";
static char root[PATH_MAX], outside[PATH_MAX];

static void
put(const char *base, const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *fp;

	assert_true(qpm_snprintf(p, sizeof(p), "%s/%s", base, rel) > 0);
	assert_non_null(fp = fopen(p, "w"));
	fputs(text, fp);
	fclose(fp);
}

static void
mk(const char *rel)
{
	char p[PATH_MAX];

	assert_true(qpm_snprintf(p, sizeof(p), "%s/%s", root, rel) > 0);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void
ln(const char *target, const char *rel)
{
	char p[PATH_MAX];

	assert_true(qpm_snprintf(p, sizeof(p), "%s/%s", root, rel) > 0);
	assert_int_equal(symlink(target, p), 0);
}

static int
setup(void **state)
{
	char p[PATH_MAX];

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	if (qpm_snprintf(root, sizeof(root), "%s/root", dir) < 0 ||
	    qpm_snprintf(outside, sizeof(outside), "%s/outside", dir) < 0 ||
	    mkdir(root, 0755) < 0 || mkdir(outside, 0755) < 0)
		return -1;
	put(outside, "secret", "OUTSIDE-MARKER\n");
	mk("etc");
	put(root, "etc/passwd", "inside\n");
	mk("var");
	mk("var/qmail");
	mk("var/qmail/supervise");
	mk("var/qmail/supervise/qmail-smtpd");
	put(root, "var/qmail/supervise/qmail-smtpd/run", "run\n");
	mk("home");
	mk("home/u");
	ln("/var/qmail/supervise", "service");		/* absolute, inside */
	ln("../../outside", "up");			/* relative, escaping */
	ln(outside, "abs");				/* absolute, this host */
	ln("/etc", "home/u/link");
	ln("etc/passwd", "filelink");
	ln("loop2", "loop1");
	ln("loop1", "loop2");
	assert_true(qpm_snprintf(p, sizeof(p), "%s/victim", outside) > 0);
	ln(p, "jlink");
	assert_true(qpm_snprintf(p, sizeof(p), "%s/fifo", root) > 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	if (qpm_snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) < 0)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static const struct {
	const char	*name, *path;
	int		 flags;
	int		 err;		/* 0: read want */
	const char	*want;
} read_cases[] = {
	{ "plain file", "etc/passwd", 0, 0, "inside\n" },
	{ "leading slash", "/etc/passwd", ROOTFS_NOFOLLOW, 0, "inside\n" },
	{ "absolute link resolves in the root",
	    "/service/qmail-smtpd/run", ROOTFS_NOFOLLOW, 0, "run\n" },
	{ ".. stops at the root", "../../outside/secret", 0, QPM_ENOENT,
	    NULL },
	{ ".. back in", "etc/../../../../etc/passwd", 0, 0, "inside\n" },
	{ "relative link out of the root", "up/secret", 0, QPM_ENOENT, NULL },
	{ "absolute link to this host's path", "abs/secret", 0, QPM_ENOENT,
	    NULL },
	{ "final link refused", "filelink", ROOTFS_NOFOLLOW, QPM_ELOOP, NULL },
	{ "final link followed", "filelink", 0, 0, "inside\n" },
	{ "dir link in the middle", "home/u/link/passwd", ROOTFS_NOFOLLOW, 0,
	    "inside\n" },
	{ "FIFO refused, no hang", "fifo", 0, QPM_EINVAL, NULL },
	{ "directory refused", "etc", 0, QPM_EINVAL, NULL },
	{ "link loop", "loop1", 0, QPM_ELOOP, NULL },
};

static void
run_reads(int initflags)
{
	struct rootfs r;
	struct qstr out = QSTR_INIT(4096);
	size_t i;
	int rc;

	assert_int_equal(rootfs_init(&r, root, initflags), 0);
	for (i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
		qstr_reset(&out);
		rc = rootfs_read(&r, read_cases[i].path, 4096,
		    read_cases[i].flags, &out, NULL);
		if (rc != read_cases[i].err)
			fail_msg("%s (%s): got %d (%s), want %d",
			    read_cases[i].name, initflags ? "walk" : "openat2",
			    rc, qpm_strerror(rc), read_cases[i].err);
		if (rc == 0 && strcmp(qstr_str(&out), read_cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", read_cases[i].name,
			    qstr_str(&out), read_cases[i].want);
	}
	qstr_free(&out);
	rootfs_free(&r);
}

static void
test_read_openat2(void **state)
{
	(void)state;
	run_reads(0);
}

static void
test_read_walk(void **state)
{
	(void)state;
	run_reads(ROOTFS_WALK);
}

static void
run_dirs(int initflags)
{
	static const struct {
		const char *name, *path;
		int flags, ok;
	} c[] = {
		{ "dir", "etc", ROOTFS_NOFOLLOW, 1 },
		{ "dir, trailing slash", "etc//", ROOTFS_NOFOLLOW, 1 },
		{ "final dir link refused", "home/u/link", ROOTFS_NOFOLLOW, 0 },
		{ "trailing slash does not follow", "home/u/link/",
		    ROOTFS_NOFOLLOW, 0 },
		{ "absolute link, trailing slash", "service/",
		    ROOTFS_NOFOLLOW, 0 },
		{ "followed when allowed", "service/", 0, 1 },
		{ "root itself", "/", ROOTFS_NOFOLLOW, 1 },
	};
	struct rootfs r;
	DIR *d;
	size_t i;

	assert_int_equal(rootfs_init(&r, root, initflags), 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		d = rootfs_opendir(&r, c[i].path, c[i].flags);
		if ((d != NULL) != c[i].ok)
			fail_msg("%s (%s): got %s, want %s", c[i].name,
			    initflags ? "walk" : "openat2",
			    d ? "open" : strerror(errno),
			    c[i].ok ? "open" : "refused");
		if (!c[i].ok && errno != ELOOP)
			fail_msg("%s: got errno %s, want ELOOP", c[i].name,
			    strerror(errno));
		if (d != NULL)
			closedir(d);
	}
	rootfs_free(&r);
}

static void
test_dirs_openat2(void **state)
{
	(void)state;
	run_dirs(0);
}

static void
test_dirs_walk(void **state)
{
	(void)state;
	run_dirs(ROOTFS_WALK);
}

static void
run_links_and_create(int initflags)
{
	struct rootfs r;
	struct qstr t = QSTR_INIT(4096);
	struct stat st;
	char victim[PATH_MAX];
	int fd;

	assert_int_equal(rootfs_init(&r, root, initflags), 0);
	assert_int_equal(rootfs_stat(&r, "service", ROOTFS_NOFOLLOW, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(rootfs_stat(&r, "service", 0, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(rootfs_readlink(&r, "service", &t), 0);
	assert_string_equal(qstr_str(&t), "/var/qmail/supervise");
	assert_int_equal(rootfs_readlink(&r, "etc", &t), QPM_EINVAL);
	/* a journal planted as a link to a file outside: never written */
	fd = rootfs_open(&r, "jlink", O_WRONLY | O_APPEND | O_CREAT,
	    ROOTFS_NOFOLLOW);
	assert_true(fd < 0);
	assert_int_equal(errno, ELOOP);
	assert_true(qpm_snprintf(victim, sizeof(victim), "%s/victim",
	    outside) > 0);
	assert_int_equal(lstat(victim, &st), -1);
	/* ... and a plain one is made inside, mode 0600 */
	fd = rootfs_open(&r, "/var/journal", O_WRONLY | O_APPEND | O_CREAT,
	    ROOTFS_NOFOLLOW);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	close(fd);
	assert_int_equal(rootfs_stat(&r, "var/journal", ROOTFS_NOFOLLOW, &st),
	    0);
	unlinkat(r.fd, "var/journal", 0);
	qstr_free(&t);
	rootfs_free(&r);
}

static void
test_links_openat2(void **state)
{
	(void)state;
	run_links_and_create(0);
}

static void
test_links_walk(void **state)
{
	(void)state;
	run_links_and_create(ROOTFS_WALK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_openat2),
		cmocka_unit_test(test_read_walk),
		cmocka_unit_test(test_dirs_openat2),
		cmocka_unit_test(test_dirs_walk),
		cmocka_unit_test(test_links_openat2),
		cmocka_unit_test(test_links_walk),
	};

	return cmocka_run_group_tests_name("rootfs", tests, setup, teardown);
}
