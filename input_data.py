# Copyright 2016 The TensorFlow Authors, and 2026 the authors of this port. Apache License 2.0
# (LICENSE). Changed from TF 1.x's tensorflow/contrib/learn/python/learn/datasets/mnist.py.
"""TensorFlow 1.x's MNIST loader, gone from TensorFlow 2: `import input_data` for `from
tensorflow.examples.tutorials.mnist import input_data`, with TF 1.x's names, arguments,
defaults and results (to the bit, and the same batches for the same seeds). Like it, this
loads the well-formed files in the folder, MNIST's or not (Fashion-MNIST).

New: getting the files (fetch_files.py) checks what it fetches, bounds memory, disk and time
whatever a source sends, never replaces or mixes in a user's data, and fails with one
DownloadError that says what to do; reading them (idx.py) says what is wrong with a file.
It never imports TensorFlow. docs/data.md says more.
"""

import collections
import operator
import os
import sys

import numpy

import fetch_files
import idx
from fetch_files import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, get_data_files

# TF 1.x's names, and this module's error, for callers of input_data.
from fetch_files import DEFAULT_SOURCE_URL, DownloadError, check_source_url  # noqa: F401, E402

Datasets = collections.namedtuple('Datasets', ['train', 'validation', 'test'])


# Reading the IDX format ---------------------------------------------------------------


def extract_images(f):
    """Extract the images of a gzipped IDX file into a uint8 array [index, y, x, depth]."""
    return _images(_extract(f, images=True))


def extract_labels(f, one_hot=False, num_classes=10):
    """Extract the labels of a gzipped IDX file into a uint8 array [index] (or one-hot)."""
    data, _ = _extract(f, images=False)
    return _labels(data, getattr(f, 'name', repr(f)), one_hot, num_classes)


def _extract(f, images):
    name = getattr(f, 'name', repr(f))
    print('Extracting', name)
    try:
        return idx.read(f, images, fetch_files.MAX_IDX_BYTES)
    except ValueError as error:
        raise ValueError('%s: %s' % (error, name)) from None


def _images(read):
    data, sizes = read
    return numpy.frombuffer(data, dtype=numpy.uint8, offset=16).reshape(*sizes, 1)


def _labels(data, name, one_hot, num_classes):
    labels = numpy.frombuffer(data, dtype=numpy.uint8, offset=8)
    if not one_hot:
        return labels
    try:
        return dense_to_one_hot(labels, num_classes)
    except ValueError as error:
        raise ValueError('%s: %s' % (error, name)) from None


def dense_to_one_hot(labels_dense, num_classes):
    """Convert class labels from scalars to one-hot float64 rows, as TF 1.x did."""
    labels_dense = numpy.asarray(labels_dense)
    for label in (labels_dense.min(initial=0), labels_dense.max(initial=0)):
        if not 0 <= label < num_classes:
            raise ValueError(
                'label %d is not one of the %d classes 0 to %d'
                % (label, num_classes, num_classes - 1)
            )
    return numpy.eye(num_classes)[labels_dense.ravel()]


# The data set -------------------------------------------------------------------------


def _image_dtype(dtype):
    """numpy.uint8 or numpy.float32 from what TF 1.x accepted (tf.uint8 and tf.float32 by
    duck typing; float and 'float' mean float32 to TensorFlow), or TypeError."""
    try:
        result = numpy.dtype(
            numpy.float32
            if dtype is float or dtype == 'float'
            else getattr(dtype, 'as_numpy_dtype', dtype)
        ).type
    except (TypeError, ValueError):
        result = None
    if result not in (numpy.uint8, numpy.float32):
        raise TypeError('Invalid image dtype %r, expected uint8 or float32' % (dtype,))
    return result


def _to_float32(images):
    """[0, 255] -> [0.0, 1.0] as TF 1.x computed it, uint8 times float32(1/255) (not quite
    dividing by 255), starting at a multiple of 64 bytes: TensorFlow feeds that uncopied."""
    buffer = numpy.empty(images.size * 4 + 64, dtype=numpy.uint8)
    start = -buffer.ctypes.data % 64
    result = buffer[start : start + images.size * 4].view(numpy.float32).reshape(images.shape)
    return numpy.multiply(images, numpy.float32(1.0 / 255.0), out=result, dtype=numpy.float32)


def _numpy_seed(seed):
    """The seed TF 1.x gave numpy.random.seed for DataSet(seed=seed): of TensorFlow's
    get_seed(seed), the op-level seed, or with no seed the graph-level one. This module never
    imports TensorFlow; if the caller has not either, no graph-level seed can be set."""
    try:
        seed = seed if seed is None else operator.index(seed)
    except TypeError:
        raise TypeError('seed must be an integer or None, not %r' % (seed,)) from None
    get_seed = getattr(
        getattr(
            getattr(getattr(sys.modules.get('tensorflow'), 'compat', None), 'v1', None),
            'random',
            None,
        ),
        'get_seed',
        None,
    )
    if get_seed is None:
        return None if seed is None else seed % (2**31 - 1)
    try:
        return get_seed(seed)[seed is not None]  # (graph-level seed, op-level seed)
    except RuntimeError:  # op determinism on and no seed at all: random, as in TF 1.x
        return None


class DataSet(object):
    """Images and labels of one split, with TF 1.x's next_batch."""

    def __init__(
        self,
        images,
        labels,
        fake_data=False,
        one_hot=False,
        dtype=numpy.float32,
        reshape=True,
        seed=None,
    ):
        """`dtype` uint8 leaves pixels in [0, 255]; float32 rescales them into [0, 1].
        The same `seed` gives the same batches as TF 1.x gave for it; None is random."""
        dtype = _image_dtype(dtype)
        # TF 1.x seeded NumPy's global generator here; a private generator seeded the
        # same way yields the same shuffles and leaves the caller's global state alone.
        self._random = numpy.random.RandomState(_numpy_seed(seed))
        self.one_hot = one_hot
        if fake_data:
            self._num_examples = 10000
        else:
            if images.shape[0] != labels.shape[0]:
                raise ValueError(
                    'images and labels differ in number: images.shape: %s '
                    'labels.shape: %s' % (images.shape, labels.shape)
                )
            self._num_examples = images.shape[0]
            if reshape:  # [examples, rows, columns, 1] -> [examples, rows * columns]
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(
                        'reshape=True needs images of shape [N, rows, '
                        'columns, 1], got %s' % (images.shape,)
                    )
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        # TF 1.x converted the whole set to float32 here, and copied both arrays at every
        # shuffle. Here they stay uint8 until asked for (next_batch converts its rows,
        # `images` the whole set once), and a shuffle composes a permutation, `_order`,
        # which batches gather through and `images` and `labels` apply.
        self._images, self._labels, self._order = images, labels, None
        self._to_convert = not fake_data and dtype == numpy.float32
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def _apply_order(self):
        if self._order is not None:
            self._images, self._labels = self._images[self._order], self._labels[self._order]
            self._order = None

    @property
    def images(self):
        self._apply_order()
        if self._to_convert:
            self._images, self._to_convert = _to_float32(self._images), False
        return self._images

    @property
    def labels(self):
        self._apply_order()
        return self._labels

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def _shuffle(self):
        permutation = self._random.permutation(self._num_examples)
        self._order = permutation if self._order is None else self._order[permutation]

    def _positions(self, start, end):
        """Row numbers, in the current order, of this epoch's examples start to end."""
        return numpy.arange(start, end) if self._order is None else self._order[start:end]

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Return the next `batch_size` examples from this data set."""
        if fake_data:
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [[1] * 784] * batch_size, [fake_label] * batch_size
        # Checked before anything moves, so that a refused call leaves the set as it was.
        try:
            batch_size = operator.index(batch_size)
        except TypeError:
            raise TypeError('batch_size must be a whole number, not %r' % (batch_size,)) from None
        if not 0 <= batch_size <= self._num_examples:
            raise ValueError(
                'batch_size must be from 0 to the %d examples of this set, not %d'
                % (self._num_examples, batch_size)
            )
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:  # the first epoch
            self._shuffle()
        if start + batch_size > self._num_examples:  # the rest of this epoch, then the next
            self._epochs_completed += 1
            rest = self._positions(start, self._num_examples)
            if shuffle:
                self._shuffle()
            self._index_in_epoch = end = batch_size - (self._num_examples - start)
            positions = numpy.concatenate((rest, self._positions(0, end)))
        else:
            self._index_in_epoch = end = start + batch_size
            positions = self._positions(start, end)
        images, labels = self._images.take(positions, axis=0), self._labels.take(positions, axis=0)
        return _to_float32(images) if self._to_convert else images, labels


def read_data_sets(
    train_dir,
    fake_data=False,
    one_hot=False,
    dtype=numpy.float32,
    reshape=True,
    validation_size=5000,
    seed=None,
    source_url=DEFAULT_SOURCE_URL,
):
    """The train, validation and test DataSets of the four MNIST files in train_dir; the
    files missing there are fetched first (fetch_files.get_data_files says from where)."""
    if fake_data:
        return Datasets(
            *(
                DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
                for _ in range(3)
            )
        )
    # Bad arguments fail here, before anything is read.
    _image_dtype(dtype)
    if seed is not None:  # with None, each DataSet asks TensorFlow's seed once, as in TF 1.x
        _numpy_seed(seed)
    validation_size = operator.index(validation_size)

    files = {}
    for name, data, sizes in get_data_files(train_dir, source_url):
        print('Extracting', os.path.join(train_dir, name))
        files[name] = data, sizes
    train_images, test_images = _images(files[TRAIN_IMAGES]), _images(files[TEST_IMAGES])
    train_labels = _labels(
        files[TRAIN_LABELS][0], os.path.join(train_dir, TRAIN_LABELS), one_hot, 10
    )
    test_labels = _labels(files[TEST_LABELS][0], os.path.join(train_dir, TEST_LABELS), one_hot, 10)

    if not 0 <= validation_size <= len(train_images):
        raise ValueError(
            'Validation size should be between 0 and {}. Received: {}.'.format(
                len(train_images), validation_size
            )
        )
    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    train = DataSet(train_images, train_labels, **options)
    validation = DataSet(validation_images, validation_labels, **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir='MNIST-data'):
    return read_data_sets(train_dir)
