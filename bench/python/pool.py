"""Pool and ProcessPoolExecutor workloads (issue 3)."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from common import ctx, emit, main, now

MASK = (1 << 64) - 1


def square(x):
    return x * x


def spin(steps):
    """CPU-bound task: a 64-bit linear congruential step and an xor-shift, `steps` times."""
    x = steps
    for _ in range(steps):
        x = (x * 6364136223846793005 + 1442695040888963407) & MASK
        x ^= x >> 29
    return x


def pool_map(count=200_000, rounds=5):
    """Pool(2).map over tiny items (default chunk size); tasks per second, the median of
    five maps (each takes only milliseconds)."""
    times = []
    with ctx.Pool(2) as pool:
        pool.map(square, range(100))
        for _ in range(rounds):
            t0 = now()
            result = pool.map(square, range(count))
            times.append(now() - t0)
            assert result[-1] == (count - 1) ** 2
    emit(count / sorted(times)[rounds // 2], "tasks/s")


def pool_imap1(count=20_000):
    """Pool(2).imap with chunksize=1, consumed in order; tasks per second."""
    with ctx.Pool(2) as pool:
        pool.map(square, range(100))
        t0 = now()
        total = sum(pool.imap(square, range(count), chunksize=1))
        elapsed = now() - t0
    assert total == sum(i * i for i in range(count))
    emit(count / elapsed, "tasks/s")


def pool_apply_async(count=20_000):
    """A storm of apply_async calls, then every result; tasks per second."""
    with ctx.Pool(2) as pool:
        pool.map(square, range(100))
        t0 = now()
        results = [pool.apply_async(square, (i,)) for i in range(count)]
        total = sum(r.get() for r in results)
        elapsed = now() - t0
    assert total == sum(i * i for i in range(count))
    emit(count / elapsed, "tasks/s")


def executor_submit(count=20_000):
    """ProcessPoolExecutor(2).submit storm, then every result; tasks per second."""
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:
        list(executor.map(square, range(100)))
        t0 = now()
        futures = [executor.submit(square, i) for i in range(count)]
        total = sum(f.result() for f in futures)
        elapsed = now() - t0
    assert total == sum(i * i for i in range(count))
    emit(count / elapsed, "tasks/s")


def cpu_speedup(tasks=8, steps=200_000):
    """The same CPU-bound tasks serially and on Pool(2); serial time / pool time."""
    expected = [spin(steps + i) for i in range(2)]  # warm-up
    with ctx.Pool(2) as pool:
        pool.map(square, range(10))
        t0 = now()
        serial = [spin(steps + i) for i in range(tasks)]
        t1 = now()
        parallel = pool.map(spin, [steps + i for i in range(tasks)], chunksize=1)
        t2 = now()
    assert serial == parallel and serial[:2] == expected
    emit((t1 - t0) / (t2 - t1), "x", {"serial_s": t1 - t0, "pool_s": t2 - t1})


def pool_create(rounds=20):
    """Create Pool(2), map 10 tiny items, close and join; milliseconds per round."""
    t0 = now()
    for _ in range(rounds):
        pool = ctx.Pool(2)
        pool.map(square, range(10))
        pool.close()
        pool.join()
    emit((now() - t0) / rounds * 1e3, "ms")


def pool_map_loop(calls=1_000):
    """1,000 successive maps of 8 items on Pool(4); calls per second."""
    with ctx.Pool(4) as pool:
        pool.map(square, range(8))
        t0 = now()
        total = sum(sum(pool.map(square, range(8))) for _ in range(calls))
        elapsed = now() - t0
    assert total == calls * 140
    emit(calls / elapsed, "calls/s")


def pool_apply_loop(calls=1_000):
    """1,000 successive applies on Pool(4); calls per second."""
    with ctx.Pool(4) as pool:
        pool.apply(square, (1,))
        t0 = now()
        total = sum(pool.apply(square, (i,)) for i in range(calls))
        elapsed = now() - t0
    assert total == sum(i * i for i in range(calls))
    emit(calls / elapsed, "calls/s")


def spawn_pool_create(rounds=5):
    """Pool(1) under spawn: create, apply once, close, join; milliseconds per round."""
    spawn = multiprocessing.get_context("spawn")
    t0 = now()
    for _ in range(rounds):
        pool = spawn.Pool(1)
        assert pool.apply(square, (3,)) == 9
        pool.close()
        pool.join()
    emit((now() - t0) / rounds * 1e3, "ms")


if __name__ == "__main__":
    main({
        "pool-map": pool_map,
        "pool-imap1": pool_imap1,
        "pool-apply-async": pool_apply_async,
        "executor-submit": executor_submit,
        "cpu-speedup": cpu_speedup,
        "pool-create": pool_create,
        "pool-map-loop": pool_map_loop,
        "pool-apply-loop": pool_apply_loop,
        "spawn-pool-create": spawn_pool_create,
    })
