"""mnist_softmax.py's flags, parsed in this process: defaults, values, and bad flags."""
import os
import subprocess
import sys
import types

import pytest

import command_line
import safe_files
from conftest import ROOT, SCRIPT


def as_main(file, argv, monkeypatch):
    """Make this process look like one that runs `file` with `argv`, as __main__ would."""
    main = types.ModuleType('__main__')
    if file:
        main.__file__ = file
    monkeypatch.setitem(sys.modules, '__main__', main)
    monkeypatch.setattr(sys, 'argv', argv)
    monkeypatch.setattr(sys, 'excepthook', sys.excepthook)  # put back after the test


def test_defaults_as_a_script_and_as_a_paste(monkeypatch):
    monkeypatch.setattr(sys, 'excepthook', sys.excepthook)  # put back after the test
    # `python mnist_softmax.py`: __main__ is the script, with its __file__.
    script = types.ModuleType('__main__')
    script.__file__ = SCRIPT
    monkeypatch.setitem(sys.modules, '__main__', script)
    monkeypatch.setattr(sys, 'argv', [SCRIPT])
    assert command_line.run_as_script()
    as_script = command_line.parse_flags()
    assert as_script.data_dir == os.path.join(ROOT, 'MNIST_data')  # beside the script
    assert (as_script.learning_rate, as_script.max_steps, as_script.batch_size) == (0.5, 1000, 100)
    assert (as_script.seed, as_script.source_url) == (None, None)
    assert (as_script.weights_image, as_script.log_dir) == (None, None)
    # Pasted into a REPL, IPython or a kernel, __main__ has no __file__: the tutorial's
    # own relative folder, and sys.argv (the interpreter's or the kernel's) is not read.
    monkeypatch.setitem(sys.modules, '__main__', types.ModuleType('__main__'))
    monkeypatch.setattr(sys, 'argv', ['/usr/bin/ipython', '--no-autoindent', '-f', 'kernel.json'])
    assert not command_line.run_as_script()
    pasted = command_line.parse_flags()
    assert pasted.data_dir == 'MNIST_data/'
    assert vars(pasted) == dict(vars(as_script), data_dir='MNIST_data/')


@pytest.mark.parametrize('where, main_file, argv', [
    ('Python 3.13\'s new REPL', '/usr/lib/python3.13/_pyrepl/__main__.py', ['']),
    ('the classic REPL', None, ['']),
    ('IPython', None, ['/usr/bin/ipython']),
    ('a Jupyter kernel', None, ['/venv/lib/python3.11/site-packages/ipykernel_launcher.py', '-f', 'k.json']),
])
def test_a_paste_takes_the_defaults_and_leaves_the_interpreter_as_it_was(monkeypatch, where, main_file, argv):
    as_main(main_file, argv, monkeypatch)
    hook = sys.excepthook
    assert not command_line.run_as_script()
    flags = command_line.parse_flags()
    assert (flags.data_dir, flags.max_steps, flags.seed) == ('MNIST_data/', 1000, None)
    assert sys.excepthook is hook  # the learner's session keeps its tracebacks


def test_as_a_script_a_loader_failure_is_its_message_and_anything_else_a_traceback(monkeypatch, capsys):
    import input_data
    as_main(SCRIPT, [SCRIPT], monkeypatch)
    before = []
    monkeypatch.setattr(sys, 'excepthook', lambda kind, error, traceback: before.append(kind))
    command_line.parse_flags()
    failure = input_data.DownloadError('Could not get a good copy of x.\nTo fix it, do y.')
    sys.excepthook(input_data.DownloadError, failure, None)
    assert capsys.readouterr().err == 'Could not get a good copy of x.\nTo fix it, do y.\n'
    assert before == []
    try:
        raise ValueError('a bug of ours')
    except ValueError as error:
        sys.excepthook(ValueError, error, error.__traceback__)
    assert before == [ValueError]  # the usual hook, with its traceback
    assert capsys.readouterr().err == ''
    # The loader's arguments are named as the script's flags; a failed write of the picture
    # (a full disk, after training) is one message too.
    failure = input_data.DownloadError('x cannot be read.\nTo fix it, choose another folder (train_dir).')
    sys.excepthook(input_data.DownloadError, failure, None)
    assert capsys.readouterr().err.splitlines()[-1] == '(Here train_dir is --data_dir, and source_url is --source_url.)'
    import safe_files
    failure = safe_files.SaveError('Could not save w.png in /tmp: No space left on device.\nTo fix it, free some space there.')
    sys.excepthook(safe_files.SaveError, failure, None)
    assert capsys.readouterr().err == str(failure) + '\n' and before == [ValueError]


def test_flags_given_in_a_script_leave_the_hook_alone(monkeypatch):
    as_main(SCRIPT, [SCRIPT, '--max_steps', '9'], monkeypatch)
    hook = sys.excepthook
    assert command_line.parse_flags(['--max_steps', '5']).max_steps == 5  # not the command line
    assert sys.excepthook is hook


def test_values(tmp_path):
    flags = command_line.parse_flags([
        '--data_dir', str(tmp_path), '--learning_rate', '0.05', '--max_steps', '7',
        '--batch_size', '55000', '--seed', '-3', '--source_url', 'file:///media/usb',
        '--weights_image', str(tmp_path / 'w.png'), '--log_dir', str(tmp_path / 'logs')])
    assert (flags.data_dir, flags.learning_rate, flags.max_steps, flags.batch_size,
            flags.seed) == (str(tmp_path), 0.05, 7, 55000, -3)
    assert flags.source_url == 'file:///media/usb'
    assert flags.weights_image == str(tmp_path / 'w.png')
    assert os.listdir(tmp_path) == []  # checked, not made: the write checks leave nothing behind


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
    (['--data_dir', ''], 'argument --data_dir: is empty; give a directory, or leave the flag out '
     'to use MNIST_data beside the script'),
    (['--source_url', 'ftp://x'], "argument --source_url: 'ftp://x' is not a source the loader "
     'can read: use an http://, https:// or file:// URL, or the path of a local folder'),
    (['--seed', '1.5'], "argument --seed: invalid int value: '1.5'"),
    (['--max-steps', '5'], 'unrecognized arguments: --max-steps 5'),
    (['--weights_image', '/proc/no such folder/w.png'],
     'argument --weights_image: cannot write in /proc/no such folder (No such file or directory)'),
    (['--weights_image', ROOT], 'argument --weights_image: %s names a folder; give the name of a file in it' % ROOT),
    (['--weights_image', 'no such folder/'],
     'argument --weights_image: no such folder/ names a folder; give the name of a file in it'),
    (['--weights_image', SCRIPT + '/w.png'],
     'argument --weights_image: %s/w.png: a part of its path is a file, not a folder' % SCRIPT),
    (['--weights_image', ''], 'argument --weights_image: the name is empty; give the name of a file'),
    (['--save_model', ''], 'argument --save_model: the name is empty; give the name of a file'),
    (['--data_dir', os.path.join(ROOT, 'MNIST_data'), '--weights_image', os.path.join(ROOT, 'MNIST_data', 't10k-labels-idx1-ubyte.gz')],
     'argument --weights_image: %s is a data file; give another name'
     % os.path.join(ROOT, 'MNIST_data', 't10k-labels-idx1-ubyte.gz')),
    (['--weights_image', '/tmp/same.png', '--mistakes_image', '/tmp/same.png'],
     'argument --mistakes_image: /tmp/same.png is also the --weights_image; give another name'),
    (['--weights_image', '/dev/null'],
     'argument --weights_image: /dev/null is a character device; give the name of a file'),
    (['--log_dir', '/proc/logs'],
     'argument --log_dir: cannot write in /proc/logs (No such file or directory)'),
    (['--log_dir', SCRIPT], 'argument --log_dir: %s is a file, not a directory' % SCRIPT),
]


@pytest.mark.parametrize('flags, message', BAD_FLAGS, ids=[' '.join(f) for f, _ in BAD_FLAGS])
def test_a_bad_flag_gets_one_line_and_status_2(capsys, flags, message):
    with pytest.raises(SystemExit) as exit_:
        command_line.parse_flags(flags)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert (out, err) == ('', 'mnist_softmax.py: error: %s\n' % message)


@pytest.mark.parametrize('flags, message', [
    (['--help'], None),
    (['--max_steps', '0'], 'argument --max_steps: must be at least 1, not 0'),
    (['--weights_image', '/proc/new folder/w.png'],
     'argument --weights_image: cannot write in /proc/new folder (No such file or directory)'),
], ids=['help', 'max_steps', 'weights_image'])
def test_help_and_a_bad_flag_stop_the_script_before_the_data_and_tensorflow(flags, message):
    # The script itself, as a script: it must stop at its first lines, having imported
    # neither TensorFlow nor NumPy (what is imported tells, whatever the machine's speed).
    driver = ('import runpy, sys; sys.argv = [%r] + %r\n'
              'try:\n    runpy.run_path(sys.argv[0], run_name="__main__")\n'
              'except SystemExit as exit_:\n'
              '    print(exit_.code, "tensorflow" in sys.modules, "numpy" in sys.modules)' % (SCRIPT, flags))
    result = subprocess.run([sys.executable, '-c', driver], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    if message is None:  # --help: the usage, then exit status 0
        assert result.stdout.startswith('usage: mnist_softmax.py') and result.stderr == ''
        assert result.stdout.endswith('\n0 False False\n')
    else:
        assert result.stdout == '2 False False\n'
        assert result.stderr == 'mnist_softmax.py: error: %s\n' % message


def test_a_fifo_is_refused_as_the_weights_image(tmp_path, capsys):
    os.mkfifo(tmp_path / 'pipe')
    with pytest.raises(SystemExit):
        command_line.parse_flags(['--weights_image', str(tmp_path / 'pipe')])
    assert capsys.readouterr().err.endswith('%s is a FIFO (named pipe); give the name of a file\n' % (tmp_path / 'pipe'))


def test_help_states_every_default(capsys):
    with pytest.raises(SystemExit) as exit_:
        command_line.parse_flags(['--help'])
    assert exit_.value.code == 0
    text = ' '.join(capsys.readouterr().out.split())
    for flag in ('--data_dir', '--learning_rate', '--max_steps', '--batch_size', '--seed',
                 '--source_url', '--weights_image', '--log_dir', '--save_model', '--mistakes_image',
                 '--confusion'):
        assert flag in text
    assert text.count('(default:') == 11


def test_the_weights_images_name_may_be_long_but_not_too_long(tmp_path):
    # 250 characters is a legal name, though a temporary file beside it needs more.
    legal = str(tmp_path / ('w' * 246 + '.png'))
    assert command_line.parse_flags(['--weights_image', legal]).weights_image == legal
    with pytest.raises(SystemExit):
        command_line.parse_flags(['--weights_image', str(tmp_path / ('w' * 252 + '.png'))])


def test_another_users_picture_in_a_shared_folder_is_refused_before_training(tmp_path, monkeypatch, capsys):
    shared = tmp_path / 'shared'
    shared.mkdir()
    shared.chmod(0o1777)  # as /tmp: only a file's owner may replace it
    (shared / 'weights.png').write_bytes(b'theirs')  # owned by this test's user...
    monkeypatch.setattr(command_line.os, 'geteuid', lambda: 12345)  # ...and we are another
    with pytest.raises(SystemExit):
        command_line.parse_flags(['--weights_image', str(shared / 'weights.png')])
    assert 'belongs to another user, who alone may replace it' in capsys.readouterr().err
    assert command_line.parse_flags(['--weights_image', str(shared / 'mine.png')]).weights_image


def test_from_a_folder_that_no_longer_exists_the_weights_image_is_one_line(tmp_path):
    gone = tmp_path / 'gone'
    gone.mkdir()
    result = subprocess.run(['sh', '-c', 'cd "$1" && rmdir "$1" && exec "$2" "$3" --weights_image w.png',
                             'sh', str(gone), sys.executable, SCRIPT], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr == ('mnist_softmax.py: error: argument --weights_image: w.png: the current '
                             'folder no longer exists; cd into one that does\n')


@pytest.mark.parametrize('flag', ['--weights_image', '--mistakes_image', '--save_model'])
def test_a_link_another_user_planted_in_a_shared_folder_is_refused(tmp_path, monkeypatch, capsys, flag):
    # In a folder like /tmp, another user makes a link at the name, to a file of ours: were
    # it written through, our file would be replaced. The link is given to another user
    # (root may), and we play a third.
    if os.geteuid() != 0:
        pytest.skip('giving a link to another user needs root')
    shared = tmp_path / 'shared'
    shared.mkdir()
    shared.chmod(0o1777)
    ours = tmp_path / 'precious'
    ours.write_bytes(b'ours')
    name = 'pictures.png' if flag != '--save_model' else 'model.index'
    (shared / name).symlink_to(ours)
    os.lchown(shared / name, 54321, 54321)
    monkeypatch.setattr(safe_files.os, 'geteuid', lambda: 12345)
    path = str(shared / name) if flag != '--save_model' else str(shared / 'model')
    with pytest.raises(SystemExit):
        command_line.parse_flags([flag, path])
    assert capsys.readouterr().err == (
        'mnist_softmax.py: error: argument %s: %s is a symbolic link that another user made in a shared '
        'folder; give another name\n' % (flag, shared / name))  # for a model, its file model.index
    assert ours.read_bytes() == b'ours'


def test_the_models_folder_is_checked_before_training(capsys):
    with pytest.raises(SystemExit):
        command_line.parse_flags(['--save_model', '/proc/no such folder/mnist_softmax'])
    assert capsys.readouterr().err == ('mnist_softmax.py: error: argument --save_model: cannot write in '
                                       '/proc/no such folder (No such file or directory)\n')
