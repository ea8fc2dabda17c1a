/*
 * watch_fixture.h - what the watch mode tests (test_watch.c) share: the
 * kit, the runner in a pseudo-terminal, an exercise that loops, and the
 * tests of each file.
 */
#ifndef KATA_TESTS_WATCH_FIXTURE_H
#define KATA_TESTS_WATCH_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "../text.h"
#include "harness.h"

#define GREET "exercises/01-greet/greet.c"
#define WAIT_MS 20000

typedef struct pty_run {
    int master;
    int slave; /* kept open here too, to read the terminal's modes */
    pid_t pid;
    kata_buf screen; /* everything the runner wrote */
    size_t mark;     /* wait_for() looks after this */
    bool exited;
    int status;
} pty_run;

/* greet() that writes its process id to a file of its working folder,
 * then loops. */
#define LOOPING_GREET                                                          \
    "#include <stdio.h>\n#include <unistd.h>\n#include \"greet.h\"\n"          \
    "const char *greet(void)\n{\n"                                             \
    "    FILE *f = fopen(\"pid\", \"w\");\n"                                   \
    "    if (f) { fprintf(f, \"%d\", (int)getpid()); fclose(f); }\n"           \
    "    for (volatile int spin = 1; spin;)\n        ;\n"                      \
    "    return 0;\n}\n"
#define PID_FILE "build/dev/exercises/01-greet-work/pid"

/* watch_fixture.c */
extern kit the_kit;
extern char *stub;
extern struct winsize window;
long long now_ms(void);
void start(pty_run *s, const char *exercise);
void start_command(pty_run *s, const char *command, const char *exercise,
                   const char *env);
void pump(pty_run *s, int ms);
bool wait_for(pty_run *s, const char *text);
bool stays_away(pty_run *s, const char *text, int ms);
void type(pty_run *s, const char *keys);
int wait_exit(pty_run *s);
bool cooked(const pty_run *s);
void finish(pty_run *s);
int make_kit(void **state);
int remove_kit(void **state);
int restore_stub(void **state);
int restore_count(void **state);
pid_t looping_exercise(pty_run *s);
bool gone(pid_t pid);
int remove_pid_file(void **state);
pid_t wait_for_pid_file(void);

/* watch_reruns.c */
void watch_reruns_on_save_and_answers_its_keys(void **state);
void watch_without_a_number_starts_where_the_learner_is(void **state);
void a_compile_error_shows_while_watching(void **state);
void watch_shows_what_a_suite_prints_after_its_tests(void **state);
void ctrl_c_and_sigterm_give_the_terminal_back(void **state);
void a_build_shows_the_build_tools_progress(void **state);
void a_small_terminal_keeps_the_failure_in_view_with_three_hints(void **state);

/* watch_interrupts.c */
void a_looping_test_is_stopped_with_a_live_line_naming_it(void **state);
void the_default_time_limit_is_ten_seconds(void **state);
void q_quits_watch_at_once_while_a_test_loops(void **state);
void a_save_restarts_a_run_that_loops(void **state);
int remove_slow_build(void **state);
void q_quits_watch_at_once_while_the_exercise_builds(void **state);
void a_save_restarts_a_build_in_progress(void **state);
void watch_waits_for_another_build_and_still_answers_q(void **state);
void sigterm_to_the_runner_kills_the_exercise(void **state);
void sighup_to_the_runner_kills_the_exercise(void **state);
void closing_the_terminal_kills_the_exercise(void **state);

#endif
