/*
 * ppc64le (64-bit POWER, little-endian, ELFv2 ABI): the machine facts sys.h
 * needs. Included by sys.h only.
 */

/* System call numbers (arch/powerpc/kernel/syscalls/syscall.tbl): those kept from i386, then its own. */
#include "i386-numbers.h"
#define NR_prctl 171
#define NR_rt_sigaction 173
#define NR_rt_sigprocmask 174
#define NR_rt_sigtimedwait 176
#define NR_exit_group 234
#define NR_ppoll 281
#define NR_pwritev2 381

/*
 * A call: number in r0, arguments in r3..r6, `sc`. The kernel reports a
 * failure by setting the summary-overflow bit of cr0, with a positive errno
 * in r3: negated here, so that every architecture returns -errno. r0 and
 * r4..r12, cr0, ctr and xer are the kernel's to change.
 */
static inline long sys_call4(long n, long a, long b, long c, long d)
{
	register long r0 __asm__("r0") = n;
	register long r3 __asm__("r3") = a;
	register long r4 __asm__("r4") = b;
	register long r5 __asm__("r5") = c;
	register long r6 __asm__("r6") = d;

	__asm__ volatile("sc\n\t"
			 "bns+ 1f\n\t"
			 "neg %1, %1\n"
			 "1:"
			 : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
			 :
			 : "r7", "r8", "r9", "r10", "r11", "r12",
			   "cr0", "ctr", "xer", "memory");
	return r3;
}

/*
 * The same with six arguments (pwritev2). Not what sys_call4 is built on:
 * two more registers at each of pause's calls would cost it 100 bytes.
 */
static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r0 __asm__("r0") = n;
	register long r3 __asm__("r3") = a;
	register long r4 __asm__("r4") = b;
	register long r5 __asm__("r5") = c;
	register long r6 __asm__("r6") = d;
	register long r7 __asm__("r7") = e;
	register long r8 __asm__("r8") = f;

	__asm__ volatile("sc\n\t"
			 "bns+ 1f\n\t"
			 "neg %1, %1\n"
			 "1:"
			 : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8)
			 :
			 : "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
	return r3;
}

/*
 * clone(flags, newsp, parent_tid, tls, child_tid) (CLONE_BACKWARDS): with
 * newsp 0 the child runs on a copy of the parent's stack, as after fork(2).
 */
#define SYS_CLONE_ARGS(flags) (flags), 0

/* tcsetpgrp()'s ioctl, TIOCSPGRP: _IOW('t', 118, int) here. */
#define TIOCSPGRP 0x80047476UL

/*
 * The kernel's struct sigaction (the generic one, with sa_restorer). The
 * kernel never uses that field here: a handler always returns through the
 * vDSO's trampoline (or one the kernel writes into the signal frame), so
 * no SA_RESTORER.
 */
#include "sigaction.h"

/*
 * The entry point. The kernel leaves r1 (the stack pointer) at argc, argv
 * just above, and no TOC pointer: r2 is computed from our own address, as
 * every function's local entry expects it set. A 32-byte frame with a null
 * back chain is the minimum a call needs; main's result is the exit status.
 */
__asm__(".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"\tbcl 20, 31, 1f\n"
	"1:\tmflr 12\n"
	"\taddis 2, 12, (.TOC. - 1b)@ha\n"
	"\taddi 2, 2, (.TOC. - 1b)@l\n"
	"\tld 3, 0(1)\n"
	"\taddi 4, 1, 8\n"
	"\tclrrdi 1, 1, 4\n"
	"\tli 0, 0\n"
	"\tstdu 0, -32(1)\n"
	"\tbl main\n"
	"\tnop\n"
	"\tli 0, " SYS_XSTR(NR_exit_group) "\n"
	"\tsc\n");
