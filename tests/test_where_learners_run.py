"""The tutorial where learners run it: a notebook, a notebook cell, IPython, another folder.

Each runs the real thing: a Jupyter kernel driven by nbclient, an IPython session on a
pseudo-terminal receiving a bracketed paste, a Python in an empty folder.
"""
import copy
import os
import re
import shutil
import subprocess
import sys

import nbformat
import numpy
import pexpect
import pytest
from nbclient import NotebookClient

import fetch_files
import quiet_tensorflow
from conftest import ROOT, SCRIPT, environment, is_mnist, unexplained

NOTEBOOKS = [os.path.join(ROOT, name) for name in ('mnist_softmax.ipynb', 'mnist_softmax.ko.ipynb')]
ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
# How far a seeded accuracy may stray from the one saved, on another CPU or TensorFlow
# build: the same batches, but float sums in another order. 0.005 is 50 of 10,000 images.
ACCURACY_TOLERANCE = 0.005


def execute(notebook, folder=ROOT, runs=1, then=(), **extra_env):
    """Run all the notebook's cells `runs` times in one fresh kernel whose working folder is
    `folder`, as Run All does, then the cells `then` once, in the same kernel: the notebook
    as each run left it (a list of them, if runs > 1), and `then` as they ran."""
    client = NotebookClient(notebook, timeout=300, kernel_name='python3',
                            resources={'metadata': {'path': folder}})
    ran = []
    with pytest.MonkeyPatch.context() as patch:  # the kernel inherits this environment
        for name in ('TF_CPP_MIN_LOG_LEVEL', 'PYTHONWARNINGS'):
            patch.delenv(name, raising=False)
        for name, value in extra_env.items():
            patch.setenv(name, value)
        with client.setup_kernel():
            for _ in range(runs):
                for index, cell in enumerate(notebook.cells):
                    if cell.cell_type == 'code':
                        client.execute_cell(cell, index)
                ran.append(copy.deepcopy(notebook))
            for cell in then:
                notebook.cells.append(cell)
                client.execute_cell(cell, len(notebook.cells) - 1)
    return ran if runs > 1 else ran[0]


def outputs(cell):
    """What a reader sees of a cell's outputs: streams' text and displayed data.

    A stream's text is one piece however many messages it came in: ipykernel sends what
    was printed on a 0.2 s timer, so on a busy machine one print can arrive in two."""
    seen = []
    for output in cell.outputs:
        if output.output_type == 'stream' and seen and seen[-1][0] == output.name:
            seen[-1] = (output.name, seen[-1][1] + output.text)
        elif output.output_type == 'stream':
            seen.append((output.name, output.text))
        else:
            seen.append((output.output_type, dict(output.get('data', {}))))
    return seen


# After Run All, what the kernel holds: the default graph's size, and the trained weights.
PROBE = 'print(len(tf.get_default_graph().get_operations()), hashlib.sha256(sess.run(W)).hexdigest())'


def colab_files(readme):
    """The files the README's Colab steps upload beside the notebook (its step 2)."""
    with open(os.path.join(ROOT, readme), encoding='utf-8') as text:
        steps = re.search(r'\n  2\. (.*?)\n  3\. ', text.read(), re.S)[1]
    return re.findall(r'`([\w.]+\.(?:py|jpg))`', steps)


def test_both_readmes_upload_the_same_files_to_colab():
    assert colab_files('README.md') == colab_files('README.ko.md') and len(colab_files('README.md')) >= 5


def colab_folder(tmp_path):
    """A folder as Colab's Files pane holds it after the README's steps: the files it lists,
    and the MNIST_data folder its last step makes, offline as the tests are."""
    for name in colab_files('README.md'):
        shutil.copy(os.path.join(ROOT, name), tmp_path / name)
    shutil.copytree(os.path.join(ROOT, 'MNIST_data'), tmp_path / 'MNIST_data')
    return str(tmp_path)


@pytest.mark.slow
def test_run_all_twice_in_one_kernel_gives_the_saved_outputs_quietly_then_a_paste_does(tmp_path):
    # In a folder with only what the README's Colab steps upload: whatever the notebook
    # imports or opens is there. The Korean notebook runs the same code (the next test), so
    # its saved outputs must be these too.
    saved = nbformat.read(NOTEBOOKS[0], as_version=4)
    probed = copy.deepcopy(saved)
    probed.cells.append(nbformat.v4.new_code_cell('import hashlib\n' + PROBE))
    # Then, in the same kernel, the script pasted into a cell, and a cell after it.
    pasted = nbformat.v4.new_code_cell(open(SCRIPT).read())
    later = nbformat.v4.new_code_cell('import sys, warnings\n'
                                      'print("stderr of a later cell", file=sys.stderr)\n'
                                      'warnings.warn("a warning of a later cell")')
    scripts = nbformat.v4.new_code_cell('import sys; sys.path.insert(0, %r)' % ROOT)  # the script's modules
    runs = execute(probed, folder=colab_folder(tmp_path), runs=2, then=[scripts, pasted, later])
    assert_the_paste_ran_quietly_and_later_cells_keep_their_stderr(pasted, later)
    # Each Run All starts from a new graph, and its seed makes it train the same weights,
    # on any machine: the second run is the first to the bit.
    first, second = (outputs(ran.cells[-1]) for ran in runs)
    assert first == second and first[0][0] == 'stdout'
    for ran in runs:
        ran.cells.pop()
        for before, after in zip(saved.cells, ran.cells, strict=True):
            if before.cell_type != 'code':
                continue
            seen, expected = outputs(after), outputs(before)
            assert [kind for kind, _ in seen] == [kind for kind, _ in expected], before.source
            for (kind, value), (_, saved_value) in zip(seen, expected, strict=True):
                assert_like_the_saved_output(before.source, kind, value, saved_value)
        everything = [output for cell in ran.cells if cell.cell_type == 'code' for output in outputs(cell)]
        stderr = ''.join(text for name, text in everything if name == 'stderr')
        assert unexplained(stderr) == []  # quiet, and no ERROR line
        accuracy, = [text for name, text in everything if name == 'stdout' and re.fullmatch(r'0\.\d+\n', text)]
        assert 0.90 <= float(accuracy) <= 0.935
    # The saved notebooks show the data first: the digits 5, 0, 4, 1, as the tutorial does.
    shown = [outputs(cell) for cell in saved.cells if cell.cell_type == 'code'][1]
    assert shown[0][1].endswith('[5 0 4 1]\n') and 'image/png' in shown[1][1]


def assert_like_the_saved_output(source, kind, value, saved):
    """What a cell showed is what the notebook saved; what the trained weights decide (the
    accuracy, the confusion counts, a probability, pictures of the weights or the mistakes)
    as nearly as the accuracy on another CPU or TensorFlow build."""
    if kind == 'stdout' and re.fullmatch(r'0\.\d+\n', saved):  # the accuracy
        assert abs(float(value) - float(saved)) <= ACCURACY_TOLERANCE
    elif kind == 'stdout' and saved.startswith('confusion:'):
        assert numpy.abs(numpy.array(counts_of(value)) - counts_of(saved)).sum() <= 2 * ACCURACY_TOLERANCE * 10000
    elif kind == 'stdout' and 'my_digit.jpg' in saved:  # the digit read, and its probability
        (digit, percent), (saved_digit, saved_percent) = (
            map(int, re.fullmatch(r'my_digit.jpg: (\d) \((\d+)%\)\n', text).groups()) for text in (value, saved))
        assert digit == saved_digit and abs(percent - saved_percent) <= 2
    elif 'weights_png' in source or 'mistakes_png' in source:  # as exact as the accuracy
        assert value['image/png'] and value['text/plain'] == saved['text/plain']
    else:
        assert value == saved, source


def counts_of(table):
    """The confusion counts in confusion_text's table."""
    return [[int(count) for count in line.split()[1:11]] for line in table.splitlines()[2:]]


def test_the_two_notebooks_run_the_same_code_and_saved_the_same_outputs():
    english, korean = (nbformat.read(path, as_version=4) for path in NOTEBOOKS)
    code = [[re.sub(r'  # .*', '', cell.source) for cell in notebook.cells if cell.cell_type == 'code']
            for notebook in (english, korean)]
    assert code[0] == code[1]
    assert [cell.cell_type for cell in english.cells] == [cell.cell_type for cell in korean.cells]
    for ours, theirs in zip(english.cells, korean.cells, strict=True):
        if ours.cell_type == 'code':
            for (kind, value), (_, saved) in zip(outputs(ours), outputs(theirs), strict=True):
                assert_like_the_saved_output(ours.source, kind, value, saved)


def assert_the_paste_ran_quietly_and_later_cells_keep_their_stderr(pasted, later):
    # The kernel's own arguments (-f ...json) are not read as flags; the data folder is
    # the tutorial's relative MNIST_data/ in the notebook's folder.
    seen = outputs(pasted)
    assert unexplained(''.join(text for name, text in seen if name == 'stderr')) == []
    lines = ''.join(text for name, text in seen if name == 'stdout').splitlines()
    assert lines[:4] == ['Extracting MNIST_data/%s' % name for name in fetch_files.FILES]
    assert len(lines) == 5 and 0.90 <= float(lines[-1]) <= 0.935
    later_stderr = ''.join(text for name, text in outputs(later) if name == 'stderr')
    assert 'stderr of a later cell' in later_stderr
    assert 'UserWarning: a warning of a later cell' in later_stderr


def in_ipython(*inputs):
    """What IPython shows for each input, typed (or, one starting with a bracketed-paste
    mark, pasted) in turn into one session on a pseudo-terminal, in the project folder."""
    session = pexpect.spawn(os.path.join(os.path.dirname(sys.executable), 'ipython'),
                            ['--no-autoindent', '--colors=NoColor', '--no-banner',
                             '--HistoryManager.hist_file=:memory:'],
                            # A terminal answers prompt_toolkit's question of where the
                            # cursor is; unanswered, it waits a second at every prompt.
                            cwd=ROOT, env=dict(environment(), TERM='xterm', PROMPT_TOOLKIT_NO_CPR='1'),
                            encoding='utf-8',
                            timeout=120, dimensions=(50, 200))
    shown = []
    try:
        session.expect(r'In \[1\]:')
        for number, text in enumerate(inputs, start=2):
            session.send(text)
            session.send('\r')
            session.expect(r'In \[%d\]:' % number)
            shown.append(ANSI.sub('', session.before).replace('\r', ''))
        session.sendline('exit')
        session.expect(pexpect.EOF)
    finally:
        session.close(force=True)
    return shown


def printed(shown):
    """The lines a cell printed, without IPython's prompts and TensorFlow's GPU lines."""
    lines = [line for line in shown.splitlines() if not line.lstrip().startswith(('...:', 'In ['))]
    return [line for line in unexplained('\n'.join(lines)) if line.strip()]


@pytest.mark.slow
def test_in_ipython_runs_and_a_paste_each_start_from_a_new_graph():
    # %run three times with flags (seeded, unseeded, seeded again), then a bracketed paste,
    # as a terminal pastes, whose flags are the defaults (IPython's own options must not
    # reach them). After each: the graph's size, and a digest of the weights it trained.
    # The seeded run comes first: op determinism, which --seed turns on, stays on in this
    # Python (TensorFlow cannot turn it off) and adds its ops to every later graph.
    after = 'len(tf.get_default_graph().get_operations()), hashlib.sha256(sess.run(W)).hexdigest()'
    shown = in_ipython('import hashlib', '%run mnist_softmax.py --max_steps 20 --seed 1', after,
                       '%run mnist_softmax.py --max_steps 20', after,
                       '%run mnist_softmax.py --max_steps 20 --seed 1', after,
                       '\x1b[200~' + open(SCRIPT).read() + '\x1b[201~', after)
    runs, states = shown[1::2], [re.fullmatch(r"Out\[\d+\]: \((\d+), '(\w+)'\)", printed(text)[-1]).groups()
                                 for text in shown[2::2]]
    for run in runs:
        assert 'Traceback' not in run and 'error' not in run.lower(), run
        assert printed(run)[-1].startswith('0.')
    lines = printed(runs[-1])
    assert lines[-5:-1] == ['Extracting MNIST_data/%s' % name for name in fetch_files.FILES], runs[-1]
    assert 0.90 <= float(lines[-1]) <= 0.935  # 1000 steps, the default
    assert not [line for line in lines if quiet_tensorflow.CHATTER.fullmatch(line)]
    (seeded_ops, seeded), (unseeded_ops, unseeded), (again_ops, again), (pasted_ops, _) = states
    assert seeded_ops == unseeded_ops == again_ops == pasted_ops  # the graph does not grow
    assert again == seeded  # the same seed, the same run
    assert unseeded != seeded  # not seeded by the run before it


def script_metadata(path):
    """The PEP 723 block of a script (its own pattern for the block; the contents are TOML),
    and the script's text."""
    tomllib = pytest.importorskip('tomllib')  # Python 3.11 and later
    text = open(path).read()
    blocks = re.findall(r'(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$', text)
    assert [kind for kind, *_ in blocks] == ['script']
    return tomllib.loads(''.join(line[2:] + '\n' for line in blocks[0][1].splitlines())), text


@pytest.mark.parametrize('name', ['mnist_softmax.py', 'classify.py', 'draw.py'])
def test_each_script_says_which_pythons_and_packages_it_needs_for_uv_run(name):
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    metadata, text = script_metadata(os.path.join(ROOT, name))
    # The Pythons TensorFlow publishes releases for (3.10 to 3.13 for 2.21). On another, such
    # as 3.14 in November 2026, pip finds only a preview of TensorFlow.
    pythons = SpecifierSet(metadata['requires-python'])
    assert [version in pythons for version in ('3.9', '3.10', '3.13', '3.14')] == [False, True, True, False]
    if sys.version.split()[0] not in pythons:
        from importlib.metadata import version
        from packaging.version import Version
        assert Version(version('tensorflow')).is_prerelease
    # requirements.txt's packages; the tutorial only TensorFlow and NumPy, as in 2017.
    with open(os.path.join(ROOT, 'requirements.txt')) as requirements:
        listed = {str(Requirement(line.strip())) for line in requirements
                  if line.strip() and not line.startswith('#')}
    needs = {str(Requirement(line)) for line in metadata['dependencies']}
    if name == 'mnist_softmax.py':
        listed = {requirement for requirement in listed if requirement.startswith(('tensorflow', 'numpy'))}
    assert needs == listed
    # At the top, out of the tutorial's way: nothing but comments before it.
    assert text.startswith('# /// script\n')


def test_the_tutorials_data_lines_load_offline_from_an_empty_folder(tmp_path):
    lines = ('import input_data\n'
             'mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)\n'
             'print(mnist.train.images.shape, mnist.test.labels.shape)\n')
    result = subprocess.run([sys.executable, '-c', lines], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env=environment(PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    folder = os.path.join(ROOT, 'MNIST_data')
    assert result.stdout.splitlines() == (
        [line for name in fetch_files.FILES
         for line in ('Copied %s from %s.' % (name, folder), 'Extracting MNIST_data/%s' % name)]
        + ['(55000, 784) (10000, 10)'])
    assert result.stderr == ''
    # Copies, verified as every source is, in the tutorial's folder; nothing else.
    assert os.listdir(tmp_path) == ['MNIST_data']
    assert sorted(os.listdir(tmp_path / 'MNIST_data')) == sorted(fetch_files.FILES)
    for name in fetch_files.FILES:
        assert is_mnist(name, (tmp_path / 'MNIST_data' / name).read_bytes())


