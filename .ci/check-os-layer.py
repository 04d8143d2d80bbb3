#!/usr/bin/env python3
"""The OS-layer rule: every system call, thread, lock and atomic of a module sits behind its
one OS layer. Lists each call of a libc/system function, `pthread_*` or `cmp_*` (the C shim)
made outside the layer's files, and exits 1 when there is any.

    python3 .ci/check-os-layer.py [repository root]

The layer of each module is the set of files named in LAYERS; everything else in the module
calls the layer's `system_*` wrappers (or the shim through them).
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))

# Module folder -> the files (relative to it, a trailing "/" names a folder) that form its OS layer.
LAYERS = {
    "Sources/Multiprocessing": ["Internals/OS/"],
    "Sources/LessonKit": ["OS/"],
}

# System and libc functions that must not be called outside a layer. Method calls (`.read(`),
# definitions (`func read(`) and labelled arguments (`read:`) are not calls of these.
SYSTEM_FUNCTIONS = """
fork vfork execv execve execvp waitpid waitid wait4 kill killpg getpid getppid gettid setsid
setpgid getpgid prctl _exit exit abort raise signal sigaction sigprocmask pthread_sigmask
sigemptyset sigaddset sigfillset open openat close read write pread pwrite readv writev lseek
pipe pipe2 dup dup2 dup3 fcntl ioctl ftruncate fsync fstat stat lstat unlink unlinkat rename
renameat mkdir mkdtemp mkstemp rmdir opendir readdir closedir chmod fchmod realpath access
mmap munmap mprotect madvise shm_open shm_unlink memfd_create socket socketpair bind listen
accept accept4 connect send sendmsg sendto recv recvmsg recvfrom setsockopt getsockopt
shutdown getsockname poll ppoll select epoll_create1 epoll_ctl epoll_wait eventfd
clock_gettime gettimeofday nanosleep usleep sleep sched_yield getenv setenv unsetenv
posix_spawn posix_spawnp syscall getrusage sysconf isatty tcgetattr tcsetattr
""".split()

CALL = re.compile(r"(?<![\w.])(%s|pthread_\w+|cmp_\w+)\s*\(" % "|".join(map(re.escape, SYSTEM_FUNCTIONS)))
DEFINITION = re.compile(r"\bfunc\s+$")


def in_layer(module, relative):
    for entry in LAYERS[module]:
        if entry.endswith("/") and relative.startswith(entry) or relative == entry:
            return True
    return False


def strip_comments_and_strings(line):
    line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
    return line.split("//", 1)[0]


def violations():
    found = []
    for module in LAYERS:
        base = os.path.join(ROOT, module)
        for folder, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, base)
                if in_layer(module, relative):
                    continue
                in_block_comment = False
                with open(path, encoding="utf-8") as f:
                    for number, raw in enumerate(f, 1):
                        line = raw
                        if in_block_comment:
                            if "*/" not in line:
                                continue
                            line = line.split("*/", 1)[1]
                            in_block_comment = False
                        if "/*" in line:
                            line, rest = line.split("/*", 1)
                            in_block_comment = "*/" not in rest
                        line = strip_comments_and_strings(line)
                        for match in CALL.finditer(line):
                            if DEFINITION.search(line[:match.start()]):
                                continue
                            found.append((os.path.relpath(path, ROOT), number, match.group(1)))
    return found


def main():
    found = violations()
    for path, number, name in found:
        print(f"{path}:{number}: {name}() outside the OS layer: call a system_* wrapper from "
              f"the module's OS layer ({', '.join(LAYERS[path.split('/', 2)[0] + '/' + path.split('/', 2)[1]])}) instead")
    if found:
        print(f"{len(found)} call(s) outside the OS layer")
        return 1
    print("OS layer: no system call, pthread_* or cmp_* outside it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
