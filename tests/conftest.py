"""Shared test helpers: tiny MNIST-format files, a real HTTP server on 127.0.0.1, and the
ways to run the tutorial as a user would. Test files import from here, never from each other."""
import base64
import gzip
import hashlib
import http.server
import io
import os
import re
import subprocess
import sys
import threading
import time

import numpy
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import input_data  # noqa: E402
import quiet_tensorflow  # noqa: E402

REAL_DATA_DIR = os.path.join(ROOT, 'MNIST_data')
SCRIPT = os.path.join(ROOT, 'mnist_softmax.py')
NAMES = list(input_data.FILES)  # train images, train labels, test images, test labels


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


def named_stream(data, name):
    """A binary stream of data with a name, as an open file has: what extract_* take."""
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def assert_good_copies(directory, tiny):
    """The four files are in place, verified, and nothing else is left behind."""
    assert sorted(os.listdir(directory)) == sorted(NAMES)
    for name in NAMES:
        with open(os.path.join(directory, name), 'rb') as handle:
            assert gzip.decompress(handle.read()) == tiny.raw[name]


def load(directory, **options):
    return input_data.read_data_sets(str(directory), validation_size=10, **options)


def real_files():
    """The real MNIST files' bytes, by name."""
    files = {}
    for name in NAMES:
        with open(os.path.join(REAL_DATA_DIR, name), 'rb') as handle:
            files[name] = handle.read()
    return files


def is_mnist(name, gzipped):
    """An independent check of a gzipped file against MNIST's published checksum."""
    return hashlib.sha256(gzip.decompress(gzipped)).hexdigest() == input_data.FILES[name][1]


class Server:
    """A real HTTP server on 127.0.0.1 at a free port, in a thread.

    `routes` maps a path to what to answer: ('ok', body), ('status', code[, reason]),
    ('html', body) with Content-Type text/html, ('cut', body, n) which promises the whole
    body but closes after n bytes, ('stall', body, seconds) which sends half and then
    waits, ('slow', body, seconds) which sends 64 KiB pieces with pauses, ('trickle',
    body, n, seconds) which sends n bytes at a time with pauses, ('endless', head) which
    sends head and then zeros with no length until the client hangs up (or 64 MiB: how
    much it sent is in `sent`),
    ('redirect', location) which answers 302, ('headers_trickle', seconds) which sends its
    status line and then a header byte every `seconds`, ('auth', body, credentials) which
    wants that Basic Authorization, and ('call', function, answer) which calls function()
    and then answers as `answer` says. Requests' paths are logged in `requests`, their
    Authorization headers in `authorizations`.
    """

    def __init__(self):
        self.routes, self.requests, self.authorizations, self.sent = {}, [], [], {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                server.authorizations.append(self.headers.get('Authorization'))
                self.answer(server.routes.get(self.path, ('status', 404)))

            def answer(self, route):
                kind = route[0]
                if kind == 'call':
                    route[1]()
                    return self.answer(route[2])
                if kind == 'auth':
                    expected = 'Basic ' + base64.b64encode(route[2].encode()).decode()
                    if self.headers.get('Authorization') != expected:
                        return self.send_error(401)
                    kind, route = 'ok', ('ok', route[1])
                if kind == 'status':
                    self.send_response(route[1], *route[2:])
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                if kind == 'redirect':
                    self.send_response(302)
                    self.send_header('Location', route[1])
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                try:
                    if kind == 'headers_trickle':
                        self.wfile.write(b'HTTP/1.1 200 OK\r\n')
                        for _ in range(100):
                            self.wfile.write(b'X')
                            self.wfile.flush()
                            time.sleep(route[1])
                        return
                    body = route[1]
                    self.send_response(200)
                    self.send_header('Content-Type',
                                     'text/html' if kind == 'html' else 'application/octet-stream')
                    if kind != 'endless':
                        self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    if kind == 'endless':
                        self.wfile.write(body)
                        server.sent[self.path] = len(body)
                        for _ in range(64 * 16):
                            self.wfile.write(bytes(1 << 16))
                            server.sent[self.path] += 1 << 16
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
        self.port = self.httpd.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# The settings that send urllib's requests through a proxy. Many company and university
# networks set them; the tests' server is on 127.0.0.1, which a proxy cannot reach.
PROXY_SETTINGS = ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy')


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    """Every test, and every process it starts, talks to the test server directly."""
    for variable in PROXY_SETTINGS:
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.upper(), raising=False)


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


# Running the tutorial as a user would -------------------------------------------------

def environment(**extra):
    """The caller's environment, less what would change what TensorFlow prints."""
    env = {key: value for key, value in os.environ.items()
           if key not in ('TF_CPP_MIN_LOG_LEVEL', 'PYTHONWARNINGS')}
    env.update(extra)
    return env


def run(*flags, stdin=None, args=None, cwd='/', **extra_env):
    """The script run as `python mnist_softmax.py FLAGS` from another folder (or `args`)."""
    return subprocess.run(args or [sys.executable, SCRIPT, *flags], input=stdin,
                          capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=environment(**extra_env))


# TensorFlow's lines about a GPU and CUDA, on a machine with a GPU (what such machines
# print: test_quiet_tensorflow.py). They are shown on purpose, so a test of a quiet run
# allows them; on a machine without a GPU there are none, and a quiet run prints nothing.
GPU_LINE = re.compile(quiet_tensorflow.LOG_LINE % (r'(?:gpu|cuda)_\w+\.cc|dso_loader\.cc', '.*'))


def unexplained(stderr):
    """The lines of stderr but TensorFlow's about a GPU: none, for a quiet run."""
    return [line for line in stderr.splitlines() if not GPU_LINE.fullmatch(line)]


def extracting(folder):
    return ['Extracting %s' % os.path.join(folder, name) for name in NAMES]
