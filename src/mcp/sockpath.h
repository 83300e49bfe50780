/*
 * Where the socket lives and how it is created: the path, its 0700
 * folder, a 0600 socket made under umask, a stale socket replaced and a
 * live racktop reported.
 */
#ifndef RT_MCP_SOCKPATH_H
#define RT_MCP_SOCKPATH_H

#include <stddef.h>

/*
 * The default path: $XDG_RUNTIME_DIR/racktop/mcp.sock, or
 * /tmp/racktop-$UID/mcp.sock. Caller frees.
 */
char *sockpath_default(void);
/*
 * Creates the folder (0700, owned by us) and a listening socket at path.
 * A socket nobody answers on is replaced; when a racktop answers, -1 with
 * *cause "another racktop is running on PATH". Returns the fd.
 */
int sockpath_listen(const char *path, char **cause);
/* Connects to path; -1 and *cause when nothing listens. */
int sockpath_connect(const char *path, char **cause);
/*
 * Lets a group reach the socket made by sockpath_listen: the folder
 * becomes 0710 and the socket 0660, both of that group. The server still
 * admits only the uids policy names (policy_admits). -1 and *cause.
 */
int sockpath_share(const char *path, const char *group, char **cause);

#endif
