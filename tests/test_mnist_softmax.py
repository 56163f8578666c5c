"""The tutorial script, run as a user runs it, on the real data (flags: test_command_line.py)."""
import io
import os
import re
import sys

import numpy
import pytest

import input_data
from conftest import IN_THIS_PROCESS, NAMES, REAL_DATA_DIR, ROOT, SCRIPT, extracting, run, unexplained

ACCURACY = re.compile(r'0\.\d+')


# The script run as `python mnist_softmax.py FLAGS` would run it (runpy, as __main__), then
# the weights and biases it trained saved, to check what it printed against.
SAVE_TRAINED = (
    'import runpy, sys, numpy\n'
    'sys.argv = %r\n'
    'script = runpy.run_path(sys.argv[0], run_name="__main__")\n'
    'numpy.savez(%r, W=script["sess"].run(script["W"]), b=script["sess"].run(script["b"]))\n')


def accuracy_of(weights, biases, data_set):
    """The tutorial's accuracy of a trained W and b on a data set, in NumPy."""
    predictions = numpy.argmax(data_set.images @ weights + biases, axis=1)
    return numpy.mean(predictions == numpy.argmax(data_set.labels, axis=1))


@pytest.mark.slow
def test_a_whole_run_is_accurate_and_quiet(tmp_path):
    # From another folder, with Python's warnings on, as a developer's would be.
    result = run('--seed', '7', PYTHONWARNINGS='default')
    print('\n' + result.stdout + result.stderr, end='')  # what a learner sees (shown with -s)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == extracting(REAL_DATA_DIR)  # found beside the script
    assert len(lines) == 5 and ACCURACY.fullmatch(lines[-1])
    assert 0.90 <= float(lines[-1]) <= 0.935
    assert unexplained(result.stderr) == []  # no chatter, no deprecation notices, no warnings
    # That it is the test set's accuracy, of what the run trained: the next test.


@pytest.mark.slow
def test_a_repl_paste_twice_runs_with_the_defaults_and_prints_the_accuracy():
    # TF_CPP_MIN_LOG_LEVEL=2, as many set it in their shell: still quiet. The REPL's
    # sys.argv is [''], and the flags keep their defaults. Pasted again, as a learner does
    # after a mistake, it starts from a new graph: as many operations, and no ERROR line.
    paste = open(SCRIPT).read() + '\nprint(len(tf.get_default_graph().get_operations()))\n'
    pasted = run(args=[sys.executable, '-i'], stdin=paste + paste, cwd=ROOT, TF_CPP_MIN_LOG_LEVEL='2')
    assert pasted.returncode == 0, pasted.stderr
    lines = pasted.stdout.splitlines()
    assert len(lines) == 12  # nothing else echoed
    first, second = lines[:6], lines[6:]
    assert first[:4] == second[:4] == extracting('MNIST_data/')  # the tutorial's folder
    for accuracy in (first[4], second[4]):
        assert ACCURACY.fullmatch(accuracy) and 0.90 <= float(accuracy) <= 0.935
    assert int(first[5]) == int(second[5]) > 0
    # stderr holds the REPL's banner and prompts, and nothing else.
    prompts_removed = unexplained(re.sub(r'(>>> |\.\.\. )', '', pasted.stderr).strip())
    assert prompts_removed[0].startswith('Python 3') and len(prompts_removed) == 2


def numpy_softmax_regression(data_dir, learning_rate, max_steps, batch_size, seed):
    """The tutorial's training in NumPy, on the batches input_data gives for the seed:
    an independent reference for the accuracy the script prints."""
    mnist = input_data.read_data_sets(data_dir, one_hot=True, seed=seed)
    weights = numpy.zeros((784, 10), numpy.float32)
    biases = numpy.zeros(10, numpy.float32)
    for _ in range(max_steps):
        images, labels = mnist.train.next_batch(batch_size)
        logits = images @ weights + biases
        exponentials = numpy.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = exponentials / exponentials.sum(axis=1, keepdims=True)
        # The gradient of the mean softmax cross-entropy with respect to the logits.
        gradient = (probabilities - labels.astype(numpy.float32)) / batch_size
        weights -= numpy.float32(learning_rate) * (images.T @ gradient)
        biases -= numpy.float32(learning_rate) * gradient.sum(axis=0)
    predictions = numpy.argmax(mnist.test.images @ weights + biases, axis=1)
    return numpy.mean(predictions == numpy.argmax(mnist.test.labels, axis=1))


def test_a_loader_failure_is_its_message_and_status_1(tmp_path):
    result = run('--data_dir', str(tmp_path / 'data'), '--source_url', str(tmp_path / 'nowhere'))
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert result.stderr.startswith('Could not get a good copy of train-images-idx3-ubyte.gz')
    assert 'To fix it, put the four files' in result.stderr
    assert not os.path.exists(tmp_path / 'data')  # the folder it made is gone again


@pytest.mark.slow
@IN_THIS_PROCESS
def test_every_flag_takes_effect(tf, tmp_path):
    # One run with every flag, in this Python as `python mnist_softmax.py FLAGS` runs it,
    # keeping the W and b it trained: what it prints and writes is checked against them.
    import glob
    import mistakes
    import pictures
    import trained_model
    from PIL import Image
    data_dir = tmp_path / 'data'
    data_dir.mkdir()
    for name in NAMES:
        os.symlink(os.path.join(REAL_DATA_DIR, name), data_dir / name)
    image, logs, saved = tmp_path / 'w.png', tmp_path / 'logs', tmp_path / 'trained.npz'
    wrong, model = tmp_path / 'mistakes.png', tmp_path / 'model' / 'mnist_softmax'
    flags = [SCRIPT, '--max_steps', '20', '--batch_size', '50', '--learning_rate', '0.1', '--seed', '3',
             '--data_dir', str(data_dir), '--weights_image', str(image), '--log_dir', str(logs),
             '--mistakes_image', str(wrong), '--confusion', '--save_model', str(model)]
    extras = run(args=[sys.executable, '-c', SAVE_TRAINED % (flags, str(saved))], cwd=ROOT)
    assert extras.returncode == 0, extras.stderr
    assert unexplained(extras.stderr) == []
    weights, biases = numpy.load(saved)['W'], numpy.load(saved)['b']
    lines = extras.stdout.splitlines()
    assert lines[:4] == extracting(str(data_dir))
    # --learning_rate, --max_steps, --batch_size and --seed: the accuracy of the tutorial's
    # training in NumPy on the same batches. Had the learning rate or the batch size been
    # left at its default, it would differ by more than that.
    expected = numpy_softmax_regression(str(data_dir), 0.1, 20, 50, 3)
    assert abs(float(lines[4]) - expected) <= 0.001
    for other in (numpy_softmax_regression(str(data_dir), 0.5, 20, 50, 3),
                  numpy_softmax_regression(str(data_dir), 0.1, 20, 100, 3)):
        assert abs(other - expected) > 0.003
    mnist = input_data.read_data_sets(REAL_DATA_DIR, one_hot=True)
    # The accuracy printed is the test set's, of the W and b the run trained, computed anew:
    # within one image of 10,000 (float sums in another order may tip a near tie), and not
    # the validation set's, which differs by more than that.
    assert abs(float(lines[4]) - accuracy_of(weights, biases, mnist.test)) <= 0.0001
    assert abs(float(lines[4]) - accuracy_of(weights, biases, mnist.validation)) > 0.0001
    # --confusion: the counts, within a near tie or two of NumPy's arithmetic.
    predicted = (mnist.test.images @ weights + biases).argmax(axis=1)
    counts = mistakes.confusion(mnist.test.labels.argmax(axis=1), predicted)
    assert lines[5] == 'confusion: rows the true digit, columns the digit read, then the share right'
    table = numpy.array([[int(count) for count in line.split()[1:11]] for line in lines[7:17]])
    assert table.sum() == 10000 and numpy.abs(table - counts).sum() <= 4 and len(lines) == 17
    # The pictures, of these weights; the model, these W and b.
    assert Image.open(image).size == Image.open(io.BytesIO(pictures.weights_png(weights))).size
    assert Image.open(wrong).width == pictures.MISTAKES_LEFT + 10 * pictures.MISTAKE_STEP + 4
    restored = trained_model.Model(str(model))
    assert (restored.weights == weights).all() and (restored.biases == biases).all()
    # --log_dir: the run's own folder, the graph under the tutorial's names, and the curves.
    run_folder, = os.listdir(logs)
    assert re.fullmatch(r'\d{8}-\d{6}', run_folder)
    events = list(tf.train.summary_iterator(glob.glob(str(logs / run_folder / 'events.*'))[0]))
    graph = tf.GraphDef.FromString([event.graph_def for event in events if event.HasField('graph_def')][0])
    names = {node.name for node in graph.node}
    assert {'x', 'W', 'b', 'y', 'y_', 'cross_entropy', 'train_step'} <= names and 'Variable' not in names
    steps = sorted({event.step for event in events for value in event.summary.value})
    assert steps == [10, 20]
    assert sorted(os.listdir(tmp_path)) == ['data', 'logs', 'mistakes.png', 'model', 'trained.npz', 'w.png']
