// The source of a hook the runner writes into a demo's temporary directory. Kept as a
// literal so a plain `swift build` needs no resource bundle; edit it here.

extension RuntimeHooks {
    /// The Python hook: `sitecustomize.py`, loaded at start-up from a `PYTHONPATH` entry the runner owns.
    static let pythonTraceHook = #"""
# learn-mp trace hook for Python: loaded at start-up from a PYTHONPATH entry the runner owns.
# Writes the trace schema of the Multiprocessing library (one JSON line per event, one
# write(2) each, O_APPEND) to the file named by LEARN_MP_TRACE: multiprocessing processes with
# their names, pool and executor tasks, Lock/RLock/Semaphore/Condition holds and Queue
# put/get made by the program's own code. It never prints, and a failure in it is ignored.
# Modules are patched when the program first imports them; forked children inherit the
# patches, spawned children load this file again.


def _learn_mp_install():
    import os
    import sys

    path = os.environ.get("LEARN_MP_TRACE")
    if not path:
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return
    import functools
    from time import monotonic_ns

    def quoted(text):
        text = str(text).replace("\\", "\\\\").replace('"', '\\"')
        if any(ord(c) < 32 for c in text):
            text = "".join(c if ord(c) >= 32 else "\\u%04x" % ord(c) for c in text)
        return '"' + text + '"'

    def native_id():
        try:
            import threading
            return threading.get_native_id()
        except Exception:
            return os.getpid()

    def emit(event, fields):
        try:
            line = '{"event":"%s","pid":%d%s,"t":%d}\n' % (event, os.getpid(), fields, monotonic_ns())
            os.write(fd, line.encode("utf-8", "replace"))
        except Exception:
            pass

    internal = ("multiprocessing", "concurrent.futures", "threading", "queue", "sitecustomize")

    def from_program(depth=2):
        # Whether the call being recorded came from the program, not from the library's own
        # machinery (a Queue's internal lock, a Pool's task queue).
        try:
            name = sys._getframe(depth).f_globals.get("__name__", "")
        except Exception:
            return False
        return not name.startswith(internal)

    def semlock_id(lock):
        try:
            semlock = lock._semlock
            return semlock.name or hex(semlock.handle)
        except Exception:
            return hex(id(lock))

    # -- processes -------------------------------------------------------------------------

    def patch_process(module):
        original = module.BaseProcess._bootstrap

        def _bootstrap(self, *args, **kwargs):
            reset_budget()
            emit("start", ',"ppid":%d,"name":%s,"runtime":"python"' % (os.getppid(), quoted(self.name)))
            return original(self, *args, **kwargs)

        module.BaseProcess._bootstrap = _bootstrap

    def patch_popen(module):
        original = module.Popen.poll

        def poll(self, *args, **kwargs):
            before = self.returncode
            code = original(self, *args, **kwargs)
            if before is None and code is not None:
                try:
                    line = '{"event":"exit","pid":%d,"code":%d,"t":%d}\n' % (self.pid, code, monotonic_ns())
                    os.write(fd, line.encode())
                except Exception:
                    pass
            return code

        module.Popen.poll = poll

    # -- pool and executor tasks -----------------------------------------------------------

    def task(job, index, function):
        def run(*args, **kwargs):
            emit("task-start", ',"tid":%d,"job":%d,"task":%d' % (native_id(), job, index))
            failed = "true"
            try:
                result = function(*args, **kwargs)
                failed = "false"
                return result
            finally:
                emit("task-end", ',"tid":%d,"job":%d,"task":%d,"failed":%s' % (native_id(), job, index, failed))
        return run

    class TaskQueue:
        """A pool's inbound queue whose tasks report their start and end."""

        def __init__(self, queue, wrap):
            self._queue = queue
            self._wrap = wrap

        def __getattr__(self, name):
            return getattr(self._queue, name)

        def get(self, *args, **kwargs):
            item = self._queue.get(*args, **kwargs)
            try:
                return self._wrap(item)
            except Exception:
                return item

    def patch_pool(module):
        original = module.worker
        reraise = getattr(module, "_helper_reraises_exception", None)

        def wrap(item):
            if item is None:
                return item
            job, index, function, args, kwargs = item
            if function is reraise or not isinstance(job, int) or not isinstance(index, int):
                return item
            return (job, index, task(job, index, function), args, kwargs)

        @functools.wraps(original)
        def worker(inqueue, *args, **kwargs):
            return original(TaskQueue(inqueue, wrap), *args, **kwargs)

        module.worker = worker

    def patch_executor(module):
        original = module._process_worker
        item_type = module._CallItem

        def wrap(item):
            if item is None:
                return item
            return item_type(item.work_id, task(0, item.work_id, item.fn), item.args, item.kwargs)

        @functools.wraps(original)
        def _process_worker(call_queue, *args, **kwargs):
            return original(TaskQueue(call_queue, wrap), *args, **kwargs)

        module._process_worker = _process_worker

    # -- locks, semaphores, conditions -----------------------------------------------------

    # A process records its first HOLDS holds and QUEUE_OPERATIONS queue operations (a
    # counter locked 10,000 times would otherwise write 20,000 lines); a hold recorded as
    # taken is always recorded as given back.
    # Open holds are counted per object, so that once the budget is spent only the releases
    # of recorded takes are written: a trace never shows a lock given back as still held.
    budget = {"holds": 512, "queue": 512}
    open_holds = {}

    def reset_budget():
        budget.update(holds=512, queue=512)
        open_holds.clear()

    def hold(event, lock, kind):
        obj = semlock_id(lock)
        if event == "acquire":
            if budget["holds"] <= 0:
                return
            budget["holds"] -= 1
            open_holds[obj] = open_holds.get(obj, 0) + 1
        elif open_holds.get(obj, 0) > 0:
            open_holds[obj] -= 1
        elif budget["holds"] <= 0:
            return
        emit(event, ',"tid":%d,"obj":%s,"kind":"%s"' % (native_id(), quoted(obj), kind))

    def patch_synchronize(module):
        kinds = {module.Lock: "lock", module.RLock: "rlock", module.Semaphore: "semaphore",
                 module.BoundedSemaphore: "bounded-semaphore"}

        def kind_of(lock):
            return kinds.get(type(lock), "semaphore" if isinstance(lock, module.Semaphore) else "lock")

        def instrument(owner, lock, kind):
            acquire, release = owner.acquire, owner.release

            def acquire_traced(*args, **kwargs):
                taken = acquire(*args, **kwargs)
                if taken and from_program():
                    hold("acquire", lock, kind)
                return taken

            def release_traced(*args, **kwargs):
                program = from_program()
                if program:
                    hold("release", lock, kind)
                return release(*args, **kwargs)

            owner.acquire, owner.release = acquire_traced, release_traced

        original_make = module.SemLock._make_methods

        def _make_methods(self):
            original_make(self)
            instrument(self, self, kind_of(self))

        module.SemLock._make_methods = _make_methods

        def enter(self):
            taken = self._semlock.__enter__()
            if from_program():
                hold("acquire", self, kind_of(self))
            return taken

        def exit(self, *args):
            if from_program():
                hold("release", self, kind_of(self))
            return self._semlock.__exit__(*args)

        module.SemLock.__enter__, module.SemLock.__exit__ = enter, exit

        condition = module.Condition
        original_condition_make = condition._make_methods

        def condition_make(self):
            original_condition_make(self)
            instrument(self, self._lock, "condition")

        def condition_enter(self):
            taken = self._lock._semlock.__enter__()
            if from_program():
                hold("acquire", self._lock, "condition")
            return taken

        def condition_exit(self, *args):
            if from_program():
                hold("release", self._lock, "condition")
            return self._lock._semlock.__exit__(*args)

        original_wait = condition.wait

        def wait(self, timeout=None):
            program = from_program()
            if program:
                hold("release", self._lock, "condition")
            try:
                return original_wait(self, timeout)
            finally:
                if program:
                    hold("acquire", self._lock, "condition")

        condition._make_methods = condition_make
        condition.__enter__, condition.__exit__ = condition_enter, condition_exit
        condition.wait = wait

    # -- queues ----------------------------------------------------------------------------

    def queue_op(event, queue):
        if budget["queue"] <= 0:
            return
        budget["queue"] -= 1
        emit(event, ',"tid":%d,"obj":%s' % (native_id(), quoted(semlock_id(getattr(queue, "_rlock", queue)))))

    def patch_queues(module):
        def traced(cls, name, event):
            original = cls.__dict__.get(name)
            if original is None:
                return

            def method(self, *args, **kwargs):
                result = original(self, *args, **kwargs)
                if from_program():
                    queue_op(event, self)
                return result

            setattr(cls, name, method)

        for cls in (module.Queue, module.JoinableQueue, module.SimpleQueue):
            traced(cls, "put", "put")
            traced(cls, "get", "get")

    patches = {
        "multiprocessing.process": patch_process,
        "multiprocessing.popen_fork": patch_popen,
        "multiprocessing.popen_forkserver": patch_popen,
        "multiprocessing.pool": patch_pool,
        "multiprocessing.synchronize": patch_synchronize,
        "multiprocessing.queues": patch_queues,
        "concurrent.futures.process": patch_executor,
    }

    def apply(name, module):
        try:
            patches[name](module)
        except Exception:
            pass

    class Finder:
        """Patches a module of `patches` right after the program first imports it."""

        def find_spec(self, name, path=None, target=None):
            if name not in patches:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            if loader is None or not hasattr(loader, "exec_module"):
                return spec
            original = loader.exec_module

            def exec_module(module):
                original(module)
                apply(name, module)

            loader.exec_module = exec_module
            return spec

    for name, module in list(sys.modules.items()):
        if name in patches:
            apply(name, module)
    sys.meta_path.insert(0, Finder())


try:
    _learn_mp_install()
except Exception:
    pass
del _learn_mp_install
"""#
}
