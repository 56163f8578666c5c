# /// script
# requires-python = ">=3.10,<3.14"
# dependencies = ["tensorflow>=2.12,<3", "numpy>=1.22"]
# ///
# A very simple MNIST classifier: TensorFlow's 2017 tutorial "MNIST For ML Beginners".
# Copyright 2015 The TensorFlow Authors, and 2026 the authors of this port. Apache License 2.0
# (LICENSE). Changed from TF r1.3's tensorflow/examples/tutorials/mnist/mnist_softmax.py:
# README.md says what changed, and why.
#
# Run it as `python mnist_softmax.py` or `uv run mnist_softmax.py` (`--help` lists the flags),
# or paste it into Python, IPython or a notebook cell, where the flags keep their defaults.
# The block above tells uv which Pythons and packages it needs: those TensorFlow has wheels for.
import command_line
FLAGS = command_line.parse_flags()  # first, so that a bad flag is told at once
command_line.start_afresh()  # when pasted or run again in this Python: a new graph

# Import data
import input_data
mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, seed=FLAGS.seed,
                                  source_url=FLAGS.source_url)

import quiet_tensorflow
import tensorboard_log  # only for --log_dir
import pictures  # only for --weights_image
import mistakes  # only for --mistakes_image and --confusion
import trained_model  # only for --save_model
with quiet_tensorflow.start_up():  # without its start-up chatter, and quicker: see there
    import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
if FLAGS.seed is not None:  # --seed: the same initial values and arithmetic at every run
    tf.set_random_seed(FLAGS.seed)
    tf.compat.v2.config.experimental.enable_op_determinism()

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
# 0 * -inf is NaN, and NaN spreads to the weights (at --learning_rate 10, within three
# steps). So here we use tf.nn.softmax_cross_entropy_with_logits on the raw outputs of
# 'y', which never takes the log of a rounded probability, then average across the batch.
cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
train_step = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(cross_entropy)

# inter_op_parallelism_threads=-1 runs each op in the calling thread: the tutorial's
# ops are so small that handing them to a thread pool costs more than the arithmetic.
sess = tf.InteractiveSession(config=tf.ConfigProto(inter_op_parallelism_threads=-1))
tf.global_variables_initializer().run()

# Not in the tutorial: with --log_dir, a session that also logs for TensorBoard.
sess = tensorboard_log.session(FLAGS.log_dir, sess, mnist.validation, x=x, y_=y_, W=W, b=b,
                              y=y, cross_entropy=cross_entropy, train_step=train_step)

# Train
for _ in range(FLAGS.max_steps):
    batch_xs, batch_ys = mnist.train.next_batch(FLAGS.batch_size)
    sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})

# Test trained model
correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
print(sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels}))

# Not in the tutorial: with --weights_image, the picture of what each digit's weights learned.
pictures.write_weights(FLAGS.weights_image, sess.run(W))
# Not in the tutorial: with --mistakes_image or --confusion, what the model gets wrong.
mistakes.show(FLAGS.mistakes_image, FLAGS.confusion, sess, x, y, mnist.test)
# Not in the tutorial: with --save_model, the trained W and b saved for classify.py.
trained_model.save(FLAGS.save_model, sess, W, b)
