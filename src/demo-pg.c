/*
 * racktop --demo: a throwaway PostgreSQL for the memory tools, when the
 * server binaries are installed (as `postgres` when racktop runs as
 * root). A keeper process, child of racktop with PR_SET_PDEATHSIG, runs
 * initdb, then the server on a Unix socket only (listen_addresses = '')
 * in a private folder, and when racktop goes away (even by SIGKILL) it
 * stops the server and removes the folder: nothing is left behind.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "demo.h"

/* nftw callback: removes one entry of a tree, children first. */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path) != 0 && errno != ENOENT ? -1 : 0);
}

/* The newest PostgreSQL server binaries folder, or NULL. */
static char *
demo_pg_bin(void)
{
	char *best = NULL;
	glob_t g;

	if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &g) != 0)
		return (NULL);
	if (g.gl_pathc > 0 && access(g.gl_pathv[g.gl_pathc - 1], X_OK) == 0) {
		best = xstrdup(g.gl_pathv[g.gl_pathc - 1]);
		*strrchr(best, '/') = '\0';
	}
	globfree(&g);
	return (best);
}

/* In a child: become the cluster's owner, quiet, signals unblocked. */
static void
demo_pg_become(const struct passwd *pw, const char *log)
{
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (pw != NULL && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0))
		_exit(126);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	dup2(fd, 0);
}

/* The keeper: initdb, the server, and the clean-up. Never returns. */
static void __attribute__((noreturn))
demo_pg_keeper(const char *bin, const char *dir, const struct passwd *pw,
    pid_t parent)
{
	char *data, *log, *prog;
	sigset_t set;
	pid_t pid, server;
	int status, sig = 0;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	xasprintf(&data, "%s/data", dir);
	xasprintf(&log, "%s/server.log", dir);
	if ((pid = fork()) == 0) {
		demo_pg_become(pw, log);
		xasprintf(&prog, "%s/initdb", bin);
		execl(prog, prog, "-D", data, "-U", "postgres", "-A", "trust",
		    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		goto out;
	if ((server = fork()) == 0) {
		demo_pg_become(pw, log);
		xasprintf(&prog, "%s/postgres", bin);
		execl(prog, prog, "-D", data, "-k", dir, "-c",
		    "listen_addresses=", "-c", "fsync=off", (char *)NULL);
		_exit(127);
	}
	if (server == -1)
		goto out;
	/* Until racktop goes (SIGTERM from PDEATHSIG or demo_pg_stop). */
	while (sigwait(&set, &sig) == 0) {
		if (sig == SIGCHLD) {
			if (waitpid(server, &status, WNOHANG) == server) {
				server = -1;
				break;
			}
			continue;
		}
		break;
	}
	if (server > 0) {
		kill(server, SIGINT);	/* fast shutdown */
		waitpid(server, &status, 0);
	}
out:
	/* No shell: the folder's name never meets one. */
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		_exit(1);
	_exit(0);
}

int
demo_pg_start(struct demo *d, char **conninfo, char **cause)
{
	struct passwd *pw = NULL;
	const char *tmp = getenv("TMPDIR");
	char *bin, *sock;
	int64_t end;
	pid_t parent = getpid();
	int status;

	d->pg = -1;
	if ((bin = demo_pg_bin()) == NULL)
		return (1);
	if (geteuid() == 0 && (pw = getpwnam("postgres")) == NULL) {
		free(bin);
		xasprintf(cause, "no postgres user to run PostgreSQL as");
		return (-1);
	}
	xasprintf(&d->pgdir, "%s/racktop-demo-pg.XXXXXX", tmp != NULL &&
	    *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(d->pgdir) == NULL || (pw != NULL && (chmod(d->pgdir,
	    0700) != 0 || chown(d->pgdir, pw->pw_uid, pw->pw_gid) != 0))) {
		xasprintf(cause, "%s: %s", d->pgdir, strerror(errno));
		free(bin);
		rmdir(d->pgdir);
		free(d->pgdir);
		d->pgdir = NULL;
		return (-1);
	}
	if ((d->pg = fork()) == 0)
		demo_pg_keeper(bin, d->pgdir, pw, parent);
	free(bin);
	if (d->pg == -1) {
		xasprintf(cause, "fork: %s", strerror(errno));
		return (-1);
	}
	/* Ready when the server's socket appears (initdb takes a second). */
	xasprintf(&sock, "%s/.s.PGSQL.5432", d->pgdir);
	end = clock_mono_ms() + 30000;
	while (access(sock, F_OK) != 0) {
		if (waitpid(d->pg, &status, WNOHANG) == d->pg ||
		    clock_mono_ms() > end) {
			xasprintf(cause, "PostgreSQL did not start");
			free(sock);
			demo_pg_stop(d);
			return (-1);
		}
		poll(NULL, 0, 20);
	}
	free(sock);
	xasprintf(conninfo, "host=%s user=postgres dbname=postgres "
	    "connect_timeout=5", d->pgdir);
	return (0);
}

void
demo_pg_stop(struct demo *d)
{
	int status;

	if (d->pg > 0) {
		kill(d->pg, SIGTERM);
		waitpid(d->pg, &status, 0);
	}
	d->pg = -1;
	free(d->pgdir);
	d->pgdir = NULL;
}
