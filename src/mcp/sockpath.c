/*
 * The socket's path and its creation: a private folder, a 0600 socket,
 * stale sockets replaced and a running racktop reported.
 *
 * The folder must be owned by us and writable by nobody else (created
 * 0700); with socket_group, that group may search it and connect to the
 * socket (sockpath_share), and the server still admits only the uids
 * policy names. A folder others can write would let them swap the socket.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "mcp/sockpath.h"

/* The default socket path. */
char *
sockpath_default(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *path;

	if (xdg != NULL && xdg[0] == '/')
		xasprintf(&path, "%s/racktop/mcp.sock", xdg);
	else
		xasprintf(&path, "/tmp/racktop-%u/mcp.sock",
		    (unsigned)getuid());
	return (path);
}

/* Fills a sockaddr_un; -1 and *cause when path does not fit. */
static int
make_addr(const char *path, struct sockaddr_un *sa, char **cause)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (len == 0 || len >= sizeof sa->sun_path) {
		xasprintf(cause, "socket path too long (%zu bytes, at most "
		    "%zu): %s: %s", len, sizeof sa->sun_path - 1, path,
		    strerror(ENAMETOOLONG));
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(sa->sun_path, path, len + 1);
	return (0);
}

/* Creates the socket's folder or checks the one that exists. */
static int
check_folder(const char *path, char **cause)
{
	char *copy = xstrdup(path), *dir;
	struct stat sb;
	int rv = -1;

	dir = dirname(copy);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "mkdir %s: %s", dir, strerror(errno));
		goto out;
	}
	if (lstat(dir, &sb) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: not a folder", dir);
		goto out;
	}
	if (sb.st_uid != getuid() || (sb.st_mode & 022) != 0) {
		xasprintf(cause, "%s: the socket's folder must be owned by uid "
		    "%u and writable only by it (it is owned by uid %u, mode "
		    "%03o)", dir, (unsigned)getuid(), (unsigned)sb.st_uid,
		    (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	rv = 0;
out:
	free(copy);
	return (rv);
}

/* Connects to a socket path. */
int
sockpath_connect(const char *path, char **cause)
{
	struct sockaddr_un sa;
	int fd, saved;

	if (make_addr(path, &sa, cause) != 0)
		return (-1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		saved = errno;
		xasprintf(cause, "socket: %s", strerror(errno));
		errno = saved;
		return (-1);
	}
	while (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		if (errno == EINTR)
			continue;
		saved = errno;
		close(fd);
		xasprintf(cause, "cannot connect to %s: %s", path,
		    strerror(saved));
		errno = saved;
		return (-1);
	}
	return (fd);
}

/* Replaces a stale socket; -1 when a server answers on it. */
static int
probe_existing(const char *path, char **cause)
{
	struct stat sb;
	char *why = NULL;
	int fd;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISSOCK(sb.st_mode)) {
		xasprintf(cause, "%s exists and is not a socket", path);
		return (-1);
	}
	if ((fd = sockpath_connect(path, &why)) != -1) {
		close(fd);
		xasprintf(cause, "another racktop is running on %s", path);
		return (-1);
	}
	free(why);
	if (errno != ECONNREFUSED && errno != ENOENT) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		xasprintf(cause, "cannot remove stale socket %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Creates the listening socket. */
int
sockpath_listen(const char *path, char **cause)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, rv, saved;

	if (make_addr(path, &sa, cause) != 0)
		return (-1);
	if (check_folder(path, cause) != 0 || probe_existing(path, cause) != 0)
		return (-1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	/* Born 0600: no moment where another user could connect. */
	old = umask(0177);
	rv = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	saved = errno;
	umask(old);
	if (rv == -1) {
		if (saved == EADDRINUSE)
			xasprintf(cause, "another racktop is running on %s",
			    path);
		else
			xasprintf(cause, "bind %s: %s", path, strerror(saved));
		close(fd);
		return (-1);
	}
	if (listen(fd, 128) == -1) {
		xasprintf(cause, "listen %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	return (fd);
}

/* Lets a group search the socket's folder and connect to the socket. */
int
sockpath_share(const char *path, const char *group, char **cause)
{
	char *copy = xstrdup(path), *dir;
	struct group *gr;
	int rv = -1;

	dir = dirname(copy);
	if ((gr = getgrnam(group)) == NULL) {
		xasprintf(cause, "socket_group: no group named %s", group);
		goto out;
	}
	if (chown(dir, (uid_t)-1, gr->gr_gid) == -1 ||
	    chmod(dir, 0710) == -1 ||
	    chown(path, (uid_t)-1, gr->gr_gid) == -1 ||
	    chmod(path, 0660) == -1) {
		xasprintf(cause, "socket_group %s: %s", group,
		    strerror(errno));
		goto out;
	}
	rv = 0;
out:
	free(copy);
	return (rv);
}
