#include "CMultiprocessing.h"
#include <stdlib.h>

// Spawn start method: a program started again as a worker (the parent put
// MULTIPROCESSING_SPAWNED in its environment) enters the worker here, before the program's own
// top-level code runs. The entry point is defined in Swift (`@_cdecl`); it never returns.
extern void cmp_spawned_entry(void) __attribute__((weak));

__attribute__((constructor)) static void cmp_enter_spawned_worker(void) {
    if (getenv("MULTIPROCESSING_SPAWNED") != NULL && cmp_spawned_entry != NULL) {
        cmp_spawned_entry();
    }
}
