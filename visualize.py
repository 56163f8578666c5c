"""What mnist_softmax.py shows when asked: the weights picture and TensorBoard logs.

Neither is part of the tutorial's computation; both are off unless a flag asks.
- weights_png / write_weights_image (--weights_image): the tutorial's picture of the
  learned weights, one 28x28 tile per digit, blue where a pixel counts for the digit and
  red where it counts against it. NumPy and zlib only.
- digits_png: the notebooks' picture of the first digits of the data, as the tutorial's.
- tensorboard_session (--log_dir): event files with the graph, under readable names,
  and every 10 steps the training loss and the validation accuracy, in a subfolder of
  their own for each run, so that TensorBoard shows runs side by side.
"""

import os
import struct
import time
import zlib

import numpy

import fetch_files

GAP_GRAY = 208  # the thin lines between tiles, so that white tile borders stay apart


def weights_png(weights, enlarge=4, gap=1):
    """PNG bytes of the ten columns of `weights` [784, 10] as 28x28 tiles in a row.

    One symmetric scale for the whole picture: the largest |weight| is full blue (if
    positive) or full red (if negative), and 0 is white.
    """
    weights = numpy.asarray(weights, dtype=numpy.float64)
    if weights.shape != (784, 10):
        raise ValueError('weights must have shape (784, 10), not %s' % (weights.shape,))
    largest = numpy.abs(weights).max()
    strength = weights / largest if largest > 0 else numpy.zeros_like(weights)
    # White fades to blue for positive weights, to red for negative ones.
    fade = numpy.rint(255 * (1 - numpy.abs(strength))).astype(numpy.uint8)
    red = numpy.where(strength < 0, 255, fade).astype(numpy.uint8)
    blue = numpy.where(strength > 0, 255, fade).astype(numpy.uint8)
    colours = numpy.stack([red, fade, blue], axis=-1)  # [784, 10, 3]
    return _tiles_png(colours.transpose(1, 0, 2), enlarge, gap)


def digits_png(images, enlarge=4, gap=1):
    """PNG bytes of images [N, 784] with pixels in [0, 1] as 28x28 tiles in a row: dark
    ink on white paper, as the tutorial shows the digits."""
    images = numpy.asarray(images, dtype=numpy.float64).reshape(-1, 784)
    gray = numpy.rint(255 * (1 - images)).astype(numpy.uint8)
    return _tiles_png(numpy.stack([gray] * 3, axis=-1), enlarge, gap)


def show_mistakes(image_path, print_counts, sess, x, y, test):
    """What the model gets wrong on the test set: with image_path (--mistakes_image) a
    picture of mistakes_png, with print_counts (--confusion) the confusion counts printed.
    Nothing when neither is asked for."""
    if not image_path and not print_counts:
        return
    predicted = sess.run(y, feed_dict={x: test.images}).argmax(axis=1)
    true = test.labels.argmax(axis=1) if test.labels.ndim == 2 else test.labels
    if print_counts:
        print(confusion_text(confusion(true, predicted)))
    if image_path:
        picture = mistakes_png(test.images, true, predicted)
        fetch_files.save_file(os.path.realpath(image_path), picture, what='the picture')


def confusion(true, predicted, classes=10):
    """counts[t, p]: how many examples of digit t were read as p."""
    counts = numpy.zeros((classes, classes), dtype=int)
    numpy.add.at(counts, (true, predicted), 1)
    return counts


def confusion_text(counts):
    """The confusion counts as a table: a row for each true digit, a column for each read."""
    lines = ['confusion: rows the true digit, columns the digit read']
    lines.append('     ' + ''.join('%6d' % digit for digit in range(len(counts))))
    for digit, row in enumerate(counts):
        lines.append('%5d' % digit + ''.join('%6d' % count for count in row))
    return '\n'.join(lines)


def mistakes_png(images, true, predicted, enlarge=2, gap=1):
    """PNG bytes of a 10x10 grid laid out as the confusion matrix: in row t and column p,
    the first test digit t that the model read as p, dark ink on white; the diagonal, where
    it was right, grey."""
    tile = 28 * enlarge
    step = tile + gap * enlarge
    picture = numpy.full((10 * step, 10 * step), GAP_GRAY, dtype=numpy.uint8)
    for digit in range(10):
        for read in range(10):
            top, left = digit * step, read * step
            cell = picture[top : top + tile, left : left + tile]
            wrong = numpy.flatnonzero((true == digit) & (predicted == read))
            if digit == read:
                cell[:] = 160
            elif len(wrong):
                pixels = numpy.asarray(images[wrong[0]], dtype=numpy.float64).reshape(28, 28)
                ink = numpy.rint(255 * (1 - pixels)).astype(numpy.uint8)
                cell[:] = ink.repeat(enlarge, axis=0).repeat(enlarge, axis=1)
            else:
                cell[:] = 255
    return _png(numpy.stack([picture] * 3, axis=-1))


def _tiles_png(tiles, enlarge, gap):
    """PNG bytes of tiles [N, 784, 3] (RGB), each 28x28 pixels enlarged, in a row."""
    tile = 28 * enlarge
    width = len(tiles) * tile + (len(tiles) - 1) * gap * enlarge
    picture = numpy.full((tile, width, 3), GAP_GRAY, dtype=numpy.uint8)
    for index, pixels in enumerate(tiles):
        pixels = pixels.reshape(28, 28, 3).repeat(enlarge, axis=0).repeat(enlarge, axis=1)
        left = index * (tile + gap * enlarge)
        picture[:, left : left + tile] = pixels
    return _png(picture)


def _png(picture):
    """PNG bytes of an RGB uint8 array [height, width, 3]."""
    height, width, _ = picture.shape

    def chunk(kind, data):
        return (
            struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
        )

    # Each row starts with its filter type, 0: the bytes as they are.
    rows = numpy.concatenate(
        [numpy.zeros((height, 1), numpy.uint8), picture.reshape(height, width * 3)], axis=1
    )
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', header)
        + chunk(b'IDAT', zlib.compress(rows.tobytes(), 9))
        + chunk(b'IEND', b'')
    )


def write_weights_image(path, weights):
    """Write weights_png(weights) to path, as every file here is written (fetch_files.save_file:
    a temporary file of an unpredictable name, renamed into place); nothing when path is None
    (--weights_image not given). A symbolic link is written through: the file it points to
    gets the picture, and the link stays a link. fetch_files.SaveError says why it failed."""
    if not path:
        return
    fetch_files.save_file(os.path.realpath(path), weights_png(weights), what='the picture')


def _readable_graph_def(graph, names):
    """The graph's GraphDef with the nodes of `names` {name: tensor or op} renamed.

    The tutorial's lines give no names, so TensorFlow calls W 'Variable' and the loss
    'Mean'. Renaming a copy for TensorBoard leaves the tutorial's lines as they are.
    """
    renames = {}
    for new, item in names.items():
        renames[getattr(item, 'op', item).name] = new

    def renamed(name):  # 'Variable', 'Variable:0', 'Variable/read' -> 'W', 'W:0', 'W/read'
        head, slash, rest = name.partition('/')
        if not slash:
            head, slash, rest = name.partition(':')
        return renames.get(head, head) + slash + rest

    graph_def = graph.as_graph_def()
    for node in graph_def.node:
        node.name = renamed(node.name)
        for index, source in enumerate(node.input):
            control = source.startswith('^')
            node.input[index] = ('^' if control else '') + renamed(source.lstrip('^'))
        # Ops placed with a variable name it in an attribute: b'loc:@Variable'.
        places = node.attr['_class'].list.s if '_class' in node.attr else []
        for index, place in enumerate(places):
            if place.startswith(b'loc:@'):
                places[index] = b'loc:@' + renamed(place[5:].decode()).encode()
    return graph_def


def new_run_folder(log_dir):
    """A new subfolder of log_dir for one run's logs, named by the time it started
    (20261130-142501, then 20261130-142501-2 for a second run in the same second).

    TensorBoard draws each subfolder as a run of its own, so a learner comparing two
    learning rates sees both curves; two runs logging into one folder would be drawn as
    one, the second over the first.
    """
    started = time.strftime('%Y%m%d-%H%M%S')
    for attempt in range(1, 1000):
        folder = os.path.join(log_dir, started if attempt == 1 else '%s-%d' % (started, attempt))
        try:
            os.makedirs(folder)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError('%s already has 999 runs that started at %s' % (log_dir, started))


def tensorboard_session(log_dir, sess, validation, every=10, **names):
    """sess itself when log_dir is None; else a session that also logs for TensorBoard.

    It writes the graph at once into a new subfolder of log_dir (new_run_folder), and
    then, at every `every`-th run of train_step, the loss on that batch and the accuracy
    on `validation`. So the tutorial's training loop stays as it is. `names` are the
    tutorial's tensors by the names to show: x, y_, y, cross_entropy and train_step are
    needed, W and b only named.
    """
    if not log_dir:
        return sess
    import tensorflow.compat.v1 as tf

    x, y_, y, cross_entropy = names['x'], names['y_'], names['y'], names['cross_entropy']
    train_step = names['train_step']
    readable = tf.Graph()
    with readable.as_default():
        tf.import_graph_def(_readable_graph_def(sess.graph, names), name='')
    writer = tf.summary.FileWriter(new_run_folder(log_dir), graph=readable)
    writer.flush()
    # Built after the graph was written, so the Graphs tab shows the tutorial alone.
    correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    validation_accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    class LoggingSession:
        """The session, whose run() also logs every `every`-th training step."""

        steps = 0
        session = sess  # the session itself, for what needs a real one (tf.train.Saver)

        def run(self, fetches, feed_dict=None, **options):
            result = sess.run(fetches, feed_dict=feed_dict, **options)
            if fetches is train_step:
                self.steps += 1
                if self.steps % every == 0:
                    self.log(feed_dict)
            return result

        def log(self, feed_dict):
            loss = sess.run(cross_entropy, feed_dict={x: feed_dict[x], y_: feed_dict[y_]})
            accuracy = sess.run(
                validation_accuracy, feed_dict={x: validation.images, y_: validation.labels}
            )
            writer.add_summary(
                tf.Summary(
                    value=[
                        tf.Summary.Value(tag='training_loss', simple_value=loss),
                        tf.Summary.Value(tag='validation_accuracy', simple_value=accuracy),
                    ]
                ),
                self.steps,
            )
            writer.flush()

        def __getattr__(self, name):  # everything else is the session's own
            return getattr(sess, name)

    return LoggingSession()
