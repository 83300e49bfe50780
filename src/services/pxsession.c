/*
 * The Proxmox-family API session (see pxsession.h): one copy of the
 * ticket, CSRF and token logic for Proxmox VE and Backup Server.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/service.h"
#include "core/xmalloc.h"
#include "services/pxsession.h"

#define PX_TICKET_RENEW_MS (90 * 60 * 1000)	/* tickets live 2 h */

void
px_session_init(struct px_session *p, char *(*cookie_header)(const char *),
    char *(*csrf_header)(const char *))
{
	memset(p, 0, sizeof *p);
	p->cookie_header = cookie_header;
	p->csrf_header = csrf_header;
	pthread_mutex_init(&p->login, NULL);
}

void
px_session_finish(struct px_session *p)
{
	pthread_mutex_destroy(&p->login);
	free(p->token_hdr);
	free(p->user);
	free(p->password);
	free(p->ticket);
	free(p->csrf);
}

/* Logs in with user and password; called with p->login held. */
static int
px_login(struct px_session *p, struct http_client *cl, int *kind, char **cause)
{
	const char *ticket, *csrf;
	json_t *body, *j, *data;
	char *why = NULL;
	long status;

	body = json_pack("{s:s, s:s}", "username", p->user, "password",
	    p->password);
	j = http_json(cl, "POST", "/access/ticket", NULL, body, &status, &why);
	json_decref(body);
	if (j == NULL) {
		if (status == 401 || status == 403) {
			*kind = RT_ERR_AUTH;
			xasprintf(cause, "HTTP %ld: authentication failure — "
			    "check user and password", status);
			free(why);
		} else {
			*kind = status == 0 ? RT_ERR_UNREACHABLE :
			    RT_ERR_UPSTREAM;
			*cause = why;
		}
		return (-1);
	}
	data = json_object_get(j, "data");
	ticket = json_string_value(json_object_get(data, "ticket"));
	csrf = json_string_value(json_object_get(data, "CSRFPreventionToken"));
	if (ticket == NULL || csrf == NULL) {
		*kind = RT_ERR_AUTH;
		xasprintf(cause, "POST /access/ticket: no ticket in the answer "
		    "(two-factor accounts need an API token)");
		json_decref(j);
		return (-1);
	}
	free(p->ticket);
	free(p->csrf);
	p->ticket = xstrdup(ticket);
	p->csrf = xstrdup(csrf);
	p->ticket_mono = clock_mono_ms();
	p->ticket_gen++;
	json_decref(j);
	return (0);
}

/*
 * The auth header lines for a request (caller frees both; *csrf may be
 * NULL). stale_gen names a ticket generation that was refused, to log in
 * again; *gen receives the generation used.
 */
static int
px_auth(struct px_session *p, struct http_client *cl, unsigned stale_gen,
    char **auth, char **csrf, unsigned *gen, int *kind, char **cause)
{
	*auth = *csrf = NULL;
	*gen = 0;
	if (p->token_hdr != NULL) {
		*auth = xstrdup(p->token_hdr);
		return (0);
	}
	pthread_mutex_lock(&p->login);
	if (p->ticket != NULL && (p->ticket_gen == stale_gen ||
	    clock_mono_ms() - p->ticket_mono > PX_TICKET_RENEW_MS)) {
		free(p->ticket);
		p->ticket = NULL;
	}
	if (p->ticket == NULL && px_login(p, cl, kind, cause) != 0) {
		pthread_mutex_unlock(&p->login);
		return (-1);
	}
	*auth = p->cookie_header(p->ticket);
	*csrf = p->csrf_header(p->csrf);
	*gen = p->ticket_gen;
	pthread_mutex_unlock(&p->login);
	return (0);
}

/* One API request (pxsession.h). */
json_t *
px_request(struct px_session *p, struct http_client *cl, const char *method,
    const char *path, const json_t *body, int *kind, char **cause)
{
	const char *hdrs[3];
	char *auth, *csrf, *why = NULL;
	unsigned gen, stale = 0;
	json_t *j = NULL, *data;
	long status = 0;
	int attempt, n;

	for (attempt = 0; attempt < 2; attempt++) {
		if (px_auth(p, cl, stale, &auth, &csrf, &gen, kind,
		    cause) != 0)
			return (NULL);
		n = 0;
		hdrs[n++] = auth;
		if (csrf != NULL && strcmp(method, "GET") != 0)
			hdrs[n++] = csrf;
		hdrs[n] = NULL;
		j = http_json(cl, method, path, hdrs, body, &status, &why);
		free(auth);
		free(csrf);
		/* A ticket may have expired or been revoked: once more. */
		if (j == NULL && status == 401 && p->token_hdr == NULL &&
		    attempt == 0) {
			free(why);
			why = NULL;
			stale = gen;
			continue;
		}
		break;
	}
	if (j == NULL) {
		if (status == 0) {
			*kind = RT_ERR_UNREACHABLE;
			*cause = why;
		} else if (status == 401) {
			*kind = RT_ERR_AUTH;
			xasprintf(cause, "HTTP 401: authentication failure — "
			    "check %s", p->token_hdr != NULL ?
			    "token_id and token" : "user and password");
			free(why);
		} else if (status == 403) {
			*kind = RT_ERR_AUTH;
			xasprintf(cause, "%s — the %s lacks a privilege this "
			    "needs", why, p->token_hdr != NULL ? "API token" :
			    "user");
			free(why);
		} else {
			*kind = RT_ERR_UPSTREAM;
			*cause = why;
		}
		return (NULL);
	}
	if (!json_is_object(j)) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s %s: unexpected answer: not a JSON object",
		    method, path);
		json_decref(j);
		return (NULL);
	}
	data = json_object_get(j, "data");
	data = data != NULL ? json_incref(data) : json_null();
	json_decref(j);
	return (data);
}
