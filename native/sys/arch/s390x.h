/*
 * s390x (64-bit IBM Z, big-endian): the machine facts sys.h needs.
 * Included by sys.h only.
 */

/* System call numbers (arch/s390/kernel/syscalls/syscall.tbl): those kept from i386, then its own. */
#include "i386-numbers.h"
#define NR_prctl 172
#define NR_rt_sigaction 174
#define NR_rt_sigprocmask 175
#define NR_rt_sigtimedwait 177
#define NR_exit_group 248
#define NR_ppoll 302
#define NR_pwritev2 377

/*
 * A call: `svc 0` with the number in r1 (the form that takes any number;
 * `svc N` only fits N < 256), arguments in r2..r5; the result (-errno on
 * failure) comes back in r2. Nothing else is lost but the condition code.
 */
static inline long sys_call4(long n, long a, long b, long c, long d)
{
	register long r1 __asm__("r1") = n;
	register long r2 __asm__("r2") = a;
	register long r3 __asm__("r3") = b;
	register long r4 __asm__("r4") = c;
	register long r5 __asm__("r5") = d;

	__asm__ volatile("svc 0"
			 : "+d"(r2)
			 : "d"(r1), "d"(r3), "d"(r4), "d"(r5)
			 : "cc", "memory");
	return r2;
}

/*
 * The same with six arguments (pwritev2). Not what sys_call4 is built on:
 * two more registers at each of pause's calls would cost it 100 bytes.
 */
static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r1 __asm__("r1") = n;
	register long r2 __asm__("r2") = a;
	register long r3 __asm__("r3") = b;
	register long r4 __asm__("r4") = c;
	register long r5 __asm__("r5") = d;
	register long r6 __asm__("r6") = e;
	register long r7 __asm__("r7") = f;

	__asm__ volatile("svc 0"
			 : "+d"(r2)
			 : "d"(r1), "d"(r3), "d"(r4), "d"(r5), "d"(r6), "d"(r7)
			 : "cc", "memory");
	return r2;
}

/*
 * clone(newsp, flags, parent_tid, child_tid, tls) (CLONE_BACKWARDS2): the
 * first two arguments are swapped here, the stack first. With newsp 0 the
 * child runs on a copy of the parent's stack, as after fork(2).
 */
#define SYS_CLONE_ARGS(flags) 0, (flags)

/* The kernel's struct sigaction (the generic one, with sa_restorer). */
#include "sigaction.h"

/*
 * How a handler returns: to r14, which the kernel sets to sa_restorer with
 * SA_RESTORER and to the vDSO's trampoline without (older kernels wrote one
 * into the signal frame on the stack). Our own restorer keeps a static
 * binary independent of either. A handler installed without SA_SIGINFO (all
 * of ours) gets the old signal frame here, which sigreturn unwinds, not
 * rt_sigreturn.
 */
#define SA_RESTORER 0x04000000UL
void sys_restorer(void);
__asm__(".text\n"
	".type sys_restorer, @function\n"
	"sys_restorer:\n"
	"\tsvc " SYS_XSTR(NR_sigreturn) "\n");

/*
 * The entry point. The kernel leaves r15 (the stack pointer) at argc, argv
 * just above. Every call needs 160 bytes of register save area below the
 * caller's stack pointer, its first word the back chain (none: 0); main's
 * result is the exit status.
 */
__asm__(".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"\tlg %r2, 0(%r15)\n"
	"\tla %r3, 8(%r15)\n"
	"\taghi %r15, -160\n"
	"\txc 0(8, %r15), 0(%r15)\n"
	"\tbrasl %r14, main\n"
	"\tlghi %r1, " SYS_XSTR(NR_exit_group) "\n"
	"\tsvc 0\n");
