// A stand-in for Kubernetes' build/pause/linux/pause.c, which the project
// does not carry: the same shape (handlers for INT and TERM that exit 0, a
// SIGCHLD handler that reaps, then pause() forever), for the tests that
// build "the Kubernetes pause" from a source the user names.
export const K8S_PAUSE_STAND_IN = `#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int signo) { (void)signo; _exit(0); }
static void sigreap(int signo) { (void)signo; while (waitpid(-1, NULL, WNOHANG) > 0) {} }

int main(void) {
  struct sigaction down = { .sa_handler = sigdown }, reap = { .sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP };
  if (sigaction(SIGINT, &down, NULL) < 0 || sigaction(SIGTERM, &down, NULL) < 0 || sigaction(SIGCHLD, &reap, NULL) < 0) return 1;
  for (;;) pause();
}
`;
