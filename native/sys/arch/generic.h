/*
 * The generic system call table (include/uapi/asm-generic/unistd.h), shared
 * by the newer architectures (arm64, riscv64). It has no pause(2): sys.h
 * sleeps in ppoll() instead. Included by those architectures' headers only.
 */
#define NR_ioctl 29
#define NR_chdir 49
#define NR_write 64
#define NR_ppoll 73
#define NR_exit_group 94
#define NR_kill 129
#define NR_rt_sigaction 134
#define NR_rt_sigprocmask 135
#define NR_rt_sigtimedwait 137
#define NR_rt_sigreturn 139
#define NR_setpgid 154
#define NR_prctl 167
#define NR_getpid 172
#define NR_clone 220
#define NR_execve 221
#define NR_wait4 260
#define NR_pwritev2 287
