/*
 * failcall: run a program with one system call made to fail, to provoke
 * setup failures that cannot happen otherwise (tests only).
 *
 *   failcall rt_sigaction SIGNUM PROGRAM [ARG...]
 *   failcall rt_sigprocmask HOW PROGRAM [ARG...]
 *   failcall unshare FLAGS PROGRAM [ARG...]
 *   failcall clone FLAGS PROGRAM [ARG...]
 *
 * A seccomp filter makes the named call fail with EINVAL when its first
 * argument is SIGNUM (or HOW, e.g. 0 = SIG_BLOCK); every other call goes
 * through. Then PROGRAM is executed in place, keeping the pid (so it can be
 * PID 1 of a namespace). pause's distinct exit codes for a failed sigaction
 * (1, 2, 3), a failed sigprocmask (4) and, in init mode, a failed fork
 * (5: clone with flags SIGCHLD, 17) are tested this way, and so is the
 * kernel runner's message when no PID namespace can be made.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#define THIS_ARCH 0 /* unknown here: failcall refuses to run (tests skip) */
#endif

/* The calls failcall can break, by name. */
static const struct {
	const char *name;
	int nr;
} calls[] = {
	{ "rt_sigaction", SYS_rt_sigaction },
	{ "rt_sigprocmask", SYS_rt_sigprocmask },
	{ "unshare", SYS_unshare },
	{ "clone", SYS_clone },
};

/* Install the filter: fail call `nr` with EINVAL when its first argument is `arg0`. */
static int fail_call(int nr, unsigned arg0)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arg0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog program = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}

/* Parse "CALL ARG0 PROGRAM...", install the filter, become PROGRAM. */
int main(int argc, char **argv)
{
	unsigned i;

	if (!THIS_ARCH) {
		fprintf(stderr, "failcall: only x86-64 and aarch64 are supported\n");
		return 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: failcall rt_sigaction|rt_sigprocmask|unshare|clone ARG0 PROGRAM [ARG...]\n");
		return 2;
	}
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(argv[1], calls[i].name))
			break;
	if (i == sizeof(calls) / sizeof(calls[0])) {
		fprintf(stderr, "failcall: unknown system call %s\n", argv[1]);
		return 2;
	}
	if (fail_call(calls[i].nr, (unsigned)strtoul(argv[2], 0, 10)) < 0) {
		perror("failcall: seccomp");
		return 2;
	}
	execv(argv[3], argv + 3);
	perror("failcall: exec");
	return 127;
}
