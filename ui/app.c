/*
 * The dashboard loop. For now it shows every instance's health from the
 * snapshot store and the socket agents use; the panes, keys and palette
 * of the dashboard issue grow from here. No fixed tick: it sleeps in
 * poll() until a key, a signal or the next second (ages move).
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/snapshot.h"
#include "core/xmalloc.h"
#include "ui/app.h"

static volatile sig_atomic_t app_quit;

static void
app_signal(int sig)
{
	app_quit = sig;
}

static void
app_endwin(void)
{
	endwin();
}

/* Draws one instance line. */
static void
draw_instance(int y, struct rt_instance *in)
{
	struct snapshot *s = snapshot_acquire(&in->slot);
	const char *state = "pending";
	char age[32] = "-";
	int64_t a;

	if (s != NULL) {
		state = s->error == NULL ? "ok" : "error";
		if ((a = snapshot_age_ms(s)) >= 0)
			snprintf(age, sizeof age, "%llds", (long long)(a / 1000));
	}
	mvprintw(y, 0, "%-12.12s %-14.14s ", in->service->name, in->name);
	if (has_colors())
		attron(COLOR_PAIR(strcmp(state, "ok") == 0 ? 1 : 2));
	printw("%-8s", state);
	if (has_colors())
		attroff(COLOR_PAIR(strcmp(state, "ok") == 0 ? 1 : 2));
	printw(" %6s  %.*s", age, COLS > 50 ? COLS - 50 : 0,
	    s != NULL && s->error != NULL ? s->error : "");
	snapshot_release(s);
}

/* Redraws the whole screen. */
static void
draw(struct registry *reg, const char *sock_path)
{
	size_t i, n = registry_ninstances(reg);

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "racktop %s", PACKAGE_VERSION);
	attroff(A_BOLD);
	mvprintw(1, 0, "MCP socket: %s", sock_path);
	attron(A_UNDERLINE);
	mvprintw(3, 0, "%-12s %-14s %-8s %6s  %s", "SERVICE", "INSTANCE",
	    "STATE", "AGE", "LAST ERROR");
	attroff(A_UNDERLINE);
	if (n == 0)
		mvprintw(4, 0, "No service instances are configured "
		    "(see racktop.conf(5)).");
	for (i = 0; i < n && (int)i + 4 < LINES - 1; i++)
		draw_instance((int)i + 4, registry_instance_at(reg, i));
	mvprintw(LINES - 1, 0, "q quit");
	refresh();
}

/* Runs the dashboard loop. */
int
app_run(struct registry *reg, struct job_pool *pool, const char *sock_path,
    const char *theme, const sigset_t *mask)
{
	struct sigaction sa;
	struct pollfd pfd;
	int ch;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_SETMASK, mask, NULL);

	log_detach_stderr();
	if (initscr() == NULL) {
		log_error("cannot initialise the terminal");
		return (1);
	}
	fatal_hook = app_endwin;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_GREEN, -1);
		init_pair(2, COLOR_RED, -1);
	}
	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	while (!app_quit) {
		draw(reg, sock_path);
		if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
			break;
		while ((ch = getch()) != ERR) {
			if (ch == 'q' || ch == 'Q')
				app_quit = 1;
		}
	}
	endwin();
	fatal_hook = NULL;
	return (0);
}
