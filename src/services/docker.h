/*
 * Docker Engine backend: the pure parse half (docker-parse.c), the stream
 * half (docker-stream.c) and what docker.c, the tests and the simulator's
 * contract test share.
 *
 * Every docker_parse_* and docker_* helper below docker_stream_* is a pure
 * function of its arguments: no I/O, no global state, safe on any thread.
 * Rows keep only the fields that panes and tools use.
 *
 * Snapshot layout (docker.c builds it from docker_parse_containers):
 *   { "engine": { "version", "api_version", "os", "arch" },
 *     "containers": [ {instance, id, short_id, name, image, state, status,
 *                      health, created, cpu, cpu_percent, mem, mem_limit,
 *                      mem_percent, tty} ],
 *     "refresh": { requests, ms, connections_max, events } }
 * cpu is a fraction (cpu_percent / 100, the dashboard's percent kind);
 * cpu and mem are present only for running containers with a sample.
 */
#ifndef RT_DOCKER_H
#define RT_DOCKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The API versions racktop speaks: one-shot stats need 1.41. */
#define DOCKER_API_MIN "1.41"
#define DOCKER_API_MAX "1.56"

/* Where an instance's engine is, from its url. */
struct docker_endpoint {
	char *unix_path;	/* unix:// socket path, or NULL */
	char *base_url;		/* "http://docker" or "https://host:2376" */
};

/* A CPU sample of one container, for the next CPU %. */
struct docker_cpu {
	uint64_t total;		/* cpu_stats.cpu_usage.total_usage */
	uint64_t system;	/* cpu_stats.system_cpu_usage */
	unsigned online;	/* online_cpus, or the per-CPU count */
};

/* Progress of a pull or push, from its stream of JSON lines. */
struct docker_progress {
	json_t *layers;		/* id -> {current, total, status}; owned */
	char *error;		/* the stream's error message, or NULL */
	char *status;		/* the last status line, or NULL */
	char *digest;		/* "sha256:..." when reported, or NULL */
	size_t lines;
};

/*
 * Splits url (unix:///path, tcp://host:port, http:// or https://) into an
 * endpoint; tls forces https for tcp://. 0, or -1 with *cause (caller
 * frees). Free the endpoint with docker_endpoint_free.
 */
int docker_endpoint_parse(const char *url, bool tls,
    struct docker_endpoint *, char **cause);
void docker_endpoint_free(struct docker_endpoint *);

/*
 * The API version to use with an engine from its GET /version answer:
 * the engine's ApiVersion capped at DOCKER_API_MAX, into out ("1.41").
 * 0, or -1 with *cause (caller frees) when the engine is older than
 * DOCKER_API_MIN or the answer has no version.
 */
int docker_negotiate(const json_t *version, char *out, size_t outlen,
    char **cause);
/* Compares two "1.41" versions like strcmp. */
int docker_version_cmp(const char *, const char *);

/*
 * Rows from GET /containers/json (an array), each carrying instance.
 * New array, or NULL with *cause (caller frees) when list is not one.
 */
json_t *docker_parse_containers(const json_t *list, const char *instance,
    char **cause);
/*
 * A container's health: the list's Health.Status where the API has it,
 * else from the status text ("Up 2 hours (healthy)"), else "none".
 * Borrowed static string.
 */
const char *docker_health(const json_t *summary);

/*
 * Parses a stats body. Unlike core/http's JSON, it accepts counters above
 * INT64_MAX (cgroup v2's unlimited pids limit is 2^64-1), reading every
 * number as a double then; the stats readers take either. New, or NULL
 * with *cause (caller frees).
 */
json_t *docker_load_stats(const char *body, size_t len, char **cause);
/*
 * Reads a one-shot stats answer: memory as docker stats shows it (usage
 * minus inactive file cache), its limit, and the CPU sample. 0, or -1
 * when the answer has no usable numbers.
 */
int docker_stats_read(const json_t *stats, int64_t *mem, int64_t *limit,
    struct docker_cpu *cpu);
/*
 * CPU % as docker stats computes it, between two samples (can exceed 100
 * on several CPUs); -1 when the samples do not allow it.
 */
double docker_cpu_percent(const struct docker_cpu *prev,
    const struct docker_cpu *cur);
/* The summary of a stats answer for docker_get_container_stats. New. */
json_t *docker_parse_stats(const json_t *stats, const struct docker_cpu *prev);

/*
 * Demultiplexes a logs body: 8-byte frames (stream, 0, 0, 0, big-endian
 * size) unless tty, which is raw. Returns a new array of {stream, text}
 * lines, keeping at most max_bytes of text (the last ones); *truncated
 * says whether some were dropped. A body that is not a valid frame
 * sequence is treated as raw, like tty: one "tty" stream.
 */
json_t *docker_demux_logs(const char *buf, size_t len, bool tty,
    size_t max_bytes, bool *truncated);

/*
 * Whether a logs body is a complete sequence of 8-byte-header frames. A
 * TTY container's body is raw; API 1.42+ also says so in Content-Type,
 * 1.41 does not, so a body that is not framed is taken as a TTY's.
 */
bool docker_logs_multiplexed(const char *buf, size_t len);

/* Inspect (GET /containers/{id}/json) summarised; env values dropped. */
json_t *docker_parse_inspect(const json_t *inspect, const char *instance);
/* Rows of GET /images/json, /networks, /volumes. New arrays. */
json_t *docker_parse_images(const json_t *list, const char *instance);
json_t *docker_parse_networks(const json_t *list, const char *instance);
json_t *docker_parse_volumes(const json_t *answer, const char *instance);
/*
 * The system info summary from /info, /version and /system/df (either
 * shape: v1.52+ ImageUsage/VolumeUsage/... totals, or the older arrays
 * with LayersSize). New.
 */
json_t *docker_parse_system(const json_t *info, const json_t *version,
    const json_t *df, const char *instance);

/*
 * A prune is four requests (the API has no single one): containers,
 * images, networks, build cache, in that order. docker_parse_prune sums
 * their answers (NULL for a part that failed) into {space_reclaimed,
 * parts: {NAME: {deleted, space_reclaimed}}}. New.
 */
#define DOCKER_NPRUNE 4
json_t *docker_parse_prune(const json_t *const answers[DOCKER_NPRUNE]);
/* "containers", "images", "networks", "build_cache"; NULL past them. */
const char *docker_prune_part(size_t i);

/* Resets a progress (fields freed). */
void docker_progress_init(struct docker_progress *);
void docker_progress_free(struct docker_progress *);
/*
 * Feeds one line of a pull/push stream; 0, or -1 when the line carries
 * an error (then in p->error). Lines that are not JSON are ignored.
 */
int docker_progress_line(struct docker_progress *, const char *line,
    size_t len);
/* Bytes done and total over every layer with a total. */
void docker_progress_sum(const struct docker_progress *, int64_t *current,
    int64_t *total);

/*
 * The X-Registry-Auth header line for push: base64url of the JSON
 * {username, password, serveraddress}, or of {} when user is NULL.
 * Caller frees.
 */
char *docker_registry_auth(const char *user, const char *password,
    const char *server);

/*
 * Whether an event line (a JSON object from GET /events) changes the
 * container list: start, stop, die, kill, pause, unpause, create,
 * destroy, rename, restart, oom or health_status.
 */
bool docker_event_relevant(const json_t *event);

/* Splits "name[:tag]" (a digest stays in name); caller frees both. */
void docker_split_ref(const char *ref, const char *tag, char **name,
    char **out_tag);

/*
 * Streamed requests (docker-stream.c): a libcurl transfer whose body is
 * handed over line by line as it arrives, for GET /events and the pull
 * and push progress. core/http buffers whole bodies; this is the one
 * place that does not.
 */
struct docker_stream_opts {
	const char *unix_path;
	const char *base_url;
	const char *ca_file;
	const char *cert_file;
	const char *key_file;
	bool insecure;
	const char *auth_header;	/* sent with every request, or NULL */
	long connect_timeout_ms;
	long idle_timeout_ms;	/* no byte for this long: fail; 0: none */
	long total_timeout_ms;	/* 0: none */
};

/*
 * Runs method path, calling line(arg, text, len) for every line of a 2xx
 * body (without the newline). headers is NULL-terminated, borrowed. stop
 * (may be NULL) is polled at least once a second and ends the transfer when
 * it returns true. Returns 0 when the body ended, or -1 with *cause
 * (caller frees; "GET /events: HTTP 500: message" or a transport error)
 * and *status (0 when no response arrived). A line callback returning
 * nonzero ends the transfer with 0.
 */
int docker_stream(const struct docker_stream_opts *, const char *method,
    const char *path, const char *const *headers,
    int (*line)(void *, const char *, size_t),
    bool (*stop)(void *), void *arg, long *status, char **cause);

#endif
