/*
 * NAME		test_file - atomic writes, modes, bounded and symlink-safe reads
 * DOES		runs in a private temporary directory
 * NEVER	touches anything outside it
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
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
#include "util/file.h"
#include "util/qstr.h"

static char dir[] = "/tmp/q2p-test-file-XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (qpm_snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) < 0)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_in(char *buf, size_t len, const char *name)
{
	assert_true(qpm_snprintf(buf, len, "%s/%s", dir, name) > 0);
}

static int
count_entries(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* p: the directory name, not empty (a rename onto it fails after the
 * temporary file was written); its file name/keep holds "k" */
static void
dir_in_the_way(char *p, size_t len, const char *name)
{
	char sub[512];

	path_in(p, len, name);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_true(qpm_snprintf(sub, sizeof(sub), "%s/keep", p) > 0);
	assert_int_equal(file_write_atomic_buf(sub, "k", 1, 0644), 0);
}

static void
test_write_then_read_back(void **state)
{
	struct qstr in = QSTR_INIT(1024), out = QSTR_INIT(1024);
	char p[512];

	(void)state;
	path_in(p, sizeof(p), "plain");
	assert_int_equal(qstr_cat(&in, "main.cf line\n"), 0);
	assert_int_equal(file_write_atomic(p, &in, QPM_MODE_PUBLIC), 0);
	assert_int_equal(file_read_all(p, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "main.cf line\n");
	qstr_free(&in);
	qstr_free(&out);
}

static void
test_secret_mode_is_0600_whatever_the_umask(void **state)
{
	struct stat st;
	char p[512];
	mode_t old = umask(0);

	(void)state;
	path_in(p, sizeof(p), "secret");
	assert_int_equal(file_write_atomic_buf(p, "s3cr3t\n", 7,
	    QPM_MODE_SECRET), 0);
	umask(old);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void
test_replace_is_whole_and_leaves_no_temp(void **state)
{
	struct qstr out = QSTR_INIT(1024);
	char p[512];
	int before;

	(void)state;
	path_in(p, sizeof(p), "replace");
	assert_int_equal(file_write_atomic_buf(p, "old\n", 4, 0644), 0);
	before = count_entries();
	assert_int_equal(file_write_atomic_buf(p, "new\n", 4, 0644), 0);
	assert_int_equal(count_entries(), before);
	assert_int_equal(file_read_all(p, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "new\n");
	qstr_free(&out);
}

static void
test_failed_write_leaves_old_file_and_no_temp(void **state)
{
	struct qstr out = QSTR_INIT(1024);
	char p[512], sub[512];
	int before;

	(void)state;
	dir_in_the_way(p, sizeof(p), "isdir");
	path_in(sub, sizeof(sub), "isdir/keep");
	before = count_entries();
	assert_true(file_write_atomic_buf(p, "x", 1, 0644) < 0);
	assert_int_equal(count_entries(), before);
	assert_int_equal(file_read_all(sub, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "k");
	qstr_free(&out);
}

static void
test_read_refuses_oversize(void **state)
{
	struct qstr out = QSTR_INIT(1024);
	char p[512];

	(void)state;
	path_in(p, sizeof(p), "big");
	assert_int_equal(file_write_atomic_buf(p, "0123456789", 10, 0644), 0);
	assert_int_equal(file_read_all(p, 9, 0, &out), QPM_ERANGE);
	assert_int_equal(out.len, 0);
	assert_int_equal(file_read_all(p, 10, 0, &out), 0);
	assert_int_equal(out.len, 10);
	qstr_free(&out);
}

static void
test_read_nofollow_refuses_symlink(void **state)
{
	struct qstr out = QSTR_INIT(1024);
	char p[512], l[512];

	(void)state;
	path_in(p, sizeof(p), "target");
	path_in(l, sizeof(l), "link");
	assert_int_equal(file_write_atomic_buf(p, "t", 1, 0644), 0);
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(file_read_all(l, 1024, FILE_READ_NOFOLLOW, &out),
	    QPM_ELOOP);
	assert_int_equal(file_read_all(l, 1024, 0, &out), 0);
	qstr_free(&out);
}

static void
test_read_refuses_directory_and_missing(void **state)
{
	struct qstr out = QSTR_INIT(1024);
	char p[512];

	(void)state;
	assert_int_equal(file_read_all(dir, 1024, 0, &out), QPM_EINVAL);
	path_in(p, sizeof(p), "missing");
	assert_int_equal(file_read_all(p, 1024, 0, &out), QPM_ENOENT);
	qstr_free(&out);
}

static void
test_mkdirs_creates_every_level(void **state)
{
	struct stat st;
	char p[512];

	(void)state;
	path_in(p, sizeof(p), "a/b/c");
	assert_int_equal(file_mkdirs(p, 0700), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(file_mkdirs(p, 0700), 0);	/* idempotent */
}

/* group and mode are the file's before it appears under its name */
static void
test_owned_sets_group_and_mode(void **state)
{
	char p[512];
	struct stat st;
	/* as root another group than ours: nogroup; else our own */
	gid_t gid = getuid() == 0 ? 65534 : getgid();
	int before;

	(void)state;
	path_in(p, sizeof(p), "users");
	before = count_entries();
	assert_int_equal(file_write_atomic_owned(p, "u:x\n", 4, 0640,
	    (uid_t)-1, gid), 0);
	assert_int_equal(count_entries(), before + 1);	/* no temp left */
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_gid, gid);
	assert_int_equal(st.st_uid, getuid());
	assert_int_equal(st.st_size, 4);
}

/* a batch: until the commit every path keeps its old content and the
 * new content waits in a temp file; after it each path has the new
 * content, owner and mode, and no temp file is left */
static void
test_batch_old_until_commit_then_new(void **state)
{
	struct file_batch b = FILE_BATCH_INIT;
	struct qstr out = QSTR_INIT(1024);
	struct stat st;
	char p[512], q[512];
	gid_t gid = getuid() == 0 ? 65534 : getgid();
	int before;

	(void)state;
	path_in(p, sizeof(p), "uidlist");
	path_in(q, sizeof(q), "state");
	assert_int_equal(file_write_atomic_buf(p, "old\n", 4, 0644), 0);
	before = count_entries();
	assert_int_equal(file_batch_write(&b, p, "new\n", 4, 0600,
	    (uid_t)-1, gid), 0);
	assert_int_equal(file_batch_write(&b, q, "s\n", 2, 0600,
	    (uid_t)-1, gid), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(file_read_all(p, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "old\n");
	assert_int_equal(stat(q, &st), -1);
	assert_int_equal(count_entries(), before + 2);	/* the two temps */
	assert_int_equal(file_batch_commit(&b, NULL, NULL), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(count_entries(), before + 1);	/* state; no temp */
	qstr_reset(&out);
	assert_int_equal(file_read_all(p, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "new\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_gid, gid);
	qstr_reset(&out);
	assert_int_equal(file_read_all(q, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "s\n");
	file_batch_free(&b);
	qstr_free(&out);
}

static int batch_failures;
static char batch_failed_path[512];

static void
batch_failed(void *arg, const char *path, int err)
{
	assert_ptr_equal(arg, &batch_failures);
	assert_int_equal(err, EISDIR);
	batch_failures++;
	assert_true(qpm_snprintf(batch_failed_path, sizeof(batch_failed_path),
	    "%s", path) > 0);
}

/* a rename that fails is reported with its path and leaves no temp; the
 * others of the batch still go into place; file_batch_free() never
 * renames and leaves no temp either */
static void
test_batch_failure_reported_others_kept(void **state)
{
	struct file_batch b = FILE_BATCH_INIT;
	struct qstr out = QSTR_INIT(1024);
	struct stat st;
	char d[512], sub[512], ok[512], never[512];
	int before;

	(void)state;
	path_in(d, sizeof(d), "bdir");
	assert_int_equal(mkdir(d, 0755), 0);
	path_in(sub, sizeof(sub), "bdir/keep");
	assert_int_equal(file_write_atomic_buf(sub, "k", 1, 0644), 0);
	path_in(ok, sizeof(ok), "bok");
	before = count_entries();
	assert_int_equal(file_batch_write(&b, d, "x", 1, 0600, (uid_t)-1,
	    (gid_t)-1), 0);
	assert_int_equal(file_batch_write(&b, ok, "y", 1, 0600, (uid_t)-1,
	    (gid_t)-1), 0);
	batch_failures = 0;
	assert_int_equal(file_batch_commit(&b, batch_failed, &batch_failures),
	    1);
	assert_int_equal(batch_failures, 1);
	assert_string_equal(batch_failed_path, d);
	assert_int_equal(count_entries(), before + 1);	/* bok only */
	assert_int_equal(file_read_all(ok, 1024, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "y");
	path_in(never, sizeof(never), "bnever");
	assert_int_equal(file_batch_write(&b, never, "z", 1, 0600, (uid_t)-1,
	    (gid_t)-1), 0);
	file_batch_free(&b);
	assert_int_equal(stat(never, &st), -1);
	assert_int_equal(count_entries(), before + 1);
	qstr_free(&out);
}

/* a stream: the old content until the commit, then all pieces whole,
 * with the mode asked for; no temporary file left, committed or not */
static void
test_stream_old_until_commit_then_whole(void **state)
{
	struct file_stream f;
	struct qstr out = QSTR_INIT(1 << 20);
	struct stat st;
	char p[512], piece[1000];
	int before, i;
	mode_t old = umask(0);

	(void)state;
	path_in(p, sizeof(p), "stream");
	assert_int_equal(file_write_atomic_buf(p, "old\n", 4, 0600), 0);
	before = count_entries();
	assert_int_equal(file_stream_open(&f, p, QPM_MODE_PUBLIC), 0);
	memset(piece, 'a', sizeof(piece));
	for (i = 0; i < 300; i++) {
		piece[0] = (char)('0' + i % 10);
		assert_int_equal(file_stream_write(&f, piece, sizeof(piece)), 0);
	}
	assert_int_equal(count_entries(), before + 1);	/* the temp */
	assert_int_equal(file_read_all(p, 1 << 20, 0, &out), 0);
	assert_string_equal(qstr_str(&out), "old\n");
	assert_int_equal(file_stream_commit(&f), 0);
	umask(old);
	assert_int_equal(count_entries(), before);
	qstr_reset(&out);
	assert_int_equal(file_read_all(p, 1 << 20, 0, &out), 0);
	assert_int_equal(out.len, 300 * sizeof(piece));
	assert_int_equal(out.buf[299 * sizeof(piece)], '9');
	assert_int_equal(out.buf[299 * sizeof(piece) + 1], 'a');
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* aborted: the old content stays, no temp */
	assert_int_equal(file_stream_open(&f, p, QPM_MODE_PUBLIC), 0);
	assert_int_equal(file_stream_write(&f, "new\n", 4), 0);
	file_stream_abort(&f);
	assert_int_equal(count_entries(), before);
	qstr_reset(&out);
	assert_int_equal(file_read_all(p, 1 << 20, 0, &out), 0);
	assert_int_equal(out.len, 300 * sizeof(piece));
	qstr_free(&out);
}

/* a commit that cannot rename (a directory in the way) fails, leaves
 * the directory as it was and no temporary file */
static void
test_stream_failed_commit_leaves_no_temp(void **state)
{
	struct file_stream f;
	char p[512];
	int before;

	(void)state;
	dir_in_the_way(p, sizeof(p), "sdir");
	before = count_entries();
	assert_int_equal(file_stream_open(&f, p, 0644), 0);
	assert_int_equal(file_stream_write(&f, "x", 1), 0);
	assert_true(file_stream_commit(&f) < 0);
	assert_int_equal(count_entries(), before);
}

/* a file larger than the reader's buffer comes back whole, in order */
static void
test_read_larger_than_buffer(void **state)
{
	struct qstr in = QSTR_INIT(1 << 20), out = QSTR_INIT(1 << 20);
	char p[512];
	size_t i;

	(void)state;
	path_in(p, sizeof(p), "large");
	for (i = 0; i < 200000; i++)
		assert_int_equal(qstr_catc(&in, (char)('a' + i % 26)), 0);
	assert_int_equal(file_write_atomic(p, &in, 0644), 0);
	assert_int_equal(file_read_all(p, 1 << 20, 0, &out), 0);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.buf, in.buf, in.len);
	qstr_free(&in);
	qstr_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_then_read_back),
		cmocka_unit_test(test_secret_mode_is_0600_whatever_the_umask),
		cmocka_unit_test(test_replace_is_whole_and_leaves_no_temp),
		cmocka_unit_test(test_failed_write_leaves_old_file_and_no_temp),
		cmocka_unit_test(test_read_refuses_oversize),
		cmocka_unit_test(test_read_nofollow_refuses_symlink),
		cmocka_unit_test(test_read_refuses_directory_and_missing),
		cmocka_unit_test(test_mkdirs_creates_every_level),
		cmocka_unit_test(test_owned_sets_group_and_mode),
		cmocka_unit_test(test_batch_old_until_commit_then_new),
		cmocka_unit_test(test_batch_failure_reported_others_kept),
		cmocka_unit_test(test_stream_old_until_commit_then_whole),
		cmocka_unit_test(test_stream_failed_commit_leaves_no_temp),
		cmocka_unit_test(test_read_larger_than_buffer),
	};

	return cmocka_run_group_tests_name("file", tests, setup, teardown);
}
