/*
 * libFuzzer target: every pure function of proxmox-parse.c on arbitrary
 * bytes (read as JSON and as strings) must return what proxmox.h promises,
 * never crash, leak or read past its input. Seeded from
 * tests/fixtures/proxmox.
 */
#include "config.h"

#include "services/proxmox.h"
#include "tests/fuzz/parse-fuzz.h"

static const char *fuzz_str; /* the input as a C string */

/* A header line must stay one line, whatever the credential holds. */
static void
one_line(char *h)
{
	if (h != NULL && strpbrk(h, "\r\n") != NULL)
		abort();
	fuzz_use_str(h);
}

static void
strings(const char *s)
{
	struct pve_upid u;

	(void)pve_exitstatus_ok(s);
	if (pve_upid_parse(s, &u) == 0 && (memchr(u.node, 0, sizeof u.node)
	    == NULL || memchr(u.user, 0, sizeof u.user) == NULL))
		abort();
	one_line(pve_token_header(s, "secret"));
	one_line(pve_token_header("root@pam!t", s));
	/*
	 * The ticket and CSRF token come from the upstream's own login
	 * answer and are pasted as they are (a CR or LF in them would split
	 * the header line; reported, not asserted here).
	 */
	fuzz_use_str(pve_cookie_header(s));
	fuzz_use_str(pve_csrf_header(s));
}

static void
each(const json_t *v)
{
	json_t *r, *g;
	char *cause = NULL;
	long long vmid;
	size_t i;

	r = pve_parse_resources(v, "pve", &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	cause = NULL;
	if (r != NULL) {
		if (!json_is_array(json_object_get(r, "guests")) ||
		    !json_is_array(json_object_get(r, "nodes")) ||
		    !json_is_array(json_object_get(r, "storage")))
			abort();
		(void)pve_find_guest(json_object_get(r, "guests"), 100);
		(void)pve_find_node(json_object_get(r, "nodes"), fuzz_str);
		fuzz_use(r);
	}
	r = pve_parse_cluster_status(v, &cause);
	if ((r == NULL) == (cause == NULL))
		abort();
	free(cause);
	fuzz_use(r);
	g = pve_parse_guest(v, "pve");
	if (g != NULL) {
		pve_merge_guest_status(g, v);
		fuzz_use_object(g);
	}
	fuzz_use(pve_parse_node_status(v, "pve", "pve1"));
	fuzz_use_array(pve_parse_backups(v, "pve", "pve1", "local"));
	for (i = 0; i < 3; i++)
		fuzz_use_array(pve_task_log_tail(v, i * 2));
	(void)pve_vmid_value(v, &vmid);
	(void)pve_find_guest(v, 100);
	(void)pve_find_node(v, "pve1");
	if (json_is_string(v))
		strings(json_string_value(v));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	json_t *root = fuzz_json(data, size);

	fuzz_str = s;
	strings(s);
	if (root != NULL)
		fuzz_walk(root, FUZZ_WALK_DEPTH, each);
	json_decref(root);
	free(s);
	return (0);
}
