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
 * failure (sys_sigaction and sys_block: 0 or -1).
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
#define SIGINT 2
#define SIGTERM 15
#define SIGCHLD 17
#define SA_NOCLDSTOP 0x00000001UL
#define SIG_BLOCK 0
#define SIG_DFL ((void (*)(int))0)
#define SIG_IGN ((void (*)(int))1)
#define WNOHANG 1
#define EINTR 4

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

static inline long sys_write(int fd, const char *buf, unsigned long len)
{
	return sys_call4(NR_write, fd, (long)buf, (long)len, 0);
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

static inline int sys_waitpid_any_nohang(void)
{
	return (int)sys_call4(NR_wait4, -1, 0, WNOHANG, 0);
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
 * Install a handler (or SIG_DFL, SIG_IGN) with an empty mask. Never with
 * SA_SIGINFO: a restorer in arch/ may rely on that (the frame differs).
 */
static inline int sys_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	struct kernel_sigaction act = { .handler = handler, .flags = flags };

#ifdef SA_RESTORER
	act.flags |= SA_RESTORER;
	act.restorer = sys_restorer;
#endif
	return sys_call4(NR_rt_sigaction, sig, (long)&act, 0,
			 sizeof(sigset_bits)) < 0 ? -1 : 0;
}

static inline void set_add(sigset_bits *set, int sig)
{
	const unsigned bits = 8 * sizeof(unsigned long);

	set->word[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
}

static inline int sys_block(const sigset_bits *set)
{
	return sys_call4(NR_rt_sigprocmask, SIG_BLOCK, (long)set, 0,
			 sizeof(sigset_bits)) < 0 ? -1 : 0;
}

/* The lowest-numbered pending signal of the set; -EINTR if interrupted. */
static inline int sys_sigwait(const sigset_bits *set)
{
	return (int)sys_call4(NR_rt_sigtimedwait, (long)set, 0, 0,
			      sizeof(sigset_bits));
}

#else /* with a C library */

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef sigset_t sigset_bits;

static inline long sys_write(int fd, const char *buf, unsigned long len)
{
	return write(fd, buf, len);
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
	_exit(code);
}

static inline int sys_getpid(void)
{
	return (int)getpid();
}

static inline int sys_waitpid_any_nohang(void)
{
	return (int)waitpid(-1, 0, WNOHANG);
}

static inline void sys_pause(void)
{
	pause();
}

static inline int sys_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = (int)flags };

	sigemptyset(&act.sa_mask);
	return sigaction(sig, &act, 0);
}

static inline void set_add(sigset_bits *set, int sig)
{
	sigaddset(set, sig);
}

static inline int sys_block(const sigset_bits *set)
{
	return sigprocmask(SIG_BLOCK, set, 0);
}

static inline int sys_sigwait(const sigset_bits *set)
{
	int sig = sigwaitinfo(set, 0);

	return sig < 0 ? -errno : sig;
}

#endif /* SYS_NOLIBC */

#endif /* PAUSEKIT_SYS_H */
