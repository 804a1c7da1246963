/*
 * arm (32-bit, v7, EABI, hard-float): the machine facts sys.h needs.
 * Included by sys.h only. The compiler may emit Thumb-2 (Debian's armhf
 * compiler does, and says `.thumb` before every function); the assembly
 * below says `.arm`, and the linker makes the calls between the two.
 */

/* System call numbers (arch/arm/tools/syscall.tbl, EABI): those kept from i386, then its own. */
#include "i386-numbers.h"
#define NR_prctl 172
#define NR_rt_sigaction 174
#define NR_rt_sigprocmask 175
#define NR_rt_sigtimedwait 177
#define NR_exit_group 248
#define NR_ppoll 336
#define NR_pwritev2 393

/*
 * A call (EABI): number in r7, arguments in r0..r3, `svc #0`; the result
 * (-errno on failure) comes back in r0. Nothing else is lost.
 */
static inline long sys_call4(long n, long a, long b, long c, long d)
{
	register long r7 __asm__("r7") = n;
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r3 __asm__("r3") = d;

	__asm__ volatile("svc #0"
			 : "+r"(r0)
			 : "r"(r7), "r"(r1), "r"(r2), "r"(r3)
			 : "memory");
	return r0;
}

/*
 * The same with six arguments (pwritev2). Not what sys_call4 is built on:
 * two more registers at each of pause's calls would cost it 100 bytes.
 */
static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r7 __asm__("r7") = n;
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r3 __asm__("r3") = d;
	register long r4 __asm__("r4") = e;
	register long r5 __asm__("r5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(r0)
			 : "r"(r7), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)
			 : "memory");
	return r0;
}

/*
 * clone(flags, newsp, parent_tid, tls, child_tid) (CLONE_BACKWARDS): with
 * newsp 0 the child runs on a copy of the parent's stack, as after fork(2),
 * which this architecture has but the generic ones lack.
 */
#define SYS_CLONE_ARGS(flags) (flags), 0

/*
 * The kernel's struct sigaction. Its mask is two 32-bit words (4-byte
 * aligned, so no padding after the restorer), which sigset_bits is here.
 */
#include "sigaction.h"

/*
 * How a handler returns: to the link register the kernel sets up, which is
 * sa_restorer with SA_RESTORER and a trampoline in the kernel's signal page
 * without. Our own restorer, as a C library's, keeps to the documented way.
 * A handler installed without SA_SIGINFO (all of ours) gets the old signal
 * frame here, which sigreturn unwinds, not rt_sigreturn. The restorer is ARM
 * code at an even address, so the handler's `bx lr` returns to it in ARM
 * state whichever set the handler is in.
 */
#define SA_RESTORER 0x04000000UL
void sys_restorer(void);
__asm__(".text\n"
	".syntax unified\n"
	".arm\n"
	".type sys_restorer, %function\n"
	"sys_restorer:\n"
	"\tmov r7, #" SYS_XSTR(NR_sigreturn) "\n"
	"\tsvc #0\n");

/*
 * The entry point. The kernel leaves sp 8-byte (indeed 16-byte) aligned at
 * argc, argv just above; main's result is the exit status. fp = lr = 0 end
 * the frame chain.
 */
__asm__(".text\n"
	".syntax unified\n"
	".arm\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"\tmov r0, #0\n"
	"\tmov fp, r0\n"
	"\tmov lr, r0\n"
	"\tldr r0, [sp]\n"
	"\tadd r1, sp, #4\n"
	"\tbl main\n"
	"\tmov r7, #" SYS_XSTR(NR_exit_group) "\n"
	"\tsvc #0\n");
