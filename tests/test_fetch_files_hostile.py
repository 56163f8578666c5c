"""The loader against hostile and broken sources and folders: bombs, endless and trickling
answers, FIFOs, odd URLs and redirects, escape codes and passwords, full and read-only
disks, a closed stderr, and bad values. All offline, on 127.0.0.1. Each test names the
guard it would catch missing."""
import gzip
import socket
import io
import os
import re
import subprocess
import sys
import time
import urllib.parse

import hypothesis
import numpy
import pytest
from hypothesis import strategies

import download
import fetch_files
import idx
import input_data
from conftest import (NAMES, REAL_DATA_DIR, ROOT, SCRIPT, assert_good_copies, environment, idx_labels,
                      is_mnist, load, named_stream, real_files)


def gzip_bomb(gibibytes):
    """A multi-member gzip of `gibibytes` GiB of zeros, about 1 MB per GiB."""
    member = gzip.compress(bytes(64 << 20), compresslevel=9)
    return member * (16 * gibibytes)


# Memory and size: the byte caps ---------------------------------------------------------

def test_a_gzip_bomb_is_refused_at_once_and_the_next_mirror_used(mirrors, tiny, tmp_path):
    mirrors.routes['/first/' + NAMES[0]] = ('ok', gzip_bomb(1))
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests.count('/first/' + NAMES[0]) == 1  # not the kind to try again


def over(message):
    """The byte counts in a message's 'it is over N bytes'."""
    return [int(count) for count in re.findall(r'it is over (\d+) bytes', message)]


def test_a_good_gzip_then_endless_zeros_is_read_to_the_gzips_end_only(mirrors, tiny, tmp_path):
    # gzip allows zero padding after the data, as it allows anything: what follows the end of
    # the gzip data is not fetched (TF 1.x never read it), the connection is closed, and the
    # file saved is the gzip data alone.
    for mirror in ('/first/', '/second/'):
        mirrors.routes[mirror + NAMES[1]] = ('endless', tiny.gz[NAMES[1]])
    mnist = load(tmp_path)
    assert mnist.train.num_examples == 30
    assert (tmp_path / NAMES[1]).read_bytes() == tiny.gz[NAMES[1]]
    assert mirrors.requests.count('/first/' + NAMES[1]) == 1
    time.sleep(0.5)  # for the server to find the connection closed
    assert mirrors.sent['/first/' + NAMES[1]] < 16 << 20  # what the socket buffers hold, at most


def test_a_file_in_the_folder_is_read_no_further_than_its_gzip_data(mirrors, tiny, tmp_path, monkeypatch):
    # The same in the data folder: a good gzip and 64 MiB of zeros (a sparse file) loads as
    # TF 1.x loaded it, its reading stopping at the end of the gzip data; the file is left as
    # it is, and nothing is fetched.
    tiny.write(tmp_path)
    with open(tmp_path / NAMES[1], 'r+b') as padded:
        padded.truncate(64 << 20)
    read = {}

    class Counted(io.BufferedReader):
        def read(self, size=-1):
            data = super().read(size)
            read[self.name] = read.get(self.name, 0) + len(data)
            return data

    monkeypatch.setattr(fetch_files, 'open_regular_file', lambda path: Counted(io.FileIO(path)))
    mnist = load(tmp_path)
    assert numpy.array_equal(mnist.train.labels, tiny.train_labels[10:])
    assert read[str(tmp_path / NAMES[1])] <= len(tiny.gz[NAMES[1]]) + idx.CHUNK_BYTES
    assert os.path.getsize(tmp_path / NAMES[1]) == 64 << 20 and mirrors.requests == []


def test_a_header_promising_more_than_allowed_is_refused_before_it_is_read(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch_files, 'MAX_IDX_BYTES', 10 ** 6)
    raw = b''.join(value.to_bytes(4, 'big') for value in (2051, 60000, 28, 28))
    with pytest.raises(ValueError, match='promises 60000 images of 28x28 pixels, more than the '
                                         '1000000 bytes allowed: bomb.gz'):
        input_data.extract_images(named_stream(gzip.compress(raw), 'bomb.gz'))


# What loading adds to the peak memory (ru_maxrss), not an address-space cap: the address
# space a process reserves grows with the machine's cores (OpenBLAS's threads), its memory
# does not.
CHILD = '''
import resource, sys
sys.path.insert(0, %r)
import fetch_files
import input_data
fetch_files.PROJECT_DATA_DIR = '/nonexistent'
fetch_files.MIRRORS = [sys.argv[2] + '/first/', sys.argv[2] + '/second/']
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = input_data.read_data_sets(sys.argv[1], one_hot=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, data.train.num_examples)
''' % ROOT


def test_memory_stays_bounded_by_the_data_whatever_a_source_sends(server, tmp_path):
    # The real table: a 4 GiB bomb and an endless body in place of the two image files.
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
    kept = sum(map(fetch_files.mnist_size, NAMES)) + 60000 * 10 * 8  # + one-hot
    assert (after - before) * 1024 < 2 * kept  # ru_maxrss is in KiB


# Time: the deadline and the minimum speed ------------------------------------------------

def test_a_body_trickle_is_cut_at_the_deadline(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(download, 'DEADLINE_SECONDS', 1)
    # 20 kB/s, fast enough for any speed window, and 12 s for the file.
    mirrors.routes['/first/' + NAMES[0]] = ('trickle', tiny.gz[NAMES[0]] * 8, 2000, 0.1)
    started = time.monotonic()
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=mirrors.url + '/first/')
    assert time.monotonic() - started < 5
    assert '/first/%s: too slow: not done after 1 s' % NAMES[0] in str(caught.value)


@pytest.mark.parametrize('route', [('headers_trickle', 0.2), ('continues', 30), ('silence', 30)],
                         ids=['header-trickle', 'endless-100-continue', 'silence'])
def test_the_status_line_and_headers_must_come_within_the_speed_window(mirrors, tiny, tmp_path,
                                                                       monkeypatch, capsys, route):
    # A header byte every 0.2 s, endless '100 Continue' answers, or nothing at all: each
    # read comes within the timeout (or there is nothing to read), and there is no body to
    # measure a speed on. The window for the headers ends each, long before the deadline.
    monkeypatch.setattr(download, 'SLOW_WINDOW_SECONDS', 0.5)
    monkeypatch.setattr(download, 'TIMEOUT_SECONDS', 20)
    mirrors.routes['/first/' + NAMES[0]] = route
    del mirrors.routes['/second/' + NAMES[0]]  # so that the error says what /first/ did
    started = time.monotonic()
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    assert time.monotonic() - started < 5
    said = str(caught.value)
    # Python 3.14's http.client gives up after 100 interim answers itself, and says so.
    assert '/first/%s: too slow: no answer (status line and headers) within 0.5 s' % NAMES[0] in said \
        or route[0] == 'continues' and '/first/%s: got more than 100 interim responses' % NAMES[0] in said
    assert mirrors.requests.count('/first/' + NAMES[0]) == 1  # too slow: no second try


def test_a_silent_server_times_out_and_is_tried_again(mirrors, tiny, tmp_path, monkeypatch):
    # With a long speed window, the timeout of each read ends a silent answer; a timeout
    # may pass, so it is tried again.
    monkeypatch.setattr(download, 'TIMEOUT_SECONDS', 0.3)
    mirrors.routes['/first/' + NAMES[0]] = ('silence', 3)
    del mirrors.routes['/second/' + NAMES[0]]
    started = time.monotonic()
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path)
    assert time.monotonic() - started < 3
    assert '/first/%s: timed out after 0 s' % NAMES[0] in str(caught.value)
    assert mirrors.requests.count('/first/' + NAMES[0]) == 3


def test_the_speed_window_starts_again_after_each_window(mirrors, tiny, tmp_path, monkeypatch):
    # Fast at first, then a trickle under the floor: given up one window into the trickle,
    # not when the trickle has dragged the average since the start under the floor.
    monkeypatch.setattr(download, 'TIMEOUT_SECONDS', 5)
    monkeypatch.setattr(download, 'SLOW_WINDOW_SECONDS', 0.3)
    monkeypatch.setattr(download, 'MIN_BYTES_PER_SECOND', 10000)
    body = tiny.gz[NAMES[0]]  # all but its last 1000 bytes at once, then a trickle
    mirrors.routes['/first/' + NAMES[0]] = ('fast_then_trickle', body, len(body) - 1000, 10, 0.1)
    started = time.monotonic()
    load(tmp_path)  # from /second/, once /first/ is given up
    # Without the window starting again, ~30 kB in the first instant keeps the average over
    # 10 kB/s for about 3 s.
    assert time.monotonic() - started < 2
    assert_good_copies(tmp_path, tiny)


def test_a_connection_made_after_the_deadline_is_shut_down_at_once(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(download, 'DEADLINE_SECONDS', 0)
    monkeypatch.setattr(download, 'TIMEOUT_SECONDS', 10)
    monkeypatch.setattr(download, 'SLOW_WINDOW_SECONDS', 10)
    mirrors.routes['/first/' + NAMES[0]] = ('silence', 10)
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(input_data.DownloadError):
        load(tmp_path, source_url=mirrors.url + '/first/')
    assert time.monotonic() - started < 3


def test_a_trickle_under_the_minimum_speed_is_given_up(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(download, 'TIMEOUT_SECONDS', 5)  # each piece comes well within it
    monkeypatch.setattr(download, 'SLOW_WINDOW_SECONDS', 0.5)
    monkeypatch.setattr(download, 'DEADLINE_SECONDS', 4)  # a backstop, should the speed go unchecked
    mirrors.routes['/first/' + NAMES[0]] = ('trickle', tiny.gz[NAMES[0]], 10, 0.1)  # 100 B/s
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=mirrors.url + '/first/')
    assert '/first/%s: too slow: ' % NAMES[0] in str(caught.value)
    assert 'bytes a second' in str(caught.value)


def test_a_slow_but_steady_link_finishes(mirrors, tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(download, 'SLOW_WINDOW_SECONDS', 0.3)
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


# What is not a regular file ---------------------------------------------------------------

FIFO_LOADER = '''
import sys
sys.path.insert(0, %r)
import fetch_files
import input_data
fetch_files.PROJECT_DATA_DIR = '/nonexistent'
try:
    input_data.read_data_sets(sys.argv[1], source_url=sys.argv[2] or None)
except input_data.DownloadError as error:
    print(error)
''' % ROOT


def load_in_a_process(folder, source_url=''):
    """Load in another process, so that a read that blocks fails the test, not hangs it."""
    return subprocess.run([sys.executable, '-c', FIFO_LOADER, str(folder), source_url],
                          capture_output=True, text=True, timeout=30)


def test_a_fifo_in_the_data_folder_is_refused_at_once(tmp_path):
    for name in NAMES:
        os.symlink(os.path.join(REAL_DATA_DIR, name), tmp_path / name)
    os.remove(tmp_path / NAMES[2])
    os.mkfifo(tmp_path / NAMES[2])
    result = load_in_a_process(tmp_path)
    assert result.stdout.splitlines() == [
        '%s: it is a FIFO (named pipe), not a file.' % (tmp_path / NAMES[2]),
        'To fix it, move it out of the way, or choose another folder (train_dir).']
    assert os.path.exists(tmp_path / NAMES[2])  # left as it was


@pytest.mark.parametrize('kind', ['fifo', 'directory', 'device'])
def test_what_is_not_a_file_in_a_source_folder_is_refused_at_once(tmp_path, kind):
    source = tmp_path / 'usb'
    source.mkdir()
    for name in NAMES:
        os.symlink(os.path.join(REAL_DATA_DIR, name), source / name)
    os.remove(source / NAMES[1])
    {'fifo': lambda path: os.mkfifo(path), 'directory': lambda path: os.mkdir(path),
     'device': lambda path: os.symlink('/dev/zero', path)}[kind](source / NAMES[1])
    result = load_in_a_process(tmp_path / 'data', str(source))
    described = {'fifo': 'a FIFO (named pipe)', 'directory': 'a directory', 'device': 'a character device'}
    assert '  %s: it is %s, not a file' % (source / NAMES[1], described[kind]) in result.stdout


def test_a_directory_in_place_of_a_data_file_says_so(tmp_path):
    os.mkdir(tmp_path / NAMES[0])
    with pytest.raises(input_data.DownloadError, match='%s: it is a directory, not a file.\nTo fix it, '
                       'move it out of the way' % (tmp_path / NAMES[0])):
        load(tmp_path)


def test_an_unreadable_data_file_says_so_and_is_kept(tmp_path, monkeypatch):
    for name in NAMES:
        (tmp_path / name).write_bytes(b'mine')
    opened = os.open

    def refused(path, *args, **kwargs):  # as root the permission bits cannot refuse it
        if str(path) == str(tmp_path / NAMES[0]):
            raise PermissionError(13, 'Permission denied', str(path))
        return opened(path, *args, **kwargs)

    monkeypatch.setattr(input_data.os, 'open', refused)
    with pytest.raises(input_data.DownloadError, match=r'it cannot be read \(Permission denied\).\n'
                       'To fix it, make it readable'):
        load(tmp_path)
    assert (tmp_path / NAMES[0]).read_bytes() == b'mine'


@pytest.mark.parametrize('folder', ['dangling-link', 'file'])
def test_a_data_folder_that_cannot_be_one_says_why(tmp_path, folder):
    data = tmp_path / 'data'
    if folder == 'dangling-link':
        data.symlink_to(tmp_path / 'gone')
        expected = '%s is a symbolic link to %s, which does not exist.\nTo fix it, make that folder' % (
            data, tmp_path / 'gone')
    else:
        data.write_bytes(b'')
        expected = '%s is not a folder.\nTo fix it, move it out of the way' % data
    with pytest.raises(input_data.DownloadError) as caught:
        load(data)
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize('case, says, fix', [
    ('through-a-file', 'a part of its path is a file, not a folder', 'give a path of folders'),
    ('name-too-long', 'its path is too long (File name too long)', 'choose a shorter path'),
    ('link-loop', 'symbolic links in its path point at each other in a loop', 'mend or remove the links'),
    ('socket', 'it is a socket, not a file', 'move it out of the way'),
])
def test_a_data_file_that_cannot_be_opened_gets_the_fix_for_its_cause(tmp_path, case, says, fix):
    data = tmp_path / 'data'
    data.mkdir()
    if case == 'through-a-file':
        (tmp_path / 'a file').write_bytes(b'')
        data = tmp_path / 'a file' / 'data'
    elif case == 'name-too-long':
        data = data / ('x' * 300)
    elif case == 'link-loop':
        (data / NAMES[0]).symlink_to(data / 'other')
        (data / 'other').symlink_to(data / NAMES[0])
    else:
        listening = socket.socket(socket.AF_UNIX)
        listening.bind(str(data / NAMES[0]))
    with pytest.raises(input_data.DownloadError) as caught:
        load(data)
    assert str(caught.value) == '%s: %s.\nTo fix it, %s, or choose another folder (train_dir).' % (
        data / NAMES[0], says, fix) or case == 'through-a-file' and says in str(caught.value)


def test_an_empty_train_dir_is_refused_before_anything_is_read():
    with pytest.raises(ValueError, match='train_dir must name a folder'):
        input_data.read_data_sets('')


def test_a_redirect_loop_is_called_one(mirrors, tiny, tmp_path):
    mirrors.routes['/first/' + NAMES[0]] = ('redirect', mirrors.url + '/loop/a')
    mirrors.routes['/loop/a'] = ('redirect', mirrors.url + '/loop/b')
    mirrors.routes['/loop/b'] = ('redirect', mirrors.url + '/loop/a')
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=mirrors.url + '/first/')
    assert ': it redirects in a loop, or too many times (HTTP 302 to %s/loop/' % mirrors.url \
        in str(caught.value)


def test_a_proxy_setting_that_is_not_a_url_is_named(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv('http_proxy', 'http://127.0.0.1:99999')
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url='http://mirror.example/mnist/')
    assert 'the proxy http://127.0.0.1:99999, from the http_proxy setting, is not a valid URL' \
        in str(caught.value)


def test_a_proxy_that_refuses_is_named_with_its_answer(tiny, tmp_path, server, monkeypatch):
    # A working proxy that answers 403 to everything: the test server, asked for any URL.
    monkeypatch.setenv('http_proxy', server.url)
    server.routes['http://mirror.example/mnist/' + NAMES[0]] = ('status', 403)
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url='http://mirror.example/mnist/')
    assert ('mirror.example/mnist/%s: HTTP 403 Forbidden (through the proxy %s, from the '
            'http_proxy setting' % (NAMES[0], server.url)) in str(caught.value)


def test_a_closed_sys_stderr_breaks_nothing(mirrors, tiny, tmp_path, monkeypatch):
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, 'stderr', closed)
    mirrors.routes['/first/' + NAMES[0]] = ('status', 503)  # a retry, announced to no one
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)


# URLs, redirects and what a server says ------------------------------------------------------

@pytest.mark.parametrize('folder', ['dünn', 'with space', 'ünï cödé'])
def test_a_url_with_letters_outside_ascii_or_spaces_is_sent_percent_encoded(mirrors, tiny, tmp_path, folder):
    path = '/' + urllib.parse.quote(folder) + '/'
    for name in NAMES:
        mirrors.routes[path + name] = ('ok', tiny.gz[name])
    load(tmp_path, source_url=mirrors.url + '/' + folder + '/')
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests == [path + name for name in NAMES]


def test_credentials_in_the_url_are_sent_to_that_host_and_never_shown(mirrors, tiny, tmp_path, capsys):
    for name in NAMES:
        mirrors.routes['/private/' + name] = ('auth', tiny.gz[name], 'teacher:s3cret pass')
    url = mirrors.url.replace('//', '//teacher:s3cret%20pass@') + '/private/'
    load(tmp_path / 'ok', source_url=url)
    assert_good_copies(tmp_path / 'ok', tiny)
    # A wrong password: the message names the place, with the password as ***.
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path / 'again', source_url=url.replace('s3cret', 'n0tright'))
    assert '//teacher:***@127.0.0.1:%d/private/%s: HTTP 401 Unauthorized' % (mirrors.port, NAMES[0]) \
        in str(caught.value)
    assert 'n0tright' not in str(caught.value) + capsys.readouterr().err


def test_credentials_are_not_sent_on_where_a_redirect_leads(mirrors, tiny, tmp_path):
    mirrors.routes['/private/' + NAMES[0]] = ('redirect', mirrors.url + '/second/' + NAMES[0])
    for name in NAMES[1:]:
        mirrors.routes['/private/' + name] = ('ok', tiny.gz[name])
    load(tmp_path, source_url=mirrors.url.replace('//', '//teacher:secret@') + '/private/')
    assert_good_copies(tmp_path, tiny)
    sent = dict(zip(mirrors.requests, mirrors.authorizations, strict=True))
    assert sent['/private/' + NAMES[0]] is not None and sent['/second/' + NAMES[0]] is None


def test_a_password_is_never_shown_when_the_host_cannot_be_reached(tmp_path, server, monkeypatch, capsys):
    server.close()
    monkeypatch.setattr(fetch_files, 'RETRY_DELAYS', (0, 0))
    url = 'http://user:hunter2@127.0.0.1:%d/mnist/' % server.port
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=url)
    assert 'user:***@127.0.0.1' in str(caught.value)
    assert 'hunter2' not in str(caught.value) + capsys.readouterr().err


@pytest.mark.parametrize('location', ['ftp://127.0.0.1/x.gz', 'http://[zz/x', 'file:///etc/passwd'])
def test_a_redirect_to_anything_but_a_valid_http_url_is_a_failed_source(mirrors, tiny, tmp_path, location):
    mirrors.routes['/first/' + NAMES[0]] = ('redirect', location)
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=mirrors.url + '/first/')
    failure = str(caught.value).splitlines()[1]
    assert failure.startswith('  %s/first/%s: it' % (mirrors.url, NAMES[0]))
    assert 'redirected' in failure and 'not a valid http or https URL' in failure


def test_a_redirect_to_http_is_followed(mirrors, tiny, tmp_path):
    mirrors.routes['/first/' + NAMES[1]] = ('redirect', mirrors.url + '/second/' + NAMES[1])
    load(tmp_path)
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests[2:4] == ['/first/' + NAMES[1], '/second/' + NAMES[1]]


def test_text_from_a_server_is_shown_without_control_characters(mirrors, tiny, tmp_path, capsys):
    # A reason phrase that would clear the screen and print a lie, then ring the bell.
    reason = 'Service Unavailable\x1b[2J\x1b[HAll files verified\x07'
    mirrors.routes['/first/' + NAMES[0]] = ('status', 503, reason)
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url=mirrors.url + '/first/')
    shown = str(caught.value) + capsys.readouterr().err
    assert 'HTTP 503 Service Unavailable\\x1b[2J\\x1b[HAll files verified\\x07' in shown
    assert '\x1b' not in shown and '\x07' not in shown


def test_a_dead_proxy_is_named_as_the_cause(tiny, tmp_path, server, monkeypatch):
    server.close()  # the proxy: nothing listens there
    monkeypatch.setattr(fetch_files, 'RETRY_DELAYS', (0, 0))
    monkeypatch.setenv('http_proxy', 'http://proxyuser:pw@127.0.0.1:%d' % server.port)
    with pytest.raises(input_data.DownloadError) as caught:
        load(tmp_path, source_url='http://mirror.example/mnist/')
    assert ('mirror.example/mnist/%s: connection refused (through the proxy '
            'http://proxyuser:***@127.0.0.1:%d, from the http_proxy setting' % (NAMES[0], server.port)) \
        in str(caught.value)


@pytest.mark.parametrize('source_url', ['http://127.0.0.1:99999/', 'http://127.0.0.1:port/', 'http://[::1/'])
def test_a_url_that_cannot_be_used_is_refused_up_front(tmp_path, source_url):
    with pytest.raises(ValueError, match='is not a URL the loader can read'):
        load(tmp_path, source_url=source_url)


# A closed stderr ------------------------------------------------------------------------------

def test_a_download_with_stderr_closed_works_and_says_nothing_there(server, tmp_path):
    # `2>&-`, a service, pythonw: sys.stderr is None. Progress, notes and retries go nowhere.
    for name, body in real_files().items():
        server.routes['/mnist/' + name] = ('ok', body)
    server.routes['/bad/' + NAMES[0]] = ('status', 503)
    loader = ('import sys; sys.path.insert(0, %r); import fetch_files, input_data\n'
              'fetch_files.RETRY_DELAYS = (0, 0)\n'
              'input_data.read_data_sets(sys.argv[1], source_url=sys.argv[2])\n'
              'try:\n    input_data.read_data_sets(sys.argv[3], source_url=sys.argv[4])\n'
              'except input_data.DownloadError:\n    print("refused, as it should be")' % ROOT)
    result = subprocess.run(['sh', '-c', 'exec "$0" "$@" 2>&-', sys.executable, '-c', loader,
                             str(tmp_path / 'a'), server.url + '/mnist/', str(tmp_path / 'b'),
                             server.url + '/bad/'], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ''
    assert result.stdout.count('Extracting') == 4
    assert result.stdout.endswith('refused, as it should be\n')  # a retry was announced: to no one
    for name in NAMES:
        assert is_mnist(name, (tmp_path / 'a' / name).read_bytes())


def test_with_stderr_closed_tensorflows_stderr_is_dev_null_not_the_next_file(tmp_path):
    # With fd 2 closed (2>&-), the next file opened would take number 2, and with it all
    # that TensorFlow's C++ code writes to its stderr. The quiet start-up gives it /dev/null.
    # (Where something opened at start-up already holds number 2, as libffi's trampoline
    # file does on Python 3.14, it stays; no later file can take it either.)
    program = ('import os, sys; sys.path.insert(0, %r); import quiet_tensorflow\n'
               'with quiet_tensorflow.start_up():\n    pass\n'
               'with open(sys.argv[1], "w") as later:\n    print(later.fileno() != 2)' % ROOT)
    result = subprocess.run(['sh', '-c', 'exec "$0" "$@" 2>&-', sys.executable, '-c', program,
                             str(tmp_path / 'later')],
                            capture_output=True, text=True, timeout=60, env=environment())
    assert (result.returncode, result.stdout) == (0, 'True\n')


# Disk -----------------------------------------------------------------------------------

def test_a_full_disk_is_one_message_naming_the_folder(small_tmpfs, tmp_path):
    with pytest.raises(input_data.DownloadError) as caught:
        input_data.read_data_sets(str(small_tmpfs), source_url=REAL_DATA_DIR)
    message = str(caught.value)
    assert message.startswith('Could not save train-images-idx3-ubyte.gz in %s: No space left '
                              'on device.' % small_tmpfs)
    assert 'free some space there' in message
    assert os.listdir(small_tmpfs) == []  # nothing half-written


FILE_SIZE_LIMIT = '''
import resource, signal, sys
sys.path.insert(0, %r)
import fetch_files
import input_data
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
try:
    input_data.read_data_sets(sys.argv[1], source_url=sys.argv[2])
except input_data.DownloadError as error:
    print(error)
''' % ROOT


def test_a_file_size_limit_is_one_message_and_leaves_no_file(tmp_path):
    result = subprocess.run([sys.executable, '-c', FILE_SIZE_LIMIT, str(tmp_path / 'data'),
                             REAL_DATA_DIR], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith('Could not save train-images-idx3-ubyte.gz in %s: File too '
                                    'large.' % (tmp_path / 'data'))
    assert 'ulimit -f' in result.stdout
    assert os.listdir(tmp_path) == []  # no part of a file, and not the folder the load made


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
    assert result.stderr.splitlines()[-3:] == [
        'Could not save train-labels-idx1-ubyte.gz in %s: Read-only file system.' % read_only_folder,
        'To fix it, make the folder writable, or choose another folder for the data (train_dir).',
        '(Here train_dir is --data_dir, and source_url is --source_url.)']


def test_a_failing_load_never_removes_a_folder_another_load_is_using(mirrors, tiny, tmp_path):
    # Another load makes the folder while this one is still asking the mirrors; this one
    # then fails. The folder, and what the other put there, stay.
    folder = tmp_path / 'shared'

    def other_load_starts():
        folder.mkdir()
        (folder / '.another-load-is-writing').write_bytes(b'')
        os.remove(folder / '.another-load-is-writing')  # empty again, but in use
    mirrors.routes['/first/' + NAMES[0]] = ('call', other_load_starts, ('status', 404))
    with pytest.raises(input_data.DownloadError):
        load(folder, source_url=mirrors.url + '/first/')
    assert folder.is_dir()


# Bad values -----------------------------------------------------------------------------

def test_a_label_out_of_range_names_the_file(tiny, tmp_path):
    labels = tiny.train_labels.copy()
    labels[3] = 10
    tiny.set_raw(input_data.TRAIN_LABELS, idx_labels(labels))  # checksums follow
    folder = tiny.write(tmp_path)
    with pytest.raises(ValueError, match='label 10 is not one of the 10 classes 0 to 9: %s'
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


def test_an_empty_source_url_means_the_default_sources_as_in_tf1(mirrors, tiny, tmp_path):
    # TF 1.x: `if not source_url: source_url = DEFAULT_SOURCE_URL`.
    load(tmp_path, source_url='')
    assert_good_copies(tmp_path, tiny)
    assert mirrors.requests[:2] == ['/first/' + NAMES[0], '/second/' + NAMES[0]]


# A bounded fuzz of the readers ------------------------------------------------------------

@hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
@hypothesis.given(header=strategies.lists(strategies.integers(0, 2**32 - 1), min_size=0, max_size=4),
                  magic=strategies.sampled_from([2049, 2051, 0, 2**32 - 1]),
                  payload=strategies.binary(max_size=3000), cut=strategies.integers(0, 40))
def test_the_idx_readers_return_arrays_or_a_value_error(header, magic, payload, cut):
    raw = b''.join(value.to_bytes(4, 'big') for value in [magic] + header) + payload
    for compressed in (gzip.compress(raw), gzip.compress(raw)[:-cut or None], raw[:64]):
        for read in (input_data.extract_images,
                     lambda f: input_data.extract_labels(f, one_hot=True)):
            try:
                result = read(named_stream(compressed, 'fuzz.gz'))
            except ValueError as error:
                assert str(error).endswith(': fuzz.gz')
                continue
            assert isinstance(result, numpy.ndarray)


@hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
@hypothesis.given(data=strategies.binary(max_size=2000), gzipped=strategies.booleans())
def test_a_file_in_the_folder_that_is_not_the_data_is_never_used(tmp_path_factory, data, gzipped):
    folder = tmp_path_factory.mktemp('fuzz')
    (folder / NAMES[3]).write_bytes(gzip.compress(data) if gzipped else data)
    found = fetch_files._read_from_folder(str(folder), NAMES[3])
    if found.data is None:
        assert found.problem
    else:
        assert not fetch_files.is_mnist(NAMES[3], found.data) and len(found.data) == 8 + found.sizes[0]
