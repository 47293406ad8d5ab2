/*
 * NAME		version - the --version line
 * DOES		prints the package version from config.h
 * NEVER	writes to stderr
 */
#include <config.h>

#include <stdio.h>

#include "util/version.h"

void
qpm_version(const char *progname)
{
	printf("%s (%s) %s\n", progname, PACKAGE_NAME, PACKAGE_VERSION);
}
