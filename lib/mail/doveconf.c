/*
 * NAME		doveconf - one setting in doveconf's output
 * DOES		finds the value of a top-level setting or of a setting in
 *		a service block, in text doveconf printed
 * NEVER	runs doveconf, copies the value
 */
#include <config.h>

#include <string.h>

#include "mail/doveconf.h"
#include "util/qstr.h"

int
doveconf_value(const struct qstr *out, const char *key, const char **v,
    size_t *n)
{
	const char *s = qstr_str(out), *eol;
	size_t kl;

	if (strchr(key, '/') == NULL) {
		*n = out->len;
		while (*n > 0 && s[*n - 1] == '\n')
			(*n)--;
		for (*v = s + *n; *v > s && (*v)[-1] != '\n'; (*v)--)
			;
		*n -= (size_t)(*v - s);
		return 0;
	}
	key = strrchr(key, '/') + 1;
	kl = strlen(key);
	for (; *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		if (strncmp(s, "  ", 2) == 0 && s[2] != ' ' &&
		    strncmp(s + 2, key, kl) == 0 &&
		    strncmp(s + 2 + kl, " =", 2) == 0) {
			*v = s + 4 + kl + (s[4 + kl] == ' ');
			*n = (size_t)(eol - *v);
			return 0;
		}
	}
	return -1;
}
