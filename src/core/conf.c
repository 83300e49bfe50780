/*
 * Configuration: a hand-written INI parser, the .env file beside it and the
 * process environment, merged per key (environment > .env > file).
 *
 * Loading happens in stages on a private builder that remembers where each
 * value came from ("file:line" or "environment NAME"), so any later error
 * (a bad integer, an unreadable K_file) names its origin. The stages are:
 * parse the file, overlay .env, overlay the environment, resolve every
 * K_file into K, then move the result into a struct rt_config. No error
 * string ever contains the value of a secret key.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/xmalloc.h"

extern char **environ;

#define CONF_MAX_FILE (1024 * 1024)	/* a config or .env file */
#define CONF_MAX_SECRET (64 * 1024)	/* a K_file */
#define CONF_DEFAULT_APPROVAL 50

/* Where a value came from, weakest first. */
enum conf_source {
	CONF_FILE,
	CONF_DOTENV,
	CONF_ENV,
};

/* One key = value with its origin. */
struct conf_ent {
	char *key;
	char *value;
	char *where;		/* "file:line" or "environment NAME" */
	enum conf_source source;
};

/* One section: [racktop] (service NULL) or [service "name"]. */
struct conf_sect {
	char *service;
	char *name;
	struct conf_ent *ents;
	size_t nents;
	int header_seen;	/* a header for it was read from the file */
};

/* The configuration being assembled; sects[0] is always [racktop]. */
struct conf_build {
	const char *const *services;
	char *dir;		/* directory of the config file, or NULL */
	struct conf_sect *sects;
	size_t nsects;
};

static const char *conf_global_keys[] = {
	"socket", "log", "log_level", "audit_log", "theme", "read_only",
	"approval_timeout", "workers", "roles", "tool_policy", "socket_group",
	"max_message", "max_clients", "max_inflight", "rate_limit",
	"metrics_listen", "keys", "mouse", "http_listen", "http_socket",
	"http_token_file", "http_allow_remote", "mcp_autostart", NULL
};

static const char *conf_service_keys[] = {
	"url", "refresh", "timeout", "verify_tls", "ca_file", "fingerprint",
	"cert_file", "key_file", "token", "token_id", "api_key", "user",
	"password", "client_id", "client_secret", "site", "tailnet",
	"account_id", "conninfo", "dynamic_dir", "tls_address", "apply_timeout",
	"totp_secret", "ip_refresh",
	"vector", "dedup_threshold", "embed_url", "embed_model", "embed_dims",
	"llm_url", "llm_model", "llm_api", "scopes", "shared_scope",
	"token_file", "password_file", "api_key_file", "client_secret_file",
	"conninfo_file", "totp_secret_file", NULL
};

static const char *conf_secret_keys[] = {
	"token", "password", "api_key", "client_secret", "conninfo",
	"totp_secret", NULL
};

/* Whether s is in the NULL-terminated list. */
static int
conf_in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return (1);
	}
	return (0);
}

/* Whether key names a secret (token, password, api_key, client_secret...). */
bool
conf_key_is_secret(const char *key)
{
	return (key != NULL && conf_in_list(conf_secret_keys, key));
}

/* The length of the secret K when key is "K_file", else 0. */
static size_t
conf_secret_file_base(const char *key)
{
	size_t len = strlen(key);
	char base[32];

	if (len <= 5 || len - 5 >= sizeof base ||
	    strcmp(key + len - 5, "_file") != 0)
		return (0);
	memcpy(base, key, len - 5);
	base[len - 5] = '\0';
	return (conf_key_is_secret(base) ? len - 5 : 0);
}

/* Whether two keys name the same setting (K and K_file do). */
static int
conf_same_setting(const char *a, const char *b)
{
	size_t la, lb;

	if ((la = conf_secret_file_base(a)) == 0)
		la = strlen(a);
	if ((lb = conf_secret_file_base(b)) == 0)
		lb = strlen(b);
	return (la == lb && strncmp(a, b, la) == 0);
}

/* Whether name matches [a-z0-9]+. */
static int
conf_valid_name(const char *name)
{
	if (*name == '\0')
		return (0);
	for (; *name != '\0'; name++) {
		if (!(*name >= 'a' && *name <= 'z') &&
		    !(*name >= '0' && *name <= '9'))
			return (0);
	}
	return (1);
}

/* Whether key matches [a-z0-9_]+. */
static int
conf_valid_key(const char *key)
{
	if (*key == '\0')
		return (0);
	for (; *key != '\0'; key++) {
		if (!(*key >= 'a' && *key <= 'z') &&
		    !(*key >= '0' && *key <= '9') && *key != '_')
			return (0);
	}
	return (1);
}

/* Frees the entries of a section and its names. */
static void
conf_sect_clear(struct conf_sect *s)
{
	size_t i;

	for (i = 0; i < s->nents; i++) {
		free(s->ents[i].key);
		free(s->ents[i].value);
		free(s->ents[i].where);
	}
	free(s->ents);
	free(s->service);
	free(s->name);
}

/* Starts a builder holding an empty [racktop] section. */
static void
conf_build_init(struct conf_build *b, const char *const *services)
{
	static const char *const none[] = { NULL };

	memset(b, 0, sizeof *b);
	b->services = services != NULL ? services : none;
	b->sects = xcalloc(1, sizeof *b->sects);
	b->nsects = 1;
}

/* Frees everything a builder still owns. */
static void
conf_build_finish(struct conf_build *b)
{
	size_t i;

	for (i = 0; i < b->nsects; i++)
		conf_sect_clear(&b->sects[i]);
	free(b->sects);
	free(b->dir);
}

/* The section for service and name, added when missing (borrowed). */
static struct conf_sect *
conf_build_sect(struct conf_build *b, const char *service, const char *name)
{
	struct conf_sect *s;
	size_t i;

	for (i = 1; i < b->nsects; i++) {
		s = &b->sects[i];
		if (strcmp(s->service, service) == 0 &&
		    strcmp(s->name, name) == 0)
			return (s);
	}
	b->sects = xreallocarray(b->sects, b->nsects + 1, sizeof *b->sects);
	s = &b->sects[b->nsects++];
	memset(s, 0, sizeof *s);
	s->service = xstrdup(service);
	s->name = xstrdup(name);
	return (s);
}

/*
 * Sets key in a section from a source. A stronger source replaces what a
 * weaker one gave for the same setting (K and K_file are one setting); the
 * same source giving it twice is an error. Returns -1 and fills *cause.
 */
static int
conf_set(struct conf_sect *s, const char *key, const char *value,
    const char *where, enum conf_source source, char **cause)
{
	struct conf_ent *e;
	size_t i;

	for (i = 0; i < s->nents; i++) {
		e = &s->ents[i];
		if (!conf_same_setting(e->key, key))
			continue;
		if (e->source == source) {
			if (strcmp(e->key, key) != 0) {
				xasprintf(cause, "%s: both %s and %s given",
				    where, e->key, key);
				return (-1);
			}
			if (source == CONF_ENV)
				return (0);	/* first one wins, as getenv */
			xasprintf(cause, "%s: duplicate key \"%s\"", where,
			    key);
			return (-1);
		}
		if (e->source > source)
			return (0);
		free(e->key);
		free(e->value);
		free(e->where);
		e->key = xstrdup(key);
		e->value = xstrdup(value);
		e->where = xstrdup(where);
		e->source = source;
		return (0);
	}
	s->ents = xreallocarray(s->ents, s->nents + 1, sizeof *s->ents);
	e = &s->ents[s->nents++];
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	e->where = xstrdup(where);
	e->source = source;
	return (0);
}

/* Trims spaces and tabs from both ends of s in place; returns the start. */
static char *
conf_trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return (s);
}

/*
 * Reads a double-quoted string starting at *p (on the opening quote) into a
 * new string, undoing \" and \\ (other escapes are kept as written) and
 * leaving *p after the closing quote. NULL when unterminated.
 */
static char *
conf_unquote(char **p)
{
	char *s = *p + 1, *out, *o;

	out = o = xmalloc(strlen(s) + 1);
	for (; *s != '\0' && *s != '"'; s++) {
		if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		*o++ = *s;
	}
	if (*s != '"') {
		free(out);
		return (NULL);
	}
	*o = '\0';
	*p = s + 1;
	return (out);
}

/* Splits text into lines: returns the next one (a new string) or NULL. */
static char *
conf_next_line(const char **p, const char *end, int *has_nul)
{
	const char *s = *p, *nl;
	size_t len;
	char *line;

	if (s >= end)
		return (NULL);
	if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
		nl = end;
	len = (size_t)(nl - s);
	*has_nul = memchr(s, '\0', len) != NULL;
	line = xstrndup(s, len);
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\r')
		line[len - 1] = '\0';
	*p = nl < end ? nl + 1 : end;
	return (line);
}

/*
 * Parses a section header (line holds "[...]", trimmed) and makes it the
 * current section. Returns -1 and fills *cause.
 */
static int
conf_parse_header(struct conf_build *b, char *line, const char *where,
    struct conf_sect **cur, char **cause)
{
	size_t len = strlen(line);
	char *inner, *p, *service = NULL, *name = NULL;
	struct conf_sect *s;

	if (len < 2 || line[len - 1] != ']')
		goto bad;
	line[len - 1] = '\0';
	inner = conf_trim(line + 1);
	if (strcmp(inner, "racktop") == 0) {
		s = &b->sects[0];
		if (s->header_seen) {
			xasprintf(cause, "%s: duplicate section [racktop]",
			    where);
			return (-1);
		}
		s->header_seen = 1;
		*cur = s;
		return (0);
	}

	p = inner + strcspn(inner, " \t\"");
	if (p == inner)
		goto bad;
	service = xstrndup(inner, (size_t)(p - inner));
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '"' || (name = conf_unquote(&p)) == NULL)
		goto bad;
	if (*conf_trim(p) != '\0')
		goto bad;

	if (!conf_in_list(b->services, service)) {
		xasprintf(cause, "%s: unknown service \"%s\"", where, service);
		goto fail;
	}
	if (!conf_valid_name(name)) {
		xasprintf(cause, "%s: bad instance name \"%s\" (must match "
		    "[a-z0-9]+)", where, name);
		goto fail;
	}
	s = conf_build_sect(b, service, name);
	if (s->header_seen) {
		xasprintf(cause, "%s: duplicate section [%s \"%s\"]", where,
		    service, name);
		goto fail;
	}
	s->header_seen = 1;
	*cur = s;
	free(service);
	free(name);
	return (0);

bad:
	xasprintf(cause, "%s: bad section header (expected [racktop] or "
	    "[service \"name\"])", where);
fail:
	free(service);
	free(name);
	return (-1);
}

/*
 * Checks that key may appear in section s. Returns -1 and fills *cause.
 */
static int
conf_check_key(const struct conf_sect *s, const char *key, const char *where,
    char **cause)
{
	if (s->service == NULL) {
		if (conf_in_list(conf_global_keys, key))
			return (0);
		xasprintf(cause, "%s: unknown key \"%s\" in [racktop]", where,
		    key);
		return (-1);
	}
	if (conf_in_list(conf_service_keys, key))
		return (0);
	if (conf_in_list(conf_global_keys, key))
		xasprintf(cause, "%s: key \"%s\" belongs in [racktop]", where,
		    key);
	else
		xasprintf(cause, "%s: unknown key \"%s\"", where, key);
	return (-1);
}

/* The refusal of an inline secret in a file others can read. */
static void
conf_secret_refusal(char **cause, const char *where, const char *file,
    const char *key)
{
	xasprintf(cause, "%s: secret \"%s\" in a file readable by others "
	    "(chmod 600 %s)", where, key, file);
}

/*
 * Parses INI text from file name into b. When public is set, the file is
 * readable by group or others and an inline secret is refused. Returns -1
 * and fills *cause.
 */
static int
conf_parse_ini(struct conf_build *b, const char *name, const char *text,
    size_t len, int public, char **cause)
{
	const char *p = text, *end = text + len;
	struct conf_sect *cur = NULL;
	char *line, *s, *eq, *key, *value, *where = NULL;
	u_int lineno = 0;
	int has_nul, rc = -1;

	while ((line = conf_next_line(&p, end, &has_nul)) != NULL) {
		lineno++;
		free(where);
		xasprintf(&where, "%s:%u", name, lineno);
		if (has_nul) {
			xasprintf(cause, "%s: NUL byte", where);
			goto out;
		}
		s = conf_trim(line);
		if (*s == '\0' || *s == '#' || *s == ';') {
			free(line);
			continue;
		}
		if (*s == '[') {
			if (conf_parse_header(b, s, where, &cur, cause) != 0)
				goto out;
			free(line);
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			xasprintf(cause, "%s: expected \"key = value\"", where);
			goto out;
		}
		*eq = '\0';
		key = conf_trim(s);
		value = conf_trim(eq + 1);
		if (!conf_valid_key(key)) {
			/* Not echoed: it may be a mistyped secret line. */
			xasprintf(cause, "%s: bad key (expected [a-z0-9_]+ "
			    "= value)", where);
			goto out;
		}
		if (cur == NULL) {
			xasprintf(cause, "%s: key \"%s\" outside a section",
			    where, key);
			goto out;
		}
		if (conf_check_key(cur, key, where, cause) != 0)
			goto out;
		if (*value == '"') {
			eq = value;
			if ((value = conf_unquote(&eq)) == NULL) {
				xasprintf(cause, "%s: unterminated quote",
				    where);
				goto out;
			}
			if (*conf_trim(eq) != '\0') {
				free(value);
				xasprintf(cause, "%s: text after closing quote",
				    where);
				goto out;
			}
		} else
			value = xstrdup(value);
		if (public && conf_key_is_secret(key) && *value != '\0') {
			free(value);
			conf_secret_refusal(cause, where, name, key);
			goto out;
		}
		if (conf_set(cur, key, value, where, CONF_FILE, cause) != 0) {
			free(value);
			goto out;
		}
		free(value);
		free(line);
	}
	rc = 0;
	line = NULL;
out:
	free(line);
	free(where);
	return (rc);
}

/* Upper-cases s into buf (size n); 0 when it did not fit. */
static int
conf_upper(char *buf, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i + 1 >= n)
			return (0);
		buf[i] = (char)toupper((u_char)s[i]);
	}
	buf[i] = '\0';
	return (1);
}

const char *const *
conf_keys(bool global)
{
	return (global ? conf_global_keys : conf_service_keys);
}

/*
 * Maps an environment name (without "=value") to a section and key:
 * RACKTOP_<GLOBALKEY> or RACKTOP_<SERVICE>_<INSTANCE>_<KEY>, the key being
 * the longest known suffix. Returns 1 and fills *sect (possibly adding it)
 * and *key (borrowed, static), 0 when name is not RACKTOP_*, -1 when it is
 * but matches nothing.
 */
static int
conf_env_name(struct conf_build *b, const char *name, struct conf_sect **sect,
    const char **key)
{
	const char *const *l, *rest, *best, *svc = NULL;
	char up[64], inst[64];
	size_t rlen, klen, slen, blen = 0, ilen = 0, i;

	if (strncmp(name, "RACKTOP_", 8) != 0)
		return (0);
	rest = name + 8;
	for (l = conf_global_keys; *l != NULL; l++) {
		if (conf_upper(up, sizeof up, *l) && strcmp(up, rest) == 0) {
			*sect = &b->sects[0];
			*key = *l;
			return (1);
		}
	}

	best = NULL;
	for (l = b->services; *l != NULL; l++) {
		if (!conf_upper(up, sizeof up, *l))
			continue;
		slen = strlen(up);
		if (strncmp(rest, up, slen) != 0 || rest[slen] != '_')
			continue;
		if (svc != NULL && strlen(svc) >= slen)
			continue;	/* prefer the longest service name */
		svc = *l;
	}
	if (svc == NULL)
		return (-1);
	rest += strlen(svc) + 1;
	rlen = strlen(rest);
	for (l = conf_service_keys; *l != NULL; l++) {
		if (!conf_upper(up, sizeof up, *l))
			continue;
		klen = strlen(up);
		if (klen + 1 >= rlen || klen <= blen)
			continue;
		if (rest[rlen - klen - 1] != '_' ||
		    strcmp(rest + rlen - klen, up) != 0)
			continue;
		best = *l;
		blen = klen;
		ilen = rlen - klen - 1;
	}
	if (best == NULL || ilen >= sizeof inst)
		return (-1);
	for (i = 0; i < ilen; i++) {
		if (!isupper((u_char)rest[i]) && !isdigit((u_char)rest[i]))
			return (-1);
		inst[i] = (char)tolower((u_char)rest[i]);
	}
	inst[ilen] = '\0';
	*sect = conf_build_sect(b, svc, inst);
	*key = best;
	return (1);
}

/*
 * Parses the value of a .env line (after "="), trimmed on the left, into a
 * new string: "double" (\" \\ \n undone), 'single' (literal) or bare up to
 * a " #" comment. NULL and *reason on a syntax error.
 */
static char *
conf_dotenv_value(char *v, const char **reason)
{
	char *out, *o, *rest, *hash;

	if (*v == '"') {
		out = o = xmalloc(strlen(v) + 1);
		for (v++; *v != '\0' && *v != '"'; v++) {
			if (*v == '\\' && v[1] != '\0') {
				v++;
				*o++ = *v == 'n' ? '\n' : *v;
				continue;
			}
			*o++ = *v;
		}
		*o = '\0';
	} else if (*v == '\'') {
		for (o = ++v; *v != '\0' && *v != '\''; v++)
			/* nothing */;
		out = xstrndup(o, (size_t)(v - o));
	} else {
		for (hash = v; (hash = strchr(hash, '#')) != NULL; hash++) {
			if (hash == v || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		}
		return (xstrdup(conf_trim(v)));
	}
	if (*v == '\0') {
		free(out);
		*reason = "unterminated quote";
		return (NULL);
	}
	rest = v + 1;
	rest = conf_trim(rest);
	if (*rest != '\0' && *rest != '#') {
		free(out);
		*reason = "text after closing quote";
		return (NULL);
	}
	return (out);
}

/*
 * Parses a .env file (KEY=VALUE lines, optional "export ", quotes, #
 * comments) into b: RACKTOP_* names override the config file, others are
 * ignored. Returns -1 and fills *cause.
 */
static int
conf_parse_dotenv(struct conf_build *b, const char *name, const char *text,
    size_t len, int public, char **cause)
{
	const char *p = text, *end = text + len, *reason = NULL, *key;
	struct conf_sect *sect;
	char *line, *s, *v, *value, *where = NULL;
	u_int lineno = 0;
	int has_nul, rc = -1, found;

	while ((line = conf_next_line(&p, end, &has_nul)) != NULL) {
		lineno++;
		free(where);
		xasprintf(&where, "%s:%u", name, lineno);
		if (has_nul) {
			xasprintf(cause, "%s: NUL byte", where);
			goto out;
		}
		s = conf_trim(line);
		if (*s == '\0' || *s == '#') {
			free(line);
			continue;
		}
		if (strncmp(s, "export", 6) == 0 && (s[6] == ' ' ||
		    s[6] == '\t'))
			s = conf_trim(s + 6);
		v = s;
		if (!isalpha((u_char)*v) && *v != '_')
			goto syntax;
		while (isalnum((u_char)*v) || *v == '_')
			v++;
		while (*v == ' ' || *v == '\t')
			*v++ = '\0';
		if (*v != '=')
			goto syntax;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if ((value = conf_dotenv_value(v, &reason)) == NULL) {
			xasprintf(cause, "%s: %s", where, reason);
			goto out;
		}
		found = conf_env_name(b, s, &sect, &key);
		if (found == -1) {
			free(value);
			xasprintf(cause, "%s: unknown variable %s", where, s);
			goto out;
		}
		if (found == 1 && public && conf_key_is_secret(key) &&
		    *value != '\0') {
			free(value);
			conf_secret_refusal(cause, where, name, key);
			goto out;
		}
		if (found == 1 && conf_set(sect, key, value, where,
		    CONF_DOTENV, cause) != 0) {
			free(value);
			goto out;
		}
		free(value);
		free(line);
		continue;
	syntax:
		xasprintf(cause, "%s: expected NAME=VALUE", where);
		goto out;
	}
	rc = 0;
	line = NULL;
out:
	free(line);
	free(where);
	return (rc);
}

/* Overlays the RACKTOP_* variables of env; others are ignored. */
static int
conf_apply_env(struct conf_build *b, char *const *env, char **cause)
{
	struct conf_sect *sect;
	const char *eq, *key;
	char *name, *where;
	int rc;

	for (; *env != NULL; env++) {
		if (strncmp(*env, "RACKTOP_", 8) != 0 ||
		    (eq = strchr(*env, '=')) == NULL)
			continue;
		name = xstrndup(*env, (size_t)(eq - *env));
		if (conf_env_name(b, name, &sect, &key) != 1) {
			free(name);
			continue;
		}
		xasprintf(&where, "environment %s", name);
		rc = conf_set(sect, key, eq + 1, where, CONF_ENV, cause);
		free(where);
		free(name);
		if (rc != 0)
			return (-1);
	}
	return (0);
}

/*
 * Reads a whole file into a new NUL-terminated buffer (*len bytes before
 * the NUL) and returns its mode and owner in *st. -1 with errno set.
 */
static char *
conf_read_file(const char *path, size_t max, struct stat *st, size_t *len)
{
	char *buf = NULL;
	size_t off = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	if (fstat(fd, st) != 0)
		goto fail;
	/* Not only regular files: --config /dev/null means "no instances". */
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (st->st_size > (off_t)max) {
		errno = EFBIG;
		goto fail;
	}
	buf = xmalloc(max + 1);
	for (;;) {
		n = read(fd, buf + off, max + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		off += (size_t)n;
		if (off > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return (buf);

fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return (NULL);
}

/*
 * Replaces ent's "K_file = path" by "K = <content of path>", checking the
 * file is a regular file owned by us that nobody else may read. Returns -1
 * and fills *cause (naming the key and path, never the content).
 */
static int
conf_resolve_file(struct conf_build *b, struct conf_ent *e, size_t baselen,
    char **cause)
{
	struct stat st;
	char *path, *buf;
	size_t len;

	if (e->value[0] == '\0') {
		xasprintf(cause, "%s: %s: empty path", e->where, e->key);
		return (-1);
	}
	if (e->value[0] != '/' && e->source != CONF_ENV && b->dir != NULL)
		xasprintf(&path, "%s/%s", b->dir, e->value);
	else
		path = xstrdup(e->value);
	if ((buf = conf_read_file(path, CONF_MAX_SECRET, &st, &len)) == NULL) {
		xasprintf(cause, "%s: %s %s: %s", e->where, e->key, path,
		    strerror(errno));
		free(path);
		return (-1);
	}
	if (st.st_uid != geteuid()) {
		xasprintf(cause, "%s: %s %s: must be owned by uid %u (owner "
		    "%u)", e->where, e->key, path, (u_int)geteuid(),
		    (u_int)st.st_uid);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		xasprintf(cause, "%s: %s %s: must be readable only by its "
		    "owner (mode %04o)", e->where, e->key, path,
		    (u_int)(st.st_mode & 07777));
		goto fail;
	}
	if (strlen(buf) != len) {
		xasprintf(cause, "%s: %s %s: contains a NUL byte", e->where,
		    e->key, path);
		goto fail;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	e->key[baselen] = '\0';
	free(e->value);
	e->value = buf;
	free(path);
	return (0);

fail:
	explicit_bzero(buf, len);
	free(buf);
	free(path);
	return (-1);
}

/* Resolves every K_file of every section. Returns -1 and fills *cause. */
static int
conf_resolve_files(struct conf_build *b, char **cause)
{
	struct conf_sect *s;
	size_t i, j, baselen;

	for (i = 0; i < b->nsects; i++) {
		s = &b->sects[i];
		for (j = 0; j < s->nents; j++) {
			baselen = conf_secret_file_base(s->ents[j].key);
			if (baselen == 0)
				continue;
			if (conf_resolve_file(b, &s->ents[j], baselen,
			    cause) != 0)
				return (-1);
		}
	}
	return (0);
}

/* Parses an integer in [min, max]; -1 when it is not one. */
static int
conf_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s == '\0' || isspace((u_char)*s))
		return (-1);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* Parses true/false/yes/no/1/0/on/off; -1 when it is none of those. */
static int
conf_parse_bool(const char *s, bool *out)
{
	static const char *yes[] = { "true", "yes", "1", "on", NULL };
	static const char *no[] = { "false", "no", "0", "off", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return (0);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return (0);
		}
	}
	return (-1);
}

/* The MCP server's limits: one of them in e, or 0 when e is another key. */
static int
conf_set_limit(const struct conf_ent *e, struct rt_config *c)
{
	static const struct {
		const char *key;
		long min, max;
		size_t off;
	} limits[] = {
		{ "max_message", 1024, 1L << 30,
		    offsetof(struct rt_config, max_message) },
		{ "max_clients", 1, 65536,
		    offsetof(struct rt_config, max_clients) },
		{ "max_inflight", 1, 65536,
		    offsetof(struct rt_config, max_inflight) },
		{ "rate_limit", 0, 100000000,
		    offsetof(struct rt_config, rate_limit) },
	};
	size_t i;
	long v;

	for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		if (strcmp(e->key, limits[i].key) != 0)
			continue;
		if (conf_parse_long(e->value, limits[i].min, limits[i].max,
		    &v) != 0)
			return (-1);
		*(long *)(void *)((char *)c + limits[i].off) = v;
		return (0);
	}
	return (0);
}

/* Sets the globals of c from [racktop]. Returns -1 and fills *cause. */
static int
conf_set_globals(struct rt_config *c, struct conf_sect *g, char **cause)
{
	struct conf_ent *e;
	char **field;
	size_t i;
	long v;

	for (i = 0; i < g->nents; i++) {
		e = &g->ents[i];
		field = NULL;
		if (strcmp(e->key, "socket") == 0)
			field = &c->socket;
		else if (strcmp(e->key, "log") == 0)
			field = &c->log;
		else if (strcmp(e->key, "log_level") == 0)
			field = &c->log_level;
		else if (strcmp(e->key, "audit_log") == 0)
			field = &c->audit_log;
		else if (strcmp(e->key, "theme") == 0)
			field = &c->theme;
		else if (strcmp(e->key, "roles") == 0)
			field = &c->roles;
		else if (strcmp(e->key, "tool_policy") == 0)
			field = &c->tool_policy;
		else if (strcmp(e->key, "socket_group") == 0)
			field = &c->socket_group;
		else if (strcmp(e->key, "metrics_listen") == 0)
			field = &c->metrics_listen;
		else if (strcmp(e->key, "http_listen") == 0)
			field = &c->http_listen;
		else if (strcmp(e->key, "http_socket") == 0)
			field = &c->http_socket;
		else if (strcmp(e->key, "http_token_file") == 0)
			field = &c->http_token_file;
		else if (strcmp(e->key, "http_allow_remote") == 0) {
			if (conf_parse_bool(e->value, &c->http_allow_remote) != 0)
				goto bad_bool;
		}
		else if (strcmp(e->key, "keys") == 0)
			field = &c->keys;
		else if (strcmp(e->key, "mouse") == 0) {
			if (conf_parse_bool(e->value, &c->mouse) != 0)
				goto bad_bool;
		} else if (strcmp(e->key, "mcp_autostart") == 0) {
			if (conf_parse_bool(e->value, &c->mcp_autostart) != 0)
				goto bad_bool;
		} else if (strcmp(e->key, "read_only") == 0) {
			if (conf_parse_bool(e->value, &c->read_only) != 0)
				goto bad_bool;
		} else if (strcmp(e->key, "approval_timeout") == 0) {
			if (conf_parse_long(e->value, 1, 86400, &v) != 0)
				goto bad_int;
			c->approval_timeout = (int)v;
		} else if (strcmp(e->key, "workers") == 0) {
			if (conf_parse_long(e->value, 0, 1024, &v) != 0)
				goto bad_int;
			c->workers = (int)v;
		} else if (conf_set_limit(e, c) != 0)
			goto bad_int;
		if (field != NULL) {
			free(*field);
			*field = e->value;
			e->value = NULL;
		}
	}
	return (0);

bad_int:
	xasprintf(cause, "%s: %s: bad integer \"%s\"", e->where, e->key,
	    e->value);
	return (-1);
bad_bool:
	xasprintf(cause, "%s: %s: bad boolean \"%s\" (true or false)",
	    e->where, e->key, e->value);
	return (-1);
}

/* Moves a finished builder into a new configuration, or NULL and *cause. */
static struct rt_config *
conf_build_config(struct conf_build *b, const char *path, char **cause)
{
	struct rt_config *c;
	struct rt_instance_conf *ic;
	struct conf_sect *s;
	size_t i, j;

	c = xcalloc(1, sizeof *c);
	c->approval_timeout = CONF_DEFAULT_APPROVAL;
	c->max_message = c->max_clients = c->max_inflight = c->rate_limit = -1;
	if (path != NULL)
		c->path = xstrdup(path);
	if (conf_set_globals(c, &b->sects[0], cause) != 0) {
		conf_free(c);
		return (NULL);
	}
	if (b->nsects > 1)
		c->instances = xcalloc(b->nsects - 1, sizeof *c->instances);
	for (i = 1; i < b->nsects; i++) {
		s = &b->sects[i];
		ic = &c->instances[c->ninstances++];
		ic->service = s->service;
		ic->name = s->name;
		s->service = s->name = NULL;
		ic->kv = xcalloc(s->nents, sizeof *ic->kv);
		for (j = 0; j < s->nents; j++) {
			ic->kv[j].key = s->ents[j].key;
			ic->kv[j].value = s->ents[j].value;
			s->ents[j].key = s->ents[j].value = NULL;
		}
		ic->nkv = s->nents;
	}
	return (c);
}

/*
 * Parses text as if read from file name (for tests and fuzzing). No file
 * is touched: modes are not checked and K_file keys stay unresolved.
 */
struct rt_config *
conf_parse(const char *name, const char *text, size_t len,
    const char *const *services, char **cause)
{
	struct conf_build b;
	struct rt_config *c = NULL;

	if (name == NULL)
		name = "<string>";
	conf_build_init(&b, services);
	if (conf_parse_ini(&b, name, text, len, 0, cause) == 0)
		c = conf_build_config(&b, name, cause);
	conf_build_finish(&b);
	return (c);
}

/* The value of variable name in env (borrowed), or NULL. */
static const char *
conf_getenv(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; *env != NULL; env++) {
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return (*env + len + 1);
	}
	return (NULL);
}

/* The default config path (a new string), or NULL and *cause. */
static char *
conf_default_path(char *const *env, char **cause)
{
	const char *xdg, *home;
	struct passwd *pw;
	char *path;

	xdg = conf_getenv(env, "XDG_CONFIG_HOME");
	if (xdg != NULL && xdg[0] == '/') {
		xasprintf(&path, "%s/racktop/racktop.conf", xdg);
		return (path);
	}
	home = conf_getenv(env, "HOME");
	if (home == NULL || home[0] == '\0') {
		if ((pw = getpwuid(geteuid())) == NULL) {
			xasprintf(cause, "no XDG_CONFIG_HOME or HOME to find "
			    "racktop.conf");
			return (NULL);
		}
		home = pw->pw_dir;
	}
	xasprintf(&path, "%s/.config/racktop/racktop.conf", home);
	return (path);
}

/* Reads the .env beside the config file, if there is one. */
static int
conf_load_dotenv(struct conf_build *b, char **cause)
{
	struct stat st;
	char *path, *text;
	size_t len;
	int rc;

	xasprintf(&path, "%s/.env", b->dir);
	if ((text = conf_read_file(path, CONF_MAX_FILE, &st, &len)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR) {
			free(path);
			return (0);
		}
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	rc = conf_parse_dotenv(b, path, text, len, (st.st_mode & 077) != 0,
	    cause);
	explicit_bzero(text, len);
	free(text);
	free(path);
	return (rc);
}

/*
 * Loads the configuration: path NULL means the default file
 * ($XDG_CONFIG_HOME/racktop/racktop.conf, else ~/.config/...), whose
 * absence means no instances. XDG_CONFIG_HOME and HOME are read from env
 * (NULL: environ) like every RACKTOP_* variable. Returns a new config, or
 * NULL and *cause (the caller frees).
 */
struct rt_config *
conf_load(const char *path, const char *const *services, char *const *env,
    char **cause)
{
	struct conf_build b;
	struct rt_config *c = NULL;
	struct stat st;
	char *file = NULL, *text = NULL, *slash;
	size_t len = 0;
	int found = 1;

	if (env == NULL)
		env = environ;
	conf_build_init(&b, services);
	if (path != NULL)
		file = xstrdup(path);
	else if ((file = conf_default_path(env, cause)) == NULL)
		goto out;

	if ((text = conf_read_file(file, CONF_MAX_FILE, &st, &len)) == NULL) {
		if (path != NULL || (errno != ENOENT && errno != ENOTDIR)) {
			xasprintf(cause, "%s: %s", file, strerror(errno));
			goto out;
		}
		found = 0;
	}
	if ((slash = strrchr(file, '/')) == NULL)
		b.dir = xstrdup(".");
	else if (slash == file)
		b.dir = xstrdup("/");
	else
		b.dir = xstrndup(file, (size_t)(slash - file));

	if (found && conf_parse_ini(&b, file, text, len,
	    (st.st_mode & 077) != 0, cause) != 0)
		goto out;
	if (conf_load_dotenv(&b, cause) != 0)
		goto out;
	if (conf_apply_env(&b, env, cause) != 0)
		goto out;
	if (conf_resolve_files(&b, cause) != 0)
		goto out;
	c = conf_build_config(&b, found ? file : NULL, cause);

out:
	if (text != NULL) {
		explicit_bzero(text, len);
		free(text);
	}
	free(file);
	conf_build_finish(&b);
	return (c);
}

/* Frees a configuration; NULL is a no-op. */
void
conf_free(struct rt_config *c)
{
	struct rt_instance_conf *ic;
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->ninstances; i++) {
		ic = &c->instances[i];
		for (j = 0; j < ic->nkv; j++) {
			free(ic->kv[j].key);
			if (ic->kv[j].value != NULL) {
				explicit_bzero(ic->kv[j].value,
				    strlen(ic->kv[j].value));
				free(ic->kv[j].value);
			}
		}
		free(ic->kv);
		free(ic->service);
		free(ic->name);
	}
	free(c->instances);
	free(c->path);
	free(c->socket);
	free(c->log);
	free(c->log_level);
	free(c->audit_log);
	free(c->theme);
	free(c->keys);
	free(c->roles);
	free(c->tool_policy);
	free(c->socket_group);
	free(c->metrics_listen);
	free(c->http_listen);
	free(c->http_socket);
	free(c->http_token_file);
	free(c);
}

/* Borrowed value of key in an instance, or NULL. */
const char *
conf_get(const struct rt_instance_conf *ic, const char *key)
{
	size_t i;

	if (ic == NULL)
		return (NULL);
	for (i = 0; i < ic->nkv; i++) {
		if (strcmp(ic->kv[i].key, key) == 0)
			return (ic->kv[i].value);
	}
	return (NULL);
}

/*
 * Integer value of key into *out (def when absent). Returns 0, or -1 and
 * *cause (the caller frees) when present but not an integer.
 */
int
conf_get_int(const struct rt_instance_conf *ic, const char *key, long def,
    long *out, char **cause)
{
	const char *v = conf_get(ic, key);

	if (v == NULL) {
		*out = def;
		return (0);
	}
	if (conf_parse_long(v, LONG_MIN, LONG_MAX, out) == 0)
		return (0);
	if (conf_key_is_secret(key))
		xasprintf(cause, "%s \"%s\": %s: not an integer", ic->service,
		    ic->name, key);
	else
		xasprintf(cause, "%s \"%s\": %s: not an integer: \"%s\"",
		    ic->service, ic->name, key, v);
	return (-1);
}

/*
 * Boolean value of key into *out (def when absent). Returns 0, or -1 and
 * *cause (the caller frees) when present but not a boolean.
 */
int
conf_get_bool(const struct rt_instance_conf *ic, const char *key, bool def,
    bool *out, char **cause)
{
	const char *v = conf_get(ic, key);

	if (v == NULL) {
		*out = def;
		return (0);
	}
	if (conf_parse_bool(v, out) == 0)
		return (0);
	if (conf_key_is_secret(key))
		xasprintf(cause, "%s \"%s\": %s: not a boolean", ic->service,
		    ic->name, key);
	else
		xasprintf(cause, "%s \"%s\": %s: not a boolean: \"%s\" (true "
		    "or false)", ic->service, ic->name, key, v);
	return (-1);
}
