"""classify.py: a learner's own pictures of digits, read by the tutorial's model, and the
model saved and restored. The model is trained once for these tests, on the real data,
by classify.py itself, as on a fresh checkout."""
import contextlib
import io
import os
import re
import subprocess
import sys

import numpy
import pytest

import classify
import input_data
from conftest import REAL_DATA_DIR, ROOT, bmp, environment, gif, photo, unexplained

tf = pytest.importorskip('tensorflow')
CLASSIFY = os.path.join(ROOT, 'classify.py')
LINE = re.compile(r'(?P<path>.+): (?P<digit>\d) \((?P<percent>\d+)%\)')


def classify_files(*arguments):
    return subprocess.run([sys.executable, CLASSIFY, *map(str, arguments)], capture_output=True,
                          text=True, timeout=300, env=environment())


def read(result):
    """{path: digit} of what classify.py printed."""
    return {match['path']: int(match['digit'])
            for match in map(LINE.fullmatch, result.stdout.splitlines()) if match}


@pytest.fixture(scope='module')
def test_digits():
    with contextlib.redirect_stdout(io.StringIO()):
        mnist = input_data.read_data_sets(REAL_DATA_DIR, reshape=False, dtype=numpy.uint8)
    return mnist.test.images[:, :, :, 0], mnist.test.labels


@pytest.fixture(scope='module')
def model(tmp_path_factory, test_digits):
    """A model trained and saved by classify.py, as on a fresh checkout: its first call."""
    folder = tmp_path_factory.mktemp('model')
    first = folder / 'seven.png'
    first.write_bytes(tf.io.encode_png(test_digits[0][0][:, :, None]).numpy())
    result = classify_files('--model', folder / 'saved' / 'mnist_softmax', first)
    assert result.returncode == 0, result.stderr
    said, read_as = result.stdout.splitlines()
    assert re.fullmatch(r"No saved model at .*: trained the tutorial's model \(test accuracy "
                        r'0\.9\d+\) and saved it there\.', said)
    assert read_as.startswith('%s: 7 (' % first)  # MNIST's first test digit
    assert unexplained(result.stderr) == []
    return folder / 'saved' / 'mnist_softmax'


def pictures(digit):
    """{name: file bytes}: one MNIST digit [28, 28] as learners' pictures of it show it."""
    light_on_dark = digit[:, :, None]
    dark_on_white = 255 - light_on_dark
    on_a_photo = photo(digit)
    transparent = numpy.concatenate([numpy.zeros((28, 28, 3), numpy.uint8), light_on_dark], axis=2)
    return {
        'original.png': tf.io.encode_png(light_on_dark).numpy(),
        'inverted.png': tf.io.encode_png(dark_on_white).numpy(),
        'enlarged.png': tf.io.encode_png(numpy.kron(dark_on_white, numpy.ones((5, 5, 1), numpy.uint8))).numpy(),
        'shifted.png': tf.io.encode_png(numpy.pad(dark_on_white, ((5, 60), (70, 3), (0, 0)),
                                                  constant_values=255)).numpy(),
        'coloured.png': tf.io.encode_png(photo(digit, scale=1, canvas=(40, 40), at=(6, 2))).numpy(),
        'photo.jpg': tf.io.encode_jpeg(on_a_photo, quality=80).numpy(),
        'grey.jpg': tf.io.encode_jpeg(dark_on_white, quality=90).numpy(),
        'transparent.png': tf.io.encode_png(transparent).numpy(),  # black ink, no paper at all
        'scan.bmp': bmp(numpy.repeat(dark_on_white, 3, axis=2)),
        'drawing.gif': gif(dark_on_white[:, :, 0]),
    }


def bad_files(folder, good):
    """{path: the line classify.py should give it} of files that are no pictures of digits."""
    (folder / 'notes.txt').write_text('not a picture')
    (folder / 'cut.png').write_bytes(good[:60])
    (folder / 'blank.png').write_bytes(tf.io.encode_png(numpy.full((30, 30, 1), 255, numpy.uint8)).numpy())
    os.mkfifo(folder / 'pipe.png')  # never read: it could wait forever
    (folder / 'a folder').mkdir()
    return {
        folder / 'notes.txt': 'not a picture: not PNG, JPEG, GIF or BMP',
        folder / 'cut.png': 'a broken picture (Invalid PNG data, size 60)',
        folder / 'blank.png': 'no ink found on it: a blank page?',
        folder / 'pipe.png': 'it is a FIFO (named pipe), not a file',
        folder / 'missing.png': 'it cannot be read (No such file or directory)',
        folder / 'a folder': 'it is a directory, not a file',
    }


def test_test_digits_however_photographed_are_read_as_the_original(model, tmp_path, test_digits):
    # One call, as a learner makes it: pictures of every kind, and among them files that are
    # not pictures of digits, each told in one line while the others are still read.
    images, labels = test_digits
    written = []
    for index in range(6):  # MNIST's first test digits: 7 2 1 0 4 1
        for name, data in pictures(images[index]).items():
            path = tmp_path / ('%d-%s' % (index, name))
            path.write_bytes(data)
            written.append(path)
    bad = bad_files(tmp_path, written[0].read_bytes())
    result = classify_files('--model', model, '--seen_image', tmp_path / 'seen.png', *written, *bad)
    assert result.returncode == 1
    digits = read(result)
    assert list(digits) == [str(path) for path in written]  # in order, the path as given
    for index in range(6):
        original = digits[str(tmp_path / ('%d-original.png' % index))]
        assert original == labels[index]
        for name in pictures(images[index]):
            assert digits[str(tmp_path / ('%d-%s' % (index, name)))] == original, name
    assert unexplained(result.stderr) == ['%s: %s' % item for item in bad.items()]
    seen = tf.io.decode_png((tmp_path / 'seen.png').read_bytes()).numpy()
    assert seen.shape == (28 * 4, len(written) * 28 * 4 + (len(written) - 1) * 4, 3)


def test_a_model_that_is_not_the_tutorials_is_a_clear_error(tmp_path):
    other = tmp_path / 'other'
    graph = tf.Graph()
    with graph.as_default():
        weights = tf.Variable(tf.zeros([5]), name='weights')
        with tf.compat.v1.Session() as session:
            session.run(weights.initializer)
            tf.compat.v1.train.Saver().save(session, str(other), write_meta_graph=False)
    (tmp_path / 'broken.index').write_bytes(b'junk')
    for path, reason in ((other, 'Key W not found in checkpoint'),
                         (tmp_path / 'broken', 'file is too short to be an sstable')):
        with pytest.raises(classify.ModelError) as caught:
            classify.Model(str(path))
        assert str(caught.value) == (
            '%s is not a model saved by mnist_softmax.py --save_model, or it is broken (%s). Delete '
            'it to have the tutorial trained and saved anew, or give another with --model.' % (path, reason))


# The steps, on tiny pictures --------------------------------------------------------------

def test_transparency_is_laid_on_white_and_colour_made_grey():
    rgba = numpy.array([[[255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128]]], numpy.uint8)
    numpy.testing.assert_allclose(classify.grey_on_white(rgba), [[0.299, 1.0, 1 - 128 / 255]])
    grey_alpha = numpy.array([[[0, 255], [0, 0]]], numpy.uint8)
    numpy.testing.assert_allclose(classify.grey_on_white(grey_alpha), [[0.0, 1.0]])


def test_the_ink_is_one_and_the_paper_zero_whichever_is_darker():
    paper = numpy.full((10, 10), 0.9)
    paper[4:6, 2:8] = 0.1  # a dark stroke
    dark_ink = classify.ink_of(paper)
    light_ink = classify.ink_of(1 - paper)
    numpy.testing.assert_allclose(dark_ink, light_ink)
    assert dark_ink[5, 5] == 1 and dark_ink[0, 0] == 0 and dark_ink.sum() == 12
    with pytest.raises(classify.ImageError, match='no ink'):
        classify.ink_of(numpy.full((5, 5), 0.5))


def test_cropped_fitted_into_20_and_centred_by_its_centre_of_mass():
    ink = numpy.zeros((50, 50))
    ink[10:40, 20:25] = 1  # a bar 30 high and 5 wide
    box = classify.cropped(ink)
    assert box.shape == (30, 5)
    fitted = classify.fitted(box)
    assert fitted.shape == (20, 3)  # the longer side 20, the shape kept
    digit = classify.centred(fitted)
    rows, columns = numpy.indices(digit.shape)
    centre = (rows * digit).sum() / digit.sum(), (columns * digit).sum() / digit.sum()
    assert digit.shape == (28, 28) and abs(centre[0] - 14) <= 0.5 and abs(centre[1] - 14) <= 0.5
