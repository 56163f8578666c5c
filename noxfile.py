"""The test suite against one TensorFlow release: `nox -s "tests(tensorflow='2.16')"`.

`nox -l` lists the releases. Each session installs requirements-dev.txt with that
TensorFlow (the newest patch release of it) into a fresh virtual environment under .nox/,
then runs the README's test command; arguments after `--` go to pytest.
"""
import nox

# The releases pip offers for Python 3.11. README.md says which of them pass.
TENSORFLOW_RELEASES = ['2.12', '2.13', '2.14', '2.15', '2.16', '2.17', '2.18', '2.19', '2.20', '2.21']


@nox.session
@nox.parametrize('tensorflow', TENSORFLOW_RELEASES)
def tests(session, tensorflow):
    session.install('-r', 'requirements-dev.txt', 'tensorflow==%s.*' % tensorflow)
    session.run('python', '-c', 'import tensorflow; print("TensorFlow", tensorflow.__version__)')
    session.run('python', '-m', 'pytest', *session.posargs)
