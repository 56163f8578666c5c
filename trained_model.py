"""The tutorial's trained model, saved and restored: y = softmax(xW + b), with the W and b
that `mnist_softmax.py --save_model PATH` saved (tf.train.Saver, as TF 1.x saved models).

- save(): what --save_model does, through a temporary folder, so that a failed save leaves
  nothing half-written and says why in one line (safe_files.SaveError).
- Model: W and b restored, and what the model makes of a digit: the ten probabilities,
  and the tutorial's evidence for each digit, the weighted sum of the pixels plus a bias.
- load(): the model at a path; at DEFAULT only, trained and saved first when there is none,
  by running the tutorial itself.

The checkpoint's names for W and b, and the files it is made of, are written here once.
TensorFlow is imported only when a model is saved or restored.
"""

import errno
import os
import shutil
import subprocess
import sys
import tempfile

import quiet_tensorflow
import safe_files

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, 'model', 'mnist_softmax')  # where the tutorial's model is kept
SCRIPT = os.path.join(HERE, 'mnist_softmax.py')
# The files tf.train.Saver writes for a checkpoint PATH (write_state=False: no 'checkpoint'
# file beside them), the index last: it is what tells that a whole model is there.
DATA_SUFFIX = '.data-00000-of-00001'
INDEX_SUFFIX = '.index'
CHECKPOINT_SUFFIXES = (DATA_SUFFIX, INDEX_SUFFIX)


class ModelError(ValueError):
    """A saved model that is missing, not the tutorial's, or broken; the message says what
    to do."""


def checkpoint_variables(W, b):
    """The names W and b have in the checkpoint, for saving and restoring alike."""
    return {'W': W, 'b': b}


def is_saved(path):
    """Whether a model's files are at path (its index, the last file saved)."""
    return os.path.lexists(path + INDEX_SUFFIX)


def save(path, sess, W, b):
    """Save the trained W and b at path (a checkpoint prefix); nothing when path is None
    (--save_model not given). The files are saved in a new temporary folder beside them,
    then renamed into place. SaveError, in one line with the fix, when that fails."""
    if not path:
        return
    tf = tensorflow()
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    made = safe_files.missing_folders(folder)
    temporary = None
    try:
        os.makedirs(folder, exist_ok=True)
        temporary = tempfile.mkdtemp(
            prefix='.%s.' % os.path.basename(target)[:200], suffix='.part', dir=folder
        )
        session = getattr(sess, 'session', sess)  # the real one, with --log_dir as well
        # In W's graph, and quietly: TensorFlow would log what the error says.
        with quiet_tensorflow.quietly(), session.graph.as_default():
            tf.train.Saver(checkpoint_variables(W, b)).save(
                session,
                os.path.join(temporary, 'model'),
                write_meta_graph=False,
                write_state=False,
            )
        _move_into_place(temporary, target)
    except (OSError, tf.errors.OpError) as error:
        _remove(temporary)
        safe_files.clean_up([], made)
        raise safe_files.save_error(
            target + INDEX_SUFFIX, _as_os_error(error), 'the model', 32 * 1024
        ) from None
    _remove(temporary)


def _move_into_place(temporary, target):
    """Rename the checkpoint's files from the temporary folder to target's names. What is
    in the way is checked first; should a rename still fail, the files already moved are
    removed, so that no model is left of one new file and one old."""
    for suffix in CHECKPOINT_SUFFIXES:
        if os.path.isdir(target + suffix) and not os.path.islink(target + suffix):
            raise IsADirectoryError(errno.EISDIR, 'a folder is in the way', target + suffix)
    moved = []
    try:
        for suffix in CHECKPOINT_SUFFIXES:
            os.replace(os.path.join(temporary, 'model' + suffix), target + suffix)
            moved.append(target + suffix)
    except OSError:
        safe_files.clean_up(moved, [])
        raise


def _remove(folder):
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _as_os_error(error):
    """An OSError for what TensorFlow's error says (it gives the system's words, not errno)."""
    if isinstance(error, OSError):
        return error
    for number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.ENAMETOOLONG, errno.EROFS):
        if os.strerror(number) in error.message:
            return OSError(number, os.strerror(number))
    return OSError(None, reason(error))


def reason(error):
    """TensorFlow's reason for a failed op: the last line of its message but the op's name
    ('Key W not found in checkpoint')."""
    lines = [line.strip() for line in error.message.splitlines()]
    reasons = [line for line in lines if line and not line.startswith('[[')]
    return reasons[-1] if reasons else error.message


def tensorflow():
    """tensorflow.compat.v1, imported quietly the first time (quiet_tensorflow.start_up),
    as the tutorial imports it. Its behaviour is left as the caller has it: the model is
    built in a graph of its own, which is TF 1.x's graph either way."""
    if 'tensorflow' not in sys.modules:
        with quiet_tensorflow.start_up():
            import tensorflow.compat.v1  # noqa: F401
    import tensorflow.compat.v1 as tf

    return tf


def checked_path(path):
    """--model of classify.py and draw.py as a checkpoint name (given with its .index or
    .data suffix too, the name without it). ValueError, saying what to do, for an empty
    name, or DEFAULT where no model is saved and none can be. Whether a model is saved
    elsewhere is load()'s to say: a missing file, not a bad flag."""
    for suffix in CHECKPOINT_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    if not path:
        raise ValueError('the name is empty; give the name of a saved model')
    if os.path.abspath(path) == DEFAULT:
        if not is_saved(DEFAULT):
            try:
                safe_files.check_new_file(DEFAULT, suffixes=CHECKPOINT_SUFFIXES)
            except ValueError as error:
                raise ValueError('the model cannot be saved there: %s' % error) from None
        return DEFAULT
    return path


def load(path=DEFAULT):
    """The Model saved at path. At DEFAULT, when none is there yet, the tutorial is run
    first to train and save one (train()); anywhere else, ModelError says how to make one,
    before TensorFlow is imported."""
    if path == DEFAULT:
        if not is_saved(path):
            train(path)
    elif not is_saved(path):
        shown = safe_files.printable(path)
        raise ModelError(
            'No saved model at %s (no %s%s). Save one with python mnist_softmax.py '
            '--save_model %s, or leave --model out to use the default.'
            % (shown, shown, INDEX_SUFFIX, shown)
        )
    return Model(path)


def train(path):
    """Train the tutorial's model and save it at path: `python mnist_softmax.py --save_model
    path`, run as the learner would run it, its lines shown on stderr (the caller's stdout
    is for its own answers). ModelError if it fails."""
    safe_files.note(
        "No saved model at %s yet: training the tutorial's model and saving it there "
        '(python mnist_softmax.py --save_model %s), once.' % (path, path)
    )
    sys.stdout.flush()
    finished = subprocess.run(
        [sys.executable, SCRIPT, '--save_model', path], stdout=sys.stderr, check=False
    )
    if finished.returncode != 0:
        raise ModelError(
            'Training the model for %s failed (exit status %d), as said above.'
            % (path, finished.returncode)
        )


class Model:
    """The tutorial's y = softmax(xW + b), with W and b restored from a checkpoint."""

    def __init__(self, path):
        tf = tensorflow()
        _check_files(path)
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.placeholder(tf.float32, [None, 784])
            W = tf.Variable(tf.zeros([784, 10]))
            b = tf.Variable(tf.zeros([10]))
            self.y = tf.nn.softmax(tf.matmul(self.x, W) + b)
            saver = tf.train.Saver(checkpoint_variables(W, b))
        self.session = tf.Session(graph=self.graph)
        try:
            with quiet_tensorflow.quietly(), self.graph.as_default():  # TensorFlow would log
                saver.restore(self.session, path)  # what the error says
        except (tf.errors.OpError, ValueError) as error:
            message = reason(error) if isinstance(error, tf.errors.OpError) else str(error)
            raise ModelError(
                '%s is not a model saved by mnist_softmax.py --save_model, or it is broken '
                '(%s). Save it anew with python mnist_softmax.py --save_model %s.'
                % (safe_files.printable(path), message, safe_files.printable(path))
            ) from None
        self.weights, self.biases = self.session.run([W, b])

    def probabilities(self, images):
        """[N, 10]: the probability of each digit for each of images [N, 784] (or [N, 28, 28])."""
        images = images.reshape(len(images), 784)
        return self.session.run(self.y, {self.x: images})

    def guesses(self, image):
        """[(digit, probability)] for one image [28, 28], the likeliest first."""
        probabilities = self.probabilities(image.reshape(1, 784))[0]
        order = probabilities.argsort()[::-1]
        return [(int(digit), float(probabilities[digit])) for digit in order]

    def evidence(self, image):
        """The tutorial's evidence for each digit i in one image x [28, 28]: each pixel's
        x_j * W_ji [784, 10], their sums [10], the biases b_i [10], and the totals, sums
        plus biases [10], which softmax makes into the probabilities."""
        pixels = image.reshape(784).astype(self.weights.dtype)
        per_pixel = pixels[:, None] * self.weights
        sums = per_pixel.sum(axis=0)
        return per_pixel, sums, self.biases, sums + self.biases


def _check_files(path):
    """ModelError unless the checkpoint's files at path are regular files that can be read:
    a FIFO would block the restore for ever, a folder or a missing file fail obscurely."""
    for suffix in CHECKPOINT_SUFFIXES:
        try:
            with safe_files.open_regular_file(path + suffix):
                pass
        except OSError as error:
            raise ModelError(
                'The model at %s cannot be read: %s%s: %s. Save it anew with python '
                'mnist_softmax.py --save_model %s.'
                % (
                    safe_files.printable(path),
                    safe_files.printable(path),
                    suffix,
                    safe_files.why_unreadable(error),
                    safe_files.printable(path),
                )
            ) from None
