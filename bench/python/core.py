"""Core workloads (issue 2): Process, Queue, Pipe, a locked shared counter."""
from common import ctx, emit, main, now


def noop():
    pass


def process_start(count=200):
    """Start and join a process that does nothing; milliseconds per cycle."""
    for _ in range(5):
        p = ctx.Process(target=noop)
        p.start()
        p.join()
    t0 = now()
    for _ in range(count):
        p = ctx.Process(target=noop)
        p.start()
        p.join()
    emit((now() - t0) / count * 1e3, "ms")


def released(target, args, receive, close=None):
    """Starts `target(*args, go)` in a child, closes the parent's copy of `close`, sets `go`
    and times `receive()` in the parent; returns the seconds."""
    go = ctx.Event()
    p = ctx.Process(target=target, args=(*args, go))
    p.start()
    if close is not None:
        close.close()
    t0 = now()
    go.set()
    receive()
    elapsed = now() - t0
    p.join()
    return elapsed


def produce(queue, count, payload, go):
    go.wait()
    for i in range(count):
        queue.put(payload if payload is not None else i)


def queue_run(count, payload):
    queue = ctx.Queue()

    def receive():
        for _ in range(count):
            queue.get()

    emit(count / released(produce, (queue, count, payload), receive), "msgs/s")


def queue_small():
    """Small ints from a producer process to the parent through a Queue."""
    queue_run(100_000, None)


def queue_1k():
    """1 KiB byte strings from a producer process to the parent through a Queue."""
    queue_run(50_000, b"x" * 1024)


def queue_50mb(count=5):
    """50 MB byte strings from a producer process to the parent; milliseconds per item."""
    queue = ctx.Queue()
    payload = b"x" * 50_000_000

    def receive():
        for _ in range(count):
            assert len(queue.get()) == len(payload)

    emit(released(produce, (queue, count, payload), receive) / count * 1e3, "ms")


def pipe_send(conn, count, go):
    go.wait()
    for i in range(count):
        conn.send(i)
    conn.close()


def pipe_small(count=100_000):
    """Small ints sent through a Pipe() (duplex, the default) from a child to the parent."""
    reader, writer = ctx.Pipe()

    def receive():
        for _ in range(count):
            reader.recv()

    emit(count / released(pipe_send, (writer, count), receive, close=writer), "msgs/s")


CHUNK = 1 << 20


def pipe_stream(conn, chunks, go):
    data = b"\xab" * CHUNK
    go.wait()
    for _ in range(chunks):
        conn.send_bytes(data)
    conn.close()


def pipe_bandwidth(chunks=512):
    """1 MiB chunks through a Pipe() (duplex, the default) with send_bytes/recv_bytes; GB/s."""
    reader, writer = ctx.Pipe()

    def receive():
        for _ in range(chunks):
            reader.recv_bytes()

    elapsed = released(pipe_stream, (writer, chunks), receive, close=writer)
    emit(chunks * CHUNK / elapsed / 1e9, "GB/s")


def pipe_bandwidth_big_buffers(chunks=512):
    """The same with 4 MiB socket buffers on both ends, as the Swift library asks for."""
    import socket
    reader, writer = ctx.Pipe()
    for conn in (reader, writer):
        with socket.socket(fileno=conn.fileno()) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.detach()

    def receive():
        for _ in range(chunks):
            reader.recv_bytes()

    elapsed = released(pipe_stream, (writer, chunks), receive, close=writer)
    emit(chunks * CHUNK / elapsed / 1e9, "GB/s")


def echo(conn, other):
    other.close()
    while True:
        try:
            conn.send(conn.recv())
        except EOFError:
            return


def pipe_rtt(rounds=10_000):
    """A small int to a child and back through a Pipe(); microseconds per round trip."""
    mine, theirs = ctx.Pipe()
    p = ctx.Process(target=echo, args=(theirs, mine))
    p.start()
    theirs.close()
    for i in range(100):
        mine.send(i)
        mine.recv()
    t0 = now()
    for i in range(rounds):
        mine.send(i)
        assert mine.recv() == i
    elapsed = now() - t0
    mine.close()
    p.join()
    emit(elapsed / rounds * 1e6, "us")


def increment(counter, lock, count, go):
    go.wait()
    for _ in range(count):
        with lock:
            counter.value += 1


def counter_race(counter, lock, per_process):
    """Two processes increment `counter` under `lock`, released together; increments per second."""
    go = ctx.Event()
    workers = [ctx.Process(target=increment, args=(counter, lock, per_process, go))
               for _ in range(2)]
    for p in workers:
        p.start()
    t0 = now()
    go.set()
    for p in workers:
        p.join()
    elapsed = now() - t0
    assert counter.value == 2 * per_process, counter.value
    emit(2 * per_process / elapsed, "ops/s")


def locked_counter(per_process=200_000):
    """`with counter.get_lock(): counter.value += 1`: the value's own RLock."""
    counter = ctx.Value("i", 0)
    counter_race(counter, counter.get_lock(), per_process)


def locked_counter_raw(per_process=200_000):
    """Value('i', lock=False) guarded by a separate Lock."""
    counter_race(ctx.Value("i", 0, lock=False), ctx.Lock(), per_process)


if __name__ == "__main__":
    main({
        "process-start": process_start,
        "queue-small": queue_small,
        "queue-1k": queue_1k,
        "queue-50mb": queue_50mb,
        "pipe-small": pipe_small,
        "pipe-bandwidth": pipe_bandwidth,
        "pipe-bandwidth-4m": pipe_bandwidth_big_buffers,
        "pipe-rtt": pipe_rtt,
        "locked-counter": locked_counter,
        "locked-counter-raw": locked_counter_raw,
    })
