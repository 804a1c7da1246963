/*
 * amd64 (x86-64): the machine facts sys.h needs. Included by sys.h only.
 */

/* System call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define NR_write 1
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_rt_sigreturn 15
#define NR_ioctl 16
#define NR_pause 34
#define NR_ppoll 271
#define NR_getpid 39
#define NR_clone 56
#define NR_execve 59
#define NR_wait4 61
#define NR_kill 62
#define NR_chdir 80
#define NR_setpgid 109
#define NR_rt_sigtimedwait 128
#define NR_prctl 157
#define NR_exit_group 231
#define NR_pwritev2 328

/*
 * A call: number in rax, arguments in rdi rsi rdx r10, `syscall`; the
 * result (-errno on failure) comes back in rax; rcx and r11 are lost.
 */
static inline long sys_call4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * The same with six arguments (pwritev2). Not what sys_call4 is built on:
 * two more registers at each of pause's calls would cost it 100 bytes.
 */
static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * clone(flags, newsp, parent_tid, child_tid, tls): with newsp 0 the child
 * runs on a copy of the parent's stack, as after fork(2).
 */
#define SYS_CLONE_ARGS(flags) (flags), 0

/* The kernel's struct sigaction (not libc's). */
#include "sigaction.h"

/*
 * How a handler returns: the kernel refuses a handler without SA_RESTORER
 * here, and returns from it into the restorer, which calls rt_sigreturn.
 */
#define SA_RESTORER 0x04000000UL
void sys_restorer(void);
__asm__(".text\n"
	"sys_restorer:\n"
	"\tmov $" SYS_XSTR(NR_rt_sigreturn) ", %eax\n"
	"\tsyscall\n");

/*
 * The entry point. The kernel leaves argc at (%rsp), argv just above; main
 * wants a 16-byte aligned stack before its call, and its result is the
 * exit status.
 */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"\txor %ebp, %ebp\n"
	"\tmov (%rsp), %rdi\n"
	"\tlea 8(%rsp), %rsi\n"
	"\tand $-16, %rsp\n"
	"\tcall main\n"
	"\tmov %eax, %edi\n"
	"\tmov $" SYS_XSTR(NR_exit_group) ", %eax\n"
	"\tsyscall\n");
