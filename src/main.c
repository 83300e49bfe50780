/*
 * racktop: modes, start-up order and shutdown.
 *
 * DESIGN (who owns what; docs/architecture.md has the full picture):
 *   main thread  the terminal (curses) or, headless, the signal wait;
 *                the configuration; start-up and shutdown order
 *   pollers      one per instance: the backend's polling handles
 *   MCP thread   the listening socket, every client fd, sessions
 *   workers      one tool call at a time each, from any front door
 * Global initialisation (locale, curl, jansson seed, SIGPIPE, the signal
 * mask) happens here before any thread starts; every thread is created
 * with all signals blocked so SIGINT/SIGTERM/SIGWINCH reach only main.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approval.h"
#include "core/audit.h"
#include "core/call.h"
#include "core/conf.h"
#include "core/jobs.h"
#include "core/jsonarena.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/policy.h"
#include "core/registry.h"
#include "core/xmalloc.h"
#include "attached.h"
#include "demo.h"
#include "mcp/attach.h"
#include "mcp/bridge.h"
#include "mcp/client.h"
#include "mcp/http.h"
#include "mcp/server.h"
#include "mcp/sockpath.h"
#include "cli-docs.h"
#include "services/services.h"
#include "ui/app.h"

struct options {
	const char *config;
	const char *socket;
	const char *theme;
	bool read_only;
	bool headless;
	bool detach;		/* --detach: headless, in the background */
	bool stop;		/* --stop: end the running racktop */
	bool demo;
	bool json;
	bool markdown;		/* tools --markdown */
	const char *print_config; /* mcp --print-config CLIENT */
	bool mouse;		/* --mouse */
	const char *mode;	/* NULL: dashboard */
	struct demo *demo_state; /* --demo: files to forget once loaded */
	int nargs;		/* mode arguments */
	char **args;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: racktop [options]                 dashboard and MCP socket (attached\n"
	    "                                         when a racktop runs already)\n"
	    "       racktop --headless [options]      MCP socket and pollers only\n"
	    "       racktop --detach [options]        the same, in the background\n"
	    "       racktop --stop [options]          end the running racktop\n"
	    "       racktop --demo [options]          dashboard against the simulator\n"
	    "       racktop mcp [options]             stdio bridge for MCP clients\n"
	    "       racktop call TOOL [k=v ...] [--json '{...}']\n"
	    "       racktop tools [--json|--markdown] the tool catalog\n"
	    "       racktop mcp --print-config CLIENT MCP client configuration\n"
	    "                       (claude-code, claude-desktop, cursor, codex)\n"
	    "       racktop env-example               every RACKTOP_* variable\n"
	    "options (before or after the mode word):\n"
	    "  --config FILE   configuration (default $XDG_CONFIG_HOME/racktop/racktop.conf)\n"
	    "  --socket PATH   MCP socket (default $XDG_RUNTIME_DIR/racktop/mcp.sock)\n"
	    "  --theme NAME    colour theme\n"
	    "  --mouse         clicks focus panes and select rows\n"
	    "  --read-only     refuse every tool that changes state\n"
	    "  --version, --help\n");
}

/* Takes an option's value from argv, or exits with a usage error. */
static const char *
opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "racktop: %s needs a value\n", argv[*i]);
		exit(2);
	}
	return (argv[++*i]);
}

/* Parses global options anywhere and the mode word with its arguments. */
static void
parse_args(int argc, char **argv, struct options *o)
{
	int i;

	memset(o, 0, sizeof *o);
	o->args = xcalloc((size_t)argc + 1, sizeof *o->args);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--config") == 0)
			o->config = opt_value(argc, argv, &i);
		else if (strcmp(a, "--socket") == 0)
			o->socket = opt_value(argc, argv, &i);
		else if (strcmp(a, "--theme") == 0)
			o->theme = opt_value(argc, argv, &i);
		else if (strcmp(a, "--mouse") == 0)
			o->mouse = true;
		else if (strcmp(a, "--read-only") == 0)
			o->read_only = true;
		else if (strcmp(a, "--headless") == 0)
			o->headless = true;
		else if (strcmp(a, "--detach") == 0)
			o->detach = o->headless = true;
		else if (strcmp(a, "--stop") == 0)
			o->stop = true;
		else if (strcmp(a, "--demo") == 0)
			o->demo = true;
		else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("racktop %s\n", PACKAGE_VERSION);
			exit(0);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (o->mode == NULL && a[0] != '-')
			o->mode = a;
		else if (o->mode != NULL && strcmp(o->mode, "call") == 0 &&
		    strcmp(a, "--json") == 0) {
			o->args[o->nargs++] = argv[i];
			o->args[o->nargs++] = (char *)opt_value(argc, argv, &i);
		} else if (o->mode != NULL && strcmp(a, "--json") == 0)
			o->json = true;
		else if (o->mode != NULL && strcmp(o->mode, "tools") == 0 &&
		    strcmp(a, "--markdown") == 0)
			o->markdown = true;
		else if (o->mode != NULL && strcmp(o->mode, "mcp") == 0 &&
		    strcmp(a, "--print-config") == 0)
			o->print_config = opt_value(argc, argv, &i);
		else if (o->mode != NULL && a[0] != '-')
			o->args[o->nargs++] = argv[i];
		else {
			fprintf(stderr, "racktop: unknown option %s\n", a);
			usage(stderr);
			exit(2);
		}
	}
	if (o->mode != NULL && strcmp(o->mode, "mcp") != 0 &&
	    strcmp(o->mode, "call") != 0 && strcmp(o->mode, "tools") != 0 &&
	    strcmp(o->mode, "env-example") != 0) {
		fprintf(stderr, "racktop: unknown mode %s\n", o->mode);
		usage(stderr);
		exit(2);
	}
}

/* Global initialisation, before any thread exists. */
static void
global_init(void)
{
	setlocale(LC_ALL, "");
	/*
	 * At most 8 malloc arenas, whatever the core count: enough that
	 * workers rarely wait on each other's arena (2 cost a fifth of the
	 * throughput in make bench), few enough that freed memory does not
	 * stay resident in one arena per thread on big machines.
	 */
	mallopt(M_ARENA_MAX, 8);
	/*
	 * Response bodies of a large lab run to megabytes: a fixed mmap
	 * threshold returns them to the system when freed, instead of
	 * glibc's sliding one parking them in the heap.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	json_arena_install();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	json_object_seed(0);
	signal(SIGPIPE, SIG_IGN);
}

/* Loads the configuration and builds the registry with its instances. */
static struct registry *
load(const struct options *o, struct rt_config **confp)
{
	struct registry *reg;
	struct rt_config *conf;
	char *cause = NULL;

	if ((reg = registry_create(rt_services, &cause)) == NULL)
		fatalx("registry: %s", cause);
	conf = conf_load(o->config, registry_service_names(reg), NULL, &cause);
	if (conf == NULL) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		registry_destroy(reg);
		exit(2);
	}
	if (registry_add_instances(reg, conf, &cause) != 0) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		registry_destroy(reg);
		conf_free(conf);
		exit(2);
	}
	call_policy.read_only = o->read_only || conf->read_only;
	call_policy.check_output = getenv("RACKTOP_CHECK_OUTPUT") != NULL;
	/* Lives as long as the process: every call reads it. */
	call_policy.policy = policy_create(conf->roles, conf->tool_policy,
	    geteuid(), &cause);
	if (call_policy.policy == NULL) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		registry_destroy(reg);
		conf_free(conf);
		exit(2);
	}
	*confp = conf;
	return (reg);
}

/* The socket path from the options, the config, or the default. */
static char *
socket_path(const struct options *o, const struct rt_config *conf)
{
	if (o->socket != NULL)
		return (xstrdup(o->socket));
	if (conf != NULL && conf->socket != NULL)
		return (xstrdup(conf->socket));
	return (sockpath_default());
}

/*
 * racktop mcp --print-config CLIENT: how CLIENT starts this racktop's
 * bridge (this binary's absolute path; --config and --socket kept).
 */
static int
cmd_print_config(const struct options *o)
{
	const char *args[6];
	char exe[4096];
	ssize_t n;
	int i = 0;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		snprintf(exe, sizeof exe, "racktop");
	else
		exe[n] = '\0';
	args[i++] = "mcp";
	if (o->config != NULL) {
		args[i++] = "--config";
		args[i++] = o->config;
	}
	if (o->socket != NULL) {
		args[i++] = "--socket";
		args[i++] = o->socket;
	}
	args[i] = NULL;
	if (docs_print_config(stdout, o->print_config, exe, args) != 0) {
		fprintf(stderr, "racktop: --print-config: unknown client %s "
		    "(one of:", o->print_config);
		for (i = 0; docs_clients[i] != NULL; i++)
			fprintf(stderr, " %s", docs_clients[i]);
		fprintf(stderr, ")\n");
		return (2);
	}
	return (0);
}

/* racktop env-example: the environment template (.env.example). */
static int
cmd_env_example(void)
{
	struct registry *reg;
	char *cause = NULL;

	if ((reg = registry_create(rt_services, &cause)) == NULL)
		fatalx("registry: %s", cause);
	docs_env_example(stdout, registry_service_names(reg));
	registry_destroy(reg);
	return (0);
}

/* racktop tools [--json|--markdown]: the catalog. */
static int
cmd_tools(const struct options *o)
{
	struct rt_config *conf;
	struct registry *reg = load(o, &conf);
	json_t *cat = registry_catalog(reg), *t;
	size_t i;

	if (o->markdown)
		docs_tools_markdown(stdout, cat);
	else if (o->json) {
		json_dumpf(cat, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		json_array_foreach(cat, i, t) {
			json_t *ann = json_object_get(t, "annotations");

			printf("%-32s %-8s %s\n",
			    json_string_value(json_object_get(t, "name")),
			    json_is_true(json_object_get(ann, "readOnlyHint")) ?
			    "read" : json_is_true(json_object_get(ann,
			    "destructiveHint")) ? "destroy" : "write",
			    json_string_value(json_object_get(t, "title")));
		}
	}
	json_decref(cat);
	registry_destroy(reg);
	conf_free(conf);
	return (0);
}

/* Converts a k=v value by the type the tool's schema gives the key. */
static json_t *
coerce_arg(const json_t *prop, const char *v)
{
	const json_t *type = json_object_get(prop, "type");
	const char *t = json_string_value(type);
	json_t *j;

	if (t != NULL && strcmp(t, "string") == 0)
		return (json_string(v));
	if ((j = json_loads(v, JSON_DECODE_ANY, NULL)) != NULL) {
		/* Only a schema that allows strings keeps a bare word. */
		return (j);
	}
	return (json_string(v));
}

/* Builds the arguments object of `racktop call`. -1 on a usage error. */
static int
call_args(const struct options *o, const struct registry_tool *t,
    json_t **out)
{
	const json_t *props = json_object_get(t->input_json, "properties");
	json_t *args = json_object(), *extra;
	json_error_t jerr;
	char *eq, *key;
	int i;

	for (i = 1; i < o->nargs; i++) {
		if (strcmp(o->args[i], "--json") == 0) {
			extra = json_loads(o->args[++i], 0, &jerr);
			if (!json_is_object(extra)) {
				fprintf(stderr, "racktop: --json: %s\n",
				    extra == NULL ? jerr.text :
				    "must be an object");
				json_decref(extra);
				json_decref(args);
				return (-1);
			}
			json_object_update(args, extra);
			json_decref(extra);
			continue;
		}
		if ((eq = strchr(o->args[i], '=')) == NULL ||
		    eq == o->args[i]) {
			fprintf(stderr, "racktop: %s: expected key=value\n",
			    o->args[i]);
			json_decref(args);
			return (-1);
		}
		key = xstrndup(o->args[i], (size_t)(eq - o->args[i]));
		json_object_set_new(args, key,
		    coerce_arg(json_object_get(props, key), eq + 1));
		free(key);
	}
	*out = args;
	return (0);
}

/* Prints a CallToolResult; returns the exit status. */
static int
print_result(json_t *res)
{
	json_t *sc = json_object_get(res, "structuredContent");
	json_t *content = json_object_get(res, "content"), *c;
	size_t i;

	if (json_is_true(json_object_get(res, "isError"))) {
		json_array_foreach(content, i, c) {
			fprintf(stderr, "racktop: %s\n",
			    json_string_value(json_object_get(c, "text")));
		}
		return (1);
	}
	if (sc != NULL)
		json_dumpf(sc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	else
		json_dumpf(content, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	return (0);
}

/* racktop call TOOL k=v ...: through the socket, or here when none. */
static int
cmd_call(const struct options *o)
{
	const struct registry_tool *t;
	struct rt_config *conf;
	struct registry *reg;
	struct rt_caller caller;
	struct rt_call *c;
	json_t *args, *res;
	char *path, *cause = NULL;
	bool lazy;
	int rv;

	if (o->nargs < 1) {
		fprintf(stderr, "racktop: call needs a tool name\n");
		return (2);
	}
	reg = load(o, &conf);
	if ((t = registry_find(reg, o->args[0])) == NULL) {
		fprintf(stderr, "racktop: no tool named %s (see racktop "
		    "tools)\n", o->args[0]);
		rv = 2;
		goto out;
	}
	if (call_args(o, t, &args) != 0) {
		rv = 2;
		goto out;
	}
	path = socket_path(o, conf);
	errno = 0;
	res = client_call(path, t->tool->name, args, &cause);
	lazy = res == NULL && (errno == ENOENT || errno == ECONNREFUSED);
	free(path);
	if (res == NULL && !lazy) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		json_decref(args);
		rv = 2;
		goto out;
	}
	if (res == NULL) {
		/* Lazy mode: nothing listens, so run the call here. */
		free(cause);
		memset(&caller, 0, sizeof caller);
		caller.source = RT_SRC_CLI;
		caller.uid = getuid();
		caller.pid = getpid();
		c = call_new(t, args, &caller);
		if (call_check(c) == 0)
			call_run_here(c);
		res = call_result(c);
		call_free(c);
	} else
		json_decref(args);
	rv = print_result(res);
	json_decref(res);
out:
	registry_destroy(reg);
	conf_free(conf);
	return (rv);
}

/* racktop mcp: the stdio bridge, or lazy mode. */
static int
cmd_mcp(const struct options *o)
{
	struct rt_config *conf;
	struct registry *reg;
	char *path;
	int rv;

	if (o->print_config != NULL)
		return (cmd_print_config(o));
	/* Log to stderr only: stdout carries the protocol. */
	reg = load(o, &conf);
	path = socket_path(o, conf);
	/* One racktop for every agent, rather than one each (lazy mode). */
	if (conf->mcp_autostart && !attached_live(path))
		attached_autostart(o->config, path);
	rv = bridge_run(path, reg);
	free(path);
	registry_destroy(reg);
	conf_free(conf);
	return (rv);
}

/* Opens the log: a file when configured or when curses owns the terminal. */
static void
open_log(const struct rt_config *conf, bool terminal)
{
	char *cause = NULL, *path = NULL;
	const char *state;

	if (conf->log != NULL)
		path = xstrdup(conf->log);
	else if (terminal) {
		if ((state = getenv("XDG_STATE_HOME")) != NULL && *state == '/')
			xasprintf(&path, "%s/racktop.log", state);
		else if (getenv("HOME") != NULL)
			xasprintf(&path, "%s/.local/state/racktop.log",
			    getenv("HOME"));
	}
	if (path != NULL && log_open(path, &cause) != 0) {
		fprintf(stderr, "racktop: log: %s\n", cause);
		free(cause);
	}
	free(path);
	if (conf->log_level != NULL) {
		if (strcmp(conf->log_level, "debug") == 0)
			log_set_level(RT_LOG_DEBUG);
		else if (strcmp(conf->log_level, "warn") == 0)
			log_set_level(RT_LOG_WARN);
		else if (strcmp(conf->log_level, "error") == 0)
			log_set_level(RT_LOG_ERROR);
	}
}

/* The dashboard or headless server: pollers, workers, socket. */
static int
cmd_run(const struct options *o)
{
	struct mcp_limits limits;
	struct mcp_server *srv;
	struct rt_config *conf;
	struct registry *reg;
	struct job_pool *pool;
	struct approval *ap;
	struct metrics_http *metrics = NULL;
	struct mcp_http *http = NULL;
	struct mcp_http_conf hc;
	struct attach *att = NULL;
	sigset_t set, old;
	char *path, *cause = NULL;
	int fd, sig, workers, mport = 0, rv = 0;
	bool terminal = !o->headless;

	reg = load(o, &conf);
	if (o->stop) {
		path = socket_path(o, conf);
		rv = attached_stop(path);
		free(path);
		goto out_reg;
	}
	if (o->demo_state != NULL)
		demo_forget_files(o->demo_state);
	/* Detached: stderr goes nowhere, the log to the state folder. */
	open_log(conf, terminal || o->detach);
	if (conf->audit_log != NULL && audit_open(conf->audit_log, &cause) != 0) {
		fprintf(stderr, "racktop: audit log: %s\n", cause);
		free(cause);
		rv = 2;
		goto out_reg;
	}

	/* The socket comes first: a bad path is a plain error on stderr. */
	path = socket_path(o, conf);
	if ((fd = sockpath_listen(path, &cause)) == -1 && terminal &&
	    o->demo_state == NULL && attached_live(path)) {
		/* A racktop runs already: this dashboard becomes its client. */
		free(cause);
		rv = attached_run(path, reg, o->theme != NULL ? o->theme :
		    conf->theme, conf->keys, o->mouse || conf->mouse);
		free(path);
		goto out_reg;
	}
	if (fd == -1) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		free(path);
		rv = 2;
		goto out_reg;
	}
	if (conf->socket_group != NULL &&
	    sockpath_share(path, conf->socket_group, &cause) != 0) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		close(fd);
		unlink(path);
		free(path);
		rv = 2;
		goto out_reg;
	}

	if (o->detach)
		attached_detach(path, fd);

	/* Every thread from here on inherits a fully blocked mask. */
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	workers = conf->workers > 0 ? conf->workers :
	    4 + (int)registry_ninstances(reg);
	pool = job_pool_create(workers);
	/* Held calls wait in the MCP thread; the dashboard decides. */
	ap = approval_create((int64_t)conf->approval_timeout * 1000);
	mcp_limits_default(&limits);
	if (conf->max_message > 0)
		limits.max_message = (size_t)conf->max_message;
	if (conf->max_clients > 0)
		limits.max_clients = (int)conf->max_clients;
	if (conf->max_inflight > 0)
		limits.max_inflight = (int)conf->max_inflight;
	if (conf->rate_limit >= 0)
		limits.rate_per_s = (int)conf->rate_limit;
	/*
	 * Headless, nobody attaches: held calls are asked through the
	 * client's elicitation, or refused (approval_timeout still applies).
	 */
	limits.approval = ap;
	/*
	 * MCP over HTTP runs on the MCP thread, with the socket's protocol
	 * context: one owner for held calls. A bad setting is an error.
	 */
	if (conf->http_listen != NULL || conf->http_socket != NULL) {
		memset(&hc, 0, sizeof hc);
		hc.listen = conf->http_listen;
		hc.socket = conf->http_socket;
		hc.token_file = conf->http_token_file;
		hc.allow_remote = conf->http_allow_remote;
		if ((http = mcp_http_new(&hc, &limits, &cause)) == NULL) {
			fprintf(stderr, "racktop: %s\n", cause);
			log_error("%s", cause);
			free(cause);
			close(fd);
			unlink(path);
			rv = 2;
			goto out_pool;
		}
		limits.http = http;
	}
	/*
	 * Dashboards may attach; headless, they decide held calls, which
	 * wait for one to attach (mcp/attach.h).
	 */
	att = attach_create(reg, terminal ? NULL : ap, getuid());
	limits.attach = att;
	if ((srv = mcp_server_start(fd, path, reg, pool, &limits,
	    &cause)) == NULL) {
		fprintf(stderr, "racktop: %s\n", cause);
		free(cause);
		close(fd);
		unlink(path);
		rv = 2;
		goto out_pool;
	}
	registry_start_pollers(reg);
	log_info("racktop %s listening on %s", PACKAGE_VERSION, path);
	if (conf->http_listen != NULL)
		log_info("mcp over http on http://%s/mcp (port %d)",
		    conf->http_listen, mcp_http_port(http));
	if (conf->http_socket != NULL)
		log_info("mcp over http on unix:%s (/mcp)", conf->http_socket);
	if (conf->metrics_listen != NULL) {
		metrics = metrics_http_start(conf->metrics_listen, reg,
		    &mport, &cause);
		if (metrics == NULL) {
			/* The MCP socket is up: a metrics error is not fatal. */
			log_error("%s", cause);
			free(cause);
			cause = NULL;
		} else
			log_info("metrics on http://%s/metrics (port %d)",
			    conf->metrics_listen, mport);
	}

	if (terminal)
		app_set_input(conf->keys, o->mouse || conf->mouse);
	if (terminal)
		rv = app_run(reg, pool, ap, path, o->theme != NULL ? o->theme :
		    conf->theme, &old);
	else {
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		for (;;) {
			if (sigwait(&set, &sig) != 0)
				continue;
			if (sig == SIGHUP) {
				log_info("SIGHUP: configuration reload is not "
				    "supported yet");
				continue;
			}
			break;
		}
	}

	metrics_http_stop(metrics);
	mcp_server_stop(srv);
	mcp_http_stop(http);
	http = NULL;
	registry_stop_pollers(reg);
	if (o->detach)
		attached_forget_pid(path);
out_pool:
	mcp_http_stop(http);
	attach_destroy(att);
	approval_destroy(ap);
	job_pool_destroy(pool);
	free(path);
out_reg:
	audit_close();
	registry_destroy(reg);
	conf_free(conf);
	return (rv);
}

/*
 * racktop --demo: the simulator as a child on private loopback ports and a
 * configuration for it, then the usual dashboard (or --headless). The MCP
 * socket is the usual one unless --socket says otherwise, so `racktop
 * call` and agents reach the demo as they would a real racktop.
 */
static int
demo_run(struct options *o)
{
	struct demo d;
	char *cause = NULL;
	int rv;

	if (demo_start(&d, &cause) != 0) {
		fprintf(stderr, "racktop: demo: %s\n", cause);
		free(cause);
		return (2);
	}
	o->config = d.conf;
	o->demo_state = &d;
	rv = cmd_run(o);
	demo_stop(&d);
	return (rv);
}

int
main(int argc, char **argv)
{
	struct options o;
	int rv;

	parse_args(argc, argv, &o);
	global_init();
	log_set_thread("main");
	if (o.mode == NULL)
		rv = o.demo ? demo_run(&o) : cmd_run(&o);
	else if (strcmp(o.mode, "tools") == 0)
		rv = cmd_tools(&o);
	else if (strcmp(o.mode, "call") == 0)
		rv = cmd_call(&o);
	else if (strcmp(o.mode, "env-example") == 0)
		rv = cmd_env_example();
	else
		rv = cmd_mcp(&o);
	free(o.args);
	curl_global_cleanup();
	return (rv);
}
