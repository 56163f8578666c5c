"""Keep TensorFlow's start-up chatter off the screen, and nothing else.

On a machine without a GPU, TensorFlow 2.21 writes a dozen lines to stderr before the
tutorial has trained anything: notes on oneDNN, on CPU instructions and on missing CUDA
drivers (each twice, and regardless of TF_CPP_MIN_LOG_LEVEL, because they come before
its logging is set up), an error that CUDA could not be started, and deprecation
notices for the tf.compat.v1 calls the tutorial makes on purpose.

Import this module before TensorFlow and exactly those are hidden:
- TensorFlow's C++ INFO and WARNING lines (TF_CPP_MIN_LOG_LEVEL=2, enforced),
- the failed start of CUDA, only once TensorFlow has said there is no CUDA driver at
  all (on a machine with a GPU that error is real, and it shows),
- TensorFlow's Python deprecation notices.
Everything else, errors and tracebacks included, still shows. Set TF_CPP_MIN_LOG_LEVEL
yourself (0 shows everything) and this module changes nothing.

How: C++ code writes to file descriptor 2 directly, so fd 2 becomes a pipe to a small
child process (this file, run as a script) that drops those lines and passes the rest
on. A child rather than a thread, so that nothing is lost if the process crashes.
Python's own sys.stderr keeps writing straight to the terminal.
"""
import atexit
import logging
import os
import re
import signal
import subprocess
import sys

# Whole lines that are chatter. C++ log lines look like "I0000 00:00:17.. 3177 port.cc:153] ...".
CHATTER = re.compile(
    r'WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR'
    r'|[IW]\d{4} \S+ +\d+ \S+:\d+\] .*'
    r'|To enable the following instructions: .* rebuild TensorFlow with the appropriate '
    r'compiler flags\.')
NO_CUDA_DRIVER = re.compile(r'[IW]\d{4} .*Could not find cuda drivers on your machine.*')
CUDA_START_FAILED = re.compile(r'E\d{4} \S+ +\d+ \S+:\d+\] failed call to cuInit: .*')


# The classic REPL writes its prompts to fd 2 without a newline, so when the tutorial is
# pasted into it, a line of chatter arrives behind them: ">>> >>> I0000 00:00:17...".
PROMPTS = re.compile(rb'(?:>>> |\.\.\. )*')


def filter_lines(source, target):
    """Copy lines from source to target (binary streams), leaving out the chatter."""
    no_driver = False
    for raw in source:
        prompts = PROMPTS.match(raw).group()
        line = raw[len(prompts):].decode('utf-8', 'replace').rstrip('\r\n')
        no_driver = no_driver or bool(NO_CUDA_DRIVER.fullmatch(line))
        if CHATTER.fullmatch(line) or (no_driver and CUDA_START_FAILED.fullmatch(line)):
            raw = prompts
        target.write(raw)
        target.flush()


def _not_a_deprecation_notice(record):
    return 'is deprecated and will be removed' not in record.getMessage()


def _install():
    if 'TF_CPP_MIN_LOG_LEVEL' in os.environ or sys.stderr is None:
        return
    os.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'
    logging.getLogger('tensorflow').addFilter(_not_a_deprecation_notice)
    sys.stderr.flush()
    terminal = os.dup(2)
    child = subprocess.Popen([sys.executable, '-S', os.path.abspath(__file__)],
                             stdin=subprocess.PIPE, stdout=terminal, stderr=terminal)
    os.dup2(child.stdin.fileno(), 2)
    child.stdin.close()
    sys.stderr = os.fdopen(terminal, 'w', buffering=1, encoding=sys.stderr.encoding,
                           errors='backslashreplace')

    def finish():
        sys.stderr.flush()
        os.dup2(terminal, 2)  # closes the pipe: the child passes on what is left and ends
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    atexit.register(finish)


if __name__ == '__main__':
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent; read to the end
    filter_lines(sys.stdin.buffer, sys.stdout.buffer)
else:
    _install()
