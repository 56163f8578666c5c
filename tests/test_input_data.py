"""The loader on tiny IDX files the tests write, and on the real MNIST_data/."""
import gzip
import os
import subprocess
import sys

import numpy
import pytest

import input_data
from conftest import IN_THIS_PROCESS, REAL_DATA_DIR, ROOT, idx_images, idx_labels, named_stream


class TF1Batches:
    """TF 1.x's next_batch, written out independently: it copies the arrays at every
    shuffle and draws from NumPy's global generator, seeded as TF 1.x seeded it."""

    def __init__(self, images, labels, seed):
        self.images, self.labels = images.copy(), labels.copy()
        self.n = len(images)
        self.epochs, self.index = 0, 0
        numpy.random.seed(seed)
        self.state = numpy.random.get_state()

    def _permute(self):
        numpy.random.set_state(self.state)
        order = numpy.arange(self.n)
        numpy.random.shuffle(order)
        self.state = numpy.random.get_state()
        self.images, self.labels = self.images[order], self.labels[order]

    def next_batch(self, size, shuffle=True):
        start = self.index
        if self.epochs == 0 and start == 0 and shuffle:
            self._permute()
        if start + size <= self.n:
            self.index += size
            return self.images[start:self.index], self.labels[start:self.index]
        self.epochs += 1
        rest = self.images[start:], self.labels[start:]
        if shuffle:
            self._permute()
        self.index = size - (self.n - start)
        return (numpy.concatenate((rest[0], self.images[:self.index])),
                numpy.concatenate((rest[1], self.labels[:self.index])))


def gz_file(raw, name='test.gz'):
    return named_stream(gzip.compress(raw), name)


# Parsing ------------------------------------------------------------------------------

def test_extract_images_and_labels_parse_idx(capsys):
    images = numpy.arange(3 * 2 * 5, dtype=numpy.uint8).reshape(3, 2, 5)
    labels = numpy.array([4, 0, 9], dtype=numpy.uint8)
    parsed = input_data.extract_images(gz_file(idx_images(images), 'images.gz'))
    assert parsed.shape == (3, 2, 5, 1) and parsed.dtype == numpy.uint8
    numpy.testing.assert_array_equal(parsed[..., 0], images)
    parsed_labels = input_data.extract_labels(gz_file(idx_labels(labels), 'labels.gz'))
    assert parsed_labels.dtype == numpy.uint8
    numpy.testing.assert_array_equal(parsed_labels, labels)
    one_hot = input_data.extract_labels(gz_file(idx_labels(labels)), one_hot=True, num_classes=12)
    numpy.testing.assert_array_equal(one_hot, numpy.eye(12)[labels])
    assert capsys.readouterr().out.splitlines()[:2] == ['Extracting images.gz', 'Extracting labels.gz']


def test_wrong_magic_numbers_are_refused():
    images = idx_images(numpy.zeros((2, 28, 28), numpy.uint8))
    labels = idx_labels(numpy.zeros(2, numpy.uint8))
    # TF 1.x's words, then what the file is.
    with pytest.raises(ValueError, match='^Invalid magic number 2049 in MNIST image file: it is an '
                                         'IDX file of 1-dimensional unsigned bytes.*: x.gz$'):
        input_data.extract_images(gz_file(labels, 'x.gz'))
    with pytest.raises(ValueError, match='^Invalid magic number 2051 in MNIST label file: .*: y.gz$'):
        input_data.extract_labels(gz_file(images, 'y.gz'))
    with pytest.raises(ValueError, match='^Invalid magic number 16910339 in MNIST image file: x.gz$'):
        input_data.extract_images(gz_file(b'\x01\x02\x08\x03' + images[4:], 'x.gz'))


def test_truncated_idx_payload_is_refused():
    images = idx_images(numpy.zeros((4, 28, 28), numpy.uint8))
    with pytest.raises(ValueError, match='promises 4 images'):
        input_data.extract_images(gz_file(images[:-10], 'short.gz'))
    labels = idx_labels(numpy.zeros(9, numpy.uint8))
    with pytest.raises(ValueError, match='promises 9 labels'):
        input_data.extract_labels(gz_file(labels[:-1], 'short.gz'))


def test_dense_to_one_hot_is_float64_rows():
    labels = numpy.array([3, 0, 9, 3], dtype=numpy.uint8)
    one_hot = input_data.dense_to_one_hot(labels, 10)
    assert one_hot.dtype == numpy.float64
    numpy.testing.assert_array_equal(one_hot, numpy.eye(10)[labels])


# read_data_sets on tiny files ---------------------------------------------------------

def test_validation_split_is_the_first_examples_unshuffled(tiny, tmp_path):
    data = input_data.read_data_sets(tiny.write(tmp_path), validation_size=7, dtype='uint8')
    assert isinstance(data, input_data.Datasets)
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (33, 7, 12)
    numpy.testing.assert_array_equal(data.validation.images, tiny.train_images[:7].reshape(7, 784))
    numpy.testing.assert_array_equal(data.validation.labels, tiny.train_labels[:7])
    numpy.testing.assert_array_equal(data.train.images, tiny.train_images[7:].reshape(33, 784))
    numpy.testing.assert_array_equal(data.test.labels, tiny.test_labels)


@pytest.mark.parametrize('size', [-1, 41])
def test_validation_size_out_of_range(tiny, tmp_path, size):
    with pytest.raises(ValueError, match='between 0 and 40. Received: %d' % size):
        input_data.read_data_sets(tiny.write(tmp_path), validation_size=size)


def test_float32_images_are_uint8_times_float32_one_255th(tiny, tmp_path):
    data = input_data.read_data_sets(tiny.write(tmp_path), validation_size=0)
    images = data.train.images
    assert images.dtype == numpy.float32 and images.shape == (40, 784)
    pixels = tiny.train_images.reshape(40, 784)
    # TF 1.x: float32(pixel) * float32(1/255), rounded once in float32.
    table = numpy.array([numpy.float32(v) * numpy.float32(1.0 / 255.0) for v in range(256)],
                        dtype=numpy.float32)
    assert table.view(numpy.uint32)[pixels].tobytes() == images.view(numpy.uint32).tobytes()
    # ...which is not the same as dividing by 255, so the distinction is real.
    divided = (numpy.arange(256) / 255.0).astype(numpy.float32)
    assert (divided != table).any()
    assert images.min() >= 0.0 and images.max() <= 1.0


def test_uint8_and_unreshaped_images(tiny, tmp_path):
    data = input_data.read_data_sets(tiny.write(tmp_path), dtype=numpy.uint8, reshape=False,
                                     validation_size=0, one_hot=True)
    assert data.test.images.dtype == numpy.uint8 and data.test.images.shape == (12, 28, 28, 1)
    numpy.testing.assert_array_equal(data.test.images[..., 0], tiny.test_images)
    assert data.test.labels.dtype == numpy.float64
    numpy.testing.assert_array_equal(data.test.labels, numpy.eye(10)[tiny.test_labels])


@pytest.mark.parametrize('dtype', [numpy.float64, 'float64', numpy.int32, 'nonsense', None])
def test_other_dtypes_raise_type_error(tiny, tmp_path, dtype):
    with pytest.raises(TypeError, match='Invalid image dtype'):
        input_data.read_data_sets(tiny.write(tmp_path), dtype=dtype)


def test_the_loader_never_imports_tensorflow():
    code = ('import sys; sys.path.insert(0, %r); import input_data; '
            'input_data.read_data_sets("unused", fake_data=True); '
            'print("tensorflow" in sys.modules)' % ROOT)
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout == 'False\n'


@IN_THIS_PROCESS
def test_tensorflow_dtypes_are_accepted(tf):
    assert input_data._image_dtype(tf.float32) is numpy.float32
    assert input_data._image_dtype(tf.uint8) is numpy.uint8
    with pytest.raises(TypeError):
        input_data._image_dtype(tf.float64)
    # The dtypes TensorFlow itself maps to float32 are float32 here too.
    for spelling in (float, 'float', 'float32', numpy.float32):
        assert tf.as_dtype(spelling) == tf.float32
        assert input_data._image_dtype(spelling) is numpy.float32


def test_prints_extracting_for_each_file(tiny, tmp_path, capsys):
    directory = tiny.write(tmp_path)
    input_data.read_data_sets(directory, validation_size=10)
    assert capsys.readouterr().out.splitlines() == [
        'Extracting ' + os.path.join(directory, name)
        for name in ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
                     't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')]


# next_batch ---------------------------------------------------------------------------

def make_dataset(count=23, seed=5, dtype='uint8', **options):
    images = numpy.arange(count * 784, dtype=numpy.uint32).reshape(count, 784) % 251
    images = images.astype(numpy.uint8).reshape(count, 28, 28, 1)
    labels = (numpy.arange(count) * 7 % 10).astype(numpy.uint8)
    return images, labels, input_data.DataSet(images, labels, dtype=dtype, seed=seed, **options)


@pytest.mark.parametrize('dtype', ['uint8', 'float32'])
@pytest.mark.parametrize('sizes', [[5] * 20, [7, 13, 1, 22, 23, 9, 21, 4, 17, 23, 2] * 3])
def test_next_batch_matches_tf1_across_epochs(sizes, dtype):
    images, labels, dataset = make_dataset(dtype=dtype)
    flat = images.reshape(23, 784)
    if dtype == 'float32':  # TF 1.x converted the whole set up front, this way
        flat = flat.astype(numpy.float32) * numpy.float32(1.0 / 255.0)
    reference = TF1Batches(flat, labels, seed=5)  # TF 1.x: seed 5, no graph-level seed
    for size in sizes:
        got_images, got_labels = dataset.next_batch(size)
        assert got_images.dtype == flat.dtype
        want_images, want_labels = reference.next_batch(size)
        numpy.testing.assert_array_equal(got_images, want_images)
        numpy.testing.assert_array_equal(got_labels, want_labels)
        assert dataset.epochs_completed == reference.epochs
    assert dataset.epochs_completed >= 4
    # After the shuffles, `images` and `labels` are in TF 1.x's shuffled order too.
    numpy.testing.assert_array_equal(dataset.images, reference.images)
    numpy.testing.assert_array_equal(dataset.labels, reference.labels)
    # ...and batching goes on as before once they have been looked at.
    for size in (8, 11, 19):
        numpy.testing.assert_array_equal(dataset.next_batch(size)[1], reference.next_batch(size)[1])


def test_next_batch_without_shuffle_walks_in_order():
    images, labels, dataset = make_dataset(count=10)
    batches = [dataset.next_batch(4, shuffle=False)[1] for _ in range(5)]
    expected = numpy.concatenate([labels] * 2)
    numpy.testing.assert_array_equal(numpy.concatenate(batches), expected)
    assert dataset.epochs_completed == 1
    numpy.testing.assert_array_equal(dataset.next_batch(4, shuffle=False)[0],
                                     images[[0, 1, 2, 3]].reshape(4, 784))


def label_stream(seed, steps=8):
    dataset = make_dataset(seed=seed)[2]
    return numpy.concatenate([dataset.next_batch(9)[1] for _ in range(steps)])


def test_same_seed_same_batches_and_global_state_untouched():
    numpy.random.seed(1234)
    before = numpy.random.get_state()
    same_a, same_b, other = label_stream(42), label_stream(42), label_stream(43)
    after = numpy.random.get_state()
    numpy.testing.assert_array_equal(same_a, same_b)
    assert not numpy.array_equal(same_a, other)
    assert before[0] == after[0] and numpy.array_equal(before[1], after[1]) and before[2:] == after[2:]


def test_seed_none_stays_random():
    orders = {tuple(make_dataset(count=200, seed=None)[2].next_batch(200)[1][:50]) for _ in range(3)}
    assert len(orders) == 3


MAXINT32 = 2**31 - 1


def tf1_numpy_seed(graph_seed, seed):
    """The seed TF 1.x's DataSet gave numpy.random.seed, written out from TF 1.x:
    `seed1, seed2 = random_seed.get_seed(seed)`, then `seed1 if seed is None else seed2`."""
    if graph_seed is not None:
        op_seed = 12345 if seed is None else seed  # with no op seed, the graph's last op id
        seeds = (graph_seed % MAXINT32, op_seed % MAXINT32)
    elif seed is not None:
        seeds = (87654321, seed % MAXINT32)  # DEFAULT_GRAPH_SEED
    else:
        seeds = (None, None)
    if seeds == (0, 0):  # the C++ ops read (0, 0) as "no seed", so TF 1.x avoided it
        seeds = (0, MAXINT32)
    return seeds[0] if seed is None else seeds[1]


@IN_THIS_PROCESS
@pytest.mark.parametrize('seed', [None, 0, 7, MAXINT32, 2 * MAXINT32 + 3, -1, 2**40])
@pytest.mark.parametrize('graph_seed', [None, 0, 1234, MAXINT32, -5])
def test_batches_are_tf1s_for_every_seed_and_graph_seed(tf, graph_seed, seed):
    images = numpy.arange(50 * 784).reshape(50, 28, 28, 1).astype(numpy.uint8) % 251
    labels = numpy.arange(50) % 10

    def batches():
        dataset = input_data.DataSet(images, labels, dtype=numpy.uint8, seed=seed)
        return numpy.concatenate([dataset.next_batch(15)[1] for _ in range(9)])

    with tf.Graph().as_default():  # a TF1 program: tf.set_random_seed(graph_seed), then the loader
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        expected = tf1_numpy_seed(graph_seed, seed)
        if expected is None:  # no seed anywhere: random, as in TF 1.x
            assert len({tuple(batches()) for _ in range(3)}) == 3
            return
        reference = TF1Batches(images.reshape(50, 784), labels, seed=expected)
        numpy.testing.assert_array_equal(
            batches(), numpy.concatenate([reference.next_batch(15)[1] for _ in range(9)]))


def test_the_seed_rule_without_tensorflow_and_bad_seeds():
    # Without TensorFlow imported there is no graph-level seed: the op-level rule alone.
    code = ('import sys; sys.path.insert(0, %r); import input_data; '
            'print([input_data._numpy_seed(s) for s in (None, 0, %d, -1)], "tensorflow" in sys.modules)'
            % (ROOT, MAXINT32))
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.stdout == '[None, 0, 0, %d] False\n' % (MAXINT32 - 1)
    with pytest.raises(TypeError, match='seed'):
        input_data.DataSet(*make_dataset()[:2], seed='42')


def test_fake_data():
    data = input_data.read_data_sets('unused', fake_data=True, one_hot=True)
    assert data.train.num_examples == 10000 and data.test.num_examples == 10000
    images, labels = data.train.next_batch(3, fake_data=True)
    assert images == [[1] * 784] * 3
    assert labels == [[1] + [0] * 9] * 3
    _, dense = input_data.read_data_sets('unused', fake_data=True).train.next_batch(2, fake_data=True)
    assert dense == [0, 0]
    assert not os.path.exists('unused')


def test_mismatched_images_and_labels_are_refused():
    images, labels, _ = make_dataset(count=6)
    with pytest.raises(ValueError, match='differ in number'):
        input_data.DataSet(images, labels[:5])


# The real data ------------------------------------------------------------------------

def test_real_mnist(capsys):
    data = input_data.read_data_sets(REAL_DATA_DIR, one_hot=False)
    assert (data.train.num_examples, data.validation.num_examples,
            data.test.num_examples) == (55000, 5000, 10000)
    numpy.testing.assert_array_equal(data.validation.labels[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    train_counts = numpy.bincount(numpy.concatenate((data.validation.labels, data.train.labels)))
    assert train_counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert numpy.bincount(data.test.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958,
                                                         1028, 974, 1009]
    all_train = numpy.concatenate((data.validation.images, data.train.images))
    assert abs(all_train.mean(dtype=numpy.float64) - 0.1307) < 5e-5
    assert abs(all_train.std(dtype=numpy.float64) - 0.3081) < 5e-5
    assert capsys.readouterr().err == ''  # verified, nothing fetched or replaced
