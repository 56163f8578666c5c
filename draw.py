# /// script
# requires-python = ">=3.10,<3.14"
# dependencies = ["tensorflow>=2.12,<3", "numpy>=1.22", "pillow>=10.1", "pillow-heif>=0.16"]
# ///
"""Draw a digit in your browser and see the tutorial's model read it: what it saw, its ten
probabilities, and why, each digit's evidence (the weighted sum of the pixels plus a bias,
as the tutorial explains it).

    python draw.py
    The drawing page is at http://127.0.0.1:8000/ (Ctrl+C to stop).

A small web server on this machine only, with the standard library's http.server, for the
page draw.html, which needs no network. The picture drawn or picked there is made into an
MNIST digit by digit_picture.py and read by the model trained_model.py restores, as
classify.py reads a file: the same picture gives the same answer. The server answers its
page at / and POST /read with a picture's bytes; anything else is 404. It refuses a Host
that is not its own address (DNS rebinding) and a POST from another site's page, bounds
each request's size and time and the connections at once, and writes nothing to disk.
"""

import argparse
import base64
import errno
import hashlib
import http.server
import json
import os
import re
import socket
import sys
import threading
import webbrowser

import numpy

import command_line
import digit_picture
import pictures
import trained_model

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'draw.html')
MAX_BODY_BYTES = 10 * 1000 * 1000  # a phone's photo; the canvas sends some 10 kB
CONNECTION_SECONDS = 20  # the longest a connection may last, however slowly it sends
MAX_CONNECTIONS = 32  # at once; more are closed at once, until some end
READING_AT_ONCE = 4  # pictures read at once (each takes a core for some 50 ms)


def parse_flags(argv=None):
    parser = argparse.ArgumentParser(
        prog='draw.py',
        description="Draw a digit in your browser and see the tutorial's model read it.",
    )
    parser.add_argument(
        '--port',
        type=port_number,
        default=8000,
        help='the port on 127.0.0.1 to serve the page at; 0 picks a free one (default: 8000)',
    )
    command_line.add_model_flag(parser)
    parser.add_argument(
        '--no_browser',
        action='store_true',
        help="only print the page's address; do not open it in a browser (default: open it)",
    )
    command_line.one_line_errors(parser)
    return parser.parse_args(argv)


def port_number(text):
    value = command_line.whole_number(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError('must be from 0 to 65535, not %d' % value)
    return value


def main(argv=None):
    flags = parse_flags(argv)
    try:
        server = DrawingServer(flags.port)  # first: a port in use is told at once
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(
            'draw.py: error: port %d is in use, by another program or another draw.py; pick '
            'another with --port, or --port 0 for a free one' % flags.port,
            file=sys.stderr,
        )
        return 2
    try:
        server.model = trained_model.load(flags.model)
        url = 'http://127.0.0.1:%d/' % server.server_address[1]
        print('The drawing page is at %s (Ctrl+C to stop).' % url, flush=True)
        if not flags.no_browser:
            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        print('Stopped.', flush=True)
    finally:
        server.server_close()
    return 0


def reading(model, data):
    """What the page shows of a picture's bytes, as JSON-ready data: the 28x28 digit the
    model saw, its ten probabilities and best guesses, and for each digit the evidence:
    the picture of each pixel's x_j * W_ji, their sum, the bias b_i and the total.
    digit_picture.ImageError when the picture cannot be read."""
    digit = digit_picture.prepare_bytes(data)
    guesses = model.guesses(digit)
    per_pixel, sums, biases, totals = model.evidence(digit)
    # One scale for all ten digits, so that they compare: full colour from the 98th
    # percentile of the pixels' evidence, so that a few strong pixels leave the rest seen.
    inked = abs(per_pixel[digit.reshape(784) > 0])
    largest = float(numpy.percentile(inked, 98)) if inked.size else 0.0
    probabilities = dict(guesses)
    return {
        'seen': _data_url(pictures.digits_png(digit.reshape(1, 784))),
        'probabilities': [round(probabilities[index], 6) for index in range(10)],
        'guesses': [[digit, round(probability, 6)] for digit, probability in guesses[:3]],
        'evidence': [
            {
                'picture': _data_url(pictures.evidence_png(per_pixel[:, index], largest)),
                'sum': round(float(sums[index]), 4),
                'bias': round(float(biases[index]), 4),
                'total': round(float(totals[index]), 4),
            }
            for index in range(10)
        ],
    }


def _data_url(png):
    return 'data:image/png;base64,' + base64.b64encode(png).decode()


class DrawingServer(http.server.ThreadingHTTPServer):
    """The page's server, on 127.0.0.1 only: a thread for each connection, at most
    MAX_CONNECTIONS of them; each lasts CONNECTION_SECONDS at most."""

    daemon_threads = True  # Ctrl+C ends the server, whatever a connection is doing

    def __init__(self, port):
        self.model = None  # set once it is loaded, before the server serves
        self.page = _read_page()
        self.connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.readings = threading.BoundedSemaphore(READING_AT_ONCE)
        super().__init__(('127.0.0.1', port), PageHandler)

    def process_request(self, request, client_address):
        if not self.connections.acquire(blocking=False):
            self.shutdown_request(request)  # too many at once: this one waits for none
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        deadline = threading.Timer(CONNECTION_SECONDS, _cut, [request])
        deadline.daemon = True
        deadline.start()
        try:
            super().process_request_thread(request, client_address)
        finally:
            deadline.cancel()
            self.connections.release()

    def handle_error(self, request, client_address):
        pass  # a connection cut off or timed out: the browser tries again; nothing to say

    @property
    def addresses(self):
        """The Host headers, and the Origins, that name this server."""
        port = self.server_address[1]
        hosts = {'127.0.0.1:%d' % port, 'localhost:%d' % port}
        return hosts, {'http://' + host for host in hosts}


def _cut(request):
    """End a connection that has lasted too long: any read or write on it ends at once."""
    try:
        request.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _read_page():
    """(draw.html's bytes, its Content-Security-Policy): the page may run its own script
    and style, named by their sha256, and load nothing from anywhere."""
    with open(PAGE, 'rb') as page:
        html = page.read()
    hashes = {}
    for kind in ('script', 'style'):
        blocks = re.findall(rb'<%s>(.*?)</%s>' % (kind.encode(), kind.encode()), html, re.S)
        hashes[kind] = ' '.join(
            "'sha256-%s'" % base64.b64encode(hashlib.sha256(block).digest()).decode()
            for block in blocks
        )
    policy = (
        "default-src 'none'; script-src %s; style-src %s; img-src data: blob:; "
        "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
        % (hashes['script'], hashes['style'])
    )
    return html, policy


class PageHandler(http.server.BaseHTTPRequestHandler):
    """GET / for the page, POST /read for a picture's reading; anything else is 404."""

    server_version = 'draw.py'
    timeout = CONNECTION_SECONDS  # for each read on the connection's socket

    def log_message(self, format, *arguments):
        pass  # the learner's terminal shows the address and nothing else

    def do_GET(self):
        if not self._from_here():
            return
        if self.path != '/':
            return self._answer(404, {'error': 'There is nothing at %s.' % self.path})
        html, policy = self.server.page
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Security-Policy', policy)
        self._send_body(html)

    def do_POST(self):
        if not self._from_here():
            return
        if self.path != '/read':
            return self._answer(404, {'error': 'There is nothing at %s.' % self.path})
        data = self._picture_sent()
        if data is None:
            return
        with self.server.readings:
            try:
                answer = reading(self.server.model, data)
            except digit_picture.ImageError as error:
                return self._answer(400, {'error': 'That picture: %s.' % error})
        self._answer(200, answer)

    def _from_here(self):
        """False, having answered 403, for a request that names another host (a page of
        another site whose name was pointed at 127.0.0.1) or comes from another site."""
        hosts, origins = self.server.addresses
        if self.headers.get('Host') not in hosts:
            self._answer(
                403, {'error': 'This server answers for %s only.' % ' and '.join(sorted(hosts))}
            )
            return False
        origin = self.headers.get('Origin')
        if self.command == 'POST' and (
            (origin is not None and origin not in origins)
            or self.headers.get('Sec-Fetch-Site', 'same-origin') not in ('same-origin', 'none')
        ):
            self._answer(403, {'error': 'Pictures are read for the drawing page only.'})
            return False
        return True

    def _picture_sent(self):
        """The bytes of the picture POSTed, or None, having answered why not."""
        if self.headers.get_content_type() != 'application/octet-stream':
            self._answer(415, {'error': 'Send the picture as application/octet-stream.'})
            return None
        try:
            length = int(self.headers.get('Content-Length', ''))
        except ValueError:
            self._answer(411, {'error': "Say the picture's length (Content-Length)."})
            return None
        if not 0 < length <= MAX_BODY_BYTES:
            self.close_connection = True  # its body is never read
            self._answer(
                413,
                {
                    'error': 'That picture has %.1f MB; pictures up to %.0f MB are read here.'
                    % (length / 1e6, MAX_BODY_BYTES / 1e6)
                    if length
                    else 'That picture is empty.'
                },
            )
            return None
        try:
            data = self.rfile.read(length)
        except OSError:  # too slow (the socket's timeout), or cut at CONNECTION_SECONDS
            self.close_connection = True
            return None
        return data if len(data) == length else None

    def _answer(self, status, content):
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self._send_body(json.dumps(content).encode())

    def _send_body(self, body):
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.send_header('X-Content-Type-Options', 'nosniff')
        self.send_header('Referrer-Policy', 'no-referrer')
        self.end_headers()
        self.wfile.write(body)


if __name__ == '__main__':
    command_line.exit_with(main)
