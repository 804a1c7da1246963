/*
 * pausekit-driver: what its parts share. The protocol and the big picture
 * are described at the top of main.c. Each part has one role and uses only
 * the parts listed above it here, never one below: the dependency order,
 * lowest first (test/layers-native.test.ts checks it on the object files:
 * no part calls a function or reads a variable of a part below it).
 *
 *   fail.c       errors in the form the runner reads; a leaf: what must be
 *                undone when setup dies is registered with it (on_die)
 *   procfs.c     what /proc says about a process, and the monotonic clock
 *   msg.c        messages on a SOCK_SEQPACKET socket, optionally carrying
 *                an fd; the "r PIDS" announcement of a new process
 *   namespace.c  the PID namespace, --probe, plain mode's inner init
 *   named.c      a named process's side: its start, and the loop that obeys
 *   procs.c      the process table: it alone adds, finds and changes a
 *                process; outside reaping its own children
 *   observe.c    settling, and the observation block
 *   start.c      pause started in the namespace (or an init and its program)
 *   steps.c      the scenario steps (spawn, exit, kill, subreaper,
 *                disposition), as the driver carries them out
 *   main.c       the protocol to the host: arguments, commands in
 *
 * State that crosses parts lives in a struct driver that main() owns and
 * passes down; its process table changes only through procs.c's functions,
 * which the others call with the table and a const pointer into it.
 */

#ifndef PAUSEKIT_DRIVER_H
#define PAUSEKIT_DRIVER_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* fail.c: errors, in the form the runner reads                              */
/* ------------------------------------------------------------------------ */

#define EXIT_SETUP 3

/* Setup failed: "error ...\nend", the cleanups registered with on_die(), exit 3. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* A command failed: "error ...\nend"; returns -1. */
__attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...);
/* Something die() must undo before it exits (the latest registered runs first). */
void on_die(void (*cleanup)(void));

/* ------------------------------------------------------------------------ */
/* procfs.c: /proc and the clock                                             */
/* ------------------------------------------------------------------------ */

/*
 * Signal sets here are as the kernel and /proc keep them: bit n-1 is signal
 * n, so 1..64 fill one unsigned long long. SIGBIT(n) is signal n's bit.
 */
#define SIGBIT(n) (1ULL << ((n) - 1))

/* What /proc/PID/status says about one process. */
struct status {
	char state;      /* R S D T t Z X, or 0 if the process is gone */
	pid_t ppid;      /* host pid of the parent */
	unsigned long long pending; /* signals pending (thread or process) */
	unsigned long long mask;    /* its signal mask (SigBlk) */
};

/* What /proc/PID/stat says: less, but quicker to read. */
struct stat_line {
	char state;          /* as in struct status */
	pid_t ppid;
	unsigned long flags; /* PF_* */
};

#define PF_EXITING 0x00000004UL

long now_ms(void);
int parse_pids(const char *text, pid_t *pids, int max);
int read_nspids(const char *path, pid_t *pids, int max);
int read_children(pid_t host_pid, pid_t *pids, int max);
int open_proc(pid_t host_pid, const char *name);
struct status read_status(pid_t host_pid, int fd);
struct stat_line read_stat(pid_t host_pid, int fd);
bool is_exiting(pid_t host_pid, int fd);
bool really_running(pid_t host_pid, int fd);
long long times_run(pid_t host_pid, int fd);

/* ------------------------------------------------------------------------ */
/* msg.c: messages between the driver and its processes                      */
/* ------------------------------------------------------------------------ */

#define MSG_LEN 256

int send_msg(int sock, const char *text, int fd);
ssize_t recv_msg(int sock, char *text, size_t size, int *fd);
int announcement(char *text, size_t size);

/* ------------------------------------------------------------------------ */
/* namespace.c: the PID namespace                                            */
/* ------------------------------------------------------------------------ */

const char *enter_pid_namespace(void);
int probe(void);
void become_namespace_init(void);

/* ------------------------------------------------------------------------ */
/* named.c: a named process's side                                           */
/* ------------------------------------------------------------------------ */

void named_defaults(void);
__attribute__((noreturn)) void named_start(int sock, bool reaps, bool execd);

/* ------------------------------------------------------------------------ */
/* procs.c: the process table                                                */
/* ------------------------------------------------------------------------ */

#define MAX_PROCS 512
#define NAME_LEN 64

/* A process the driver knows: pause (index 0) or a named one. */
struct proc {
	char name[NAME_LEN];
	pid_t host_pid; /* in the host's /proc */
	pid_t view_pid; /* as the driver sees it (its own namespace) */
	pid_t ns_pid;   /* as seen inside the scenario's namespace */
	int pidfd;      /* pins the process: no pid reuse surprises */
	int status_fd;  /* its /proc status, stat and syscall files, kept */
	int stat_fd;    /* open while it is not gone (-1: read by path) */
	int syscall_fd;
	int sock;       /* command channel; -1 for pause or once closed */
	int owed;       /* acks not yet received */
	bool gone;      /* reaped by someone */
	bool unseen;    /* init mode's program before the driver found it */
	bool exited;    /* its pidfd said so (the program's socket never EOFs) */
	bool catches;   /* has had a "catch" disposition */
	unsigned long long caught;  /* its handler ran for these since the last block */
	unsigned char caught_rt[64 - 32 + 1]; /* and how often, signals 32..64 (they queue) */
	unsigned long long blocked; /* blocked by "disposition ... block", or inherited (the program) */
};

/*
 * Every process the driver knows, and who the driver ("outside") is: only
 * procs.c writes here; the other parts read.
 */
struct procs {
	struct proc all[MAX_PROCS];
	int count;
	pid_t self_host_pid;  /* the driver ("outside") in /proc */
	int self_level;       /* depth of the driver's PID namespace */
	int chld_fd;          /* signalfd for the driver's SIGCHLD */
	int pause_status;     /* wait status once outside reaped pause, or -1 */
	const struct proc *init_program; /* all[1] in init mode, else 0 */
};

void procs_init(struct procs *t, pid_t self_host_pid, int self_level, int chld_fd);
const struct proc *procs_add(struct procs *t, const char *name, int sock, const char *ready);
const struct proc *procs_add_unseen(struct procs *t, const char *name, int sock);
bool procs_adopt(struct procs *t, const struct proc *p, pid_t host_pid);
const struct proc *procs_find(const struct procs *t, const char *name);
bool procs_gone(struct procs *t, const struct proc *p);
bool procs_exited(struct procs *t, const struct proc *p);
int procs_signal(const struct proc *p, int sig);
void procs_reap_own(struct procs *t);
bool procs_take_message(struct procs *t, const struct proc *p, const char *msg);
void procs_drain(struct procs *t, const struct proc *p);
void procs_hung_up(struct procs *t, const struct proc *p);
void procs_mark_exited(struct procs *t, const struct proc *p);
void procs_sent(struct procs *t, const struct proc *p);
void procs_set_disposition(struct procs *t, const struct proc *p, int sig, char action);
unsigned long long procs_take_caught(struct procs *t, const struct proc *p);
int procs_caught_count(const struct proc *p, int sig);

/* ------------------------------------------------------------------------ */
/* The driver's state, owned by main() and passed to the parts below         */
/* ------------------------------------------------------------------------ */

enum mode { MODE_PID1, MODE_PLAIN };

/* Init mode: the program pause runs, and how its exec goes. */
enum exec_outcome { EXEC_OK, EXEC_MISSING, EXEC_NOT_EXECUTABLE, EXEC_DIRECTORY, EXEC_NAME_TOO_LONG };

struct driver {
	struct procs procs; /* changed through procs.c only */
	enum mode mode;
	long settle_ms;     /* how long one step may take to settle */
	int pause_err_fd;   /* read end of pause's stderr (start.c opens it) */
	unsigned long long inherit_ignored; /* pause starts with these at SIG_IGN */
	unsigned long long inherit_blocked; /* and these blocked */
};

/* observe.c: settling, observation blocks */
bool observe(struct driver *d);

/* start.c: pause, or an init and its program */
void start_pause(struct driver *d, const char *binary);
void start_init(struct driver *d, char **argv, const char *program, enum exec_outcome exec);
void remove_exec_dir(void);

/* steps.c: the scenario steps */
int cmd_spawn(struct driver *d, const char *name, const char *parent, bool reaps);
int cmd_exit(struct driver *d, const char *name, int code);
int cmd_kill(struct driver *d, const char *from, const char *target, int sig);
int cmd_subreaper(struct driver *d, const char *name);
int cmd_disposition(struct driver *d, const char *name, int sig, const char *action);

#endif /* PAUSEKIT_DRIVER_H */
