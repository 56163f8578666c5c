"""Getting the files: the data folder, our copies, the mirrors, source_url, and what is
said when they fail. Downloads go through a real HTTP server on 127.0.0.1."""
import gzip
import io
import os
import signal
import subprocess
import sys
import time

import numpy
import pytest

import download
import fetch_files
import safe_files
import input_data
from conftest import (NAMES, REAL_DATA_DIR, ROOT, TinyMnist, assert_good_copies, idx_images, idx_labels,
                      is_mnist, load, real_files)


def test_first_mirror_refusing_falls_back_to_the_next(mirrors, tiny, tmp_path, capsys):
    for name in NAMES:
        mirrors.routes['/first/' + name] = ('status', 403)
    data = load(tmp_path / 'new')
    assert data.test.num_examples == 12
    assert_good_copies(tmp_path / 'new', tiny)
    assert mirrors.requests == [prefix + name for name in NAMES for prefix in ('/first/', '/second/')]
    out = capsys.readouterr().out
    assert 'Successfully downloaded train-images-idx3-ubyte.gz %d bytes.' % len(
        tiny.gz['train-images-idx3-ubyte.gz']) in out


@pytest.mark.parametrize('answer, tries', [
    (('ok', b'<!DOCTYPE html><html><body>Forbidden</body></html>'), 1),
    (('html', b'<html>Service moved</html>'), 1),
    (('ok', gzip.compress(b'not mnist at all')), 1),
    (('cut', 'the file', 1000), 3),  # a good start, then the connection closes
    (('status', 503), 3),
    (('status', 404), 1),
], ids=['html-body', 'html-type', 'wrong-checksum', 'cut-off', 'unavailable', 'not-found'])
def test_a_bad_answer_is_rejected_and_the_next_mirror_used(mirrors, tiny, tmp_path, answer, tries):
    if answer[1] == 'the file':
        answer = (answer[0], tiny.gz[NAMES[0]]) + answer[2:]
    mirrors.routes['/first/' + NAMES[0]] = answer
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests.count('/first/' + NAMES[0]) == tries


def test_a_stalled_transfer_times_out_and_is_retried(mirrors, tiny, tmp_path):
    mirrors.routes['/first/' + NAMES[1]] = ('stall', tiny.gz[NAMES[1]], 3)
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests.count('/first/' + NAMES[1]) == 3


def corrupt(gzipped):
    """gzipped with a byte in the middle of its compressed data changed."""
    middle = len(gzipped) // 2
    return gzipped[:middle] + bytes([gzipped[middle] ^ 0xFF]) + gzipped[middle + 1:]


@pytest.mark.parametrize('bad', ['html', 'truncated', 'corrupt', 'short-of-its-header', 'empty'])
def test_a_failed_copy_of_mnists_file_is_replaced_and_reported(mirrors, tiny, tmp_path, capsys, bad):
    # Evidently a failed copy: nothing of any data, or MNIST's own header and then a break.
    tiny.write(tmp_path)
    name = NAMES[2]
    content = {'html': b'<html><head><title>403 Forbidden</title></head></html>',
               'truncated': tiny.gz[name][:len(tiny.gz[name]) // 2],
               'corrupt': corrupt(tiny.gz[name]),
               'short-of-its-header': gzip.compress(tiny.raw[name][:-1]),
               'empty': b''}[bad]
    (tmp_path / name).write_bytes(content)
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    err = capsys.readouterr().err
    assert '%s is not a good copy of the MNIST file: ' % (tmp_path / name) in err
    assert mirrors.requests == ['/first/' + name, '/second/' + name]


def idx_bytes(element_type, dimensions, sizes, element_size=1):
    """A well-formed IDX file of zeros, of any element type and dimensions."""
    header = bytes([0, 0, element_type, dimensions]) + b''.join(size.to_bytes(4, 'big') for size in sizes)
    return header + bytes(element_size * int(numpy.prod(sizes)))


@pytest.mark.parametrize('bad, says', [
    ('labels-where-images-go', 'Invalid magic number 2049 in MNIST image file: it is an IDX file of '
                               '1-dimensional unsigned bytes'),
    ('floats', 'it is an IDX file of 3-dimensional 32-bit floats'),
    ('four-dimensions', 'it is an IDX file of 4-dimensional unsigned bytes'),
    ('uncompressed', 'it is an IDX file that is not gzipped, under a .gz name'),
    ('not-gzip', 'it is not gzip data'),
    ('over-the-limit', 'its header promises 12 images of 28x28 pixels, more than the 5000 bytes allowed'),
    ('another-header-cut-short', 'the gzip data ends early'),
])
def test_a_file_that_could_be_someones_data_is_an_error_and_left_alone(mirrors, tiny, tmp_path, monkeypatch,
                                                                         bad, says):
    if bad == 'over-the-limit':
        monkeypatch.setattr(fetch_files, 'MAX_IDX_BYTES', 5000)
    tiny.write(tmp_path)
    name = NAMES[2]
    other = tiny.raw[name][:4] + (13).to_bytes(4, 'big') + tiny.raw[name][8:] + bytes(784)  # 13 images
    content = {'labels-where-images-go': gzip.compress(tiny.raw[NAMES[3]]),
               'floats': gzip.compress(idx_bytes(0x0D, 3, [2, 28, 28], element_size=4)),
               'four-dimensions': gzip.compress(idx_bytes(0x08, 4, [2, 28, 28, 3])),
               'uncompressed': tiny.raw[name],
               'not-gzip': b'\x00\x01 some bytes of something else',
               'over-the-limit': tiny.gz[name],
               'another-header-cut-short': gzip.compress(other)[:200]}[bad]
    (tmp_path / name).write_bytes(content)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    line = [line for line in str(caught.value).splitlines() if line.startswith('  %s: ' % (tmp_path / name))]
    assert len(line) == 1 and says in line[0]
    assert 'Nothing in the folder was changed.' in str(caught.value)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert mirrors.requests == []


def test_data_after_what_the_header_promises_is_not_read_as_in_tf1(mirrors, tiny, tmp_path):
    # TF 1.x read the bytes the header promised; a byte more, inside or after the gzip
    # data, changed nothing.
    tiny.write(tmp_path)
    (tmp_path / NAMES[0]).write_bytes(gzip.compress(tiny.raw[NAMES[0]] + b'\x07'))
    (tmp_path / NAMES[1]).write_bytes(tiny.gz[NAMES[1]] + b'\x07')
    data = load(tmp_path)
    assert mirrors.requests == []
    assert (data.train.num_examples, data.test.num_examples) == (30, 12)


def other_digits(tiny, seed=1):
    """Well-formed IDX files of other data than the table pins: a user's own data set."""
    other = TinyMnist(num_train=30, num_test=9, seed=seed)
    other.train_images = 255 - other.train_images  # another look, like Fashion-MNIST's
    other.set_raw(NAMES[0], idx_images(other.train_images))
    return other


def test_a_users_well_formed_files_are_loaded_as_they_are_and_kept(mirrors, tiny, tmp_path, capsys):
    # Fashion-MNIST's README loads its files with this very call: they are not MNIST's,
    # and TF 1.x loaded them as they were.
    user = other_digits(tiny)
    user.write(tmp_path)
    before = {name: ((tmp_path / name).read_bytes(), os.stat(tmp_path / name).st_ino) for name in NAMES}
    data = input_data.read_data_sets(str(tmp_path), validation_size=5, one_hot=True)
    pixels = user.train_images[:5].reshape(5, 784).astype(numpy.float32) * numpy.float32(1 / 255)
    numpy.testing.assert_array_equal(data.validation.images, pixels)
    numpy.testing.assert_array_equal(data.test.labels.argmax(1), user.test_labels)
    assert (data.train.num_examples, data.test.num_examples) == (25, 9)
    after = {name: ((tmp_path / name).read_bytes(), os.stat(tmp_path / name).st_ino) for name in NAMES}
    assert after == before and sorted(os.listdir(tmp_path)) == sorted(NAMES)
    assert mirrors.requests == []  # nothing fetched
    notes = capsys.readouterr().err.splitlines()
    assert notes == ["%s is not MNIST's %s; it is loaded as it is." % (tmp_path / name, name)
                     for name in NAMES]


def test_a_users_real_size_data_set_loads_as_it_is(tmp_path, capsys):
    # MNIST's real files with every pixel inverted: the size of Fashion-MNIST's, other bytes.
    for name, body in real_files().items():
        raw = bytearray(gzip.decompress(body))
        if name.endswith('idx3-ubyte.gz'):
            raw[16:] = bytes(255 - numpy.frombuffer(raw, numpy.uint8, offset=16))
        (tmp_path / name).write_bytes(gzip.compress(bytes(raw), compresslevel=1))
    kept = {name: (tmp_path / name).read_bytes() for name in NAMES}
    data = input_data.read_data_sets(str(tmp_path), dtype=numpy.uint8, reshape=False)
    mnist = input_data.read_data_sets(REAL_DATA_DIR, dtype=numpy.uint8, reshape=False)
    numpy.testing.assert_array_equal(data.test.images, 255 - mnist.test.images)
    numpy.testing.assert_array_equal(data.validation.labels, mnist.validation.labels)
    assert {name: (tmp_path / name).read_bytes() for name in NAMES} == kept
    assert capsys.readouterr().err.count("is not MNIST's") == 2  # the images; the labels are MNIST's


def test_when_every_source_fails_one_clear_error(mirrors, tiny, tmp_path):
    (tmp_path / NAMES[0]).write_bytes(b'<html>error</html>')
    mirrors.routes['/second/' + NAMES[0]] = ('cut', tiny.gz[NAMES[0]], 100)
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    message = str(caught.value)
    lines = message.splitlines()
    assert lines[0] == 'Could not get a good copy of %s for %s.' % (NAMES[0], tmp_path / NAMES[0])
    assert lines[1] == '  %s: it is an HTML page, not gzip data (an error page saved in its ' \
                       'place?)' % (tmp_path / NAMES[0])
    assert lines[2] == '  %s/first/%s: HTTP 404 Not Found' % (mirrors.url, NAMES[0])
    assert lines[3].startswith('  %s/second/%s: cut off after 100 of ' % (mirrors.url, NAMES[0]))
    assert 'To fix it, put the four files' in lines[4] and 'source_url' in lines[4]
    # Not a traceback from inside urllib or gzip, and nothing half-written left.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert os.listdir(tmp_path) == [NAMES[0]]
    assert (tmp_path / NAMES[0]).read_bytes() == b'<html>error</html>'


def test_a_refused_connection_names_the_url(tiny, tmp_path, monkeypatch, server):
    server.close()  # nothing listens on that port any more
    monkeypatch.setattr(fetch_files, 'RETRY_DELAYS', (0, 0))
    with pytest.raises(input_data.DownloadError, match='127.0.0.1:%d/x/%s: connection refused'
                       % (server.port, NAMES[0])):
        load(tmp_path / 'data', source_url='http://127.0.0.1:%d/x/' % server.port)
    assert not os.path.exists(tmp_path / 'data')  # a load that fails makes no folder


def test_source_url_replaces_the_mirrors(mirrors, tiny, tmp_path):
    load(tmp_path, source_url=mirrors.url + '/second')  # no trailing slash: still a folder
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests == ['/second/' + name for name in NAMES]


@pytest.mark.parametrize('as_url', [False, True], ids=['folder', 'file-url'])
def test_local_folder_and_file_url_sources(mirrors, tiny, tmp_path, as_url):
    source = tiny.write(tmp_path / 'usb stick')
    if as_url:
        source = (tmp_path / 'usb stick').as_uri()
    load(tmp_path / 'class', source_url=source)
    assert_good_copies(tmp_path / 'class', tiny)
    assert mirrors.requests == []


def test_our_copies_come_first_and_are_verified_as_they_are_copied(tmp_path, capsys):
    data = input_data.read_data_sets(str(tmp_path / 'MNIST_data'), one_hot=True)
    assert data.train.labels.shape == (55000, 10)
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ['Copied %s from %s.' % (NAMES[0], REAL_DATA_DIR),
                       'Extracting %s' % (tmp_path / 'MNIST_data' / NAMES[0])]
    for name in NAMES:
        assert is_mnist(name, (tmp_path / 'MNIST_data' / name).read_bytes())


def test_an_unsupported_source_url_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(ValueError, match='ftp://host/mnist/.*http://, https:// or file://'):
        load(tmp_path, source_url='ftp://host/mnist/')


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal(mirrors, tiny, tmp_path, capsys, monkeypatch):
    load(tmp_path / 'log')
    assert 'Downloading' not in capsys.readouterr().err
    terminal = Terminal()
    monkeypatch.setattr(sys, 'stderr', terminal)
    load(tmp_path / 'tty')
    shown = terminal.getvalue()
    size = len(tiny.gz[NAMES[0]])
    assert '\rDownloading %s: %.1f of %.1f MB (100%%)\n' % (NAMES[0], size / 1e6, size / 1e6) in shown


LOADER = ('import sys; sys.path.insert(0, %r); import input_data; '
          'input_data.read_data_sets(sys.argv[1], source_url=sys.argv[2])' % ROOT)


def test_two_processes_loading_one_empty_folder_both_succeed(server, tmp_path):
    for name, body in real_files().items():
        server.routes['/mnist/' + name] = ('slow', body, 0.01)  # slow, so the two overlap
    command = [sys.executable, '-c', LOADER, str(tmp_path / 'shared'), server.url + '/mnist/']
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
        assert out.count('Extracting') == 4
    # Both found the folder empty and fetched the large file at the same time.
    assert server.requests.count('/mnist/' + NAMES[0]) == 2
    assert sorted(os.listdir(tmp_path / 'shared')) == sorted(NAMES)
    for name in NAMES:
        assert is_mnist(name, (tmp_path / 'shared' / name).read_bytes())


@pytest.mark.parametrize('kill', [signal.SIGINT, signal.SIGKILL], ids=['Ctrl-C', 'SIGKILL'])
def test_an_interrupted_download_leaves_nothing(server, tmp_path, kill):
    name, body = NAMES[0], real_files()[NAMES[0]]
    server.routes['/mnist/' + name] = ('stall', body, 30)  # half the file, then nothing for 30 s
    run = subprocess.Popen([sys.executable, '-c', LOADER, str(tmp_path / 'data'), server.url + '/mnist/'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while '/mnist/' + name not in server.requests:
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.02)
    time.sleep(0.3)  # in the middle of the transfer, however slow the machine
    run.send_signal(kill)
    run.communicate(timeout=60)
    assert run.returncode == -kill  # ended by the signal (Python's KeyboardInterrupt), not by the stall
    assert not os.path.exists(tmp_path / 'data')  # not even the folder


# One data set per folder -------------------------------------------------------------

def own_data(tmp_path):
    """Four well-formed files in a folder that are not MNIST's (the table knows other ones)."""
    return TinyMnist(seed=5).write(tmp_path)


@pytest.mark.parametrize('change', ['missing', 'cut-short', 'empty'])
def test_in_a_folder_of_the_users_data_a_bad_file_is_an_error_and_nothing_is_fetched(
        mirrors, tiny, tmp_path, change):
    own_data(tmp_path)
    name = NAMES[1]
    if change == 'missing':
        (tmp_path / name).unlink()
    else:
        whole = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(whole[:len(whole) // 2] if change == 'cut-short' else b'')
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert '  %s: ' % (tmp_path / name) in message
    assert "The folder holds data that is not MNIST's (%s, %s, %s)" % (NAMES[0], NAMES[2], NAMES[3]) in message
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before  # never mixed
    assert mirrors.requests == []


def test_a_source_the_caller_names_may_serve_another_data_set(mirrors, tiny, tmp_path, capsys):
    # Fashion-MNIST's README: read_data_sets('data/fashion', source_url=its mirror). Its
    # files are well-formed and not MNIST's; a named source gives them, with a note.
    fashion = TinyMnist(seed=9)
    for name in NAMES:
        mirrors.routes['/fashion/' + name] = ('ok', fashion.gz[name])
    data = load(tmp_path / 'fashion', source_url=mirrors.url + '/fashion/')
    numpy.testing.assert_array_equal(numpy.rint(data.test.images.reshape(12, 28, 28) * 255), fashion.test_images)
    err = capsys.readouterr().err
    for name in NAMES:
        assert "from %s/fashion/ is not MNIST's %s; it is loaded as it is." % (mirrors.url, name) in err
        assert (tmp_path / 'fashion' / name).read_bytes() == fashion.gz[name]
    # Its download cut short, then tried again from the same source, it is completed there.
    (tmp_path / 'fashion' / NAMES[3]).unlink()
    load(tmp_path / 'fashion', source_url=mirrors.url + '/fashion/')
    assert (tmp_path / 'fashion' / NAMES[3]).read_bytes() == fashion.gz[NAMES[3]]


@pytest.mark.parametrize('answer', ['html', 'cut', 'bomb'])
def test_a_named_source_still_cannot_give_what_is_not_data(mirrors, tiny, tmp_path, answer):
    # A header promising 2 GB of pixels, more than MAX_IDX_BYTES, then 16 MiB of zeros.
    bomb = gzip.compress(idx_images(numpy.zeros((0, 28, 28), numpy.uint8))[:4]
                         + b''.join(size.to_bytes(4, 'big') for size in (200000, 100, 100)) + bytes(1 << 24))
    mirrors.routes['/named/' + NAMES[0]] = {
        'html': ('html', b'<!DOCTYPE html><title>Not here</title>'),
        'cut': ('cut', tiny.gz[NAMES[0]], 100),
        'bomb': ('ok', bomb)}[answer]
    with pytest.raises(input_data.DownloadError):
        load(tmp_path, source_url=mirrors.url + '/named/')
    assert not os.path.exists(tmp_path / NAMES[0])


@pytest.mark.parametrize('served', ['another-data-set', 'same-size'])
def test_the_default_sources_must_give_mnists_own_files(mirrors, tiny, tmp_path, served):
    # Well-formed, and from the first mirror: refused all the same, by its checksum. The
    # same size is not enough (the labels of another data set with as many examples).
    other = TinyMnist(seed=3)
    body = other.gz[NAMES[1]] if served == 'another-data-set' else gzip.compress(
        idx_labels((tiny.train_labels + 1) % 10))
    mirrors.routes['/first/' + NAMES[1]] = ('ok', body)
    del mirrors.routes['/second/' + NAMES[1]]  # so that the error says what /first/ gave
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    assert "/first/%s: not MNIST's file: its decompressed bytes have sha256" % NAMES[1] in str(caught.value)


@pytest.mark.parametrize('url', [fetch_files.DEFAULT_SOURCE_URL, fetch_files.DEFAULT_SOURCE_URL.rstrip('/'), ''])
def test_tf1s_default_source_url_means_our_copies_then_the_mirrors(mirrors, tiny, tmp_path, url, monkeypatch):
    copies = tiny.write(tmp_path / 'copies')
    monkeypatch.setattr(fetch_files, 'PROJECT_DATA_DIR', copies)
    load(tmp_path / 'data', source_url=url)
    assert_good_copies(tmp_path / 'data', tiny)
    assert mirrors.requests == []  # the copies came first


def test_the_mirrors_are_tf1s_default_first_then_the_others():
    assert fetch_files.MIRRORS == [
        'https://storage.googleapis.com/cvdf-datasets/mnist/',
        'https://ossci-datasets.s3.amazonaws.com/mnist/',
        'http://yann.lecun.com/exdb/mnist/']
    assert fetch_files.PROJECT_DATA_DIR == REAL_DATA_DIR
    assert fetch_files._sources(None) == ([REAL_DATA_DIR] + fetch_files.MIRRORS, False)


@pytest.mark.parametrize('status', [408, 429, 500, 503])
def test_a_passing_failure_is_tried_again_at_the_same_mirror(mirrors, tiny, tmp_path, status):
    name = NAMES[0]
    mirrors.routes['/first/' + name] = ('call', lambda: mirrors.routes.update(
        {'/first/' + name: ('ok', tiny.gz[name])}), ('status', status))
    load(tmp_path)
    assert mirrors.requests[:3] == ['/first/' + name] * 2 + ['/first/' + NAMES[1]]


def test_a_validation_set_as_large_as_the_training_set_is_allowed(tiny, tmp_path):
    data = input_data.read_data_sets(tiny.write(tmp_path), validation_size=40)
    assert (data.train.num_examples, data.validation.num_examples) == (0, 40)
    with pytest.raises(ValueError, match='between 0 and 40'):
        input_data.read_data_sets(str(tmp_path), validation_size=41)


def test_load_mnist_reads_tf1s_folder(tmp_path, monkeypatch):
    bigger = TinyMnist(num_train=5010)  # load_mnist keeps 5000 for validation
    monkeypatch.setattr(fetch_files, 'FILES', bigger.files)
    monkeypatch.setattr(fetch_files, 'PROJECT_DATA_DIR', bigger.write(tmp_path / 'copies'))
    monkeypatch.chdir(tmp_path)
    assert input_data.load_mnist().train.num_examples == 10
    assert_good_copies(tmp_path / 'MNIST-data', bigger)


def test_a_saved_file_gets_the_mode_open_would_give_it(tmp_path):
    # A temporary file is made private (0600); the file it becomes is as readable as any
    # the user makes, so that a class sharing a data folder can read it.
    umask = os.umask(0o027)
    try:
        safe_files.save_file(str(tmp_path / 'shared.gz'), b'data')
    finally:
        os.umask(umask)
    assert (tmp_path / 'shared.gz').stat().st_mode & 0o777 == 0o640


def test_the_shipped_bounds_are_the_ones_docs_data_md_gives():
    # Every other test makes them small, to run quickly; these are what learners get.
    import re
    with open(os.path.join(ROOT, 'docs', 'data.md'), encoding='utf-8') as text:
        told = ' '.join(text.read().split())
    assert (download.TIMEOUT_SECONDS, download.MIN_BYTES_PER_SECOND, download.SLOW_WINDOW_SECONDS,
            download.DEADLINE_SECONDS) == (30, 1000, 60, 30 * 60)
    for name, value in (('TIMEOUT_SECONDS', '30'), ('MIN_BYTES_PER_SECOND', '1000'),
                        ('SLOW_WINDOW_SECONDS', '60'), ('DEADLINE_SECONDS', '30 minutes'),
                        ('MAX_IDX_BYTES', '1 GiB')):
        assert re.search(r'`%s` \(%s\)' % (name, value), told), name
    assert fetch_files.RETRY_DELAYS == (1, 4) and 'tried again after 1 and 4 seconds' in told
    assert fetch_files.MAX_IDX_BYTES == 1 << 30


def test_a_folder_of_mnists_files_is_completed_with_mnists_only_whatever_the_source(mirrors, tiny, tmp_path):
    # Three of MNIST's files in the folder (here the tiny ones, which the table names as
    # MNIST's), the fourth missing; the source named serves another data set.
    fashion = TinyMnist(seed=9)
    for name in NAMES:
        mirrors.routes['/fashion/' + name] = ('ok', fashion.gz[name])
    tiny.write(tmp_path, NAMES[:3])
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=mirrors.url + '/fashion/')
    message = str(caught.value)
    assert "%s/fashion/%s: not MNIST's file: its decompressed bytes have sha256" % (mirrors.url, NAMES[3]) in message
    assert ("The folder holds MNIST's other files, so only MNIST's own is fetched into it: put "
            'another data set in a folder of its own (train_dir).') in message
    assert sorted(os.listdir(tmp_path)) == sorted(NAMES[:3])  # nothing mixed in
    # From a named source that has MNIST's file, it is completed.
    load(tmp_path, source_url=mirrors.url + '/second/')
    assert_good_copies(tmp_path, tiny)


def test_a_source_url_not_needed_is_said(tiny, tmp_path, capsys):
    tiny.write(tmp_path)
    load(tmp_path, source_url='/media/usb/mnist')
    assert 'source_url /media/usb/mnist was not used: the four files are already in %s.' % tmp_path in capsys.readouterr().err
    load(tmp_path)  # the default sources, not named: nothing to say
    assert 'source_url' not in capsys.readouterr().err
