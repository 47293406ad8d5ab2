/*
 * NAME		clock - the system clock and a fixed clock for tests
 * DOES		answers "now"
 * NEVER	caches
 */
#include <config.h>

#include "util/clock.h"

static time_t
clock_system_now(void *arg)
{
	(void)arg;
	return time(NULL);
}

static time_t
clock_fixed_now(void *arg)
{
	return *(time_t *)arg;
}

const struct qpm_clock qpm_clock_system = { clock_system_now, NULL };

void
qpm_clock_fixed(struct qpm_clock *c, time_t *t)
{
	c->now = clock_fixed_now;
	c->arg = t;
}

time_t
qpm_clock_now(const struct qpm_clock *c)
{
	if (c == NULL || c->now == NULL)
		return time(NULL);
	return c->now(c->arg);
}

double
qpm_clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
