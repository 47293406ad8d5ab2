/*
 * NAME		qqueue - qmail 1.03 queue envelope files
 * DOES		parses info/ ("F" sender NUL), local/ and remote/ ("T" or
 *		"D" address NUL per recipient) and todo/ ("u" uid, "p" pid,
 *		"F" sender, "T" recipient ..., each NUL-terminated) into an
 *		envelope; undoes qmail-send's virtualdomains rewriting
 * NEVER	touches a file: bytes in, envelope out
 */
#ifndef QPM_QQUEUE_H
#define QPM_QQUEUE_H

#include <stddef.h>

struct qq_rcpt {
	char	*addr;		/* as qmail stored it */
	int	 done;		/* "D": delivered already, never resend */
	int	 remote;	/* from remote/ (else local/ or todo/) */
};

struct qq_env {
	char		*sender;	/* "" for the null sender */
	int		 have_sender;
	struct qq_rcpt	*rcpt;
	size_t		 n, cap;
};

void	qq_env_free(struct qq_env *e);
/* Each returns 0 or a negative qpm_err; *why is set on QPM_ESYNTAX. */
int	qq_parse_info(struct qq_env *e, const char *buf, size_t len,
	    const char **why);
int	qq_parse_rcpts(struct qq_env *e, const char *buf, size_t len,
	    int remote, const char **why);
int	qq_parse_todo(struct qq_env *e, const char *buf, size_t len,
	    const char **why);
size_t	qq_pending(const struct qq_env *e);	/* recipients not done */

/* qmail-send stores a virtual-domain recipient user@dom as
 * PREPEND-user@dom in local/. Given the control/virtualdomains pairs,
 * write the address the sender used into out (size outlen).
 * Returns 1 when it rewrote, 0 when addr is kept as it is, negative on
 * overflow. */
struct qq_vdomain {
	const char	*domain;	/* "example.com", ".wild", "" (catch-all),
					 * or "user@domain" */
	const char	*prepend;
};
int	qq_unrewrite(const char *addr, const struct qq_vdomain *vd, size_t nvd,
	    char *out, size_t outlen);

#endif
