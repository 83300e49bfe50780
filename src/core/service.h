/*
 * The service contract: what a backend in src/services/ provides.
 *
 * Only src/services/table.c names the backends; the registry receives its
 * NULL-terminated table at start-up and never names a service. A backend
 * keeps transport (http/libpq, auth), parse (pure JSON -> snapshot rows,
 * unit-tested on recorded responses) and tools apart.
 *
 * Threads: create/destroy run on the main thread; poll runs on the
 * instance's poller thread; tool calls run on any worker, several at once,
 * so anything in the instance state that a call and the poller share (a
 * login ticket, a cookie) sits behind the backend's own mutex.
 */
#ifndef RT_SERVICE_H
#define RT_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/conf.h"

struct find_query;
struct rt_call;
struct rt_instance;

/* Why a poll failed. */
enum rt_err_kind {
	RT_ERR_UPSTREAM = 1,	/* reached and authenticated, but it failed */
	RT_ERR_UNREACHABLE,	/* connect, TLS or timeout */
	RT_ERR_AUTH,		/* reached, credentials refused */
};

/* One MCP tool, also bound to keys on the dashboard. */
struct rt_tool {
	const char *name;	   /* "<service>_<verb>_<noun>" */
	const char *title;	   /* human title */
	const char *description;   /* what it does, for agents */
	const char *input_schema;  /* JSON Schema text, parsed once */
	const char *output_schema; /* JSON Schema of structuredContent */
	unsigned flags;
#define RT_READ_ONLY 0x1
#define RT_DESTRUCTIVE 0x2
#define RT_IDEMPOTENT 0x4
#define RT_OPEN_WORLD 0x8
	/*
	 * The tool keeps idempotency_key itself, durably in its own store
	 * (the memory backend): call_check leaves the argument to it.
	 */
#define RT_OWN_KEY 0x10
	/* Runs on a worker; 0 with a result, or -1 with an error (call.h). */
	int (*call)(struct rt_call *);
	/* Destructive tools: the request it would make, as a result. */
	int (*describe)(struct rt_call *);
};

/* How the dashboard draws one column of a view. */
enum rt_col_kind {
	RT_COL_TEXT,
	RT_COL_NUMBER,
	RT_COL_BYTES,
	RT_COL_PERCENT,
	RT_COL_GAUGE,
	RT_COL_AGE,
	RT_COL_STATE,
	RT_COL_SPARK,	/* an array of numbers, drawn as a sparkline */
};

struct rt_column {
	const char *title;
	const char *pointer;	/* JSON pointer into a row */
	enum rt_col_kind kind;
	int width;		/* preferred, in cells; 0: fit */
};

/* A key on a selected row that calls a tool with arguments from the row. */
struct rt_rowkey {
	int key;
	const char *label;
	const char *tool;
	/*
	 * JSON object: argument name -> JSON pointer into the row; "*" (for
	 * instance): every instance the pane shows, "all" when several;
	 * "?WHAT:DEFAULT:SCALE": the dashboard asks for a whole number;
	 * "[/pointer]": an array of that one value.
	 */
	const char *args;
};

/* A table the dashboard draws from an instance's snapshot. */
struct rt_view {
	const char *name;
	const char *title;
	const char *rows;	/* JSON pointer to the array of rows */
	const struct rt_column *columns; /* { NULL } terminated */
	const struct rt_rowkey *keys;	 /* { 0 } terminated, may be NULL */
};

/*
 * A row key that acts the other way on a row in the other state: Docker
 * s starts a container, or stops it when it runs. On a row where the JSON
 * pointer holds one of the values in equals ("running|restarting";
 * booleans and numbers compare as their JSON text, "true"), the row key
 * whose tool is tool calls alt_tool instead, with the same arguments, and
 * is labelled alt_label. The service declares them (rt_service.toggles):
 * view descriptors are positional tables that every backend fills, so a
 * new member there would touch them all.
 */
struct rt_toggle {
	const char *tool;	/* the row key's own tool */
	const char *pointer;	/* JSON pointer into the row */
	const char *equals;	/* values that switch, separated by | */
	const char *alt_tool;
	const char *alt_label;
};

struct rt_service {
	const char *name;	/* config section and tool prefix */
	const char *title;
	const struct rt_tool *tools;	/* { .name = NULL } terminated */
	const struct rt_view *views;	/* { .name = NULL } terminated or NULL */
	int refresh_s;		/* default seconds between polls */
	/*
	 * An environment variable holding a url (DOCKER_HOST): with no
	 * instance of this service configured and the variable set, the
	 * registry adds one named "env" with that url. NULL: none.
	 */
	const char *env_url;
	/* Private state from the config section; NULL and *cause on error. */
	void *(*create)(struct rt_instance *, const struct rt_instance_conf *,
	    char **cause);
	void (*destroy)(void *);	/* NULL state is a no-op */
	/*
	 * New snapshot data (new reference), or NULL with *cause and *kind
	 * (RT_ERR_*: what racktop_status reports as reachable/authenticated).
	 */
	json_t *(*poll)(void *, int *kind, char **cause);
	/*
	 * What needs attention in one snapshot's data (may be NULL): appends
	 * problems with problem_add (problems.h). Pure: runs on any thread.
	 */
	void (*problems)(const json_t *data, json_t *out);
	/* Row keys that toggle, { NULL } terminated; NULL: none. */
	const struct rt_toggle *toggles;
	/*
	 * The inventory id of a view's row, which memories link to through
	 * their entity ("pve:qemu/101", "docker:NAME", "unifi:MAC" in lower
	 * case): written to buf, true; false when the row has none. Pure:
	 * runs on the dashboard's thread. NULL: no view has entities.
	 */
	bool (*entity)(const struct rt_view *, const json_t *row, char *buf,
	    size_t len);
	/*
	 * racktop_find and racktop_drift (core/find.h); each may be NULL,
	 * each is pure over one snapshot's data and runs on any thread, and
	 * none makes an upstream request.
	 * find: everything in the data a lookup can find, one find_entry()
	 * each (racktop_find indexes them once per snapshot).
	 * addresses: the addresses the live network showed it (guests,
	 * containers, clients, devices); appends find_address()es.
	 * documented: the addresses and networks an inventory (a source of
	 * truth, not the live network) records; appends find_address()es
	 * and find_network()s.
	 */
	void (*find)(const json_t *data, json_t *out);
	void (*addresses)(const json_t *data, json_t *out);
	void (*documented)(const json_t *data, json_t *out);
};

/*
 * Schema fragments every list tool shares, for string-literal pasting into
 * a tool's schema text: the input properties, and the output envelope
 * around an item schema.
 */
#define RT_SCHEMA_LIST_PROPS \
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000," \
	"\"default\":100,\"description\":\"Items per page.\"}," \
	"\"cursor\":{\"type\":\"string\",\"description\":" \
	"\"next_cursor from the previous page.\"}," \
	"\"max_age_s\":{\"type\":\"integer\",\"minimum\":0,\"description\":" \
	"\"Oldest data accepted, in seconds; 0 forces a live read.\"}"
#define RT_SCHEMA_LIST_OUTPUT(item) \
	"{\"type\":\"object\",\"required\":[\"items\",\"total\",\"age_ms\"," \
	"\"instance_errors\"],\"properties\":{" \
	"\"items\":{\"type\":\"array\",\"items\":" item "}," \
	"\"total\":{\"type\":\"integer\",\"minimum\":0}," \
	"\"next_cursor\":{\"type\":\"string\"}," \
	"\"age_ms\":{\"type\":\"integer\"}," \
	"\"instance_errors\":{\"type\":\"array\",\"items\":{\"type\":" \
	"\"object\",\"required\":[\"instance\",\"error\"],\"properties\":{" \
	"\"instance\":{\"type\":\"string\"},\"error\":{\"type\":\"string\"}}}}}}"

#endif
