"""How mnist_softmax.py is run: its flags, checked before anything slow runs, and a fresh
start when it runs again in the same Python.

parse_flags() is the script's first line. It imports neither TensorFlow nor NumPy, so
that `--help` and a bad flag answer at once, with one line and exit status 2, before the
data is loaded and TensorFlow imported. Only a run as a script reads the command line:
pasted into Python, IPython or a notebook cell, the tutorial runs with the defaults
(sys.argv there belongs to the interpreter or the kernel, not to the tutorial).
Pasted again, `%run` again or exec'd again, start_afresh() gives it a new graph.
classify.py and draw.py take their --model flag and their exit from here too.
"""

import argparse
import importlib.util
import math
import os
import re
import sys

import safe_files
import trained_model

TRAIN_EXAMPLES = 55000  # MNIST's 60000 training images less the loader's 5000 for validation


def run_as_script():
    """True for `python mnist_softmax.py` (or `uv run`, or `%run` in IPython), False for a
    paste into a REPL or a notebook.

    A script's __main__ module has a __file__, and it is the script Python was asked to
    run, sys.argv[0]. The classic REPL's, IPython's and a Jupyter kernel's __main__ have no
    __file__; Python 3.13's new REPL gives its own (.../_pyrepl/__main__.py), with
    sys.argv[0] empty.
    """
    main_file = getattr(sys.modules.get('__main__'), '__file__', None)
    if not (main_file and sys.argv and sys.argv[0]):
        return False
    return os.path.abspath(sys.argv[0]) == os.path.abspath(main_file)


def parse_flags(argv=None):
    """The flags of a run: from argv, else the command line in a script, else the defaults.

    A run as a script also reports the loader's failures as their message alone, with
    exit status 1, instead of a traceback.
    """
    script = run_as_script()
    from_command_line = argv is None and script
    if argv is None:
        argv = sys.argv[1:] if script else []
    # Beside the script when run as one, so that it runs from any folder; the tutorial's
    # own folder name, in the current folder, when pasted.
    default_data_dir = (
        os.path.join(os.path.dirname(sys.argv[0]), 'MNIST_data') if script else 'MNIST_data/'
    )
    parser = argparse.ArgumentParser(
        prog='mnist_softmax.py',
        description='Train and test the softmax regression of the MNIST tutorial; print '
        'the test accuracy.',
    )
    parser.add_argument(
        '--data_dir',
        type=data_directory,
        default=default_data_dir,
        help='directory of the MNIST files (default: MNIST_data beside this script)',
    )
    parser.add_argument(
        '--learning_rate',
        type=positive_finite,
        default=0.5,
        help='gradient descent step size (default: 0.5)',
    )
    parser.add_argument(
        '--max_steps',
        type=at_least_one,
        default=1000,
        help='number of training steps (default: 1000)',
    )
    parser.add_argument(
        '--batch_size',
        type=batch_size,
        default=100,
        help='examples per training step, at most %d (default: 100)' % TRAIN_EXAMPLES,
    )
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='seed for identical runs (default: none, so runs differ slightly)',
    )
    parser.add_argument(
        '--source_url',
        type=source_url,
        default=None,
        help='where to fetch missing MNIST files: an http(s):// or file:// '
        'URL, or a local folder (default: the copies in MNIST_data beside '
        'input_data.py, then the mirrors listed in fetch_files.py)',
    )
    parser.add_argument(
        '--weights_image',
        type=drawn_with_pillow,
        default=None,
        help='after training, write the weights of each digit as a PNG '
        'picture to this file (default: none)',
    )
    parser.add_argument(
        '--log_dir',
        type=writable_directory,
        default=None,
        help='write the graph, and the loss and validation accuracy every '
        '10 steps, for TensorBoard into this directory (default: none)',
    )
    parser.add_argument(
        '--save_model',
        default=None,
        help='after training, save W and b with tf.train.Saver under this checkpoint name, '
        'for classify.py --model (default: none)',
    )
    parser.add_argument(
        '--mistakes_image',
        type=drawn_with_pillow,
        default=None,
        help='after testing, write a PNG picture of the test digits the model reads wrong, '
        'laid out as the confusion matrix, to this file (default: none)',
    )
    parser.add_argument(
        '--confusion',
        action='store_true',
        help='after testing, print how many test digits of each kind were read as each '
        '(default: not printed)',
    )
    one_line_errors(parser)
    flags = parser.parse_args(argv)
    _check_outputs(flags, parser)
    if from_command_line:
        _report_loader_failures_briefly()
    return flags


def start_afresh():
    """Forget an earlier run of the tutorial in this Python, as a new process would.

    Pasted a second time, `%run` twice in IPython or exec'd twice, the script would add
    its graph to the last run's (107 operations more each time), open a second interactive
    session (TensorFlow logs an ERROR for that), and shuffle its batches by the last run's
    graph seed (the loader asks TensorFlow's, as TF 1.x's did), so that a run without
    --seed would repeat one with it. So the last run's sessions are closed and the default
    graph is a new one, with no seed. Before TensorFlow is imported (a first run) there is
    nothing to forget.
    """
    tensorflow = sys.modules.get('tensorflow')
    if tensorflow is None:
        return
    tf = tensorflow.compat.v1
    while isinstance(tf.get_default_session(), tf.InteractiveSession):
        tf.get_default_session().close()  # which also makes it no longer the default
    tf.reset_default_graph()


def one_line_errors(parser):
    """A bad flag gets one line and exit status 2, not the whole usage above it: the reason
    is what to read."""
    parser.error = lambda message: parser.exit(2, '%s: error: %s\n' % (parser.prog, message))


# The flags' types: each returns the value or raises ArgumentTypeError with the reason,
# which argparse prints as "mnist_softmax.py: error: argument --flag: reason".


def whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a whole number' % text) from None


def at_least_one(text):
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError('must be at least 1, not %d' % value)
    return value


def at_most_ten(text):
    value = at_least_one(text)
    if value > 10:
        raise argparse.ArgumentTypeError('there are only 10 digits, not %d' % value)
    return value


def batch_size(text):
    value = at_least_one(text)
    if value > TRAIN_EXAMPLES:
        raise argparse.ArgumentTypeError(
            '%d is larger than the %d training examples' % (value, TRAIN_EXAMPLES)
        )
    return value


def positive_finite(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a number' % text) from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError('must be a positive finite number, not %s' % text)
    return value


def source_url(text):
    """--source_url: a URL or folder the loader can read; empty, as in TF 1.x, for the default
    sources."""
    import fetch_files  # here, not above: only this flag needs it

    if text:
        try:
            fetch_files.check_source_url(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return text


def data_directory(path):
    if not path:
        raise argparse.ArgumentTypeError(
            'is empty; give a directory, or leave the flag out to use MNIST_data beside the script'
        )
    if os.path.exists(path) and not os.path.isdir(path):
        raise argparse.ArgumentTypeError('%s is not a directory' % path)
    return path


def drawn_with_pillow(path):
    """--weights_image and --mistakes_image: Pillow, which draws them, must be there. (The
    file itself is checked with the run's other outputs, _check_outputs.)"""
    if importlib.util.find_spec('PIL') is None:
        raise argparse.ArgumentTypeError(
            'the pictures are drawn with Pillow, which is not installed: pip install pillow '
            '(or uv run --with pillow mnist_softmax.py ...)'
        )
    return path


def writable_directory(path):
    """--log_dir: a directory that can be written (made when the run logs), checked before
    training."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise argparse.ArgumentTypeError('%s is a file, not a directory' % path)
    try:
        safe_files.check_writable_folder(path)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return path


def _check_outputs(flags, parser):
    """The files the tutorial writes (--weights_image, --mistakes_image, --save_model's):
    neither the data it reads nor another of them (check_outputs)."""
    import fetch_files  # here, not above: it imports the web's modules

    data = {os.path.join(flags.data_dir, name): 'a data file' for name in fetch_files.FILES}
    outputs = [
        ('--weights_image', flags.weights_image, ('',)),
        ('--mistakes_image', flags.mistakes_image, ('',)),
        ('--save_model', flags.save_model, trained_model.CHECKPOINT_SUFFIXES),
    ]
    check_outputs(parser, outputs, data)


def check_outputs(parser, outputs, inputs):
    """Each file a run writes, [(flag, path or None, suffixes)], by the one rule,
    safe_files.check_new_file, before any work: and neither one of its inputs ({path: what
    it is}) nor another of them. A file that fails is the flag's one-line error."""
    taken = dict(inputs)
    for flag, path, suffixes in outputs:
        if path is None:
            continue
        try:
            safe_files.check_new_file(path, inputs=taken, suffixes=suffixes)
        except ValueError as error:
            parser.error('argument %s: %s' % (flag, error))
        taken.update((path + suffix, 'also the ' + flag) for suffix in suffixes)


def add_model_flag(parser):
    """--model, for classify.py and draw.py: a model saved by mnist_softmax.py --save_model,
    its name checked at once (trained_model.checked_path); a model missing there is told
    by trained_model.load, with exit status 1, as a missing picture is."""
    parser.add_argument(
        '--model',
        type=saved_model,
        default=trained_model.DEFAULT,
        help='the model saved by mnist_softmax.py --save_model (default: model/mnist_softmax '
        'beside this script, trained and saved first if it is not there)',
    )


def saved_model(path):
    try:
        return trained_model.checked_path(path)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def exit_with(main):
    """sys.exit(main()), for classify.py and draw.py: what the learner can mend, a model
    that cannot be loaded or a picture that cannot be saved, is its message alone on
    stderr (it names the file and the fix) and exit status 1, not a traceback."""
    try:
        status = main()
    except (trained_model.ModelError, safe_files.SaveError) as error:
        print(error, file=sys.stderr)
        status = 1
    sys.exit(status)


def _brief_errors():
    """The errors told as their message alone: the loader's, and a failed save (each once
    its module is loaded: before that, none can be raised)."""
    kinds = []
    if 'fetch_files' in sys.modules:
        kinds.append(sys.modules['fetch_files'].DownloadError)
    if 'safe_files' in sys.modules:
        kinds.append(sys.modules['safe_files'].SaveError)
    return tuple(kinds)


def _report_loader_failures_briefly():
    """Show the loader's errors, and a failed write of the weights picture, as their message
    alone (exit status 1), not a traceback.

    Their message already names the file, what went wrong and the fix; a traceback through
    the loader's insides would only bury it. The loader speaks of its own arguments, so
    the flags that set them are named too. Other exceptions are untouched.
    """
    previous = sys.excepthook

    def hook(kind, error, traceback):
        brief = _brief_errors()
        if brief and issubclass(kind, brief):
            print(error, file=sys.stderr)
            if re.search(r'\b(train_dir|source_url)\b', str(error)):
                print(
                    '(Here train_dir is --data_dir, and source_url is --source_url.)',
                    file=sys.stderr,
                )
        else:
            previous(kind, error, traceback)

    sys.excepthook = hook
