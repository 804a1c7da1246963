/*
 * pausekit-driver, errors in the form the runner reads: "error ...", then
 * "end". A leaf: it calls no other part of the driver. What must be undone
 * when setup dies (init mode's temporary PATH directory) is registered with
 * on_die() by the part that made it.
 */

#include "driver.h"
#include <stdio.h>
#include <stdlib.h>

/* Cleanups die() runs; the driver registers one, room is left for a few. */
#define MAX_CLEANUPS 4
static void (*cleanups[MAX_CLEANUPS])(void);
static int ncleanups;

/* Register a cleanup for die(); more than MAX_CLEANUPS is a programming error. */
void on_die(void (*cleanup)(void))
{
	if (ncleanups == MAX_CLEANUPS)
		abort();
	cleanups[ncleanups++] = cleanup;
}

/* An error block on stdout, the form the runner reads: "error ...\nend". */
static __attribute__((format(printf, 1, 0))) void report_error(const char *fmt, va_list ap)
{
	printf("error ");
	vprintf(fmt, ap);
	printf("\nend\n");
	fflush(stdout);
}

/* Setup failed: say why, undo what was registered, and stop. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_error(fmt, ap);
	va_end(ap);
	while (ncleanups > 0)
		cleanups[--ncleanups]();
	exit(EXIT_SETUP);
}

/* A command failed: say why; the runner stops the scenario. */
__attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_error(fmt, ap);
	va_end(ap);
	return -1;
}
