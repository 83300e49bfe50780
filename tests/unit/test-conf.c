/*
 * Tests of the configuration: INI syntax and its errors with line numbers,
 * the precedence of environment, .env and file, the longest-suffix rule for
 * environment names, and the refusal of secrets others could read.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>

#include "tests/unit/testutil.h"
#include "core/conf.h"
#include "core/xmalloc.h"

static const char *const services[] = { "proxmox", "pihole", "unifi", NULL };

static char *tmp;

/* Creates the private folder of one test. */
static void
setup(void)
{
	tmp = test_tmpdir();
}

/* Removes the private folder of one test. */
static void
teardown(void)
{
	test_rm_rf(tmp);
	free(tmp);
	tmp = NULL;
}

/* A NULL-terminated environment of copies of the arguments (NULL ends). */
static char **
mkenv(const char *first, ...)
{
	char **env = NULL;
	const char *s;
	size_t n = 0;
	va_list ap;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		env = xreallocarray(env, n + 1, sizeof *env);
		env[n++] = xstrdup(s);
	}
	va_end(ap);
	env = xreallocarray(env, n + 1, sizeof *env);
	env[n] = NULL;
	return (env);
}

/* Frees an environment from mkenv. */
static void
freeenv(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* The instance service/name of c, or NULL. */
static const struct rt_instance_conf *
find(const struct rt_config *c, const char *service, const char *name)
{
	size_t i;

	for (i = 0; i < c->ninstances; i++) {
		if (strcmp(c->instances[i].service, service) == 0 &&
		    strcmp(c->instances[i].name, name) == 0)
			return (&c->instances[i]);
	}
	return (NULL);
}

/* Loads path with env (an empty one when NULL); asserts success. */
static struct rt_config *
load_ok(const char *path, char **env)
{
	char **none = mkenv(NULL);
	char *cause = NULL;
	struct rt_config *c;

	c = conf_load(path, services, env != NULL ? env : none, &cause);
	ck_assert_msg(c != NULL, "conf_load failed: %s", cause);
	freeenv(none);
	return (c);
}

/* Loads path with env; asserts failure and returns the cause. */
static char *
load_fail(const char *path, char **env)
{
	char **none = mkenv(NULL);
	char *cause = NULL;
	struct rt_config *c;

	c = conf_load(path, services, env != NULL ? env : none, &cause);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(cause);
	freeenv(none);
	return (cause);
}

/* Asserts that s starts with prefix. */
static void
assert_prefix(const char *s, const char *prefix)
{
	ck_assert_msg(strncmp(s, prefix, strlen(prefix)) == 0,
	    "\"%s\" does not start with \"%s\"", s, prefix);
}

/* Each broken config names its own line and reason. */
START_TEST(test_errors_name_their_line)
{
	static const struct {
		const char *text;
		const char *prefix;
		const char *reason;
	} cases[] = {
		{ "[proxmox \"home\"]\nurl = https://pve:8006\n"
		    "bogus = 1\n", "t.conf:3: ", "unknown key \"bogus\"" },
		{ "# comment\n\nurl = https://x\n", "t.conf:3: ",
		    "outside a section" },
		{ "[racktop]\nsocket = /s\n\n[proxmox \"a\"]\n"
		    "[proxmox \"a\"]\n", "t.conf:5: ", "duplicate section" },
		{ "[racktop]\n; c\n\n\n\n\nworkers = many\n", "t.conf:7: ",
		    "bad integer" },
		{ "[racktop]\napproval_timeout = 5x\n", "t.conf:2: ",
		    "bad integer" },
		{ "[racktop]\nmax_message = 10\n", "t.conf:2: ",
		    "bad integer" },
		{ "[racktop]\nmax_clients = 0\n", "t.conf:2: ",
		    "bad integer" },
		{ "[proxmox home]\n", "t.conf:1: ", "bad section header" },
		{ "[proxmox \"home\"\n", "t.conf:1: ", "bad section header" },
		{ "[proxmox \"a\"]\nurl = x\nurl = y\n", "t.conf:3: ",
		    "duplicate key \"url\"" },
		{ "[proxmox \"a\"]\nsocket = /x\n", "t.conf:2: ",
		    "belongs in [racktop]" },
		{ "[racktop]\nurl = /x\n", "t.conf:2: ", "unknown key" },
		{ "[proxmox \"a\"]\njust words\n", "t.conf:2: ",
		    "key = value" },
		{ "[proxmox \"a\"]\nurl = \"open\n", "t.conf:2: ",
		    "unterminated quote" },
		{ "[proxmox \"a\"]\npassword = p\npassword_file = /f\n",
		    "t.conf:3: ", "both password and password_file" },
		{ "\n[racktop]\nread_only = maybe\n", "t.conf:3: ",
		    "bad boolean" },
		{ "[racktop]\nmouse = often\n", "t.conf:2: ", "bad boolean" },
		{ "[pihole \"a\"]\npassword hunter2 = x\n", "t.conf:2: ",
		    "bad key" },
	};
	struct rt_config *c;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		c = conf_parse("t.conf", cases[i].text, strlen(cases[i].text),
		    services, &cause);
		ck_assert_msg(c == NULL, "case %zu parsed", i);
		ck_assert_ptr_nonnull(cause);
		assert_prefix(cause, cases[i].prefix);
		ck_assert_msg(strstr(cause, cases[i].reason) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, cause,
		    cases[i].reason);
		ck_assert_ptr_null(strstr(cause, "hunter2"));
		free(cause);
	}
}
END_TEST

/* A loaded file's error reads "PATH:LINE: reason". */
START_TEST(test_load_error_names_file_and_line)
{
	char *path, *cause, *want;

	path = test_write_file(tmp, "racktop.conf",
	    "[racktop]\n\n[proxmox \"home\"]\nurl = x\n\nnope = 1\n", 0600);
	cause = load_fail(path, NULL);
	xasprintf(&want, "%s:6: unknown key \"nope\"", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
}
END_TEST

/* Globals, two instances of one service, quoting and accessors. */
START_TEST(test_valid_config)
{
	static const char text[] =
	    "# racktop\n"
	    "[racktop]\n"
	    "socket = /run/rt.sock\n"
	    "log = \"/var/log/racktop log\"\n"
	    "log_level = debug\n"
	    "audit_log = /var/log/audit.jsonl\n"
	    "theme = dark\n"
	    "read_only = yes\n"
	    "workers = 8\n"
	    "max_message = 65536\n"
	    "rate_limit = 0\n"
	    "max_inflight = 4\n"
	    "keys = help=F1, quit=Q\n"
	    "mouse = on\n"
	    "\n"
	    "; first node\n"
	    "[proxmox \"home\"]\n"
	    "  url   =   https://pve1:8006  \n"
	    "token_id = root@pam!rt\n"
	    "verify_tls = false\n"
	    "refresh = 5\r\n"
	    "[proxmox \"lab2\"]\n"
	    "url = https://pve2:8006\n"
	    "fingerprint = \"AA:BB\"\n";
	const struct rt_instance_conf *home, *lab;
	struct rt_config *c;
	char *cause = NULL;
	long n;
	bool b;

	c = conf_parse("ok.conf", text, strlen(text), services, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_str_eq(c->socket, "/run/rt.sock");
	ck_assert_str_eq(c->log, "/var/log/racktop log");
	ck_assert_str_eq(c->log_level, "debug");
	ck_assert_str_eq(c->audit_log, "/var/log/audit.jsonl");
	ck_assert_str_eq(c->theme, "dark");
	ck_assert(c->read_only);
	ck_assert_int_eq(c->workers, 8);
	ck_assert_str_eq(c->keys, "help=F1, quit=Q");
	ck_assert(c->mouse);
	ck_assert_int_eq(c->approval_timeout, 50);
	ck_assert_int_eq(c->max_message, 65536);
	ck_assert_int_eq(c->rate_limit, 0);
	ck_assert_int_eq(c->max_inflight, 4);
	ck_assert_int_eq(c->max_clients, -1);
	ck_assert_uint_eq(c->ninstances, 2);

	home = find(c, "proxmox", "home");
	lab = find(c, "proxmox", "lab2");
	ck_assert_ptr_nonnull(home);
	ck_assert_ptr_nonnull(lab);
	ck_assert_str_eq(conf_get(home, "url"), "https://pve1:8006");
	ck_assert_str_eq(conf_get(home, "token_id"), "root@pam!rt");
	ck_assert_ptr_null(conf_get(home, "token"));
	ck_assert_str_eq(conf_get(lab, "url"), "https://pve2:8006");
	ck_assert_str_eq(conf_get(lab, "fingerprint"), "AA:BB");

	ck_assert_int_eq(conf_get_int(home, "refresh", 10, &n, &cause), 0);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(conf_get_int(lab, "refresh", 10, &n, &cause), 0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(conf_get_int(home, "url", 10, &n, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "url"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(conf_get_bool(home, "verify_tls", true, &b, &cause),
	    0);
	ck_assert(!b);
	ck_assert_int_eq(conf_get_bool(lab, "verify_tls", true, &b, &cause),
	    0);
	ck_assert(b);
	ck_assert_int_eq(conf_get_bool(home, "url", true, &b, &cause), -1);
	free(cause);

	ck_assert(conf_key_is_secret("password"));
	ck_assert(conf_key_is_secret("client_secret"));
	ck_assert(!conf_key_is_secret("password_file"));
	ck_assert(!conf_key_is_secret("url"));
	conf_free(c);
	conf_free(NULL);
}
END_TEST

/* Writes the precedence fixture: a file, and a .env beside it. */
static char *
precedence_fixture(void)
{
	char *path, *dotenv;

	path = test_write_file(tmp, "racktop.conf",
	    "[racktop]\nsocket = /file.sock\n"
	    "[proxmox \"home\"]\n"
	    "url = https://file\nuser = file\nsite = file\n", 0600);
	dotenv = test_write_file(tmp, ".env",
	    "# dotenv\n"
	    "export RACKTOP_PROXMOX_HOME_USER=dotenv\n"
	    "RACKTOP_PROXMOX_HOME_SITE=\"dotenv\"\n"
	    "RACKTOP_PIHOLE_DNS_URL = 'http://dotenv' # comment\n"
	    "UNRELATED=1\n", 0600);
	free(dotenv);
	return (path);
}

/* The environment beats .env. */
START_TEST(test_env_over_dotenv)
{
	char *path = precedence_fixture();
	char **env = mkenv("RACKTOP_PROXMOX_HOME_SITE=env", NULL);
	struct rt_config *c = load_ok(path, env);

	ck_assert_str_eq(conf_get(find(c, "proxmox", "home"), "site"), "env");
	conf_free(c);
	freeenv(env);
	free(path);
}
END_TEST

/* The environment beats the file, for instances and globals. */
START_TEST(test_env_over_file)
{
	char *path = precedence_fixture();
	char **env = mkenv("RACKTOP_PROXMOX_HOME_URL=https://env",
	    "RACKTOP_SOCKET=/env.sock", "PATH=/bin", NULL);
	struct rt_config *c = load_ok(path, env);

	ck_assert_str_eq(conf_get(find(c, "proxmox", "home"), "url"),
	    "https://env");
	ck_assert_str_eq(c->socket, "/env.sock");
	conf_free(c);
	freeenv(env);
	free(path);
}
END_TEST

/* .env beats the file and can define an instance alone. */
START_TEST(test_dotenv_over_file)
{
	char *path = precedence_fixture();
	struct rt_config *c = load_ok(path, NULL);
	const struct rt_instance_conf *home = find(c, "proxmox", "home");

	ck_assert_str_eq(conf_get(home, "user"), "dotenv");
	ck_assert_str_eq(conf_get(home, "site"), "dotenv");
	ck_assert_str_eq(conf_get(home, "url"), "https://file");
	ck_assert_str_eq(c->socket, "/file.sock");
	/* .env alone defined this one. */
	ck_assert_str_eq(conf_get(find(c, "pihole", "dns"), "url"),
	    "http://dotenv");
	conf_free(c);
	free(path);
}
END_TEST

/* The environment alone defines an instance; strangers are ignored. */
START_TEST(test_env_only_instance)
{
	char *path = precedence_fixture();
	char **env = mkenv("RACKTOP_UNIFI_GW2_URL=https://gw",
	    "RACKTOP_UNIFI_GW2_SITE=default", "RACKTOP_UNKNOWNSVC_X_URL=1",
	    "RACKTOP_UNIFI_GW2_NOSUCHKEY=1", NULL);
	struct rt_config *c = load_ok(path, env);
	const struct rt_instance_conf *gw = find(c, "unifi", "gw2");

	ck_assert_ptr_nonnull(gw);
	ck_assert_str_eq(conf_get(gw, "url"), "https://gw");
	ck_assert_str_eq(conf_get(gw, "site"), "default");
	ck_assert_uint_eq(c->ninstances, 3);
	conf_free(c);
	freeenv(env);
	free(path);
}
END_TEST

/* The key is the longest known suffix (TOKEN_ID, API_KEY_FILE). */
START_TEST(test_longest_suffix)
{
	char *tok, *keyf, *e1, *e2, *xdg;
	char **env;
	struct rt_config *c;
	const struct rt_instance_conf *home, *gw;

	tok = test_write_file(tmp, "apikey", "k3y\n", 0600);
	keyf = test_write_file(tmp, "client.key", "x", 0600);
	xasprintf(&e1, "RACKTOP_UNIFI_GW_API_KEY_FILE=%s", tok);
	xasprintf(&e2, "RACKTOP_UNIFI_GW_KEY_FILE=%s", keyf);
	xasprintf(&xdg, "XDG_CONFIG_HOME=%s", tmp);	/* no racktop.conf */
	env = mkenv("RACKTOP_PROXMOX_HOME_TOKEN_ID=root@pam!rt",
	    "RACKTOP_PROXMOX_HOME_TOKEN=sekrit", e1, e2, xdg, NULL);
	c = load_ok(NULL, env);
	home = find(c, "proxmox", "home");
	ck_assert_ptr_nonnull(home);
	ck_assert_ptr_null(find(c, "proxmox", "home_token"));
	ck_assert_str_eq(conf_get(home, "token_id"), "root@pam!rt");
	ck_assert_str_eq(conf_get(home, "token"), "sekrit");
	gw = find(c, "unifi", "gw");
	ck_assert_ptr_nonnull(gw);
	ck_assert_str_eq(conf_get(gw, "api_key"), "k3y");
	ck_assert_str_eq(conf_get(gw, "key_file"), keyf);
	ck_assert_ptr_null(conf_get(gw, "api_key_file"));
	conf_free(c);
	freeenv(env);
	free(xdg);
	free(e1);
	free(e2);
	free(tok);
	free(keyf);
}
END_TEST

/* An inline secret needs a 0600 file; the refusal names only the key. */
START_TEST(test_inline_secret_mode)
{
	static const char text[] =
	    "[pihole \"dns\"]\nurl = http://pi\npassword = hunter2\n";
	char *path, *cause, *want;
	struct rt_config *c;

	path = test_write_file(tmp, "racktop.conf", text, 0644);
	cause = load_fail(path, NULL);
	xasprintf(&want, "%s:3: secret \"password\" in a file readable by "
	    "others (chmod 600 %s)", path, path);
	ck_assert_str_eq(cause, want);
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(want);
	free(cause);

	ck_assert_int_eq(chmod(path, 0600), 0);
	c = load_ok(path, NULL);
	ck_assert_str_eq(conf_get(find(c, "pihole", "dns"), "password"),
	    "hunter2");
	ck_assert_str_eq(c->path, path);
	conf_free(c);
	free(path);
}
END_TEST

/* The same rule holds for a .env file. */
START_TEST(test_dotenv_secret_mode)
{
	char *path, *dotenv, *cause;

	path = test_write_file(tmp, "racktop.conf", "", 0644);
	dotenv = test_write_file(tmp, ".env",
	    "RACKTOP_PIHOLE_DNS_PASSWORD=hunter2\n", 0640);
	cause = load_fail(path, NULL);
	assert_prefix(cause, dotenv);
	ck_assert_ptr_nonnull(strstr(cause, ":1: secret \"password\""));
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(cause);
	free(dotenv);
	free(path);
}
END_TEST

/* A K_file must be owner-only; its content minus newline becomes K. */
START_TEST(test_secret_file)
{
	char *path, *tok, *cause, *want, *text;
	struct rt_config *c;

	tok = test_write_file(tmp, "token", "s3cr3t-token\r\n", 0644);
	xasprintf(&text, "[proxmox \"home\"]\nurl = https://pve\n"
	    "token_id = a@pam!b\ntoken_file = %s\n", tok);
	path = test_write_file(tmp, "racktop.conf", text, 0644);

	cause = load_fail(path, NULL);
	xasprintf(&want, "%s:4: token_file %s: must be readable only by its "
	    "owner (mode 0644)", path, tok);
	ck_assert_str_eq(cause, want);
	ck_assert_ptr_null(strstr(cause, "s3cr3t"));
	free(want);
	free(cause);

	/* Owner-only: accepted, newline stripped, K_file becomes K. */
	ck_assert_int_eq(chmod(tok, 0600), 0);
	c = load_ok(path, NULL);
	ck_assert_str_eq(conf_get(find(c, "proxmox", "home"), "token"),
	    "s3cr3t-token");
	ck_assert_ptr_null(conf_get(find(c, "proxmox", "home"), "token_file"));
	conf_free(c);

	/* A missing secret file names the key and path. */
	unlink(tok);
	cause = load_fail(path, NULL);
	xasprintf(&want, "%s:4: token_file %s: No such file or directory",
	    path, tok);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(text);
	free(path);
	free(tok);
}
END_TEST

/* A missing --config file is an error. */
START_TEST(test_missing_explicit)
{
	char *path, *cause, *want;

	xasprintf(&path, "%s/nope.conf", tmp);
	cause = load_fail(path, NULL);
	xasprintf(&want, "%s: No such file or directory", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
}
END_TEST

/* A missing default file means no instances. */
START_TEST(test_missing_default)
{
	char *xdg;
	char **env;
	struct rt_config *c;

	xasprintf(&xdg, "XDG_CONFIG_HOME=%s", tmp);
	env = mkenv(xdg, "HOME=/nonexistent", NULL);
	setenv("XDG_CONFIG_HOME", tmp, 1);
	c = load_ok(NULL, env);
	ck_assert_uint_eq(c->ninstances, 0);
	ck_assert_ptr_null(c->path);
	ck_assert_int_eq(c->approval_timeout, 50);
	conf_free(c);
	unsetenv("XDG_CONFIG_HOME");
	freeenv(env);
	free(xdg);
}
END_TEST

/* The default file and its .env are found through XDG_CONFIG_HOME. */
START_TEST(test_default_path)
{
	char *dir, *path, *xdg;
	char **env;
	struct rt_config *c;

	xasprintf(&dir, "%s/racktop", tmp);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	path = test_write_file(dir, "racktop.conf",
	    "[pihole \"dns\"]\nurl = http://pi\n", 0600);
	free(test_write_file(dir, ".env", "RACKTOP_WORKERS=3\n"
	    "RACKTOP_PIHOLE_DNS_PASSWORD_FILE=pw.txt\n", 0600));
	/* A relative K_file is found beside the config file. */
	free(test_write_file(dir, "pw.txt", "apppass\n\n", 0400));
	xasprintf(&xdg, "XDG_CONFIG_HOME=%s", tmp);
	env = mkenv(xdg, NULL);
	c = load_ok(NULL, env);
	ck_assert_uint_eq(c->ninstances, 1);
	ck_assert_str_eq(c->path, path);
	ck_assert_int_eq(c->workers, 3);
	ck_assert_str_eq(conf_get(&c->instances[0], "password"), "apppass");
	conf_free(c);
	freeenv(env);
	free(xdg);
	free(path);
	free(dir);
}
END_TEST

/* A section for an unknown service is refused. */
START_TEST(test_unknown_service)
{
	char *path, *cause, *want;

	path = test_write_file(tmp, "racktop.conf",
	    "[racktop]\n[docker \"box\"]\nurl = unix:///s\n", 0600);
	cause = load_fail(path, NULL);
	xasprintf(&want, "%s:2: unknown service \"docker\"", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
}
END_TEST

/* Instance names must match [a-z0-9]+. */
START_TEST(test_bad_instance_name)
{
	static const char *bad[] = { "Home", "my-lab", "a b", "", "x_1" };
	char *text, *cause;
	struct rt_config *c;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		xasprintf(&text, "\n[proxmox \"%s\"]\n", bad[i]);
		cause = NULL;
		c = conf_parse("n.conf", text, strlen(text), services, &cause);
		ck_assert_ptr_null(c);
		ck_assert_msg(strncmp(cause, "n.conf:2: bad instance name",
		    27) == 0, "%s", cause);
		free(cause);
		free(text);
	}
}
END_TEST

/* .env is read beside the config file, never from the working folder. */
START_TEST(test_dotenv_beside_not_cwd)
{
	char *conf_dir, *cwd_dir, *path, *cause, *bad;
	char old[PATH_MAX];
	struct rt_config *c;

	xasprintf(&conf_dir, "%s/conf", tmp);
	xasprintf(&cwd_dir, "%s/cwd", tmp);
	ck_assert_int_eq(mkdir(conf_dir, 0700), 0);
	ck_assert_int_eq(mkdir(cwd_dir, 0700), 0);
	path = test_write_file(conf_dir, "racktop.conf",
	    "[proxmox \"home\"]\nurl = https://file\n", 0600);
	free(test_write_file(cwd_dir, ".env",
	    "RACKTOP_PROXMOX_HOME_URL=https://cwd\n"
	    "RACKTOP_PROXMOX_HOME_USER=cwd\n", 0600));
	ck_assert_ptr_nonnull(getcwd(old, sizeof old));
	ck_assert_int_eq(chdir(cwd_dir), 0);

	c = load_ok(path, NULL);
	ck_assert_str_eq(conf_get(find(c, "proxmox", "home"), "url"),
	    "https://file");
	ck_assert_ptr_null(conf_get(find(c, "proxmox", "home"), "user"));
	conf_free(c);

	/* The one beside the file is read, and its errors name it. */
	bad = test_write_file(conf_dir, ".env",
	    "# ok\nRACKTOP_PROXMOX_HOME_USER=x\nthis is not a line\n", 0600);
	cause = load_fail(path, NULL);
	ck_assert_int_eq(chdir(old), 0);
	assert_prefix(cause, bad);
	ck_assert_str_eq(cause + strlen(bad), ":3: expected NAME=VALUE");
	free(cause);
	free(bad);
	free(path);
	free(conf_dir);
	free(cwd_dir);
}
END_TEST

/* Errors from the environment and .env name their variable. */
START_TEST(test_env_errors)
{
	char *path, *cause;
	char **env;

	path = test_write_file(tmp, "racktop.conf", "[racktop]\n", 0600);
	env = mkenv("RACKTOP_WORKERS=lots", NULL);
	cause = load_fail(path, env);
	ck_assert_str_eq(cause,
	    "environment RACKTOP_WORKERS: workers: bad integer \"lots\"");
	free(cause);
	freeenv(env);

	env = mkenv("RACKTOP_PIHOLE_DNS_PASSWORD=hunter2",
	    "RACKTOP_PIHOLE_DNS_PASSWORD_FILE=/nope", NULL);
	cause = load_fail(path, env);
	ck_assert_ptr_nonnull(strstr(cause, "both password and "
	    "password_file"));
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(cause);
	freeenv(env);

	free(test_write_file(tmp, ".env", "RACKTOP_PROXMOX_HOME_TOKNE=x\n",
	    0600));
	cause = load_fail(path, NULL);
	ck_assert_ptr_nonnull(strstr(cause,
	    ".env:1: unknown variable RACKTOP_PROXMOX_HOME_TOKNE"));
	free(cause);
	free(path);
}
END_TEST

/* A stronger K_file replaces a weaker inline K. */
START_TEST(test_file_beats_weaker_secret_form)
{
	char *path, *tok, *e;
	char **env;
	struct rt_config *c;

	/* The environment's token_file replaces the file's inline token. */
	tok = test_write_file(tmp, "tok", "from-file\n", 0600);
	path = test_write_file(tmp, "racktop.conf",
	    "[proxmox \"home\"]\ntoken = inline\n", 0600);
	xasprintf(&e, "RACKTOP_PROXMOX_HOME_TOKEN_FILE=%s", tok);
	env = mkenv(e, NULL);
	c = load_ok(path, env);
	ck_assert_str_eq(conf_get(find(c, "proxmox", "home"), "token"),
	    "from-file");
	ck_assert_uint_eq(find(c, "proxmox", "home")->nkv, 1);
	conf_free(c);
	freeenv(env);
	free(e);
	free(path);
	free(tok);
}
END_TEST

/* The suite. */
/* roles and tool_policy are [racktop] strings, kept as written. */
START_TEST(test_policy_keys)
{
	static const char text[] =
	    "[racktop]\n"
	    "roles = uid=1001 operate; exe=/usr/bin/node read\n"
	    "tool_policy = \"proxmox_delete_vm deny\"\n"
	    "socket_group = racktop-agents\n";
	static const char misplaced[] =
	    "[proxmox \"home\"]\nroles = uid=1 admin\n";
	struct rt_config *c;
	char *cause = NULL;

	c = conf_parse("p.conf", text, strlen(text), services, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_str_eq(c->roles, "uid=1001 operate; exe=/usr/bin/node read");
	ck_assert_str_eq(c->tool_policy, "proxmox_delete_vm deny");
	ck_assert_str_eq(c->socket_group, "racktop-agents");
	conf_free(c);
	c = conf_parse("p.conf", text, 0, services, &cause);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(c->roles);
	ck_assert_ptr_null(c->tool_policy);
	ck_assert_ptr_null(c->socket_group);
	conf_free(c);
	c = conf_parse("p.conf", misplaced, strlen(misplaced), services,
	    &cause);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(cause, "belongs in [racktop]") != NULL, "%s",
	    cause);
	free(cause);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_errors_name_their_line);
	tcase_add_test(tc, test_load_error_names_file_and_line);
	tcase_add_test(tc, test_valid_config);
	tcase_add_test(tc, test_env_over_dotenv);
	tcase_add_test(tc, test_env_over_file);
	tcase_add_test(tc, test_dotenv_over_file);
	tcase_add_test(tc, test_env_only_instance);
	tcase_add_test(tc, test_longest_suffix);
	tcase_add_test(tc, test_inline_secret_mode);
	tcase_add_test(tc, test_dotenv_secret_mode);
	tcase_add_test(tc, test_secret_file);
	tcase_add_test(tc, test_missing_explicit);
	tcase_add_test(tc, test_missing_default);
	tcase_add_test(tc, test_default_path);
	tcase_add_test(tc, test_unknown_service);
	tcase_add_test(tc, test_bad_instance_name);
	tcase_add_test(tc, test_dotenv_beside_not_cwd);
	tcase_add_test(tc, test_env_errors);
	tcase_add_test(tc, test_file_beats_weaker_secret_form);
	tcase_add_test(tc, test_policy_keys);
	suite_add_tcase(s, tc);
	return (s);
}

int main(void);

/* Runs the conf suite. */
int
main(void)
{
	return (test_run_suite(conf_suite()));
}
