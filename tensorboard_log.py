"""TensorBoard's logs for mnist_softmax.py --log_dir: the graph under readable names, and
every 10 steps the training loss and the validation accuracy, in a subfolder of their own
for each run, so that TensorBoard shows runs side by side. The tutorial's lines stay as
they are: session() wraps the session they run.
"""

import os
import time


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


def session(log_dir, sess, validation, every=10, **names):
    """sess itself when log_dir is None; else a LoggingSession around it.

    The graph is written at once into a new subfolder of log_dir (new_run_folder). `names`
    are the tutorial's tensors by the names to show: x, y_, y, cross_entropy and train_step
    are needed, W and b only named.
    """
    if not log_dir:
        return sess
    import tensorflow.compat.v1 as tf

    readable = tf.Graph()
    with readable.as_default():
        tf.import_graph_def(_readable_graph_def(sess.graph, names), name='')
    writer = tf.summary.FileWriter(new_run_folder(log_dir), graph=readable)
    writer.flush()
    return LoggingSession(sess, writer, validation, every, names)


class LoggingSession:
    """A session whose run() also logs, at every `every`-th run of train_step, the loss on
    that batch and the accuracy on `validation`: so the tutorial's training loop stays as
    it is. Everything else is the session's own."""

    def __init__(self, sess, writer, validation, every, names):
        import tensorflow.compat.v1 as tf

        self.session = sess  # the session itself, for what needs a real one (tf.train.Saver)
        self.writer, self.validation, self.every, self.steps = writer, validation, every, 0
        self.x, self.y_ = names['x'], names['y_']
        self.train_step, self.cross_entropy = names['train_step'], names['cross_entropy']
        # Built after the graph was written, so the Graphs tab shows the tutorial alone.
        correct = tf.equal(tf.argmax(names['y'], 1), tf.argmax(self.y_, 1))
        self.validation_accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    def run(self, fetches, feed_dict=None, **options):
        result = self.session.run(fetches, feed_dict=feed_dict, **options)
        if fetches is self.train_step:
            self.steps += 1
            if self.steps % self.every == 0:
                self.log(feed_dict)
        return result

    def log(self, feed_dict):
        import tensorflow.compat.v1 as tf

        loss = self.session.run(
            self.cross_entropy, feed_dict={self.x: feed_dict[self.x], self.y_: feed_dict[self.y_]}
        )
        accuracy = self.session.run(
            self.validation_accuracy,
            feed_dict={self.x: self.validation.images, self.y_: self.validation.labels},
        )
        summary = tf.Summary(
            value=[
                tf.Summary.Value(tag='training_loss', simple_value=loss),
                tf.Summary.Value(tag='validation_accuracy', simple_value=accuracy),
            ]
        )
        self.writer.add_summary(summary, self.steps)
        self.writer.flush()

    def __getattr__(self, name):  # everything else is the session's own
        return getattr(self.session, name)
