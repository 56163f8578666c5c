"""The tutorial script, run as a user runs it: whole runs on the real data, bad flags."""
import os
import re
import subprocess
import sys

from conftest import ROOT

SCRIPT = os.path.join(ROOT, 'mnist_softmax.py')
ACCURACY = re.compile(r'0\.\d+')
EXTRACTING = ['Extracting %s' % os.path.join(ROOT, 'MNIST_data', name)
              for name in ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
                           't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')]


def environment(**extra):
    """The caller's environment, less what would change what TensorFlow prints."""
    env = {key: value for key, value in os.environ.items()
           if key not in ('TF_CPP_MIN_LOG_LEVEL', 'PYTHONWARNINGS')}
    env.update(extra)
    return env


def run(*flags, stdin=None, args=None, **extra_env):
    return subprocess.run(args or [sys.executable, SCRIPT, *flags], input=stdin,
                          capture_output=True, text=True, timeout=300, cwd=ROOT if stdin else '/',
                          env=environment(**extra_env))


def test_seeded_runs_are_identical_accurate_and_quiet():
    # Python's deprecation warnings are turned on, as a developer's would be.
    first = run('--seed', '7', PYTHONWARNINGS='default')
    second = run('--seed', '7', PYTHONWARNINGS='default')
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[:4] == EXTRACTING  # run from '/': data_dir is found beside the script
    assert len(lines) == 5 and ACCURACY.fullmatch(lines[-1])
    assert 0.90 <= float(lines[-1]) <= 0.935
    assert first.stderr == ''  # no chatter, no deprecation notices, no warnings
    assert second.stdout == first.stdout and second.stderr == ''


def test_a_repl_paste_runs_and_prints_the_accuracy():
    pasted = run(args=[sys.executable, '-i'], stdin=open(SCRIPT).read())
    assert pasted.returncode == 0, pasted.stderr
    lines = pasted.stdout.splitlines()
    assert lines[:4] == [line.replace(ROOT + os.sep, '') for line in EXTRACTING]
    assert ACCURACY.fullmatch(lines[-1]) and 0.90 <= float(lines[-1]) <= 0.935
    assert len(lines) == 5  # nothing else echoed
    # stderr holds the REPL's banner and prompts, and nothing else.
    prompts_removed = re.sub(r'(>>> |\.\.\. )', '', pasted.stderr).strip().splitlines()
    assert prompts_removed[0].startswith('Python 3') and len(prompts_removed) == 2


def test_a_short_run_with_other_flags(tmp_path):
    result = run('--max_steps', '10', '--batch_size', '50', '--learning_rate', '0.1',
                 '--data_dir', os.path.join(ROOT, 'MNIST_data'))
    assert result.returncode == 0 and result.stderr == ''
    assert 0.3 < float(result.stdout.splitlines()[-1]) < 0.935


BAD_FLAGS = [
    (['--max_steps', '0'], 'argument --max_steps: must be at least 1, not 0'),
    (['--max_steps', 'ten'], "argument --max_steps: 'ten' is not a whole number"),
    (['--batch_size', '-5'], 'argument --batch_size: must be at least 1, not -5'),
    (['--batch_size', '55001'], 'argument --batch_size: 55001 is larger than the 55000 training examples'),
    (['--learning_rate', '0'], 'argument --learning_rate: must be a positive finite number, not 0'),
    (['--learning_rate', 'nan'], 'argument --learning_rate: must be a positive finite number, not nan'),
    (['--learning_rate', 'inf'], 'argument --learning_rate: must be a positive finite number, not inf'),
    (['--learning_rate', 'fast'], "argument --learning_rate: 'fast' is not a number"),
    (['--data_dir', SCRIPT], 'argument --data_dir: %s is not a directory' % SCRIPT),
    (['--seed', '1.5'], "argument --seed: invalid int value: '1.5'"),
    (['--max-steps', '5'], 'unrecognized arguments: --max-steps 5'),
    (['--weights_image', '/nonexistent/w.png'],
     'argument --weights_image: cannot write in /nonexistent (No such file or directory)'),
    (['--weights_image', ROOT], 'argument --weights_image: %s is a directory; give a file name' % ROOT),
    (['--log_dir', '/proc/logs'],
     'argument --log_dir: cannot write in /proc/logs (No such file or directory)'),
    (['--log_dir', SCRIPT], 'argument --log_dir: %s is a file, not a directory' % SCRIPT),
]


def test_bad_flags_get_one_line_and_status_2():
    # All at once: each run spends its seconds importing TensorFlow before it parses flags.
    runs = [subprocess.Popen([sys.executable, SCRIPT, *flags], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd='/', env=environment())
            for flags, _ in BAD_FLAGS]
    for run_, (flags, message) in zip(runs, BAD_FLAGS, strict=True):
        out, err = run_.communicate(timeout=300)
        assert (run_.returncode, err) == (2, 'mnist_softmax.py: error: %s\n' % message), flags
        assert out == ''  # stopped before loading anything


def test_no_data_and_no_source_gives_the_loaders_message(tmp_path):
    result = run('--data_dir', str(tmp_path / 'data'), '--source_url', str(tmp_path / 'nowhere'))
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert result.stderr.startswith('Could not get a good copy of train-images-idx3-ubyte.gz')
    assert 'To fix it, put the four MNIST files' in result.stderr
    assert os.listdir(tmp_path / 'data') == []
