/*
 * racktop-sim framework extensions not yet folded into sim.h: a service
 * listening on a Unix socket instead of 127.0.0.1 (the Docker Engine API),
 * streamed replies (GET /events, pull and push progress), and the lock
 * and wakeup a stream reader needs. Implemented in sim.c.
 */
#ifndef RT_SIM_EXT_H
#define RT_SIM_EXT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/sim.h"

/*
 * From ops->create only: the service listens on a Unix socket named name
 * in a private folder (mode 0700) instead of TCP; both are removed by
 * sim_destroy.
 */
void sim_service_use_unix(struct sim_service *, const char *name);
/* The socket's path, or NULL for a TCP service (lock held). */
const char *sim_service_unix_path(struct sim_service *);

/*
 * From a handler: answer with a body produced by reader(cls, pos, buf,
 * max) on the connection's thread, without the lock (take it with
 * sim_service_lock). reader returns bytes written, or
 * MHD_CONTENT_READER_END_OF_STREAM / _END_WITH_ERROR; free_cls runs after.
 */
void sim_reply_stream(struct sim_service *, struct sim_response *,
    ssize_t (*reader)(void *, uint64_t, char *, size_t), void *cls,
    void (*free_cls)(void *));
void sim_service_lock(struct sim_service *);
void sim_service_unlock(struct sim_service *);
/*
 * Waits up to ms for a wakeup (lock held); false once the simulator stops
 * or the service vanishes (a stream must then end).
 */
bool sim_service_wait(struct sim_service *, int ms);
/* Wakes every stream reader (lock held), after new events. */
void sim_service_wake(struct sim_service *);
/*
 * Bumps the service's count of key in GET /counts (lock held): what a
 * stream did ("gravity aborted"), beside the per-endpoint request counts.
 */
void sim_service_count(struct sim_service *, const char *key);

/*
 * From a handler: answers req as the running service named name would
 * answer it at path (below that service's prefix), through its routes,
 * without its auth, counts or faults; a streamed reply goes out on req's
 * connection. false when no such service runs (lock held): the Docker
 * proxy of a Portainer environment.
 */
bool sim_service_forward(struct sim_service *, const char *name,
    struct sim_request *req, const char *path, struct sim_response *resp);

#endif
