"""The test suite against one TensorFlow release: `nox -s "tests(tensorflow='2.16')"`, or
against TensorFlow's newest release candidate or preview: `nox -s prerelease`.

`nox -l` lists the sessions. Each installs requirements-dev.txt with that TensorFlow (the
newest patch release of it) into a fresh virtual environment under .nox/, then runs the
README's test command; arguments after `--` go to pytest. docs/development.md says which
releases passed, and when.
"""

import nox

# The releases pip offers for Python 3.11.
TENSORFLOW_RELEASES = [
    '2.12',
    '2.13',
    '2.14',
    '2.15',
    '2.16',
    '2.17',
    '2.18',
    '2.19',
    '2.20',
    '2.21',
]


@nox.session
@nox.parametrize('tensorflow', TENSORFLOW_RELEASES)
def tests(session, tensorflow):
    session.install('-r', 'requirements-dev.txt', 'tensorflow==%s.*' % tensorflow)
    run_the_suite(session)


@nox.session
def prerelease(session):
    """The newest TensorFlow pip offers when pre-releases count: the next release, and what
    pip installs on a Python that only a preview supports (Python 3.14 in November 2026)."""
    session.install('-r', 'requirements-dev.txt')
    session.install('--pre', '--upgrade', 'tensorflow<3')
    run_the_suite(session)


def run_the_suite(session):
    session.run('python', '-c', 'import tensorflow; print("TensorFlow", tensorflow.__version__)')
    session.run('python', '-m', 'pytest', *session.posargs)
