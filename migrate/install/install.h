/*
 * NAME		install.h - "qmail2postfix install OUT": OUT into place
 * DOES		dated backups, a diff, postmap, validation; all or nothing
 * NEVER	overwrites a file or a backup without keeping the old one
 */
#ifndef QPM_INSTALL_H
#define QPM_INSTALL_H

#include <time.h>

/* "main.cf" + t -> "main.cf.YYYYMMDD-HHMMSS" (UTC); 0 or QPM_ERANGE */
int	install_backup_name(char *buf, size_t size, const char *path, time_t t);
/* "--now": YYYYMMDD-HHMMSS (UTC) or seconds since the epoch; 0 or -1 */
int	install_parse_now(const char *s, time_t *t);

int	install_main(int argc, char **argv);

#endif
