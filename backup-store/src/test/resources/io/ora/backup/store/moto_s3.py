"""Moto's S3 API for the backup-store tests (TestMoto), on 127.0.0.1 and a free port, one request at a time.

moto_server serves each request on its own thread (werkzeug, threaded=True), so moto's check of If-Match or
If-None-Match and its write are two steps another request can come between. Amazon S3 decides each conditional
write atomically. Served by a single thread, every request runs to its end before the next is read, so each
conditional write is atomic as on S3, while two clients racing (each uploading an envelope, then trying the
manifest) still interleave their requests. A single-threaded werkzeug server speaks HTTP/1.0 and closes each
connection after its answer, so no client's idle keep-alive connection holds the others up.

Prints "port <n>" once the socket is listening; exits 3 with "unavailable: <why>" on stdout when moto or werkzeug
cannot be imported, and exits when its standard input closes (the test JVM ended, however it ended).
"""

import logging
import os
import sys
import threading

try:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server
except ImportError as missing:
    print(f"unavailable: {missing}", flush=True)
    sys.exit(3)


def exit_when_parent_goes() -> None:
    sys.stdin.read()
    os._exit(0)


def main() -> None:
    # Moto is an in-memory fake: the region is the client's, the credentials are not checked.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=False)
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"port {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
