// Reference points for `make bench`, written directly against the system calls: what the
// hardware and kernel allow, so each library number can be read against a floor.
//   reference process-start    fork + _exit + waitpid, ms per cycle
//   reference locked-counter   2 processes, process-shared pthread mutex in MAP_SHARED memory
//   reference socket-rtt       one byte to a forked echo process and back, microseconds
// Prints {"value": <number>, "unit": "<unit>"} like every other workload.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void emit(double value, const char *unit) {
    printf("{\"value\": %.9g, \"unit\": \"%s\"}\n", value, unit);
}

static void process_start(void) {
    const int count = 2000;
    double t0 = now();
    for (int i = 0; i < count; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        if (pid < 0 || waitpid(pid, NULL, 0) != pid) { perror("fork/waitpid"); exit(1); }
    }
    emit((now() - t0) / count * 1e3, "ms");
}

struct shared {
    pthread_mutex_t mutex;
    long counter;
    int go;
};

static void locked_counter(void) {
    const long per_process = 10000000;
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) { perror("mmap"); exit(1); }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->mutex, &attr);
    pid_t pids[2];
    for (int p = 0; p < 2; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            while (!__atomic_load_n(&s->go, __ATOMIC_ACQUIRE)) { }
            for (long i = 0; i < per_process; i++) {
                pthread_mutex_lock(&s->mutex);
                s->counter++;
                pthread_mutex_unlock(&s->mutex);
            }
            _exit(0);
        }
    }
    double t0 = now();
    __atomic_store_n(&s->go, 1, __ATOMIC_RELEASE);
    for (int p = 0; p < 2; p++) waitpid(pids[p], NULL, 0);
    double elapsed = now() - t0;
    if (s->counter != 2 * per_process) { fprintf(stderr, "counter %ld\n", s->counter); exit(1); }
    emit(2 * per_process / elapsed, "ops/s");
}

static void socket_rtt(void) {
    const int rounds = 10000;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) { perror("socketpair"); exit(1); }
    pid_t pid = fork();
    char b = 'x';
    if (pid == 0) {
        close(fds[0]);
        while (read(fds[1], &b, 1) == 1) write(fds[1], &b, 1);
        _exit(0);
    }
    close(fds[1]);
    double t0 = 0;
    for (int i = -100; i < rounds; i++) {
        if (i == 0) t0 = now();
        if (write(fds[0], &b, 1) != 1 || read(fds[0], &b, 1) != 1) { perror("echo"); exit(1); }
    }
    double elapsed = now() - t0;
    close(fds[0]);
    waitpid(pid, NULL, 0);
    emit(elapsed / rounds * 1e6, "us");
}

int main(int argc, char **argv) {
    const char *names[] = {"process-start", "locked-counter", "socket-rtt"};
    void (*runs[])(void) = {process_start, locked_counter, socket_rtt};
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < 3; i++) puts(names[i]);
        return 0;
    }
    for (int i = 0; argc == 2 && i < 3; i++)
        if (strcmp(argv[1], names[i]) == 0) { runs[i](); return 0; }
    fprintf(stderr, "usage: reference process-start|locked-counter|socket-rtt|--list\n");
    return 2;
}
