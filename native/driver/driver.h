/*
 * pausekit-driver: what its six parts share. The protocol and the big
 * picture are described at the top of main.c; each part is one role:
 *
 *   main.c     the protocol to the host: arguments, commands in, errors out
 *   setup.c    the PID namespace, named processes coming to life, the end
 *   start.c    pause started in the namespace (or an init and its program)
 *   steps.c    the scenario steps (spawn, exit, kill, subreaper,
 *              disposition), as the driver carries them out
 *   named.c    a named process's side: its socket and the loop that obeys
 *   observe.c  /proc, pidfds and reaping: settling, and the observation block
 */

#ifndef PAUSEKIT_DRIVER_H
#define PAUSEKIT_DRIVER_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_PROCS 512
#define NAME_LEN 64
#define MSG_LEN 256
#define EXIT_SETUP 3

enum mode { MODE_PID1, MODE_PLAIN };

/* A process the driver knows: pause (index 0) or a named one. */
struct proc {
	char name[NAME_LEN];
	pid_t host_pid; /* in the host's /proc */
	pid_t view_pid; /* as the driver sees it (its own namespace) */
	pid_t ns_pid;   /* as seen inside the scenario's namespace */
	int pidfd;      /* pins the process: no pid reuse surprises */
	int sock;       /* command channel; -1 for pause or once closed */
	int owed;       /* acks not yet received */
	bool gone;      /* reaped by someone */
	bool unseen;    /* init mode's program before the driver found it */
	bool exited;    /* its pidfd said so (the program's socket never EOFs) */
	bool catches;   /* has had a "catch" disposition */
	unsigned long long caught;  /* its handler ran for these since the last block */
	unsigned long long blocked; /* blocked by "disposition ... block" */
};

/* What /proc/PID/status says about one process. */
struct status {
	char state;      /* R S D T t Z X, or 0 if the process is gone */
	pid_t ppid;      /* host pid of the parent */
	unsigned long long pending; /* signals pending (thread or process) */
};

/* Init mode: the program pause runs, and how its exec goes. */
enum exec_outcome { EXEC_OK, EXEC_MISSING, EXEC_NOT_EXECUTABLE };

/* The driver's state (defined in main.c). */
extern struct proc procs[MAX_PROCS];
extern int nprocs;
extern struct proc *const pause_proc; /* &procs[0] */
extern enum mode mode;
extern pid_t self_host_pid;     /* the driver ("outside") in /proc */
extern int self_level;          /* depth of the driver's PID namespace */
extern int pause_status;        /* wait status once pause is reaped, or -1 */
extern int chld_fd;             /* signalfd for SIGCHLD */
extern int pause_err_fd;        /* read end of pause's stderr */
extern long settle_ms;
extern struct proc *init_program;   /* &procs[1] in init mode, else 0 */

/* A pidfd pins one process: signals through it never hit a reused pid. */
static inline int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* kill() through a pidfd; ESRCH once the process has been reaped. */
static inline int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, 0, 0);
}

/*
 * Signal a process through its pidfd; by its pid where it has none: only
 * where pidfd_open is missing (ENOSYS), as under valgrind 3.19, which does
 * not know the call. A scenario's few processes never wrap the pid space,
 * so the pid still names the process there.
 */
static inline int proc_signal(const struct proc *p, int sig)
{
	return p->pidfd >= 0 ? pidfd_signal(p->pidfd, sig) : kill(p->view_pid, sig);
}

/* main.c: errors, in the form the runner reads */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...);

/* setup.c: the namespace, pause, named processes */
const char *enter_pid_namespace(void);
int probe(void);
void become_namespace_init(void);
void start_pause(const char *binary);
void start_init(char **argv, const char *program, enum exec_outcome exec);
__attribute__((noreturn)) void named_start(int sock, bool reaps);
int wait_ready(int sock, char *msg, size_t size);
struct proc *add_proc(const char *name, int sock, const char *ready);
int read_nspids(const char *path, pid_t *pids, int max);
bool adopt(struct proc *p, pid_t host_pid);
void cleanup(void);
void remove_exec_dir(void);

/* steps.c: the scenario steps */
int send_msg(int sock, const char *text, int fd);
ssize_t recv_msg(int sock, char *text, size_t size, int *fd);
__attribute__((noreturn)) void named_main(int sock, bool reaps);
int cmd_spawn(const char *name, const char *parent, bool reaps);
int cmd_exit(const char *name, int code);
int cmd_kill(const char *from, const char *target, int sig);
int cmd_subreaper(const char *name);
int cmd_disposition(const char *name, int sig, const char *action);
bool take_message(struct proc *p, const char *msg);
void drain_messages(struct proc *p);

/* observe.c: /proc, settling, observation blocks */
long now_ms(void);
struct status read_status(pid_t host_pid);
bool check_gone(struct proc *p);
bool has_exited(struct proc *p);
void reap_own_children(void);
void observe(void);

#endif /* PAUSEKIT_DRIVER_H */
