"""Fetching one file over HTTP or HTTPS, bounded in time: what fetch_files.py uses for a web
source.

chunks(url, name, deadline) yields the body of the answer to GET url as it comes, so that
the caller can judge it as it streams and give up at once. A source is given up
(SourceError) when, from connecting on, it sends under MIN_BYTES_PER_SECOND over any
SLOW_WINDOW_SECONDS (its status line and headers must come in the first), or is not done
with a file, all its tries, within the Deadline's seconds; a passing failure (a time-out, a
connection cut off, HTTP 408, 429 or 5xx) is a Passing error, worth another try. Proxy
settings are used, and their mistakes told; a password in the URL is sent to its host only,
and never shown. Nothing here knows about MNIST.
"""

import base64
import contextlib
import functools
import http.client
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request

from safe_files import note, printable, shown

TIMEOUT_SECONDS = 30  # for connecting, and for every read
MIN_BYTES_PER_SECOND = 1000
SLOW_WINDOW_SECONDS = 60
DEADLINE_SECONDS = 30 * 60  # for one file, all its tries
CHUNK_BYTES = 1 << 16
USER_AGENT = 'Mozilla/5.0 (compatible; mnist-tutorial-input_data)'  # some hosts refuse Python's


class SourceError(Exception):
    """Fetching from one source failed; the message says why."""


class Passing(SourceError):
    """Fetching from one source failed, but trying again may help."""


class _WatchedConnection(http.client.HTTPConnection):
    """An HTTP connection that hands its socket to `watch` as soon as it is connected."""

    watch = None

    def connect(self):
        super().connect()
        self.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection, _WatchedConnection):
    """The same for https: watched from before its TLS handshake, which comes after."""


class Deadline(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """urllib's http and https, bounded in time: each connection's status line and headers
    (after any number of interim 1xx answers) within SLOW_WINDOW_SECONDS of connecting, and
    everything for one file, all tries, within `seconds`. At either limit the sockets are
    shut down, which ends any read waiting on them."""

    def __init__(self, seconds=None):
        super().__init__()
        self.seconds = DEADLINE_SECONDS if seconds is None else seconds
        self.expired, self.overdue = False, False
        self.sockets, self.timers, self.lock = [], [], threading.Lock()
        self.connections = 0  # which connection a header timer is for
        self.answered = 0  # the last connection whose status line and headers came
        self._start_timer(self.seconds, self.expire)

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
            return 'too slow: not done after %g s' % self.seconds
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


def chunks(url, name, deadline):
    """The body of the answer to GET url, piece by piece as it comes (a generator): within
    the deadline, and never slower than MIN_BYTES_PER_SECOND over SLOW_WINDOW_SECONDS.
    SourceError, or Passing when another try may help, once it cannot be had whole. The
    caller may stop at any piece: the connection is then closed."""
    _check_proxy(url)
    speed = _SpeedFloor()
    progress = _Progress(name)
    received, total = 0, None
    try:
        with _opener(deadline).open(_request(url), timeout=TIMEOUT_SECONDS) as response:
            total = response.length
            while chunk := response.read1(CHUNK_BYTES):  # what has come, not a full chunk
                received += len(chunk)
                speed.check(received)
                progress.show(received, total)
                yield chunk
    except urllib.request.HTTPError as error:
        error.close()
        raise _http_error(error, url) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise _network_error(getattr(error, 'reason', error), url, deadline) from None
    finally:
        progress.end()
    if deadline.too_slow():  # cut short at a limit, whatever the connection made of it
        raise SourceError(deadline.too_slow())
    if total is not None and received < total:
        raise Passing('cut off after %d of %d bytes' % (received, total))


class _SpeedFloor:
    """SourceError when fewer than MIN_BYTES_PER_SECOND came over the last window."""

    def __init__(self):
        self.window_start, self.window_received = time.monotonic(), 0

    def check(self, received):
        now = time.monotonic()
        elapsed = now - self.window_start
        if elapsed < SLOW_WINDOW_SECONDS:
            return
        if received - self.window_received < MIN_BYTES_PER_SECOND * elapsed:
            raise SourceError(
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
    """The SourceError for an HTTP error status."""
    if 300 <= error.code < 400:  # a redirect it did not follow
        location = error.headers.get('Location', '')
        if urllib.parse.urlsplit(location).scheme.lower() in ('http', 'https', ''):
            return SourceError(
                'it redirects in a loop, or too many times (HTTP %d to %s)'
                % (error.code, shown(location))
            )
        return SourceError('it redirected to %s, not a valid http or https URL' % shown(location))
    message = 'HTTP %d %s' % (error.code, printable(error.reason)) + _through_proxy(url)
    if error.code in (408, 429) or error.code >= 500:
        return Passing(message)
    return SourceError(message)


def _network_error(reason, url, deadline):
    """The SourceError for a failed connection or read."""
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
        return SourceError(deadline.too_slow())
    if _proxy_for(url) and isinstance(reason, (ValueError, http.client.InvalidURL)):
        return _bad_proxy(url, reason)
    message = _network_reason(reason, passing)
    if isinstance(reason, OSError):
        message += _through_proxy(url)
    return (Passing if passing else SourceError)(message)


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
    """SourceError if url goes through a proxy whose setting is not a URL urllib can use."""
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
    return SourceError(
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
