/*
 * HMAC-protected, single-use, short-lived requestState (see reqstate.h).
 *
 * HMAC-SHA256 and SHA-256 come from libcrypto, which racktop already
 * links for TLS pinning (core/http.c): a vetted implementation with
 * constant-time comparison (CRYPTO_memcmp) costs no new dependency, where
 * an in-tree SHA-256 would be more code to trust and test.
 */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "mcp/reqstate.h"

#define RS_PREFIX "v1."
#define RS_NONCE 16

/* An outstanding state: its nonce and expiry. */
struct rs_nonce {
	unsigned char nonce[RS_NONCE];
	int64_t expires;	/* clock_mono_ms() */
};

struct reqstate {
	unsigned char key[32];
	int64_t ttl_ms;
	struct rs_nonce issued[RS_MAX];
	int nissued;
};

/* Writes len bytes as lower-case hex (2 * len + 1 bytes with the NUL). */
static void
rs_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* One hex digit's value, or -1. */
static int
rs_unhex1(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Decodes len hex digits (even) into out; -1 when not lower-case hex. */
static int
rs_unhex(const char *in, size_t len, unsigned char *out)
{
	size_t i;
	int hi, lo;

	if (len % 2 != 0)
		return (-1);
	for (i = 0; i < len / 2; i++) {
		if ((hi = rs_unhex1(in[2 * i])) < 0 ||
		    (lo = rs_unhex1(in[2 * i + 1])) < 0)
			return (-1);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (0);
}

/* SHA-256 of the canonical JSON of v, in hex. */
void
reqstate_digest(const json_t *v, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *text;

	text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (text == NULL)
		fatalx("reqstate: cannot encode arguments");
	SHA256((const unsigned char *)text, strlen(text), md);
	free(text);
	rs_hex(md, sizeof md, out);
}

/* A digest of who calls: kernel identity and connection, not clientInfo. */
static void
rs_who(const struct rt_caller *cl, char out[65])
{
	json_t *j;

	j = json_pack("{s:I, s:I, s:s, s:I}", "uid", (json_int_t)cl->uid,
	    "pid", (json_int_t)cl->pid, "exe", cl->exe,
	    "conn", (json_int_t)cl->conn);
	reqstate_digest(j, out);
	json_decref(j);
}

/* HMAC-SHA256 of text under the store's key, in hex. */
static void
rs_mac(const struct reqstate *rs, const char *text, size_t len,
    char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (HMAC(EVP_sha256(), rs->key, (int)sizeof rs->key,
	    (const unsigned char *)text, len, md, &mdlen) == NULL ||
	    mdlen != 32)
		fatalx("reqstate: HMAC-SHA256 failed");
	rs_hex(md, 32, out);
}

/* Creates a store with a fresh random key. */
struct reqstate *
reqstate_create(int64_t ttl_ms)
{
	struct reqstate *rs = xcalloc(1, sizeof *rs);

	if (RAND_bytes(rs->key, (int)sizeof rs->key) != 1)
		fatalx("reqstate: no random bytes for the key");
	rs->ttl_ms = ttl_ms > 0 ? ttl_ms : 50000;
	return (rs);
}

/* Frees a store, wiping its key. */
void
reqstate_free(struct reqstate *rs)
{
	if (rs == NULL)
		return;
	OPENSSL_cleanse(rs->key, sizeof rs->key);
	free(rs);
}

/* Outstanding states. */
int
reqstate_outstanding(const struct reqstate *rs)
{
	return (rs->nissued);
}

/* Drops expired nonces; when still full, the one nearest its expiry. */
static void
rs_prune(struct reqstate *rs, int64_t now)
{
	int i, soonest = 0;

	for (i = 0; i < rs->nissued; i++) {
		if (rs->issued[i].expires <= now)
			rs->issued[i--] = rs->issued[--rs->nissued];
	}
	if (rs->nissued < RS_MAX)
		return;
	for (i = 1; i < rs->nissued; i++) {
		if (rs->issued[i].expires < rs->issued[soonest].expires)
			soonest = i;
	}
	rs->issued[soonest] = rs->issued[--rs->nissued];
}

/* Mints a state for this caller, tool and arguments. */
char *
reqstate_mint(struct reqstate *rs, const struct rt_caller *cl,
    const char *tool, const json_t *args)
{
	struct rs_nonce *n;
	char nonce[2 * RS_NONCE + 1], who[65], digest[65], mac[65];
	char *payload, *hex, *signed_part, *state;
	int64_t now = clock_mono_ms();
	size_t plen;
	json_t *j;

	rs_prune(rs, now);
	n = &rs->issued[rs->nissued++];
	if (RAND_bytes(n->nonce, RS_NONCE) != 1)
		fatalx("reqstate: no random bytes for a nonce");
	n->expires = now + rs->ttl_ms;
	rs_hex(n->nonce, RS_NONCE, nonce);
	rs_who(cl, who);
	reqstate_digest(args, digest);
	j = json_pack("{s:s, s:I, s:s, s:s, s:s}", "n", nonce,
	    "e", (json_int_t)n->expires, "w", who, "t", tool, "a", digest);
	payload = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (payload == NULL)
		fatalx("reqstate: cannot encode the payload");
	plen = strlen(payload);
	hex = xmalloc(2 * plen + 1);
	rs_hex((const unsigned char *)payload, plen, hex);
	free(payload);
	xasprintf(&signed_part, RS_PREFIX "%s", hex);
	free(hex);
	rs_mac(rs, signed_part, strlen(signed_part), mac);
	xasprintf(&state, "%s.%s", signed_part, mac);
	free(signed_part);
	return (state);
}

/* Verifies and consumes a state. */
int
reqstate_redeem(struct reqstate *rs, const char *state,
    const struct rt_caller *cl, const char *tool, const json_t *args,
    const char **why)
{
	unsigned char nonce[RS_NONCE], *payload = NULL;
	char mac[65], who[65], digest[65];
	const char *dot, *hexp, *s;
	json_t *j = NULL;
	json_int_t expires;
	size_t hlen;
	int i, found = -1, rv = -1;

	*why = "tampered or not issued by this racktop";
	if (strncmp(state, RS_PREFIX, sizeof RS_PREFIX - 1) != 0 ||
	    (dot = strrchr(state, '.')) == NULL ||
	    dot < state + sizeof RS_PREFIX - 1 || strlen(dot + 1) != 64)
		return (-1);
	rs_mac(rs, state, (size_t)(dot - state), mac);
	if (CRYPTO_memcmp(mac, dot + 1, 64) != 0)
		return (-1);

	/* Authentic: ours, unchanged. Now is it still good for this call? */
	hexp = state + sizeof RS_PREFIX - 1;
	hlen = (size_t)(dot - hexp);
	payload = xmalloc(hlen / 2 + 1);
	if (rs_unhex(hexp, hlen, payload) != 0)
		goto out;
	payload[hlen / 2] = '\0';
	if ((j = json_loads((const char *)payload, 0, NULL)) == NULL ||
	    (s = json_string_value(json_object_get(j, "n"))) == NULL ||
	    strlen(s) != 2 * RS_NONCE || rs_unhex(s, 2 * RS_NONCE, nonce) != 0)
		goto out;
	for (i = 0; i < rs->nissued; i++) {
		if (memcmp(rs->issued[i].nonce, nonce, RS_NONCE) == 0)
			found = i;
	}
	expires = json_integer_value(json_object_get(j, "e"));
	if (expires <= clock_mono_ms()) {
		*why = "expired";
		goto out;
	}
	if (found < 0) {
		*why = "already used or unknown";
		goto out;
	}
	rs_who(cl, who);
	if ((s = json_string_value(json_object_get(j, "w"))) == NULL ||
	    strcmp(s, who) != 0) {
		*why = "issued to another caller";
		goto out;
	}
	reqstate_digest(args, digest);
	if ((s = json_string_value(json_object_get(j, "t"))) == NULL ||
	    strcmp(s, tool) != 0 ||
	    (s = json_string_value(json_object_get(j, "a"))) == NULL ||
	    strcmp(s, digest) != 0) {
		*why = "issued for another call";
		goto out;
	}
	rs->issued[found] = rs->issued[--rs->nissued];
	*why = NULL;
	rv = 0;
out:
	json_decref(j);
	free(payload);
	return (rv);
}
