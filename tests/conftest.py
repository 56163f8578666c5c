"""Shared test helpers: tiny MNIST-format files, and a real HTTP server on 127.0.0.1."""
import gzip
import hashlib
import http.server
import os
import sys
import threading
import time

import numpy
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import input_data  # noqa: E402

REAL_DATA_DIR = os.path.join(ROOT, 'MNIST_data')


def idx_images(images):
    """IDX bytes (magic 2051) of a uint8 array [N, rows, columns]."""
    count, rows, columns = images.shape
    header = b''.join(value.to_bytes(4, 'big') for value in (2051, count, rows, columns))
    return header + images.astype(numpy.uint8).tobytes()


def idx_labels(labels):
    """IDX bytes (magic 2049) of a uint8 array [N]."""
    header = (2049).to_bytes(4, 'big') + len(labels).to_bytes(4, 'big')
    return header + labels.astype(numpy.uint8).tobytes()


class TinyMnist:
    """Four small MNIST-format files; `files` is the table input_data should pin for them."""

    def __init__(self, num_train=40, num_test=12, seed=0):
        random = numpy.random.RandomState(seed)
        self.train_images = random.randint(0, 256, size=(num_train, 28, 28)).astype(numpy.uint8)
        self.train_labels = random.randint(0, 10, size=num_train).astype(numpy.uint8)
        self.test_images = random.randint(0, 256, size=(num_test, 28, 28)).astype(numpy.uint8)
        self.test_labels = random.randint(0, 10, size=num_test).astype(numpy.uint8)
        self.raw = {
            input_data.TRAIN_IMAGES: idx_images(self.train_images),
            input_data.TRAIN_LABELS: idx_labels(self.train_labels),
            input_data.TEST_IMAGES: idx_images(self.test_images),
            input_data.TEST_LABELS: idx_labels(self.test_labels),
        }
        self.gz = {name: gzip.compress(raw, mtime=0) for name, raw in self.raw.items()}
        self.files = {name: (len(raw), hashlib.sha256(raw).hexdigest())
                      for name, raw in self.raw.items()}

    def set_raw(self, name, raw):
        """Put other IDX bytes in file `name`, and in the checksum table."""
        self.raw[name] = raw
        self.gz[name] = gzip.compress(raw, mtime=0)
        self.files[name] = (len(raw), hashlib.sha256(raw).hexdigest())

    def write(self, directory, names=None):
        os.makedirs(directory, exist_ok=True)
        for name in names or self.gz:
            with open(os.path.join(directory, name), 'wb') as out:
                out.write(self.gz[name])
        return str(directory)


@pytest.fixture
def tiny(monkeypatch):
    """Tiny MNIST files, with input_data's checksum table pointed at them, and no copies
    of the real files as a first source."""
    data = TinyMnist()
    monkeypatch.setattr(input_data, 'FILES', data.files)
    monkeypatch.setattr(input_data, 'PROJECT_DATA_DIR', os.path.join(ROOT, 'no such folder'))
    return data


class Server:
    """A real HTTP server on 127.0.0.1 at a free port, in a thread.

    `routes` maps a path to what to answer: ('ok', body), ('status', code),
    ('html', body) with Content-Type text/html, ('cut', body, n) which promises the
    whole body but closes after n bytes, ('stall', body, seconds) which sends half and
    then waits, ('slow', body, seconds) which sends in 64 KiB pieces with pauses,
    ('trickle', body, n, seconds) which sends n bytes at a time with pauses,
    ('endless', head) which sends head and then zeros with no length, until the client
    hangs up (or 256 MiB), ('redirect', location) which answers 302.
    Every request's path is logged in `requests`.
    """

    def __init__(self):
        self.routes = {}
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                route = server.routes.get(self.path, ('status', 404))
                kind = route[0]
                if kind == 'status':
                    self.send_error(route[1])
                    return
                if kind == 'redirect':
                    self.send_response(302)
                    self.send_header('Location', route[1])
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                body = route[1]
                self.send_response(200)
                self.send_header('Content-Type',
                                 'text/html' if kind == 'html' else 'application/octet-stream')
                if kind != 'endless':
                    self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                try:
                    if kind == 'endless':
                        self.wfile.write(body)
                        for _ in range(256 * 16):
                            self.wfile.write(bytes(1 << 16))
                    elif kind == 'trickle':
                        for start in range(0, len(body), route[2]):
                            self.wfile.write(body[start:start + route[2]])
                            self.wfile.flush()
                            time.sleep(route[3])
                    elif kind == 'cut':
                        self.wfile.write(body[:route[2]])
                        self.wfile.flush()
                        self.close_connection = True
                    elif kind == 'stall':
                        self.wfile.write(body[:len(body) // 2])
                        self.wfile.flush()
                        time.sleep(route[2])
                    elif kind == 'slow':
                        for start in range(0, len(body), 1 << 16):
                            self.wfile.write(body[start:start + (1 << 16)])
                            self.wfile.flush()
                            time.sleep(route[2])
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def mirrors(server, tiny, monkeypatch):
    """Two mirrors on the test server, /first/ then /second/ (which has the tiny files),
    and quick retries."""
    monkeypatch.setattr(input_data, 'MIRRORS', [server.url + '/first/', server.url + '/second/'])
    monkeypatch.setattr(input_data, 'RETRY_DELAYS', (0, 0))
    monkeypatch.setattr(input_data, 'TIMEOUT_SECONDS', 0.5)
    for name in input_data.FILES:
        server.routes['/second/' + name] = ('ok', tiny.gz[name])
    return server
