/*
 * NAME		test_feed - a child counts as having taken a message only
 *		when it read all of it and exited 0, within the time limit
 * DOES		runs /bin/sh children that read all, nothing, 20 bytes, hang
 *		before or after reading, fail with output, or do not exist
 * NEVER	waits longer than a few seconds: every hang is bounded by a
 *		1 s timeout
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/clock.h"
#include "util/feed.h"
#include "util/qstr.h"

#define BIG	(1024 * 1024)	/* more than a socket buffer holds */

static char big[BIG];

struct run {
	int	started, wrote, finished, status, unread, in_broken;
	char	said[FEED_CAPTURE * 4];
	double	secs;
};

/* feed n bytes of big to sh -c SCRIPT, as srs-forward and requeue do */
static void
feed_sh(const char *script, size_t n, int timeout, struct run *o)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	char buf[FEED_CAPTURE * 4];
	struct feed c;
	double t0 = qpm_clock_mono();
	int err;

	memset(o, 0, sizeof(*o));
	feed_init(&c);
	o->started = feed_start(&c, "/bin/sh", argv, timeout, &err);
	if (o->started == 0) {
		o->wrote = feed_write(&c, big, n);
		o->in_broken = c.in_broken;
		if (o->wrote == 0) {
			if (c.in_broken)
				feed_kill(&c);
			o->finished = feed_finish(&c, &o->status, &o->unread);
		}
		(void)qpm_snprintf(o->said, sizeof(o->said), "%s",
		    feed_said(&c, buf, sizeof(buf)));
	}
	feed_close(&c);
	o->secs = qpm_clock_mono() - t0;
}

static int
taken(const struct run *o)
{
	return o->started == 0 && o->wrote == 0 && o->finished == 0 &&
	    !o->in_broken && !o->unread && WIFEXITED(o->status) &&
	    WEXITSTATUS(o->status) == 0;
}

static void
test_reads_all_exit_0_is_taken(void **state)
{
	struct run o;

	(void)state;
	feed_sh("cat >/dev/null", BIG, 5, &o);
	assert_true(taken(&o));
	assert_string_equal(o.said, "no output");
}

/* exit 0 with input unread: a 1 MB message breaks the socket, a short
 * one fits its buffer and only ECONNRESET tells */
static void
test_exit_0_with_input_unread_is_not_taken(void **state)
{
	static const struct {
		const char	*name, *script;
		size_t		 n;
	} cases[] = {
		{ "nothing of 1 MB", "exit 0", BIG },
		{ "nothing of 100 bytes", "exit 0", 100 },
		{ "20 bytes of 1 MB",
		    "dd bs=20 count=1 of=/dev/null status=none; exit 0", BIG },
		{ "20 of 100 bytes",
		    "dd bs=20 count=1 of=/dev/null status=none; exit 0", 100 },
	};
	struct run o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		feed_sh(cases[i].script, cases[i].n, 5, &o);
		if (taken(&o) || !(o.in_broken || o.unread))
			fail_msg("%s: got taken (broken %d, unread %d), want "
			    "not taken", cases[i].name, o.in_broken, o.unread);
	}
}

static void
test_hang_before_reading_times_out(void **state)
{
	struct run o;

	(void)state;
	feed_sh("sleep 30", BIG, 1, &o);
	assert_int_equal(o.wrote, -1);
	assert_true(o.secs < 5);
}

static void
test_hang_after_reading_times_out(void **state)
{
	struct run o;

	(void)state;
	feed_sh("cat >/dev/null; sleep 30", BIG, 1, &o);
	assert_int_equal(o.wrote, 0);
	assert_int_equal(o.finished, -1);
	assert_true(o.secs < 5);
}

static void
test_refusal_keeps_status_and_output(void **state)
{
	struct run o;

	(void)state;
	feed_sh("cat >/dev/null; echo 'postdrop: no room' >&2; exit 75", 1000,
	    5, &o);
	assert_false(taken(&o));
	assert_int_equal(o.finished, 0);
	assert_true(WIFEXITED(o.status));
	assert_int_equal(WEXITSTATUS(o.status), 75);
	assert_string_equal(o.said, "postdrop: no room");
}

static void
test_missing_program_is_an_exec_error(void **state)
{
	char *argv[] = { "/nonexistent/sendmail", NULL };
	struct feed c;
	int err;

	(void)state;
	feed_init(&c);
	assert_int_equal(feed_start(&c, argv[0], argv, 5, &err), -1);
	assert_int_equal(err, ENOENT);
	assert_int_equal(c.pid, 0);
	feed_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_all_exit_0_is_taken),
		cmocka_unit_test(test_exit_0_with_input_unread_is_not_taken),
		cmocka_unit_test(test_hang_before_reading_times_out),
		cmocka_unit_test(test_hang_after_reading_times_out),
		cmocka_unit_test(test_refusal_keeps_status_and_output),
		cmocka_unit_test(test_missing_program_is_an_exec_error),
	};

	memset(big, 'x', sizeof(big));
	return cmocka_run_group_tests_name("feed", tests, NULL, NULL);
}
