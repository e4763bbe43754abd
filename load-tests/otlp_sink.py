#!/usr/bin/env python3
"""A stand-in OTLP/HTTP receiver for benchmarks: answers every POST (/v1/traces, /v1/metrics) with 200 after
reading its body, and counts requests and bytes, so a node's export costs what it costs against a real receiver
(protobuf, gzip, one HTTP request per batch) without one. Prints the counts when stopped (SIGTERM or Ctrl-C).

usage: otlp_sink.py PORT
"""
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        length = self.read_body()
        with lock:
            requests, size = counts.get(self.path, (0, 0))
            counts[self.path] = (requests + 1, size + length)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def read_body(self):
        """Reads the body, sized or chunked (Kamon's OkHttp sender streams gzip in chunks); answers its size."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            return length
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return total
            self.rfile.read(size)
            self.rfile.readline()
            total += size

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink)

    def stop(*_):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    for path, (requests, size) in sorted(counts.items()):
        print(f"OTLP {path} requests={requests} bytes={size}", flush=True)


if __name__ == "__main__":
    main()
