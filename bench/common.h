/*
 * What the benchmark's libc programs share (harness: harness.c, launch.c,
 * reaping.c; soak: soak.c, waves.c): the clock, polls of /proc, and how
 * each goes down on an interrupt or a failure. common.c is a leaf: it
 * calls nothing of theirs; what must be undone on the way out is
 * registered with it (catch_interrupts).
 */
#ifndef PAUSEKIT_BENCH_COMMON_H
#define PAUSEKIT_BENCH_COMMON_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int64_t now_ns(void);
void poll_pause(long pause_ns);
int read_file(const char *path, char *buf, size_t size);
const char *stat_after_comm(pid_t pid, char *buf, size_t size);
long sleeping_in(pid_t pid);
int64_t cpu_ns(pid_t pid);
int memory_kb(pid_t pid, long *rss_kb, long *hwm_kb);
int pidfd_open(pid_t pid);

void catch_interrupts(void (*clean_up)(void *), void *arg);
void stop_if_interrupted(void);
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);

#endif /* PAUSEKIT_BENCH_COMMON_H */
