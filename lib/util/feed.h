/*
 * NAME		feed - hand a message to a program (sendmail) and know that
 *		it took all of it
 * DOES		starts PATH ARGV in its own process group with its stdin on
 *		one end of a socketpair and its stdout+stderr on a pipe;
 *		streams bytes with a time limit on every step; at the end
 *		tells whether it exited, how, and whether it left bytes unread
 * NEVER	closes the child's input before killing it on an abort (an
 *		EOF would end the message early), waits without a limit
 */
#ifndef QPM_FEED_H
#define QPM_FEED_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#define FEED_CAPTURE	512	/* the child's output kept for the log */

struct feed {
	pid_t	 pid;		/* 0 once reaped */
	volatile sig_atomic_t pgid;	/* its group, for feed_kill() */
	int	 in;		/* its stdin (a socket), non-blocking */
	int	 out;		/* its stdout+stderr */
	int	 pidfd;		/* -1 when the kernel has none */
	char	 cap[FEED_CAPTURE];
	size_t	 caplen;
	int	 out_eof;
	int	 in_broken;	/* EPIPE: it stopped reading */
	double	 deadline;
	int	 timeout;	/* seconds without progress */
};

/* Sets every descriptor to -1: feed_close() is then safe. */
void	feed_init(struct feed *c);

/* Start path (absolute) with argv.  Returns 0, or -1 with errno set
 * (*err is the exec error when the program could not be run). */
int	feed_start(struct feed *c, const char *path, char **argv,
	    int timeout, int *err);

/* Write all of p; -1 when it made no progress for the timeout, else 0
 * (when it stopped reading, in_broken is set: the caller decides). */
int	feed_write(struct feed *c, const char *p, size_t n);

/* Copy fd to its end into the child: 0 at the end or when it stopped
 * reading (in_broken), -1 on a timeout, QPM_EIO on a read error. */
int	feed_copy(struct feed *c, int fd);

/* End its input, collect its output and exit status; -1 on a timeout.
 * *unread is 1 when it exited with bytes of its input unread. */
int	feed_finish(struct feed *c, int *status, int *unread);

/* SIGKILL to its group; async-signal-safe (for a fatal-signal handler). */
void	feed_kill(const struct feed *c);

/* Its output as one escaped line ("no output" when none). */
const char *feed_said(struct feed *c, char *buf, size_t len);

/* Kill and reap it if still there, close every descriptor. */
void	feed_close(struct feed *c);

#endif
