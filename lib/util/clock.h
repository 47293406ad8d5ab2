/*
 * NAME		clock - injectable time source
 * DOES		nothing calls time() directly: tests pass a fixed clock
 * NEVER	reads the environment
 */
#ifndef QPM_CLOCK_H
#define QPM_CLOCK_H

#include <time.h>

struct qpm_clock {
	time_t	(*now)(void *arg);
	void	*arg;
};

extern const struct qpm_clock qpm_clock_system;

/* A clock that always answers *t; t must outlive the clock. */
void	qpm_clock_fixed(struct qpm_clock *c, time_t *t);
time_t	qpm_clock_now(const struct qpm_clock *c);

/* Seconds on CLOCK_MONOTONIC: for time limits and durations, never for
 * dates (those come from a struct qpm_clock). */
double	qpm_clock_mono(void);

#endif
