/*
 * Themes: semantic roles (ok, warn, crit, stale, selected, header, gauge...)
 * mapped to colours and attributes, read from a .theme file or from the
 * built-in copies of themes/default, light and high-contrast.
 *
 * A line is "role = foreground [background] [attribute...]"; colours are
 * default, black, red, green, yellow, blue, magenta, cyan, white, their
 * bright- forms, or colorN (0-255). NO_COLOR, a terminal without colours
 * or one with 8 keeps the roles readable: each role has a monochrome
 * attribute, and colours above 7 fold onto the basic eight.
 */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "ui/ui.h"

struct role_style {
	short fg, bg;	/* -1: default */
	int attr;
};

static const char *role_names[ROLE_COUNT] = {
	"normal", "title", "title-focus", "header", "selected", "ok", "warn",
	"crit", "stale", "dim", "gauge", "gauge-empty", "status", "message",
	"modal", "key",
};

/* What each role looks like without colour. */
static const int role_mono[ROLE_COUNT] = {
	A_NORMAL, A_BOLD, A_REVERSE | A_BOLD, A_UNDERLINE, A_REVERSE,
	A_NORMAL, A_BOLD, A_BOLD | A_UNDERLINE, A_DIM, A_DIM, A_BOLD, A_DIM,
	A_REVERSE, A_BOLD, A_NORMAL, A_BOLD,
};

static struct role_style styles[ROLE_COUNT];
static int attrs[ROLE_COUNT];
static bool utf8;

/* Built-in copies of the shipped themes, used when no file is found. */
static const char builtin_default[] =
    "normal = default default\n"
    "title = cyan default bold\n"
    "title-focus = black cyan bold\n"
    "header = default default bold underline\n"
    "selected = black color45\n"
    "ok = green default\n"
    "warn = yellow default bold\n"
    "crit = red default bold\n"
    "stale = color244 default\n"
    "dim = color244 default\n"
    "gauge = green default\n"
    "gauge-empty = color238 default\n"
    "status = black white\n"
    "message = yellow default\n"
    "modal = default default\n"
    "key = cyan default bold\n";
static const char builtin_light[] =
    "normal = black default\n"
    "title = blue default bold\n"
    "title-focus = white blue bold\n"
    "header = black default bold underline\n"
    "selected = black color153\n"
    "ok = color28 default\n"
    "warn = color130 default bold\n"
    "crit = color160 default bold\n"
    "stale = color245 default\n"
    "dim = color245 default\n"
    "gauge = color28 default\n"
    "gauge-empty = color252 default\n"
    "status = white blue\n"
    "message = color130 default\n"
    "modal = black default\n"
    "key = blue default bold\n";
static const char builtin_contrast[] =
    "normal = bright-white black\n"
    "title = bright-white black bold underline\n"
    "title-focus = black bright-yellow bold\n"
    "header = bright-white black bold underline\n"
    "selected = black bright-white bold\n"
    "ok = bright-green black bold\n"
    "warn = bright-yellow black bold\n"
    "crit = bright-white red bold\n"
    "stale = bright-magenta black\n"
    "dim = white black\n"
    "gauge = bright-cyan black bold\n"
    "gauge-empty = white black\n"
    "status = black bright-white\n"
    "message = bright-yellow black bold\n"
    "modal = bright-white black\n"
    "key = bright-yellow black bold\n";

static const struct {
	const char *name;
	const char *text;
} builtins[] = {
	{ "default", builtin_default },
	{ "light", builtin_light },
	{ "high-contrast", builtin_contrast },
};

/* Parses a colour name; -2 when unknown. */
static short
parse_colour(const char *s)
{
	static const char *names[] = { "black", "red", "green", "yellow",
	    "blue", "magenta", "cyan", "white" };
	short i, base = 0;
	char *end;
	long n;

	if (strcasecmp(s, "default") == 0)
		return (-1);
	if (strncasecmp(s, "bright-", 7) == 0) {
		s += 7;
		base = 8;
	}
	for (i = 0; i < 8; i++) {
		if (strcasecmp(s, names[i]) == 0)
			return (base + i);
	}
	if (base == 0 && strncasecmp(s, "color", 5) == 0) {
		n = strtol(s + 5, &end, 10);
		if (*end == '\0' && end != s + 5 && n >= 0 && n <= 255)
			return ((short)n);
	}
	return (-2);
}

/* Parses an attribute name; -1 when unknown. */
static int
parse_attr(const char *s)
{
	if (strcasecmp(s, "bold") == 0)
		return (A_BOLD);
	if (strcasecmp(s, "dim") == 0)
		return (A_DIM);
	if (strcasecmp(s, "underline") == 0)
		return (A_UNDERLINE);
	if (strcasecmp(s, "reverse") == 0)
		return (A_REVERSE);
	if (strcasecmp(s, "standout") == 0)
		return (A_STANDOUT);
	if (strcasecmp(s, "none") == 0 || strcasecmp(s, "normal") == 0)
		return (A_NORMAL);
	return (-1);
}

/* Parses one "role = fg [bg] [attr...]" line into styles. */
static int
parse_line(char *line, int lineno, char **cause)
{
	char *eq, *word, *save = NULL;
	struct role_style st = { -1, -1, A_NORMAL };
	int i, role = -1, nword = 0, a;
	short c;

	if ((eq = strchr(line, '#')) != NULL)
		*eq = '\0';
	if ((eq = strchr(line, '=')) == NULL) {
		if (strspn(line, " \t\r\n") == strlen(line))
			return (0);
		xasprintf(cause, "line %d: expected role = colours", lineno);
		return (-1);
	}
	*eq = '\0';
	word = strtok_r(line, " \t", &save);
	for (i = 0; word != NULL && i < ROLE_COUNT; i++) {
		if (strcmp(word, role_names[i]) == 0)
			role = i;
	}
	if (role == -1) {
		xasprintf(cause, "line %d: unknown role %s", lineno,
		    word != NULL ? word : "(none)");
		return (-1);
	}
	save = NULL;
	for (word = strtok_r(eq + 1, " \t\r\n", &save); word != NULL;
	    word = strtok_r(NULL, " \t\r\n", &save)) {
		if (nword < 2 && (c = parse_colour(word)) != -2) {
			if (nword++ == 0)
				st.fg = c;
			else
				st.bg = c;
			continue;
		}
		if ((a = parse_attr(word)) == -1) {
			xasprintf(cause, "line %d: unknown colour or attribute "
			    "%s", lineno, word);
			return (-1);
		}
		nword = 2;
		st.attr |= a;
	}
	styles[role] = st;
	return (0);
}

/* Parses a whole theme text. */
static int
parse_text(const char *text, char **cause)
{
	char *copy = xstrdup(text), *line, *next;
	int lineno = 0, rv = 0;

	for (line = copy; line != NULL && rv == 0; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		rv = parse_line(line, ++lineno, cause);
	}
	free(copy);
	return (rv);
}

/* Reads a file into a new string, or NULL. */
static char *
read_file(const char *path)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	buf = xmalloc(65536);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

/* Finds and parses a theme by name or path. */
int
theme_load(const char *name, char **cause)
{
	const char *dirs[3];
	char *path, *text = NULL, *why = NULL, *xdg = NULL;
	size_t i;
	int rv;

	utf8 = MB_CUR_MAX > 1 && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (parse_text(builtin_default, cause) != 0)
		return (-1);
	if (name == NULL || *name == '\0')
		return (0);
	if (strchr(name, '/') != NULL) {
		if ((text = read_file(name)) == NULL) {
			xasprintf(cause, "theme %s: cannot read it", name);
			return (-1);
		}
	}
	if (getenv("XDG_CONFIG_HOME") != NULL)
		xasprintf(&xdg, "%s/racktop/themes", getenv("XDG_CONFIG_HOME"));
	else if (getenv("HOME") != NULL)
		xasprintf(&xdg, "%s/.config/racktop/themes", getenv("HOME"));
	dirs[0] = getenv("RACKTOP_THEME_DIR");
	dirs[1] = xdg;
#ifdef RT_DATADIR
	dirs[2] = RT_DATADIR "/themes";
#else
	dirs[2] = NULL;
#endif
	for (i = 0; text == NULL && i < 3; i++) {
		if (dirs[i] == NULL)
			continue;
		xasprintf(&path, "%s/%s.theme", dirs[i], name);
		text = read_file(path);
		free(path);
	}
	free(xdg);
	for (i = 0; text == NULL && i < sizeof builtins / sizeof builtins[0];
	    i++) {
		if (strcmp(builtins[i].name, name) == 0)
			text = xstrdup(builtins[i].text);
	}
	if (text == NULL) {
		xasprintf(cause, "theme %s: not found (built in: default, "
		    "light, high-contrast)", name);
		return (-1);
	}
	rv = parse_text(text, &why);
	free(text);
	if (rv != 0) {
		xasprintf(cause, "theme %s: %s", name, why);
		free(why);
	}
	return (rv);
}

/* Folds a colour onto what the terminal has. */
static short
fold_colour(short c)
{
	if (c < 0 || c < COLORS)
		return (c);
	if (c < 16)
		return (c - 8);
	if (c >= 232)	/* grey ramp */
		return (c < 244 ? COLOR_BLACK : COLOR_WHITE);
	c -= 16;	/* 6x6x6 cube: pick the strongest channels */
	return ((short)(((c / 36) >= 3 ? COLOR_RED : 0) |
	    (((c / 6) % 6) >= 3 ? COLOR_GREEN : 0) |
	    ((c % 6) >= 3 ? COLOR_BLUE : 0)));
}

/* Sets up colour pairs after initscr, honouring NO_COLOR. */
void
theme_start(void)
{
	const char *nc = getenv("NO_COLOR");
	bool colour = has_colors() && (nc == NULL || *nc == '\0');
	int i;

	if (colour) {
		start_color();
		use_default_colors();
		colour = COLORS >= 8 && COLOR_PAIRS > ROLE_COUNT;
	}
	for (i = 0; i < ROLE_COUNT; i++) {
		if (!colour) {
			attrs[i] = role_mono[i];
			continue;
		}
		init_pair((short)(i + 1), fold_colour(styles[i].fg),
		    fold_colour(styles[i].bg));
		attrs[i] = COLOR_PAIR(i + 1) | styles[i].attr;
		/* 8 colours: a bright foreground becomes bold. */
		if (COLORS < 16 && styles[i].fg >= 8 && styles[i].fg < 16)
			attrs[i] |= A_BOLD;
	}
}

/* The curses attributes of a role. */
int
theme_attr(enum role r)
{
	return (attrs[r]);
}

/* The name of a role, as theme files spell it. */
const char *
theme_role_name(enum role r)
{
	return (role_names[r]);
}

/* Whether to draw UTF-8 boxes and blocks. */
bool
theme_utf8(void)
{
	return (utf8);
}
