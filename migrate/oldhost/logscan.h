/*
 * NAME		logscan - the log scanner behind limits_read_logs()
 * DOES		feeds lines of one file or buffer into struct limits' log
 *		statistics; tests and the fuzz target call it on memory
 * NEVER	keeps a line after it was scanned
 */
#ifndef QPM_MIGRATE_LOGSCAN_H
#define QPM_MIGRATE_LOGSCAN_H

#include <stddef.h>
#include <time.h>

#include "migrate/model/limits.h"

struct logscan;

struct logscan *logscan_new(struct limits *l);
/* ref: a time in the file's last month (syslog lines carry no year). */
int	logscan_buf(struct logscan *s, const char *name, const char *buf,
	    size_t len, time_t ref);
void	logscan_free(struct logscan *s);

#endif
