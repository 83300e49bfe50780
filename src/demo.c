/*
 * racktop --demo: runs racktop-sim as a child on private loopback ports,
 * writes a configuration pointing at it, and leaves nothing behind: the
 * child dies with us (PR_SET_PDEATHSIG), and the generated files are
 * removed as soon as racktop has read them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/xmalloc.h"
#include "demo.h"

/* The simulator beside our executable, else the name for PATH. */
static char *
sim_path(void)
{
	char self[PATH_MAX], *slash, *p;
	ssize_t n;

	if ((p = getenv("RACKTOP_SIM")) != NULL && *p != '\0')
		return (xstrdup(p));
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			xasprintf(&p, "%s/racktop-sim", self);
			if (access(p, X_OK) == 0)
				return (p);
			free(p);
		}
	}
	return (xstrdup("racktop-sim"));
}

/* Forks and execs the simulator, writing endpoints to ep. */
static pid_t
sim_spawn(const char *ep, const char *log)
{
	char *path = sim_path();
	pid_t parent = getpid(), pid;
	int fd;

	if ((pid = fork()) == -1) {
		free(path);
		return (-1);
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, STDIN_FILENO);
		execlp(path, "racktop-sim", "--seed", "1", "--scale", "small",
		    "--clock", "real", "--endpoints", ep, (char *)NULL);
		fprintf(stderr, "racktop-sim: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	free(path);
	return (pid);
}

/* Writes one [service "lab"] section for a simulated service. */
static void
write_section(FILE *f, const char *svc, json_t *v)
{
	const char *key;
	json_t *val;

	fprintf(f, "\n[%s \"lab\"]\n", svc);
	json_object_foreach(v, key, val) {
		/*
		 * "node" is for tests; a login is written only for services
		 * that have no token or key (Pi-hole's password is its key).
		 */
		if (!json_is_string(val) || strcmp(key, "node") == 0)
			continue;
		if ((strcmp(key, "user") == 0 || strcmp(key, "password") == 0) &&
		    (json_object_get(v, "token") != NULL ||
		    json_object_get(v, "api_key") != NULL))
			continue;
		fprintf(f, "%s = %s\n", key, json_string_value(val));
	}
}

/* Starts the simulator and writes the configuration. */
int
demo_start(struct demo *d, char **cause)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char *ep, *log, *ci = NULL, *why = NULL;
	json_t *eps = NULL, *v;
	const char *key;
	json_error_t jerr;
	int64_t end;
	int status, fd;
	FILE *f;

	memset(d, 0, sizeof *d);
	d->sim = -1;
	d->pg = -1;
	if (base == NULL || *base != '/')
		base = "/tmp";
	xasprintf(&d->dir, "%s/racktop-demo.XXXXXX", base);
	if (mkdtemp(d->dir) == NULL) {
		xasprintf(cause, "%s: %s", d->dir, strerror(errno));
		free(d->dir);
		d->dir = NULL;
		return (-1);
	}
	xasprintf(&d->conf, "%s/racktop.conf", d->dir);
	xasprintf(&ep, "%s/endpoints.json", d->dir);
	xasprintf(&log, "%s/sim.log", d->dir);
	if ((d->sim = sim_spawn(ep, log)) == -1) {
		xasprintf(cause, "cannot start racktop-sim: %s", strerror(errno));
		goto fail;
	}
	/* Wait for the endpoints file; the simulator writes it atomically. */
	end = clock_mono_ms() + 10000;
	while ((eps = json_load_file(ep, 0, &jerr)) == NULL) {
		if (waitpid(d->sim, &status, WNOHANG) == d->sim) {
			d->sim = -1;
			xasprintf(cause, "racktop-sim exited (is it installed "
			    "beside racktop?); see its log: %s", log);
			goto fail;
		}
		if (clock_mono_ms() > end) {
			xasprintf(cause, "racktop-sim did not start within "
			    "10 s");
			goto fail;
		}
		poll(NULL, 0, 20);
	}
	if ((fd = open(d->conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", d->conf, strerror(errno));
		goto fail;
	}
	fprintf(f, "# racktop demo: every service in racktop-sim\n");
	json_object_foreach(eps, key, v) {
		/* The model endpoints ("llm") serve the memory, no service. */
		if (json_is_object(v) && strcmp(key, "llm") != 0)
			write_section(f, key, v);
	}
	/* The memory, when PostgreSQL's server binaries are installed. */
	switch (demo_pg_start(d, &ci, &why)) {
	case 0:
		fprintf(f, "\n[memory \"demo\"]\nconninfo = %s\n", ci);
		free(ci);
		break;
	case -1:
		fprintf(f, "\n# no memory: %s\n", why);
		free(why);
		break;
	}
	fclose(f);
	json_decref(eps);
	free(ep);
	free(log);
	return (0);

fail:
	json_decref(eps);
	free(ep);
	free(log);
	demo_stop(d);
	return (-1);
}

/* Removes every file in the demo folder, then the folder. */
static void
remove_dir(const char *dir)
{
	static const char *const names[] = {
		"racktop.conf", "endpoints.json", "sim.log", NULL,
	};
	char *p;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		xasprintf(&p, "%s/%s", dir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

/* Forgets the generated files once racktop has read them. */
void
demo_forget_files(struct demo *d)
{
	if (d->dir == NULL)
		return;
	remove_dir(d->dir);
}

/* Stops the simulator and cleans up. */
void
demo_stop(struct demo *d)
{
	int status;

	if (d->sim > 0) {
		kill(d->sim, SIGTERM);
		waitpid(d->sim, &status, 0);
		d->sim = -1;
	}
	demo_pg_stop(d);
	if (d->dir != NULL)
		remove_dir(d->dir);
	free(d->dir);
	free(d->conf);
	d->dir = d->conf = NULL;
}
