"""Your own handwritten digits, read by the tutorial's trained model.

    python classify.py my_seven.png another.jpg
    my_seven.png: 7 (97%)
    another.jpg: 3 (64%)

Each picture (PNG, JPEG, GIF or BMP; any size, colour or grey, with or without
transparency) is made into a 28x28 image the way MNIST's digits were made: grey, the ink 1
and the paper 0 whatever the lighting, cropped to the ink, fitted into 20x20 keeping its
shape, and centred by its centre of mass. The model is the one `mnist_softmax.py
--save_model` saved (tf.train.Saver, as TF 1.x saved models); with none saved yet, this
trains the tutorial's model first and saves it. A picture that cannot be read gets one
line that says why; the others are still read, and the exit status is then 1.
"""

import argparse
import contextlib
import functools
import io
import os
import runpy
import sys

import numpy

import command_line
import fetch_files
import quiet_tensorflow
import visualize

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, 'model', 'mnist_softmax')  # where the tutorial's model is kept
SCRIPT = os.path.join(HERE, 'mnist_softmax.py')
INK_THRESHOLD = 0.25  # of the strongest ink: fainter is the paper's grain, or shadow
BOX = 20  # MNIST fitted each digit into 20x20 pixels, then centred it in 28x28
SIZE = 28


class ImageError(ValueError):
    """A picture that cannot be read as a digit; the message says why."""


class ModelError(ValueError):
    """A saved model that is not the tutorial's, or is broken; the message says what to do."""


def parse_flags(argv=None):
    parser = argparse.ArgumentParser(
        prog='classify.py',
        description="Read handwritten digits in pictures with the tutorial's trained model.",
    )
    parser.add_argument('images', nargs='+', metavar='IMAGE', help='PNG, JPEG, GIF or BMP files')
    parser.add_argument(
        '--model',
        default=MODEL,
        help='the saved model (default: model/mnist_softmax beside this script, trained '
        'and saved first if it is not there)',
    )
    parser.add_argument(
        '--seen_image',
        help='write the 28x28 images the model saw, in a row, as a PNG picture to this file '
        '(default: none)',
    )
    command_line.one_line_errors(parser)
    return parser.parse_args(argv)


def main(argv=None):
    flags = parse_flags(argv)
    with quiet_tensorflow.start_up():
        import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    if not os.path.exists(flags.model + '.index'):  # one of the files tf.train.Saver writes
        print('No saved model at %s: %s' % (flags.model, train_and_save(flags.model)))
    model = Model(flags.model)
    seen, failed = [], False
    for path in flags.images:
        try:
            digit = prepare(path)
        except ImageError as error:
            print('%s: %s' % (fetch_files.printable(path), error), file=sys.stderr)
            failed = True
            continue
        seen.append(digit)
        label, probability = model.read(digit)
        print('%s: %d (%.0f%%)' % (fetch_files.printable(path), label, 100 * probability))
    if flags.seen_image and seen:
        fetch_files.save_file(flags.seen_image, visualize.digits_png(numpy.array(seen)))
    return 1 if failed else 0


def train_and_save(path):
    """Run the tutorial's script in this process, as `mnist_softmax.py --save_model path`;
    what it printed, in one line."""
    printed = io.StringIO()
    arguments = sys.argv
    sys.argv = [SCRIPT, '--save_model', path]
    try:
        with contextlib.redirect_stdout(printed):
            runpy.run_path(SCRIPT, run_name='__main__')
    finally:
        sys.argv = arguments
    accuracy = printed.getvalue().split()[-1]
    return "trained the tutorial's model (test accuracy %s) and saved it there." % accuracy


# The model -----------------------------------------------------------------------------


def save_model(path, sess, W, b):
    """Save the trained W and b at path (a checkpoint prefix), as TF 1.x saved models;
    nothing when path is None (--save_model not given)."""
    if not path:
        return
    import tensorflow.compat.v1 as tf

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    session = getattr(sess, 'session', sess)  # the real one, with --log_dir as well
    tf.train.Saver({'W': W, 'b': b}).save(session, path, write_meta_graph=False)


class Model:
    """The tutorial's y = softmax(xW + b), with W and b restored from a checkpoint."""

    def __init__(self, path):
        import tensorflow.compat.v1 as tf

        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.placeholder(tf.float32, [None, 784])
            W = tf.Variable(tf.zeros([784, 10]))
            b = tf.Variable(tf.zeros([10]))
            self.probabilities = tf.nn.softmax(tf.matmul(self.x, W) + b)
            saver = tf.train.Saver({'W': W, 'b': b})
        self.session = tf.Session(graph=self.graph)
        try:
            with quiet_tensorflow.quietly(), self.graph.as_default():  # TensorFlow would log
                saver.restore(self.session, path)  # what the error says
        except (tf.errors.OpError, ValueError) as error:
            message = _reason(error) if isinstance(error, tf.errors.OpError) else str(error)
            raise ModelError(
                '%s is not a model saved by mnist_softmax.py --save_model, or it is broken '
                '(%s). Delete it to have the tutorial trained and saved anew, or give another '
                'with --model.' % (path, message)
            ) from None

    def read(self, digit):
        """(the digit it reads, the probability it gives that digit) of a 28x28 image."""
        probabilities = self.session.run(self.probabilities, {self.x: digit.reshape(1, 784)})[0]
        return int(probabilities.argmax()), float(probabilities.max())


# Making a picture into an MNIST digit --------------------------------------------------


def prepare(path):
    """The 28x28 image, floats in [0, 1], that the picture at path becomes, as MNIST's
    digits were made. ImageError when it cannot be read, or shows no ink."""
    try:
        with fetch_files.open_regular_file(path) as stream:
            encoded = stream.read()
    except OSError as error:
        raise ImageError(fetch_files.why_unreadable(error)) from None
    ink = ink_of(grey_on_white(decode(encoded)))
    return centred(fitted(cropped(ink)))


# How each kind of picture begins.
PICTURE_MAGIC = (b'\x89PNG\r\n\x1a\n', b'\xff\xd8\xff', b'GIF87a', b'GIF89a', b'BM')


def decode(encoded):
    """The pixels [height, width, channels] of PNG, JPEG, GIF (its first frame) or BMP bytes."""
    if not encoded.startswith(PICTURE_MAGIC):
        raise ImageError('not a picture: not PNG, JPEG, GIF or BMP')
    session, placeholder, pixels = _decoder()
    import tensorflow.compat.v1 as tf

    try:
        with quiet_tensorflow.quietly():  # TensorFlow would log what the error says
            return session.run(pixels, {placeholder: encoded})
    except tf.errors.OpError as error:
        raise ImageError('a broken picture (%s)' % _reason(error)) from None


def _reason(error):
    """TensorFlow's reason for a failed op: the last line of its message but the op's name
    ('Invalid PNG data, size 3000', 'Key W not found in checkpoint')."""
    lines = [line.strip() for line in error.message.splitlines()]
    reasons = [line for line in lines if line and not line.startswith('[[')]
    return reasons[-1] if reasons else error.message


def grey_on_white(pixels):
    """Grey levels in [0, 1] (1 white) of pixels [height, width, channels], uint8; where
    it is transparent, the picture is laid on white paper."""
    values = pixels.astype(numpy.float64) / 255
    channels = values.shape[2]
    colour, alpha = (values[..., :-1], values[..., -1:]) if channels in (2, 4) else (values, 1.0)
    colour = colour * alpha + (1 - alpha)  # over white
    if colour.shape[2] == 3:
        return colour @ numpy.array([0.299, 0.587, 0.114])  # luma, as JPEG weighs it
    return colour[..., 0]


def ink_of(grey):
    """Ink 1 and paper 0, whatever the lighting and whichever is darker: the paper is most
    of the picture, the ink what differs most from it."""
    paper = numpy.median(grey)
    difference = (
        grey - paper if paper < 0.5 else paper - grey
    )  # light ink on dark, or dark on light
    strongest = numpy.percentile(difference, 99.9)
    if strongest <= 0.1:  # nothing differs from the paper by more than a tenth
        raise ImageError('no ink found on it: a blank page?')
    ink = numpy.clip(difference / strongest, 0, 1)
    return numpy.clip((ink - INK_THRESHOLD) / (1 - INK_THRESHOLD), 0, 1)


def cropped(ink):
    """The smallest rectangle of `ink` that holds all of it."""
    rows, columns = numpy.nonzero(ink)
    return ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]


def fitted(ink):
    """ink resized, keeping its shape, so that its longer side is BOX pixels: each new pixel
    the average of the old ones it covers, as a scanner's would be."""
    height, width = ink.shape
    scale = BOX / max(height, width)
    size = max(1, round(height * scale)), max(1, round(width * scale))
    return _area_weights(height, size[0]) @ ink @ _area_weights(width, size[1]).T


def _area_weights(old, new):
    """Weights [new, old]: how much of each old pixel each new pixel covers, in shares."""
    old_edges = numpy.arange(old + 1)
    new_edges = numpy.linspace(0, old, new + 1)
    overlap = numpy.minimum(new_edges[1:, None], old_edges[None, 1:]) - numpy.maximum(
        new_edges[:-1, None], old_edges[None, :-1]
    )
    overlap = numpy.clip(overlap, 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def centred(ink):
    """ink placed in SIZE x SIZE so that its centre of mass is at the centre, as MNIST's."""
    height, width = ink.shape
    rows, columns = numpy.indices(ink.shape)
    total = ink.sum()
    centre = (rows * ink).sum() / total, (columns * ink).sum() / total
    top = int(numpy.clip(round(SIZE / 2 - centre[0]), 0, SIZE - height))
    left = int(numpy.clip(round(SIZE / 2 - centre[1]), 0, SIZE - width))
    digit = numpy.zeros((SIZE, SIZE))
    digit[top : top + height, left : left + width] = ink
    return digit


@functools.cache  # made once: a session, its placeholder for a file's bytes, and the pixels
def _decoder():
    import tensorflow.compat.v1 as tf

    graph = tf.Graph()
    with graph.as_default():
        encoded = tf.placeholder(tf.string)
        pixels = tf.io.decode_image(encoded, expand_animations=False)
    return tf.Session(graph=graph), encoded, pixels


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (ModelError, fetch_files.DownloadError, fetch_files.SaveError) as error:
        print(error, file=sys.stderr)
        sys.exit(1)
