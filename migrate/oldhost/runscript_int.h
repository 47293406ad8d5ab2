/*
 * NAME		runscript_int - what the run script reader's two files
 *		share: the words of a line and the shell variables
 * DOES		runscript.c: the sh subset (words, quotes, expansion,
 *		operators); runscript_cmd.c: the programs of one command
 * NEVER	used outside migrate/oldhost/runscript*.c
 */
#ifndef QPM_MIGRATE_RUNSCRIPT_INT_H
#define QPM_MIGRATE_RUNSCRIPT_INT_H

#include <limits.h>
#include <string.h>

#include "migrate/model/limits.h"
#include "migrate/oldhost/readers.h"
#include "util/qstr.h"

struct rs_var {
	char		*name, *value;
	char		*from;		/* "file:line" the value came from */
	int		 unknown;	/* holds an unresolvable expansion */
	int		 exported;
};

struct rs_word {
	struct qstr	 s;
	int		 unknown;
	int		 assign_ok;	/* NAME= was unquoted: an assignment */
	int		 op;		/* an operator: ; & | && || */
	char		 from[PATH_MAX + 32];
};

struct rs {
	struct limits	*l;
	const char	*root, *dir, *name;
	unsigned long	 line;
	struct rs_var	 vars[LIMITS_MAX_VARS];
	size_t		 nvars;
	struct rs_word	*w;
	size_t		 nw;
	int		 depth;
	int		 found;		/* a listener was read */
};

static inline const char *
base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

static inline const char *
wstr(const struct rs *r, size_t i)
{
	return qstr_str(&r->w[i].s);
}

/* Set a shell variable (runscript.c): name is n bytes; from the
 * "file:line" its value came from, or NULL. */
int	var_set(struct rs *r, const char *name, size_t n, const char *value,
	    int unknown, const char *from, int exported);

/* Walk one simple command, words i..end-1 (runscript_cmd.c): wrapper
 * programs, then the listener; 0 or a negative qpm_err. */
int	runscript_command(struct rs *r, size_t i, size_t end);

#endif
