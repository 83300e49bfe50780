/*
 * The simulated UniFi Network application: a UniFi OS console (paths
 * under /proxy/network, POST /api/auth/login, the Integration API with
 * X-API-KEY) or, after {"op":"set_mode","mode":"classic"}, a classic
 * controller (paths without the prefix, POST /api/login).
 *
 * Follows the shapes in the endpoint reference and the Integration API
 * description (tests/fixtures/unifi/SOURCES.md): classic answers are
 * {"meta":{"rc":"ok"},"data":[...]} and errors {"meta":{"rc":"error",
 * "msg":"api.err.*"},"data":[]}; the Integration API pages with offset,
 * limit (at most 200) and totalCount and fails with {"statusCode",
 * "statusName","message","timestamp","requestPath"}.
 *
 * Auth as the real console: UniFi OS login sets the TOKEN cookie, a JWT
 * whose payload carries csrfToken (also sent as X-CSRF-Token); classic
 * login sets unifises and csrf_token. Every write with a session needs
 * X-CSRF-Token. The API key opens the Integration API and, unless
 * {"op":"set_key_classic","enabled":false}, the classic and v2 paths.
 *
 * The lab is a function of the seed: a gateway, a switch, three APs and,
 * at small scale, twelve named clients; otherwise 5,000 clients at large
 * scale (N guests: N * 25 / 6 clients). Blocking a client disconnects
 * it: it leaves stat/sta and the Integration client list and stays in
 * list/user with blocked true.
 *
 * POST /state ops: set_mode, set_key_classic, set_firewall {"zone":b},
 * expire_sessions, rotate_csrf (every session's token changes),
 * set_login_csrf {"enabled":b} (false: logins hand out no token, so
 * every write is refused), set_device_state {"name"|"mac","state":
 * "online"|"offline"}.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/xmalloc.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define UNIFI_SESSION_MS (2 * 3600 * 1000LL)
#define UNIFI_SMALL_CLIENTS 12
#define UNIFI_NDEVICES 5
#define UNIFI_PAGE_MAX 200
#define UNIFI_PREFIX "/proxy/network"

struct unifi_device {
	char		 id[40];
	char		 mac[18];
	const char	*name;
	const char	*model;
	const char	*type;		/* uap, usw, udm */
	char		 ip[16];
	int		 state;		/* 0 offline, 1 online */
	int64_t		 boot_ms;
	const char	*version;
	bool		 upgradable;
};

struct unifi_client {
	char		 id[40];
	char		 mac[18];
	char		 name[32];
	char		 ip[24];
	bool		 wired;
	int		 uplink;	/* device index */
	int		 port;		/* switch port, wired */
	int		 signal;
	int64_t		 assoc_ms;
	int64_t		 rate;		/* bytes per second */
	bool		 blocked;
	bool		 connected;
	const char	*network;
};

struct unifi_session {
	char			 cookie[512];
	char			 csrf[40];
	bool			 csrf_told;	/* the login answer carried it */
	bool			 os;
	int64_t			 expires_ms;
	struct unifi_session	*next;
};

struct unifi {
	uint64_t		 rng;
	bool			 classic_mode;
	bool			 key_classic;
	bool			 login_csrf;	/* login hands out a token */
	bool			 zone;
	char			 api_key[48];
	char			 user[16];
	char			 password[24];
	char			 site_id[40];
	struct unifi_device	 devices[UNIFI_NDEVICES];
	struct unifi_client	*clients;
	int			 nclients;
	int			 clients_size;
	json_t			*wlans;
	json_t			*rules;
	json_t			*policies;
	json_t			*vouchers;
	struct unifi_session	*sessions;
	int			 nextid;
};

static const struct {
	const char	*name;
	bool		 wired;
	int		 uplink;
	const char	*network;
} unifi_small[UNIFI_SMALL_CLIENTS] = {
	{ "iphone-anna", false, 2, "LAN" },
	{ "macbook-ben", false, 3, "LAN" },
	{ "pixel-7", false, 2, "LAN" },
	{ "nas", true, 1, "LAN" },
	{ "printer", false, 3, "IoT" },
	{ "tv-living", false, 2, "IoT" },
	{ "homeassistant", true, 1, "LAN" },	/* shared: scenario.h */
	{ "pve1", true, 1, "LAN" },
	{ "pve2", true, 1, "LAN" },
	{ "pve3", true, 1, "LAN" },
	{ "steam-deck", false, 4, "LAN" },
	{ "ring-doorbell", false, 4, "IoT" },
};

static const char *unifi_ouis[] = {
	"f0:18:98", "3c:22:fb", "a4:83:e7", "00:11:32", "b8:27:eb",
	"ec:b5:fa", "dc:a6:32", "00:17:88",
};

/* A UUID-shaped id from the PRNG. */
static void
unifi_uuid(uint64_t *rng, char *buf, size_t len)
{
	uint64_t	a = scenario_rand(rng), b = scenario_rand(rng);

	snprintf(buf, len, "%08x-%04x-4%03x-8%03x-%012llx",
	    (unsigned int)(a >> 32), (unsigned int)(a >> 16) & 0xffff,
	    (unsigned int)a & 0xfff, (unsigned int)(b >> 48) & 0xfff,
	    (unsigned long long)(b & 0xffffffffffffULL));
}

/* A 24-hex-digit object id, as the controller's MongoDB makes them. */
static void
unifi_oid(struct unifi *u, char *buf, size_t len)
{
	snprintf(buf, len, "65a1%04x%016llx", (unsigned int)u->nextid++,
	    (unsigned long long)scenario_rand(&u->rng));
}

/* Adds one client. */
static struct unifi_client *
unifi_add_client(struct unifi *u, const char *mac, const char *name)
{
	struct unifi_client	*cl;

	if (u->nclients == u->clients_size) {
		u->clients_size = u->clients_size == 0 ? 16 :
		    u->clients_size * 2;
		u->clients = xreallocarray(u->clients,
		    (size_t)u->clients_size, sizeof *u->clients);
	}
	cl = &u->clients[u->nclients++];
	memset(cl, 0, sizeof *cl);
	unifi_uuid(&u->rng, cl->id, sizeof cl->id);
	snprintf(cl->mac, sizeof cl->mac, "%s", mac);
	snprintf(cl->name, sizeof cl->name, "%s", name);
	return (cl);
}

/* Builds the lab from the seed and the scale. */
static void *
unifi_create(struct sim_service *svc)
{
	static const struct {
		const char	*name, *model, *type, *version;
	} devs[UNIFI_NDEVICES] = {
		{ "udm-pro", "UDMPRO", "udm", "4.1.13" },
		{ "switch-24", "US24P250", "usw", "7.1.26" },
		{ "ap-living", "U6PRO", "uap", "6.6.77" },
		{ "ap-office", "U6LR", "uap", "6.6.77" },
		{ "ap-garage", "U6MESH", "uap", "6.6.55" },
	};
	struct scenario		*sc = sim_scenario(svc);
	struct unifi		*u;
	struct unifi_client	*cl;
	const struct scenario_host *h;
	char			 mac[18], name[32], oid[32];
	int64_t			 now = sim_now_ms(svc);
	uint64_t		 r;
	int			 i, n;

	u = xcalloc(1, sizeof *u);
	u->rng = sc->seed ^ 0x0f1e2d3cULL;
	u->key_classic = true;
	u->login_csrf = true;
	u->zone = true;
	r = scenario_rand(&u->rng);
	snprintf(u->api_key, sizeof u->api_key, "%016llx%016llx",
	    (unsigned long long)r, (unsigned long long)scenario_rand(&u->rng));
	snprintf(u->user, sizeof u->user, "racktop");
	snprintf(u->password, sizeof u->password, "sim-%08x",
	    (unsigned int)scenario_rand(&u->rng));
	unifi_uuid(&u->rng, u->site_id, sizeof u->site_id);
	for (i = 0; i < UNIFI_NDEVICES; i++) {
		r = scenario_rand(&u->rng);
		unifi_uuid(&u->rng, u->devices[i].id, sizeof u->devices[i].id);
		snprintf(u->devices[i].mac, sizeof u->devices[i].mac,
		    "74:ac:b9:%02x:%02x:%02x", (unsigned int)(r & 0xff),
		    (unsigned int)((r >> 8) & 0xff), i);
		u->devices[i].name = devs[i].name;
		u->devices[i].model = devs[i].model;
		u->devices[i].type = devs[i].type;
		u->devices[i].version = devs[i].version;
		u->devices[i].upgradable = i == 4;
		snprintf(u->devices[i].ip, sizeof u->devices[i].ip,
		    "192.168.1.%d", i + 1);
		u->devices[i].state = 1;
		u->devices[i].boot_ms = now - (int64_t)(r % 2000000) * 1000 -
		    3600000;
	}
	n = sc->nguests <= 20 ? UNIFI_SMALL_CLIENTS : sc->nguests * 25 / 6;
	for (i = 0; i < n; i++) {
		r = scenario_rand(&u->rng);
		snprintf(mac, sizeof mac, "%s:%02x:%02x:%02x",
		    unifi_ouis[r % 8], (unsigned int)((i >> 16) & 0xff),
		    (unsigned int)((i >> 8) & 0xff), (unsigned int)(i & 0xff));
		if (n == UNIFI_SMALL_CLIENTS)
			snprintf(name, sizeof name, "%s", unifi_small[i].name);
		else
			snprintf(name, sizeof name, "client-%04d", i);
		cl = unifi_add_client(u, mac, name);
		cl->connected = true;
		if (n == UNIFI_SMALL_CLIENTS) {
			cl->wired = unifi_small[i].wired;
			cl->uplink = unifi_small[i].uplink;
			cl->network = unifi_small[i].network;
		} else {
			cl->wired = r % 5 == 0;
			cl->uplink = cl->wired ? 1 : 2 + (int)((r >> 8) % 3);
			cl->network = (r >> 16) % 4 == 0 ? "IoT" : "LAN";
		}
		cl->port = cl->wired ? 2 + (int)((r >> 24) % 22) : 0;
		cl->signal = cl->wired ? 0 : -40 - (int)((r >> 32) % 40);
		cl->rate = 1000 + (int64_t)((r >> 40) % 500000);
		cl->assoc_ms = now - (int64_t)((r >> 20) % 86400) * 1000;
		snprintf(cl->ip, sizeof cl->ip, "%s.%d.%d",
		    strcmp(cl->network, "IoT") == 0 ? "192.168" : "10.1",
		    strcmp(cl->network, "IoT") == 0 ? 30 + i / 250 : i / 250,
		    10 + i % 240);
		/* A host the whole lab shares keeps its address and MAC. */
		if ((h = scenario_host_find(cl->name)) != NULL) {
			snprintf(cl->ip, sizeof cl->ip, "%s", h->ip);
			snprintf(cl->mac, sizeof cl->mac, "%s", h->mac);
		}
	}
	u->wlans = json_array();
	for (i = 0; i < 3; i++) {
		unifi_oid(u, oid, sizeof oid);
		json_array_append_new(u->wlans, json_pack("{s:s, s:s, s:b, "
		    "s:s, s:s, s:b, s:b, s:s, s:s, s:s}", "_id", oid, "name",
		    i == 0 ? "Home" : i == 1 ? "IoT" : "Guest", "enabled", 1,
		    "security", i == 2 ? "open" : "wpapsk", "wpa_mode", "wpa2",
		    "is_guest", i == 2, "hide_ssid", 0, "networkconf_id",
		    "65a100000000000000000001", "wlan_band", "both", "site_id",
		    "65a100000000000000000000"));
	}
	u->rules = json_array();
	unifi_oid(u, oid, sizeof oid);
	json_array_append_new(u->rules, json_pack("{s:s, s:s, s:b, s:s, s:s, "
	    "s:i, s:s, s:s, s:s, s:s, s:b}", "_id", oid, "name",
	    "Block IoT to LAN", "enabled", 1, "action", "drop", "ruleset",
	    "LAN_IN", "rule_index", 2000, "protocol", "all", "src_address",
	    "192.168.30.0/24", "dst_address", "10.1.0.0/16", "dst_port", "",
	    "logging", 0));
	u->policies = json_array();
	json_array_append_new(u->policies, json_pack("{s:s, s:s, s:b, s:s, "
	    "s:b, s:I, s:s, s:b, s:s, s:{s:s}, s:{s:s}}", "_id",
	    "68a496708e604379be63f81368a496708e604379be63f8132147483647",
	    "action", "ALLOW", "enabled", 1, "name", "Allow All Traffic",
	    "predefined", 1, "index", (json_int_t)2147483647, "protocol", "all",
	    "logging", 0, "ip_version", "BOTH", "source", "zone_id",
	    "internal", "destination", "zone_id", "external"));
	u->vouchers = json_array();
	return (u);
}

/* Frees the lab. */
static void
unifi_destroy(void *data)
{
	struct unifi		*u = data;
	struct unifi_session	*s, *sn;

	if (u == NULL)
		return;
	for (s = u->sessions; s != NULL; s = sn) {
		sn = s->next;
		free(s);
	}
	free(u->clients);
	json_decref(u->wlans);
	json_decref(u->rules);
	json_decref(u->policies);
	json_decref(u->vouchers);
	free(u);
}

/* The classic envelope around data (stolen). */
static void
unifi_ok(struct sim_response *resp, json_t *data)
{
	sim_reply_json_new(resp, 200, json_pack("{s:{s:s}, s:o}", "meta",
	    "rc", "ok", "data", data != NULL ? data : json_array()));
}

/* The classic error envelope. */
static void
unifi_err(struct sim_response *resp, int status, const char *msg)
{
	sim_reply_json_new(resp, status, json_pack("{s:{s:s, s:s}, s:[]}",
	    "meta", "rc", "error", "msg", msg, "data"));
}

/* The Integration API's error form. */
static void
unifi_int_err(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, int status, const char *name,
    const char *msg)
{
	time_t		 t = (time_t)(sim_now_ms(svc) / 1000);
	struct tm	 tm;
	char		 ts[32];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sim_reply_json_new(resp, status, json_pack("{s:i, s:s, s:s, s:s, "
	    "s:s}", "statusCode", status, "statusName", name, "message", msg,
	    "timestamp", ts, "requestPath", req != NULL && req->path != NULL ?
	    req->path : ""));
}

/* The "status" fault's body. */
static void
unifi_error(struct sim_service *svc, struct sim_response *resp, int status,
    const char *msg)
{
	(void)svc;
	unifi_err(resp, status, msg != NULL ? msg : status >= 500 ?
	    "api.err.ServerError" : "api.err.Invalid");
}

/* The real 401 of a classic path. */
static void
unifi_unauthorized(struct sim_service *svc, struct sim_response *resp)
{
	(void)svc;
	unifi_err(resp, 401, "api.err.LoginRequired");
}

/* No route. */
static void
unifi_not_found(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	unifi_err(resp, 404, "api.err.NotFound");
}

/* Whether the request path is under the UniFi OS prefix. */
static bool
unifi_os_path(struct sim_request *req)
{
	return (req->path != NULL && strncmp(req->path, UNIFI_PREFIX,
	    strlen(UNIFI_PREFIX)) == 0);
}

/* Whether the path is the Integration API's. */
static bool
unifi_int_path(struct sim_request *req)
{
	return (unifi_os_path(req) && strncmp(req->path +
	    strlen(UNIFI_PREFIX), "/integration/", 13) == 0);
}

/* Drops expired sessions; returns the one for cookie, or NULL. */
static struct unifi_session *
unifi_session(struct sim_service *svc, const char *cookie, bool os)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_session	*s, **sp;
	int64_t			 now = sim_now_ms(svc);

	for (sp = &u->sessions; (s = *sp) != NULL;) {
		if (s->expires_ms <= now) {
			*sp = s->next;
			free(s);
			continue;
		}
		sp = &s->next;
	}
	for (s = u->sessions; cookie != NULL && s != NULL; s = s->next) {
		if (s->os == os && strcmp(s->cookie, cookie) == 0)
			return (s);
	}
	return (NULL);
}

/* Checks the mode, the key or the session, and CSRF on writes. */
static int
unifi_authorize(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_session	*s;
	const char		*key, *csrf;
	bool			 os = unifi_os_path(req);

	/* A classic controller has no /proxy/network; UniFi OS needs it. */
	if (os == u->classic_mode) {
		unifi_not_found(svc, req, resp);
		return (-1);
	}
	key = sim_header(req, "X-API-KEY");
	if (key != NULL) {
		if (u->classic_mode || strcmp(key, u->api_key) != 0) {
			if (unifi_int_path(req))
				unifi_int_err(svc, req, resp, 401,
				    "UNAUTHORIZED", "Unauthorized");
			else
				unifi_unauthorized(svc, resp);
			return (-1);
		}
		if (!unifi_int_path(req) && !u->key_classic) {
			unifi_unauthorized(svc, resp);
			return (-1);
		}
		return (0);
	}
	s = unifi_session(svc, sim_cookie(req, os ? "TOKEN" : "unifises"),
	    os);
	if (s == NULL) {
		if (unifi_int_path(req))
			unifi_int_err(svc, req, resp, 401, "UNAUTHORIZED",
			    "Unauthorized");
		else
			unifi_unauthorized(svc, resp);
		return (-1);
	}
	if (strcmp(req->method, "GET") != 0) {
		csrf = sim_header(req, "X-CSRF-Token");
		if (csrf == NULL || strcmp(csrf, s->csrf) != 0) {
			unifi_err(resp, 403, "api.err.InvalidCSRFToken");
			return (-1);
		}
	}
	return (0);
}

/* base64url of len bytes, no padding (caller frees). */
static char *
unifi_b64url(const char *in, size_t len)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char			*out, *o;
	unsigned int		 v;
	size_t			 i;

	out = o = xmalloc(len * 4 / 3 + 4);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 |
		    (unsigned char)in[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned char)in[i] << 16;
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
	}
	*o = '\0';
	return (out);
}

/* A new session; fills the cookie (a JWT on UniFi OS). */
static struct unifi_session *
unifi_session_new(struct sim_service *svc, bool os)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_session	*s;
	int64_t			 now = sim_now_ms(svc);
	char			*payload, *h, *p;

	s = xcalloc(1, sizeof *s);
	s->os = os;
	s->expires_ms = now + UNIFI_SESSION_MS;
	unifi_uuid(&u->rng, s->csrf, sizeof s->csrf);
	/* With set_login_csrf false the token exists but is never told. */
	s->csrf_told = u->login_csrf;
	if (os) {
		if (s->csrf_told)
			xasprintf(&payload, "{\"userId\":\"%s\",\"csrfToken\":"
			    "\"%s\",\"iat\":%lld,\"exp\":%lld}", u->user,
			    s->csrf, (long long)(now / 1000),
			    (long long)(s->expires_ms / 1000));
		else
			xasprintf(&payload, "{\"userId\":\"%s\",\"iat\":%lld,"
			    "\"exp\":%lld}", u->user, (long long)(now / 1000),
			    (long long)(s->expires_ms / 1000));
		h = unifi_b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27);
		p = unifi_b64url(payload, strlen(payload));
		snprintf(s->cookie, sizeof s->cookie, "%s.%s.%016llx", h, p,
		    (unsigned long long)scenario_rand(&u->rng));
		free(h);
		free(p);
		free(payload);
	} else
		snprintf(s->cookie, sizeof s->cookie, "%016llx%016llx",
		    (unsigned long long)scenario_rand(&u->rng),
		    (unsigned long long)scenario_rand(&u->rng));
	s->next = u->sessions;
	u->sessions = s;
	return (s);
}

/* Whether the login body names the simulated account. */
static bool
unifi_credentials_ok(struct unifi *u, struct sim_request *req)
{
	const char	*user = sim_arg(req, "username");
	const char	*pass = sim_arg(req, "password");

	return (user != NULL && pass != NULL && strcmp(user, u->user) == 0 &&
	    strcmp(pass, u->password) == 0);
}

/* Adds Set-Cookie and CSRF headers, when the framework can. */
static int
unifi_set_cookies(struct sim_response *resp, struct unifi_session *s)
{
#ifdef SIM_HAVE_HEADERS
	char	*v;

	if (s->os) {
		xasprintf(&v, "TOKEN=%s; path=/; samesite=none; secure; "
		    "httponly", s->cookie);
		sim_reply_header(resp, "Set-Cookie", v);
		free(v);
		if (s->csrf_told)
			sim_reply_header(resp, "X-CSRF-Token", s->csrf);
	} else {
		xasprintf(&v, "unifises=%s; Path=/; Secure; HttpOnly",
		    s->cookie);
		sim_reply_header(resp, "Set-Cookie", v);
		free(v);
		if (s->csrf_told) {
			xasprintf(&v, "csrf_token=%s; Path=/; Secure",
			    s->csrf);
			sim_reply_header(resp, "Set-Cookie", v);
			free(v);
		}
	}
	return (0);
#else
	(void)s;
	unifi_err(resp, 501, "racktop-sim built without response headers");
	return (-1);
#endif
}

/* POST /api/auth/login (UniFi OS). */
static void
unifi_os_login(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_session	*s;

	if (u->classic_mode) {
		unifi_not_found(svc, req, resp);
		return;
	}
	if (!unifi_credentials_ok(u, req)) {
		sim_reply_json_new(resp, 401, json_pack("{s:s, s:s, s:s}",
		    "code", "AUTHENTICATION_FAILED_INVALID_CREDENTIALS",
		    "message", "Invalid username or password", "level",
		    "debug"));
		return;
	}
	s = unifi_session_new(svc, true);
	sim_reply_json_new(resp, 200, json_pack("{s:s, s:s, s:b}",
	    "unique_id", "6a1f0c2e-0000-4000-8000-000000000001", "username",
	    u->user, "isOwner", 0));
	unifi_set_cookies(resp, s);
}

/* POST /api/login (classic controller). */
static void
unifi_classic_login(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_session	*s;

	if (!u->classic_mode) {
		unifi_not_found(svc, req, resp);
		return;
	}
	if (!unifi_credentials_ok(u, req)) {
		unifi_err(resp, 400, "api.err.Invalid");
		return;
	}
	s = unifi_session_new(svc, false);
	unifi_ok(resp, NULL);
	unifi_set_cookies(resp, s);
}

/* GET /status: unauthenticated. */
static void
unifi_status(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	(void)svc;
	(void)req;
	sim_reply_json_new(resp, 200, json_pack("{s:{s:s, s:b, s:s}, s:[]}",
	    "meta", "rc", "ok", "up", 1, "server_version", "9.0.114", "data"));
}

/* Whether {site} names the one site; fills the error otherwise. */
static bool
unifi_site_ok(struct sim_request *req, struct sim_response *resp)
{
	const char	*site = json_string_value(json_object_get(req->params,
	    "site"));

	if (site == NULL || strcmp(site, "default") != 0) {
		unifi_err(resp, 400, "api.err.NoSiteContext");
		return (false);
	}
	return (true);
}

/* A device by MAC, or NULL. */
static struct unifi_device *
unifi_find_device(struct unifi *u, const char *mac)
{
	int	i;

	for (i = 0; mac != NULL && i < UNIFI_NDEVICES; i++) {
		if (strcasecmp(u->devices[i].mac, mac) == 0)
			return (&u->devices[i]);
	}
	return (NULL);
}

/* A client by MAC, or NULL. */
static struct unifi_client *
unifi_find_client(struct unifi *u, const char *mac)
{
	int	i;

	for (i = 0; mac != NULL && i < u->nclients; i++) {
		if (strcasecmp(u->clients[i].mac, mac) == 0)
			return (&u->clients[i]);
	}
	return (NULL);
}

/* Clients on a device now. */
static int
unifi_device_clients(struct unifi *u, int idx)
{
	int	i, n = 0;

	for (i = 0; i < u->nclients; i++) {
		if (u->clients[i].connected && !u->clients[i].blocked &&
		    u->clients[i].uplink == idx &&
		    u->devices[idx].state == 1)
			n++;
	}
	return (n);
}

/* Whether a client shows up as connected. */
static bool
unifi_online(struct unifi *u, const struct unifi_client *cl)
{
	return (cl->connected && !cl->blocked &&
	    u->devices[cl->uplink].state == 1);
}

/* GET stat/sta: connected clients with their counters. */
static void
unifi_sta(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_client	*cl;
	struct unifi_device	*d;
	json_t			*a = json_array(), *o;
	int64_t			 now = sim_now_ms(svc), up;
	int			 i;

	if (!unifi_site_ok(req, resp))
		return;
	for (i = 0; i < u->nclients; i++) {
		cl = &u->clients[i];
		if (!unifi_online(u, cl))
			continue;
		d = &u->devices[cl->uplink];
		up = (now - cl->assoc_ms) / 1000;
		/*
		 * As recorded controllers answer: a wired client counts its
		 * traffic as wired-rx_bytes, a wireless one as rx_bytes.
		 */
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:I, "
		    "s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:s, s:I}", "_id",
		    cl->id, "mac", cl->mac, "hostname", cl->name, "ip", cl->ip,
		    "oui", "Generic", "is_wired", cl->wired, "network",
		    cl->network, "site_id", "65a100000000000000000000",
		    "uptime", (json_int_t)up, cl->wired ? "wired-rx_bytes" :
		    "rx_bytes", (json_int_t)(up * cl->rate), cl->wired ?
		    "wired-tx_bytes" : "tx_bytes", (json_int_t)(up * cl->rate /
		    4),
		    "first_seen", (json_int_t)(cl->assoc_ms / 1000 - 86400),
		    "last_seen", (json_int_t)(now / 1000), "is_guest", 0,
		    "authorized", 1, "blocked", 0, "user_id", cl->id,
		    "assoc_time", (json_int_t)(cl->assoc_ms / 1000));
		if (cl->wired) {
			json_object_set_new(o, "sw_mac", json_string(d->mac));
			json_object_set_new(o, "sw_port", json_integer(
			    cl->port));
			json_object_set_new(o, "wired_rate_mbps",
			    json_integer(1000));
		} else {
			json_object_set_new(o, "ap_mac", json_string(d->mac));
			/* Also the switch port the AP hangs off, as real. */
			json_object_set_new(o, "sw_mac", json_string(
			    u->devices[1].mac));
			json_object_set_new(o, "sw_port", json_integer(
			    cl->uplink + 1));
			json_object_set_new(o, "essid", json_string(
			    strcmp(cl->network, "IoT") == 0 ? "IoT" : "Home"));
			json_object_set_new(o, "signal", json_integer(
			    cl->signal));
			json_object_set_new(o, "rssi", json_integer(
			    cl->signal + 95));
			json_object_set_new(o, "noise", json_integer(-95));
			json_object_set_new(o, "channel", json_integer(36));
			json_object_set_new(o, "radio", json_string("na"));
			json_object_set_new(o, "radio_proto",
			    json_string("ax"));
			json_object_set_new(o, "tx_rate", json_integer(
			    864000));
			json_object_set_new(o, "rx_rate", json_integer(
			    576000));
			json_object_set_new(o, "satisfaction", json_integer(
			    90 + (cl->signal & 7)));
		}
		json_array_append_new(a, o);
	}
	unifi_ok(resp, a);
}

/* GET list/user: every known client, blocked ones included. */
static void
unifi_users(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_client	*cl;
	json_t			*a = json_array();
	int			 i;

	if (!unifi_site_ok(req, resp))
		return;
	for (i = 0; i < u->nclients; i++) {
		cl = &u->clients[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b, "
		    "s:b, s:I, s:I}", "_id", cl->id, "mac", cl->mac,
		    "hostname", cl->name, "oui", "Generic", "is_wired",
		    cl->wired, "blocked", cl->blocked, "first_seen",
		    (json_int_t)(cl->assoc_ms / 1000 - 86400), "last_seen",
		    (json_int_t)(cl->assoc_ms / 1000)));
	}
	unifi_ok(resp, a);
}

/* GET/POST stat/device: adopted devices. */
static void
unifi_stat_device(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_device	*d;
	json_t			*a = json_array(), *o;
	int64_t			 now = sim_now_ms(svc);
	int			 i;

	if (!unifi_site_ok(req, resp))
		return;
	for (i = 0; i < UNIFI_NDEVICES; i++) {
		d = &u->devices[i];
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:b, "
		    "s:b, s:i}", "_id", d->id, "mac", d->mac, "name", d->name,
		    "model", d->model, "type", d->type, "state", d->state, "ip",
		    d->ip, "version", d->version, "upgradable", d->upgradable,
		    "adopted", 1, "num_sta", unifi_device_clients(u, i));
		if (d->state == 1)
			json_object_set_new(o, "uptime", json_integer(
			    (now - d->boot_ms) / 1000));
		json_array_append_new(a, o);
	}
	unifi_ok(resp, a);
}

/* GET stat/health: per subsystem. */
static void
unifi_health(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	json_t		*a;
	int		 users = 0, aps = 0, i;

	if (!unifi_site_ok(req, resp))
		return;
	for (i = 0; i < u->nclients; i++)
		users += unifi_online(u, &u->clients[i]);
	for (i = 2; i < UNIFI_NDEVICES; i++)
		aps += u->devices[i].state == 1;
	a = json_pack("[{s:s, s:s, s:i, s:i, s:i}, {s:s, s:s, s:s, s:s, s:i, "
	    "s:i, s:i}, {s:s, s:s, s:i, s:i}, {s:s, s:s, s:i, s:i, s:i}, "
	    "{s:s, s:s, s:i}]",
	    "subsystem", "wlan", "status", aps == 3 ? "ok" : "warning",
	    "num_user", users, "num_ap", aps, "num_disconnected", 3 - aps,
	    "subsystem", "wan", "status", u->devices[0].state == 1 ? "ok" :
	    "error", "wan_ip", "203.0.113.7", "isp_name", "Example ISP",
	    "num_gw", 1, "rx_bytes-r", 1250000, "tx_bytes-r", 240000,
	    "subsystem", "www", "status", "ok", "latency", 12, "uptime",
	    86400,
	    "subsystem", "lan", "status", "ok", "num_user", users, "num_sw", 1,
	    "num_adopted", 2,
	    "subsystem", "vpn", "status", "unknown", "remote_user_num_active",
	    0);
	unifi_ok(resp, a);
}

/* POST cmd/stamgr: block-sta, unblock-sta, kick-sta. */
static void
unifi_stamgr(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_client	*cl;
	const char		*cmd = sim_arg(req, "cmd");
	const char		*mac = sim_arg(req, "mac");

	if (!unifi_site_ok(req, resp))
		return;
	if (cmd == NULL || mac == NULL || strlen(mac) != 17) {
		unifi_err(resp, 400, "api.err.InvalidPayload");
		return;
	}
	cl = unifi_find_client(u, mac);
	if (strcmp(cmd, "block-sta") == 0 || strcmp(cmd, "unblock-sta") == 0) {
		if (cl == NULL)
			cl = unifi_add_client(u, mac, "");
		cl->blocked = strcmp(cmd, "block-sta") == 0;
		unifi_ok(resp, json_pack("[{s:s, s:s, s:b}]", "_id", cl->id,
		    "mac", cl->mac, "blocked", cl->blocked));
	} else if (strcmp(cmd, "kick-sta") == 0) {
		if (cl == NULL || !unifi_online(u, cl)) {
			unifi_err(resp, 400, "api.err.UnknownStation");
			return;
		}
		cl->assoc_ms = sim_now_ms(svc);
		unifi_ok(resp, NULL);
	} else
		unifi_err(resp, 400, "api.err.InvalidCommand");
}

/* POST cmd/devmgr: restart. */
static void
unifi_devmgr(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_device	*d;
	const char		*cmd = sim_arg(req, "cmd");

	if (!unifi_site_ok(req, resp))
		return;
	if (cmd == NULL || strcmp(cmd, "restart") != 0) {
		unifi_err(resp, 400, "api.err.InvalidCommand");
		return;
	}
	if ((d = unifi_find_device(u, sim_arg(req, "mac"))) == NULL) {
		unifi_err(resp, 400, "api.err.UnknownDevice");
		return;
	}
	if (d->state != 1) {
		unifi_err(resp, 400, "api.err.DeviceNotConnected");
		return;
	}
	d->boot_ms = sim_now_ms(svc);
	unifi_ok(resp, NULL);
}

/* An integer body field or def. */
static json_int_t
unifi_int_arg(struct sim_request *req, const char *name, json_int_t def)
{
	json_t		*v = json_object_get(req->args, name);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_string(v))
		return (strtoll(json_string_value(v), NULL, 10));
	return (def);
}

/* POST cmd/hotspot: create-voucher answers the create_time only. */
static void
unifi_hotspot(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	const char	*cmd = sim_arg(req, "cmd"), *note = sim_arg(req, "note");
	json_int_t	 t = sim_now_ms(svc) / 1000, n, i, quota;
	size_t		 k;
	json_t		*v;
	char		 oid[32], code[16];

	if (!unifi_site_ok(req, resp))
		return;
	n = unifi_int_arg(req, "n", 1);
	if (cmd == NULL || strcmp(cmd, "create-voucher") != 0 || n < 1 ||
	    n > 1000 || unifi_int_arg(req, "expire", 0) < 1) {
		unifi_err(resp, 400, "api.err.InvalidPayload");
		return;
	}
	/* Two batches in one second would share a create_time: bump it. */
	json_array_foreach(u->vouchers, k, v) {
		if (json_integer_value(json_object_get(v, "create_time")) >= t)
			t = json_integer_value(json_object_get(v,
			    "create_time")) + 1;
	}
	quota = unifi_int_arg(req, "quota", 1);
	for (i = 0; i < n; i++) {
		unifi_oid(u, oid, sizeof oid);
		snprintf(code, sizeof code, "%010llu", (unsigned long long)
		    (scenario_rand(&u->rng) % 10000000000ULL));
		v = json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:s, s:s}", "_id",
		    oid, "code", code, "create_time", t, "duration",
		    unifi_int_arg(req, "expire", 480), "quota", quota, "used",
		    0, "status", quota == 1 ? "VALID_ONE" : "VALID_MULTI",
		    "site_id", "65a100000000000000000000");
		if (note != NULL)
			json_object_set_new(v, "note", json_string(note));
		if (json_object_get(req->args, "bytes") != NULL)
			json_object_set_new(v, "qos_usage_quota", json_integer(
			    unifi_int_arg(req, "bytes", 0)));
		json_array_append_new(u->vouchers, v);
	}
	unifi_ok(resp, json_pack("[{s:I}]", "create_time", t));
}

/* GET/POST stat/voucher, optionally by create_time. */
static void
unifi_stat_voucher(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	json_int_t	 t = unifi_int_arg(req, "create_time", 0);
	json_t		*a = json_array(), *v;
	size_t		 i;

	if (!unifi_site_ok(req, resp))
		return;
	json_array_foreach(u->vouchers, i, v) {
		if (t == 0 || json_integer_value(json_object_get(v,
		    "create_time")) == t)
			json_array_append(a, v);
	}
	unifi_ok(resp, a);
}

/* GET rest/wlanconf. */
static void
unifi_wlanconf(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);

	if (!unifi_site_ok(req, resp))
		return;
	unifi_ok(resp, json_deep_copy(u->wlans));
}

/* PUT rest/wlanconf/{id}. */
static void
unifi_wlan_put(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	const char	*id = json_string_value(json_object_get(req->params,
	    "id"));
	json_t		*w = NULL, *en = json_object_get(req->args, "enabled");
	size_t		 i;

	if (!unifi_site_ok(req, resp))
		return;
	json_array_foreach(u->wlans, i, w) {
		if (strcmp(json_string_value(json_object_get(w, "_id")), id) ==
		    0)
			break;
	}
	if (i == json_array_size(u->wlans)) {
		unifi_err(resp, 400, "api.err.IdInvalid");
		return;
	}
	if (en != NULL && !json_is_boolean(en)) {
		unifi_err(resp, 400, "api.err.InvalidPayload");
		return;
	}
	if (en != NULL)
		json_object_set(w, "enabled", en);
	unifi_ok(resp, json_pack("[O]", w));
}

/* GET rest/firewallrule. */
static void
unifi_rules(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);

	if (!unifi_site_ok(req, resp))
		return;
	unifi_ok(resp, json_deep_copy(u->rules));
}

/* POST rest/firewallrule: legacy sites only. */
static void
unifi_rule_post(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	const char	*action = sim_arg(req, "action");
	json_t		*r;
	char		 oid[32];

	if (!unifi_site_ok(req, resp))
		return;
	if (u->zone) {
		unifi_err(resp, 400, "api.err.ZoneBasedFirewallEnabled");
		return;
	}
	if (sim_arg(req, "name") == NULL || sim_arg(req, "ruleset") == NULL ||
	    action == NULL || (strcmp(action, "accept") != 0 &&
	    strcmp(action, "drop") != 0 && strcmp(action, "reject") != 0)) {
		unifi_err(resp, 400, "api.err.InvalidPayload");
		return;
	}
	r = json_deep_copy(req->args);
	unifi_oid(u, oid, sizeof oid);
	json_object_set_new(r, "_id", json_string(oid));
	json_object_set_new(r, "site_id", json_string(
	    "65a100000000000000000000"));
	json_array_append(u->rules, r);
	unifi_ok(resp, json_pack("[o]", r));
}

/* GET /v2/api/site/{site}/firewall-policies: zone-based sites. */
static void
unifi_policies(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);

	if (!u->zone) {
		sim_reply_json_new(resp, 404, json_pack("{s:i, s:s}",
		    "errorCode", 404, "message", "Not Found"));
		return;
	}
	if (!unifi_site_ok(req, resp))
		return;
	sim_reply_json_new(resp, 200, json_deep_copy(u->policies));
}

/* POST /v2/api/site/{site}/firewall-policies. */
static void
unifi_policy_post(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	const char	*action = sim_arg(req, "action");
	json_t		*p;
	char		 oid[32];

	if (!u->zone) {
		unifi_policies(svc, req, resp);
		return;
	}
	if (!unifi_site_ok(req, resp))
		return;
	if (sim_arg(req, "name") == NULL || action == NULL ||
	    !json_is_object(json_object_get(req->args, "source")) ||
	    !json_is_object(json_object_get(req->args, "destination"))) {
		sim_reply_json_new(resp, 400, json_pack("{s:i, s:s}",
		    "errorCode", 400, "message", "invalid policy"));
		return;
	}
	p = json_deep_copy(req->args);
	unifi_oid(u, oid, sizeof oid);
	json_object_set_new(p, "_id", json_string(oid));
	json_object_set_new(p, "predefined", json_false());
	json_object_set_new(p, "index", json_integer(10000 +
	    (json_int_t)json_array_size(u->policies)));
	json_array_append(u->policies, p);
	sim_reply_json_new(resp, 200, p);
}

/* Offset and limit of an Integration API page; -1 after an error. */
static int
unifi_page(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp, json_int_t *off, json_int_t *lim)
{
	const char	*sid = json_string_value(json_object_get(req->params,
	    "siteId"));
	struct unifi	*u = sim_service_data(svc);

	*off = unifi_int_arg(req, "offset", 0);
	*lim = unifi_int_arg(req, "limit", 25);
	if (sid != NULL && strcmp(sid, u->site_id) != 0) {
		unifi_int_err(svc, req, resp, 404, "NOT_FOUND",
		    "Site not found");
		return (-1);
	}
	if (*off < 0 || *lim < 1 || *lim > UNIFI_PAGE_MAX) {
		unifi_int_err(svc, req, resp, 400, "BAD_REQUEST",
		    "Invalid request: limit must be between 1 and 200");
		return (-1);
	}
	return (0);
}

/* The paged envelope around all (stolen). */
static void
unifi_paged(struct sim_response *resp, json_t *all, json_int_t off,
    json_int_t lim)
{
	json_t		*page = json_array();
	json_int_t	 i, total = (json_int_t)json_array_size(all);

	for (i = off; i < total && i < off + lim; i++)
		json_array_append(page, json_array_get(all, (size_t)i));
	sim_reply_json_new(resp, 200, json_pack("{s:I, s:I, s:I, s:I, s:o}",
	    "offset", off, "limit", lim, "count",
	    (json_int_t)json_array_size(page), "totalCount", total, "data",
	    page));
	json_decref(all);
}

/* GET /integration/v1/sites. */
static void
unifi_int_sites(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi	*u = sim_service_data(svc);
	json_int_t	 off, lim;

	if (unifi_page(svc, req, resp, &off, &lim) != 0)
		return;
	unifi_paged(resp, json_pack("[{s:s, s:s, s:s}]", "id", u->site_id,
	    "internalReference", "default", "name", "Default"), off, lim);
}

/* GET /integration/v1/sites/{siteId}/devices. */
static void
unifi_int_devices(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_device	*d;
	json_int_t		 off, lim;
	json_t			*all = json_array();
	int			 i;

	if (unifi_page(svc, req, resp, &off, &lim) != 0) {
		json_decref(all);
		return;
	}
	for (i = 0; i < UNIFI_NDEVICES; i++) {
		d = &u->devices[i];
		json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:s, s:s, s:b, s:[s], s:[s]}", "id", d->id, "name",
		    d->name, "model", d->model, "macAddress", d->mac,
		    "ipAddress", d->ip, "state", d->state == 1 ? "ONLINE" :
		    "OFFLINE", "firmwareVersion", d->version,
		    "firmwareUpdatable", d->upgradable, "features",
		    strcmp(d->type, "uap") == 0 ? "accessPoint" :
		    strcmp(d->type, "usw") == 0 ? "switching" : "gateway",
		    "interfaces", strcmp(d->type, "uap") == 0 ? "radios" :
		    "ports"));
	}
	unifi_paged(resp, all, off, lim);
}

/*
 * POST /integration/v1/sites/{siteId}/devices/{deviceId}/actions with
 * {"action":"RESTART"}: an empty 200, as consoles answer.
 */
static void
unifi_int_device_action(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_device	*d = NULL;
	const char		*did = json_string_value(json_object_get(
	    req->params, "deviceId"));
	const char		*action = sim_arg(req, "action");
	json_int_t		 off, lim;
	int			 i;

	if (unifi_page(svc, req, resp, &off, &lim) != 0)
		return;
	for (i = 0; did != NULL && i < UNIFI_NDEVICES; i++) {
		if (strcmp(u->devices[i].id, did) == 0)
			d = &u->devices[i];
	}
	if (d == NULL) {
		unifi_int_err(svc, req, resp, 404, "NOT_FOUND",
		    "Device not found");
		return;
	}
	if (action == NULL || strcmp(action, "RESTART") != 0) {
		unifi_int_err(svc, req, resp, 400, "BAD_REQUEST",
		    "Invalid request: action must be RESTART");
		return;
	}
	if (d->state != 1) {
		unifi_int_err(svc, req, resp, 400, "BAD_REQUEST",
		    "Device is not connected");
		return;
	}
	d->boot_ms = sim_now_ms(svc);
	sim_reply_text(resp, 200, "");
}

/* GET /integration/v1/sites/{siteId}/clients: connected clients. */
static void
unifi_int_clients(struct sim_service *svc, struct sim_request *req,
    struct sim_response *resp)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_client	*cl;
	json_int_t		 off, lim;
	json_t			*all;
	struct tm		 tm;
	time_t			 t;
	char			 ts[32];
	int			 i;

	if (unifi_page(svc, req, resp, &off, &lim) != 0)
		return;
	all = json_array();
	for (i = 0; i < u->nclients; i++) {
		cl = &u->clients[i];
		if (!unifi_online(u, cl))
			continue;
		t = (time_t)(cl->assoc_ms / 1000);
		gmtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:s, s:s, s:{s:s}}", "type", cl->wired ? "WIRED" :
		    "WIRELESS", "id", cl->id, "name", cl->name, "connectedAt",
		    ts, "ipAddress", cl->ip, "macAddress", cl->mac,
		    "uplinkDeviceId", u->devices[cl->uplink].id, "access",
		    "type", "DEFAULT"));
	}
	unifi_paged(resp, all, off, lim);
}

/* POST /state ops (see the top of the file). */
static int
unifi_state(struct sim_service *svc, json_t *j, char **cause)
{
	struct unifi		*u = sim_service_data(svc);
	struct unifi_session	*s, *sn;
	struct unifi_device	*d = NULL;
	const char		*op, *v;
	int			 i;

	op = json_string_value(json_object_get(j, "op"));
	if (op == NULL) {
		*cause = xstrdup("missing op");
		return (-1);
	}
	if (strcmp(op, "set_mode") == 0) {
		v = json_string_value(json_object_get(j, "mode"));
		if (v == NULL || (strcmp(v, "classic") != 0 &&
		    strcmp(v, "unifi_os") != 0)) {
			*cause = xstrdup("mode must be unifi_os|classic");
			return (-1);
		}
		u->classic_mode = strcmp(v, "classic") == 0;
		return (0);
	}
	if (strcmp(op, "set_key_classic") == 0 ||
	    strcmp(op, "set_firewall") == 0) {
		if (!json_is_boolean(json_object_get(j, op[4] == 'k' ?
		    "enabled" : "zone"))) {
			xasprintf(cause, "%s needs a boolean %s", op,
			    op[4] == 'k' ? "enabled" : "zone");
			return (-1);
		}
		if (op[4] == 'k')
			u->key_classic = json_is_true(json_object_get(j,
			    "enabled"));
		else
			u->zone = json_is_true(json_object_get(j, "zone"));
		return (0);
	}
	/* The console renews CSRF tokens: old ones stop working. */
	if (strcmp(op, "rotate_csrf") == 0) {
		for (s = u->sessions; s != NULL; s = s->next)
			unifi_uuid(&u->rng, s->csrf, sizeof s->csrf);
		return (0);
	}
	if (strcmp(op, "set_login_csrf") == 0) {
		if (!json_is_boolean(json_object_get(j, "enabled"))) {
			*cause = xstrdup("set_login_csrf needs a boolean "
			    "enabled");
			return (-1);
		}
		u->login_csrf = json_is_true(json_object_get(j, "enabled"));
		return (0);
	}
	if (strcmp(op, "expire_sessions") == 0) {
		for (s = u->sessions; s != NULL; s = sn) {
			sn = s->next;
			free(s);
		}
		u->sessions = NULL;
		return (0);
	}
	if (strcmp(op, "set_device_state") == 0) {
		v = json_string_value(json_object_get(j, "name"));
		for (i = 0; v != NULL && i < UNIFI_NDEVICES; i++) {
			if (strcmp(u->devices[i].name, v) == 0)
				d = &u->devices[i];
		}
		if (d == NULL)
			d = unifi_find_device(u, json_string_value(
			    json_object_get(j, "mac")));
		v = json_string_value(json_object_get(j, "state"));
		if (d == NULL || v == NULL || (strcmp(v, "online") != 0 &&
		    strcmp(v, "offline") != 0)) {
			*cause = xstrdup("need a device name or mac and state "
			    "online|offline");
			return (-1);
		}
		if (d->state == 0 && strcmp(v, "online") == 0)
			d->boot_ms = sim_now_ms(svc);
		d->state = strcmp(v, "online") == 0;
		return (0);
	}
	xasprintf(cause, "unknown op \"%s\"", op);
	return (-1);
}

/* Adds "unifi" to the endpoints file: the API key is the default. */
static void
unifi_endpoint(struct sim_service *svc, json_t *o)
{
	struct unifi	*u = sim_service_data(svc);

	json_object_set_new(o, "unifi", json_pack("{s:o, s:s, s:s, s:s, s:s}",
	    "url", json_sprintf("http://127.0.0.1:%u", sim_service_port(svc)),
	    "api_key", u->api_key, "site", "default", "user", u->user,
	    "password", u->password));
}

#define UNIFI_CLASSIC_ROUTES(p)						\
	{ "GET", p "/api/s/{site}/stat/sta", unifi_sta, 0 },		\
	{ "GET", p "/api/s/{site}/list/user", unifi_users, 0 },		\
	{ "GET", p "/api/s/{site}/stat/device", unifi_stat_device, 0 },	\
	{ "POST", p "/api/s/{site}/stat/device", unifi_stat_device, 0 },	\
	{ "GET", p "/api/s/{site}/stat/health", unifi_health, 0 },	\
	{ "POST", p "/api/s/{site}/cmd/stamgr", unifi_stamgr, 0 },	\
	{ "POST", p "/api/s/{site}/cmd/devmgr", unifi_devmgr, 0 },	\
	{ "POST", p "/api/s/{site}/cmd/hotspot", unifi_hotspot, 0 },	\
	{ "GET", p "/api/s/{site}/stat/voucher", unifi_stat_voucher, 0 },	\
	{ "POST", p "/api/s/{site}/stat/voucher", unifi_stat_voucher, 0 },	\
	{ "GET", p "/api/s/{site}/rest/wlanconf", unifi_wlanconf, 0 },	\
	{ "PUT", p "/api/s/{site}/rest/wlanconf/{id}", unifi_wlan_put, 0 },	\
	{ "GET", p "/api/s/{site}/rest/firewallrule", unifi_rules, 0 },	\
	{ "POST", p "/api/s/{site}/rest/firewallrule", unifi_rule_post, 0 },	\
	{ "GET", p "/v2/api/site/{site}/firewall-policies", unifi_policies,	\
	    0 },							\
	{ "POST", p "/v2/api/site/{site}/firewall-policies",		\
	    unifi_policy_post, 0 }

static const struct sim_route unifi_routes[] = {
	{ "GET", "/status", unifi_status, SIM_ROUTE_NOAUTH },
	{ "POST", "/api/auth/login", unifi_os_login, SIM_ROUTE_NOAUTH },
	{ "POST", "/api/login", unifi_classic_login, SIM_ROUTE_NOAUTH },
	{ "GET", UNIFI_PREFIX "/integration/v1/sites", unifi_int_sites, 0 },
	{ "GET", UNIFI_PREFIX "/integration/v1/sites/{siteId}/devices",
	    unifi_int_devices, 0 },
	{ "GET", UNIFI_PREFIX "/integration/v1/sites/{siteId}/clients",
	    unifi_int_clients, 0 },
	{ "POST", UNIFI_PREFIX "/integration/v1/sites/{siteId}/devices/"
	    "{deviceId}/actions", unifi_int_device_action, 0 },
	UNIFI_CLASSIC_ROUTES(UNIFI_PREFIX),
	UNIFI_CLASSIC_ROUTES(""),
	{ NULL, NULL, NULL, 0 }
};

const struct sim_service_ops sim_unifi_ops = {
	.name = "unifi",
	.prefix = "",
	.routes = unifi_routes,
	.create = unifi_create,
	.destroy = unifi_destroy,
	.authorize = unifi_authorize,
	.unauthorized = unifi_unauthorized,
	.error = unifi_error,
	.not_found = unifi_not_found,
	.state = unifi_state,
	.endpoint = unifi_endpoint,
};
