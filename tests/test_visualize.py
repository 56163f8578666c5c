"""The weights picture and the TensorBoard logs, checked with TensorFlow's own readers."""
import contextlib
import glob
import io
import os
import re
import subprocess
import sys

import numpy
import pytest

import visualize
from conftest import ROOT, SCRIPT, environment, unexplained

tf = pytest.importorskip('tensorflow')

ENLARGE, TILE, GAP = 4, 112, 4


def decode(png):
    return tf.io.decode_png(png, channels=3).numpy()  # an independent PNG decoder


def tile(picture, digit):
    left = digit * (TILE + GAP)
    return picture[:, left:left + TILE].astype(int)


def weight_index(row, column):
    """The row of W that the pixel (row, column) of a tile shows."""
    return (row // ENLARGE) * 28 + column // ENLARGE


def assert_picture_shows(picture, weights):
    assert picture.shape == (TILE, 10 * TILE + 9 * GAP, 3)
    assert (picture[:, TILE:TILE + GAP] == visualize.GAP_GRAY).all()
    for digit in range(10):
        pixels = tile(picture, digit)
        blueness = pixels[..., 2] - pixels[..., 0]
        column = weights[:, digit]
        # The bluest pixels show the largest weight, the reddest the smallest.
        bluest = numpy.argwhere(blueness == blueness.max())
        assert column.max() in {column[weight_index(*place)] for place in bluest}
        reddest = numpy.argwhere(blueness == blueness.min())
        assert column.min() in {column[weight_index(*place)] for place in reddest}
        # Zero is white; and a positive weight is never red, a negative never blue.
        for row in range(0, TILE, ENLARGE):
            for col in range(0, TILE, ENLARGE):
                weight, colour = column[weight_index(row, col)], tuple(pixels[row, col])
                if weight == 0:
                    assert colour == (255, 255, 255)
                elif weight > 0:
                    assert colour[2] == 255 and colour[0] == colour[1]
                else:
                    assert colour[0] == 255 and colour[1] == colour[2]


def test_picture_of_made_up_weights():
    random = numpy.random.RandomState(0)
    weights = random.normal(size=(784, 10))
    weights[random.rand(784, 10) < 0.2] = 0
    weights[100, 3], weights[200, 3] = 9.0, -9.0  # one scale for all: tile 3 is the extreme
    picture = decode(visualize.weights_png(weights))
    assert_picture_shows(picture, weights)
    assert tuple(tile(picture, 3)[(100 // 28) * 4, (100 % 28) * 4]) == (0, 0, 255)
    assert tuple(tile(picture, 3)[(200 // 28) * 4, (200 % 28) * 4]) == (255, 0, 0)
    assert tile(picture, 0)[..., 2].min() > 0  # other tiles stay pale beside tile 3


def test_one_scale_for_both_signs_set_by_the_largest_magnitude():
    # The most negative weight is four times the most positive: it is full red, and the
    # positive one a quarter blue. A scale taken from max(w) alone would not tell them.
    weights = numpy.zeros((784, 10))
    weights[0, 0], weights[1, 0] = 1.0, -4.0
    picture = decode(visualize.weights_png(weights))
    assert tuple(tile(picture, 0)[0, 0]) == (191, 191, 255)  # 255 * (1 - 1/4) = 191.25
    assert tuple(tile(picture, 0)[0, ENLARGE]) == (255, 0, 0)
    assert tuple(tile(picture, 0)[0, 2 * ENLARGE]) == (255, 255, 255)  # 0 is white


def test_the_logged_validation_accuracy_is_on_the_validation_set(tmp_path):
    # Learning rate 0: W and b stay 0, so every prediction is digit 0. The validation set
    # is all zeros, the training batches all threes: its accuracy is 1, theirs 0, and the
    # loss ln 10 at every step.
    import input_data
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 784])
        W = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        y = tf.matmul(x, W) + b
        y_ = tf.compat.v1.placeholder(tf.float32, [None, 10])
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
        train_step = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(cross_entropy)
        images = numpy.random.RandomState(0).randint(0, 256, (20, 28, 28, 1)).astype(numpy.uint8)
        validation = input_data.DataSet(images, numpy.eye(10)[numpy.zeros(20, int)])
        with tf.compat.v1.Session() as plain:
            plain.run(tf.compat.v1.global_variables_initializer())
            sess = visualize.tensorboard_session(str(tmp_path), plain, validation, x=x, y_=y_, W=W,
                                                 b=b, y=y, cross_entropy=cross_entropy,
                                                 train_step=train_step)
            threes = numpy.eye(10)[numpy.full(5, 3)]
            for _ in range(20):
                sess.run(train_step, feed_dict={x: images[:5].reshape(5, 784) / 255.0, y_: threes})
    events = tf.compat.v1.train.summary_iterator(glob.glob(str(tmp_path / '*' / 'events.*'))[0])
    logged = [(event.step, value.tag, value.simple_value)
              for event in events for value in event.summary.value]
    assert [(step, tag) for step, tag, _ in logged] == [
        (step, tag) for step in (10, 20) for tag in ('training_loss', 'validation_accuracy')]
    for _, tag, value in logged:
        assert value == pytest.approx(numpy.log(10) if tag == 'training_loss' else 1.0, rel=1e-6)


def test_picture_of_digits_is_dark_ink_on_white():
    images = numpy.zeros((3, 784))
    images[1, 28 * 5 + 7] = 1.0  # digit 1, row 5, column 7: full ink
    images[2, :] = 0.5
    picture = decode(visualize.digits_png(images))
    assert picture.shape == (TILE, 3 * TILE + 2 * GAP, 3)
    assert (tile(picture, 0) == 255).all()  # no ink: white
    assert tuple(tile(picture, 1)[5 * ENLARGE, 7 * ENLARGE]) == (0, 0, 0)
    assert tuple(tile(picture, 1)[5 * ENLARGE, 8 * ENLARGE]) == (255, 255, 255)
    assert (tile(picture, 2) == 128).all()  # 255 * (1 - 0.5), rounded to even


def test_picture_refuses_wrong_shapes_and_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(ValueError, match=r'shape \(784, 10\)'):
        visualize.weights_png(numpy.zeros((10, 784)))
    with pytest.raises(ValueError):  # after the temporary file was opened
        visualize.write_weights_image(str(tmp_path / 'w.png'), numpy.zeros((10, 784)))
    assert os.listdir(tmp_path) == []


def test_the_picture_is_written_through_a_symbolic_link(tmp_path):
    weights = numpy.random.RandomState(1).normal(size=(784, 10))
    (tmp_path / 'pictures').mkdir()
    (tmp_path / 'weights.png').symlink_to(tmp_path / 'pictures' / 'today.png')  # not there yet
    visualize.write_weights_image(str(tmp_path / 'weights.png'), weights)
    assert (tmp_path / 'weights.png').is_symlink()  # still a link, to the picture
    assert (tmp_path / 'pictures' / 'today.png').read_bytes() == visualize.weights_png(weights)
    assert sorted(os.listdir(tmp_path)) == ['pictures', 'weights.png']
    assert os.listdir(tmp_path / 'pictures') == ['today.png']


def test_trained_run_writes_the_picture_and_the_logs(tmp_path):
    image, logs, weights = tmp_path / 'w.png', tmp_path / 'logs', tmp_path / 'W.npy'
    mistakes, model = tmp_path / 'mistakes.png', tmp_path / 'model' / 'mnist_softmax'
    flags = ['--seed', '3', '--max_steps', '50']
    # Run the script itself, then keep the W and b it trained, to compare the pictures with.
    extra_flags = ['--weights_image', str(image), '--log_dir', str(logs), '--mistakes_image',
                   str(mistakes), '--confusion', '--save_model', str(model)]
    driver = ('import runpy, sys, numpy; sys.argv = %r; '
              'script = runpy.run_path(sys.argv[0], run_name="__main__"); '
              'numpy.save(%r, numpy.vstack([script["sess"].run(script["W"]), script["sess"].run(script["b"])]))'
              % ([SCRIPT, *flags, *extra_flags], str(weights)))
    extras = subprocess.run([sys.executable, '-c', driver], capture_output=True, text=True,
                            timeout=300, cwd=ROOT, env=environment())
    plain = subprocess.run([sys.executable, SCRIPT, *flags], capture_output=True, text=True,
                           timeout=300, env=environment())
    assert extras.returncode == 0, extras.stderr
    assert unexplained(extras.stderr) == []
    # The extras change nothing the tutorial computes or prints; --confusion prints after it.
    assert extras.stdout.startswith(plain.stdout)
    trained, biases = numpy.load(weights)[:784], numpy.load(weights)[784]
    assert_what_it_gets_wrong(extras.stdout[len(plain.stdout):], mistakes, trained, biases)
    assert_saved_model(model, trained, biases)

    assert (trained == 0).any()  # border pixels are 0 in every image: their weights stay 0
    assert_picture_shows(decode(image.read_bytes()), trained)

    run_folder, = os.listdir(logs)  # the run's own, named by the time it started
    assert re.fullmatch(r'\d{8}-\d{6}', run_folder)
    events = list(tf.compat.v1.train.summary_iterator(glob.glob(str(logs / run_folder / 'events.*'))[0]))
    graphs = [event.graph_def for event in events if event.HasField('graph_def')]
    assert len(graphs) == 1
    graph = tf.compat.v1.GraphDef.FromString(graphs[0])
    names = {node.name for node in graph.node}
    assert {'x', 'W', 'b', 'y', 'y_', 'cross_entropy', 'train_step'} <= names
    assert 'Variable' not in names and 'W/read' in names
    scalars = {}
    for event in events:
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    assert sorted(scalars) == ['training_loss', 'validation_accuracy']
    for tag, points in scalars.items():
        assert [step for step, _ in points] == [10, 20, 30, 40, 50], tag
    accuracies = [value for _, value in scalars['validation_accuracy']]
    assert 0.5 < accuracies[0] < accuracies[-1] < 1  # it learns
    assert all(value > 0 for _, value in scalars['training_loss'])
    assert not [name for name in os.listdir(tmp_path) if name.endswith('.tmp')]


def test_each_run_logs_into_a_new_folder_of_its_own(tmp_path, monkeypatch):
    # Three runs started in the same second, into a folder that already holds other logs.
    (tmp_path / 'older').mkdir()
    monkeypatch.setattr(visualize.time, 'strftime', lambda form: '20261130-142501')
    folders = [visualize.new_run_folder(str(tmp_path)) for _ in range(3)]
    assert folders == [str(tmp_path / name) for name in
                       ('20261130-142501', '20261130-142501-2', '20261130-142501-3')]
    assert sorted(os.listdir(tmp_path)) == ['20261130-142501', '20261130-142501-2',
                                            '20261130-142501-3', 'older']
    assert all(os.listdir(folder) == [] for folder in folders)


def test_the_picture_goes_through_a_temporary_file_no_one_can_plant(tmp_path):
    # Another user of a shared folder plants a symbolic link, and a FIFO, at the names a
    # temporary file beside w.png could have had (the old w.png.<pid>.tmp among them):
    # the picture is written through a new file of its own, and neither is touched.
    victim = tmp_path / 'victim'
    victim.write_bytes(b'precious')
    for pid in range(os.getpid() - 5, os.getpid() + 5):
        (tmp_path / ('w.png.%d.tmp' % pid)).symlink_to(victim)
    os.mkfifo(tmp_path / '.w.png.part')
    weights = numpy.random.RandomState(2).normal(size=(784, 10))
    planted = sorted(os.listdir(tmp_path))
    visualize.write_weights_image(str(tmp_path / 'w.png'), weights)
    assert victim.read_bytes() == b'precious'
    assert (tmp_path / 'w.png').read_bytes() == visualize.weights_png(weights)
    assert sorted(os.listdir(tmp_path)) == sorted(planted + ['w.png'])  # nothing left behind


def test_a_picture_with_a_long_legal_name_is_written(tmp_path):
    # 250 characters: a temporary name of the picture's name and a suffix would be too long.
    path = tmp_path / ('w' * 246 + '.png')
    visualize.write_weights_image(str(path), numpy.ones((784, 10)))
    assert path.read_bytes() == visualize.weights_png(numpy.ones((784, 10)))
    assert os.listdir(tmp_path) == [path.name]


def test_the_test_sets_mistakes_as_a_confusion_matrix():
    # Three test digits: a 1 read as 7, a 2 read as 2, a 7 read as 1.
    images = numpy.zeros((3, 784))
    images[0, 100], images[1, 200], images[2, 300] = 1.0, 1.0, 1.0
    true, predicted = numpy.array([1, 2, 7]), numpy.array([7, 2, 1])
    counts = visualize.confusion(true, predicted)
    assert counts.sum() == 3 and counts[1, 7] == counts[2, 2] == counts[7, 1] == 1
    assert visualize.confusion_text(counts).splitlines()[3].split() == ['1'] + ['0'] * 7 + ['1', '0', '0']
    picture = decode(visualize.mistakes_png(images, true, predicted))
    step = 28 * 2 + 2

    def cell(row, column):
        return picture[row * step:row * step + 56, column * step:column * step + 56, 0]
    assert cell(1, 7)[100 // 28 * 2, 100 % 28 * 2] == 0  # the 1's ink, in row 1, column 7
    assert (cell(1, 7) == 0).sum() == 4 and (cell(7, 1) == 0).sum() == 4
    assert (cell(2, 2) == 160).all()  # right: the diagonal is grey
    assert (cell(3, 5) == 255).all()  # no 3 was read as 5


def assert_what_it_gets_wrong(printed, mistakes, weights, biases):
    import input_data
    with contextlib.redirect_stdout(io.StringIO()):
        test = input_data.read_data_sets(os.path.join(ROOT, 'MNIST_data'), one_hot=True).test
    predicted = (test.images @ weights + biases).argmax(axis=1)
    true = test.labels.argmax(axis=1)
    counts = visualize.confusion(true, predicted)
    # Within a near tie or two of NumPy's arithmetic, the counts it printed.
    lines = printed.splitlines()
    assert lines[0] == 'confusion: rows the true digit, columns the digit read'
    table = numpy.array([[int(count) for count in line.split()[1:]] for line in lines[2:12]])
    assert table.sum() == 10000 and numpy.abs(table - counts).sum() <= 4
    picture = decode(mistakes.read_bytes())
    assert picture.shape == (10 * 58, 10 * 58, 3)


def assert_saved_model(model, weights, biases):
    import classify
    restored = classify.Model(str(model))
    digit = numpy.random.RandomState(0).rand(28, 28)
    logits = digit.reshape(784) @ weights + biases
    label, probability = restored.read(digit)
    expected = numpy.exp(logits - logits.max())
    assert label == logits.argmax() and probability == pytest.approx(expected.max() / expected.sum(), rel=1e-5)
