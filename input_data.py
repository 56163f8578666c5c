# Copyright 2016 The TensorFlow Authors, and 2026 the authors of this port. Apache License 2.0
# (LICENSE). Changed from TF 1.x's tensorflow/contrib/learn/python/learn/datasets/mnist.py.
"""TensorFlow 1.x's MNIST loader, gone from TensorFlow 2: `import input_data` for `from
tensorflow.examples.tutorials.mnist import input_data`, with TF 1.x's names, arguments,
defaults and results (to the bit, and the same batches for the same seeds). Like it, this
loads the well-formed files in the folder, MNIST's or not (Fashion-MNIST). New: a file that
cannot be the data is replaced by a copy checked against MNIST's checksums; memory, disk and
time stay bounded whatever a source sends; a failure is one DownloadError that says what to
do. It never imports TensorFlow. docs/data.md says more.
"""
import base64
import collections
import contextlib
import errno
import functools
import hashlib
import http.client
import io
import math
import operator
import os
import re
import socket
import ssl
import stat
import sys
import threading
import time
import urllib.parse
import urllib.request
import zlib

import numpy

# CVDF mirror of http://yann.lecun.com/exdb/mnist/, TF 1.x's default.
DEFAULT_SOURCE_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/'
# Verified copies, the first source without a source_url: the tutorial works offline anywhere.
PROJECT_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'MNIST_data')
# Tried in this order, after PROJECT_DATA_DIR, when no source_url is given.
MIRRORS = [DEFAULT_SOURCE_URL, 'https://ossci-datasets.s3.amazonaws.com/mnist/',
           'http://yann.lecun.com/exdb/mnist/']

TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'
TRAIN_LABELS = 'train-labels-idx1-ubyte.gz'
TEST_IMAGES = 't10k-images-idx3-ubyte.gz'
TEST_LABELS = 't10k-labels-idx1-ubyte.gz'

# Size and sha256 of each MNIST file's *decompressed* bytes: these accept any gzip of the
# data (the mirrors' archives, the re-compressed copies in MNIST_data/), and nothing else.
FILES = {
    TRAIN_IMAGES: (47040016, 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'),
    TRAIN_LABELS: (60008, '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'),
    TEST_IMAGES: (7840016, '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'),
    TEST_LABELS: (10008, 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'),
}

MAX_IDX_BYTES = 1 << 30  # the most data a file in the data folder may hold (MNIST's: 47 MB)
TIMEOUT_SECONDS = 30  # for connecting and for every read
RETRY_DELAYS = (1, 4)  # seconds before the second and third try of a passing failure
# A web source is given up when it sends under MIN_BYTES_PER_SECOND over SLOW_WINDOW_SECONDS,
# or is not done with a file, all its tries, DEADLINE_SECONDS after it began (10 kB/s is).
MIN_BYTES_PER_SECOND = 1000
SLOW_WINDOW_SECONDS = 60
DEADLINE_SECONDS = 30 * 60
CHUNK_BYTES = 1 << 16
USER_AGENT = 'Mozilla/5.0 (compatible; mnist-tutorial-input_data)'  # some hosts refuse Python's

Datasets = collections.namedtuple('Datasets', ['train', 'validation', 'test'])


class DownloadError(OSError):
    """The data folder cannot be used, or no source gave a good copy of an MNIST file."""


class _BadData(ValueError):
    """The bytes cannot be the file they should be."""


class _NotAFile(OSError):
    """A FIFO, a device or a directory where a file should be: never read."""


class _SourceError(Exception):
    """Fetching from one source failed."""


class _Passing(_SourceError):
    """Fetching from one source failed, but trying again may help."""


# Reading the IDX format ---------------------------------------------------------------

def _read_idx(stream, images, limit):
    """(bytes, counts) of the gzipped IDX file in a binary stream: its decompressed bytes,
    header included, and its header's counts ([images, rows, columns] or [labels]). _BadData
    unless it is gzip, has the magic number of images (2051) or labels (2049), and holds
    exactly the data its header gives, at most `limit` bytes. It reads and inflates no
    more than it needs to tell, so a gzip bomb or an endless stream costs no more."""
    magic, header_size = (b'\0\0\x08\x03', 16) if images else (b'\0\0\x08\x01', 8)  # 2051, 2049
    raw, counts, size, received, inflater, members = bytearray(), None, header_size, 0, None, 0
    try:
        while len(raw) <= size and (data := stream.read(CHUNK_BYTES)):
            received += len(data)
            if received > _largest_gzip(limit):
                raise _BadData('it is over %d bytes, more than any gzip of its data' % _largest_gzip(limit))
            if not members and data[:2] != b'\x1f\x8b'[:len(data)]:
                raise _BadData(
                    'it is an HTML page, not gzip data (an error page saved in place of the file?)'
                    if re.search(rb'<!doctype|<html|<\?xml', data[:512].lower()) else 'it is not gzip data')
            while data and len(raw) <= size:
                if inflater is None:
                    if members and not data.strip(b'\0'):
                        break  # padding after the last member
                    inflater, members = zlib.decompressobj(wbits=31), members + 1
                raw += inflater.decompress(data, size + 1 - len(raw))
                data = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
                inflater = None if inflater.eof else inflater
                if counts is None and len(raw) >= header_size and raw[:4] == magic:
                    counts = [int.from_bytes(raw[i:i + 4], 'big') for i in range(4, header_size, 4)]
                    size = header_size + math.prod(counts)
                    promise = ('%d images of %dx%d pixels' if images else '%d labels') % tuple(counts)
                    if size > limit:
                        raise _BadData('its header promises %s, more than the %d bytes allowed'
                                       % (promise, limit))
    except zlib.error as error:
        raise _BadData('the gzip data is corrupt (%s)' % error) from None
    if len(raw) >= 4 and raw[:4] != magic:
        raise _BadData('Invalid magic number %d in MNIST %s file'
                       % (int.from_bytes(raw[:4], 'big'), 'image' if images else 'label'))
    if counts is None:
        raise _BadData('it is empty' if not members else 'it ends inside its %d-byte header' % header_size)
    if inflater is not None and len(raw) <= size:
        raise _BadData('the gzip data ends early (a truncated download?)')
    if len(raw) != size:
        raise _BadData('the header promises %s but the file holds %s %d bytes of them' % (
            promise, 'more than' if len(raw) > size else 'only', len(raw) - header_size))
    return raw, counts


def _largest_gzip(size):  # stored blocks add 5 bytes a 64 KiB; a name or comment, 64 KiB
    return size + 5 * (size // 65535 + 1) + (1 << 16)


def _labels(raw, name, one_hot, num_classes):
    labels = numpy.frombuffer(raw, dtype=numpy.uint8, offset=8)
    if one_hot and labels.size and labels.max() >= num_classes:
        raise ValueError('%s: label %d is not one of the %d classes 0 to %d'
                         % (name, labels.max(), num_classes, num_classes - 1))
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def extract_images(f):
    """Extract the images of a gzipped IDX file into a uint8 array [index, y, x, depth]."""
    raw, counts = _extract(f, images=True)
    return numpy.frombuffer(raw, dtype=numpy.uint8, offset=16).reshape(*counts, 1)


def extract_labels(f, one_hot=False, num_classes=10):
    """Extract the labels of a gzipped IDX file into a uint8 array [index] (or one-hot)."""
    return _labels(_extract(f, images=False)[0], getattr(f, 'name', repr(f)), one_hot, num_classes)


def _extract(f, images):
    name = getattr(f, 'name', repr(f))
    print('Extracting', name)
    try:
        return _read_idx(f, images, MAX_IDX_BYTES)
    except _BadData as error:
        raise ValueError('%s: %s' % (error, name)) from None


def dense_to_one_hot(labels_dense, num_classes):
    """Convert class labels from scalars to one-hot float64 rows, as TF 1.x did."""
    labels_dense = numpy.asarray(labels_dense)
    if labels_dense.size and not (0 <= labels_dense.min() and labels_dense.max() < num_classes):
        raise ValueError('labels must be in [0, %d), got %d to %d'
                         % (num_classes, labels_dense.min(), labels_dense.max()))
    return numpy.eye(num_classes)[labels_dense.ravel()]


# The data set -------------------------------------------------------------------------

def _image_dtype(dtype):
    """numpy.uint8 or numpy.float32 from what TF 1.x accepted (tf.uint8 and tf.float32 by
    duck typing; float and 'float' mean float32 to TensorFlow), or TypeError."""
    try:
        result = numpy.dtype(numpy.float32 if dtype is float or dtype == 'float'
                             else getattr(dtype, 'as_numpy_dtype', dtype)).type
    except (TypeError, ValueError):
        result = None
    if result not in (numpy.uint8, numpy.float32):
        raise TypeError('Invalid image dtype %r, expected uint8 or float32' % (dtype,))
    return result


def _to_float32(images):
    """[0, 255] -> [0.0, 1.0] as TF 1.x computed it, uint8 times float32(1/255) (not quite
    dividing by 255), starting at a multiple of 64 bytes: TensorFlow feeds that uncopied."""
    buffer = numpy.empty(images.size * 4 + 64, dtype=numpy.uint8)
    start = -buffer.ctypes.data % 64
    result = buffer[start:start + images.size * 4].view(numpy.float32).reshape(images.shape)
    return numpy.multiply(images, numpy.float32(1.0 / 255.0), out=result, dtype=numpy.float32)


def _numpy_seed(seed):
    """The seed TF 1.x gave numpy.random.seed for DataSet(seed=seed): of TensorFlow's
    get_seed(seed), the op-level seed, or with no seed the graph-level one. This module never
    imports TensorFlow; if the caller has not either, no graph-level seed can be set."""
    try:
        seed = seed if seed is None else operator.index(seed)
    except TypeError:
        raise TypeError('seed must be an integer or None, not %r' % (seed,)) from None
    get_seed = getattr(getattr(getattr(getattr(sys.modules.get('tensorflow'), 'compat', None),
                                       'v1', None), 'random', None), 'get_seed', None)
    if get_seed is None:
        return None if seed is None else seed % (2**31 - 1)
    try:
        return get_seed(seed)[seed is not None]  # (graph-level seed, op-level seed)
    except RuntimeError:  # op determinism on and no seed at all: random, as in TF 1.x
        return None


class DataSet(object):
    """Images and labels of one split, with TF 1.x's next_batch."""

    def __init__(self, images, labels, fake_data=False, one_hot=False,
                 dtype=numpy.float32, reshape=True, seed=None):
        """`dtype` uint8 leaves pixels in [0, 255]; float32 rescales them into [0, 1].
        The same `seed` gives the same batches as TF 1.x gave for it; None is random."""
        dtype = _image_dtype(dtype)
        # TF 1.x seeded NumPy's global generator here; a private generator seeded the
        # same way yields the same shuffles and leaves the caller's global state alone.
        self._random = numpy.random.RandomState(_numpy_seed(seed))
        self.one_hot = one_hot
        if fake_data:
            self._num_examples = 10000
        else:
            if images.shape[0] != labels.shape[0]:
                raise ValueError('images and labels differ in number: images.shape: %s '
                                 'labels.shape: %s' % (images.shape, labels.shape))
            self._num_examples = images.shape[0]
            if reshape:  # [examples, rows, columns, 1] -> [examples, rows * columns]
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError('reshape=True needs images of shape [N, rows, '
                                     'columns, 1], got %s' % (images.shape,))
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        # TF 1.x converted the whole set to float32 here, and copied both arrays at every
        # shuffle. Here they stay uint8 until asked for (next_batch converts its rows,
        # `images` the whole set once), and a shuffle composes a permutation, `_order`,
        # which batches gather through and `images` and `labels` apply.
        self._images, self._labels, self._order = images, labels, None
        self._to_convert = not fake_data and dtype == numpy.float32
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def _apply_order(self):
        if self._order is not None:
            self._images, self._labels = self._images[self._order], self._labels[self._order]
            self._order = None

    @property
    def images(self):
        self._apply_order()
        if self._to_convert:
            self._images, self._to_convert = _to_float32(self._images), False
        return self._images

    @property
    def labels(self):
        self._apply_order()
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def _shuffle(self):
        permutation = self._random.permutation(self._num_examples)
        self._order = permutation if self._order is None else self._order[permutation]

    def _positions(self, start, end):
        """Row numbers, in the current order, of this epoch's examples start to end."""
        return numpy.arange(start, end) if self._order is None else self._order[start:end]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next `batch_size` examples from this data set."""
        if fake_data:
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [[1] * 784] * batch_size, [fake_label] * batch_size
        # Checked before anything moves, so that a refused call leaves the set as it was.
        try:
            batch_size = operator.index(batch_size)
        except TypeError:
            raise TypeError('batch_size must be a whole number, not %r' % (batch_size,)) from None
        if not 0 <= batch_size <= self._num_examples:
            raise ValueError('batch_size must be from 0 to the %d examples of this set, not %d'
                             % (self._num_examples, batch_size))
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:  # the first epoch
            self._shuffle()
        if start + batch_size > self._num_examples:  # the rest of this epoch, then the next
            self._epochs_completed += 1
            rest = self._positions(start, self._num_examples)
            if shuffle:
                self._shuffle()
            self._index_in_epoch = end = batch_size - (self._num_examples - start)
            positions = numpy.concatenate((rest, self._positions(0, end)))
        else:
            self._index_in_epoch = end = start + batch_size
            positions = self._positions(start, end)
        images, labels = self._images.take(positions, axis=0), self._labels.take(positions, axis=0)
        return _to_float32(images) if self._to_convert else images, labels


# Getting the files --------------------------------------------------------------------

def _open_file(path):
    """path opened for reading if it is a regular file; a FIFO, a device or a directory could
    block or never end, so _NotAFile says which. O_NONBLOCK: a FIFO opens without a writer."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_BINARY', 0))
    kind = stat.S_IFMT(os.fstat(descriptor).st_mode)
    if kind == stat.S_IFREG:
        return os.fdopen(descriptor, 'rb')
    os.close(descriptor)
    raise _NotAFile({stat.S_IFDIR: 'a directory', stat.S_IFIFO: 'a FIFO (named pipe)',
                     stat.S_IFCHR: 'a character device'}.get(kind, 'a block device or a socket'))


def _read_cached(train_dir, name):
    """(bytes, counts, MNIST's?, None) of a usable file `name` in train_dir; (None, None, None,
    what is wrong, or None if missing) else. DownloadError if it must be neither read nor replaced."""
    path = os.path.join(train_dir, name)
    try:
        with _open_file(path) as stream:
            raw, counts = _read_idx(stream, name in (TRAIN_IMAGES, TEST_IMAGES), MAX_IDX_BYTES)
        mnist = len(raw) == FILES[name][0] and hashlib.sha256(raw).hexdigest() == FILES[name][1]
        return raw, counts, mnist, None
    except FileNotFoundError:
        return None, None, None, None
    except _BadData as error:
        return None, None, None, str(error)
    except _NotAFile as error:
        raise _folder_error(path, ': it is %s, not a file' % error, 'move it out of the way') from None
    except OSError as error:
        raise _folder_error(path, ': it cannot be read (%s)' % (error.strerror or error),
                            'make it readable') from None


def _folder_error(path, problem, fix):
    return DownloadError('%s%s.\nTo fix it, %s, or choose another folder (train_dir; '
                         '--data_dir in mnist_softmax.py).' % (_printable(path), problem, fix))


def check_source_url(source_url):
    """ValueError or TypeError unless source_url is a URL or folder the loader can read."""
    if not isinstance(source_url, str):
        raise TypeError('source_url must be a string, not %r' % (source_url,))
    if not source_url.strip():
        raise ValueError('source_url is empty: give a URL or a local folder, or None for the mirrors')
    try:
        parts = urllib.parse.urlsplit(source_url)
        parts.port  # noqa: B018 -- a port that is not a number up to 65535 raises ValueError
    except ValueError as error:
        raise ValueError('%r is not a URL the loader can read (%s)' % (_shown(source_url), error)) from None
    if parts.scheme.lower() not in ('', 'http', 'https', 'file') and len(parts.scheme) != 1:  # 1: C:\
        raise ValueError('%r is not a source the loader can read: use an http://, https:// '
                         'or file:// URL, or the path of a local folder' % _shown(source_url))


def _printable(text):
    """text with its control characters (escape codes, carriage returns) spelled out."""
    return ''.join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _shown(url):
    """url as it may be shown: printable, and any password in it (scheme://user:password@) as ***."""
    return _printable(re.sub(r'(://[^/:@]*:)[^/]*@', r'\1***@', url))


def _note(text, start='', end='\n'):
    """Write a line to stderr, if there is one (none with `2>&-`, pythonw, some services)."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.write(start + _printable(text) + end)
        sys.stderr.flush()


class _Deadline(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """urllib's http and https with a deadline for a source and a file, all tries, connecting (not the
    name lookup), TLS, headers, redirects and body: then its connections, and reads, are shut down."""

    def __init__(self, seconds):
        super().__init__()
        self.expired, self.sockets, self.lock = False, [], threading.Lock()
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True
        self.timer.start()

    def http_open(self, request):
        return self.do_open(functools.partial(self.connection, http.client.HTTPConnection), request)

    def https_open(self, request):
        return self.do_open(functools.partial(self.connection, http.client.HTTPSConnection), request)

    def connection(self, connection_class, host, **options):
        made = connection_class(host, **options)
        create = made._create_connection
        made._create_connection = lambda *args, **kwargs: self.watch(create(*args, **kwargs))
        return made

    def watch(self, sock):
        with self.lock:  # a descriptor of our own: shut down at the deadline, never reused
            self.sockets.append(sock.dup())
        if self.expired:
            self.expire()
        return sock

    def expire(self):
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # no longer connected
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.timer.cancel()
        for sock in self.sockets:
            sock.close()


def _get(url, name, deadline):
    """The body of the answer to GET url, within the bounds a web source is given for `name`."""
    # Without the password, and percent-encoded as a browser sends it (a space, a letter outside ASCII).
    parts = urllib.parse.urlsplit(url)
    request = urllib.request.Request(parts._replace(
        netloc=parts.netloc.rpartition('@')[2], path=urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=~"),
    ).geturl(), headers={'User-Agent': USER_AGENT})
    if parts.username is not None:  # http://user:password@host/: sent to that host only
        credentials = urllib.parse.unquote('%s:%s' % (parts.username, parts.password or '')).encode()
        request.add_unredirected_header('Authorization', 'Basic ' + base64.b64encode(credentials).decode())
    # urllib's opener less its ftp and file handlers, so that it redirects to http(s) only.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), deadline, urllib.request.HTTPRedirectHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    shown = '' if getattr(sys.stderr, 'isatty', bool)() else None  # the progress line, on a terminal
    window_start, window_received, body = time.monotonic(), 0, bytearray()
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            total = response.length
            while chunk := response.read1(CHUNK_BYTES):  # what has come, not a full chunk
                body += chunk
                if len(body) > _largest_gzip(FILES[name][0]):  # an endless body, say
                    raise _SourceError('not the MNIST file: it is over %d bytes, more than any gzip of it'
                                       % len(body))
                now = time.monotonic()
                if now - window_start >= SLOW_WINDOW_SECONDS:
                    if len(body) - window_received < MIN_BYTES_PER_SECOND * (now - window_start):
                        raise _SourceError('too slow: %d bytes in the last %d s, under %d bytes a '
                                           'second' % (len(body) - window_received, now - window_start,
                                                       MIN_BYTES_PER_SECOND))
                    window_start, window_received = now, len(body)
                progress = '%.1f MB' % (len(body) / 1e6) if not total else '%.1f of %.1f MB (%d%%)' % (
                    len(body) / 1e6, total / 1e6, 100 * len(body) // total)
                if shown is not None and progress != shown:
                    _note('Downloading %s: %s' % (name, progress), start='\r', end='')
                    shown = progress
    except urllib.request.HTTPError as error:
        error.close()
        if 300 <= error.code < 400:  # a redirect it did not follow: to ftp:, file:, ...
            raise _SourceError('it redirected to %s, not a valid http or https URL'
                               % _shown(error.headers.get('Location', ''))) from None
        passing = error.code in (408, 429) or error.code >= 500
        raise (_Passing if passing else _SourceError)('HTTP %d %s' % (error.code, error.reason)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise _network_error(getattr(error, 'reason', error), url, deadline) from None
    finally:
        if shown:
            _note('')
    if deadline.expired:
        raise _SourceError('too slow: not done after %d s' % DEADLINE_SECONDS)
    if total is not None and len(body) < total:
        raise _Passing('cut off after %d of %d bytes' % (len(body), total))
    return body


def _network_error(reason, url, deadline):
    """The _SourceError for a failed connection or read."""
    passing = isinstance(reason, (TimeoutError, ConnectionResetError, ConnectionAbortedError,
                                  http.client.IncompleteRead, http.client.RemoteDisconnected))
    if deadline.expired:
        message, passing = 'too slow: not done after %d s' % DEADLINE_SECONDS, False
    elif isinstance(reason, ssl.SSLCertVerificationError):
        message = 'SSL certificate verification failed (%s)' % reason.verify_message
    elif isinstance(reason, (ssl.SSLError, TimeoutError, ConnectionRefusedError)):
        message = ('SSL error (%s)' % reason if isinstance(reason, ssl.SSLError) else
                   'connection refused' if isinstance(reason, ConnectionRefusedError) else
                   'timed out after %d s' % TIMEOUT_SECONDS)
    elif isinstance(reason, ValueError) or 'unknown url type' in str(reason):
        message = 'it, or where it redirected, is not a valid http or https URL (%s)' % reason
    else:
        message = 'connection cut off' if passing else str(getattr(reason, 'strerror', None) or reason)
    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and isinstance(reason, OSError) and not urllib.request.proxy_bypass(parts.hostname):
        message += (' (through the proxy %s, from the %s_proxy setting: check it, or unset it '
                    'to connect directly)' % (_shown(proxy), parts.scheme))
    return (_Passing if passing else _SourceError)(message)


def _fetch(where, name, deadline):
    """(gzipped bytes, bytes, counts) of MNIST's `name` from a URL (with its deadline) or a path."""
    if deadline is not None:
        data = _get(where, name, deadline)
    else:
        try:
            with _open_file(where) as stream:  # a file that grows as it is read is counted
                data = stream.read(_largest_gzip(FILES[name][0]) + 1)
        except OSError as error:
            raise _SourceError(error.strerror or 'it is %s, not a file' % error) from None
    raw, counts = _read_idx(io.BytesIO(data), name in (TRAIN_IMAGES, TEST_IMAGES), limit=FILES[name][0])
    if (digest := hashlib.sha256(raw).hexdigest()) != FILES[name][1]:
        raise _BadData("its decompressed bytes have sha256 %s, not MNIST's %s" % (digest, FILES[name][1]))
    return data, raw, counts


def _save(data, train_dir, name):
    """Write data to train_dir/name through a temporary file renamed into place: no load
    ever sees a part of it, and two loads that save at once each put a whole file there."""
    temporary = os.path.join(train_dir, '.%s.%s.part' % (name, os.urandom(4).hex()))
    try:
        os.makedirs(train_dir, exist_ok=True)  # only now: a load that fails makes no folder
        with open(temporary, 'xb') as out:
            out.write(data)
        os.replace(temporary, os.path.join(train_dir, name))
    except BaseException as error:
        if os.path.exists(temporary):
            os.remove(temporary)
        if not isinstance(error, OSError):
            raise
        fix = ('free some space there (about 12 MB for the four files)' if error.errno in (
            errno.ENOSPC, errno.EDQUOT) else 'raise the limit on the size of files (ulimit -f)'
            if error.errno == errno.EFBIG else 'make the folder writable')
        raise _folder_error('Could not save %s in %s' % (name, os.path.abspath(train_dir)),
                            ': %s' % (error.strerror or error), fix) from None


def _download(name, train_dir, sources, problem):
    """The (bytes, counts) of MNIST's `name`, fetched into train_dir from the first good source."""
    path = os.path.join(train_dir, name)
    failures = [(_printable(path), problem)] if problem else []
    if problem:
        _note('%s is not a good copy of the MNIST file: %s. Fetching it again.' % (path, problem))
    for source in sources:
        parts = urllib.parse.urlsplit(source)
        if parts.scheme.lower() in ('http', 'https'):
            where, deadline = source.rstrip('/') + '/' + name, _Deadline(DEADLINE_SECONDS)
        else:
            folder = urllib.request.url2pathname(parts.path) if parts.scheme == 'file' else source
            where, deadline = os.path.join(folder, name), None
        try:
            for attempt, delay in enumerate((0,) + tuple(RETRY_DELAYS)):
                if attempt:
                    _note('%s: %s. Trying again in %g s.' % (_shown(where), problem, delay))
                    time.sleep(delay)
                try:
                    data, raw, counts = _fetch(where, name, deadline)
                except _SourceError as error:
                    problem = str(error)
                    if isinstance(error, _Passing):
                        continue
                except _BadData as error:
                    problem = 'not the MNIST file: %s' % error
                else:
                    _save(data, train_dir, name)
                    print('Copied %s from %s.' % (name, os.path.dirname(where)) if deadline is None
                          else 'Successfully downloaded %s %d bytes.' % (name, len(data)))
                    return raw, counts
                break
        finally:
            if deadline is not None:
                deadline.close()
        failures.append((_shown(where), _printable(problem)))
    lines = ['Could not get a good copy of %s for %s.' % (name, _printable(path))]
    lines += ['  %s: %s' % failure for failure in failures]
    lines.append('To fix it, put the four MNIST files (%s) in %s, copied from a machine '
                 'or repository that has them, or pass source_url (--source_url in '
                 'mnist_softmax.py) naming a mirror, a file:// URL or a local folder '
                 'that has them.' % (', '.join(FILES), _printable(train_dir)))
    raise DownloadError('\n'.join(lines))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=numpy.float32,
                   reshape=True, validation_size=5000, seed=None,
                   source_url=DEFAULT_SOURCE_URL):
    if fake_data:
        return Datasets(*(DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
                          for _ in range(3)))
    # Bad arguments, and a folder that cannot be one, fail here, before anything is read.
    _image_dtype(dtype)
    if seed is not None:  # with None, each DataSet asks TensorFlow's seed once, as in TF 1.x
        _numpy_seed(seed)
    validation_size = operator.index(validation_size)
    sources = [PROJECT_DATA_DIR] * os.path.isdir(PROJECT_DATA_DIR) + MIRRORS  # our copies first
    if source_url is not None and source_url != DEFAULT_SOURCE_URL:
        check_source_url(source_url)
        sources = [source_url]
    if os.path.lexists(train_dir) and not os.path.isdir(train_dir):
        if os.path.islink(train_dir) and not os.path.exists(train_dir):
            raise _folder_error(train_dir, ' is a symbolic link to %s, which does not exist'
                                % os.readlink(train_dir), 'make that folder, or remove the link')
        raise _folder_error(train_dir, ' is not a folder', 'move it out of the way')

    names = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
    cached = [_read_cached(train_dir, name) for name in names]  # all, before anything is fetched
    arrays = []
    for name, (raw, counts, mnist, problem) in zip(names, cached, strict=True):
        path = os.path.join(train_dir, name)
        if raw is None:
            raw, counts = _download(name, train_dir, sources, problem)
        elif not mnist:
            _note("%s is not MNIST's %s; it is loaded as it is." % (path, name))
        print('Extracting', path)
        if name in (TRAIN_IMAGES, TEST_IMAGES):
            arrays.append(numpy.frombuffer(raw, dtype=numpy.uint8, offset=16).reshape(*counts, 1))
        else:
            arrays.append(_labels(raw, path, one_hot, 10))
    train_images, train_labels, test_images, test_labels = arrays

    if not 0 <= validation_size <= len(train_images):
        raise ValueError('Validation size should be between 0 and {}. Received: {}.'
                         .format(len(train_images), validation_size))
    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images, train_labels, **options)
    validation = DataSet(validation_images, validation_labels, **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir='MNIST-data'):
    return read_data_sets(train_dir)
