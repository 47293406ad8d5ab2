/*
 * NAME		test_json - JSON output is sorted, whole, and round-trips
 * DOES		writes with qpm_json_write_file and parses back with jansson
 * NEVER	compares against output produced by the code under test alone
 */
#include <config.h>

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

#include "mail/json.h"
#include "util/file.h"
#include "util/qstr.h"

static void
test_write_file_sorted_and_parseable(void **state)
{
	char dir[] = "/tmp/q2p-test-json-XXXXXX", path[256];
	struct qstr text = QSTR_INIT(4096);
	json_t *o, *back;
	json_error_t e;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(qpm_snprintf(path, sizeof(path), "%s/m.json", dir) > 0);
	o = json_object();
	assert_int_equal(qpm_json_set_str(o, "zeta", "last"), 0);
	assert_int_equal(qpm_json_set_int(o, "alpha", 42), 0);
	assert_int_equal(qpm_json_set_bool(o, "mid", 1), 0);
	assert_int_equal(qpm_json_set(o, "list", json_array()), 0);
	assert_int_equal(qpm_json_append(json_object_get(o, "list"),
	    json_string("x")), 0);
	assert_int_equal(qpm_json_write_file(path, o, 0600), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(file_read_all(path, 4096, 0, &text), 0);
	/* sorted keys: "alpha" comes before "zeta" in the text */
	assert_true(strstr(text.buf, "\"alpha\"") < strstr(text.buf, "\"zeta\""));
	assert_int_equal(text.buf[text.len - 1], '\n');
	back = json_loads(text.buf, 0, &e);
	assert_non_null(back);
	assert_true(json_equal(o, back));
	json_decref(back);
	json_decref(o);
	qstr_free(&text);
	unlink(path);
	rmdir(dir);
}

static void
test_null_value_is_an_error_not_a_crash(void **state)
{
	json_t *o = json_object(), *a = json_array();

	(void)state;
	assert_true(qpm_json_set(o, "k", NULL) < 0);
	assert_int_equal(json_object_size(o), 0);
	assert_true(qpm_json_append(a, NULL) < 0);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	json_decref(o);
}

/* bytes jansson refuses (not UTF-8) become their visible rendering,
 * never a NULL taken for "out of memory"; UTF-8 stays as it is */
static void
test_string_not_utf8(void **state)
{
	json_t *o = json_object(), *v;

	(void)state;
	v = qpm_json_string("gesch\xe4" "ftlich \\ \033");
	assert_non_null(v);
	assert_string_equal(json_string_value(v),
	    "gesch\\xe4ftlich \\\\ \\x1b");
	json_decref(v);
	v = qpm_json_string("gesch\xc3\xa4" "ftlich");
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "gesch\xc3\xa4" "ftlich");
	json_decref(v);
	assert_int_equal(qpm_json_set_str(o, "k", "\xff\xfe"), 0);
	assert_string_equal(qpm_json_get_str(o, "k"), "\\xff\\xfe");
	json_decref(o);
}

static void
test_getters_default_on_absent_or_wrong_type(void **state)
{
	json_t *o = json_pack("{s:s, s:i, s:b}", "name", "mx1", "n", 42,
	    "flag", 1);

	(void)state;
	assert_non_null(o);
	assert_string_equal(qpm_json_get_str(o, "name"), "mx1");
	assert_string_equal(qpm_json_get_str(o, "n"), "");	/* not a string */
	assert_string_equal(qpm_json_get_str(o, "absent"), "");
	assert_int_equal(qpm_json_get_int(o, "n", -1), 42);
	assert_int_equal(qpm_json_get_int(o, "name", -1), -1);
	assert_int_equal(qpm_json_get_int(o, "flag", 7), 7);	/* a boolean */
	assert_int_equal(qpm_json_get_int(NULL, "n", 5), 5);
	assert_string_equal(qpm_json_opt_str(o, "name"), "mx1");
	assert_null(qpm_json_opt_str(o, "n"));		/* not a string */
	assert_null(qpm_json_opt_str(o, "absent"));
	assert_null(qpm_json_opt_str(NULL, "name"));
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_file_sorted_and_parseable),
		cmocka_unit_test(test_null_value_is_an_error_not_a_crash),
		cmocka_unit_test(test_string_not_utf8),
		cmocka_unit_test(test_getters_default_on_absent_or_wrong_type),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
