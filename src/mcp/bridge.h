/*
 * `racktop mcp`: stdio <-> socket bridge, or lazy mode when nothing
 * listens (the tools served in this process over stdio).
 */
#ifndef RT_MCP_BRIDGE_H
#define RT_MCP_BRIDGE_H

struct registry;

/*
 * Runs until stdin closes. reg is used only in lazy mode (instances
 * added, no pollers started). Returns the process exit status.
 */
int bridge_run(const char *sock_path, struct registry *reg);

#endif
