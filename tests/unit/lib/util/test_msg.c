/*
 * NAME		test_msg - diagnostics format, verbosity, escaping
 * DOES		captures stderr into a temporary file and reads it back
 * NEVER	writes to syslog
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/msg.h"

static char captured[4096];

/* Run fn with stderr sent to a temporary file; leave its text in captured. */
static void
capture(void (*fn)(void))
{
	char path[] = "/tmp/q2p-test-msg-XXXXXX";
	int fd, saved;
	ssize_t n;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, captured, sizeof(captured) - 1);
	captured[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void
say_file_line(void)
{
	msg_warnx("%s:%d: %s", "users/assign", 12, "no home directory");
}

static void
say_with_errno(void)
{
	errno = ENOENT;
	msg_warn("cannot open %s", "control/me");
}

static void
say_debug(void)
{
	msg_debug("detail %d", 1);
}

static void
test_file_line_format(void **state)
{
	(void)state;
	msg_init("/usr/bin/qmail2postfix", MSG_STDERR);
	capture(say_file_line);
	assert_string_equal(captured,
	    "qmail2postfix: warning: users/assign:12: no home directory\n");
}

static void
test_warn_appends_strerror(void **state)
{
	(void)state;
	msg_init("qmail2postfix", MSG_STDERR);
	capture(say_with_errno);
	assert_string_equal(captured, "qmail2postfix: warning: cannot open "
	    "control/me: No such file or directory\n");
}

static void
test_debug_only_when_verbose(void **state)
{
	(void)state;
	msg_init("prog", MSG_STDERR);
	msg_verbose = 0;
	capture(say_debug);
	assert_string_equal(captured, "");
	msg_verbose = 1;
	capture(say_debug);
	assert_string_equal(captured, "prog: debug: detail 1\n");
	msg_verbose = 0;
}

static void
test_escape_control_bytes(void **state)
{
	char out[64];

	(void)state;
	msg_escape(out, sizeof(out), "a\nb\x1b[0m\\", 8);
	assert_string_equal(out, "a\\x0ab\\x1b[0m\\x5c");
	msg_escape(out, 6, "abcdefgh", 8);
	assert_string_equal(out, "abcde");
	msg_escape(out, 6, "ab\x01", 3);	/* no room for \x01: cut whole */
	assert_string_equal(out, "ab");
}

static void
say_hostile_name(void)
{
	/* a file name of the old host, as a caller passes it */
	msg_warnx("%s:%d: %s", "home/.qmail-x\033]0;owned\007\n\xe9\\", 3,
	    "mbox line");
}

/* whatever a caller passes, no control or non-ASCII byte reaches the
 * terminal; a backslash stays (msg_escape()d text is not escaped twice) */
static void
test_every_line_escaped(void **state)
{
	(void)state;
	msg_init("qmail2postfix", MSG_STDERR);
	capture(say_hostile_name);
	assert_string_equal(captured, "qmail2postfix: warning: "
	    "home/.qmail-x\\x1b]0;owned\\x07\\x0a\\xe9\\:3: mbox line\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_line_format),
		cmocka_unit_test(test_warn_appends_strerror),
		cmocka_unit_test(test_debug_only_when_verbose),
		cmocka_unit_test(test_escape_control_bytes),
		cmocka_unit_test(test_every_line_escaped),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
