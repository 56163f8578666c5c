"""draw.py: its server over real sockets (good pictures, each bad request, a foreign Host, a
cross-site POST, ten at once, a stalled client, a port in use, Ctrl+C), and its page in a
real browser, headless Chromium driven by Selenium: a digit drawn with pointer input, an
MNIST digit picked as a file and read as classify.py reads it, and a file that is no picture.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy
import pytest

import draw
from conftest import encoded, environment, mnist_test_digits, png_header_only

CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
# One pytest-xdist worker for this file and test_classify.py: one checkout, one server and
# one browser for all their tests.
pytestmark = pytest.mark.xdist_group('checkout')


def start_page_server(folder, *flags):
    """`python draw.py --no_browser --port 0 FLAGS` in folder, and the address it printed."""
    process = subprocess.Popen([sys.executable, str(folder / 'draw.py'), '--no_browser', '--port', '0', *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment())
    line = process.stdout.readline()
    match = re.fullmatch(r'The drawing page is at (http://127\.0\.0\.1:(\d+)/) \(Ctrl\+C to stop\)\.\n', line)
    assert match, line + process.stderr.read()
    return process, match[1], int(match[2])


@pytest.fixture(scope='module')
def page_server(checkout):
    """draw.py serving the checkout's model, as a learner starts it; at the end, Ctrl+C."""
    folder, _ = checkout
    before = sorted(os.listdir(folder))
    process, url, port = start_page_server(folder)
    yield url, port
    process.send_signal(signal.SIGINT)  # Ctrl+C: one line, exit status 0, no traceback
    stdout, stderr = process.communicate(timeout=30)
    assert (process.returncode, stdout, stderr) == (0, 'Stopped.\n', '')
    assert sorted(os.listdir(folder)) == before  # nothing written


def post(port, body, headers=None, path='/read', host=None, method='POST'):
    """(status, JSON answer) of a request to the server on 127.0.0.1:port."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    sent = {'Host': host or '127.0.0.1:%d' % port, 'Content-Type': 'application/octet-stream'}
    sent.update(headers or {})
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in sent.items():
        if value is not None:
            connection.putheader(name, value)
    if body is not None and 'Content-Length' not in sent:
        connection.putheader('Content-Length', str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    return response.status, json.loads(answer) if answer.startswith(b'{') else answer


def digit_png(index):
    """The PNG bytes of MNIST test digit `index`, dark ink on white as on paper, and its label."""
    images, labels = mnist_test_digits()
    return encoded((255 - images[index]).astype(numpy.uint8), 'PNG'), int(labels[index])


# The server, over real sockets ---------------------------------------------------------

def test_a_picture_is_read_with_its_evidence(page_server, checkout):
    _, port = page_server
    png, label = digit_png(1)  # a 2
    status, answer = post(port, png)
    assert status == 200
    probabilities = numpy.array(answer['probabilities'])
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-4
    assert answer['guesses'][0][0] == probabilities.argmax() == label
    for evidence in answer['evidence']:
        assert evidence['picture'].startswith('data:image/png;base64,')
        assert abs(evidence['sum'] + evidence['bias'] - evidence['total']) < 2e-4
    # softmax of the totals is the probabilities: the evidence is the model's own.
    totals = numpy.array([evidence['total'] for evidence in answer['evidence']])
    softmax = numpy.exp(totals - totals.max()) / numpy.exp(totals - totals.max()).sum()
    numpy.testing.assert_allclose(softmax, probabilities, atol=1e-3)


@pytest.mark.parametrize('body, headers, status, error', [
    (b'', None, 413, 'That picture is empty.'),
    (None, {'Content-Length': '20000000'}, 413, 'That picture has 20.0 MB; pictures up to 10 MB are read here.'),
    (b'x', {'Content-Length': 'many'}, 411, "Say the picture's length (Content-Length)."),
    (b'{"a": 1}', {'Content-Type': 'application/json'}, 415, 'Send the picture as application/octet-stream.'),
    (b'hello', None, 400, 'That picture: not a picture: not PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC.'),
    ('too many pixels', None, 400, 'That picture: it has 10000x8000 pixels, more than the 50 million read '
     'here: save it smaller (a phone at 12 megapixels, or any picture editor).'),
    ('blank', None, 400, 'That picture: no ink found on it: a blank page?.'),
    ('broken', None, 400, 'That picture: a broken PNG picture (image file is truncated).'),
])
def test_a_bad_request_gets_a_clear_error_and_the_server_goes_on(page_server, body, headers, status, error):
    _, port = page_server
    body = {'too many pixels': png_header_only(10000, 8000),
            'blank': encoded(numpy.full((40, 40), 250, numpy.uint8), 'PNG'),
            'broken': digit_png(0)[0][:60]}.get(body, body)
    assert post(port, body, headers) == (status, {'error': error})
    assert post(port, digit_png(0)[0])[0] == 200  # still serving


@pytest.mark.parametrize('headers, host', [
    ({}, 'evil.example:80'),  # DNS rebinding: another site's name, pointed at 127.0.0.1
    ({'Origin': 'http://evil.example'}, None),  # another site's page posting to us
    ({'Sec-Fetch-Site': 'cross-site'}, None),
])
def test_a_foreign_host_or_a_cross_site_post_is_refused(page_server, headers, host):
    _, port = page_server
    status, answer = post(port, digit_png(0)[0], headers, host=host)
    assert status == 403 and 'error' in answer
    assert post(port, digit_png(0)[0], {'Origin': 'http://localhost:%d' % port})[0] == 200


def test_only_the_page_and_the_reading_are_served(page_server):
    _, port = page_server
    assert post(port, None, {'Content-Type': None}, path='/', method='GET')[0] == 200
    for path, method in (('/draw.py', 'GET'), ('/../trained_model.py', 'GET'), ('/model', 'GET'),
                         ('/read', 'GET'), ('/', 'POST'), ('/other', 'POST')):
        assert post(port, b'x' if method == 'POST' else None, path=path, method=method)[0] == 404, path
    assert post(port, b'x', method='PUT')[0] == 501
    status, answer = post(port, None, path='/', method='GET', host='127.0.0.1.evil.example')
    assert status == 403


def test_the_page_may_run_its_own_script_only(page_server):
    _, port = page_server
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    connection.request('GET', '/')
    response = connection.getresponse()
    page = response.read().decode()
    policy = response.getheader('Content-Security-Policy')
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)
    # Nothing from the network: no URL in the page but its own endpoint.
    assert not re.search(r'(src|href)=["\']?(https?:)?//', page) and 'http://' not in page and 'https://' not in page


def test_ten_requests_at_once_are_all_answered(page_server):
    _, port = page_server
    answers = []
    threads = [threading.Thread(target=lambda index=index: answers.append(post(port, digit_png(index)[0])))
               for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _ in answers) == [200] * 10
    read = {answer['guesses'][0][0] for _, answer in answers}
    assert len(read) > 3  # ten different digits, not one answer ten times


def test_a_stalled_client_does_not_hold_the_server(page_server):
    _, port = page_server
    stalled = socket.create_connection(('127.0.0.1', port))
    stalled.sendall(b'POST /read HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 1000\r\n\r\nab' % port)
    started = time.monotonic()
    assert post(port, digit_png(0)[0])[0] == 200  # answered while the other waits
    assert time.monotonic() - started < 5
    stalled.close()


def test_a_connection_is_cut_after_its_time(monkeypatch):
    # In this process, with the server's time bound made short: the model is never asked.
    monkeypatch.setattr(draw, 'CONNECTION_SECONDS', 0.5)
    monkeypatch.setattr(draw.PageHandler, 'timeout', 0.5)
    server = draw.DrawingServer(0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        stalled = socket.create_connection(server.server_address, timeout=10)
        stalled.sendall(b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')  # and never the rest
        started = time.monotonic()
        assert stalled.recv(100) == b''  # the server closed it
        assert time.monotonic() - started < 3
        trickle = socket.create_connection(server.server_address, timeout=10)
        started = time.monotonic()
        for _ in range(20):  # a header byte every 0.2 s: within each read's time, but slow
            try:
                trickle.sendall(b'X')
            except OSError:
                break
            time.sleep(0.2)
        assert time.monotonic() - started < 2.5  # cut at CONNECTION_SECONDS, not at 4 s
    finally:
        server.shutdown()
        server.server_close()


def test_a_port_in_use_is_one_line_and_status_2(checkout):
    folder, _ = checkout
    taken = socket.socket()
    taken.bind(('127.0.0.1', 0))
    taken.listen()
    port = taken.getsockname()[1]
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(folder / 'draw.py'), '--no_browser', '--port', str(port)],
                            capture_output=True, text=True, timeout=60, env=environment())
    taken.close()
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == ('draw.py: error: port %d is in use, by another program or another draw.py; pick '
                             'another with --port, or --port 0 for a free one\n' % port)
    assert time.monotonic() - started < 10  # told before the model is loaded


@pytest.mark.parametrize('flags, message', [
    (['--port', '70000'], 'argument --port: must be from 0 to 65535, not 70000'),
])
def test_a_bad_flag_is_one_line_at_once(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        draw.parse_flags(flags)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == 'draw.py: error: %s\n' % message


# The page, in a real browser -----------------------------------------------------------

@pytest.fixture(scope='module')
def browser():
    """Headless Chromium, driven by Selenium; skipped where there is none, except in CI."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing or not _selenium():
        why = ('no browser for the page tests (%s): apt install chromium chromium-driver, and pip install '
               'selenium' % ', '.join(missing or ['selenium']))
        if os.environ.get('CI') == 'true':
            pytest.fail(why)
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                 '--no-first-run', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--window-size=1100,820'):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _selenium():
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return True


def page(browser, page_server):
    browser.get(page_server[0])
    browser.get_log('browser')  # what loading logged is checked by each test, from here
    return browser


def reading_shown(browser, before=''):
    """(digit, probabilities) once the page shows a reading other than `before`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 30).until(lambda _: browser.find_element(By.ID, 'read-digit').text not in ('–', before)
                                     or browser.find_element(By.ID, 'error').text)
    return browser.find_element(By.ID, 'read-digit').text, browser.execute_script('return shown.reading.probabilities')


def draw_strokes(browser, strokes):
    """Draw with the mouse: each stroke a list of points (offsets from the canvas's centre)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    canvas = browser.find_element(By.ID, 'canvas')
    for stroke in strokes:
        actions = ActionChains(browser).move_to_element_with_offset(canvas, *stroke[0]).click_and_hold()
        for point in stroke[1:]:
            actions.move_to_element_with_offset(canvas, *point)
        actions.release().perform()


def no_console_errors(browser):
    return [entry for entry in browser.get_log('browser') if entry['level'] == 'SEVERE']


def test_a_digit_drawn_with_the_mouse_is_read(browser, page_server, tmp_path_factory):
    from selenium.webdriver.common.by import By
    page(browser, page_server)
    draw_strokes(browser, [[(-60, -95), (50, -95), (-5, -15), (55, 40), (0, 100), (-65, 85)]])  # a 3
    digit, probabilities = reading_shown(browser)
    assert digit == '3' and abs(sum(probabilities) - 1) < 1e-4
    shown = [bar.text.split() for bar in browser.find_elements(By.CSS_SELECTOR, '.bar')]
    assert [row[0] for row in shown] == [str(digit) for digit in range(10)]
    assert browser.find_element(By.ID, 'seen').get_attribute('src').startswith('data:image/png')
    evidence = browser.find_element(By.ID, 'evidence-picture')
    assert evidence.get_attribute('src').startswith('data:image/png')
    assert browser.find_element(By.ID, 'evidence-title').text == 'The evidence for 3'
    assert re.fullmatch(r'pixels × weights −?\d+\.\d\d \+ bias −?\d+\.\d\d = evidence −?\d+\.\d\d',
                        browser.find_element(By.ID, 'sum').text)
    # Pointing at another digit shows its evidence, by keyboard too.
    browser.find_elements(By.CSS_SELECTOR, '.bar')[8].click()
    assert browser.find_element(By.ID, 'evidence-title').text == 'The evidence for 8'
    screenshot = tmp_path_factory.getbasetemp() / 'draw-page.png'
    browser.save_screenshot(str(screenshot))
    print('\nThe page, drawn on: %s' % screenshot)
    assert no_console_errors(browser) == []


def test_an_mnist_digit_picked_as_a_file_is_read_as_classify_py_reads_it(browser, page_server, checkout):
    from selenium.webdriver.common.by import By
    _, first_call = checkout
    page(browser, page_server)
    # A picture classify.py read at its first call on the checkout: MNIST's first test digit.
    path = first_call['pictures'][0]
    browser.find_element(By.ID, 'file').send_keys(path)
    digit, _ = reading_shown(browser)
    probability = browser.find_element(By.ID, 'read-probability').text.strip('()')
    assert first_call['stdout'].splitlines()[0] == '%s: %s (%s)' % (path, digit, probability)
    assert no_console_errors(browser) == []


def test_a_file_that_is_no_picture_is_one_line_on_the_page(browser, page_server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    page(browser, page_server)
    notes = tmp_path / 'notes.txt'
    notes.write_text('not a picture')
    browser.find_element(By.ID, 'file').send_keys(str(notes))
    WebDriverWait(browser, 30).until(lambda _: browser.find_element(By.ID, 'error').text)
    assert browser.find_element(By.ID, 'error').text == (
        'That picture: not a picture: not PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC.')
    browser.find_element(By.ID, 'clear').click()  # and the page goes on: a 1
    assert browser.find_element(By.ID, 'error').text == ''
    draw_strokes(browser, [[(0, -100), (0, 100)]])
    digit, _ = reading_shown(browser)
    assert digit == '1' and browser.find_element(By.ID, 'error').text == ''
