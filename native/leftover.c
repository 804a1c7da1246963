/*
 * leftover N PROGRAM [ARGS...]: fork N children that exit at once, wait
 * until every one is a zombie (waitid with WNOWAIT, which leaves it one),
 * then exec PROGRAM in this same process: PROGRAM starts with N zombie
 * children whose SIGCHLD it never saw, as pause does after a shell's
 * `cmd & exec pause`. For the tests (test/native/reaps-leftover-zombies).
 * Exit 2 on bad usage, 1 if a system call fails.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end = 0;
	long n, i;

	if (argc < 3 || (n = strtol(argv[1], &end, 10)) < 1 || n > 1000 || *end) {
		fprintf(stderr, "usage: leftover N PROGRAM [ARGS...] (N: 1..1000)\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("leftover: fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		{
			siginfo_t info;

			memset(&info, 0, sizeof(info));
			if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0) {
				perror("leftover: waitid");
				return 1;
			}
		}
	}
	execvp(argv[2], argv + 2);
	perror("leftover: exec");
	return 1;
}
