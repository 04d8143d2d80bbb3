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


def produce(queue, go, count, payload):
    go.wait()
    for i in range(count):
        queue.put(payload if payload is not None else i)


def queue_run(count, payload):
    queue, go = ctx.Queue(), ctx.Event()
    p = ctx.Process(target=produce, args=(queue, go, count, payload))
    p.start()
    t0 = now()
    go.set()
    for _ in range(count):
        queue.get()
    elapsed = now() - t0
    p.join()
    emit(count / elapsed, "msgs/s")


def queue_small():
    """Small ints from a producer process to the parent through a Queue."""
    queue_run(100_000, None)


def queue_1k():
    """1 KiB byte strings from a producer process to the parent through a Queue."""
    queue_run(50_000, b"x" * 1024)


def pipe_send(conn, go, count):
    go.wait()
    for i in range(count):
        conn.send(i)
    conn.close()


def pipe_small(count=100_000):
    """Small ints sent through a Pipe() (duplex, the default) from a child to the parent."""
    reader, writer = ctx.Pipe()
    go = ctx.Event()
    p = ctx.Process(target=pipe_send, args=(writer, go, count))
    p.start()
    writer.close()
    t0 = now()
    go.set()
    for _ in range(count):
        reader.recv()
    elapsed = now() - t0
    p.join()
    emit(count / elapsed, "msgs/s")


CHUNK = 1 << 20


def pipe_stream(conn, go, chunks):
    data = b"\xab" * CHUNK
    go.wait()
    for _ in range(chunks):
        conn.send_bytes(data)
    conn.close()


def pipe_bandwidth(chunks=1024):
    """1 MiB chunks through a Pipe() (duplex, the default) with send_bytes/recv_bytes; GB/s."""
    reader, writer = ctx.Pipe()
    go = ctx.Event()
    p = ctx.Process(target=pipe_stream, args=(writer, go, chunks))
    p.start()
    writer.close()
    t0 = now()
    go.set()
    for _ in range(chunks):
        reader.recv_bytes()
    elapsed = now() - t0
    p.join()
    emit(chunks * CHUNK / elapsed / 1e9, "GB/s")


def increment(counter, go, count):
    go.wait()
    for _ in range(count):
        with counter.get_lock():
            counter.value += 1


def locked_counter(per_process=200_000):
    """Two processes increment one Value under its lock; increments per second."""
    counter, go = ctx.Value("i", 0), ctx.Event()
    workers = [ctx.Process(target=increment, args=(counter, go, per_process)) for _ in range(2)]
    for p in workers:
        p.start()
    t0 = now()
    go.set()
    for p in workers:
        p.join()
    elapsed = now() - t0
    assert counter.value == 2 * per_process, counter.value
    emit(2 * per_process / elapsed, "ops/s")


def increment_raw(counter, lock, go, count):
    go.wait()
    for _ in range(count):
        with lock:
            counter.value += 1


def locked_counter_raw(per_process=200_000):
    """Value('i', lock=False) guarded by a separate Lock, two processes; increments per second."""
    counter, lock, go = ctx.Value("i", 0, lock=False), ctx.Lock(), ctx.Event()
    workers = [ctx.Process(target=increment_raw, args=(counter, lock, go, per_process))
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


if __name__ == "__main__":
    main({
        "process-start": process_start,
        "queue-small": queue_small,
        "queue-1k": queue_1k,
        "pipe-small": pipe_small,
        "pipe-bandwidth": pipe_bandwidth,
        "locked-counter": locked_counter,
        "locked-counter-raw": locked_counter_raw,
    })
