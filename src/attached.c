/*
 * One racktop per user: the attached dashboard (a client of the running
 * racktop, mcp/remote.c, drawing with the usual ui/), --detach and --stop.
 *
 * DESIGN: main thread. The attached dashboard loads the same
 * configuration as the racktop it attaches to, so its registry has the
 * same instances (their views, their names), but starts no poller and no
 * worker: the link fills the instances' slots, calls go over the socket,
 * and held calls come through a relay broker whose decider is
 * ui/approval.c as in a local dashboard.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attached.h"
#include "core/approval.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "mcp/remote.h"
#include "mcp/sockpath.h"
#include "ui/app.h"

#define STOP_TIMEOUT_MS 15000

/* Whether a racktop answers on path. */
bool
attached_live(const char *path)
{
	char *cause = NULL;
	int fd;

	if ((fd = sockpath_connect(path, &cause)) == -1) {
		free(cause);
		return (false);
	}
	close(fd);
	return (true);
}

/* The dashboard attached to the racktop on path. */
int
attached_run(const char *path, struct registry *reg, const char *theme,
    const char *keys, bool mouse)
{
	struct approval *relay;
	struct remote *r;
	sigset_t set, old;
	const char *lost;
	char *cause = NULL;
	int rv;

	/* The relay's timeout is the remote's: deadlines come with requests. */
	relay = approval_create(3600 * 1000);
	if ((r = remote_connect(path, reg, relay, &cause)) == NULL) {
		fprintf(stderr, "racktop: cannot attach to the racktop on %s: "
		    "%s\n", path, cause);
		free(cause);
		approval_destroy(relay);
		return (2);
	}
	if (remote_unmatched(r) > 0)
		log_warn("attach: %d of the racktop's instances are not in this "
		    "configuration; they are not shown", remote_unmatched(r));
	remote_on_activity(r, app_note_remote);
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (remote_start(r, &cause) != 0) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		remote_free(r);
		approval_destroy(relay);
		return (2);
	}
	app_set_input(keys, mouse);
	app_set_remote(r);
	rv = app_run(reg, NULL, remote_approver(r) ? relay : NULL, path, theme,
	    &old);
	app_set_remote(NULL);
	if ((lost = remote_stop(r)) != NULL) {
		fprintf(stderr, "racktop: %s\n", lost);
		rv = 1;
	}
	remote_free(r);
	approval_destroy(relay);
	return (rv);
}

/* PATH.pid: where a detached racktop records its pid. */
static char *
pid_path(const char *path)
{
	char *p;

	xasprintf(&p, "%s.pid", path);
	return (p);
}

/* racktop --detach: the parent reports and exits, the child goes on. */
void
attached_detach(const char *path, int listen_fd)
{
	char *pp, buf[32];
	pid_t pid;
	int fd, n;

	fflush(NULL);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "racktop: fork: %s\n", strerror(errno));
		exit(2);
	}
	if (pid > 0) {
		/* The socket listens already: agents may connect now. */
		close(listen_fd);
		printf("racktop: running in the background, pid %d; socket "
		    "%s; racktop attaches a dashboard, racktop --stop ends "
		    "it\n", (int)pid, path);
		exit(0);
	}
	(void)setsid();
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_detach_stderr();
	pp = pid_path(path);
	/* Beside the socket, in its 0700 folder. */
	if ((fd = open(pp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) != -1) {
		n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
		if (write(fd, buf, (size_t)n) != n)
			log_warn("%s: %s", pp, strerror(errno));
		close(fd);
	} else
		log_warn("%s: %s", pp, strerror(errno));
	free(pp);
}

/* Removes the pid file of a detached racktop. */
void
attached_forget_pid(const char *path)
{
	char *pp = pid_path(path);

	(void)unlink(pp);
	free(pp);
}

/* racktop mcp with mcp_autostart: a detached racktop for every agent. */
void
attached_autostart(const char *config, const char *path)
{
	char *argv[7];
	pid_t pid;
	int i = 0, st;

	argv[i++] = (char *)"racktop";
	argv[i++] = (char *)"--detach";
	argv[i++] = (char *)"--socket";
	argv[i++] = (char *)path;
	if (config != NULL) {
		argv[i++] = (char *)"--config";
		argv[i++] = (char *)config;
	}
	argv[i] = NULL;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_warn("mcp_autostart: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		/* stdout carries the protocol: the child's words go to stderr. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	/* The detaching parent returns once the socket listens. */
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		log_warn("mcp_autostart: racktop --detach failed; serving "
		    "the tools here (lazy mode)");
}

/* racktop --stop: asked over the socket, else SIGTERM to the pid file's. */
int
attached_stop(const char *path)
{
	char *cause = NULL, *pp, buf[32], exe[4096], self[4096], link[64];
	ssize_t n;
	long pid;
	int fd;

	if (!attached_live(path)) {
		fprintf(stderr, "racktop: no racktop is running on %s\n", path);
		return (1);
	}
	if (remote_stop_server(path, STOP_TIMEOUT_MS, &cause) == 0) {
		printf("racktop: stopped the racktop on %s\n", path);
		return (0);
	}
	/* Refused (an older racktop?): the pid it recorded, if it is ours. */
	pp = pid_path(path);
	fd = open(pp, O_RDONLY | O_CLOEXEC);
	free(pp);
	n = fd != -1 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd != -1)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		pid = strtol(buf, NULL, 10);
		snprintf(link, sizeof link, "/proc/%ld/exe", pid);
		n = readlink(link, exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		n = readlink("/proc/self/exe", self, sizeof self - 1);
		self[n > 0 ? n : 0] = '\0';
		if (pid > 1 && strcmp(exe, self) == 0 &&
		    kill((pid_t)pid, SIGTERM) == 0) {
			printf("racktop: sent SIGTERM to racktop pid %ld\n",
			    pid);
			free(cause);
			return (0);
		}
	}
	fprintf(stderr, "racktop: cannot stop the racktop on %s: %s\n", path,
	    cause);
	free(cause);
	return (1);
}
