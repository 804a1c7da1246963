/*
 * riscv64 (RV64GC, little-endian): the machine facts sys.h needs.
 * Included by sys.h only.
 */

/* System call numbers: the generic table, as arm64 and riscv64 share it. */
#include "generic.h"

/*
 * A call: number in a7, arguments in a0..a3, `ecall`; the result (-errno
 * on failure) comes back in a0. Nothing else is lost.
 */
static inline long sys_call4(long n, long a, long b, long c, long d)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3)
			 : "memory");
	return a0;
}

/*
 * The same with six arguments (pwritev2). Not what sys_call4 is built on:
 * two more registers at each of pause's calls would cost it 100 bytes.
 */
static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

/*
 * clone(flags, newsp, parent_tid, tls, child_tid) (CLONE_BACKWARDS): there
 * is no fork(2) here; with newsp 0 the child runs on a copy of the parent's
 * stack, as after fork.
 */
#define SYS_CLONE_ARGS(flags) (flags), 0

/*
 * The kernel's struct sigaction: the generic one without sa_restorer (a new
 * architecture has no SA_RESTORER). A handler always returns through the
 * vDSO's trampoline, which the kernel puts in ra.
 */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	sigset_bits mask;
};

/*
 * The entry point. The kernel leaves sp 16-byte aligned at argc, argv just
 * above. gp must hold __global_pointer$ before any code the linker may have
 * relaxed to gp-relative addressing runs (and this load must not itself be
 * relaxed); main's result is the exit status.
 */
__asm__(".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	".option push\n"
	".option norelax\n"
	"\tlla gp, __global_pointer$\n"
	".option pop\n"
	"\tld a0, 0(sp)\n"
	"\taddi a1, sp, 8\n"
	"\tcall main\n"
	"\tli a7, " SYS_XSTR(NR_exit_group) "\n"
	"\tecall\n");
