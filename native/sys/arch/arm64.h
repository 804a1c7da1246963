/*
 * arm64 (aarch64): the machine facts sys.h needs. Included by sys.h only.
 */

/* System call numbers: the generic table, as arm64 and riscv64 share it. */
#include "generic.h"

/*
 * A call: number in x8, arguments in x0..x3, `svc #0`; the result (-errno
 * on failure) comes back in x0. Nothing else is lost.
 */
static inline long sys_call4(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory");
	return x0;
}

/*
 * The same with six arguments (pwritev2). Not what sys_call4 is built on:
 * two more registers at each of pause's calls would cost it 100 bytes.
 */
static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

/*
 * clone(flags, newsp, parent_tid, tls, child_tid) (CLONE_BACKWARDS): there
 * is no fork(2) here; with newsp 0 the child runs on a copy of the parent's
 * stack, as after fork.
 */
#define SYS_CLONE_ARGS(flags) (flags), 0

/* The kernel's struct sigaction (the generic one, with sa_restorer). */
#include "sigaction.h"

/*
 * How a handler returns: to the link register the kernel sets up, which is
 * sa_restorer with SA_RESTORER and the vDSO's trampoline without. Our own
 * restorer keeps a static binary independent of the vDSO.
 */
#define SA_RESTORER 0x04000000UL
void sys_restorer(void);
__asm__(".text\n"
	".type sys_restorer, %function\n"
	"sys_restorer:\n"
	"\tmov x8, #" SYS_XSTR(NR_rt_sigreturn) "\n"
	"\tsvc #0\n");

/*
 * The entry point. The kernel leaves sp 16-byte aligned at argc, argv just
 * above; main's result is the exit status. x29/x30 = 0 end the frame chain.
 */
__asm__(".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"\tmov x29, #0\n"
	"\tmov x30, #0\n"
	"\tldr x0, [sp]\n"
	"\tadd x1, sp, #8\n"
	"\tbl main\n"
	"\tmov x8, #" SYS_XSTR(NR_exit_group) "\n"
	"\tsvc #0\n");
