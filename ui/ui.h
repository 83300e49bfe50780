/*
 * The dashboard's own interfaces, shared by the files in ui/ and by nothing
 * else: panes as classes, the layout, the theme's semantic roles, the
 * keymap, the line editor and the modal.
 *
 * DESIGN: everything here runs on the main thread, which alone touches
 * curses. Other threads reach the UI only through its wakeup eventfd (a
 * snapshot was published) and its job queue (a call came back); see app.c.
 * Panes read snapshots through the registry and draw view descriptors;
 * no file in ui/ includes a service header.
 */
#ifndef RT_UI_H
#define RT_UI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct registry;
struct rt_call;
struct rt_instance;
struct rt_rowkey;
struct rt_service;
struct rt_toggle;
struct rt_view;
struct snapshot;
struct ui;

/* Semantic roles that themes map to colours and attributes. */
enum role {
	ROLE_NORMAL,
	ROLE_TITLE,		/* pane title rule */
	ROLE_TITLE_FOCUS,	/* the focused pane's title */
	ROLE_HEADER,		/* column headers */
	ROLE_SELECTED,		/* the selected row */
	ROLE_OK,
	ROLE_WARN,
	ROLE_CRIT,
	ROLE_STALE,
	ROLE_DIM,
	ROLE_GAUGE,
	ROLE_GAUGE_EMPTY,
	ROLE_STATUS,		/* the status line */
	ROLE_MESSAGE,		/* the message line */
	ROLE_MODAL,
	ROLE_KEY,		/* key names in help and hints */
	ROLE_COUNT
};

/* theme.c */
int theme_load(const char *name, char **cause);
void theme_start(void);
int theme_attr(enum role);
const char *theme_role_name(enum role);
bool theme_utf8(void);

/* format.c: cells, values and line drawing on stdscr. */
int ui_put(int y, int x, int w, const char *s, enum role);
int ui_putf(int y, int x, int w, enum role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ui_fill(int y, int x, int w, enum role);
void ui_rule(int y, int x, int w, const char *title, enum role);
void ui_gauge(int y, int x, int w, double frac, enum role);
size_t ui_width(const char *s);
void format_bytes(char *buf, size_t len, double v);
void format_duration(char *buf, size_t len, int64_t s);
char *format_value(const json_t *v, int kind);
char *format_spark(const json_t *arr, int w);
enum role format_state_role(const char *state);
const json_t *json_at(const json_t *root, const char *pointer);

/* A pane: a const class (a vtable) and the base struct first. */
struct pane;
struct pane_class {
	const char *name;
	void (*draw)(struct pane *);	/* required; only when dirty */
	/* Optional: 1 when the key was used, 0 to pass it on. */
	int (*key)(struct pane *, int key);
	/* Optional: marks the pane dirty when its data changed. */
	void (*update)(struct pane *);
	void (*free)(struct pane *);	/* optional */
	/* Optional: rows the pane would like, for the layout. */
	int (*want)(struct pane *);
};

struct pane {
	const struct pane_class *class;	/* first member */
	struct ui *ui;
	char *title;
	int x, y, w, h;
	int want;	/* rows wanted at the last layout */
	int flags;
#define PANE_DIRTY 0x1
#define PANE_FOCUS 0x2
#define PANE_HIDDEN 0x4
	struct pane *next;
};

/* Marks a pane for redrawing on the next pass. */
void pane_dirty(struct pane *);

/* pane-table.c: one view of one service, merged over its instances. */
struct pane *pane_table_create(struct ui *, const struct rt_service *,
    const struct rt_view *);
/* A service with no configured instance: says so and how to fix it. */
struct pane *pane_table_create_unconfigured(struct ui *,
    const struct rt_service **, size_t);
bool pane_is_table(struct pane *);
/* Selects the row drawn on screen line y; false when none is there. */
bool pane_table_click(struct pane *, int y);
void pane_table_set_filter(struct pane *, const char *);
const char *pane_table_filter(struct pane *);
/* The selected row (borrowed, valid until the next refresh) or NULL. */
const json_t *pane_table_selected(struct pane *);
const struct rt_view *pane_table_view(struct pane *);
const struct rt_service *pane_table_service(struct pane *);
/* Instances behind the pane (borrowed array) and their count. */
struct rt_instance **pane_table_instances(struct pane *, size_t *);
/* Moves the selection (ACT_UP...) or changes the sort. */
void pane_table_action(struct pane *, int);
/* Every field of the selected row as text; new string or NULL. */
char *pane_table_detail(struct pane *);
/* The instance name of the selected row (borrowed) or NULL. */
const char *pane_table_selected_instance(struct pane *);

/* pane-problems.c: what needs attention across every instance. */
struct pane *pane_problems_create(struct ui *);

/* pane-activity.c: every call from keys (and agents and CLI, hooked). */
struct pane *pane_activity_create(struct ui *);
struct activity;
struct activity *activity_begin(struct ui *, const char *who,
    const char *tool, const json_t *args);
void activity_end(struct ui *, struct activity *, bool ok,
    const char *result);
void activity_progress(struct ui *, struct activity *, const char *);
/* Records a finished call made elsewhere; safe from any thread. */
void activity_note(const char *who, const char *tool, const char *target,
    bool ok, const char *result, int64_t duration_ms);
/* Moves noted calls from other threads into the pane; main thread. */
void activity_drain(struct ui *);
int activity_running(struct ui *);
void activity_free_all(struct ui *);
/* Sets the eventfd activity_note writes to (-1: none). */
void activity_wake(int);

/* pane-status.c: the status line (instances, freshness, errors). */
void status_draw(struct ui *, int y);
/* ms until an age shown on the status line changes. */
int status_next_ms(struct ui *);

/* layout.c */
void layout_compute(struct ui *);
/* Whether a pane's wish changed since the last layout. */
bool layout_stale(struct ui *);

/* keymap.c */
enum action {
	ACT_NONE,
	ACT_QUIT,
	ACT_FOCUS_NEXT,
	ACT_FOCUS_PREV,
	ACT_ZOOM,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_HOME,
	ACT_END,
	ACT_FILTER,
	ACT_PALETTE,
	ACT_HELP,
	ACT_DETAIL,
	ACT_SORT_NEXT,
	ACT_SORT_REVERSE,
	ACT_REDRAW,
	ACT_REFRESH,
	ACT_FIND,
};
struct binding {
	int key;
	enum action action;
	const char *help;
	bool nav;	/* a row key of the focused pane may shadow it */
};
const struct binding *keymap_lookup(int key);
const struct binding *keymap_table(size_t *n);
const char *keymap_key_name(int key, char *buf, size_t len);
/* The first key bound to an action, or -1. */
int keymap_key_of(enum action);
/* The key of a row key now: key, or the one the configuration gave tool. */
int keymap_rowkey(const char *tool, int key);
/* The toggle of a service's row key calling tool, or NULL. */
const struct rt_toggle *keymap_toggle(const struct rt_service *,
    const char *tool);
/* Whether a row is in the state where the toggle calls its other tool. */
bool keymap_toggle_holds(const struct rt_toggle *, const json_t *row);
/* The tool a row key calls on row (NULL: its own) and its label. */
const char *keymap_row_action(const struct rt_service *,
    const struct rt_rowkey *, const json_t *row, const char **label);
/* Applies the configuration's "ACTION=KEY, ..." (NULL: none); -1, *cause. */
int keymap_configure(struct registry *, const char *spec, char **cause);

/* lineedit in palette.c: the bottom-line editor for / and :. */
enum edit_mode {
	EDIT_NONE,
	EDIT_FILTER,
	EDIT_PALETTE,
	EDIT_PROMPT,	/* a value for a modal question */
};
void edit_start(struct ui *, enum edit_mode, const char *prompt,
    const char *initial);
int edit_key(struct ui *, int key);
void edit_draw(struct ui *, int y);
/* Completes the word under the cursor in palette mode. */
void palette_complete(struct ui *);
void palette_run(struct ui *, const char *line);

/* modal.c: a centred box over the panes. */
enum modal_kind {
	MODAL_NONE,
	MODAL_TEXT,	/* scrollable text; any of q/Esc/Enter closes */
	MODAL_CONFIRM,	/* y/n */
	MODAL_APPROVAL,	/* an agent's held call: y/a/n (approval.c) */
};
void modal_text(struct ui *, const char *title, const char *text);
/*
 * Replaces the text of the text modal opened as seq (ui->modal_seq just
 * after modal_text), keeping its scroll; false when it is no longer open.
 */
bool modal_text_replace(struct ui *, uint64_t seq, const char *text);
void modal_confirm(struct ui *, const char *title, const char *text,
    void (*yes)(struct ui *, void *), void (*no)(struct ui *, void *),
    void *arg);
int modal_key(struct ui *, int key);
void modal_draw(struct ui *);
bool modal_open(struct ui *);
/* Opens or refreshes the approval modal, keeping its scroll. */
void modal_approval(struct ui *, const char *title, const char *text);
/* Closes the modal without running a callback. */
void modal_dismiss(struct ui *);
/* Scrolls the modal's text by a key; always 1. */
int modal_scroll_key(struct ui *, int key);

/*
 * approval.c: the operator's queue of agent calls held for approval
 * (core/approval.h is the other side).
 */
struct approval;
void ui_approval_start(struct ui *, struct approval *);
void ui_approval_stop(struct ui *);
/* which 0: requests from the MCP thread; 1: describe previews. */
int ui_approval_fd(int which);
void ui_approval_events(struct ui *);
void ui_approval_tick(struct ui *);
int ui_approval_waiting(void);
int ui_approval_key(struct ui *, int key);

/* find.c: the F key's question and racktop_find's answer as text. */
void find_start(struct ui *);
/* The text of a racktop_find result (structuredContent); caller frees. */
char *find_text(const json_t *result);
/*
 * remote.c: where calls go (the pool, or an attached racktop). -1: the
 * call was refused at once (call_result says why).
 */
struct job_queue;
struct rt_call;
int ui_call_start(struct ui *, struct rt_call *, struct job_queue *done);
bool ui_is_remote(void);

/* app.c: calls and messages. */
void app_message(struct ui *, enum role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Calls a tool for the operator; asks y/n first when destructive. */
void app_call(struct ui *, const char *tool, json_t *args, const char *label,
    bool view_result);
void app_help(struct ui *);
/*
 * Calls a read-only tool for the dashboard itself: done runs on the main
 * thread with the finished call, exactly once, and owns arg; takes args.
 * False (done not run) when there is no such tool.
 */
bool app_lookup(struct ui *, const char *tool, json_t *args,
    void (*done)(struct ui *, const struct rt_call *, void *), void *arg);

/* detail.c: a row's detail view and the memories linked to the row. */
void detail_open(struct ui *);
void detail_free_all(struct ui *);

/* The dashboard's state, owned by the main thread. */
struct ui {
	struct registry *reg;
	struct job_pool *pool;
	struct job_queue *done;
	const char *sock_path;
	struct pane *panes;	/* in layout order */
	struct pane *focus;
	struct pane *activity;
	bool zoom;
	bool full_redraw;
	int rows, cols;

	/* The modal, when one is open. */
	enum modal_kind modal;
	char *modal_title;
	char *modal_text;
	int modal_scroll;
	uint64_t modal_seq;	/* counts modals opened */
	void (*modal_yes)(struct ui *, void *);
	void (*modal_no)(struct ui *, void *);
	void *modal_arg;

	/* The line editor. */
	enum edit_mode edit;
	char edit_prompt[160];
	char edit_buf[512];
	size_t edit_len;
	size_t edit_cursor;
	void (*prompt_done)(struct ui *, const char *, void *);
	void *prompt_arg;

	/* The message line. */
	char message[256];
	enum role message_role;
	int64_t message_mono;

	/* The open detail view's state (detail.c), or NULL. */
	struct detail *detail;

	/* Mouse reports, when the operator turned them on. */
	bool mouse;

	/* Activity (pane-activity.c). */
	struct activity *acts;
	size_t nacts;
	int pending;
};

#endif
