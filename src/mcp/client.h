/*
 * A small synchronous MCP client over the socket, for `racktop call`.
 */
#ifndef RT_MCP_CLIENT_H
#define RT_MCP_CLIENT_H

#include <jansson.h>

/*
 * Connects, initializes, calls tool with args (borrowed) and returns the
 * CallToolResult (new reference) or NULL with *cause (connection or
 * protocol failure; a tool error is a result with isError).
 */
json_t *client_call(const char *sock_path, const char *tool,
    const json_t *args, char **cause);

#endif
