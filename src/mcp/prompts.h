/*
 * MCP prompts: templates that help an agent use racktop well, built from
 * the registry (the tools and instances actually present), and the
 * completion of their arguments. Owner thread only.
 */
#ifndef RT_MCP_PROMPTS_H
#define RT_MCP_PROMPTS_H

#include <jansson.h>
#include <stdbool.h>

struct registry;

#define PROMPT_HEALTH "homelab_health_check"
#define PROMPT_INVESTIGATE "investigate"

/* The Prompt objects; titles from 2025-06-18. */
json_t *prompts_list(bool titles);
/*
 * A GetPromptResult for name with arguments (an object or NULL), or NULL
 * with *why (static text) when the prompt is unknown or an argument is
 * missing or invalid.
 */
json_t *prompts_get(struct registry *, const char *name, const json_t *args,
    const char **why);
/*
 * Completion values for argument arg of prompt name, or NULL when the
 * prompt is unknown.
 */
json_t *prompts_complete(struct registry *, const char *name,
    const char *arg, const char *value, const json_t *context);

#endif
