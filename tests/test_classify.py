"""classify.py, as a learner runs it: on a fresh checkout it trains the tutorial's model once
and reads the picture; then MNIST test digits however photographed or saved are read as the
originals, and what is no picture of a digit is one line each. Its flags, checked at once."""
import os
import re
import subprocess
import sys

import pytest
from PIL import Image

import classify
from conftest import environment, mnist_test_digits, unexplained

# One pytest-xdist worker for this file and test_draw.py, which share the checkout: the
# other goes on with other tests while it is made.
pytestmark = pytest.mark.xdist_group('checkout')
LINE = re.compile(r'(?P<path>.+): (?P<digit>\d) \((?P<percent>\d+)%\)(, or \d \(\d+%\))*')


def classify_in(folder, *arguments):
    return subprocess.run([sys.executable, str(folder / 'classify.py'), *map(str, arguments)],
                          capture_output=True, text=True, timeout=300, env=environment())


def read(printed):
    """{path: digit} of what classify.py printed."""
    return {match['path']: int(match['digit'])
            for match in map(LINE.fullmatch, printed.splitlines()) if match}


def test_on_a_fresh_checkout_it_trains_the_model_once_and_reads_every_kind_of_picture(checkout):
    folder, first_call = checkout
    assert first_call['status'] == 1  # for the files that are no pictures of digits
    # Each picture of a digit read as that digit, in order, the path as given.
    _, labels = mnist_test_digits()
    digits = read(first_call['stdout'])
    assert list(digits) == first_call['pictures']
    for path, digit in digits.items():
        assert digit == labels[int(os.path.basename(path)[0])], path
    # First the training, once, on stderr (stdout is one line a picture), then one line
    # for each file that is no picture of a digit.
    said = unexplained(first_call['stderr'])
    model = folder / 'model' / 'mnist_softmax'
    assert said[0] == ("No saved model at %s yet: training the tutorial's model and saving it there "
                       '(python mnist_softmax.py --save_model %s), once.' % (model, model))
    assert [line.split()[0] for line in said[1:5]] == ['Extracting'] * 4
    assert re.fullmatch(r'0\.9\d+', said[5])
    assert said[6:] == ['%s: %s' % item for item in first_call['bad'].items()]
    assert sorted(os.listdir(folder / 'model')) == ['mnist_softmax.data-00000-of-00001', 'mnist_softmax.index']
    seen = Image.open(folder / 'seen.png')
    assert seen.width == len(digits) * 112 + (len(digits) - 1) * 4 and seen.height > 112


@pytest.mark.parametrize('guesses, top, said', [
    ([(7, 0.97), (1, 0.02)], None, '7 (97%)'),
    ([(3, 0.52), (5, 0.41)], None, '3 (52%), or 5 (41%)'),  # not sure
    ([(3, 0.62), (5, 0.33)], None, '3 (62%), or 5 (33%)'),  # sure enough, but the next is close
    ([(3, 0.7), (5, 0.2)], None, '3 (70%)'),
    ([(3, 0.7), (5, 0.2), (8, 0.05)], 3, '3 (70%), or 5 (20%), or 8 (5%)'),
    ([(3, 0.52), (5, 0.41)], 1, '3 (52%)'),
])
def test_an_answer_says_how_sure_it_is(guesses, top, said):
    assert classify.answer(guesses, top) == said


@pytest.mark.parametrize('flags, message', [
    (['--model', '', 'x.png'], 'argument --model: the name is empty; give the name of a saved model'),
    (['--top', '11', 'x.png'], 'argument --top: there are only 10 digits, not 11'),
    (['--seen_image', 'x.png', 'x.png'], 'argument --seen_image: x.png is one of the pictures to read; give another name'),
    (['--seen_image', '/dev/full', 'x.png'], 'argument --seen_image: /dev/full is a character device; give the name of a file'),
    (['--seen_image', 'pictures/', 'x.png'], 'argument --seen_image: pictures/ names a folder; give the name of a file in it'),
])
def test_a_bad_flag_is_classifys_own_one_line_at_once(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        classify.parse_flags(flags)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == 'classify.py: error: %s\n' % message


def test_a_models_name_given_with_its_suffix_is_the_model(checkout):
    folder, _ = checkout
    index = folder / 'model' / 'mnist_softmax.index'
    assert classify.parse_flags(['--model', str(index), 'x.png']).model == str(folder / 'model' / 'mnist_softmax')
