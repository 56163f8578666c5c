"""classify.py, as a learner runs it: on a fresh checkout it trains the tutorial's model once
and reads the picture; then MNIST test digits however photographed or saved are read as the
originals, and what is no picture of a digit is one line each. Its flags, checked at once."""
import os
import re
import subprocess
import sys

import numpy
import pytest
from PIL import Image

import classify
from conftest import encoded, environment, mnist_test_digits, photo, unexplained

LINE = re.compile(r'(?P<path>.+): (?P<digit>\d) \((?P<percent>\d+)%\)(, or \d \(\d+%\))*')


def classify_in(folder, *arguments):
    return subprocess.run([sys.executable, str(folder / 'classify.py'), *map(str, arguments)],
                          capture_output=True, text=True, timeout=300, env=environment())


def read(result):
    """{path: digit} of what classify.py printed."""
    return {match['path']: int(match['digit'])
            for match in map(LINE.fullmatch, result.stdout.splitlines()) if match}


def test_on_a_fresh_checkout_it_trains_the_model_once_and_reads(checkout):
    folder, first_call = checkout
    assert first_call['status'] == 0, first_call['stderr']
    assert re.fullmatch(r'%s: 7 \(\d+%%\)\n' % re.escape(str(folder / 'first.png')), first_call['stdout'])
    said = unexplained(first_call['stderr'])
    model = folder / 'model' / 'mnist_softmax'
    assert said[0] == ("No saved model at %s yet: training the tutorial's model and saving it there "
                       '(python mnist_softmax.py --save_model %s), once.' % (model, model))
    # What the tutorial printed as it trained, on stderr: stdout is one line a picture.
    assert [line.split()[0] for line in said[1:5]] == ['Extracting'] * 4
    assert re.fullmatch(r'0\.9\d+', said[5]) and len(said) == 6
    assert sorted(os.listdir(folder / 'model')) == ['mnist_softmax.data-00000-of-00001', 'mnist_softmax.index']


def pictures_of(digit):
    """{name: file bytes}: one MNIST digit [28, 28] as learners' pictures of it show it."""
    light_on_dark = digit.astype(numpy.uint8)
    dark_on_white = 255 - light_on_dark
    on_a_photo = photo(digit)
    sideways = Image.fromarray(on_a_photo).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # a portrait photo, stored sideways as phones store it
    transparent = numpy.stack([numpy.zeros_like(digit)] * 3 + [light_on_dark], axis=-1)
    return {
        'original.png': encoded(light_on_dark, 'PNG'),
        'inverted.png': encoded(dark_on_white, 'PNG'),
        'enlarged.png': encoded(numpy.kron(dark_on_white, numpy.ones((5, 5), numpy.uint8)), 'PNG'),
        'shifted.png': encoded(numpy.pad(dark_on_white, ((5, 60), (70, 3)), constant_values=255), 'PNG'),
        'photo.jpg': encoded(on_a_photo, 'JPEG', quality=80),
        'shadow.jpg': encoded(photo(digit, shadow=(0.3, 30, 0.45)), 'JPEG', quality=85),
        'ruled.jpg': encoded(photo(digit, ruled=(28, 0.02, 0.8)), 'JPEG', quality=85),
        'portrait.jpg': encoded(sideways, 'JPEG', quality=85, exif=exif.tobytes()),
        'photo.webp': encoded(on_a_photo, 'WEBP'),
        'transparent.png': encoded(Image.fromarray(transparent, 'RGBA'), 'PNG'),  # no paper at all
        'scan.bmp': encoded(dark_on_white, 'BMP'),
        'drawing.gif': encoded(dark_on_white, 'GIF'),
    }


def bad_files(folder):
    """{path: the line classify.py should give it} of files that are no pictures of digits."""
    (folder / 'notes.txt').write_text('not a picture')
    (folder / 'cut.png').write_bytes(encoded(mnist_test_digits()[0][0], 'PNG')[:60])
    (folder / 'blank.png').write_bytes(encoded(numpy.full((30, 30), 255, numpy.uint8), 'PNG'))
    faint = numpy.clip(230 + numpy.random.RandomState(0).normal(0, 4, (60, 60)), 0, 255).astype(numpy.uint8)
    (folder / 'faint.jpg').write_bytes(encoded(faint, 'JPEG'))  # a blank page, photographed
    os.mkfifo(folder / 'pipe.png')  # never read: it could wait forever
    (folder / 'a folder').mkdir()
    return {
        folder / 'notes.txt': 'not a picture: not PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC',
        folder / 'cut.png': 'a broken PNG picture (image file is truncated)',
        folder / 'blank.png': 'no ink found on it: a blank page?',
        folder / 'faint.jpg': 'no ink found on it: a blank page?',
        folder / 'pipe.png': 'it is a FIFO (named pipe), not a file',
        folder / 'missing.png': 'it cannot be read (No such file or directory)',
        folder / 'a folder': 'it is a directory, not a file',
    }


def test_test_digits_however_photographed_are_read_as_the_original(checkout, tmp_path):
    # One call, as a learner makes it, with the default model (trained already: not again):
    # pictures of every kind, and among them files that are not pictures of digits, each
    # told in one line while the others are still read.
    folder, _ = checkout
    images, labels = mnist_test_digits()
    written = []
    for index in range(4):  # MNIST's first test digits: 7 2 1 0
        for name, data in pictures_of(images[index]).items():
            path = tmp_path / ('%d-%s' % (index, name))
            path.write_bytes(data)
            written.append(path)
    bad = bad_files(tmp_path)
    result = classify_in(folder, '--seen_image', tmp_path / 'seen.png', *written, *bad)
    assert result.returncode == 1
    digits = read(result)
    assert list(digits) == [str(path) for path in written]  # in order, the path as given
    for index in range(4):
        assert digits[str(tmp_path / ('%d-original.png' % index))] == labels[index]
        for name in pictures_of(images[index]):
            assert digits[str(tmp_path / ('%d-%s' % (index, name)))] == labels[index], name
    assert unexplained(result.stderr) == ['%s: %s' % item for item in bad.items()]  # no training
    seen = Image.open(tmp_path / 'seen.png')
    assert seen.width == len(written) * 112 + (len(written) - 1) * 4 and seen.height > 112


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
    (['--model', '/nowhere/mnist_softmax', 'x.png'],
     'argument --model: no saved model at /nowhere/mnist_softmax (no /nowhere/mnist_softmax.index); save '
     'one with python mnist_softmax.py --save_model /nowhere/mnist_softmax, or leave --model out to use the default'),
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

