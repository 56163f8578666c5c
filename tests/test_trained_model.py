"""trained_model.py: W and b saved and restored to the bit, bias and all, from the session a
run has (with --log_dir too); the probabilities and the evidence against NumPy's; a failed
save in one line with nothing left; and models that are missing, foreign, broken or a FIFO,
a broken one told in one line by classify.py and draw.py."""
import errno
import importlib
import os
import re
import subprocess
import sys
import threading

import numpy
import pytest

import command_line
import safe_files
import tensorboard_log
import trained_model
from conftest import IN_THIS_PROCESS, ROOT, environment

pytestmark = IN_THIS_PROCESS


@pytest.fixture
def trained(tf, tmp_path):
    """(session, W, b, their values) of the tutorial's graph with made-up trained values:
    the session wrapped for --log_dir, as a run with it has."""
    random = numpy.random.RandomState(0)
    weights = random.normal(size=(784, 10)).astype(numpy.float32)
    biases = random.normal(size=10).astype(numpy.float32) * 3  # large: dropping it shows
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        W = tf.Variable(weights)
        b = tf.Variable(biases)
        y = tf.matmul(x, W) + b
        y_ = tf.placeholder(tf.float32, [None, 10])
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
        step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        session = tf.Session(graph=graph)
        session.run(tf.global_variables_initializer())
        validation = type('Validation', (), {'images': numpy.zeros((1, 784)), 'labels': numpy.eye(10)[:1]})
        logging = tensorboard_log.session(str(tmp_path / 'logs'), session, validation, x=x, y_=y_,
                                          W=W, b=b, y=y, cross_entropy=loss, train_step=step)
    yield logging, W, b, weights, biases
    session.close()


def test_what_is_saved_is_restored_and_read_as_numpy_reads_it(trained, tmp_path):
    session, W, b, weights, biases = trained
    path = str(tmp_path / 'saved' / 'model')
    trained_model.save(path, session, W, b)
    assert sorted(os.listdir(tmp_path / 'saved')) == ['model.data-00000-of-00001', 'model.index']
    model = trained_model.Model(path)
    assert (model.weights == weights).all() and (model.biases == biases).all()
    image = numpy.random.RandomState(1).rand(28, 28)
    logits = image.reshape(784) @ weights.astype(numpy.float64) + biases
    expected = numpy.exp(logits - logits.max()) / numpy.exp(logits - logits.max()).sum()
    numpy.testing.assert_allclose(model.probabilities(image.reshape(1, 784))[0], expected, rtol=1e-4, atol=1e-7)
    guesses = model.guesses(image)
    assert [digit for digit, _ in guesses] == list(numpy.argsort(-expected))
    per_pixel, sums, bias, totals = model.evidence(image)
    numpy.testing.assert_allclose(per_pixel, image.reshape(784, 1) * weights, rtol=1e-6)
    numpy.testing.assert_allclose(totals, logits, rtol=1e-4)
    assert (bias == biases).all() and numpy.allclose(sums + bias, totals)


def test_no_flag_saves_nothing(trained, tmp_path):
    session, W, b, _, _ = trained
    trained_model.save(None, session, W, b)
    assert sorted(os.listdir(tmp_path)) == ['logs']


def test_a_failed_save_is_one_message_and_leaves_nothing(trained, tmp_path, small_tmpfs):
    session, W, b, _, _ = trained
    (small_tmpfs / 'filler').write_bytes(bytes(50 << 10))  # the model needs some 32 kB
    with pytest.raises(safe_files.SaveError) as caught:
        trained_model.save(str(small_tmpfs / 'model' / 'mnist_softmax'), session, W, b)
    assert str(caught.value) == (
        'Could not save mnist_softmax.index in %s: No space left on device.\n'
        'To fix it, free some space there (this file needs 32 kB).' % (small_tmpfs / 'model'))
    assert os.listdir(small_tmpfs) == ['filler']  # neither the folder it made nor a part


def test_a_model_name_that_is_a_folder_is_refused_and_replaced_by_nothing(trained, tmp_path):
    session, W, b, _, _ = trained
    (tmp_path / 'model.index').mkdir()  # in the way of the file the model is saved as
    with pytest.raises(safe_files.SaveError) as caught:
        trained_model.save(str(tmp_path / 'model'), session, W, b)
    assert 'Could not save model.index in %s' % tmp_path in str(caught.value)
    assert sorted(os.listdir(tmp_path)) == ['logs', 'model.index'] and os.listdir(tmp_path / 'model.index') == []


def test_a_model_that_is_not_the_tutorials_or_broken_is_a_clear_error(tf, tmp_path):
    other = tmp_path / 'other'
    graph = tf.Graph()
    with graph.as_default():
        weights = tf.Variable(tf.zeros([5]), name='weights')
        with tf.Session() as session:
            session.run(weights.initializer)
            tf.train.Saver().save(session, str(other), write_meta_graph=False)
    (tmp_path / 'broken.index').write_bytes(b'junk')
    (tmp_path / 'broken.data-00000-of-00001').write_bytes(b'junk')
    for path, reason in ((other, 'Key W not found in checkpoint'),
                         (tmp_path / 'broken', 'file is too short to be an sstable')):
        with pytest.raises(trained_model.ModelError) as caught:
            trained_model.Model(str(path))
        assert str(caught.value) == (
            '%s is not a model saved by mnist_softmax.py --save_model, or it is broken (%s). '
            'Save it anew with python mnist_softmax.py --save_model %s.' % (path, reason, path))


def test_a_fifo_as_a_models_file_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / 'model.index')  # restoring would wait for a writer for ever
    (tmp_path / 'model.data-00000-of-00001').write_bytes(b'')
    failed = []
    reader = threading.Thread(target=lambda: failed.append(pytest.raises(trained_model.ModelError, trained_model.Model, str(tmp_path / 'model'))))
    reader.start()
    reader.join(20)
    assert not reader.is_alive() and failed
    assert 'model.index: it is a FIFO (named pipe), not a file' in str(failed[0].value)


def test_the_model_flags_name_is_taken_with_or_without_its_suffix_and_the_default_must_be_writable(tmp_path, monkeypatch):
    (tmp_path / 'mine.index').write_bytes(b'')
    assert trained_model.checked_path(str(tmp_path / 'mine')) == str(tmp_path / 'mine')
    assert trained_model.checked_path(str(tmp_path / 'mine.index')) == str(tmp_path / 'mine')
    assert trained_model.checked_path(str(tmp_path / 'mine.data-00000-of-00001')) == str(tmp_path / 'mine')
    assert trained_model.checked_path(str(tmp_path / 'mistyped')) == str(tmp_path / 'mistyped')  # load()'s to tell
    with pytest.raises(ValueError, match='the name is empty'):
        trained_model.checked_path('')
    # The default place is fine before anything is saved there, but must be writable.
    monkeypatch.setattr(trained_model, 'DEFAULT', str(tmp_path / 'model' / 'mnist_softmax'))
    assert trained_model.checked_path(str(tmp_path / 'model' / 'mnist_softmax')) == trained_model.DEFAULT
    monkeypatch.setattr(trained_model, 'DEFAULT', '/proc/model/mnist_softmax')
    with pytest.raises(ValueError, match=r'the model cannot be saved there: cannot write in /proc/model'):
        trained_model.checked_path('/proc/model/mnist_softmax')


def test_tensorflows_words_for_a_failure_are_told_as_the_systems(tf):
    error = tf.errors.ResourceExhaustedError(None, None, 'model.index; No space left on device')
    assert trained_model._as_os_error(error).errno == errno.ENOSPC
    error = tf.errors.UnknownError(None, None, 'something else\n\t [[{{node save/SaveV2}}]]')
    assert trained_model._as_os_error(error).strerror == 'something else'


def test_only_the_default_place_is_trained_and_only_when_no_model_is_there(trained, tmp_path, monkeypatch):
    session, W, b, weights, _ = trained
    trainings = []
    monkeypatch.setattr(trained_model, 'train', lambda path: trainings.append(path) or trained_model.save(path, session, W, b))
    monkeypatch.setattr(trained_model, 'DEFAULT', str(tmp_path / 'model' / 'mnist_softmax'))
    first = trained_model.load(trained_model.DEFAULT)  # none there yet: trained, once
    second = trained_model.load(trained_model.DEFAULT)  # its index there: restored, not trained
    assert trainings == [trained_model.DEFAULT]
    assert (first.weights == weights).all() and (second.weights == weights).all()
    with pytest.raises(trained_model.ModelError):  # anywhere else, never trained by itself
        trained_model.load(str(tmp_path / 'elsewhere'))
    assert trainings == [trained_model.DEFAULT]


@pytest.mark.parametrize('script, arguments', [('classify', ['my_digit.jpg']), ('draw', ['--no_browser', '--port', '0'])])
def test_a_model_flag_naming_no_saved_model_is_one_line_and_status_1(script, arguments, tmp_path, monkeypatch, capsys):
    # A mistyped name: told at once, as a missing picture is, and nothing trained there.
    monkeypatch.setattr(trained_model, 'train', lambda path: pytest.fail('trained %s' % path))
    monkeypatch.setattr(sys, 'argv', [script + '.py', '--model', str(tmp_path / 'mistyped'), *arguments])
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as exit_:
        command_line.exit_with(importlib.import_module(script).main)
    assert exit_.value.code == 1
    assert capsys.readouterr() == ('', (
        'No saved model at {0} (no {0}.index). Save one with python mnist_softmax.py --save_model {0}, '
        'or leave --model out to use the default.\n').format(tmp_path / 'mistyped'))
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize('script, arguments', [('classify.py', ['my_digit.jpg']),
                                               ('draw.py', ['--no_browser', '--port', '0'])])
def test_a_broken_model_is_one_line_and_status_1(script, arguments, tmp_path):
    # The checkpoint's files are there (so --model takes them) but hold no model: the
    # restore fails, and the script says so in one line, without a traceback.
    for suffix in ('.index', '.data-00000-of-00001'):
        (tmp_path / ('broken' + suffix)).write_bytes(b'not a checkpoint')
    result = subprocess.run([sys.executable, os.path.join(ROOT, script), '--model', str(tmp_path / 'broken'),
                             *arguments], capture_output=True, text=True, timeout=120, cwd=ROOT, env=environment())
    assert (result.returncode, result.stdout) == (1, '')
    assert re.fullmatch(r'%s is not a model saved by mnist_softmax.py --save_model, or it is broken \(.+\)\. '
                        r'Save it anew with python mnist_softmax.py --save_model %s\.\n'
                        % (re.escape(str(tmp_path / 'broken')), re.escape(str(tmp_path / 'broken'))),
                        result.stderr), result.stderr
