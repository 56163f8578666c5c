"""Shared test helpers: tiny MNIST-format files, a real HTTP server on 127.0.0.1, and the
ways to run the tutorial as a user would. Test files import from here, never from each other."""
import base64
import contextlib
import fcntl
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib

import numpy
import pytest
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import download  # noqa: E402
import fetch_files  # noqa: E402
import input_data  # noqa: E402
import quiet_tensorflow  # noqa: E402

REAL_DATA_DIR = os.path.join(ROOT, 'MNIST_data')
SCRIPT = os.path.join(ROOT, 'mnist_softmax.py')
NAMES = list(fetch_files.FILES)  # train images, train labels, test images, test labels


def pytest_configure(config):
    """Ctrl+C reaches the scripts the tests start as it does in a terminal. A test run started
    in the background (by a CI script, say, or `pytest &`) inherits SIGINT ignored, and so
    would every process a test starts: Python then never raises KeyboardInterrupt, and a
    server a test stops with Ctrl+C runs on. A handler of ours is reset at exec; "ignored"
    is not."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items):
    """The slow tests first, in the random order pytest-randomly gave them, then the rest.
    pytest-xdist hands a worker its next test when it has two or fewer left, so a test of 20 s
    near the end keeps one worker busy long after the other has run out; started first, the
    short tests fill in around them and both workers end together."""
    items.sort(key=lambda item: item.get_closest_marker('slow') is None)  # a stable sort


# The tests that use TensorFlow in pytest's own process are one xdist group, on one worker:
# imported there when first used (some 7 s), not by every worker at collection.
IN_THIS_PROCESS = pytest.mark.xdist_group('tensorflow')


@pytest.fixture(scope='session')
def tf():
    """tensorflow.compat.v1, for tests marked IN_THIS_PROCESS."""
    return pytest.importorskip('tensorflow').compat.v1


def idx_images(images):
    """IDX bytes (magic 2051) of a uint8 array [N, rows, columns]."""
    count, rows, columns = images.shape
    header = b''.join(value.to_bytes(4, 'big') for value in (2051, count, rows, columns))
    return header + images.astype(numpy.uint8).tobytes()


def idx_labels(labels):
    """IDX bytes (magic 2049) of a uint8 array [N]."""
    header = (2049).to_bytes(4, 'big') + len(labels).to_bytes(4, 'big')
    return header + labels.astype(numpy.uint8).tobytes()


def sizes_of(raw):
    """The sizes the IDX header of raw gives."""
    dimensions = raw[3]
    return [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dimensions)]


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
        self.files = {name: (sizes_of(raw), hashlib.sha256(raw).hexdigest())
                      for name, raw in self.raw.items()}

    def set_raw(self, name, raw):
        """Put other IDX bytes in file `name`, and in the checksum table."""
        self.raw[name] = raw
        self.gz[name] = gzip.compress(raw, mtime=0)
        self.files[name] = (sizes_of(raw), hashlib.sha256(raw).hexdigest())

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
    monkeypatch.setattr(fetch_files, 'FILES', data.files)
    monkeypatch.setattr(fetch_files, 'PROJECT_DATA_DIR', os.path.join(ROOT, 'no such folder'))
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
    return hashlib.sha256(gzip.decompress(gzipped)).hexdigest() == fetch_files.FILES[name][1]


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
    wants that Basic Authorization, ('call', function, answer) which calls function()
    and then answers as `answer` says, ('continues', seconds) which sends '100 Continue'
    without end, ('fast_then_trickle', body, fast, n, seconds), and ('silence', seconds)
    which sends nothing. Requests' paths are logged in `requests`, their Authorization
    headers in `authorizations`.
    """

    def __init__(self):
        self.routes, self.requests, self.authorizations, self.sent = {}, [], [], {}
        server = self

        class Handler(_Answers):
            def do_GET(self):
                server.requests.append(self.path)
                server.authorizations.append(self.headers.get('Authorization'))
                self.server_state = server
                try:
                    self.answer(server.routes.get(self.path, ('status', 404)))
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


class _Answers(http.server.BaseHTTPRequestHandler):
    """The test server's answers, one method a kind of route (see Server)."""

    def log_message(self, *args):
        pass

    def answer(self, route):
        getattr(self, 'answer_' + route[0])(*route[1:])

    def answer_call(self, function, answer):
        function()
        self.answer(answer)

    def answer_auth(self, body, credentials):
        expected = 'Basic ' + base64.b64encode(credentials.encode()).decode()
        if self.headers.get('Authorization') != expected:
            return self.send_error(401)
        self.answer_ok(body)

    def answer_status(self, code, *reason):
        self.send_response(code, *reason)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def answer_redirect(self, location):
        self.send_response(302)
        self.send_header('Location', location)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def answer_headers_trickle(self, seconds):
        self.wfile.write(b'HTTP/1.1 200 OK\r\n')
        for _ in range(100):
            self.wfile.write(b'X')
            self.wfile.flush()
            time.sleep(seconds)

    def answer_continues(self, seconds):
        """Interim answers, '100 Continue', without end (for `seconds` at most)."""
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            self.wfile.write(b'HTTP/1.1 100 Continue\r\n\r\n' * 100)

    def start(self, length=None, kind='application/octet-stream'):
        self.send_response(200)
        self.send_header('Content-Type', kind)
        if length is not None:
            self.send_header('Content-Length', str(length))
        self.end_headers()

    def answer_ok(self, body):
        self.start(len(body))
        self.wfile.write(body)

    def answer_html(self, body):
        self.start(len(body), 'text/html')
        self.wfile.write(body)

    def answer_endless(self, head):
        self.start()
        sent = self.server_state.sent
        self.wfile.write(head)
        sent[self.path] = len(head)
        for _ in range(64 * 16):
            self.wfile.write(bytes(1 << 16))
            sent[self.path] += 1 << 16

    def answer_trickle(self, body, size, seconds):
        self.start(len(body))
        self.answer_rest(body, size, seconds)

    def answer_fast_then_trickle(self, body, fast, size, seconds):
        """`fast` bytes at once, then `size` bytes at a time with pauses."""
        self.start(len(body))
        self.wfile.write(body[:fast])
        self.wfile.flush()
        self.answer_rest(body[fast:], size, seconds)

    def answer_rest(self, body, size, seconds):
        for start in range(0, len(body), size):
            self.wfile.write(body[start:start + size])
            self.wfile.flush()
            time.sleep(seconds)

    def answer_cut(self, body, length):
        self.start(len(body))
        self.wfile.write(body[:length])
        self.wfile.flush()
        self.close_connection = True

    def answer_stall(self, body, seconds):
        self.start(len(body))
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        time.sleep(seconds)

    def answer_silence(self, seconds):
        """Nothing at all, not even a status line, for `seconds`."""
        time.sleep(seconds)

    def answer_slow(self, body, seconds):
        self.start(len(body))
        self.answer_rest(body, 1 << 16, seconds)


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 64 KiB tmpfs, where this machine lets one be mounted (root, no sandbox against it)."""
    folder = tmp_path / 'small'
    folder.mkdir()
    mounted = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip('cannot mount a tmpfs here: %s' % mounted.stderr.decode().strip())
    yield folder
    subprocess.run(['umount', str(folder)], check=True)


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def mirrors(server, tiny, monkeypatch):
    """Two mirrors on the test server, /first/ then /second/ (which has the tiny files),
    and quick retries."""
    monkeypatch.setattr(fetch_files, 'MIRRORS', [server.url + '/first/', server.url + '/second/'])
    monkeypatch.setattr(fetch_files, 'RETRY_DELAYS', (0, 0))
    monkeypatch.setattr(download, 'TIMEOUT_SECONDS', 0.5)
    for name in fetch_files.FILES:
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


# Pictures of digits, as a learner's camera or scanner would make them ---------------------

def bmp(rgb):
    """BMP bytes (24-bit, rows bottom-up, each padded to 4 bytes) of a uint8 array [h, w, 3]."""
    height, width, _ = rgb.shape
    row = width * 3 + (-width * 3) % 4
    pixels = b''.join(rgb[y, :, ::-1].tobytes().ljust(row, b'\0') for y in range(height - 1, -1, -1))
    header = b'BM' + (54 + len(pixels)).to_bytes(4, 'little') + bytes(4) + (54).to_bytes(4, 'little')
    info = b''.join(value.to_bytes(size, 'little') for value, size in (
        (40, 4), (width, 4), (height, 4), (1, 2), (24, 2), (0, 4), (len(pixels), 4),
        (2835, 4), (2835, 4), (0, 4), (0, 4)))
    return header + info + pixels


def gif(grey):
    """GIF bytes of a uint8 array [h, w], in 256 greys. Its LZW codes are all 9 bits: a
    clear code before the table would need a tenth, so each pixel is a code of its own."""
    height, width = grey.shape
    codes, bits = [256], []
    for index, value in enumerate(grey.ravel()):
        if index and index % 254 == 0:
            codes.append(256)
        codes.append(int(value))
    codes.append(257)
    for code in codes:
        bits.extend((code >> bit) & 1 for bit in range(9))
    bits.extend([0] * (-len(bits) % 8))
    data = bytes(sum(bits[i + bit] << bit for bit in range(8)) for i in range(0, len(bits), 8))
    blocks = b''.join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255))
    palette = bytes(value for grey_level in range(256) for value in (grey_level,) * 3)
    screen = width.to_bytes(2, 'little') + height.to_bytes(2, 'little') + bytes([0xF7, 0, 0])
    image = b',' + bytes(4) + width.to_bytes(2, 'little') + height.to_bytes(2, 'little') + b'\0'
    return b'GIF89a' + screen + palette + image + b'\x08' + blocks + b'\0;'


def photo(digit, scale=7, canvas=(300, 320), at=(40, 90), paper=(236, 228, 210), ink=(40, 45, 70),
          shadow=None, ruled=None, seed=0):
    """An MNIST digit [28, 28] (0 paper, 255 ink) as a photo shows it: dark ink on paper,
    `scale` times larger, at `at` on a larger sheet lit unevenly, with the camera's grain.
    shadow (angle, offset, depth): half the sheet darker by `depth`, past a soft edge at
    `offset` pixels from the centre, across `angle` radians. ruled (spacing, tilt,
    darkness): an exercise book's blue rules 2 pixels thick, `spacing` apart and `tilt`
    radians askew, from light (0) to dark (1) blue, and a red margin. A uint8 array [h, w, 3]."""
    big = numpy.kron(digit.astype(float) / 255, numpy.ones((scale, scale)))
    sheet = numpy.zeros(canvas)
    sheet[at[0]:at[0] + big.shape[0], at[1]:at[1] + big.shape[1]] = big
    height, width = canvas
    rows, columns = numpy.mgrid[0:height, 0:width]
    light = 0.85 + 0.15 * columns / (width - 1)
    if shadow is not None:
        angle, offset, depth = shadow
        across = (columns - width / 2) * numpy.cos(angle) + (rows - height / 2) * numpy.sin(angle)
        light = light * (1 - depth / (1 + numpy.exp(-(across - offset) / 6)))
    colour = numpy.array(paper, float) * numpy.ones(canvas + (3,))
    if ruled is not None:
        spacing, tilt, darkness = ruled
        on_rule = (rows - columns * numpy.tan(tilt)) % spacing < 2
        colour[on_rule] = numpy.array((150, 172, 215)) * (1 - darkness) + numpy.array((70, 90, 150)) * darkness
        colour[(columns > 30) & (columns < 33)] = (215, 120, 120)
    sheet = sheet[..., None]
    rgb = (colour * (1 - sheet) + numpy.array(ink, float) * sheet) * light[..., None]
    rgb += numpy.random.RandomState(seed).normal(0, 4, rgb.shape)
    return numpy.clip(rgb, 0, 255).astype(numpy.uint8)


def photo_sets(digits, seed=0):
    """{'photo', 'shadow', 'ruled': [uint8 arrays]} of MNIST digits [N, 28, 28] photographed:
    each digit 4 to 9 times larger somewhere on the sheet; the same with a shadow across
    the sheet, and on ruled paper (photo's options, drawn at random)."""
    random = numpy.random.RandomState(seed)
    sets = {'photo': [], 'shadow': [], 'ruled': []}
    for index, digit in enumerate(digits):
        scale = random.randint(4, 10)
        at = (random.randint(0, 300 - 28 * scale + 1), random.randint(0, 320 - 28 * scale + 1))
        shadow = (random.uniform(0, 2 * numpy.pi), random.uniform(-60, 60), random.uniform(0.3, 0.5))
        ruled = (random.randint(24, 40), numpy.radians(random.uniform(-3, 3)), random.uniform(0, 1))
        sets['photo'].append(photo(digit, scale, at=at, seed=index))
        sets['shadow'].append(photo(digit, scale, at=at, shadow=shadow, seed=index))
        sets['ruled'].append(photo(digit, scale, at=at, ruled=ruled, seed=index))
    return sets


def encoded(pixels, form, **options):
    """The bytes of a picture file of pixels (a uint8 array, or a Pillow image) in a format
    Pillow writes ('PNG', 'JPEG', 'WEBP', ...)."""
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    out = io.BytesIO()
    image.save(out, form, **options)
    return out.getvalue()


def mnist_test_digits():
    """MNIST's test images [10000, 28, 28] (uint8, ink 255) and labels, from the real files."""
    with contextlib.redirect_stdout(io.StringIO()):
        mnist = input_data.read_data_sets(REAL_DATA_DIR, reshape=False, dtype=numpy.uint8)
    return mnist.test.images[:, :, :, 0], mnist.test.labels


def png_header_only(width, height):
    """A PNG's signature and header chunk for a picture of width x height, and its end: what
    a decompression bomb shows before its data."""
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(b'')) + chunk(b'IEND', b'')


def pictures_of(digit):
    """{name: file bytes}: one MNIST digit [28, 28] as learners' pictures of it show it."""
    light_on_dark = digit.astype(numpy.uint8)
    dark_on_white = 255 - light_on_dark
    on_a_photo = photo(digit)
    sideways = Image.fromarray(on_a_photo).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # a portrait photo, stored sideways as phones store it
    transparent = numpy.stack([numpy.zeros_like(digit)] * 3 + [light_on_dark], axis=-1)
    return {
        'original.png': encoded(light_on_dark, 'PNG'),
        'inverted.png': encoded(dark_on_white, 'PNG'),
        'enlarged.png': encoded(numpy.kron(dark_on_white, numpy.ones((5, 5), numpy.uint8)), 'PNG'),
        'shifted.png': encoded(numpy.pad(dark_on_white, ((5, 60), (70, 3)), constant_values=255), 'PNG'),
        'photo.jpg': encoded(on_a_photo, 'JPEG', quality=80),
        'shadow.jpg': encoded(photo(digit, shadow=(0.3, 30, 0.45)), 'JPEG', quality=85),
        'ruled.jpg': encoded(photo(digit, ruled=(28, 0.02, 0.8)), 'JPEG', quality=85),
        'portrait.jpg': encoded(sideways, 'JPEG', quality=85, exif=exif.tobytes()),
        'photo.webp': encoded(on_a_photo, 'WEBP'),
        'transparent.png': encoded(Image.fromarray(transparent, 'RGBA'), 'PNG'),  # no paper at all
        'scan.bmp': encoded(dark_on_white, 'BMP'),
        'drawing.gif': encoded(dark_on_white, 'GIF'),
    }


def bad_files(folder):
    """{path: the line classify.py should give it} of files that are no pictures of digits."""
    (folder / 'notes.txt').write_text('not a picture')
    (folder / 'cut.png').write_bytes(encoded(mnist_test_digits()[0][0], 'PNG')[:60])
    (folder / 'blank.png').write_bytes(encoded(numpy.full((30, 30), 255, numpy.uint8), 'PNG'))
    faint = numpy.clip(230 + numpy.random.RandomState(0).normal(0, 4, (60, 60)), 0, 255).astype(numpy.uint8)
    (folder / 'faint.jpg').write_bytes(encoded(faint, 'JPEG'))  # a blank page, photographed
    os.mkfifo(folder / 'pipe.png')  # never read: it could wait forever
    (folder / 'a folder').mkdir()
    return {
        folder / 'notes.txt': 'not a picture: not PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC',
        folder / 'cut.png': 'a broken PNG picture (image file is truncated)',
        folder / 'blank.png': 'no ink found on it: a blank page?',
        folder / 'faint.jpg': 'no ink found on it: a blank page?',
        folder / 'pipe.png': 'it is a FIFO (named pipe), not a file',
        folder / 'missing.png': 'it cannot be read (No such file or directory)',
        folder / 'a folder': 'it is a directory, not a file',
    }


# A checkout with a trained model, made once for all the test processes -------------------

# What a learner's checkout needs to run classify.py and draw.py, and to train the model.
CHECKOUT_FILES = ['mnist_softmax.py', 'command_line.py', 'input_data.py', 'fetch_files.py',
                  'download.py', 'idx.py', 'safe_files.py', 'quiet_tensorflow.py', 'pictures.py',
                  'mistakes.py', 'tensorboard_log.py', 'trained_model.py', 'digit_picture.py',
                  'classify.py', 'draw.py', 'draw.html']


@pytest.fixture(scope='session')
def checkout(tmp_path_factory):
    """(folder, what classify.py said) of a copy of the scripts and the data, whose default
    model classify.py trained and saved at its first call, as on a fresh checkout, reading
    pictures of every kind. Made once for all pytest-xdist's workers: the first to take the
    lock makes it, the others wait."""
    shared = tmp_path_factory.getbasetemp().parent
    folder = shared / 'checkout'
    with open(shared / 'checkout.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / 'first call.json').exists():
            _make_checkout(folder)
    return folder, json.loads((folder / 'first call.json').read_text())


def _make_checkout(folder):
    folder.mkdir()
    for name in CHECKOUT_FILES:
        shutil.copy(os.path.join(ROOT, name), folder / name)
    os.symlink(REAL_DATA_DIR, folder / 'MNIST_data')
    # classify.py's first call, as a learner makes it: pictures of MNIST's first test digits
    # (7 2 1) of every kind, and among them files that are no pictures of digits.
    pictures = folder / 'pictures'
    pictures.mkdir()
    images, _ = mnist_test_digits()
    written = []
    for index in range(3):
        for name, data in pictures_of(images[index]).items():
            written.append(pictures / ('%d-%s' % (index, name)))
            written[-1].write_bytes(data)
    bad = bad_files(pictures)
    result = subprocess.run([sys.executable, str(folder / 'classify.py'), '--seen_image',
                             str(folder / 'seen.png'), *map(str, written), *map(str, bad)],
                            capture_output=True, text=True, timeout=300, env=environment())
    said = {'status': result.returncode, 'stdout': result.stdout, 'stderr': result.stderr,
            'pictures': list(map(str, written)), 'bad': {str(path): why for path, why in bad.items()}}
    (folder / 'first call.json').write_text(json.dumps(said))
