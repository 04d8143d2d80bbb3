// CLessonKit: what LessonKit's OS layer (Sources/LessonKit/OS) cannot write in Swift: the
// child side of a spawn (between fork and exec only async-signal-safe calls may run, so it is
// C) and a tree removal that is safe inside a signal handler. Prefixed `clk_`; the Swift side
// wraps each function once.
#ifndef CLESSONKIT_H
#define CLESSONKIT_H

#include <sys/types.h>

/// Which step of `clk_spawn` failed (the errno comes with it).
enum clk_spawn_step {
    CLK_SPAWN_OK = 0,
    CLK_SPAWN_PIPE = 1,
    CLK_SPAWN_FORK = 2,
    CLK_SPAWN_CHDIR = 3,
    CLK_SPAWN_EXEC = 4,
    CLK_SPAWN_SETUP = 5,
};

/// Starts `path` (an absolute or relative path, never looked up in PATH) with `argv` and
/// `envp` in a forked child that, before exec: leads a new process group, gets SIGKILL when
/// the calling thread ends (PR_SET_PDEATHSIG; exits at once if the parent is already gone),
/// has every signal at its default and none blocked, reads /dev/null, writes `stdout_fd` and
/// `stderr_fd` to 1 and 2, and works in `directory` (NULL: the caller's).
///
/// Returns CLK_SPAWN_OK with the child in `*pid`, or the failed step with its errno in `*error`
/// (a child that failed after the fork has been reaped). Signals are blocked in the calling
/// thread around the fork so no handler runs in the child.
int clk_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
              int stdout_fd, int stderr_fd, pid_t *pid, int *error);

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start.
int clk_pipe_cloexec(int fds[2]);

/// prctl(PR_SET_CHILD_SUBREAPER, on): while on, orphaned descendants are re-parented to this
/// process instead of init.
int clk_set_child_subreaper(int on);

/// Removes the tree at `path` with only async-signal-safe calls (openat, getdents64,
/// unlinkat; no allocation), so a signal handler may call it. Symbolic links are removed, not
/// followed. Returns 0 when nothing remains at `path`, else -1.
int clk_remove_tree(const char *path);

#endif
