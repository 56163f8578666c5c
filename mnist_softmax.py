# A very simple MNIST classifier: TensorFlow's 2017 tutorial "MNIST For ML Beginners".
#
# Run it as `python mnist_softmax.py`, or paste it line by line into the Python REPL.
# README.md says what changed from the 2017 text, and why.
import argparse
import gc
import math
import os
import sys

import quiet_tensorflow  # noqa: F401  (before TensorFlow: hides its start-up chatter)

# Import data
import input_data
import visualize  # only for --weights_image and --log_dir

import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
# TensorFlow's import leaves some 300,000 objects that live until the process ends.
# Freezing them spares Python's garbage collector from scanning them all again, during
# training and at exit: a second of a five-second run (see README, Benchmark).
gc.freeze()

TRAIN_EXAMPLES = 55000  # MNIST's 60000 training images less the loader's 5000 for validation


def fail(message):
    """End on a bad flag: one line, exit status 2 (as argparse does), before any work."""
    print('mnist_softmax.py: error: %s' % message, file=sys.stderr)
    sys.exit(2)


def at_least_one(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a whole number' % text) from None
    if value < 1:
        raise argparse.ArgumentTypeError('must be at least 1, not %d' % value)
    return value


def positive_finite(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a number' % text) from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError('must be a positive finite number, not %s' % text)
    return value


def parse_flags():
    parser = argparse.ArgumentParser(description='Train and test the softmax regression of '
                                     'the MNIST tutorial; print the test accuracy.')
    parser.error = fail
    parser.add_argument('--data_dir', default=os.path.join(os.path.dirname(sys.argv[0]), 'MNIST_data'),
                        help='directory of the MNIST files (default: MNIST_data beside this script)')
    parser.add_argument('--learning_rate', type=positive_finite, default=0.5,
                        help='gradient descent step size (default: 0.5)')
    parser.add_argument('--max_steps', type=at_least_one, default=1000,
                        help='number of training steps (default: 1000)')
    parser.add_argument('--batch_size', type=at_least_one, default=100,
                        help='examples per training step (default: 100)')
    parser.add_argument('--seed', type=int, default=None,
                        help='seed for identical runs (default: none, so runs differ slightly)')
    parser.add_argument('--source_url', default=None,
                        help='where to fetch missing MNIST files: a URL or a local folder '
                        '(default: the mirrors listed in input_data.py)')
    parser.add_argument('--weights_image', type=visualize.writable_file, default=None,
                        help='after training, write the weights of each digit as a PNG '
                        'picture to this file (default: none)')
    parser.add_argument('--log_dir', type=visualize.writable_directory, default=None,
                        help='write the graph, and the loss and validation accuracy every '
                        '10 steps, for TensorBoard into this directory (default: none)')
    flags = parser.parse_args()
    if os.path.exists(flags.data_dir) and not os.path.isdir(flags.data_dir):
        fail('argument --data_dir: %s is not a directory' % flags.data_dir)
    if flags.batch_size > TRAIN_EXAMPLES:
        fail('argument --batch_size: %d is larger than the %d training examples'
             % (flags.batch_size, TRAIN_EXAMPLES))
    return flags


FLAGS = parse_flags()
if FLAGS.seed is not None:
    tf.set_random_seed(FLAGS.seed)
    tf.compat.v2.config.experimental.enable_op_determinism()

try:
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, seed=FLAGS.seed,
                                      source_url=FLAGS.source_url)
except input_data.DownloadError as error:
    sys.exit(str(error))

# Create the model
x = tf.placeholder(tf.float32, [None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.matmul(x, W) + b

# Define loss and optimizer
y_ = tf.placeholder(tf.float32, [None, 10])

# The raw formulation of cross-entropy,
#
#   tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(tf.nn.softmax(y)), reduction_indices=[1]))
#
# is numerically unstable: once softmax(y) rounds a probability to 0, its log is -inf,
# 0 * -inf is NaN, and NaN spreads to the weights (at --learning_rate 10 by the second
# step). So here we use tf.nn.softmax_cross_entropy_with_logits on the raw outputs of
# 'y', which never takes the log of a rounded probability, then average across the batch.
cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
train_step = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(cross_entropy)

# inter_op_parallelism_threads=-1 runs each op in the calling thread: the tutorial's
# ops are so small that handing them to a thread pool costs more than the arithmetic.
sess = tf.InteractiveSession(config=tf.ConfigProto(inter_op_parallelism_threads=-1))
tf.global_variables_initializer().run()

# Not in the tutorial: with --log_dir, the graph and curves for TensorBoard.
log_progress = None
if FLAGS.log_dir:
    log_progress = visualize.tensorboard_logger(
        FLAGS.log_dir, sess, mnist.validation, x=x, y_=y_, W=W, b=b, y=y,
        cross_entropy=cross_entropy, train_step=train_step)

# Train
for step in range(FLAGS.max_steps):
    batch_xs, batch_ys = mnist.train.next_batch(FLAGS.batch_size)
    sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
    if log_progress:
        log_progress(step + 1, batch_xs, batch_ys)

# Test trained model
correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
print(sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels}))

# Not in the tutorial: with --weights_image, the picture of what each digit's weights learned.
if FLAGS.weights_image:
    visualize.write_weights_image(FLAGS.weights_image, sess.run(W))
