/*
 * The MCP server over a real Unix socket, in process: 32 C clients at
 * once while one call is held, a client that never reads, and an
 * oversized message. Runs under TSan in CI as a concurrency test.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/call.h"
#include "core/jobs.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "mcp/server.h"
#include "mcp/sockpath.h"
#include "tests/testd/testsvc.h"
#include "tests/unit/testutil.h"

#define NCLIENTS 32
#define NCALLS 100

static char *dir;
static char *path;
static struct registry *reg;
static struct job_pool *pool;
static struct mcp_server *srv;

static void
setup(void)
{
	struct mcp_limits limits;
	char *cause = NULL;
	int fd;

	dir = test_tmpdir();
	xasprintf(&path, "%s/s/mcp.sock", dir);
	reg = registry_create(testd_services, &cause);
	ck_assert_msg(reg != NULL, "%s", cause);
	call_policy.check_output = true;
	pool = job_pool_create(4);
	fd = sockpath_listen(path, &cause);
	ck_assert_msg(fd != -1, "%s", cause);
	mcp_limits_default(&limits);
	limits.max_message = 64 * 1024;
	srv = mcp_server_start(fd, path, reg, pool, &limits, &cause);
	ck_assert_msg(srv != NULL, "%s", cause);
}

static void
teardown(void)
{
	mcp_server_stop(srv);
	job_pool_destroy(pool);
	registry_destroy(reg);
	test_rm_rf(dir);
	free(dir);
	free(path);
}

/* A blocking client connection with a line reader. */
struct conn {
	int fd;
	char buf[65536];
	size_t len;
};

static int
conn_open(struct conn *c)
{
	struct sockaddr_un sun;
	struct timeval tv = { .tv_sec = 30 * clock_timeout_scale() };

	memset(c, 0, sizeof *c);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (-1);
	/* A receive timeout bounds every wait on the server. */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return (connect(c->fd, (struct sockaddr *)&sun, sizeof sun));
}

static int
conn_send(struct conn *c, const char *line)
{
	size_t n = strlen(line), off = 0;
	ssize_t w;

	while (off < n) {
		if ((w = write(c->fd, line + off, n - off)) <= 0)
			return (-1);
		off += (size_t)w;
	}
	return (write(c->fd, "\n", 1) == 1 ? 0 : -1);
}

/* Reads one line as JSON (new reference), NULL on EOF or timeout. */
static json_t *
conn_recv(struct conn *c)
{
	char *nl;
	ssize_t r;
	json_t *j;
	size_t used;

	for (;;) {
		if ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			used = (size_t)(nl - c->buf) + 1;
			j = json_loadb(c->buf, used - 1, 0, NULL);
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			return (j);
		}
		if (c->len == sizeof c->buf)
			return (NULL);
		r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (r <= 0)
			return (NULL);
		c->len += (size_t)r;
	}
}

static int
conn_init(struct conn *c)
{
	json_t *r;
	int ok;

	if (conn_open(c) != 0)
		return (-1);
	conn_send(c, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
	    "{},\"clientInfo\":{\"name\":\"c-test\",\"version\":\"1\"}}}");
	r = conn_recv(c);
	ok = r != NULL && json_is_object(json_object_get(r, "result"));
	json_decref(r);
	conn_send(c, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}");
	return (ok ? 0 : -1);
}

static atomic_int calls_ok;
static atomic_int calls_bad;

static void *
client_main(void *arg)
{
	struct conn *c = xmalloc(sizeof *c);
	long me = (long)arg;
	char line[256];
	json_t *r, *sc;
	int i;

	if (conn_init(c) != 0) {
		atomic_fetch_add(&calls_bad, NCALLS);
		free(c);
		return (NULL);
	}
	for (i = 1; i <= NCALLS; i++) {
		snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":%d,"
		    "\"method\":\"tools/call\",\"params\":{\"name\":"
		    "\"testsvc_echo\",\"arguments\":{\"text\":\"c%ld-%d\"}}}",
		    i, me, i);
		conn_send(c, line);
		r = conn_recv(c);
		sc = json_object_get(json_object_get(r, "result"),
		    "structuredContent");
		snprintf(line, sizeof line, "c%ld-%d", me, i);
		if (json_integer_value(json_object_get(r, "id")) == i &&
		    json_is_string(json_object_get(json_object_get(sc, "echo"),
		    "text")) && strcmp(json_string_value(json_object_get(
		    json_object_get(sc, "echo"), "text")), line) == 0)
			atomic_fetch_add(&calls_ok, 1);
		else
			atomic_fetch_add(&calls_bad, 1);
		json_decref(r);
	}
	close(c->fd);
	free(c);
	return (NULL);
}

START_TEST(test_many_clients_while_one_holds)
{
	struct testsvc_counts before, after;
	pthread_t t[NCLIENTS - 1];
	struct conn held;
	json_t *r;
	long i;

	testsvc_counts(&before);
	ck_assert_int_eq(conn_init(&held), 0);
	conn_send(&held, "{\"jsonrpc\":\"2.0\",\"id\":\"hold\",\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"testsvc_sleep\","
	    "\"arguments\":{\"ms\":60000}}}");
	ck_assert(WAIT_FOR((testsvc_counts(&after), after.started >
	    before.started), 10000));

	atomic_store(&calls_ok, 0);
	atomic_store(&calls_bad, 0);
	for (i = 0; i < NCLIENTS - 1; i++)
		pthread_create(&t[i], NULL, client_main, (void *)i);
	for (i = 0; i < NCLIENTS - 1; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&calls_bad), 0);
	ck_assert_int_eq(atomic_load(&calls_ok), (NCLIENTS - 1) * NCALLS);

	/* The held call is still running; cancel it: no reply may come. */
	testsvc_counts(&after);
	ck_assert_uint_eq(after.completed, before.completed);
	conn_send(&held, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/cancelled\",\"params\":{\"requestId\":\"hold\"}}");
	ck_assert(WAIT_FOR((testsvc_counts(&after), after.stopped >
	    before.stopped), 10000));
	/* A ping after the cancel: its reply is the next line, not "hold". */
	conn_send(&held, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}");
	r = conn_recv(&held);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 7);
	json_decref(r);
	close(held.fd);
}
END_TEST

START_TEST(test_stalled_reader_does_not_block_others)
{
	struct conn stalled, other;
	char *line;
	json_t *r;
	int i;

	/* A client that floods requests and never reads its replies. */
	ck_assert_int_eq(conn_init(&stalled), 0);
	fcntl(stalled.fd, F_SETFL, O_NONBLOCK);
	xasprintf(&line, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/list\"}\n");
	for (i = 0; i < 20000; i++) {
		if (write(stalled.fd, line, strlen(line)) <= 0)
			break;
	}
	free(line);

	/* Another client is still served promptly. */
	ck_assert_int_eq(conn_init(&other), 0);
	for (i = 0; i < 20; i++) {
		conn_send(&other, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
		    "\"ping\"}");
		r = conn_recv(&other);
		ck_assert_ptr_nonnull(r);
		ck_assert(json_is_object(json_object_get(r, "result")));
		json_decref(r);
	}
	close(other.fd);
	close(stalled.fd);
}
END_TEST

START_TEST(test_oversized_message_closes)
{
	struct conn c;
	char *big;
	json_t *r;
	size_t n = 200 * 1024;

	ck_assert_int_eq(conn_init(&c), 0);
	big = xmalloc(n + 1);
	memset(big, 'a', n);
	big[0] = '"';
	big[n - 1] = '"';
	big[n] = '\0';
	conn_send(&c, big);
	free(big);
	/* An error reply first, then the server closes the connection. */
	r = conn_recv(&c);
	ck_assert_ptr_nonnull(r);
	ck_assert(json_is_object(json_object_get(r, "error")));
	json_decref(r);
	ck_assert_ptr_null(conn_recv(&c));
	close(c.fd);
}
END_TEST

START_TEST(test_socket_modes_and_second_listener)
{
	struct stat st;
	char *cause = NULL, *sdir;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	sdir = xstrndup(path, strlen(path) - strlen("/mcp.sock"));
	ck_assert_int_eq(stat(sdir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	free(sdir);
	/* A live server on the path is reported, not replaced. */
	ck_assert_int_eq(sockpath_listen(path, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "another racktop"));
	free(cause);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("socket");
	TCase *tc = tcase_create("server");

	/* The server may close on us mid-write (the oversized test). */
	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_many_clients_while_one_holds);
	tcase_add_test(tc, test_stalled_reader_does_not_block_others);
	tcase_add_test(tc, test_oversized_message_closes);
	tcase_add_test(tc, test_socket_modes_and_second_listener);
	suite_add_tcase(s, tc);
	return (test_run_suite(s));
}
