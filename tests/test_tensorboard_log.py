"""tensorboard_log.py: what TensorBoard reads, checked with TensorFlow's own readers."""
import glob
import os

import numpy
import pytest

import tensorboard_log
from conftest import IN_THIS_PROCESS


@IN_THIS_PROCESS
def test_the_logged_validation_accuracy_is_on_the_validation_set(tf, tmp_path):
    # Learning rate 0: W and b stay 0, so every prediction is digit 0. The validation set
    # is all zeros, the training batches all threes: its accuracy is 1, theirs 0, and the
    # loss ln 10 at every step.
    import input_data
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        W = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        y = tf.matmul(x, W) + b
        y_ = tf.placeholder(tf.float32, [None, 10])
        cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
        train_step = tf.train.GradientDescentOptimizer(0.0).minimize(cross_entropy)
        images = numpy.random.RandomState(0).randint(0, 256, (20, 28, 28, 1)).astype(numpy.uint8)
        validation = input_data.DataSet(images, numpy.eye(10)[numpy.zeros(20, int)])
        with tf.Session() as plain:
            plain.run(tf.global_variables_initializer())
            sess = tensorboard_log.session(str(tmp_path), plain, validation, x=x, y_=y_, W=W, b=b,
                                           y=y, cross_entropy=cross_entropy, train_step=train_step)
            threes = numpy.eye(10)[numpy.full(5, 3)]
            for _ in range(20):
                sess.run(train_step, feed_dict={x: images[:5].reshape(5, 784) / 255.0, y_: threes})
    events = tf.train.summary_iterator(glob.glob(str(tmp_path / '*' / 'events.*'))[0])
    logged = [(event.step, value.tag, value.simple_value)
              for event in events for value in event.summary.value]
    assert [(step, tag) for step, tag, _ in logged] == [
        (step, tag) for step in (10, 20) for tag in ('training_loss', 'validation_accuracy')]
    for _, tag, value in logged:
        assert value == pytest.approx(numpy.log(10) if tag == 'training_loss' else 1.0, rel=1e-6)


def test_each_run_logs_into_a_new_folder_of_its_own(tmp_path, monkeypatch):
    # Three runs started in the same second, into a folder that already holds other logs.
    (tmp_path / 'older').mkdir()
    monkeypatch.setattr(tensorboard_log.time, 'strftime', lambda form: '20261130-142501')
    folders = [tensorboard_log.new_run_folder(str(tmp_path)) for _ in range(3)]
    assert folders == [str(tmp_path / name) for name in
                       ('20261130-142501', '20261130-142501-2', '20261130-142501-3')]
    assert sorted(os.listdir(tmp_path)) == ['20261130-142501', '20261130-142501-2',
                                            '20261130-142501-3', 'older']
    assert all(os.listdir(folder) == [] for folder in folders)
