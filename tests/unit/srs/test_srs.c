/*
 * NAME		test_srs - the SRS codec against reference vectors
 * DOES		postsrsd's documented example, the postsrsd 1.10 lab vectors
 *		(shared/reference/srs.md), and hashes from an independent
 *		HMAC-SHA1 model for tamper, age, wrap, alphabet, case,
 *		quoting, length, SRS1 chains, NUL and missing-@ cases
 * NEVER	takes an expected value from the code under test
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "srs/srs.h"
#include "util/err.h"

#define LAB_SECRET	"lab-srs-secret-0123456789"
#define LAB_DAY		20779L			/* 2026-11-22, TT "JL" */
#define LAB_T		(LAB_DAY * 86400 + 3600)
#define DOC_T		1577836860L		/* 2020-01-01 00:01:00 UTC */

static time_t now_t;

static struct srs *
mk(const char *secret, const char *domain, time_t t)
{
	struct srs *srs = srs_new();

	assert_non_null(srs);
	assert_int_equal(srs_add_secret(srs, secret, strlen(secret)), 0);
	assert_int_equal(srs_add_domain(srs, domain), 0);
	now_t = t;
	qpm_clock_fixed(&srs->clock, &now_t);
	return srs;
}

struct vec {
	const char	*name, *in, *want;
};

static void
check_forward(struct srs *srs, const struct vec *v, size_t n)
{
	char out[SRS_OUT_MAX];
	enum srs_reason why;
	enum srs_result r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = srs_forward(srs, v[i].in, strlen(v[i].in), out, sizeof(out),
		    &why);
		if (r != SRS_REWRITTEN || strcmp(out, v[i].want) != 0)
			fail_msg("%s: got %s (%d, %s), want %s", v[i].name,
			    r == SRS_REWRITTEN ? out : "-", r,
			    srs_reason_text(why), v[i].want);
	}
}

static void
check_reverse(struct srs *srs, const struct vec *v, size_t n)
{
	char out[SRS_OUT_MAX];
	enum srs_reason why;
	enum srs_result r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = srs_reverse(srs, v[i].in, strlen(v[i].in), out, sizeof(out),
		    &why);
		if (r != SRS_REWRITTEN || strcmp(out, v[i].want) != 0)
			fail_msg("%s: got %s (%d, %s), want %s", v[i].name,
			    r == SRS_REWRITTEN ? out : "-", r,
			    srs_reason_text(why), v[i].want);
	}
}

struct bad {
	const char	*name, *in;
	enum srs_reason	 why;
};

static void
check_reverse_fails(struct srs *srs, const struct bad *b, size_t n)
{
	char out[SRS_OUT_MAX];
	enum srs_reason why;
	enum srs_result r;
	size_t i;

	for (i = 0; i < n; i++) {
		r = srs_reverse(srs, b[i].in, strlen(b[i].in), out, sizeof(out),
		    &why);
		if (r != SRS_NOT_APPLICABLE || why != b[i].why)
			fail_msg("%s: got result %d (%s), want not applicable "
			    "(%s)", b[i].name, r, srs_reason_text(why),
			    srs_reason_text(b[i].why));
	}
}

/* postsrsd's README example */
static void
test_postsrsd_doc_vector(void **state)
{
	static const struct vec v[] = {
		{ "doc", "test@otherdomain.com",
		  "SRS0=vmyz=2W=otherdomain.com=test@example.com" },
	};
	struct srs *srs = mk("tops3cr3t", "example.com", DOC_T);
	char tt[3];

	(void)state;
	srs_stamp(DOC_T, tt);
	assert_string_equal(tt, "2W");
	check_forward(srs, v, 1);
	{
		static const struct vec r[] = {
			{ "doc reverse",
			  "SRS0=vmyz=2W=otherdomain.com=test@example.com",
			  "test@otherdomain.com" },
		};
		check_reverse(srs, r, 1);
	}
	srs_free(srs);
}

/* Debian postsrsd 1.10, secret LAB_SECRET, domain fwd.test, day 20779 */
static const struct vec lab[] = {
	{ "lab alice", "alice@example.test",
	  "SRS0=BDg3=JL=example.test=alice@fwd.test" },
	{ "lab mixed case", "Bob.Smith@Example.Test",
	  "SRS0=8Md/=JL=Example.Test=Bob.Smith@fwd.test" },
	{ "lab plus", "carol+tag@other.test",
	  "SRS0=9/AG=JL=other.test=carol+tag@fwd.test" },
	{ "lab SRS0 becomes SRS1", "SRS0=abcd=AB=orig.test=dave@relay.test",
	  "SRS1=5Nyu=relay.test==abcd=AB=orig.test=dave@fwd.test" },
	{ "lab = in local part", "o=dd@x.example.test",
	  "SRS0=WJta=JL=x.example.test=o=dd@fwd.test" },
};

static void
test_lab_vectors_forward(void **state)
{
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);

	(void)state;
	check_forward(srs, lab, sizeof(lab) / sizeof(lab[0]));
	srs_free(srs);
}

static void
test_lab_vectors_reverse(void **state)
{
	static const struct vec r[] = {
		{ "rev alice", "SRS0=BDg3=JL=example.test=alice@fwd.test",
		  "alice@example.test" },
		{ "rev mixed", "SRS0=8Md/=JL=Example.Test=Bob.Smith@fwd.test",
		  "Bob.Smith@Example.Test" },
		{ "rev plus", "SRS0=9/AG=JL=other.test=carol+tag@fwd.test",
		  "carol+tag@other.test" },
		{ "rev SRS1 one step",
		  "SRS1=5Nyu=relay.test==abcd=AB=orig.test=dave@fwd.test",
		  "SRS0=abcd=AB=orig.test=dave@relay.test" },
		{ "rev = in local", "SRS0=WJta=JL=x.example.test=o=dd@fwd.test",
		  "o=dd@x.example.test" },
		/* case munged by a relay; both alphabets */
		{ "rev lower case", "srs0=bdg3=jl=example.test=alice@fwd.test",
		  "alice@example.test" },
		{ "rev upper case", "SRS0=BDG3=JL=EXAMPLE.TEST=ALICE@FWD.TEST",
		  "ALICE@EXAMPLE.TEST" },
		{ "rev base64url _ for /",
		  "SRS0=8Md_=JL=Example.Test=Bob.Smith@fwd.test",
		  "Bob.Smith@Example.Test" },
		{ "rev base64url - for +... and / ",
		  "SRS0=9_AG=JL=other.test=carol+tag@fwd.test",
		  "carol+tag@other.test" },
		{ "rev separator +", "SRS0+BDg3=JL=example.test=alice@fwd.test",
		  "alice@example.test" },
		{ "rev separator -", "SRS0-BDg3=JL=example.test=alice@fwd.test",
		  "alice@example.test" },
		{ "rev whole digest prefix (8 chars, Mail::SRS style)",
		  "SRS0=BDg3+y6n=JL=example.test=alice@fwd.test",
		  "alice@example.test" },
	};
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);

	(void)state;
	check_reverse(srs, r, sizeof(r) / sizeof(r[0]));
	srs_free(srs);
}

static void
test_alphabet_and_separator_out(void **state)
{
	static const struct vec url[] = {
		{ "base64url writes _", "Bob.Smith@Example.Test",
		  "SRS0=8Md_=JL=Example.Test=Bob.Smith@fwd.test" },
	};
	static const struct vec plus[] = {
		{ "separator + (hash unchanged)", "alice@example.test",
		  "SRS0+BDg3=JL=example.test=alice@fwd.test" },
	};
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);

	(void)state;
	srs->alphabet = SRS_ALPHA_BASE64URL;
	check_forward(srs, url, 1);
	srs->alphabet = SRS_ALPHA_BASE64;
	srs->sep = '+';
	check_forward(srs, plus, 1);
	srs_free(srs);
}

static void
test_tamper(void **state)
{
	static const struct bad b[] = {
		{ "hash char changed", "SRS0=BDg4=JL=example.test=alice@fwd.test",
		  SRS_WHY_BAD_HASH },
		{ "user changed", "SRS0=BDg3=JL=example.test=alicf@fwd.test",
		  SRS_WHY_BAD_HASH },
		{ "domain changed", "SRS0=BDg3=JL=example.tesu=alice@fwd.test",
		  SRS_WHY_BAD_HASH },
		{ "stamp changed", "SRS0=BDg3=JK=example.test=alice@fwd.test",
		  SRS_WHY_BAD_HASH },
		{ "garbage after hash", "SRS0=BDg3x=JL=example.test=alice@fwd.test",
		  SRS_WHY_BAD_HASH },
		{ "hash too short", "SRS0=BDg=JL=example.test=alice@fwd.test",
		  SRS_WHY_HASH_SHORT },
		{ "SRS1 forged", "SRS1=5Nyv=relay.test==abcd=AB=orig.test=dave@fwd.test",
		  SRS_WHY_BAD_HASH },
		{ "stamp 3 chars", "SRS0=BDg3=JLA=example.test=alice@fwd.test",
		  SRS_WHY_BAD_STAMP },
		{ "stamp 1 char", "SRS0=BDg3=J=example.test=alice@fwd.test",
		  SRS_WHY_BAD_STAMP },
		{ "stamp bad char", "SRS0=BDg3=J1=example.test=alice@fwd.test",
		  SRS_WHY_BAD_STAMP },
		{ "long stamp (CVE-2020-35573)",
		  "SRS0=BDg3=JLAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=example.test=alice@fwd.test",
		  SRS_WHY_BAD_STAMP },
		{ "missing user", "SRS0=BDg3=JL=example.test@fwd.test",
		  SRS_WHY_FORMAT },
		{ "empty user", "SRS0=BDg3=JL=example.test=@fwd.test",
		  SRS_WHY_FORMAT },
		{ "only tag", "SRS0=@fwd.test", SRS_WHY_FORMAT },
		{ "SRS1 without opaque", "SRS1=5Nyu=relay.test@fwd.test",
		  SRS_WHY_FORMAT },
		{ "not SRS", "alice@fwd.test", SRS_WHY_NOT_SRS },
		{ "SRS2 tag", "SRS2=BDg3=JL=example.test=alice@fwd.test",
		  SRS_WHY_NOT_SRS },
		{ "foreign domain", "SRS0=BDg3=JL=example.test=alice@other.test",
		  SRS_WHY_FOREIGN },
		{ "missing @", "SRS0=BDg3=JL=example.test=alice", SRS_WHY_NO_AT },
		{ "unbalanced quote", "\"SRS0=BDg3=JL=example.test=alice@fwd.test",
		  SRS_WHY_NO_AT },
		{ "empty", "", SRS_WHY_EMPTY },
	};
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);

	(void)state;
	check_reverse_fails(srs, b, sizeof(b) / sizeof(b[0]));
	srs_free(srs);
}

static void
test_nul_and_overlong_input(void **state)
{
	static const char nul[] = "SRS0=BDg3=JL=example.test=al\0ice@fwd.test";
	char out[SRS_OUT_MAX], big[SRS_MAX_INPUT + 2];
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);
	enum srs_reason why;

	(void)state;
	assert_int_equal(srs_reverse(srs, nul, sizeof(nul) - 1, out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_NUL);
	assert_int_equal(srs_forward(srs, "a\0b@example.test", 16, out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_NUL);
	memset(big, 'a', sizeof(big));
	big[10] = '@';
	assert_int_equal(srs_forward(srs, big, sizeof(big), out, sizeof(out),
	    &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_INPUT_LONG);
	assert_int_equal(srs_reverse(srs, big, sizeof(big), out, sizeof(out),
	    &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_INPUT_LONG);
	/* a buffer too small is an error, never a cut result */
	assert_int_equal(srs_forward(srs, "alice@example.test", 18, out, 20,
	    &why), SRS_ERROR);
	assert_int_equal(why, SRS_WHY_BUFFER);
	srs_free(srs);
}

static void
test_age_window_and_wrap(void **state)
{
	static const struct {
		const char	*name, *addr;
		int		 ok;
	} c[] = {
		{ "21 days old: valid", "SRS0=T5w6=IW=example.test=alice@fwd.test", 1 },
		{ "22 days old: expired", "SRS0=gARm=IV=example.test=alice@fwd.test", 0 },
		{ "1 day in the future: refused", "SRS0=gOOL=JM=example.test=alice@fwd.test", 0 },
		{ "today: valid", "SRS0=BDg3=JL=example.test=alice@fwd.test", 1 },
	};
	char out[SRS_OUT_MAX];
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);
	enum srs_reason why;
	enum srs_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		r = srs_reverse(srs, c[i].addr, strlen(c[i].addr), out,
		    sizeof(out), &why);
		if (c[i].ok && r != SRS_REWRITTEN)
			fail_msg("%s: got %s, want valid", c[i].name,
			    srs_reason_text(why));
		if (!c[i].ok && (r != SRS_NOT_APPLICABLE ||
		    why != SRS_WHY_EXPIRED))
			fail_msg("%s: got %d (%s), want expired", c[i].name, r,
			    srs_reason_text(why));
	}
	/* the stamp wraps every 1024 days: today's address verifies again
	 * 1024 days later, and one 1046 days old looks 22 days old */
	now_t = LAB_T + 1024L * 86400;
	assert_int_equal(srs_reverse(srs, c[3].addr, strlen(c[3].addr), out,
	    sizeof(out), &why), SRS_REWRITTEN);
	now_t = LAB_T + 1023L * 86400;
	assert_int_equal(srs_reverse(srs, c[3].addr, strlen(c[3].addr), out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_EXPIRED);
	/* a window of 0 days accepts only today */
	now_t = LAB_T;
	srs->max_age = 0;
	assert_int_equal(srs_reverse(srs, c[0].addr, strlen(c[0].addr), out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(srs_reverse(srs, c[3].addr, strlen(c[3].addr), out,
	    sizeof(out), &why), SRS_REWRITTEN);
	srs_free(srs);
}

static void
test_secret_rotation(void **state)
{
	static const char old_addr[] = "SRS0=BDg3=JL=example.test=alice@fwd.test";
	static const char new_addr[] = "SRS0=7vq6=JL=example.test=alice@fwd.test";
	char out[SRS_OUT_MAX];
	struct srs *rot = mk("new-secret-2026", "fwd.test", LAB_T);
	struct srs *old = mk(LAB_SECRET, "fwd.test", LAB_T);
	enum srs_reason why;

	(void)state;
	assert_int_equal(srs_add_secret(rot, LAB_SECRET, strlen(LAB_SECRET)), 0);
	/* the first secret signs ... */
	assert_int_equal(srs_forward(rot, "alice@example.test", 18, out,
	    sizeof(out), &why), SRS_REWRITTEN);
	assert_string_equal(out, new_addr);
	/* ... every secret verifies */
	assert_int_equal(srs_reverse(rot, old_addr, strlen(old_addr), out,
	    sizeof(out), &why), SRS_REWRITTEN);
	assert_string_equal(out, "alice@example.test");
	assert_int_equal(srs_reverse(rot, new_addr, strlen(new_addr), out,
	    sizeof(out), &why), SRS_REWRITTEN);
	/* a host without the new secret refuses the new address */
	assert_int_equal(srs_reverse(old, new_addr, strlen(new_addr), out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_BAD_HASH);
	srs_free(rot);
	srs_free(old);
}

/* HMAC hashes a key longer than the SHA-1 block (RFC 2104 2.) */
static void
test_long_secret(void **state)
{
	static const struct vec v[] = {
		{ "100-octet secret", "alice@example.test",
		  "SRS0=9GUp=JL=example.test=alice@fwd.test" },
	};
	char key[101];
	struct srs *srs;

	(void)state;
	memset(key, 'k', 100);
	key[100] = '\0';
	srs = mk(key, "fwd.test", LAB_T);
	check_forward(srs, v, 1);
	srs_free(srs);
}

static void
test_secret_file(void **state)
{
	char path[64], out[SRS_OUT_MAX];
	static const char body[] = "\r\n" LAB_SECRET "\r\n\nnew-secret-2026\n";
	struct srs *srs = srs_new();
	enum srs_reason why;
	int fd;

	(void)state;
	assert_non_null(srs);
	/* mkstemp's template, built so the source holds no run of X */
	memcpy(path, "/tmp/test_srs_secret", 20);
	memset(path + 20, 'X', 6);
	path[26] = '\0';
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, sizeof(body) - 1),
	    (ssize_t)(sizeof(body) - 1));
	close(fd);
	assert_int_equal(srs_load_secrets(srs, path), 2);
	assert_int_equal(srs_add_domain(srs, "fwd.test"), 0);
	now_t = LAB_T;
	qpm_clock_fixed(&srs->clock, &now_t);
	assert_int_equal(srs_forward(srs, "alice@example.test", 18, out,
	    sizeof(out), &why), SRS_REWRITTEN);
	assert_string_equal(out, "SRS0=BDg3=JL=example.test=alice@fwd.test");
	/* an empty file holds no secret */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\n\r\n", 3), 3);
	close(fd);
	srs_free(srs);
	srs = srs_new();
	assert_int_equal(srs_load_secrets(srs, path), QPM_EINVAL);
	assert_int_equal(srs_load_secrets(srs, "/nonexistent/secret"),
	    QPM_ENOENT);
	unlink(path);
	srs_free(srs);
}

static void
test_quoted_local_parts(void **state)
{
	static const struct vec fwd[] = {
		/* the @ inside quotes is not the separator */
		{ "quoted @", "\"a@b\"@example.org",
		  "\"SRS0=wSgR=JL=example.org=a@b\"@fwd.test" },
		/* hash over the mailbox text, as postsrsd hashes it */
		{ "unquoted space", "weird name@example.test",
		  "\"SRS0=pwlV=JL=example.test=weird name\"@fwd.test" },
		{ "escaped quote", "\"a\\\"b\"@example.org",
		  "\"SRS0=iTml=JL=example.org=a\\\"b\"@fwd.test" },
	};
	static const struct vec rev[] = {
		{ "rev quoted @", "\"SRS0=wSgR=JL=example.org=a@b\"@fwd.test",
		  "\"a@b\"@example.org" },
		{ "rev space", "\"SRS0=pwlV=JL=example.test=weird name\"@fwd.test",
		  "\"weird name\"@example.test" },
		{ "rev escaped quote", "\"SRS0=iTml=JL=example.org=a\\\"b\"@fwd.test",
		  "\"a\\\"b\"@example.org" },
		/* a needlessly quoted SRS address is the same address */
		{ "rev quoted dot-string",
		  "\"SRS0=BDg3=JL=example.test=alice\"@fwd.test",
		  "alice@example.test" },
	};
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);
	char out[SRS_OUT_MAX];
	enum srs_reason why;

	(void)state;
	check_forward(srs, fwd, sizeof(fwd) / sizeof(fwd[0]));
	check_reverse(srs, rev, sizeof(rev) / sizeof(rev[0]));
	/* control characters are refused, quoted or not */
	assert_int_equal(srs_forward(srs, "\"a\tb\"@example.org", 17, out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_BAD_LOCAL);
	srs_free(srs);
}

static void
test_local_part_limit(void **state)
{
	char in[128], want[128], out[SRS_OUT_MAX];
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);
	enum srs_reason why;

	(void)state;
	/* SRS0=HHHH=TT=example.org= is 25 octets: 39 more make 64 */
	memset(in, 'a', 39);
	memcpy(in + 39, "@example.org", 13);
	assert_int_equal(srs_forward(srs, in, strlen(in), out, sizeof(out),
	    &why), SRS_REWRITTEN);
	snprintf(want, sizeof(want), "SRS0=UGG4=JL=example.org=%.39s@fwd.test",
	    in);
	assert_string_equal(out, want);
	assert_int_equal(strchr(out, '@') - out, 64);
	memset(in, 'a', 40);
	memcpy(in + 40, "@example.org", 13);
	assert_int_equal(srs_forward(srs, in, strlen(in), out, sizeof(out),
	    &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_TOO_LONG);
	/* quotes count: 37 octets with a space need 2 more for the quotes */
	memset(in, 'a', 38);
	in[5] = ' ';
	memcpy(in + 38, "@example.org", 13);
	assert_int_equal(srs_forward(srs, in, strlen(in), out, sizeof(out),
	    &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_TOO_LONG);
	srs_free(srs);
}

static void
test_srs1_chains(void **state)
{
	static const struct vec fwd[] = {
		/* SRS1 from another forwarder: re-signed, hop1 kept */
		{ "SRS1 re-signed", "SRS1=abcd=hop1.test==ZZZZ=AB=orig.test=dave@relay.test",
		  "SRS1=Hl66=hop1.test==ZZZZ=AB=orig.test=dave@fwd.test" },
	};
	static const struct vec rev[] = {
		{ "double SRS1 reverses one step",
		  "SRS1=Hl66=hop1.test==ZZZZ=AB=orig.test=dave@fwd.test",
		  "SRS0=ZZZZ=AB=orig.test=dave@hop1.test" },
	};
	char out[SRS_OUT_MAX];
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);
	enum srs_reason why;

	(void)state;
	check_forward(srs, fwd, 1);
	check_reverse(srs, rev, 1);
	/* our own addresses are never wrapped again */
	assert_int_equal(srs_forward(srs,
	    "SRS1=Hl66=hop1.test==ZZZZ=AB=orig.test=dave@FWD.test", 52, out,
	    sizeof(out), &why), SRS_NOT_APPLICABLE);
	assert_int_equal(why, SRS_WHY_OURS);
	srs_free(srs);
}

static void
test_forward_not_applicable(void **state)
{
	static const struct bad b[] = {
		{ "no @", "alice", SRS_WHY_NO_AT },
		{ "empty domain", "alice@", SRS_WHY_BAD_DOMAIN },
		{ "= in domain", "alice@a=b.test", SRS_WHY_BAD_DOMAIN },
		{ "empty local", "@example.test", SRS_WHY_BAD_LOCAL },
		{ "our domain", "bob@fwd.test", SRS_WHY_OURS },
		{ "our second domain", "bob@SRS2.test", SRS_WHY_OURS },
	};
	char out[SRS_OUT_MAX];
	struct srs *srs = mk(LAB_SECRET, "fwd.test", LAB_T);
	enum srs_reason why;
	enum srs_result r;
	size_t i;

	(void)state;
	assert_int_equal(srs_add_domain(srs, "srs2.test"), 0);
	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		r = srs_forward(srs, b[i].in, strlen(b[i].in), out, sizeof(out),
		    &why);
		if (r != SRS_NOT_APPLICABLE || why != b[i].why)
			fail_msg("%s: got %d (%s), want %s", b[i].name, r,
			    srs_reason_text(why), srs_reason_text(b[i].why));
	}
	/* the second domain is ours for reverse, too */
	assert_int_equal(srs_reverse(srs,
	    "SRS0=BDg3=JL=example.test=alice@srs2.test", 41, out, sizeof(out),
	    &why), SRS_REWRITTEN);
	srs_free(srs);
}

static void
test_no_secret_is_error(void **state)
{
	char out[SRS_OUT_MAX];
	struct srs *srs = srs_new();
	enum srs_reason why;

	(void)state;
	assert_int_equal(srs_add_domain(srs, "fwd.test"), 0);
	assert_int_equal(srs_forward(srs, "a@b.test", 8, out, sizeof(out),
	    &why), SRS_ERROR);
	assert_int_equal(why, SRS_WHY_NO_SECRET);
	assert_int_equal(srs_reverse(srs, "a@b.test", 8, out, sizeof(out),
	    &why), SRS_ERROR);
	assert_int_equal(srs_add_domain(srs, "bad=domain"), QPM_EINVAL);
	assert_int_equal(srs_add_secret(srs, "", 0), QPM_EINVAL);
	srs_free(srs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postsrsd_doc_vector),
		cmocka_unit_test(test_lab_vectors_forward),
		cmocka_unit_test(test_lab_vectors_reverse),
		cmocka_unit_test(test_alphabet_and_separator_out),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_nul_and_overlong_input),
		cmocka_unit_test(test_age_window_and_wrap),
		cmocka_unit_test(test_secret_rotation),
		cmocka_unit_test(test_long_secret),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_quoted_local_parts),
		cmocka_unit_test(test_local_part_limit),
		cmocka_unit_test(test_srs1_chains),
		cmocka_unit_test(test_forward_not_applicable),
		cmocka_unit_test(test_no_secret_is_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
