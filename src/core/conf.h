/*
 * Configuration: the INI file, its .env neighbour and the environment.
 *
 * Sources, strongest first: the process environment
 * (RACKTOP_<SERVICE>_<INSTANCE>_<KEY>, or RACKTOP_<KEY> for a global), then
 * a .env file beside the config file, then the file itself. A secret key K
 * may instead be given as K_file naming a file only its owner can read; a
 * config file holding an inline secret must not be readable by group or
 * others. Errors read "file:line: reason" and never contain a secret value.
 *
 * core/ names no service: the caller passes the known service names.
 */
#ifndef RT_CONF_H
#define RT_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct rt_kv {
	char *key;
	char *value;
};

struct rt_instance_conf {
	char *service;	/* the section's service name */
	char *name;	/* "home": [a-z0-9]+ */
	struct rt_kv *kv;
	size_t nkv;
};

struct rt_config {
	char *path;		/* the file read, or NULL */
	/* [racktop] globals; NULL or 0 when unset. */
	char *socket;
	char *log;
	char *log_level;
	char *audit_log;
	char *theme;
	bool read_only;
	int approval_timeout;	/* seconds, default 50 */
	int workers;		/* 0: default */
	/* MCP server limits (mcp/server.h); -1 when unset. */
	long max_message;	/* bytes per message */
	long max_clients;	/* connections at once */
	long max_inflight;	/* calls in flight per client */
	long rate_limit;	/* calls per second per client; 0: none */
	char *metrics_listen;	/* HOST:PORT of /metrics on loopback, or NULL */
	/* MCP over HTTP (mcp/http.h); NULL when off. */
	char *http_listen;	/* HOST:PORT */
	char *http_socket;	/* a Unix socket path */
	char *http_token_file;	/* 0600 "NAME TOKEN" lines */
	bool http_allow_remote;	/* http_listen may be a non-loopback address */
	/* Caller roles and tool overrides, parsed by policy_create. */
	char *roles;
	char *tool_policy;
	char *socket_group;	/* agents of other uids connect through it */
	/* The dashboard: key rebindings ("action=key, ...") and the mouse. */
	char *keys;
	bool mouse;
	/* racktop mcp with nothing listening starts racktop --detach. */
	bool mcp_autostart;
	struct rt_instance_conf *instances;
	size_t ninstances;
};

/* The keys of [racktop] (global) or of a service section; NULL-terminated. */
const char *const *conf_keys(bool global);

/*
 * Loads the configuration. path NULL means the default file
 * ($XDG_CONFIG_HOME/racktop/racktop.conf, else ~/.config/racktop/...),
 * whose absence means no instances; a named file that is missing is an
 * error. services is a NULL-terminated list of known service names. env is
 * the environment to read (NULL: environ): RACKTOP_* variables, and
 * XDG_CONFIG_HOME and HOME for the default path. Every K_file is resolved:
 * the instances hold K with the file's content. Returns a new config, or
 * NULL and fills *cause (caller frees).
 */
struct rt_config *conf_load(const char *path, const char *const *services,
    char *const *env, char **cause);
void conf_free(struct rt_config *);

/*
 * Parses text as if read from file name (for tests and fuzzing). Touches
 * no file: no mode check, no .env or environment, K_file left as written.
 */
struct rt_config *conf_parse(const char *name, const char *text,
    size_t len, const char *const *services, char **cause);

/* Borrowed value of key in an instance, or NULL. */
const char *conf_get(const struct rt_instance_conf *, const char *key);
/*
 * *out = the integer value of key, or def when absent; 0, or -1 and *cause
 * (caller frees) when present but not an integer.
 */
int conf_get_int(const struct rt_instance_conf *, const char *key,
    long def, long *out, char **cause);
/*
 * *out = the boolean (true/false/yes/no/1/0/on/off) of key, or def when
 * absent; 0, or -1 and *cause (caller frees) when it is none of those.
 */
int conf_get_bool(const struct rt_instance_conf *, const char *key,
    bool def, bool *out, char **cause);
/* Whether key names a secret (token, password, api_key, client_secret...). */
bool conf_key_is_secret(const char *key);

#endif
