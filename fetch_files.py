"""Getting MNIST's four files into a data folder: which files there may be used or replaced,
where missing ones are fetched from, how each is checked, and how it is saved.

input_data.read_data_sets calls get_data_files(train_dir, source_url). The rules, which
docs/data.md explains:
- A folder holds one data set. A well-formed file that is not MNIST's makes the folder the
  user's: their files are loaded as they are, and nothing of MNIST's is fetched into it.
- Only a file that is evidently a failed copy of MNIST's is replaced: an empty file, an
  HTML error page, or a gzip cut short or corrupt after MNIST's own header. Anything else
  that cannot be loaded is an error that says what the file is, and leaves it alone.
- The default sources (the copies in MNIST_data/ beside this file, then MIRRORS) must give
  MNIST's files, checked against FILES' sha256. A source the caller names may give any
  well-formed data set in MNIST's format (Fashion-MNIST's README names its own).
- Memory, disk and time are bounded whatever a source sends; a file is saved through a
  temporary file of an unpredictable name, renamed into place.
"""

import base64
import contextlib
import errno
import functools
import hashlib
import http.client
import io
import math
import os
import re
import socket
import ssl
import stat
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import idx

# CVDF's mirror of http://yann.lecun.com/exdb/mnist/, TF 1.x's default source.
DEFAULT_SOURCE_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/'
# Verified copies, the first default source: the tutorial works offline anywhere.
PROJECT_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'MNIST_data')
# The web's copies, tried in this order after PROJECT_DATA_DIR.
MIRRORS = [
    DEFAULT_SOURCE_URL,
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'http://yann.lecun.com/exdb/mnist/',
]

TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'
TRAIN_LABELS = 'train-labels-idx1-ubyte.gz'
TEST_IMAGES = 't10k-images-idx3-ubyte.gz'
TEST_LABELS = 't10k-labels-idx1-ubyte.gz'
IMAGE_FILES = (TRAIN_IMAGES, TEST_IMAGES)

# MNIST's files: the sizes their IDX headers give, and the sha256 of their *decompressed*
# bytes, which accepts any gzip of the data (the mirrors', the copies in MNIST_data/).
FILES = {
    TRAIN_IMAGES: (
        [60000, 28, 28],
        'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    ),
    TRAIN_LABELS: ([60000], '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'),
    TEST_IMAGES: (
        [10000, 28, 28],
        '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    ),
    TEST_LABELS: ([10000], 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'),
}

MAX_IDX_BYTES = 1 << 30  # the most data a file of the user's may hold (MNIST's: 47 MB)
TIMEOUT_SECONDS = 30  # for connecting, and for every read
RETRY_DELAYS = (1, 4)  # seconds before the second and third try of a passing failure
# A web source is given up when, from connecting on, it sends under MIN_BYTES_PER_SECOND
# over any SLOW_WINDOW_SECONDS (its status line and headers must come in the first), or is
# not done with a file, all its tries, DEADLINE_SECONDS after it began.
MIN_BYTES_PER_SECOND = 1000
SLOW_WINDOW_SECONDS = 60
DEADLINE_SECONDS = 30 * 60
CHUNK_BYTES = 1 << 16
USER_AGENT = 'Mozilla/5.0 (compatible; mnist-tutorial-input_data)'  # some hosts refuse Python's


class DownloadError(OSError):
    """The data folder cannot be used, or no source gave a good copy of a file."""


class SaveError(OSError):
    """A file could not be written; the message says why and what to do."""


class _SourceError(Exception):
    """Fetching from one source failed."""


class _Passing(_SourceError):
    """Fetching from one source failed, but trying again may help."""


def mnist_size(name):
    """The decompressed size of MNIST's file `name`."""
    sizes, _ = FILES[name]
    return len(idx.header_of(name in IMAGE_FILES, sizes)) + math.prod(sizes)


def is_mnist(name, data):
    """Whether decompressed IDX bytes are MNIST's file `name`."""
    return len(data) == mnist_size(name) and hashlib.sha256(data).hexdigest() == FILES[name][1]


# The data folder ----------------------------------------------------------------------


def get_data_files(train_dir, source_url=None):
    """(name, data, sizes) of each of the four files in train_dir, in FILES' order, each
    fetched first when it is missing there: a generator, so that the caller can say so
    as each comes. The folder's files are all read, and judged, before anything is fetched.

    source_url None, '' or DEFAULT_SOURCE_URL: the default sources, checked against MNIST's
    checksums. Anything else: that URL or folder only, which may serve any data set in
    MNIST's format. DownloadError when the files cannot be had, saying which and why.
    """
    if not isinstance(train_dir, (str, os.PathLike)) or not os.fspath(train_dir):
        raise ValueError(
            'train_dir must name a folder, such as "MNIST_data/", not %r' % (train_dir,)
        )
    sources, named = _sources(source_url)
    _check_folder(train_dir)
    found = {name: _read_from_folder(train_dir, name) for name in FILES}
    files, to_fetch = _plan(train_dir, found, named)
    for name in FILES:
        if name in to_fetch:
            files[name] = _fetch_into(train_dir, name, sources, named, found[name])
        yield (name, *files[name])


def _sources(source_url):
    """(sources, whether the caller named them) for a source_url."""
    if _means_the_default(source_url):
        copies = [PROJECT_DATA_DIR] if os.path.isdir(PROJECT_DATA_DIR) else []
        return copies + MIRRORS, False
    check_source_url(source_url)
    return [source_url], True


def _means_the_default(source_url):
    """None, '' (TF 1.x: `if not source_url`), or TF 1.x's default URL itself."""
    if source_url is None or source_url == '':
        return True
    return isinstance(source_url, str) and source_url.rstrip('/') == DEFAULT_SOURCE_URL.rstrip('/')


def check_source_url(source_url):
    """ValueError or TypeError unless source_url is a URL or folder the loader can read."""
    if not isinstance(source_url, str):
        raise TypeError('source_url must be a string, not %r' % (source_url,))
    try:
        parts = urllib.parse.urlsplit(source_url)
        parts.port  # noqa: B018 -- a port that is not a number up to 65535 raises ValueError
    except ValueError as error:
        raise ValueError(
            '%r is not a URL the loader can read (%s)' % (shown(source_url), error)
        ) from None
    scheme = parts.scheme.lower()
    drive = len(scheme) == 1  # a Windows drive: C:\data
    if scheme not in ('', 'http', 'https', 'file') and not drive:
        raise ValueError(
            '%r is not a source the loader can read: use an http://, https:// '
            'or file:// URL, or the path of a local folder' % shown(source_url)
        )


def _check_folder(train_dir):
    if os.path.isdir(train_dir) or not os.path.lexists(train_dir):
        return
    if os.path.islink(train_dir):
        raise _folder_error(
            train_dir,
            ' is a symbolic link to %s, which does not exist' % os.readlink(train_dir),
            'make that folder, or remove the link',
        )
    raise _folder_error(train_dir, ' is not a folder', 'move it out of the way')


class _Found:
    """What is in the data folder under one of MNIST's names."""

    def __init__(self, data=None, sizes=None, problem=None, replaceable=False):
        self.data, self.sizes, self.problem, self.replaceable = data, sizes, problem, replaceable

    @property
    def missing(self):
        return self.data is None and self.problem is None


def _read_from_folder(train_dir, name):
    path = os.path.join(train_dir, name)
    try:
        with open_regular_file(path) as stream:
            data, sizes = idx.read(stream, name in IMAGE_FILES, MAX_IDX_BYTES)
        return _Found(data, sizes)
    except FileNotFoundError:
        return _Found()
    except idx.BrokenFile as error:
        return _Found(problem=str(error), replaceable=_failed_copy(name, error))
    except idx.UnusableFile as error:
        return _Found(problem=str(error))
    except OSError as error:
        raise _folder_error(
            path, ': ' + why_unreadable(error), _OPEN_FAILURES.get(error.errno, _CANNOT)[1]
        ) from None


def _failed_copy(name, error):
    """Whether a broken file is evidently a failed copy of MNIST's: empty, an error page,
    or cut short or corrupt after MNIST's own header."""
    sizes, _ = FILES[name]
    return error.placeholder or error.header == idx.header_of(name in IMAGE_FILES, sizes)


def _plan(train_dir, found, named):
    """({name: (data, sizes)} of the files to load as they are, [names to fetch]), or
    DownloadError for files that can be neither loaded nor fetched. Into a folder with
    data of the user's, only a source the caller named fetches."""
    own = [
        name
        for name, what in found.items()
        if what.data is not None and not is_mnist(name, what.data)
    ]
    may_fetch = named or not own
    files, to_fetch, problems = {}, [], []
    for name, what in found.items():
        if what.data is not None:
            files[name] = (what.data, what.sizes)
        elif (what.missing or what.replaceable) and may_fetch:
            to_fetch.append(name)
        else:
            problems.append((os.path.join(train_dir, name), what.problem or 'it is missing'))
    if problems:
        raise _own_folder_error(train_dir, problems, own)
    for name in own:
        note("%s is not MNIST's %s; it is loaded as it is." % (os.path.join(train_dir, name), name))
    return files, to_fetch


def _own_folder_error(train_dir, problems, own):
    lines = ['The data in %s cannot be loaded:' % printable(train_dir)]
    lines += ['  %s: %s' % (printable(path), printable(problem)) for path, problem in problems]
    if own:
        lines.append(
            "The folder holds data that is not MNIST's (%s), so nothing of MNIST's "
            'is fetched into it.' % ', '.join(own)
        )
    lines.append(
        'To fix it, put a good copy of each of those files there, or move them '
        "out of the way to have MNIST's fetched, or choose another folder (train_dir). "
        'Nothing in the folder was changed.'
    )
    return DownloadError('\n'.join(lines))


def open_regular_file(path):
    """path opened for reading if it is a regular file; a FIFO, a device or a directory could
    block or never end, so OSError says which. O_NONBLOCK: a FIFO opens without a writer."""
    descriptor = os.open(
        path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_BINARY', 0)
    )
    kind = stat.S_IFMT(os.fstat(descriptor).st_mode)
    if kind == stat.S_IFREG:
        return os.fdopen(descriptor, 'rb')
    os.close(descriptor)
    raise IsADirectoryError(errno.EISDIR, kind_of(kind))


def kind_of(mode):
    """What a file of this st_mode is, in words: 'a FIFO (named pipe)', say."""
    kinds = {
        stat.S_IFREG: 'a file',
        stat.S_IFDIR: 'a directory',
        stat.S_IFIFO: 'a FIFO (named pipe)',
        stat.S_IFCHR: 'a character device',
        stat.S_IFBLK: 'a block device',
        stat.S_IFSOCK: 'a socket',
        stat.S_IFLNK: 'a symbolic link',
    }
    return kinds.get(stat.S_IFMT(mode), 'not a file')


# Why a file in the data folder cannot be read ({}: the error's own words), and what to
# do, by errno.
_OPEN_FAILURES = {
    errno.EISDIR: ('it is {}, not a file', 'move it out of the way'),
    errno.ENXIO: ('it is a socket, not a file', 'move it out of the way'),
    errno.EACCES: ('it cannot be read ({})', 'make it readable'),
    errno.EPERM: ('it cannot be read ({})', 'make it readable'),
    errno.ENOTDIR: ('a part of its path is a file, not a folder', 'give a path of folders'),
    errno.ENAMETOOLONG: ('its path is too long ({})', 'choose a shorter path'),
    errno.ELOOP: (
        'symbolic links in its path point at each other in a loop',
        'mend or remove the links',
    ),
}
_CANNOT = ('it cannot be read ({})', 'make it readable')


def why_unreadable(error):
    """Why a file cannot be read, in words, from the OSError of opening or reading it."""
    return _OPEN_FAILURES.get(error.errno, _CANNOT)[0].format(error.strerror or error)


def _folder_error(path, problem, fix):
    return DownloadError(
        '%s%s.\nTo fix it, %s, or choose another folder (train_dir).'
        % (printable(path), problem, fix)
    )


# Fetching -----------------------------------------------------------------------------


def _fetch_into(train_dir, name, sources, named, found):
    """The (data, sizes) of file `name`, fetched from the first source that has a good copy,
    and saved in train_dir. found: what is there now (nothing, or a failed copy)."""
    path = os.path.join(train_dir, name)
    failures = []
    if found.problem:
        note(
            '%s is not a good copy of the MNIST file: %s. Fetching it again.'
            % (path, found.problem)
        )
        failures.append((printable(path), printable(found.problem)))
    for source in sources:
        where, deadline = _where(source, name)
        try:
            compressed, data, sizes = _try(where, name, deadline, named)
        except _SourceError as error:
            failures.append((shown(where), printable(str(error))))
            continue
        finally:
            if deadline is not None:
                deadline.close()
        try:
            save_file(os.path.join(train_dir, name), compressed, what='the data (train_dir)')
        except SaveError as error:
            raise DownloadError(str(error)) from None
        print(
            'Copied %s from %s.' % (name, os.path.dirname(where))
            if deadline is None
            else 'Successfully downloaded %s %d bytes.' % (name, len(compressed))
        )
        if named and not is_mnist(name, data):
            note(
                "%s from %s is not MNIST's %s; it is loaded as it is." % (path, shown(source), name)
            )
        return data, sizes
    raise _unavailable(train_dir, name, failures)


def _where(source, name):
    """(where file `name` is in source, the deadline for a web source or None)."""
    parts = urllib.parse.urlsplit(source)
    if parts.scheme.lower() in ('http', 'https'):
        return source.rstrip('/') + '/' + name, _Deadline(DEADLINE_SECONDS)
    folder = urllib.request.url2pathname(parts.path) if parts.scheme == 'file' else source
    return os.path.join(folder, name), None


def _try(where, name, deadline, named):
    """(compressed, data, sizes) of file `name` from `where`, trying again after a passing
    failure; _SourceError when this source cannot give a good copy."""
    for delay in RETRY_DELAYS:
        try:
            return _fetch(where, name, deadline, named)
        except _Passing as error:
            note('%s: %s. Trying again in %g s.' % (shown(where), error, delay))
            time.sleep(delay)
    return _fetch(where, name, deadline, named)  # the last try: its failure is the source's


def _fetch(where, name, deadline, named):
    """(compressed, data, sizes) of file `name` from a URL (with its deadline) or a path.
    From a default source it must be MNIST's; from a named one, any well-formed data."""
    limit = MAX_IDX_BYTES if named else mnist_size(name)
    if deadline is not None:
        compressed = _get(where, name, deadline, idx.largest_gzip(limit))
    else:
        try:
            with open_regular_file(where) as stream:  # a file that grows as it is read is counted
                compressed = stream.read(idx.largest_gzip(limit) + 1)
        except OSError as error:
            raise _SourceError(why_unreadable(error)) from None
    try:
        data, sizes = idx.read(io.BytesIO(compressed), name in IMAGE_FILES, limit)
    except ValueError as error:
        raise _SourceError('not a good copy: %s' % error) from None
    if not named and not is_mnist(name, data):
        raise _SourceError(
            "not MNIST's file: its decompressed bytes have sha256 %s, not %s"
            % (hashlib.sha256(data).hexdigest(), FILES[name][1])
        )
    return compressed, data, sizes


def _unavailable(train_dir, name, failures):
    path = os.path.join(train_dir, name)
    lines = ['Could not get a good copy of %s for %s.' % (name, printable(path))]
    lines += ['  %s: %s' % failure for failure in failures]
    lines.append(
        'To fix it, put the four files (%s) in %s, copied from a machine or '
        'repository that has them, or pass source_url naming a mirror, a file:// '
        'URL or a local folder that has them.' % (', '.join(FILES), printable(train_dir))
    )
    return DownloadError('\n'.join(lines))


# The web ------------------------------------------------------------------------------


class _WatchedConnection(http.client.HTTPConnection):
    """An HTTP connection that hands its socket to `watch` as soon as it is connected."""

    watch = None

    def connect(self):
        super().connect()
        self.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection, _WatchedConnection):
    """The same for https: watched from before its TLS handshake, which comes after."""


class _Deadline(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """urllib's http and https, bounded in time: each connection's status line and headers
    (after any number of interim 1xx answers) within SLOW_WINDOW_SECONDS of connecting, and
    everything for one file, all tries, within `seconds`. At either limit the sockets are
    shut down, which ends any read waiting on them."""

    def __init__(self, seconds):
        super().__init__()
        self.expired, self.overdue = False, False
        self.sockets, self.timers, self.lock = [], [], threading.Lock()
        self.connections = 0  # which connection a header timer is for
        self.answered = 0  # the last connection whose status line and headers came
        self._start_timer(seconds, self.expire)

    def _start_timer(self, seconds, action, *arguments):
        timer = threading.Timer(seconds, action, arguments)
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    def http_open(self, request):
        return self.do_open(functools.partial(self.connection, _WatchedConnection), request)

    def https_open(self, request):
        return self.do_open(functools.partial(self.connection, _WatchedHTTPSConnection), request)

    def connection(self, connection_class, host, **options):
        made = connection_class(host, **options)
        made.watch = self.watch
        return made

    def watch(self, sock):
        with self.lock:  # a descriptor of our own: shut down at a limit, never reused
            self.sockets.append(sock.dup())
            self.connections += 1
            self.overdue = False
        self._start_timer(SLOW_WINDOW_SECONDS, self.headers_due, self.connections)
        if self.expired:
            self.shut_down()

    def http_response(self, request, response):  # its status line and headers have come
        self.answered = self.connections
        return response

    https_response = http_response

    def headers_due(self, connection):
        if self.answered < connection == self.connections:
            self.overdue = True
            self.shut_down()

    def expire(self):
        self.expired = True
        self.shut_down()

    def too_slow(self):
        """Why the sockets were shut down, or None."""
        if self.expired:
            return 'too slow: not done after %d s' % DEADLINE_SECONDS
        if self.overdue:
            return 'too slow: no answer (status line and headers) within %g s' % SLOW_WINDOW_SECONDS
        return None

    def shut_down(self):
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # no longer connected
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self):
        for timer in self.timers:
            timer.cancel()
        for sock in self.sockets:
            sock.close()


def _request(url):
    """The GET request for url: without its password, percent-encoded as a browser sends it
    (a space, a letter outside ASCII), the password sent to that host only."""
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=~")
    request = urllib.request.Request(
        parts._replace(netloc=parts.netloc.rpartition('@')[2], path=path).geturl(),
        headers={'User-Agent': USER_AGENT},
    )
    if parts.username is not None:
        credentials = urllib.parse.unquote('%s:%s' % (parts.username, parts.password or ''))
        request.add_unredirected_header(
            'Authorization', 'Basic ' + base64.b64encode(credentials.encode()).decode()
        )
    return request


def _opener(deadline):
    """urllib's opener less its ftp and file handlers, so that it redirects to http(s) only."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        deadline,
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _get(url, name, deadline, cap):
    """The body of the answer to GET url: at most `cap` bytes, within the deadline, and
    never slower than MIN_BYTES_PER_SECOND over SLOW_WINDOW_SECONDS."""
    _check_proxy(url)
    speed = _SpeedFloor()
    progress = _Progress(name)
    body = bytearray()
    try:
        with _opener(deadline).open(_request(url), timeout=TIMEOUT_SECONDS) as response:
            total = response.length
            while chunk := response.read1(CHUNK_BYTES):  # what has come, not a full chunk
                body += chunk
                if len(body) > cap:  # an endless body, say
                    raise _SourceError(
                        'not a good copy: it is over %d bytes, more than any gzip '
                        'of its data' % len(body)
                    )
                speed.check(len(body))
                progress.show(len(body), total)
    except urllib.request.HTTPError as error:
        error.close()
        raise _http_error(error, url) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise _network_error(getattr(error, 'reason', error), url, deadline) from None
    finally:
        progress.end()
    if deadline.too_slow():  # cut short at a limit, whatever the connection made of it
        raise _SourceError(deadline.too_slow())
    if total is not None and len(body) < total:
        raise _Passing('cut off after %d of %d bytes' % (len(body), total))
    return body


class _SpeedFloor:
    """_SourceError when fewer than MIN_BYTES_PER_SECOND came over the last window."""

    def __init__(self):
        self.window_start, self.window_received = time.monotonic(), 0

    def check(self, received):
        now = time.monotonic()
        elapsed = now - self.window_start
        if elapsed < SLOW_WINDOW_SECONDS:
            return
        if received - self.window_received < MIN_BYTES_PER_SECOND * elapsed:
            raise _SourceError(
                'too slow: %d bytes in the last %d s, under %d bytes a second'
                % (received - self.window_received, elapsed, MIN_BYTES_PER_SECOND)
            )
        self.window_start, self.window_received = now, received


class _Progress:
    """A progress line on stderr, on a terminal only."""

    def __init__(self, name):
        self.name, self.shown = name, None
        with contextlib.suppress(AttributeError, OSError, ValueError):  # none, or closed
            self.shown = '' if sys.stderr.isatty() else None

    def show(self, received, total):
        if self.shown is None:
            return
        if total:
            text = '%.1f of %.1f MB (%d%%)' % (received / 1e6, total / 1e6, 100 * received // total)
        else:
            text = '%.1f MB' % (received / 1e6)
        if text != self.shown:
            note('Downloading %s: %s' % (self.name, text), start='\r', end='')
            self.shown = text

    def end(self):
        if self.shown:
            note('')


def _http_error(error, url):
    """The _SourceError for an HTTP error status."""
    if 300 <= error.code < 400:  # a redirect it did not follow
        location = error.headers.get('Location', '')
        if urllib.parse.urlsplit(location).scheme.lower() in ('http', 'https', ''):
            return _SourceError(
                'it redirects in a loop, or too many times (HTTP %d to %s)'
                % (error.code, shown(location))
            )
        return _SourceError('it redirected to %s, not a valid http or https URL' % shown(location))
    message = 'HTTP %d %s' % (error.code, printable(error.reason)) + _through_proxy(url)
    if error.code in (408, 429) or error.code >= 500:
        return _Passing(message)
    return _SourceError(message)


def _network_error(reason, url, deadline):
    """The _SourceError for a failed connection or read."""
    passing = isinstance(
        reason,
        (
            TimeoutError,
            ConnectionResetError,
            ConnectionAbortedError,
            http.client.IncompleteRead,
            http.client.RemoteDisconnected,
        ),
    )
    if deadline.too_slow():
        return _SourceError(deadline.too_slow())
    if _proxy_for(url) and isinstance(reason, (ValueError, http.client.InvalidURL)):
        return _bad_proxy(url, reason)
    message = _network_reason(reason, passing)
    if isinstance(reason, OSError):
        message += _through_proxy(url)
    return (_Passing if passing else _SourceError)(message)


def _network_reason(reason, passing):
    if isinstance(reason, ssl.SSLCertVerificationError):
        return 'SSL certificate verification failed (%s)' % reason.verify_message
    if isinstance(reason, ssl.SSLError):
        return 'SSL error (%s)' % reason
    if isinstance(reason, ConnectionRefusedError):
        return 'connection refused'
    if isinstance(reason, TimeoutError):
        return 'timed out after %d s' % TIMEOUT_SECONDS
    if isinstance(reason, ValueError) or 'unknown url type' in str(reason):
        return 'it, or where it redirected, is not a valid http or https URL (%s)' % reason
    return (
        'connection cut off' if passing else printable(getattr(reason, 'strerror', None) or reason)
    )


def _proxy_for(url):
    """(the proxy url goes through, its scheme), or None."""
    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ''):
        return None
    return proxy, parts.scheme


def _check_proxy(url):
    """_SourceError if url goes through a proxy whose setting is not a URL urllib can use."""
    proxy = _proxy_for(url)
    if proxy is None:
        return
    try:
        port = urllib.parse.urlsplit(proxy[0]).port
    except ValueError as error:  # a port that is not a number up to 65535
        raise _bad_proxy(url, error) from None
    if port == 0:
        raise _bad_proxy(url, 'port 0')


def _bad_proxy(url, reason):
    proxy, scheme = _proxy_for(url)
    return _SourceError(
        'the proxy %s, from the %s_proxy setting, is not a valid URL (%s): mend it, or unset '
        'it to connect directly' % (shown(proxy), scheme, printable(reason))
    )


def _through_proxy(url):
    """' (through the proxy P, from the x_proxy setting: ...)' when url goes through one."""
    proxy = _proxy_for(url)
    if proxy is None:
        return ''
    return (
        ' (through the proxy %s, from the %s_proxy setting: check it, or unset it to '
        'connect directly)' % (shown(proxy[0]), proxy[1])
    )


# Saving -------------------------------------------------------------------------------


def save_file(path, data, what='the file'):
    """Write data to path through a temporary file of an unpredictable name in its folder,
    created exclusively, then renamed into place: no reader ever sees a part of it, and two
    writers each put a whole file there. Folders it makes are removed again if it fails.
    SaveError, saying why and what to do, when it cannot be written."""
    folder = os.path.dirname(path) or '.'
    made = _missing_folders(folder)
    temporary = None
    try:
        os.makedirs(folder, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix='.%s.' % os.path.basename(path)[:200], suffix='.part', dir=folder
        )
        with os.fdopen(descriptor, 'wb') as out:
            if hasattr(os, 'fchmod'):  # mkstemp makes it 0600: give it what open() would
                os.fchmod(out.fileno(), _new_file_mode())
            out.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        _clean_up(temporary, made)
        if not isinstance(error, OSError):
            raise
        raise SaveError(
            'Could not save %s in %s: %s.\nTo fix it, %s.'
            % (
                os.path.basename(path),
                printable(folder),
                error.strerror or error,
                _save_fix(error, what, len(data)),
            )
        ) from None


def _new_file_mode():
    """The mode open() gives a new file: readable and writable by all, less the umask."""
    umask = os.umask(0o022)  # the only way to read it is to set it, and set it back
    os.umask(umask)
    return 0o666 & ~umask


def _missing_folders(folder):
    """The folders of `folder`'s path that do not exist yet, deepest first."""
    missing = []
    while folder and not os.path.lexists(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return missing


def _clean_up(temporary, made_folders):
    with contextlib.suppress(OSError):
        if temporary is not None:
            os.remove(temporary)
    for folder in made_folders:
        with contextlib.suppress(OSError):  # not empty: another process saved there
            os.rmdir(folder)


def _save_fix(error, what, size):
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        needs = '%.1f MB' % (size / 1e6) if size >= 1e6 else '%d kB' % max(1, size // 1000)
        return 'free some space there (this file needs %s)' % needs
    if error.errno == errno.EFBIG:
        return 'raise the limit on the size of files (ulimit -f)'
    if error.errno == errno.ENAMETOOLONG:
        return 'choose a shorter name'
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return 'make the folder writable, or choose another folder for %s' % what
    return 'choose another folder for %s' % what


# Messages -----------------------------------------------------------------------------


def printable(text):
    """text with its control characters (escape codes, carriage returns) spelled out."""
    return ''.join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def shown(url):
    """url as it may be shown: printable, and a password in it (scheme://user:password@) as ***."""
    return printable(re.sub(r'(://[^/:@]*:)[^/]*@', r'\1***@', url))


def note(text, start='', end='\n'):
    """Write a line to stderr, if there is one (none with `2>&-`, pythonw, some services)."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.write(start + printable(text) + end)
        sys.stderr.flush()
