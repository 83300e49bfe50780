/*
 * NetBox backend (REST API, NetBox 4.x): transport (HTTP through
 * core/http with an API token: "Token ..." or, for the v2 tokens of
 * NetBox 4.5 and later, "Bearer nbt_..."), the poller (every device, IP
 * address and prefix, 1,000 per page following "next") and the netbox_*
 * tools. Parsing lives in netbox-parse.c, the lookup hooks of
 * racktop_find and racktop_drift in netbox-find.c.
 *
 * DESIGN
 * Owner: one struct nb per configured instance, created and destroyed on
 * the main thread. The poller thread uses nb->poller alone; tool calls
 * borrow clients from nb->pool. Nothing else is shared: a token needs no
 * login. Error causes carry NetBox's own message ("detail", or the field
 * errors of a 400) and never a header.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/call.h"
#include "core/http.h"
#include "core/readview.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "services/netbox.h"
#include "services/services.h"

#define NB_REFRESH_S 60
#define NB_MAX_AGE_S 60
#define NB_POOL_MAX 4
#define NB_PAGE 1000
#define NB_MAX_PAGES 200
#define NB_SEARCH_LIMIT 25

struct nb {
	char *name;
	struct rt_instance *in;
	struct http_opts opts;	/* strings owned */
	char *auth;		/* the ready Authorization header line */
	struct http_pool pool;
	struct http_client *poller;
};

/* The state of an instance. */
static struct nb *
nb_of(struct rt_instance *in)
{
	return (in->state);
}

/* Fails a call with the "netbox NAME: " prefix. */
static int __attribute__((format(printf, 3, 4)))
nb_fail(struct rt_call *c, struct rt_instance *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	call_fail(c, "netbox %s: %s", in->name, msg);
	free(msg);
	return (-1);
}

/* Fails a call with a cause it frees. */
static int
nb_fail_free(struct rt_call *c, struct rt_instance *in, char *why)
{
	nb_fail(c, in, "%s", why != NULL ? why : "failed");
	free(why);
	return (-1);
}

/*
 * One API request: the 2xx body as JSON (new reference; json_null() for
 * an empty body), or NULL with *status (0: no answer), *kind and *cause
 * ("GET /ipam/prefixes/: HTTP 400: dns_name: ...").
 */
static json_t *
nb_req(struct nb *nb, struct http_client *cl, const char *method,
    const char *path, const json_t *body, long *status, int *kind,
    char **cause)
{
	struct http_response resp;
	const char *hdrs[4];
	json_error_t err;
	char *text = NULL, *msg, *shown;
	json_t *j;

	*status = 0;
	if (body != NULL)
		text = json_dumps(body, JSON_COMPACT);
	hdrs[0] = nb->auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = text != NULL ? "Content-Type: application/json" : NULL;
	hdrs[3] = NULL;
	memset(&resp, 0, sizeof resp);
	if (http_request(cl, method, path, hdrs, text, text != NULL ?
	    strlen(text) : 0, &resp, cause) != 0) {
		free(text);
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	free(text);
	*status = resp.status;
	shown = xstrndup(path, strcspn(path, "?"));
	if (resp.status < 200 || resp.status > 299) {
		msg = netbox_error_message(resp.body, resp.len);
		*kind = resp.status == 401 || resp.status == 403 ?
		    RT_ERR_AUTH : RT_ERR_UPSTREAM;
		if (*kind == RT_ERR_AUTH)
			xasprintf(cause, "%s %s: HTTP %ld: token refused (%s)",
			    method, shown, resp.status, msg != NULL ? msg :
			    "no detail");
		else
			xasprintf(cause, "%s %s: HTTP %ld%s%s", method, shown,
			    resp.status, msg != NULL ? ": " : "", msg != NULL ?
			    msg : "");
		free(msg);
		free(shown);
		http_response_free(&resp);
		return (NULL);
	}
	if (resp.len == 0) {
		free(shown);
		http_response_free(&resp);
		return (json_null());
	}
	if ((j = json_loadb(resp.body, resp.len, 0, &err)) == NULL) {
		*kind = RT_ERR_UPSTREAM;
		xasprintf(cause, "%s %s: invalid JSON in response: %s", method,
		    shown, err.text);
	}
	free(shown);
	http_response_free(&resp);
	return (j);
}

/*
 * Every page of a list: the concatenated results (new array), or NULL
 * with *kind and *cause. path carries its own filters.
 */
static json_t *
nb_all(struct nb *nb, struct http_client *cl, const char *path, int *kind,
    char **cause)
{
	json_t *all = json_array(), *page;
	char *next, buf[2048];
	const char *link;
	long status;
	int n;

	xasprintf(&next, "%s%slimit=%d", path, strchr(path, '?') != NULL ?
	    "&" : "?", NB_PAGE);
	for (n = 0; next != NULL; n++) {
		if (n == NB_MAX_PAGES) {
			xasprintf(cause, "GET %.*s: more than %d pages",
			    (int)strcspn(path, "?"), path, NB_MAX_PAGES);
			*kind = RT_ERR_UPSTREAM;
			goto fail;
		}
		page = nb_req(nb, cl, "GET", next, NULL, &status, kind, cause);
		free(next);
		next = NULL;
		if (page == NULL)
			goto fail;
		if (!json_is_array(json_object_get(page, "results"))) {
			json_decref(page);
			xasprintf(cause, "GET %.*s: no results list",
			    (int)strcspn(path, "?"), path);
			*kind = RT_ERR_UPSTREAM;
			goto fail;
		}
		json_array_extend(all, json_object_get(page, "results"));
		link = json_string_value(json_object_get(page, "next"));
		if (link != NULL && netbox_next_path(link, buf, sizeof buf))
			next = xstrdup(buf);
		json_decref(page);
	}
	return (all);
fail:
	free(next);
	json_decref(all);
	return (NULL);
}

/* The snapshot data: devices, addresses, prefixes. */
static json_t *
nb_fetch(struct nb *nb, struct http_client *cl, int *kind, char **cause)
{
	json_t *dev, *ips, *pfx, *addresses, *snap;

	if ((dev = nb_all(nb, cl, "/dcim/devices/", kind, cause)) == NULL)
		return (NULL);
	if ((ips = nb_all(nb, cl, "/ipam/ip-addresses/", kind, cause)) ==
	    NULL) {
		json_decref(dev);
		return (NULL);
	}
	if ((pfx = nb_all(nb, cl, "/ipam/prefixes/", kind, cause)) == NULL) {
		json_decref(dev);
		json_decref(ips);
		return (NULL);
	}
	addresses = netbox_parse_addresses(ips, nb->name);
	snap = json_pack("{s:o, s:o, s:o}", "devices",
	    netbox_parse_devices(dev, nb->name), "prefixes",
	    netbox_parse_prefixes(pfx, addresses, nb->name), "addresses",
	    addresses);
	json_decref(dev);
	json_decref(ips);
	json_decref(pfx);
	return (snap);
}

/* One refresh. */
static json_t *
nb_poll(void *arg, int *kind, char **cause)
{
	struct nb *nb = arg;

	if (nb->poller == NULL &&
	    (nb->poller = http_client_create(&nb->opts, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	return (nb_fetch(nb, nb->poller, kind, cause));
}

/* A live read for read_view (lazy mode, max_age_s 0). */
static json_t *
nb_view_fetch(void *arg, int *kind, char **cause)
{
	struct nb *nb = arg;
	struct http_client *cl;
	json_t *j;

	if ((cl = http_pool_get(&nb->pool, cause)) == NULL) {
		*kind = RT_ERR_UNREACHABLE;
		return (NULL);
	}
	j = nb_fetch(nb, cl, kind, cause);
	http_pool_put(&nb->pool, cl);
	return (j);
}

/* Frees an instance's state. */
static void
nb_destroy(void *arg)
{
	struct nb *nb = arg;

	if (nb == NULL)
		return;
	http_pool_finish(&nb->pool);
	http_client_destroy(nb->poller);
	free(nb->name);
	free((char *)nb->opts.base_url);
	free((char *)nb->opts.ca_file);
	free((char *)nb->opts.fingerprint);
	if (nb->auth != NULL)
		explicit_bzero(nb->auth, strlen(nb->auth));
	free(nb->auth);
	free(nb);
}

/* Creates an instance from its [netbox "name"] section. */
static void *
nb_create(struct rt_instance *in, const struct rt_instance_conf *ic,
    char **cause)
{
	const char *url, *token;
	struct http_client *cl;
	struct nb *nb;
	char *why = NULL, *base;
	size_t len;
	long timeout;
	bool verify;

	if ((url = conf_get(ic, "url")) == NULL) {
		xasprintf(cause, "url: missing (https://netbox.example)");
		return (NULL);
	}
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) !=
	    0) {
		xasprintf(cause, "url: must start with https:// or http://");
		return (NULL);
	}
	if ((token = conf_get(ic, "token")) == NULL || *token == '\0') {
		xasprintf(cause, "token: missing (a NetBox API token)");
		return (NULL);
	}
	if (strpbrk(token, " \t\r\n") != NULL) {
		xasprintf(cause, "token: must not contain white space");
		return (NULL);
	}
	if (conf_get_int(ic, "timeout", 10, &timeout, &why) != 0 ||
	    conf_get_bool(ic, "verify_tls", true, &verify, &why) != 0) {
		*cause = why;
		return (NULL);
	}
	nb = xcalloc(1, sizeof *nb);
	nb->in = in;
	nb->name = xstrdup(ic->name);
	http_pool_init(&nb->pool, &nb->opts, NB_POOL_MAX);
	base = xstrdup(url);
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	xasprintf((char **)&nb->opts.base_url, "%s/api", base);
	free(base);
	nb->opts.timeout_ms = timeout > 0 ? timeout * 1000 : 10000;
	nb->opts.connect_timeout_ms = nb->opts.timeout_ms < 5000 ?
	    nb->opts.timeout_ms : 5000;
	nb->opts.insecure = !verify;
	if (conf_get(ic, "ca_file") != NULL)
		nb->opts.ca_file = xstrdup(conf_get(ic, "ca_file"));
	if (conf_get(ic, "fingerprint") != NULL)
		nb->opts.fingerprint = xstrdup(conf_get(ic, "fingerprint"));
	nb->auth = netbox_auth_header(token);
	if ((cl = http_client_create(&nb->opts, &why)) == NULL) {
		*cause = why;
		nb_destroy(nb);
		return (NULL);
	}
	http_pool_put(&nb->pool, cl);
	return (nb);
}

/* A live request with a pooled client, for tools. */
static json_t *
nb_call(struct nb *nb, const char *method, const char *path,
    const json_t *body, long *status, char **cause)
{
	struct http_client *cl;
	json_t *r;
	int kind;

	*status = 0;
	if ((cl = http_pool_get(&nb->pool, cause)) == NULL)
		return (NULL);
	r = nb_req(nb, cl, method, path, body, status, &kind, cause);
	http_pool_put(&nb->pool, cl);
	return (r);
}

/* Whether a string argument, when given, equals s (any case). */
static bool
nb_arg_is(struct rt_call *c, const char *arg, const char *s)
{
	const char *v = call_arg_str(c, arg);

	return (v == NULL || (s != NULL && strcasecmp(v, s) == 0));
}

/* Whether search, when given, is part of one of the row's strings. */
static bool
nb_search(struct rt_call *c, const json_t *row, const char *const *keys)
{
	const char *q = call_arg_str(c, "search"), *v;

	if (q == NULL)
		return (true);
	for (; *keys != NULL; keys++) {
		v = json_string_value(json_object_get(row, *keys));
		if (v != NULL && strcasestr(v, q) != NULL)
			return (true);
	}
	return (false);
}

/* netbox_list_devices filter. */
static bool
nb_match_device(struct rt_call *c, const json_t *row)
{
	static const char *const keys[] = { "name", "description", "serial",
	    "primary_ip", "type", NULL };
	const char *tag = call_arg_str(c, "tag");
	const json_t *t;
	size_t i;
	bool found = tag == NULL;

	json_array_foreach(json_object_get(row, "tags"), i, t) {
		if (tag != NULL && strcasecmp(json_string_value(t), tag) == 0)
			found = true;
	}
	return (found && nb_arg_is(c, "site", json_string_value(
	    json_object_get(row, "site"))) && nb_arg_is(c, "role",
	    json_string_value(json_object_get(row, "role"))) &&
	    nb_arg_is(c, "status", json_string_value(json_object_get(row,
	    "status"))) && nb_search(c, row, keys));
}

/* netbox_list_devices. */
static int
nb_list_devices(struct rt_call *c)
{
	return (read_view_list(c, NB_MAX_AGE_S, nb_view_fetch, "devices",
	    nb_match_device));
}

/* netbox_list_prefixes filter. */
static bool
nb_match_prefix(struct rt_call *c, const json_t *row)
{
	static const char *const keys[] = { "prefix", "description", NULL };
	json_int_t min = call_arg_int(c, "min_utilisation", 0);

	return (nb_arg_is(c, "status", json_string_value(json_object_get(row,
	    "status"))) && nb_arg_is(c, "site", json_string_value(
	    json_object_get(row, "site"))) && json_real_value(
	    json_object_get(row, "utilisation")) * 100 >= (double)min &&
	    nb_search(c, row, keys));
}

/* netbox_list_prefixes. */
static int
nb_list_prefixes(struct rt_call *c)
{
	return (read_view_list(c, NB_MAX_AGE_S, nb_view_fetch, "prefixes",
	    nb_match_prefix));
}

/* netbox_list_ip_addresses filter. */
static bool
nb_match_address(struct rt_call *c, const json_t *row)
{
	static const char *const keys[] = { "address", "dns_name",
	    "description", "device", "vm", NULL };
	const char *prefix = call_arg_str(c, "prefix");
	struct netbox_net net, ip;

	if (prefix != NULL && (!netbox_net_parse(prefix, &net) ||
	    !netbox_net_parse(json_string_value(json_object_get(row,
	    "address")), &ip) || !netbox_net_contains(&net, &ip)))
		return (false);
	return (nb_arg_is(c, "status", json_string_value(json_object_get(row,
	    "status"))) && nb_arg_is(c, "device", json_string_value(
	    json_object_get(row, "device"))) && nb_arg_is(c, "vm",
	    json_string_value(json_object_get(row, "vm"))) &&
	    nb_search(c, row, keys));
}

/* netbox_list_ip_addresses. */
static int
nb_list_addresses(struct rt_call *c)
{
	const char *prefix = call_arg_str(c, "prefix");
	struct netbox_net net;

	if (prefix != NULL && !netbox_net_parse(prefix, &net))
		return (call_fail(c, "prefix: \"%s\" is not a network such as "
		    "10.0.0.0/24", prefix));
	return (read_view_list(c, NB_MAX_AGE_S, nb_view_fetch, "addresses",
	    nb_match_address));
}

/*
 * The id of a prefix given as CIDR: from the snapshot, else asked live.
 * 0, or -1 after failing the call.
 */
static int
nb_prefix_id(struct rt_call *c, struct rt_instance *in, const char *prefix,
    json_int_t *id)
{
	struct nb *nb = nb_of(in);
	struct read_view v;
	const json_t *row;
	json_t *r;
	char *path, *esc, *why = NULL;
	long status;
	size_t i;

	*id = 0;
	read_view_snapshot(in, NB_MAX_AGE_S, &v);
	json_array_foreach(json_object_get(v.data, "prefixes"), i, row) {
		if (strcmp(json_string_value(json_object_get(row, "prefix")),
		    prefix) == 0)
			*id = json_integer_value(json_object_get(row, "id"));
	}
	read_view_put(&v);
	if (*id > 0)
		return (0);
	esc = http_escape(prefix);
	xasprintf(&path, "/ipam/prefixes/?prefix=%s&limit=2", esc);
	free(esc);
	r = nb_call(nb, "GET", path, NULL, &status, &why);
	free(path);
	if (r == NULL)
		return (nb_fail_free(c, in, why));
	*id = json_integer_value(json_object_get(json_array_get(
	    json_object_get(r, "results"), 0), "id"));
	json_decref(r);
	if (*id <= 0)
		return (nb_fail(c, in, "no prefix %s in NetBox", prefix));
	return (0);
}

/*
 * The id of an interface: a device's (dcim) or a virtual machine's
 * (virtualization) by names. 0, or -1 after failing the call.
 */
static int
nb_iface_id(struct rt_call *c, struct rt_instance *in, bool vm,
    const char *owner, const char *name, json_t **found)
{
	json_t *r;
	char *path, *e1, *e2, *why = NULL;
	long status;

	*found = NULL;
	e1 = http_escape(owner);
	e2 = http_escape(name);
	xasprintf(&path, vm ? "/virtualization/interfaces/?virtual_machine=%s"
	    "&name=%s&limit=2" : "/dcim/interfaces/?device=%s&name=%s&limit=2",
	    e1, e2);
	free(e1);
	free(e2);
	r = nb_call(nb_of(in), "GET", path, NULL, &status, &why);
	free(path);
	if (r == NULL)
		return (nb_fail_free(c, in, why));
	if (!json_is_object(json_array_get(json_object_get(r, "results"), 0))) {
		json_decref(r);
		return (nb_fail(c, in, "no interface %s on %s %s", name, vm ?
		    "virtual machine" : "device", owner));
	}
	*found = json_incref(json_array_get(json_object_get(r, "results"), 0));
	json_decref(r);
	return (0);
}

/* netbox_allocate_ip. */
static int
nb_allocate_ip(struct rt_call *c)
{
	const char *prefix = call_arg_str(c, "prefix");
	const char *device = call_arg_str(c, "device");
	const char *vm = call_arg_str(c, "vm");
	const char *iface = call_arg_str(c, "interface");
	const char *dns = call_arg_str(c, "dns_name");
	const char *desc = call_arg_str(c, "description");
	const char *st = call_arg_str(c, "status");
	struct rt_instance *in;
	struct netbox_net net;
	json_t *body, *r, *ifc = NULL, *rows, *result;
	json_int_t id;
	char *path, *why = NULL;
	long status;

	if (!netbox_net_parse(prefix, &net) || strchr(prefix, '/') == NULL)
		return (call_fail(c, "prefix: \"%s\" is not a network such as "
		    "10.0.0.0/24", prefix));
	if ((device != NULL || vm != NULL) != (iface != NULL))
		return (call_fail(c, "interface: give it with device or vm, "
		    "or leave all three out"));
	if (device != NULL && vm != NULL)
		return (call_fail(c, "device, vm: give one of them"));
	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (nb_prefix_id(c, in, prefix, &id) != 0)
		return (-1);
	if (iface != NULL && nb_iface_id(c, in, vm != NULL, vm != NULL ? vm :
	    device, iface, &ifc) != 0)
		return (-1);
	body = json_pack("{s:s}", "status", st != NULL ? st : "active");
	if (dns != NULL)
		json_object_set_new(body, "dns_name", json_string(dns));
	if (desc != NULL)
		json_object_set_new(body, "description", json_string(desc));
	if (ifc != NULL) {
		json_object_set_new(body, "assigned_object_type", json_string(
		    vm != NULL ? "virtualization.vminterface" :
		    "dcim.interface"));
		json_object_set(body, "assigned_object_id", json_object_get(ifc,
		    "id"));
	}
	json_decref(ifc);
	xasprintf(&path, "/ipam/prefixes/%lld/available-ips/", (long long)id);
	r = nb_call(nb_of(in), "POST", path, body, &status, &why);
	free(path);
	json_decref(body);
	if (r == NULL && status == 409) {
		free(why);
		return (nb_fail(c, in, "prefix %s has no free address", prefix));
	}
	if (r == NULL)
		return (nb_fail_free(c, in, why));
	if (json_is_array(r)) {
		body = json_incref(json_array_get(r, 0));
		json_decref(r);
		r = body;
	}
	body = json_pack("[O]", r);
	rows = netbox_parse_addresses(body, in->name);
	json_decref(body);
	json_decref(r);
	if (json_array_size(rows) != 1) {
		json_decref(rows);
		return (nb_fail(c, in, "POST available-ips: no address in the "
		    "answer"));
	}
	result = json_deep_copy(json_array_get(rows, 0));
	json_decref(rows);
	json_object_set_new(result, "prefix", json_string(prefix));
	json_object_set_new(result, "status", json_string("ok"));
	json_object_set_new(result, "address_status", json_string(st != NULL ?
	    st : "active"));
	instance_refresh_soon(in);
	return (call_ok(c, result));
}

/* netbox_create_vlan. */
static int
nb_create_vlan(struct rt_call *c)
{
	const char *site = call_arg_str(c, "site");
	const char *group = call_arg_str(c, "group");
	const char *st = call_arg_str(c, "status");
	struct rt_instance *in;
	json_t *body, *r, *row;
	char *why = NULL;
	long status;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	body = json_pack("{s:I, s:s, s:s}", "vid", call_arg_int(c, "vid", 0),
	    "name", call_arg_str(c, "name"), "status", st != NULL ? st :
	    "active");
	/* NetBox looks related objects up by their attributes. */
	if (site != NULL)
		json_object_set_new(body, "site", json_pack("{s:s}", "slug",
		    site));
	if (group != NULL)
		json_object_set_new(body, "group", json_pack("{s:s}", "slug",
		    group));
	r = nb_call(nb_of(in), "POST", "/ipam/vlans/", body, &status, &why);
	json_decref(body);
	if (r == NULL)
		return (nb_fail_free(c, in, why));
	row = netbox_parse_vlan(r, in->name);
	json_decref(r);
	json_object_set_new(row, "result", json_string("created"));
	return (call_ok(c, row));
}

/* The cable map change a call asks for, resolved. */
struct nb_cable_plan {
	const char *method;
	char *path;
	json_t *body;		/* POST body or NULL */
	json_t *target;		/* what it touches */
};

/* Frees a plan's members. */
static void
nb_plan_free(struct nb_cable_plan *p)
{
	free(p->path);
	json_decref(p->body);
	json_decref(p->target);
}

/* A termination list for one interface. */
static json_t *
nb_term(const json_t *ifc)
{
	return (json_pack("[{s:s, s:O}]", "object_type", "dcim.interface",
	    "object_id", json_object_get(ifc, "id")));
}

/* Resolves netbox_update_cable_map's arguments. 0, or -1 failed. */
static int
nb_cable_plan(struct rt_call *c, struct rt_instance *in,
    struct nb_cable_plan *p)
{
	const char *action = call_arg_str(c, "action");
	const char *ad = call_arg_str(c, "a_device");
	const char *ai = call_arg_str(c, "a_interface");
	const char *bd = call_arg_str(c, "b_device");
	const char *bi = call_arg_str(c, "b_interface");
	const char *label = call_arg_str(c, "label");
	json_int_t cable = call_arg_int(c, "cable_id", 0);
	json_t *a = NULL, *b = NULL;

	memset(p, 0, sizeof *p);
	if (strcmp(action, "connect") == 0) {
		if (ad == NULL || ai == NULL || bd == NULL || bi == NULL)
			return (call_fail(c, "connect needs a_device, "
			    "a_interface, b_device and b_interface"));
		if (nb_iface_id(c, in, false, ad, ai, &a) != 0)
			return (-1);
		if (nb_iface_id(c, in, false, bd, bi, &b) != 0) {
			json_decref(a);
			return (-1);
		}
		if (!json_is_null(json_object_get(a, "cable")) ||
		    !json_is_null(json_object_get(b, "cable"))) {
			json_decref(a);
			json_decref(b);
			return (nb_fail(c, in, "%s %s already has a cable: "
			    "remove it first", !json_is_null(json_object_get(a,
			    "cable")) ? ad : bd, !json_is_null(json_object_get(
			    a, "cable")) ? ai : bi));
		}
		p->method = "POST";
		p->path = xstrdup("/dcim/cables/");
		p->body = json_pack("{s:o, s:o, s:s}", "a_terminations",
		    nb_term(a), "b_terminations", nb_term(b), "status",
		    "connected");
		if (label != NULL)
			json_object_set_new(p->body, "label",
			    json_string(label));
		p->target = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "a",
		    "device", ad, "interface", ai, "b", "device", bd,
		    "interface", bi);
		json_decref(a);
		json_decref(b);
		return (0);
	}
	if (cable <= 0) {
		if (ad == NULL || ai == NULL)
			return (call_fail(c, "remove needs cable_id, or "
			    "a_device and a_interface"));
		if (nb_iface_id(c, in, false, ad, ai, &a) != 0)
			return (-1);
		cable = json_integer_value(json_object_get(json_object_get(a,
		    "cable"), "id"));
		json_decref(a);
		if (cable <= 0)
			return (nb_fail(c, in, "%s %s has no cable", ad, ai));
	}
	p->method = "DELETE";
	xasprintf(&p->path, "/dcim/cables/%lld/", (long long)cable);
	p->target = json_pack("{s:I}", "cable_id", cable);
	return (0);
}

/* The dry-run preview of a cable map change. */
static int
nb_cable_preview(struct rt_call *c, struct rt_instance *in,
    struct nb_cable_plan *p)
{
	json_t *req;

	req = json_pack("{s:s, s:s}", "method", p->method, "path", p->path);
	if (p->body != NULL)
		json_object_set(req, "body", p->body);
	return (call_ok(c, json_pack("{s:s, s:s, s:s, s:b, s:[o], s:O}",
	    "instance", in->name, "action", call_arg_str(c, "action"),
	    "status", "dry_run", "dry_run", 1, "requests", req, "target",
	    p->target)));
}

/* describe for netbox_update_cable_map. */
static int
nb_describe_cable(struct rt_call *c)
{
	struct nb_cable_plan p;
	struct rt_instance *in;
	int rv;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (nb_cable_plan(c, in, &p) != 0)
		return (-1);
	rv = nb_cable_preview(c, in, &p);
	nb_plan_free(&p);
	return (rv);
}

/* netbox_update_cable_map. */
static int
nb_update_cable_map(struct rt_call *c)
{
	struct nb_cable_plan p;
	struct rt_instance *in;
	json_t *r, *result;
	char *why = NULL;
	long status;
	int rv;

	if ((in = call_instance(c)) == NULL)
		return (-1);
	if (nb_cable_plan(c, in, &p) != 0)
		return (-1);
	if (json_is_true(json_object_get(c->args, "dry_run"))) {
		rv = nb_cable_preview(c, in, &p);
		nb_plan_free(&p);
		return (rv);
	}
	r = nb_call(nb_of(in), p.method, p.path, p.body, &status, &why);
	if (r == NULL) {
		nb_plan_free(&p);
		return (nb_fail_free(c, in, why));
	}
	result = json_pack("{s:s, s:s, s:s, s:O}", "instance", in->name,
	    "action", call_arg_str(c, "action"), "status",
	    strcmp(p.method, "POST") == 0 ? "connected" : "removed", "target",
	    p.target);
	if (json_is_object(r))
		json_object_set_new(result, "cable", netbox_parse_cable(r,
		    in->name));
	json_decref(r);
	nb_plan_free(&p);
	instance_refresh_soon(in);
	return (call_ok(c, result));
}

/* The object types netbox_search queries, and their list paths. */
static const struct {
	const char *type;
	const char *path;
} nb_search_types[] = {
	{ "device", "/dcim/devices/" },
	{ "interface", "/dcim/interfaces/" },
	{ "ip-address", "/ipam/ip-addresses/" },
	{ "prefix", "/ipam/prefixes/" },
	{ "vlan", "/ipam/vlans/" },
	{ "virtual-machine", "/virtualization/virtual-machines/" },
	{ "site", "/dcim/sites/" },
};
#define NB_NTYPES (sizeof nb_search_types / sizeof nb_search_types[0])

/* Whether the types argument, when given, names type. */
static bool
nb_wants_type(struct rt_call *c, const char *type)
{
	const json_t *types = json_object_get(c->args, "types"), *t;
	size_t i;

	if (!json_is_array(types))
		return (true);
	json_array_foreach(types, i, t) {
		if (strcmp(json_string_value(t), type) == 0)
			return (true);
	}
	return (false);
}

/* netbox_search: q on every object type, merged (NetBox has no global API). */
static int
nb_search_all(struct rt_call *c)
{
	const char *q = call_arg_str(c, "query");
	struct rt_instance **ins;
	json_t *items, *errors, *r, *hit, *o;
	char *esc, *path, *why;
	long status;
	size_t n, i, t, j, nerr = 0, nfail;

	if ((ins = call_read_instances(c, &n)) == NULL)
		return (-1);
	items = json_array();
	errors = json_array();
	esc = http_escape(q);
	for (i = 0; i < n; i++) {
		nfail = 0;
		for (t = 0; t < NB_NTYPES; t++) {
			if (!nb_wants_type(c, nb_search_types[t].type))
				continue;
			if (call_should_stop(c))
				break;
			why = NULL;
			xasprintf(&path, "%s?q=%s&limit=%d",
			    nb_search_types[t].path, esc, NB_SEARCH_LIMIT);
			r = nb_call(nb_of(ins[i]), "GET", path, NULL, &status,
			    &why);
			free(path);
			if (r == NULL) {
				json_array_append_new(errors, json_pack(
				    "{s:s, s:s}", "instance", ins[i]->name,
				    "error", why != NULL ? why : "failed"));
				free(why);
				nfail++;
				continue;
			}
			json_array_foreach(json_object_get(r, "results"), j,
			    o) {
				hit = netbox_parse_hit(nb_search_types[t].type,
				    o, ins[i]->name);
				if (hit != NULL)
					json_array_append_new(items, hit);
			}
			json_decref(r);
		}
		if (nfail > 0 && json_array_size(items) == 0)
			nerr++;
	}
	free(esc);
	free(ins);
	if (nerr == n && json_array_size(errors) > 0) {
		json_decref(items);
		return (call_fail_all(c, errors));
	}
	return (call_list_result(c, items, 0, errors));
}

#define S_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home NetBox\"]," \
	"\"description\":\"Configured NetBox instance; required when " \
	"several are configured.\"}"
#define S_READ_INSTANCE \
	"\"instance\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]+$\"," \
	"\"examples\":[\"home\"],\"x-counterexamples\":[\"Home NetBox\"]," \
	"\"description\":\"Only this configured instance; every one when " \
	"left out.\"}"
#define S_SLUG(what) \
	"{\"type\":\"string\",\"pattern\":\"^[-a-zA-Z0-9_]+$\",\"examples\":" \
	"[\"home\",\"access-point\"],\"x-counterexamples\":[\"a b\"]," \
	"\"description\":\"" what "\"}"
#define S_NAME(what) \
	"{\"type\":\"string\",\"minLength\":1,\"maxLength\":64," \
	"\"description\":\"" what "\"}"
#define S_SEARCH \
	"\"search\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":256," \
	"\"description\":\"Part of a name, address or description, any " \
	"case.\"}"
#define S_CIDR(what) \
	"{\"type\":\"string\",\"pattern\":\"^[0-9a-fA-F:.]+/[0-9]{1,3}$\"," \
	"\"examples\":[\"10.0.0.0/24\",\"fd00::/64\"],\"x-counterexamples\":" \
	"[\"10.0.0.0\",\"lan\"],\"description\":\"" what "\"}"
#define S_STR "{\"type\":\"string\"}"
#define S_STRS "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_BOOL "{\"type\":\"boolean\"}"
#define DEVICE_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"name\"," \
	"\"role\",\"site\",\"status\",\"tags\"],\"properties\":{\"instance\":" \
	S_STR ",\"id\":" S_INT ",\"name\":" S_STR ",\"role\":" S_STR \
	",\"site\":" S_STR ",\"status\":" S_STR ",\"tags\":" S_STRS \
	",\"primary_ip\":" S_STR ",\"type\":" S_STR ",\"serial\":" S_STR \
	",\"description\":" S_STR "}}"
#define ADDRESS_PROPS \
	"\"instance\":" S_STR ",\"id\":" S_INT ",\"address\":" S_STR \
	",\"ip\":" S_STR ",\"family\":{\"enum\":[4,6]},\"status\":" S_STR \
	",\"dns_name\":" S_STR ",\"description\":" S_STR ",\"assigned_type\":" \
	S_STR ",\"device\":" S_STR ",\"vm\":" S_STR ",\"interface\":" S_STR
#define ADDRESS_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"address\"," \
	"\"ip\",\"status\",\"dns_name\"],\"properties\":{" ADDRESS_PROPS "}}"
#define PREFIX_ITEM \
	"{\"type\":\"object\",\"required\":[\"instance\",\"id\",\"prefix\"," \
	"\"status\",\"size\",\"used\",\"utilisation\"],\"properties\":{" \
	"\"instance\":" S_STR ",\"id\":" S_INT ",\"prefix\":" S_STR \
	",\"family\":{\"enum\":[4,6]},\"status\":" S_STR ",\"site\":" S_STR \
	",\"vlan\":" S_INT ",\"description\":" S_STR ",\"size\":" S_NUM \
	",\"used\":" S_INT ",\"utilisation\":{\"type\":\"number\"," \
	"\"minimum\":0,\"maximum\":1}}}"
#define CABLE_SIDE \
	"{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{" \
	"\"type\":" S_STR ",\"id\":" S_INT ",\"device\":" S_STR \
	",\"interface\":" S_STR "}}}"
#define S_DRY_RUN \
	"\"dry_run\":{\"type\":\"boolean\",\"default\":false,\"description\":" \
	"\"Return the request it would make and do nothing.\"}"

static const struct rt_tool nb_tools[] = {
	{
	    .name = "netbox_list_devices",
	    .title = "List NetBox devices",
	    .description = "Devices documented in NetBox: role, site, status, "
		"tags, primary IP, type and serial. Filter by site, role, "
		"status or tag (slugs), or search names and descriptions.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"site\":"
		S_SLUG("Only devices of this site (slug).") ",\"role\":"
		S_SLUG("Only devices with this role (slug).") ",\"status\":{"
		"\"enum\":[\"offline\",\"active\",\"planned\",\"staged\","
		"\"failed\",\"inventory\",\"decommissioning\"],\"description\":"
		"\"Only devices with this status.\"},\"tag\":"
		S_SLUG("Only devices with this tag (slug).") "," S_SEARCH ","
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(DEVICE_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = nb_list_devices,
	},
	{
	    .name = "netbox_list_prefixes",
	    .title = "List NetBox prefixes",
	    .description = "IP prefixes with their utilisation, computed from "
		"the NetBox addresses inside each (used / size; an IPv4 "
		"prefix shorter than /31 loses its network and broadcast "
		"addresses), status, site and VLAN.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"status\":{\"enum\":"
		"[\"container\",\"active\",\"reserved\",\"deprecated\"],"
		"\"description\":\"Only prefixes with this status.\"},"
		"\"site\":" S_SLUG("Only prefixes of this site (slug).") ","
		"\"min_utilisation\":{\"type\":\"integer\",\"minimum\":0,"
		"\"maximum\":100,\"description\":\"Only prefixes at least this "
		"full, in percent.\"}," S_SEARCH "," RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(PREFIX_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = nb_list_prefixes,
	},
	{
	    .name = "netbox_list_ip_addresses",
	    .title = "List NetBox IP addresses",
	    .description = "IP addresses documented in NetBox: status, DNS "
		"name, description and what each is assigned to (device or "
		"virtual machine, and interface). Filter by the prefix they lie "
		"in, status, device or VM, or search.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"properties\":{" S_READ_INSTANCE ",\"prefix\":"
		S_CIDR("Only addresses inside this network.") ",\"status\":{"
		"\"enum\":[\"active\",\"reserved\",\"deprecated\",\"dhcp\","
		"\"slaac\"],\"description\":\"Only addresses with this "
		"status.\"},\"device\":" S_NAME("Only addresses assigned to "
		"this device.") ",\"vm\":" S_NAME("Only addresses assigned to "
		"this virtual machine.") "," S_SEARCH "," RT_SCHEMA_LIST_PROPS
		"}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT(ADDRESS_ITEM),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = nb_list_addresses,
	},
	{
	    .name = "netbox_allocate_ip",
	    .title = "Allocate the next free IP in NetBox",
	    .description = "Takes the next free address of a prefix through "
		"NetBox's available-ips (NetBox picks it and records it in one "
		"request, so two callers never get the same address), with a "
		"DNS name, a description and, optionally, an assignment to a "
		"device's or a virtual machine's interface. Fails when the "
		"prefix is full. Use idempotency_key to make a retry safe.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"prefix\"],\"properties\":{" S_INSTANCE
		",\"prefix\":" S_CIDR("The prefix to allocate from.")
		",\"dns_name\":{\"type\":\"string\",\"maxLength\":255,"
		"\"pattern\":\"^([0-9A-Za-z_-]+|\\\\*)(\\\\.[0-9A-Za-z_-]+)*"
		"\\\\.?$\",\"examples\":[\"grafana.lab\"],\"x-counterexamples\":"
		"[\"bad name\"],\"description\":\"DNS name of the address.\"},"
		"\"description\":{\"type\":\"string\",\"maxLength\":200,"
		"\"description\":\"What the address is for.\"},\"status\":{"
		"\"enum\":[\"active\",\"reserved\",\"dhcp\"],\"default\":"
		"\"active\",\"description\":\"Status of the new address.\"},"
		"\"device\":" S_NAME("Assign to an interface of this device.")
		",\"vm\":" S_NAME("Assign to an interface of this virtual "
		"machine.") ",\"interface\":" S_NAME("The interface's name "
		"(with device or vm).") "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"status\",\"address\",\"ip\",\"prefix\"],\"properties\":{"
		ADDRESS_PROPS ",\"prefix\":" S_STR ",\"address_status\":" S_STR
		"}}",
	    .flags = RT_OPEN_WORLD,
	    .call = nb_allocate_ip,
	},
	{
	    .name = "netbox_create_vlan",
	    .title = "Create a VLAN in NetBox",
	    .description = "Adds a VLAN: its VID, name, site or VLAN group "
		"(slugs) and status. NetBox refuses a VID already used in the "
		"same site or group.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"vid\",\"name\"],\"properties\":{"
		S_INSTANCE ",\"vid\":{\"type\":\"integer\",\"minimum\":1,"
		"\"maximum\":4094,\"description\":\"The 802.1Q VLAN id.\"},"
		"\"name\":" S_NAME("VLAN name.") ",\"site\":" S_SLUG("The site "
		"(slug).") ",\"group\":" S_SLUG("The VLAN group (slug).")
		",\"status\":{\"enum\":[\"active\",\"reserved\",\"deprecated\"],"
		"\"default\":\"active\",\"description\":\"Status.\"}}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"id\",\"vid\",\"name\",\"result\"],\"properties\":{"
		"\"instance\":" S_STR ",\"id\":" S_INT ",\"vid\":" S_INT
		",\"name\":" S_STR ",\"site\":" S_STR ",\"group\":" S_STR
		",\"status\":" S_STR ",\"result\":{\"enum\":[\"created\"]}}}",
	    .flags = RT_OPEN_WORLD,
	    .call = nb_create_vlan,
	},
	{
	    .name = "netbox_update_cable_map",
	    .title = "Connect or remove a cable in NetBox",
	    .description = "Documents a cable between two device interfaces "
		"(a_terminations and b_terminations), or removes one (by "
		"cable_id, or by one of its interfaces). Removing is "
		"destructive: it deletes the cable from NetBox. Interfaces "
		"that already have a cable are refused.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"action\"],\"properties\":{" S_INSTANCE
		",\"action\":{\"enum\":[\"connect\",\"remove\"],\"description\":"
		"\"connect two interfaces, or remove a cable.\"},\"a_device\":"
		S_NAME("Device of the A end.") ",\"a_interface\":"
		S_NAME("Interface of the A end.") ",\"b_device\":"
		S_NAME("Device of the B end (connect).") ",\"b_interface\":"
		S_NAME("Interface of the B end (connect).") ",\"label\":{"
		"\"type\":\"string\",\"maxLength\":100,\"description\":"
		"\"Cable label (connect).\"},\"cable_id\":{\"type\":\"integer\","
		"\"minimum\":1,\"description\":\"The cable to remove.\"},"
		S_DRY_RUN "}}",
	    .output_schema = "{\"type\":\"object\",\"required\":[\"instance\","
		"\"action\",\"status\"],\"properties\":{\"instance\":" S_STR
		",\"action\":{\"enum\":[\"connect\",\"remove\"]},\"status\":{"
		"\"enum\":[\"connected\",\"removed\",\"dry_run\"]},\"dry_run\":"
		S_BOOL ",\"requests\":{\"type\":\"array\"},\"target\":{\"type\":"
		"\"object\"},\"cable\":{\"type\":\"object\",\"properties\":{"
		"\"id\":" S_INT ",\"label\":" S_STR ",\"status\":" S_STR ",\"a\":"
		CABLE_SIDE ",\"b\":" CABLE_SIDE "}}}}",
	    .flags = RT_DESTRUCTIVE | RT_OPEN_WORLD,
	    .call = nb_update_cable_map,
	    .describe = nb_describe_cable,
	},
	{
	    .name = "netbox_search",
	    .title = "Search NetBox",
	    .description = "Searches devices, interfaces, IP addresses, "
		"prefixes, VLANs, virtual machines and sites at once (NetBox "
		"has no global search API: racktop asks each type with q and "
		"merges the hits, at most 25 per type). Always a live read.",
	    .input_schema = "{\"type\":\"object\",\"additionalProperties\":"
		"false,\"required\":[\"query\"],\"properties\":{"
		S_READ_INSTANCE ",\"query\":{\"type\":\"string\",\"minLength\":"
		"1,\"maxLength\":256,\"description\":\"Text to look for: a name, "
		"an address, a DNS name...\"},\"types\":{\"type\":\"array\","
		"\"items\":{\"enum\":[\"device\",\"interface\",\"ip-address\","
		"\"prefix\",\"vlan\",\"virtual-machine\",\"site\"]},"
		"\"description\":\"Only these object types.\"},"
		RT_SCHEMA_LIST_PROPS "}}",
	    .output_schema = RT_SCHEMA_LIST_OUTPUT("{\"type\":\"object\","
		"\"required\":[\"instance\",\"type\",\"id\",\"name\","
		"\"detail\"],\"properties\":{\"instance\":" S_STR ",\"type\":"
		S_STR ",\"id\":" S_INT ",\"name\":" S_STR ",\"detail\":{"
		"\"type\":\"object\"}}}"),
	    .flags = RT_READ_ONLY | RT_IDEMPOTENT | RT_OPEN_WORLD,
	    .call = nb_search_all,
	},
	{ .name = NULL },
};

static const struct rt_column nb_device_columns[] = {
	{ "Device", "/name", RT_COL_TEXT, 0 },
	{ "Role", "/role", RT_COL_TEXT, 14 },
	{ "Site", "/site", RT_COL_TEXT, 10 },
	{ "Status", "/status", RT_COL_STATE, 10 },
	{ "Primary IP", "/primary_ip", RT_COL_TEXT, 18 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_column nb_prefix_columns[] = {
	{ "Prefix", "/prefix", RT_COL_TEXT, 0 },
	{ "Status", "/status", RT_COL_STATE, 10 },
	{ "Used", "/used", RT_COL_NUMBER, 6 },
	{ "Utilisation", "/utilisation", RT_COL_GAUGE, 14 },
	{ "Description", "/description", RT_COL_TEXT, 24 },
	{ NULL, NULL, RT_COL_TEXT, 0 },
};

static const struct rt_view nb_views[] = {
	{ "prefixes", "Prefixes", "/prefixes", nb_prefix_columns, NULL },
	{ "devices", "Devices", "/devices", nb_device_columns, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct rt_service netbox_service = {
	.name = "netbox",
	.title = "NetBox",
	.tools = nb_tools,
	.views = nb_views,
	.refresh_s = NB_REFRESH_S,
	.create = nb_create,
	.destroy = nb_destroy,
	.poll = nb_poll,
	.find = netbox_find,
	.documented = netbox_documented,
};
