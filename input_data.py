"""The MNIST loader that TensorFlow 1.x shipped, for today's Python.

The tutorial starts with

    from tensorflow.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)

TensorFlow 2 no longer ships that module. This file replaces it: `import input_data`,
then the same call. Names, arguments, defaults and results (to the bit, and the same
batches for the same seed) are those of TF 1.x's
tensorflow/contrib/learn/python/learn/datasets/mnist.py. What is new:

- every file is checked against the size and sha256 of its decompressed bytes, so an
  HTML error page or a truncated archive is never used; the check runs as the bytes
  arrive, and stops at the first that cannot be the file, so a gzip bomb or an endless
  body costs no more memory, disk or time than the real file;
- a missing or bad file is copied from the verified files in MNIST_data/ beside this
  module, or else fetched from a list of mirrors, with timeouts, a minimum speed, a
  deadline and retries, into a temporary file that is renamed into place only once it
  has been verified; a later load removes what a killed download left;
- every failure to get the data is one DownloadError whose message names the file or
  folder, what went wrong and the fix;
- each DataSet shuffles with a private random generator instead of NumPy's global one
  (seeded as TF 1.x seeded NumPy's, TensorFlow's graph-level seed included);
- bad values (labels outside the classes, a batch larger than the set) are refused;
- images stay uint8 until asked for, and a shuffle copies no array (see DataSet): the
  tutorial's peak memory drops by about 160 MiB and its data load by half.

It imports NumPy and the standard library only, never TensorFlow.
"""
import collections
import concurrent.futures
import errno
import gzip
import hashlib
import http.client
import operator
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import numpy

try:
    import fcntl  # the lock on a download's temporary file (not on Windows)
except ImportError:
    fcntl = None

# CVDF mirror of http://yann.lecun.com/exdb/mnist/, TF 1.x's default.
DEFAULT_SOURCE_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/'

# The verified copies shipped beside this file: the first source when no source_url is
# given, so the tutorial's `read_data_sets("MNIST_data/")` works offline from any folder.
PROJECT_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'MNIST_data')

# Tried in this order, after PROJECT_DATA_DIR, when a file is missing or bad and no
# source_url is given.
MIRRORS = [
    DEFAULT_SOURCE_URL,
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'http://yann.lecun.com/exdb/mnist/',
]

TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'
TRAIN_LABELS = 'train-labels-idx1-ubyte.gz'
TEST_IMAGES = 't10k-images-idx3-ubyte.gz'
TEST_LABELS = 't10k-labels-idx1-ubyte.gz'

# Size and sha256 of each file's *decompressed* bytes. Pinning these rather than the
# .gz accepts any gzip wrapper around the canonical data (the mirrors' archives and
# the re-compressed copies in MNIST_data/) and rejects everything else.
FILES = {
    TRAIN_IMAGES: (47040016, 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'),
    TRAIN_LABELS: (60008, '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'),
    TEST_IMAGES: (7840016, '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'),
    TEST_LABELS: (10008, 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'),
}

TIMEOUT_SECONDS = 30  # for connecting and for every read
RETRY_DELAYS = (1, 4)  # seconds before the second and third try of a passing failure
# A source that sends less than MIN_BYTES_PER_SECOND over SLOW_WINDOW_SECONDS, or takes
# longer than DEADLINE_SECONDS for one file, is given up for the next. A link of 10 kB/s
# still brings the 10 MB training images in 17 minutes.
MIN_BYTES_PER_SECOND = 1000
SLOW_WINDOW_SECONDS = 60
DEADLINE_SECONDS = 30 * 60
CHUNK_BYTES = 1 << 16
USER_AGENT = 'Mozilla/5.0 (compatible; mnist-tutorial-input_data)'  # some hosts refuse Python's

Datasets = collections.namedtuple('Datasets', ['train', 'validation', 'test'])


class DownloadError(OSError):
    """No source gave a good copy of an MNIST file."""


class _BadData(Exception):
    """The bytes are not the MNIST file they should be."""


class _SourceError(Exception):
    """Fetching from one source failed; `passing` when trying again may help."""

    def __init__(self, message, passing=False):
        super().__init__(message)
        self.passing = passing


# Reading the IDX format ---------------------------------------------------------------

def _read32(buffer, offset):
    return int.from_bytes(buffer[offset:offset + 4], 'big')


def _images_from_idx(raw, name):
    """uint8 [images, rows, columns, 1] from the bytes of a whole IDX image file."""
    magic = _read32(raw, 0)
    if magic != 2051:
        raise ValueError('Invalid magic number %d in MNIST image file: %s' % (magic, name))
    if len(raw) < 16:
        raise ValueError('%s: the file ends inside its 16-byte header' % name)
    num_images, rows, cols = _read32(raw, 4), _read32(raw, 8), _read32(raw, 12)
    size = num_images * rows * cols
    if len(raw) - 16 < size:
        raise ValueError('%s: the header promises %d images of %dx%d pixels but the file '
                         'holds only %d bytes of pixels' % (name, num_images, rows, cols,
                                                            len(raw) - 16))
    data = numpy.frombuffer(raw, dtype=numpy.uint8, count=size, offset=16)
    return data.reshape(num_images, rows, cols, 1)


def _labels_from_idx(raw, name, one_hot, num_classes):
    """uint8 [labels] (or float64 one-hot rows) from the bytes of a whole IDX label file."""
    magic = _read32(raw, 0)
    if magic != 2049:
        raise ValueError('Invalid magic number %d in MNIST label file: %s' % (magic, name))
    if len(raw) < 8:
        raise ValueError('%s: the file ends inside its 8-byte header' % name)
    num_items = _read32(raw, 4)
    if len(raw) - 8 < num_items:
        raise ValueError('%s: the header promises %d labels but the file holds only %d'
                         % (name, num_items, len(raw) - 8))
    labels = numpy.frombuffer(raw, dtype=numpy.uint8, count=num_items, offset=8)
    if one_hot:
        if num_items and labels.max() >= num_classes:
            raise ValueError('%s: label %d is not one of the %d classes 0 to %d'
                             % (name, labels.max(), num_classes, num_classes - 1))
        return dense_to_one_hot(labels, num_classes)
    return labels


def _read_idx(f, header_size, payload_size):
    """The bytes of the gzipped IDX file f: its header, then only as much as the header
    promises, so that a file that is not IDX, or a gzip bomb, is never inflated whole."""
    name = getattr(f, 'name', repr(f))
    try:
        with gzip.GzipFile(fileobj=f) as stream:
            raw = bytearray(stream.read(header_size))
            wanted = header_size + payload_size(raw)
            while len(raw) < wanted:
                chunk = stream.read(min(wanted - len(raw), 1 << 20))
                if not chunk:
                    break
                raw += chunk
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise ValueError('%s: not a readable gzip file (%s)' % (name, error)) from None
    return raw


def _image_payload(header):
    if _read32(header, 0) != 2051 or len(header) < 16:
        return 0  # _images_from_idx says what is wrong
    return _read32(header, 4) * _read32(header, 8) * _read32(header, 12)


def _label_payload(header):
    return _read32(header, 4) if _read32(header, 0) == 2049 and len(header) == 8 else 0


def extract_images(f):
    """Extract the images of a gzipped IDX file into a uint8 array [index, y, x, depth]."""
    name = getattr(f, 'name', repr(f))
    print('Extracting', name)
    return _images_from_idx(_read_idx(f, 16, _image_payload), name)


def extract_labels(f, one_hot=False, num_classes=10):
    """Extract the labels of a gzipped IDX file into a uint8 array [index] (or one-hot)."""
    name = getattr(f, 'name', repr(f))
    print('Extracting', name)
    return _labels_from_idx(_read_idx(f, 8, _label_payload), name, one_hot, num_classes)


def dense_to_one_hot(labels_dense, num_classes):
    """Convert class labels from scalars to one-hot float64 rows, as TF 1.x did."""
    labels_dense = numpy.asarray(labels_dense)
    if labels_dense.size and not (0 <= labels_dense.min() and labels_dense.max() < num_classes):
        raise ValueError('labels must be in [0, %d), got %d to %d'
                         % (num_classes, labels_dense.min(), labels_dense.max()))
    num_labels = labels_dense.shape[0]
    labels_one_hot = numpy.zeros((num_labels, num_classes))
    labels_one_hot[numpy.arange(num_labels), labels_dense.ravel()] = 1
    return labels_one_hot


# The data set -------------------------------------------------------------------------

def _image_dtype(dtype):
    """numpy.uint8 or numpy.float32 from what TF 1.x accepted, or TypeError."""
    # tf.float32 and tf.uint8 are recognised by duck typing: this module never imports
    # TensorFlow. Python's float and the string 'float' mean float32 to TensorFlow.
    spelling = getattr(dtype, 'as_numpy_dtype', dtype)
    if spelling is float or (isinstance(spelling, str) and spelling == 'float'):
        spelling = numpy.float32
    try:
        result = numpy.dtype(spelling).type if spelling is not None else None
    except (TypeError, ValueError):
        result = None
    if result is not numpy.uint8 and result is not numpy.float32:
        raise TypeError('Invalid image dtype %r, expected uint8 or float32' % (dtype,))
    return result


def _to_float32(images):
    """[0, 255] -> [0.0, 1.0], as TF 1.x computed it: uint8 times float32(1/255).

    (That differs from dividing by 255 in the last bit for some pixels.) The result
    starts at a multiple of 64 bytes, which lets TensorFlow feed it without a copy.
    """
    size = images.size * 4
    buffer = numpy.empty(size + 64, dtype=numpy.uint8)
    start = -buffer.ctypes.data % 64
    result = buffer[start:start + size].view(numpy.float32).reshape(images.shape)
    return numpy.multiply(images, numpy.float32(1.0 / 255.0), out=result, dtype=numpy.float32)


def _numpy_seed(seed):
    """The seed TF 1.x handed to numpy.random.seed for DataSet(seed=seed)."""
    # TF 1.x took it from tf.random_seed.get_seed(seed): the op-level seed, reduced
    # modulo 2**31 - 1; or, with no seed, TensorFlow's graph-level seed, so that a program
    # that called tf.set_random_seed(s) got the batches of seed=s. That needs TensorFlow
    # only if the caller has imported it: this module never does.
    if seed is None:
        tensorflow = sys.modules.get('tensorflow')
        get_seed = getattr(getattr(getattr(getattr(tensorflow, 'compat', None), 'v1', None),
                                   'random', None), 'get_seed', None)
        return get_seed(None)[0] if get_seed is not None else None
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError('seed must be an integer or None, not %r' % (seed,)) from None
    return seed % (2**31 - 1)


class DataSet(object):
    """Images and labels of one split, with TF 1.x's next_batch."""

    def __init__(self, images, labels, fake_data=False, one_hot=False,
                 dtype=numpy.float32, reshape=True, seed=None):
        """`dtype` uint8 leaves pixels in [0, 255]; float32 rescales them into [0, 1].

        The same `seed` gives the same batches as TF 1.x gave for it; None is random.
        """
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
            # [examples, rows, columns, depth] -> [examples, rows * columns]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError('reshape=True needs images of shape [N, rows, '
                                     'columns, 1], got %s' % (images.shape,))
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        # TF 1.x converted uint8 images to float32 here, 4 bytes a pixel for the whole
        # set. Here they stay uint8 until asked for: next_batch converts the rows of
        # its batch, `images` the whole set once. The values are the same to the bit.
        self._images = images
        self._to_convert = not fake_data and dtype == numpy.float32
        self._labels = labels
        # TF 1.x copied both arrays at every shuffle. Here a shuffle only composes a
        # permutation, `_order`: batches gather their rows through it, and the arrays
        # are put in that order only when someone asks for `images` or `labels`.
        self._order = None
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def _apply_order(self):
        if self._order is not None:
            self._images = self._images[self._order]
            self._labels = self._labels[self._order]
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
        end = min(end, self._num_examples)
        if self._order is None:
            return numpy.arange(start, end)
        return self._order[start:end]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next `batch_size` examples from this data set."""
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return ([fake_image for _ in range(batch_size)],
                    [fake_label for _ in range(batch_size)])
        # Checked before anything moves, so that a refused call leaves the set as it was.
        try:
            batch_size = operator.index(batch_size)
        except TypeError:
            raise TypeError('batch_size must be a whole number, not %r' % (batch_size,)) from None
        if not 0 <= batch_size <= self._num_examples:
            raise ValueError('batch_size must be from 0 to the %d examples of this set, not %d'
                             % (self._num_examples, batch_size))
        start = self._index_in_epoch
        # Shuffle for the first epoch.
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size > self._num_examples:
            # The epoch ends inside this batch: take the rest of it, then the head of
            # the next epoch, shuffled afresh.
            self._epochs_completed += 1
            rest = self._positions(start, self._num_examples)
            if shuffle:
                self._shuffle()
            self._index_in_epoch = batch_size - (self._num_examples - start)
            positions = numpy.concatenate((rest, self._positions(0, self._index_in_epoch)))
        else:
            self._index_in_epoch = start + batch_size
            positions = self._positions(start, self._index_in_epoch)
        images = self._images.take(positions, axis=0)
        labels = self._labels.take(positions, axis=0)
        return _to_float32(images) if self._to_convert else images, labels


# Getting verified files ---------------------------------------------------------------

def _largest_gzip(size):
    """The most bytes a gzip of `size` bytes can take: deflate's stored blocks add 5 bytes
    per 64 KiB, and the gzip header may carry a name or comment (64 KiB allowed)."""
    return size + 5 * (size // 65535 + 1) + (1 << 16)


class _Verifier:
    """Inflate and hash a gzip file as its bytes arrive; _BadData as soon as they cannot be
    MNIST's `name`. Memory: the decompressed file, allocated once, and one chunk."""

    def __init__(self, name):
        self.size, self.sha256 = FILES[name]
        self.most_compressed = _largest_gzip(self.size)
        self.output = bytearray(self.size)
        self.inflated = 0
        self.received = 0
        self.head = b''  # the first bytes, to say what the data is when it is not gzip
        self.members = 0
        self.inflater = None
        self.hash = hashlib.sha256()

    def feed(self, data):
        self.received += len(data)
        if len(self.head) < 512:
            self.head += data[:512 - len(self.head)]
            if len(self.head) >= 2 and self.head[:2] != b'\x1f\x8b':
                raise _BadData(self._not_gzip())
        if self.received > self.most_compressed:
            raise _BadData('it is larger than any gzip of the MNIST file (over %d bytes)'
                           % self.most_compressed)
        try:
            while data:
                if self.inflater is None:  # a gzip member begins; zero padding may end the file
                    if not data.strip(b'\0') and self.members:
                        return
                    self.inflater = zlib.decompressobj(wbits=31)
                    self.members += 1
                room = self.size - self.inflated
                out = self.inflater.decompress(data, min(room + 1, 16 * CHUNK_BYTES))
                if len(out) > room:
                    raise _BadData('it decompresses to more than the %d bytes of the MNIST '
                                   'file' % self.size)
                self.output[self.inflated:self.inflated + len(out)] = out
                self.hash.update(out)
                self.inflated += len(out)
                if self.inflater.eof:
                    data, self.inflater = self.inflater.unused_data, None
                else:
                    data = self.inflater.unconsumed_tail
        except zlib.error as error:
            raise _BadData('the gzip data is corrupt (%s)' % error) from None

    def _not_gzip(self):
        head = self.head.lstrip().lower()
        if head.startswith((b'<!doctype', b'<html', b'<?xml')) or b'<html' in head:
            return 'it is an HTML page, not gzip data (an error page saved in place of the file?)'
        return 'it is not gzip data'

    def result(self):
        """The verified decompressed bytes, once every byte has been fed."""
        if len(self.head) < 2:
            raise _BadData(self._not_gzip() if self.head else 'it is empty')
        if self.inflater is not None:
            raise _BadData('the gzip data ends early (a truncated download?)')
        if self.inflated != self.size:
            raise _BadData('it decompresses to %d bytes, not the %d of the MNIST file'
                           % (self.inflated, self.size))
        digest = self.hash.hexdigest()
        if digest != self.sha256:
            raise _BadData('its decompressed bytes have sha256 %s, not MNIST\'s %s'
                           % (digest, self.sha256))
        return self.output


def _verified(name, data):
    """The decompressed bytes of `data` if they are MNIST's `name`, else _BadData."""
    verifier = _Verifier(name)
    for start in range(0, len(data), 16 * CHUNK_BYTES):
        verifier.feed(data[start:start + 16 * CHUNK_BYTES])
    return verifier.result()


def _verified_file(name, path):
    """The decompressed bytes of the file at path if it is MNIST's `name`, else _BadData.
    Read in chunks, so that a file of any size (or /dev/zero) costs no more memory."""
    verifier = _Verifier(name)
    with open(path, 'rb') as stream:
        while True:
            chunk = stream.read1(16 * CHUNK_BYTES)
            if not chunk:
                return verifier.result()
            verifier.feed(chunk)


def check_source_url(source_url):
    """ValueError or TypeError unless source_url is a URL or folder the loader can read."""
    if not isinstance(source_url, str):
        raise TypeError('source_url must be a string, not %r' % (source_url,))
    if not source_url.strip():
        raise ValueError('source_url is empty: give an http://, https:// or file:// URL or '
                         'a local folder, or None for the mirrors')
    scheme = urllib.parse.urlsplit(source_url).scheme.lower()
    if scheme not in ('', 'http', 'https', 'file') and len(scheme) != 1:  # 1: "C:\..."
        raise ValueError('%r is not a source the loader can read: use an http://, https:// '
                         'or file:// URL, or the path of a local folder' % source_url)


def _sources(source_url, train_dir):
    """Where to look for the files, in order: source_url, or else our copies and the mirrors."""
    if source_url is not None and source_url != DEFAULT_SOURCE_URL:
        check_source_url(source_url)
        return [source_url]
    if os.path.isdir(PROJECT_DATA_DIR) and not _same_folder(PROJECT_DATA_DIR, train_dir):
        return [PROJECT_DATA_DIR] + MIRRORS
    return list(MIRRORS)


def _same_folder(one, other):
    try:
        return os.path.samefile(one, other)
    except OSError:  # other does not exist yet
        return False


def _location(source, name):
    """(True, URL) for a web source, (False, path) for a local one."""
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    if scheme in ('http', 'https'):
        return True, source.rstrip('/') + '/' + name
    if scheme == 'file':
        folder = urllib.request.url2pathname(urllib.parse.urlsplit(source).path)
        return False, os.path.join(folder, name)
    return False, os.path.join(source, name)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http and https only (urllib would follow one to ftp too)."""

    def redirect_request(self, request, stream, code, message, headers, new_url):
        if urllib.parse.urlsplit(new_url).scheme.lower() not in ('http', 'https'):
            raise _SourceError('it redirected to %s, which is not an http or https URL' % new_url)
        return super().redirect_request(request, stream, code, message, headers, new_url)


def _open_source(is_web, where):
    """An open binary stream and its length (None when unknown), or _SourceError."""
    if not is_web:
        try:
            stream = open(where, 'rb')
        except OSError as error:
            raise _SourceError(error.strerror or str(error)) from None
        return stream, None  # a device or a growing file has no honest size: count instead
    request = urllib.request.Request(where, headers={'User-Agent': USER_AGENT})
    try:
        response = urllib.request.build_opener(_HttpOnlyRedirects).open(
            request, timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as error:
        passing = error.code in (408, 429) or error.code >= 500
        raise _SourceError('HTTP %d %s' % (error.code, error.reason), passing) from None
    except urllib.error.URLError as error:
        raise _describe_network_error(error.reason) from None
    except (OSError, http.client.HTTPException) as error:
        raise _describe_network_error(error) from None
    if response.headers.get_content_type() == 'text/html':
        response.close()
        raise _SourceError('it answered with an HTML page, not the file')
    return response, response.length


def _describe_network_error(reason):
    if isinstance(reason, ssl.SSLCertVerificationError):
        return _SourceError('SSL certificate verification failed (%s)'
                            % getattr(reason, 'verify_message', reason))
    if isinstance(reason, ssl.SSLError):
        return _SourceError('SSL error (%s)' % reason)
    if isinstance(reason, TimeoutError):
        return _SourceError('timed out after %s s' % TIMEOUT_SECONDS, passing=True)
    if isinstance(reason, ConnectionRefusedError):
        return _SourceError('connection refused')
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError,
                           http.client.IncompleteRead, http.client.RemoteDisconnected)):
        return _SourceError('connection cut off', passing=True)
    return _SourceError(str(getattr(reason, 'strerror', None) or reason))


def _progress(name, received, total):
    if total:
        sys.stderr.write('\rDownloading %s: %.1f of %.1f MB (%d%%)'
                         % (name, received / 1e6, total / 1e6, 100 * received // total))
    else:
        sys.stderr.write('\rDownloading %s: %.1f MB' % (name, received / 1e6))
    sys.stderr.flush()


class _FolderError(Exception):
    """A file could not be written in the data folder: no source will do better."""


def _new_temporary_file(train_dir, name):
    """(path, open binary file) of a new temporary file for `name`, locked while we live.

    The lock tells a later load that the file belongs to a live download; once the
    process ends, however it ends, the lock is gone and that load removes the file.
    """
    while True:
        path = '%s.%d.%s.part' % (os.path.join(train_dir, '.' + name), os.getpid(),
                                  os.urandom(4).hex())
        try:
            # O_EXCL: never write into a file someone else has; 0o666: the umask decides.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as error:
            raise _FolderError(error) from None
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:  # another load may have taken it for abandoned before the lock was held
                if os.stat(path).st_ino == os.fstat(descriptor).st_ino:
                    return path, os.fdopen(descriptor, 'wb')
            except FileNotFoundError:
                pass
            os.close(descriptor)
        else:
            return path, os.fdopen(descriptor, 'wb')


def _remove_abandoned_temporary_files(train_dir):
    """Remove the temporary files of killed downloads: no live process holds their lock."""
    if fcntl is None:  # Windows: an open file cannot be removed, and so is never touched
        return
    try:
        entries = os.listdir(train_dir)
    except OSError:
        return
    for entry in entries:
        match = re.fullmatch(r'\.(.+)\.\d+\.[0-9a-f]{8}\.part', entry)
        if not match or match.group(1) not in FILES:
            continue
        path = os.path.join(train_dir, entry)
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.remove(path)
        except OSError:  # locked (a live download), or not ours to remove
            pass
        finally:
            os.close(descriptor)


def _copy(stream, out, verifier, name, total, is_web):
    """Copy stream into out, verifying as it goes, within the time a source is given."""
    show_progress = is_web and sys.stderr.isatty()
    started = window_start = time.monotonic()
    window_received, shown = 0, None
    read = getattr(stream, 'read1', stream.read)  # read1: what has come, not a full chunk
    while True:
        try:
            chunk = read(CHUNK_BYTES)
        except (OSError, http.client.HTTPException) as error:
            raise _describe_network_error(error) from None
        if not chunk:
            break
        verifier.feed(chunk)
        try:
            out.write(chunk)
        except OSError as error:
            raise _FolderError(error) from None
        now = time.monotonic()
        if is_web and now - started > DEADLINE_SECONDS:
            raise _SourceError('too slow: not done after %d s (%d of %s bytes)'
                               % (DEADLINE_SECONDS, verifier.received, total or 'unknown'))
        if is_web and now - window_start >= SLOW_WINDOW_SECONDS:
            if verifier.received - window_received < MIN_BYTES_PER_SECOND * (now - window_start):
                raise _SourceError('too slow: %d bytes in the last %d s, under %d bytes a second'
                                   % (verifier.received - window_received, now - window_start,
                                      MIN_BYTES_PER_SECOND))
            window_start, window_received = now, verifier.received
        progress = (100 * verifier.received // total) if total else verifier.received >> 20
        if show_progress and progress != shown:
            shown = progress
            _progress(name, verifier.received, total)
    if show_progress:
        sys.stderr.write('\n')
    if total is not None and verifier.received < total:
        raise _SourceError('cut off after %d of %d bytes' % (verifier.received, total),
                           passing=True)


def _fetch(source, name, train_dir):
    """Copy `name` from one source into train_dir and return its decompressed bytes.

    The bytes are verified as they arrive and go to a temporary file in train_dir that
    is renamed over the target only once verified: a failed or interrupted copy leaves
    nothing, and two processes fetching at once each rename a complete file into place.
    """
    is_web, where = _location(source, name)
    verifier = _Verifier(name)
    temporary, out = _new_temporary_file(train_dir, name)
    try:
        with out:
            stream, total = _open_source(is_web, where)
            with stream:
                if total is not None and total > verifier.most_compressed:
                    raise _BadData('it is %d bytes, larger than any gzip of the MNIST file'
                                   % total)
                _copy(stream, out, verifier, name, total, is_web)
            raw = verifier.result()
            try:
                out.flush()
            except OSError as error:
                raise _FolderError(error) from None
        os.replace(temporary, os.path.join(train_dir, name))
    except BaseException:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        raise
    if is_web:
        print('Successfully downloaded', name, verifier.received, 'bytes.')
    else:
        print('Copied %s from %s.' % (name, os.path.dirname(where)))
    return raw


def _read_cached(name, train_dir):
    """(decompressed bytes, None) for a good copy in train_dir, else (None, what is wrong)."""
    try:
        return _verified_file(name, os.path.join(train_dir, name)), None
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, 'it cannot be read (%s)' % (error.strerror or error)
    except _BadData as error:
        return None, str(error)


def _folder_error(name, train_dir, error):
    """The DownloadError for a file that could not be written in train_dir."""
    folder = os.path.abspath(train_dir)
    reason = getattr(error, 'strerror', None) or str(error)
    code = getattr(error, 'errno', None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        fix = 'free some space there (about 12 MB for the four files)'
    elif code == errno.EFBIG:
        fix = 'raise the limit on the size of files (ulimit -f)'
    else:
        fix = 'make the folder writable'
    return DownloadError('Could not save %s in %s: %s.\nTo fix it, %s, or choose another '
                         'folder (train_dir; --data_dir in mnist_softmax.py).'
                         % (name, folder, reason, fix))


def _download(name, train_dir, source_url, cached_problem):
    """The verified decompressed bytes of MNIST's `name`, fetched into train_dir."""
    path = os.path.join(train_dir, name)
    failures = []
    if cached_problem:
        print('%s is not a good copy of the MNIST file: %s. Fetching it again.'
              % (path, cached_problem), file=sys.stderr)
        failures.append((path, cached_problem))
    created = not os.path.isdir(train_dir)
    try:
        os.makedirs(train_dir, exist_ok=True)
        for source in _sources(source_url, train_dir):
            where, problem = _location(source, name)[1], None
            for attempt, delay in enumerate((0,) + tuple(RETRY_DELAYS)):
                if attempt:
                    print('%s: %s. Trying again in %g s.' % (where, problem, delay),
                          file=sys.stderr)
                    time.sleep(delay)
                try:
                    return _fetch(source, name, train_dir)
                except _SourceError as error:
                    problem = str(error)
                    if not error.passing:
                        break
                except _BadData as error:
                    problem = 'not the MNIST file: %s' % error
                    break
            failures.append((where, problem))
    except (_FolderError, OSError) as error:
        error = error.args[0] if isinstance(error, _FolderError) else error
        raise _folder_error(name, train_dir, error) from None
    finally:
        if created:  # leave no empty folder behind
            try:
                os.rmdir(train_dir)
            except OSError:
                pass
    lines = ['Could not get a good copy of %s for %s.' % (name, path)]
    lines += ['  %s: %s' % failure for failure in failures]
    lines.append('To fix it, put the four MNIST files (%s) in %s, copied from a machine '
                 'or repository that has them, or pass source_url (--source_url in '
                 'mnist_softmax.py) naming a mirror, a file:// URL or a local folder '
                 'that has them.' % (', '.join(FILES), train_dir))
    raise DownloadError('\n'.join(lines))


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=numpy.float32,
                   reshape=True, validation_size=5000, seed=None,
                   source_url=DEFAULT_SOURCE_URL):
    """Load MNIST from train_dir, fetching what is missing or bad, as Datasets."""
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())
    # Bad arguments fail here, before anything is read or fetched.
    _image_dtype(dtype)
    if seed is not None:  # with None, each DataSet asks TensorFlow's seed once, as in TF 1.x
        _numpy_seed(seed)
    _sources(source_url, train_dir)
    validation_size = operator.index(validation_size)
    train_examples = FILES[TRAIN_LABELS][0] - 8  # the label file's 8-byte header
    if not 0 <= validation_size <= train_examples:
        raise ValueError('Validation size should be between 0 and {}. Received: {}.'
                         .format(train_examples, validation_size))

    _remove_abandoned_temporary_files(train_dir)
    names = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
    # Checking a file is inflating and hashing it, which let go of the GIL: one thread
    # checks the large training images while another checks the other three.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        cached = list(pool.map(_read_cached, names, [train_dir] * len(names)))
    arrays = []
    for name, (raw, problem) in zip(names, cached, strict=True):
        if raw is None:
            raw = _download(name, train_dir, source_url, problem)
        path = os.path.join(train_dir, name)
        print('Extracting', path)
        if name in (TRAIN_IMAGES, TEST_IMAGES):
            arrays.append(_images_from_idx(raw, path))
        else:
            arrays.append(_labels_from_idx(raw, path, one_hot, 10))
    train_images, train_labels, test_images, test_labels = arrays

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
