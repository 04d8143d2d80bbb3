#include "CMultiprocessing.h"
#include <fcntl.h>
#include <stdlib.h>

// Tracing: the file named by LEARN_MP_TRACE, opened once before any Swift code runs (and before
// a spawned worker is entered, below), inherited by forks. A plain C global, so that checking it
// is one load: a Swift global would be initialised lazily, and on Linux every access to it
// calls swift_once, which cost a lock/unlock pair a quarter of its time with tracing off.
int cmp_trace_descriptor = -1;

__attribute__((constructor(101))) static void cmp_open_trace(void) {
    const char *path = getenv("LEARN_MP_TRACE");
    if (path != NULL && path[0] != 0) {
        cmp_trace_descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    }
}

// Spawn start method: a program started again as a worker (the parent put
// MULTIPROCESSING_SPAWNED in its environment) enters the worker here, before the program's own
// top-level code runs. The entry point is defined in Swift (`@_cdecl`); it never returns.
extern void cmp_spawned_entry(void) __attribute__((weak));

__attribute__((constructor)) static void cmp_enter_spawned_worker(void) {
    if (getenv("MULTIPROCESSING_SPAWNED") != NULL && cmp_spawned_entry != NULL) {
        cmp_spawned_entry();
    }
}
