#!/usr/bin/python3
"""A slow TCP transfer between two VM namespaces, for the integration tests.

  tcp_stream.py recv ADDR PORT OUT [STALL_S]
      listen on ADDR:PORT, accept one connection, write what arrives to OUT
      (flushed after every read, so its size shows the progress) until EOF,
      then close; exit 2 if nothing arrives for STALL_S seconds (30).
  tcp_stream.py send ADDR PORT IN RATE [STALL_S]
      connect to ADDR:PORT, send the file IN at RATE bytes a second (8 KiB
      at a time), shut down the sending side and wait for the receiver to
      close; exit 2 if the connection makes no progress for STALL_S seconds.

Exit 0 when the whole stream went through, 1 on a socket error.  The
caller compares the files' sha256.
"""
import socket
import sys
import time

CHUNK = 8192


def recv(addr, port, out, stall):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(stall)
    s, _ = ls.accept()
    s.settimeout(stall)
    with open(out, "wb") as f:
        while True:
            data = s.recv(65536)
            if not data:
                break
            f.write(data)
            f.flush()
    s.close()
    return 0


def send(addr, port, src, rate, stall):
    s = socket.create_connection((addr, port), timeout=stall)
    s.settimeout(stall)
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


def main():
    a = sys.argv[1:]
    try:
        if len(a) >= 4 and a[0] == "recv":
            return recv(a[1], int(a[2]), a[3], float(a[4]) if len(a) > 4 else 30.0)
        if len(a) >= 5 and a[0] == "send":
            return send(a[1], int(a[2]), a[3], float(a[4]), float(a[5]) if len(a) > 5 else 30.0)
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
