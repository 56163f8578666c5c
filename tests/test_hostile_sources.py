"""The loader against hostile and broken sources: bombs, endless and trickling bodies,
killed downloads, full and read-only disks, and bad values. All offline, on 127.0.0.1."""
import gzip
import io
import os
import signal
import subprocess
import sys
import time

import hypothesis
import numpy
import pytest
from hypothesis import strategies

import input_data
from conftest import REAL_DATA_DIR, ROOT, idx_labels
from test_download import NAMES, assert_good_copies, load, real_files
from test_mnist_softmax import SCRIPT, environment


def gzip_bomb(gibibytes):
    """A multi-member gzip of `gibibytes` GiB of zeros, about 1 MB per GiB."""
    member = gzip.compress(bytes(64 << 20), compresslevel=9)
    return member * (16 * gibibytes)


# Memory and size -----------------------------------------------------------------------

def test_a_gzip_bomb_is_refused_at_once_and_the_next_mirror_used(mirrors, tiny, tmp_path):
    mirrors.routes['/first/' + NAMES[0]] = ('ok', gzip_bomb(1))
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests.count('/first/' + NAMES[0]) == 1  # not the kind to try again


def test_an_endless_body_stops_at_the_largest_possible_gzip(mirrors, tiny, tmp_path, capsys):
    # A good start, then zeros with no length: gzip allows zero padding, but not forever.
    mirrors.routes['/first/' + NAMES[1]] = ('endless', tiny.gz[NAMES[1]])
    (tmp_path / NAMES[2]).symlink_to('/dev/zero')  # a cached file with no end either
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert '%s is not a good copy of the MNIST file: it is not gzip data' % (tmp_path / NAMES[2]) \
        in capsys.readouterr().err


def test_a_local_source_with_no_end_is_refused(tiny, tmp_path):
    source = tmp_path / 'usb'
    tiny.write(source)
    os.remove(source / NAMES[0])
    (source / NAMES[0]).symlink_to('/dev/zero')
    with pytest.raises(input_data.DownloadError, match='%s: not the MNIST file: it is not gzip data'
                       % (source / NAMES[0])):
        load(tmp_path / 'data', source_url=str(source))


CHILD = '''
import resource, sys
sys.path.insert(0, %r)
import input_data
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space
input_data.PROJECT_DATA_DIR = '/nonexistent'
input_data.MIRRORS = [sys.argv[2] + '/first/', sys.argv[2] + '/second/']
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = input_data.read_data_sets(sys.argv[1], one_hot=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, data.train.num_examples)
''' % ROOT


def test_memory_stays_bounded_by_the_data_whatever_a_source_sends(server, tmp_path):
    # The real table: a 4 GiB bomb and an endless body in place of the two image files,
    # under a cap of 1 GiB of address space.
    files = real_files()
    server.routes['/first/' + NAMES[0]] = ('ok', gzip_bomb(4))
    server.routes['/first/' + NAMES[2]] = ('endless', files[NAMES[2]][:1000])
    for name, body in files.items():
        server.routes['/second/' + name] = ('ok', body)
    result = subprocess.run([sys.executable, '-c', CHILD, str(tmp_path), server.url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after, examples = map(int, result.stdout.split()[-3:])
    assert examples == 55000
    kept = sum(size for size, _ in input_data.FILES.values()) + 60000 * 10 * 8  # + one-hot
    assert (after - before) * 1024 < 2 * kept  # ru_maxrss is in KiB


# Time ----------------------------------------------------------------------------------

def test_a_trickle_is_given_up_for_the_next_mirror(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(input_data, 'TIMEOUT_SECONDS', 5)  # each byte comes well within it
    monkeypatch.setattr(input_data, 'SLOW_WINDOW_SECONDS', 0.5)
    monkeypatch.setattr(input_data, 'MIN_BYTES_PER_SECOND', 1000)
    mirrors.routes['/first/' + NAMES[0]] = ('trickle', tiny.gz[NAMES[0]], 1, 0.1)
    mirrors.routes['/second/' + NAMES[0]] = ('status', 404)
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    assert '/first/%s: too slow: ' % NAMES[0] in str(caught.value)
    assert 'bytes a second' in str(caught.value)


def test_an_overall_deadline_per_file(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(input_data, 'DEADLINE_SECONDS', 0.5)
    # 20 kB/s: fast enough for any window, too slow to finish in time.
    mirrors.routes['/first/' + NAMES[0]] = ('trickle', tiny.gz[NAMES[0]], 2000, 0.1)
    started = time.monotonic()
    load(tmp_path)
    assert time.monotonic() - started < 10
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests.count('/first/' + NAMES[0]) == 1


def test_a_slow_but_steady_link_finishes(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(input_data, 'SLOW_WINDOW_SECONDS', 0.3)
    mirrors.routes['/first/' + NAMES[0]] = ('trickle', tiny.gz[NAMES[0]], 4000, 0.05)
    load(tmp_path)
    assert mirrors.requests == ['/first/' + name for name in NAMES[:1]] + [
        prefix + name for name in NAMES[1:] for prefix in ('/first/', '/second/')]


def test_a_retry_is_announced(mirrors, tiny, tmp_path, capsys):
    mirrors.routes['/first/' + NAMES[3]] = ('status', 503)
    load(tmp_path)
    err = capsys.readouterr().err
    assert '%s/first/%s: HTTP 503 Service Unavailable. Trying again in 0 s.' % (
        mirrors.url, NAMES[3]) in err


# Disk ----------------------------------------------------------------------------------

LOADER = ('import sys; sys.path.insert(0, %r); import input_data; '
          'input_data.read_data_sets(sys.argv[1], source_url=sys.argv[2])' % ROOT)


def parts(folder):
    return [entry for entry in os.listdir(folder) if entry.endswith('.part')]


@pytest.mark.parametrize('kill', [signal.SIGTERM, signal.SIGKILL], ids=['SIGTERM', 'SIGKILL'])
def test_a_killed_download_leaves_a_file_the_next_load_removes(server, tmp_path, kill):
    files = real_files()
    for name, body in files.items():
        server.routes['/slow/' + name] = ('slow', body, 0.05)
        server.routes['/fast/' + name] = ('ok', body)
    killed = subprocess.Popen([sys.executable, '-c', LOADER, str(tmp_path), server.url + '/slow/'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not parts(tmp_path):
        assert time.monotonic() < deadline and killed.poll() is None
        time.sleep(0.02)
    killed.send_signal(kill)
    killed.wait(timeout=60)
    assert len(parts(tmp_path)) == 1  # what `timeout`, CI or `docker stop` leave
    # A live download's file is left alone; the killed one's goes.
    live = subprocess.Popen([sys.executable, '-c', LOADER, str(tmp_path / 'other'),
                             server.url + '/slow/'], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.makedirs(tmp_path / 'other', exist_ok=True)
    while not parts(tmp_path / 'other'):
        assert time.monotonic() < deadline and live.poll() is None
        time.sleep(0.02)
    input_data._remove_abandoned_temporary_files(str(tmp_path / 'other'))
    assert len(parts(tmp_path / 'other')) == 1
    live.kill()
    live.wait()
    input_data.read_data_sets(str(tmp_path), source_url=server.url + '/fast/')
    assert sorted(os.listdir(tmp_path)) == sorted(NAMES + ['other'])


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


def test_a_full_disk_is_one_message_naming_the_folder(small_tmpfs, tmp_path):
    source = tmp_path / 'source'
    os.makedirs(source)
    for name, body in real_files().items():
        (source / name).write_bytes(body)
    with pytest.raises(input_data.DownloadError) as caught:
        input_data.read_data_sets(str(small_tmpfs), source_url=str(source))
    message = str(caught.value)
    assert message.startswith('Could not save train-images-idx3-ubyte.gz in %s: No space left '
                              'on device.' % small_tmpfs)
    assert 'free some space there' in message and '--data_dir' in message
    assert os.listdir(small_tmpfs) == []  # nothing half-written


FILE_SIZE_LIMIT = '''
import resource, signal, sys
sys.path.insert(0, %r)
import input_data
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
try:
    input_data.read_data_sets(sys.argv[1], source_url=sys.argv[2])
except input_data.DownloadError as error:
    print(error)
''' % ROOT


def test_a_file_size_limit_is_one_message_and_leaves_nothing(tmp_path):
    result = subprocess.run([sys.executable, '-c', FILE_SIZE_LIMIT, str(tmp_path / 'data'),
                             REAL_DATA_DIR], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith('Could not save train-images-idx3-ubyte.gz in %s: File too '
                                    'large.' % (tmp_path / 'data'))
    assert 'ulimit -f' in result.stdout
    assert not os.path.exists(tmp_path / 'data')  # the folder it made, and no part file


@pytest.fixture
def read_only_folder(tmp_path):
    """A read-only tmpfs (root writes anywhere else), with a bad file in it."""
    folder = tmp_path / 'read-only'
    folder.mkdir()
    (tmp_path / 'bad.gz').write_bytes(b'<html>403 Forbidden</html>')
    mounted = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip('cannot mount a tmpfs here: %s' % mounted.stderr.decode().strip())
    try:
        for name in NAMES:
            os.symlink(os.path.join(REAL_DATA_DIR, name), folder / name)
        os.remove(folder / NAMES[1])
        os.symlink(tmp_path / 'bad.gz', folder / NAMES[1])
        subprocess.run(['mount', '-o', 'remount,ro', str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(['umount', str(folder)], check=True)


def test_the_script_says_a_read_only_folder_in_one_message(read_only_folder):
    result = subprocess.run([sys.executable, SCRIPT, '--data_dir', str(read_only_folder)],
                            capture_output=True, text=True, timeout=120, env=environment())
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert result.stderr.splitlines()[-2:] == [
        'Could not save train-labels-idx1-ubyte.gz in %s: Read-only file system.' % read_only_folder,
        'To fix it, make the folder writable, or choose another folder (train_dir; --data_dir in '
        'mnist_softmax.py).']


# Bad values ----------------------------------------------------------------------------

def test_a_label_out_of_range_names_the_file(tiny, tmp_path):
    labels = tiny.train_labels.copy()
    labels[3] = 10
    tiny.set_raw(input_data.TRAIN_LABELS, idx_labels(labels))  # checksums follow
    folder = tiny.write(tmp_path)
    with pytest.raises(ValueError, match='%s: label 10 is not one of the 10 classes 0 to 9'
                       % os.path.join(folder, input_data.TRAIN_LABELS)):
        input_data.read_data_sets(folder, one_hot=True, validation_size=5)
    # Without one_hot the labels are returned as they are, as TF 1.x did.
    assert input_data.read_data_sets(folder, validation_size=5).validation.labels[3] == 10


@pytest.mark.parametrize('size, error', [(2.5, TypeError), ('7', TypeError), (-1, ValueError),
                                         (41, ValueError), (10**9, ValueError)])
def test_a_bad_batch_size_is_refused_and_changes_nothing(size, error):
    images = numpy.arange(40 * 784).reshape(40, 28, 28, 1).astype(numpy.uint8)
    dataset = input_data.DataSet(images, numpy.arange(40) % 10, dtype=numpy.uint8, seed=3)
    reference = input_data.DataSet(images, numpy.arange(40) % 10, dtype=numpy.uint8, seed=3)
    dataset.next_batch(7), reference.next_batch(7)
    with pytest.raises(error, match='batch_size'):
        dataset.next_batch(size)
    for _ in range(8):  # the same batches after as before, across epochs
        numpy.testing.assert_array_equal(dataset.next_batch(9)[1], reference.next_batch(9)[1])
    assert dataset.next_batch(40)[0].shape == (40, 784)  # the whole set is still a batch


def test_a_redirect_goes_to_http_only(mirrors, tiny, tmp_path):
    mirrors.routes['/first/' + NAMES[0]] = ('redirect', 'ftp://127.0.0.1/' + NAMES[0])
    mirrors.routes['/first/' + NAMES[1]] = ('redirect', mirrors.url + '/second/' + NAMES[1])
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests[:2] == ['/first/' + NAMES[0], '/second/' + NAMES[0]]
    assert '/second/' + NAMES[1] in mirrors.requests


def test_an_empty_source_url_is_refused(tmp_path):
    with pytest.raises(ValueError, match='source_url is empty'):
        load(tmp_path, source_url='')
    assert os.listdir(tmp_path) == []


def test_with_no_seed_tensorflows_graph_seed_decides_as_in_tf1():
    tf = pytest.importorskip('tensorflow')
    images = numpy.arange(30 * 784).reshape(30, 28, 28, 1).astype(numpy.uint8)
    labels = numpy.arange(30) % 10

    def batches(**options):
        dataset = input_data.DataSet(images, labels, dtype=numpy.uint8, **options)
        return numpy.concatenate([dataset.next_batch(7)[1] for _ in range(9)])

    with tf.Graph().as_default():  # a TF1 program: tf.set_random_seed(s), then no seed
        tf.compat.v1.set_random_seed(1234)
        numpy.testing.assert_array_equal(batches(), batches(seed=1234))
    with tf.Graph().as_default():
        orders = {tuple(batches()) for _ in range(3)}  # no graph seed: random, as before
    assert len(orders) == 3


# A bounded fuzz of the readers ---------------------------------------------------------

@hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
@hypothesis.given(header=strategies.lists(strategies.integers(0, 2**32 - 1), min_size=0, max_size=4),
                  magic=strategies.sampled_from([2049, 2051, 0, 2**32 - 1]),
                  payload=strategies.binary(max_size=3000), cut=strategies.integers(0, 40))
def test_the_idx_readers_return_arrays_or_a_value_error(header, magic, payload, cut):
    raw = b''.join(value.to_bytes(4, 'big') for value in [magic] + header) + payload
    for compressed in (gzip.compress(raw), gzip.compress(raw)[:-cut or None], raw[:64]):
        for read in (input_data.extract_images,
                     lambda f: input_data.extract_labels(f, one_hot=True)):
            stream = io.BytesIO(compressed)
            try:
                result = read(stream)
            except ValueError:
                continue
            assert isinstance(result, numpy.ndarray)


@hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
@hypothesis.given(data=strategies.binary(max_size=2000), gzipped=strategies.booleans())
def test_the_verifier_refuses_anything_else_with_a_reason(data, gzipped):
    with pytest.raises(input_data._BadData):
        input_data._verified(NAMES[3], gzip.compress(data) if gzipped else data)
