/*
 * The system call numbers arm, ppc64le and s390x keep from i386's table
 * (arch/x86/entry/syscalls/syscall_32.tbl), the same on the three. Each
 * architecture's header gives the numbers that differ. Included by those
 * architectures' headers only.
 */
#define NR_write 4
#define NR_execve 11
#define NR_chdir 12
#define NR_getpid 20
#define NR_pause 29
#define NR_kill 37
#define NR_ioctl 54
#define NR_setpgid 57
#define NR_wait4 114
#define NR_sigreturn 119
#define NR_clone 120
