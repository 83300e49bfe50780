/*
 * Documents generated from racktop's tables (see cli-docs.c).
 */
#ifndef RT_CLI_DOCS_H
#define RT_CLI_DOCS_H

#include <stdio.h>

#include <jansson.h>

/* docs/tools.md from the tool catalog (registry_catalog). */
void	docs_tools_markdown(FILE *, const json_t *catalog);

/* .env.example from the configuration keys; services NULL-terminated. */
void	docs_env_example(FILE *, const char *const *services);

/* The clients --print-config knows; NULL-terminated. */
extern const char *const docs_clients[];

/*
 * The snippet that makes client run exe with args (NULL-terminated):
 * a `claude mcp add` command, the mcpServers JSON of Claude Desktop and
 * Cursor, or Codex's TOML table. -1 for an unknown client.
 */
int	docs_print_config(FILE *, const char *client, const char *exe,
	    const char *const *args);

#endif
