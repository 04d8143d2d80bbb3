"""Manager workload (issue 4) and the plain socket round trip it is bounded by."""
import os
import socket

from common import ctx, emit, main, now


def manager_dict(pairs=5_000):
    """Manager().dict(): one set and one get per pair, from the owner; pairs per second."""
    with ctx.Manager() as manager:
        d = manager.dict()
        d[-1] = -1
        t0 = now()
        for i in range(pairs):
            d[i] = i
            assert d[i] == i
        elapsed = now() - t0
    emit(pairs / elapsed, "pairs/s")


def socket_rtt(rounds=10_000):
    """One byte to a forked echo process and back over a Unix socketpair; microseconds."""
    mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        mine.close()
        while True:
            b = theirs.recv(1)
            if not b:
                os._exit(0)
            theirs.sendall(b)
    theirs.close()
    for _ in range(100):
        mine.sendall(b"x")
        mine.recv(1)
    t0 = now()
    for _ in range(rounds):
        mine.sendall(b"x")
        mine.recv(1)
    elapsed = now() - t0
    mine.close()
    os.waitpid(pid, 0)
    emit(elapsed / rounds * 1e6, "us")


if __name__ == "__main__":
    main({"manager-dict": manager_dict, "socket-rtt": socket_rtt})
