"""Keep TensorFlow's start-up chatter off the screen, and nothing else.

On a machine without a GPU, TensorFlow 2.21 writes a dozen lines to stderr before the
tutorial has trained anything: notes on oneDNN, on CPU instructions and on missing CUDA
drivers (each twice, and whatever TF_CPP_MIN_LOG_LEVEL says, because they come before
its logging is set up), an error that CUDA could not be started, a note on MLIR, and
deprecation notices for the tf.compat.v1 calls the tutorial makes on purpose.

    with quiet_tensorflow.start_up():
        import tensorflow.compat.v1 as tf

hides exactly those (and, on older releases, their like: see CHATTER), with the
DeprecationWarnings that TensorFlow's own modules raise as they are imported, and lets
everything else through: errors and tracebacks, a GPU machine's CUDA errors, other warnings.
TF_CPP_MIN_LOG_LEVEL=0 in the environment shows everything; 1, 2 or 3 (set to quieten
TensorFlow elsewhere) change nothing here.

How: TensorFlow's C++ code writes to file descriptor 2 directly, not through sys.stderr.
For the length of the block, fd 2 points at a temporary file; at its end fd 2 is put back
and the file's lines are written out, less the chatter, so nothing is reordered. The
block also runs one tiny session on a graph of its own, so that the chatter TensorFlow
prints when it first looks for devices comes out inside it rather than at the tutorial's
first session. Nothing stays redirected after the block (a notebook keeps its stderr),
and nothing runs in another process. Deprecation notices go through Python's logging,
where a filter on the 'tensorflow' logger drops those of the tutorial's calls.

Two things outlast the block, on purpose: that logging filter (the tutorial's calls come
after the import), and the freezing of the objects the import made (gc.freeze, so that the
garbage collector never scans them again; see start_up). And where there was no fd 2 at
all, fd 2 is /dev/null from then on.
"""

import contextlib
import ctypes
import faulthandler
import gc
import logging
import os
import re
import sys
import tempfile
import warnings

# Whole lines of C++ logging that are chatter, in absl's format (TensorFlow 2.13 and later),
# "I0000 00:00:17.. 3177 port.cc:153] oneDNN...", or in TensorFlow 2.12's,
# "2026-11-28 16:11:32.534635: I tensorflow/core/util/port.cc:110] oneDNN...".
# The source file and the message matter; the time stamp and thread do not.
LOG_LINE = r'(?:[IWEF]\d{4} \S+ +\d+ |\d{4}-\d\d-\d\d [\d:.]+: [IWEF] (?:\S+/)?)%s:\d+\] %s'
CHATTER = re.compile(
    '|'.join(
        [
            r'WARNING: All log messages before absl::InitializeLog\(\) is called '
            r'are written to STDERR',
            LOG_LINE % (r'port\.cc', r'oneDNN custom operations are on\..*'),
            LOG_LINE
            % (
                r'cudart_stub\.cc',
                r'Could not find cuda drivers on your machine, GPU will not be used\.',
            ),
            LOG_LINE
            % (
                r'cpu_feature_guard\.cc',
                r'This TensorFlow binary is optimized to use available CPU '
                r'instructions in performance-critical operations\.',
            ),
            r'To enable the following instructions: .* rebuild TensorFlow with the '
            r'appropriate compiler flags\.',
            LOG_LINE
            % (r'mlir_graph_optimization_pass\.cc', r'MLIR V1 optimization pass is not enabled'),
            # TensorFlow 2.16 and 2.17 register their CUDA plugins twice and say so, GPU or not;
            # 2.19 its computation placer, four times.
            LOG_LINE
            % (
                r'\S+',
                r'Unable to register (cuDNN|cuFFT|cuBLAS) factory: Attempting to register '
                r'factory for plugin \S+ when one has already been registered',
            ),
            LOG_LINE
            % (
                r'computation_placer\.cc',
                r'computation placer already registered\. Please check '
                r'linkage and avoid linking the same target more than once\.',
            ),
            LOG_LINE % (r'\S+', r'TF-TRT Warning: Could not find TensorRT'),
        ]
    )
)
# Shown on a machine with a GPU, where it is real; hidden where there is no CUDA driver.
NO_CUDA_DRIVER = re.compile(
    LOG_LINE % (r'cudart_stub\.cc', r'Could not find cuda drivers on your machine.*')
)
CUDA_START_FAILED = re.compile(LOG_LINE % (r'\S+', r'failed call to cuInit: .*\(303\)'))
# TensorFlow 2.22 ends some error messages with the place in its sources that made them:
#   === Source Location Trace: ===
#   external/xla/xla/stream_executor/cuda/cuda_status.cc:50
#   (a blank line)
# These lines belong to the message before them: hidden with it, shown with it.
SOURCE_TRACE_HEADER = re.compile(r'=== Source Location Trace: === ?')
SOURCE_TRACE_LINE = re.compile(r'\S+:\d+|')

# The tf.compat.v1 calls the tutorial makes on purpose, whose deprecation notices say so.
ON_PURPOSE = ('disable_resource_variables', 'softmax_cross_entropy_with_logits')


def without_chatter(lines, no_driver=False, is_chatter=None):
    """The lines (bytes, each with its newline) that are not TensorFlow's chatter.

    no_driver: there is no CUDA driver, so a failed start of CUDA is no news. TensorFlow
    says so itself too, but not at TF_CPP_MIN_LOG_LEVEL 1 to 3 from 2.18 on.
    is_chatter(line, no_driver): what counts as chatter, if not CHATTER's lines.
    """
    is_chatter = is_chatter or _is_chatter
    hiding = False  # the last message is chatter, so the source trace after it is too
    in_trace = False
    for raw in lines:
        line = raw.decode('utf-8', 'replace').rstrip('\r\n')
        if in_trace and SOURCE_TRACE_LINE.fullmatch(line):
            in_trace = line != ''  # a blank line ends the trace
        elif SOURCE_TRACE_HEADER.fullmatch(line):
            in_trace = True
        else:
            in_trace = False
            no_driver = no_driver or NO_CUDA_DRIVER.fullmatch(line) is not None
            hiding = is_chatter(line, no_driver)
        if not hiding:
            yield raw


def _is_chatter(line, no_driver):
    return CHATTER.fullmatch(line) is not None or (
        no_driver and CUDA_START_FAILED.fullmatch(line) is not None
    )


def _not_on_purpose(record):
    message = record.getMessage()
    return not (
        'is deprecated and will be removed' in message
        and any(' %s (from ' % name in message for name in ON_PURPOSE)
    )


@contextlib.contextmanager
def start_up():
    """TensorFlow's start-up, during the block: without its chatter, and quicker.

    Quicker: importing TensorFlow makes some 300,000 objects that live until the process
    ends. Python's garbage collector would scan them again and again as they are made,
    then during training and at exit; it is paused for the block, and what the block made
    is frozen (gc.freeze) so that it is never scanned. Half a second of a four-second run
    (docs/benchmark.md).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _quiet():
            yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


@contextlib.contextmanager
def quietly():
    """TensorFlow's log lines during the block hidden, and nothing else: for a call whose
    failure TensorFlow both logs and raises (a picture it cannot decode, a broken
    checkpoint), so that the error raised is said once, by the caller."""
    with _quiet(look_for_devices=False, kept=_not_log_lines):
        yield


# Any of TensorFlow's C++ log lines, and the line naming the op that failed, after one.
ANY_LOG_LINE = re.compile(LOG_LINE % (r'\S+', r'.*'))
FAILED_OP_LINE = re.compile(r'\t \[\[\{\{node [^}]+\}\}\]\]')


def _not_log_lines(lines, no_driver=False):
    return without_chatter(lines, no_driver, is_chatter=_is_a_log_line)


def _is_a_log_line(line, no_driver):
    return ANY_LOG_LINE.fullmatch(line) is not None or FAILED_OP_LINE.fullmatch(line) is not None


@contextlib.contextmanager
def _quiet(look_for_devices=True, kept=without_chatter):
    """Hide TensorFlow's chatter written during the block (see the module's text)."""
    if os.environ.get('TF_CPP_MIN_LOG_LEVEL', '').strip() == '0':
        yield  # asked to see everything
        return
    tensorflow_logger = logging.getLogger('tensorflow')
    if _not_on_purpose not in tensorflow_logger.filters:
        tensorflow_logger.addFilter(_not_on_purpose)
    _flush(sys.stderr)
    try:
        terminal = os.dup(2)
    except OSError:  # no fd 2 at all (2>&-, pythonw, some services): nothing to hide, but
        # fd 2 becomes /dev/null, lest a file opened later take that number and with it
        # everything TensorFlow writes to its stderr.
        null = os.open(os.devnull, os.O_WRONLY)
        if null != 2:
            os.dup2(null, 2)
            os.close(null)
        yield
        return
    faulthandler_was_on = faulthandler.is_enabled()
    with tempfile.TemporaryFile() as capture, warnings.catch_warnings():
        # TensorFlow's own modules, on import, warn of what they themselves use (2.12:
        # "module 'sre_constants' is deprecated"): nothing a learner can act on.
        warnings.filterwarnings('ignore', category=DeprecationWarning, module=r'tensorflow(\.|$)')
        os.dup2(capture.fileno(), 2)
        # Should TensorFlow crash the process here, say where on the real stderr.
        faulthandler.enable(file=terminal)
        try:
            yield
            if look_for_devices:
                _look_for_devices()
        finally:
            _flush(sys.stderr)
            os.dup2(terminal, 2)
            # fd 2 is the real stderr again; the fault handler writes there, as before.
            if faulthandler_was_on:
                faulthandler.enable(file=2)
            else:
                faulthandler.disable()
            os.close(terminal)
            capture.seek(0)
            for line in kept(capture, no_driver=_no_cuda_driver()):
                if sys.stderr is not None:
                    sys.stderr.write(line.decode('utf-8', 'replace'))
            _flush(sys.stderr)


def _no_cuda_driver():
    """True where the CUDA driver's library cannot be loaded, as TensorFlow would load it."""
    if not sys.platform.startswith('linux'):
        return False  # TensorFlow uses CUDA on Linux only
    try:
        ctypes.CDLL('libcuda.so.1')
    except OSError:
        return True
    return False


def _look_for_devices():
    """Run a tiny session on a graph of its own: TensorFlow then looks for its devices."""
    tensorflow = sys.modules.get('tensorflow')
    if tensorflow is None:
        return
    graph = tensorflow.Graph()
    with graph.as_default():
        one = tensorflow.constant(1)
    with tensorflow.compat.v1.Session(graph=graph) as session:
        session.run(one)


def _flush(stream):
    try:
        stream.flush()
    except (AttributeError, OSError, ValueError):  # None, closed, or not a real stream
        pass
