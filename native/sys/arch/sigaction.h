/*
 * The kernel's struct sigaction (not libc's) on every architecture here but
 * riscv64, which has no sa_restorer: handler, flags, restorer, mask, in
 * that order (the generic one of include/uapi/asm-generic/signal.h, and
 * x86's and s390's own, laid out alike). sigset_bits is the kernel's
 * sigset_t (sys.h). Included by those architectures' headers only.
 */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	sigset_bits mask;
};
