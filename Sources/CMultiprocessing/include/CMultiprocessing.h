// CMultiprocessing: the few things Swift cannot call directly (macros, variadic calls,
// raw system calls and C11 atomics on shared memory). Everything is `static inline` and
// prefixed `cmp_`; the Swift side wraps each call once, in Multiprocessing/Internals/OS.
#ifndef CMULTIPROCESSING_H
#define CMULTIPROCESSING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// MARK: - Process control

/// fork(2). Returns the child's pid in the parent, 0 in the child, -1 on error.
static inline pid_t cmp_fork(void) { return fork(); }

/// Asks the kernel to send `signal` to this process when its parent thread exits.
static inline int cmp_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
}

/// Names the calling thread (visible in ps/top); at most 15 bytes are kept.
static inline int cmp_set_process_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/// Reads the parent-death signal of the calling thread (0: none). Changes nothing.
static inline int cmp_get_parent_death_signal(void) {
    int signal = 0;
    return prctl(PR_GET_PDEATHSIG, (unsigned long)&signal, 0, 0, 0) == 0 ? signal : -1;
}

/// pidfd_open(2): a descriptor that polls readable when the process ends.
static inline int cmp_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
/// getrandom(2) with no flags: blocks only until the kernel's pool is first seeded.
static inline long cmp_getrandom(void *buffer, size_t length) { return syscall(SYS_getrandom, buffer, length, 0); }

/// memfd_create(2) with MFD_CLOEXEC (1): an anonymous file for memory shared across exec.
static inline int cmp_memfd_create(const char *name) { return (int)syscall(SYS_memfd_create, name, 1u); }

static inline int cmp_wifexited(int status) { return WIFEXITED(status); }
static inline int cmp_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int cmp_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int cmp_wtermsig(int status) { return WTERMSIG(status); }

// MARK: - File descriptors

static inline int cmp_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
static inline int cmp_fcntl_int(int fd, int command, int value) { return fcntl(fd, command, value); }
static inline int cmp_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }

// MARK: - Atomics on shared memory (sequentially consistent unless named otherwise)

static inline uint32_t cmp_load_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void cmp_store_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint32_t cmp_exchange_u32(uint32_t *p, uint32_t v) { return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL); }
static inline uint32_t cmp_fetch_add_u32(uint32_t *p, uint32_t v) { return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL); }
static inline uint32_t cmp_fetch_sub_u32(uint32_t *p, uint32_t v) { return __atomic_fetch_sub(p, v, __ATOMIC_ACQ_REL); }
static inline int cmp_cas_u32(uint32_t *p, uint32_t *expected, uint32_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline int64_t cmp_load_i64(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void cmp_store_i64(int64_t *p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int64_t cmp_fetch_add_i64(int64_t *p, int64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL); }
static inline int cmp_cas_i64(int64_t *p, int64_t *expected, int64_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline void cmp_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void cmp_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

// MARK: - Futex (process-shared: never FUTEX_PRIVATE_FLAG, the word lives in shared memory)

/// Sleeps while `*word == expected`. `timeout_ns < 0` waits forever. Returns 0 when woken
/// (or the word had changed), -1 with errno ETIMEDOUT, EINTR or EAGAIN otherwise.
static inline int cmp_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    if (timeout_ns < 0) {
        return (int)syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
    }
    struct timespec ts = { (time_t)(timeout_ns / 1000000000), (long)(timeout_ns % 1000000000) };
    return (int)syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

/// Wakes at most `count` waiters sleeping on `word`. Returns how many were woken.
static inline int cmp_futex_wake(uint32_t *word, int count) {
    return (int)syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
}

// MARK: - Robust, process-shared mutexes

/// Initialises a process-shared robust mutex in place (recursive when `recursive` != 0).
/// A holder that dies makes the next locker get EOWNERDEAD instead of blocking forever.
static inline int cmp_mutex_init_shared(pthread_mutex_t *mutex, int recursive) {
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc != 0) return rc;
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&attr, recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
    rc = pthread_mutex_init(mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    return rc;
}

/// Locks with a relative timeout in nanoseconds (< 0: forever, 0: try). Returns 0,
/// EOWNERDEAD (locked; previous holder died), ETIMEDOUT, EBUSY, or another error code.
static inline int cmp_mutex_lock(pthread_mutex_t *mutex, int64_t timeout_ns) {
    if (timeout_ns < 0) return pthread_mutex_lock(mutex);
    if (timeout_ns == 0) return pthread_mutex_trylock(mutex);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t total = (int64_t)now.tv_nsec + timeout_ns % 1000000000;
    struct timespec deadline = {
        now.tv_sec + (time_t)(timeout_ns / 1000000000) + (time_t)(total / 1000000000),
        (long)(total % 1000000000)
    };
    return pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, &deadline);
}

// MARK: - Clocks

/// CLOCK_MONOTONIC in nanoseconds.
static inline int64_t cmp_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/// The trace file's descriptor (LEARN_MP_TRACE), or -1 when tracing is off; set before main
/// and never changed after, so reading it needs no synchronisation.
extern int cmp_trace_descriptor;
static inline int cmp_trace_fd(void) { return cmp_trace_descriptor; }

#endif
