/*
 * NAME		version - the --version line every program prints
 * DOES		"PROGRAM (qmail2postfix) VERSION" on stdout
 * NEVER	fails
 */
#ifndef QPM_VERSION_H
#define QPM_VERSION_H

void	qpm_version(const char *progname);

#endif
