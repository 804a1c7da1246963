/*
 * sys.h: the few system calls pause (native/pause.c) and the benchmark's
 * floor (bench/floor.c) make, as small inline wrappers. Include it once, from
 * the program's one source file, which defines main(argc, argv).
 *
 * SYS_NOLIBC builds without any C library: the wrappers make raw system
 * calls, and this header brings the program's entry point (_start) and the
 * signal handlers' return trampoline. Everything that differs between
 * machines -- system call numbers, how a call is made, the kernel's struct
 * sigaction, how a handler returns, the start-up stack -- lives in one file
 * per architecture, arch/<arch>.h, named as OCI platforms name them:
 *
 *   amd64 (x86-64)  arm64 (aarch64)  arm (v7, hard-float)
 *   ppc64le         s390x            riscv64
 *
 * Without SYS_NOLIBC the same wrappers call the C library (glibc or musl,
 * for the benchmark's comparison builds, and any other machine).
 *
 * Every wrapper returns what the kernel returns: >= 0 on success, -errno on
 * failure (sys_sigaction and sys_sigmask: 0 or -1).
 */

#ifndef PAUSEKIT_SYS_H
#define PAUSEKIT_SYS_H

int main(int argc, char **argv);

#ifdef SYS_NOLIBC

#define SYS_STR(x) #x
#define SYS_XSTR(x) SYS_STR(x)

/*
 * Constants with the same value on every architecture below (alpha, mips,
 * parisc and sparc differ, and are not supported).
 */
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGABRT 6
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
/* The real-time signals a program may use (32 and 33 belong to C libraries). */
#define SYS_SIGRTMIN 34
#define SYS_SIGRTMAX 64
#define SA_NOCLDSTOP 0x00000001UL
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIG_DFL ((void (*)(int))0)
#define SIG_IGN ((void (*)(int))1)
#define WNOHANG 1
#define POLLOUT 4
#define RWF_NOWAIT 8
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define ENOEXEC 8
#define EACCES 13
#define ENOTDIR 20
#define EPIPE 32

/* The kernel's signal set: 64 signals, in as many longs as that takes. */
#define SYS_SIGSET_WORDS (64 / (8 * sizeof(unsigned long)))
typedef struct {
	unsigned long word[SYS_SIGSET_WORDS];
} sigset_bits;

#if defined(__x86_64__)
#include "arch/amd64.h"
#elif defined(__aarch64__)
#include "arch/arm64.h"
#elif defined(__arm__) && defined(__ARM_EABI__) && !defined(__ARMEB__)
#include "arch/arm.h"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#include "arch/ppc64le.h"
#elif defined(__s390x__)
#include "arch/s390x.h"
#elif defined(__riscv) && __riscv_xlen == 64
#include "arch/riscv64.h"
#else
#error "SYS_NOLIBC: no arch/<arch>.h for this machine; build with a C library"
#endif

/* tcsetpgrp()'s ioctl: the generic number, unless arch/ says otherwise. */
#ifndef TIOCSPGRP
#define TIOCSPGRP 0x5410
#endif

/* A poll(2) entry, the same everywhere. */
struct sys_pollfd {
	int fd;
	short events;
	short revents;
};

static inline long sys_write(int fd, const char *buf, unsigned long len)
{
	return sys_call4(NR_write, fd, (long)buf, (long)len, 0);
}

/*
 * Write all of buf now or nothing: pwritev2() with RWF_NOWAIT at the file's
 * position (-1); -EAGAIN where the write would block. Files and kernels
 * that cannot tell fail otherwise (-EOPNOTSUPP: a terminal, some file
 * systems, pipes before Linux 6.4; -EINVAL or -ENOSYS before 4.14).
 */
static inline long sys_write_nowait(int fd, const char *buf, unsigned long len)
{
	struct { const char *base; unsigned long len; } iov = { buf, len };

	return sys_call6(NR_pwritev2, fd, (long)&iov, 1, -1, -1, RWF_NOWAIT);
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
	for (;;)
		sys_call4(NR_exit_group, code, 0, 0, 0);
}

static inline int sys_getpid(void)
{
	return (int)sys_call4(NR_getpid, 0, 0, 0, 0);
}

/* Reap one zombie child, any; its wait status in *status (may be 0). */
static inline int sys_wait_any(int *status)
{
	return (int)sys_call4(NR_wait4, -1, (long)status, WNOHANG, 0);
}

/*
 * fork(2) as clone(SIGCHLD) with no new stack: some architectures have no
 * fork system call, and clone's first two arguments are in a different
 * order on some (SYS_CLONE_ARGS, in arch/).
 */
static inline int sys_fork(void)
{
	return (int)sys_call4(NR_clone, SYS_CLONE_ARGS(SIGCHLD), 0, 0);
}

static inline int sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return (int)sys_call4(NR_execve, (long)path, (long)argv, (long)envp, 0);
}

static inline int sys_kill(int pid, int sig)
{
	return (int)sys_call4(NR_kill, pid, sig, 0, 0);
}

static inline int sys_setpgid(int pid, int pgid)
{
	return (int)sys_call4(NR_setpgid, pid, pgid, 0, 0);
}

static inline int sys_ioctl(int fd, unsigned long request, void *arg)
{
	return (int)sys_call4(NR_ioctl, fd, (long)request, (long)arg, 0);
}

static inline int sys_prctl(int option, unsigned long arg)
{
	return (int)sys_call4(NR_prctl, option, (long)arg, 0, 0);
}

static inline int sys_chdir(const char *path)
{
	return (int)sys_call4(NR_chdir, (long)path, 0, 0, 0);
}

/* Whether fd can take a short write now: poll with a zero timeout. */
static inline int sys_writable(int fd)
{
	struct sys_pollfd p = { fd, POLLOUT, 0 };
	long zero[2] = { 0, 0 }; /* struct timespec, in longs everywhere */
	long n = sys_call4(NR_ppoll, (long)&p, 1, (long)zero, 0);

	/* poll itself failing (EINVAL under an RLIMIT_NOFILE of 0) says
	 * nothing of fd: write all the same. */
	return n < 0 || (n == 1 && (p.revents & POLLOUT));
}

/* Sleep until a signal handler has run. */
static inline void sys_pause(void)
{
#ifdef NR_pause
	sys_call4(NR_pause, 0, 0, 0, 0);
#else
	/* No pause(2) here: ppoll() of no fds, no timeout, no mask is the same. */
	sys_call4(NR_ppoll, 0, 0, 0, 0);
#endif
}

/*
 * Install a handler (or SIG_DFL, SIG_IGN) with an empty mask; the one it
 * replaces into *was (unless was is 0). Never with SA_SIGINFO: a restorer
 * in arch/ may rely on that (the frame differs).
 */
static inline int sys_sigaction_was(int sig, void (*handler)(int), unsigned long flags,
				    void (**was)(int))
{
	struct kernel_sigaction act = { .handler = handler, .flags = flags }, old;

#ifdef SA_RESTORER
	act.flags |= SA_RESTORER;
	act.restorer = sys_restorer;
#endif
	if (sys_call4(NR_rt_sigaction, sig, (long)&act, was ? (long)&old : 0,
		      sizeof(sigset_bits)) < 0)
		return -1;
	if (was)
		*was = old.handler;
	return 0;
}

static inline int sys_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	return sys_sigaction_was(sig, handler, flags, 0);
}

static inline void set_add(sigset_bits *set, int sig)
{
	const unsigned bits = 8 * sizeof(unsigned long);

	set->word[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
}

static inline int set_has(const sigset_bits *set, int sig)
{
	const unsigned bits = 8 * sizeof(unsigned long);

	return (set->word[(sig - 1) / bits] >> ((sig - 1) % bits)) & 1;
}

/* Every signal (the kernel leaves SIGKILL and SIGSTOP out by itself). */
static inline void set_fill(sigset_bits *set)
{
	unsigned i;

	for (i = 0; i < SYS_SIGSET_WORDS; i++)
		set->word[i] = ~0UL;
}

/* sigprocmask: how is SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK; old may be 0. */
static inline int sys_sigmask(int how, const sigset_bits *set, sigset_bits *old)
{
	return sys_call4(NR_rt_sigprocmask, how, (long)set, (long)old,
			 sizeof(sigset_bits)) < 0 ? -1 : 0;
}

/* The lowest-numbered pending signal of the set; -EINTR if interrupted. */
static inline int sys_sigwait(const sigset_bits *set)
{
	return (int)sys_call4(NR_rt_sigtimedwait, (long)set, 0, 0,
			      sizeof(sigset_bits));
}

/* Take one pending signal of the set if there is one; never waits. */
static inline void sys_sigtake(const sigset_bits *set)
{
	long zero[2] = { 0, 0 };

	sys_call4(NR_rt_sigtimedwait, (long)set, 0, (long)zero, sizeof(sigset_bits));
}

#else /* with a C library */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef sigset_t sigset_bits;

/*
 * The real-time signals the C library leaves to programs. Its SIGRTMAX is
 * a function call, where an array's size needs a constant: the kernel's
 * last signal, which SIGRTMAX is.
 */
#define SYS_SIGRTMIN SIGRTMIN
#define SYS_SIGRTMAX (_NSIG - 1)

#define SYS_ERR(call) ((call) < 0 ? -errno : 0)

static inline long sys_write(int fd, const char *buf, unsigned long len)
{
	return write(fd, buf, len);
}

/* pwritev2() with RWF_NOWAIT (8), where the C library knows the call; see above. */
static inline long sys_write_nowait(int fd, const char *buf, unsigned long len)
{
#ifdef SYS_pwritev2
	struct iovec iov = { (void *)buf, len };
	long n = syscall(SYS_pwritev2, fd, &iov, 1, -1L, -1L, 8);

	return n < 0 ? -errno : n;
#else
	(void)fd, (void)buf, (void)len;
	return -ENOSYS;
#endif
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
	_exit(code);
}

static inline int sys_getpid(void)
{
	return (int)getpid();
}

static inline int sys_wait_any(int *status)
{
	return (int)waitpid(-1, status, WNOHANG);
}

static inline int sys_fork(void)
{
	pid_t pid = fork();

	return pid < 0 ? -errno : (int)pid;
}

static inline int sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return SYS_ERR(execve(path, argv, envp));
}

static inline int sys_kill(int pid, int sig)
{
	return SYS_ERR(kill(pid, sig));
}

static inline int sys_setpgid(int pid, int pgid)
{
	return SYS_ERR(setpgid(pid, pgid));
}

static inline int sys_ioctl(int fd, unsigned long request, void *arg)
{
	return SYS_ERR(ioctl(fd, request, arg));
}

static inline int sys_prctl(int option, unsigned long arg)
{
	return SYS_ERR(prctl(option, arg, 0, 0, 0));
}

static inline int sys_chdir(const char *path)
{
	return SYS_ERR(chdir(path));
}

static inline int sys_writable(int fd)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	int n = poll(&p, 1, 0);

	return n < 0 || (n == 1 && (p.revents & POLLOUT));
}

static inline void sys_pause(void)
{
	pause();
}

static inline int sys_sigaction_was(int sig, void (*handler)(int), unsigned long flags,
				    void (**was)(int))
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = (int)flags }, old;

	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old) < 0)
		return -1;
	if (was)
		*was = old.sa_handler;
	return 0;
}

static inline int sys_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	return sys_sigaction_was(sig, handler, flags, 0);
}

static inline void set_add(sigset_bits *set, int sig)
{
	sigaddset(set, sig);
}

static inline int set_has(const sigset_bits *set, int sig)
{
	return sigismember(set, sig) == 1;
}

static inline void set_fill(sigset_bits *set)
{
	sigfillset(set);
}

static inline int sys_sigmask(int how, const sigset_bits *set, sigset_bits *old)
{
	return sigprocmask(how, set, old);
}

static inline int sys_sigwait(const sigset_bits *set)
{
	int sig = sigwaitinfo(set, 0);

	return sig < 0 ? -errno : sig;
}

static inline void sys_sigtake(const sigset_bits *set)
{
	struct timespec zero = { 0, 0 };

	sigtimedwait(set, 0, &zero);
}

#endif /* SYS_NOLIBC */

#endif /* PAUSEKIT_SYS_H */
