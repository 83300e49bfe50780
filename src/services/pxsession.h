/*
 * The API session of the Proxmox family (Proxmox VE and Proxmox Backup
 * Server speak the same dialect): an API token header, or a ticket from
 * POST /access/ticket renewed before its two hours run out and sent as a
 * cookie with a CSRF header on writes; a ticket refused with 401 is
 * replaced once. Answers are {"data": ...}.
 *
 * Threads: the poller and any worker may share one session; the ticket
 * lives behind the login mutex, which also makes logins run one at a time.
 */
#ifndef RT_PXSESSION_H
#define RT_PXSESSION_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "core/http.h"

struct px_session {
	char *token_hdr;	/* token auth: the ready header line, owned */
	char *user;		/* ticket auth, owned */
	char *password;
	/* The product's header lines for a ticket and its CSRF token. */
	char *(*cookie_header)(const char *ticket);
	char *(*csrf_header)(const char *csrf);

	pthread_mutex_t login;	/* one login at a time; guards ticket.. */
	char *ticket;
	char *csrf;
	int64_t ticket_mono;
	unsigned ticket_gen;
};

/* An empty session using the product's header builders. */
void px_session_init(struct px_session *,
    char *(*cookie_header)(const char *), char *(*csrf_header)(const char *));
/* Frees what the session owns (credentials included). */
void px_session_finish(struct px_session *);

/*
 * One API request. Returns the response's "data" member (new reference;
 * json_null() when absent or null), or NULL with *kind (RT_ERR_*) and
 * *cause (caller frees), which never hold a credential.
 */
json_t *px_request(struct px_session *, struct http_client *,
    const char *method, const char *path, const json_t *body, int *kind,
    char **cause);

#endif
