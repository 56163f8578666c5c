"""Getting MNIST's four files into a data folder: which files there may be used or replaced,
where missing ones are fetched from, and how each is checked.

input_data.read_data_sets calls get_data_files(train_dir, source_url). The rules, which
docs/data.md explains:
- A folder holds one data set. A well-formed file that is not MNIST's makes the folder the
  user's: their files are loaded as they are, and nothing of MNIST's is fetched into it.
  A folder that holds MNIST's files is completed with MNIST's only, whatever the source.
- Only a file that is evidently a failed copy of MNIST's is replaced: an empty file, an
  HTML or XML error page, or a gzip cut short or corrupt after MNIST's own header.
  Anything else that cannot be loaded is an error that says what the file is, and leaves
  it alone.
- The default sources (the copies in MNIST_data/ beside this file, then MIRRORS) must give
  MNIST's files, checked against FILES' sha256. A source the caller names may give any
  well-formed data set in MNIST's format (Fashion-MNIST's README names its own), into an
  empty folder or one of the user's.
- Each file is judged as it comes (idx.Reader), so that a source that sends no data set,
  or another one where MNIST's is wanted, is given up at once; memory, disk and time are
  bounded whatever a source sends (download.py for the web); a file is saved through a
  temporary file of an unpredictable name, renamed into place (safe_files.save_file).
"""

import contextlib
import hashlib
import math
import os
import time
import urllib.parse
import urllib.request

import download
import idx
from download import SourceError
from safe_files import (
    SaveError,
    note,
    open_regular_file,
    printable,
    save_file,
    shown,
    what_to_do_when_unreadable,
    why_unreadable,
)

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
RETRY_DELAYS = (1, 4)  # seconds before the second and third try of a passing failure


class DownloadError(OSError):
    """The data folder cannot be used, or no source gave a good copy of a file."""


def mnist_header(name):
    """The IDX header of MNIST's file `name`."""
    return idx.header_of(name in IMAGE_FILES, FILES[name][0])


def mnist_size(name):
    """The decompressed size of MNIST's file `name`."""
    return len(mnist_header(name)) + math.prod(FILES[name][0])


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
    MNIST's format, except into a folder of MNIST's. DownloadError when the files cannot
    be had, saying which and why.
    """
    if not isinstance(train_dir, (str, os.PathLike)) or not os.fspath(train_dir):
        raise ValueError(
            'train_dir must name a folder, such as "MNIST_data/", not %r' % (train_dir,)
        )
    sources, named = _sources(source_url)
    _check_folder(train_dir)
    found = {name: _read_from_folder(train_dir, name) for name in FILES}
    files, to_fetch, only_mnist = _plan(train_dir, found, named)
    if named and not to_fetch:
        note(
            'source_url %s was not used: the four files are already in %s.'
            % (shown(source_url), printable(train_dir))
        )
    for name in FILES:
        if name in to_fetch:
            fetched = _fetch_into(train_dir, name, sources, only_mnist, found[name])
            if fetched is None:
                raise _unavailable(train_dir, name, found[name], named and only_mnist)
            files[name] = fetched
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
        self.failures = []  # (where, why) of each failed try to fetch it

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
            path, ': ' + why_unreadable(error), what_to_do_when_unreadable(error)
        ) from None


def _failed_copy(name, error):
    """Whether a broken file is evidently a failed copy of MNIST's: empty, an error page,
    or cut short or corrupt after MNIST's own header."""
    sizes, _ = FILES[name]
    return error.placeholder or error.header == idx.header_of(name in IMAGE_FILES, sizes)


def _plan(train_dir, found, named):
    """({name: (data, sizes)} of the files to load as they are, [names to fetch], whether
    what is fetched must be MNIST's), or DownloadError for files that can be neither
    loaded nor fetched. Into a folder with data of the user's, only a source the caller
    named fetches; into a folder with MNIST's files, only MNIST's are fetched."""
    present = [name for name, what in found.items() if what.data is not None]
    own = [name for name in present if not is_mnist(name, found[name].data)]
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
    only_mnist = not named or len(own) < len(present)
    return files, to_fetch, only_mnist


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


def _folder_error(path, problem, fix):
    return DownloadError(
        '%s%s.\nTo fix it, %s, or choose another folder (train_dir).'
        % (printable(path), problem, fix)
    )


# Fetching -----------------------------------------------------------------------------


def _fetch_into(train_dir, name, sources, only_mnist, found):
    """The (data, sizes) of file `name`, fetched from the first source that has a good copy,
    and saved in train_dir; None when none has. found: what is there now (nothing, or a
    failed copy); each source's failure is added to found.failures."""
    path = os.path.join(train_dir, name)
    if found.problem:
        note(
            '%s is not a good copy of the MNIST file: %s. Fetching it again.'
            % (path, found.problem)
        )
        found.failures.append((printable(path), printable(found.problem)))
    for source in sources:
        where, deadline = _where(source, name)
        try:
            compressed, data, sizes = _try(where, name, deadline, only_mnist)
        except SourceError as error:
            found.failures.append((shown(where), printable(str(error))))
            continue
        finally:
            if deadline is not None:
                deadline.close()
        try:
            save_file(path, compressed, what='the data (train_dir)')
        except SaveError as error:
            raise DownloadError(str(error)) from None
        print(
            'Copied %s from %s.' % (name, os.path.dirname(where))
            if deadline is None
            else 'Successfully downloaded %s %d bytes.' % (name, len(compressed))
        )
        if not only_mnist and not is_mnist(name, data):
            note(
                "%s from %s is not MNIST's %s; it is loaded as it is." % (path, shown(source), name)
            )
        return data, sizes
    return None


def _where(source, name):
    """(where file `name` is in source, the deadline for a web source or None)."""
    parts = urllib.parse.urlsplit(source)
    if parts.scheme.lower() in ('http', 'https'):
        return source.rstrip('/') + '/' + name, download.Deadline()
    folder = urllib.request.url2pathname(parts.path) if parts.scheme == 'file' else source
    return os.path.join(folder, name), None


def _try(where, name, deadline, only_mnist):
    """(compressed, data, sizes) of file `name` from `where`, trying again after a passing
    failure; SourceError when this source cannot give a good copy."""
    for delay in RETRY_DELAYS:
        try:
            return _fetch(where, name, deadline, only_mnist)
        except download.Passing as error:
            note('%s: %s. Trying again in %g s.' % (shown(where), error, delay))
            time.sleep(delay)
    return _fetch(where, name, deadline, only_mnist)  # the last try: its failure is the source's


def _fetch(where, name, deadline, only_mnist):
    """(compressed, data, sizes) of file `name` from a URL (with its deadline) or a path,
    judged as it comes. With only_mnist it must be MNIST's; else any well-formed data."""
    expected = mnist_header(name) if only_mnist else None
    limit = mnist_size(name) if only_mnist else MAX_IDX_BYTES
    reader = idx.Reader(name in IMAGE_FILES, limit, expected)
    try:
        with contextlib.closing(_pieces(where, name, deadline)) as pieces:
            for piece in pieces:
                reader.feed(piece)
                if reader.ended:  # what follows the gzip data is not fetched
                    break
        data, sizes = reader.finish()
    except idx.NotExpected as error:
        raise SourceError("not MNIST's file: %s" % error) from None
    except ValueError as error:
        raise SourceError('not a good copy: %s' % error) from None
    if only_mnist and not is_mnist(name, data):
        raise SourceError(
            "not MNIST's file: its decompressed bytes have sha256 %s, not %s"
            % (hashlib.sha256(data).hexdigest(), FILES[name][1])
        )
    return bytes(reader.compressed), data, sizes


def _pieces(where, name, deadline):
    """The bytes at `where`, piece by piece: a web source's as they come, a file's as read."""
    if deadline is not None:
        yield from download.chunks(where, name, deadline)
        return
    try:
        with open_regular_file(where) as stream:
            while piece := stream.read(idx.CHUNK_BYTES):
                yield piece
    except OSError as error:
        raise SourceError(why_unreadable(error)) from None


def _unavailable(train_dir, name, found, mixing_refused):
    path = os.path.join(train_dir, name)
    lines = ['Could not get a good copy of %s for %s.' % (name, printable(path))]
    lines += ['  %s: %s' % failure for failure in found.failures]
    if mixing_refused:
        lines.append(
            "The folder holds MNIST's other files, so only MNIST's own is fetched into it: "
            'put another data set in a folder of its own (train_dir).'
        )
    lines.append(
        'To fix it, put the four files (%s) in %s, copied from a machine or '
        'repository that has them, or pass source_url naming a mirror, a file:// '
        'URL or a local folder that has them.' % (', '.join(FILES), printable(train_dir))
    )
    return DownloadError('\n'.join(lines))
