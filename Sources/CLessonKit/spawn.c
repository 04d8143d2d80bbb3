#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "CLessonKit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/// Reports a failed step to the parent and ends the child.
static void child_fail(int report, int step) {
    int message[2] = {step, errno};
    ssize_t ignored = write(report, message, sizeof message);
    (void)ignored;
    _exit(127);
}

int clk_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
              int stdout_fd, int stderr_fd, pid_t *pid, int *error) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) { *error = errno; return CLK_SPAWN_PIPE; }
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        // Only async-signal-safe calls from here to exec.
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int signal = 1; signal < _NSIG; signal++) sigaction(signal, &dfl, NULL);
        if (setpgid(0, 0) != 0) child_fail(report[1], CLK_SPAWN_SETUP);
        if (prctl(PR_SET_PDEATHSIG, (unsigned long)SIGKILL, 0, 0, 0) != 0) child_fail(report[1], CLK_SPAWN_SETUP);
        if (getppid() != parent) _exit(127);  // the parent died before prctl
        int input = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (input < 0 || dup2(input, 0) < 0) child_fail(report[1], CLK_SPAWN_SETUP);
        if (dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) child_fail(report[1], CLK_SPAWN_SETUP);
        if (directory != NULL && chdir(directory) != 0) child_fail(report[1], CLK_SPAWN_CHDIR);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        child_fail(report[1], CLK_SPAWN_EXEC);
    }
    int forkError = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        *error = forkError;
        return CLK_SPAWN_FORK;
    }
    // Also from this side, so the group exists before the caller can signal it.
    setpgid(child, child);
    int message[2] = {0, 0};
    ssize_t count;
    do { count = read(report[0], message, sizeof message); } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof message) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        *error = message[1];
        return message[0];
    }
    *pid = child;
    return CLK_SPAWN_OK;
}

int clk_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int clk_set_child_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)(on != 0), 0, 0, 0); }

/// Removes `name` in the directory `parent`: a file at once, a directory after its entries.
static void remove_entry(int parent, const char *name, int depth) {
    if (unlinkat(parent, name, 0) == 0 || errno == ENOENT) return;
    if ((errno != EISDIR && errno != EPERM) || depth > 64) return;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    char buffer[4096];
    // Removing entries under the cursor may skip some: read again until a pass finds none
    // (a few passes at most; something that cannot be removed ends the attempt).
    for (int pass = 0; pass < 8; pass++) {
        int found = 0;
        lseek(fd, 0, SEEK_SET);
        long count;
        while ((count = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
            for (long offset = 0; offset < count;) {
                struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
                offset += entry->d_reclen;
                if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
                found = 1;
                remove_entry(fd, entry->d_name, depth + 1);
            }
        }
        if (!found) break;
    }
    close(fd);
    unlinkat(parent, name, AT_REMOVEDIR);
}

int clk_remove_tree(const char *path) {
    remove_entry(AT_FDCWD, path, 0);
    struct stat info;
    return lstat(path, &info) == 0 ? -1 : 0;
}
