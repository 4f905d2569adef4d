#!/usr/bin/python3
"""A slow TCP transfer between two VM namespaces, for the integration tests.

  tcp_stream.py recv ADDR PORT OUT [STALL_S]
      listen on ADDR:PORT, accept one connection, write what arrives to OUT
      (flushed after every read, so its size shows the progress) until EOF,
      then close.
  tcp_stream.py send ADDR PORT IN RATE [STALL_S]
      connect to ADDR:PORT, send the file IN at RATE bytes a second (8 KiB
      at a time), shut down the sending side and wait for the other end to
      close.
  tcp_stream.py serve ADDR PORT IN RATE [STALL_S]
      listen on ADDR:PORT, accept one connection and send IN to it as send
      does (what the other end sends is read and dropped).
  tcp_stream.py fetch ADDR PORT OUT NUDGE [STALL_S]
      connect to ADDR:PORT and receive into OUT as recv does; sends one
      byte, once, as soon as the file NUDGE exists (a packet of its own
      for a test to provoke).

STALL_S (default 30): exit 2 when the connection makes no progress for
that long.  Exit 0 when the whole stream went through, 1 on a socket
error.  The caller compares the files' sha256.
"""
import os
import socket
import sys
import time

CHUNK = 8192


def listen_one(addr, port, stall):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(stall)
    s, _ = ls.accept()
    ls.close()
    s.settimeout(stall)
    return s


def send_file(s, src, rate):
    """Send src at rate bytes/s, shut down the sending side, read until EOF."""
    t0 = time.monotonic()
    sent = 0
    with open(src, "rb") as f:
        while True:
            data = f.read(CHUNK)
            if not data:
                break
            s.sendall(data)
            sent += len(data)
            ahead = sent / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    return 0


def recv_file(s, out, stall, nudge=None):
    """Write what arrives to out until EOF; with nudge, send one byte once
    the file nudge exists."""
    last = time.monotonic()
    if nudge is not None:
        s.settimeout(0.1)
    with open(out, "wb") as f:
        while True:
            if nudge is not None and os.path.exists(nudge):
                s.sendall(b"!")
                nudge = None
            try:
                data = s.recv(65536)
            except socket.timeout:
                if time.monotonic() - last > stall:
                    raise
                continue
            if not data:
                break
            last = time.monotonic()
            f.write(data)
            f.flush()
    s.close()
    return 0


def main():
    a = sys.argv[1:]
    try:
        if len(a) >= 4 and a[0] == "recv":
            stall = float(a[4]) if len(a) > 4 else 30.0
            return recv_file(listen_one(a[1], int(a[2]), stall), a[3], stall)
        if len(a) >= 5 and a[0] == "send":
            stall = float(a[5]) if len(a) > 5 else 30.0
            s = socket.create_connection((a[1], int(a[2])), timeout=stall)
            s.settimeout(stall)
            return send_file(s, a[3], float(a[4]))
        if len(a) >= 5 and a[0] == "serve":
            stall = float(a[5]) if len(a) > 5 else 30.0
            return send_file(listen_one(a[1], int(a[2]), stall), a[3], float(a[4]))
        if len(a) >= 5 and a[0] == "fetch":
            stall = float(a[5]) if len(a) > 5 else 30.0
            s = socket.create_connection((a[1], int(a[2])), timeout=stall)
            return recv_file(s, a[3], stall, a[4])
    except socket.timeout:
        print("tcp_stream: no progress (timeout)", file=sys.stderr)
        return 2
    except OSError as e:
        print("tcp_stream: %s" % e, file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
