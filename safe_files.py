"""Reading and writing files safely, and showing paths and server text: what every file
the project reads or writes goes through (the data, the pictures, the model).

- open_regular_file: a file opened for reading only if it is a regular file, never a FIFO
  or a device, which could block or never end; why_unreadable says why not, in words.
- check_new_file: the one rule for every file a run will write, checked before any work:
  not a folder, a device, a FIFO or a socket; not a symbolic link another user planted in
  a shared folder; not a file another user alone may replace; not one of the run's own
  inputs; a name that fits its folder, and a folder that can be written.
- save_file: data written through a temporary file of an unpredictable name, created
  exclusively, then renamed into place, so that nothing is ever half-written; SaveError
  says why it failed and what to do.
- printable, shown, note: text with its control characters spelled out, a URL without its
  password, and a line on stderr that is never fatal.

It imports neither NumPy nor TensorFlow, so that a bad flag is told at once.
"""

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile


class SaveError(OSError):
    """A file could not be written; the message says why and what to do."""


# Reading ------------------------------------------------------------------------------


def open_regular_file(path):
    """path opened for reading if it is a regular file; a FIFO, a device or a directory could
    block or never end, so OSError says which. O_NONBLOCK: a FIFO opens without a writer."""
    descriptor = os.open(
        path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_BINARY', 0)
    )
    kind = stat.S_IFMT(os.fstat(descriptor).st_mode)
    if kind == stat.S_IFREG:
        return os.fdopen(descriptor, 'rb')
    os.close(descriptor)
    raise IsADirectoryError(errno.EISDIR, kind_of(kind))


def kind_of(mode):
    """What a file of this st_mode is, in words: 'a FIFO (named pipe)', say."""
    kinds = {
        stat.S_IFREG: 'a file',
        stat.S_IFDIR: 'a directory',
        stat.S_IFIFO: 'a FIFO (named pipe)',
        stat.S_IFCHR: 'a character device',
        stat.S_IFBLK: 'a block device',
        stat.S_IFSOCK: 'a socket',
        stat.S_IFLNK: 'a symbolic link',
    }
    return kinds.get(stat.S_IFMT(mode), 'not a file')


# Why a file cannot be read ({}: the error's own words), and what to do, by errno.
OPEN_FAILURES = {
    errno.EISDIR: ('it is {}, not a file', 'move it out of the way'),
    errno.ENXIO: ('it is a socket, not a file', 'move it out of the way'),
    errno.EACCES: ('it cannot be read ({})', 'make it readable'),
    errno.EPERM: ('it cannot be read ({})', 'make it readable'),
    errno.ENOTDIR: ('a part of its path is a file, not a folder', 'give a path of folders'),
    errno.ENAMETOOLONG: ('its path is too long ({})', 'choose a shorter path'),
    errno.ELOOP: (
        'symbolic links in its path point at each other in a loop',
        'mend or remove the links',
    ),
}
CANNOT_READ = ('it cannot be read ({})', 'make it readable')


def why_unreadable(error):
    """Why a file cannot be read, in words, from the OSError of opening or reading it."""
    return OPEN_FAILURES.get(error.errno, CANNOT_READ)[0].format(error.strerror or error)


def what_to_do_when_unreadable(error):
    """What to do about a file that cannot be read, from the same OSError."""
    return OPEN_FAILURES.get(error.errno, CANNOT_READ)[1]


# Before writing -----------------------------------------------------------------------


def check_new_file(path, inputs=(), suffixes=('',)):
    """ValueError, saying why and what to do, unless the files path + suffix (a picture: one
    suffix, ''; a model: its checkpoint's) can all be written, or replaced, by this user.

    Checked before a run does any work, so that a run never trains for nothing. A symbolic
    link is written through (the file it points to gets the data), unless another user
    planted it in a shared folder. inputs: {path: what it is, in words} of the other files
    the run reads or writes, which this one must not be. Missing folders are fine: they are
    made when the file is saved.
    """
    if not path:
        raise ValueError('the name is empty; give the name of a file')
    if path.endswith(('/', os.sep)) or os.path.isdir(path):
        raise ValueError('%s names a folder; give the name of a file in it' % printable(path))
    for suffix in suffixes:
        _check_not_planted(path + suffix)
    target = _real_path(path)
    folder = os.path.dirname(target)
    longest = max(len(os.fsencode(os.path.basename(target) + suffix)) for suffix in suffixes)
    if longest > _longest_name(_existing_folder(folder)):
        raise ValueError('%s: the name is too long for its folder' % printable(path))
    for suffix in suffixes:
        _check_replaceable(path + suffix, target + suffix)
    for source, what in dict(inputs).items():
        if _same_file(target, source):
            raise ValueError('%s is %s; give another name' % (printable(path), what))
    check_writable_folder(folder)


def _check_not_planted(path):
    """A symbolic link in a folder with the sticky bit (/tmp), made by neither this user nor
    the folder's owner, is refused: Linux's fs.protected_symlinks would refuse to follow
    it, and it could point at any file of ours, to have it replaced."""
    try:
        link = os.lstat(path)
        folder = os.stat(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return  # nothing there yet, or a path that _real_path and the folder check tell
    if not stat.S_ISLNK(link.st_mode) or not folder.st_mode & stat.S_ISVTX:
        return
    if link.st_uid not in (os.geteuid(), folder.st_uid):
        raise ValueError(
            '%s is a symbolic link that another user made in a shared folder; give another '
            'name' % printable(path)
        )


def _real_path(path):
    try:
        return os.path.realpath(path)
    except FileNotFoundError:  # the current folder is gone (removed while a shell was in it)
        raise ValueError(
            '%s: the current folder no longer exists; cd into one that does' % printable(path)
        ) from None


def _existing_folder(folder):
    """The deepest folder of folder's path that exists (folder itself, when it does)."""
    missing = missing_folders(folder)
    return os.path.dirname(missing[-1]) if missing else folder


def _longest_name(folder):
    try:
        return os.pathconf(folder, 'PC_NAME_MAX')
    except (OSError, ValueError, AttributeError):  # a path through a file (told later)
        return 255


def _check_replaceable(path, target):
    """A file already at target must be a regular file that this user may replace."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise ValueError('%s: %s' % (printable(path), _why_not_writable(error))) from None
    if not stat.S_ISREG(mode):
        raise ValueError('%s is %s; give the name of a file' % (printable(path), kind_of(mode)))
    if not _may_replace(target):
        raise ValueError(
            '%s belongs to another user, who alone may replace it; give another name'
            % printable(path)
        )


def _may_replace(target):
    """Whether renaming a new file over target will be allowed: in a folder with the sticky
    bit (/tmp), only the file's owner, the folder's or root may."""
    folder = os.stat(os.path.dirname(target))
    if not folder.st_mode & stat.S_ISVTX or os.geteuid() == 0:
        return True
    return os.geteuid() in (os.stat(target).st_uid, folder.st_uid)


def _same_file(target, source):
    """Whether target (a real path) and source name one file, there or yet to be made."""
    if os.path.realpath(source) == target:
        return True
    try:
        return os.path.samefile(target, source)
    except OSError:  # not there (yet)
        return False


def check_writable_folder(folder):
    """ValueError now, before any work, if no file can be written in folder: tried in the
    deepest folder of its path that exists, where the missing ones would be made."""
    existing = _existing_folder(folder)
    if existing != folder and not os.path.isdir(existing):
        raise ValueError(
            'cannot write in %s (%s is a file, not a folder)'
            % (printable(folder), printable(existing))
        )
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise ValueError(
            'cannot write in %s (%s)' % (printable(folder), _why_not_writable(error))
        ) from None


def _why_not_writable(error):
    if error.errno == errno.ENOTDIR:
        return 'a part of its path is a file, not a folder'
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return '%s; choose a folder of your own' % (error.strerror or error)
    return error.strerror or str(error)


# Writing ------------------------------------------------------------------------------


def save_file(path, data, what='the file'):
    """Write data to path through a temporary file of an unpredictable name in its folder,
    created exclusively, then renamed into place: no reader ever sees a part of it, and two
    writers each put a whole file there. Folders it makes are removed again if it fails.
    SaveError, saying why and what to do, when it cannot be written."""
    folder = os.path.dirname(path) or '.'
    made = missing_folders(folder)
    temporary = None
    try:
        os.makedirs(folder, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix='.%s.' % os.path.basename(path)[:200], suffix='.part', dir=folder
        )
        with os.fdopen(descriptor, 'wb') as out:
            if hasattr(os, 'fchmod'):  # mkstemp makes it 0600: give it what open() would
                os.fchmod(out.fileno(), new_file_mode())
            out.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        clean_up([temporary], made)
        if not isinstance(error, OSError):
            raise
        raise save_error(path, error, what, len(data)) from None


def save_error(path, error, what, size):
    """The SaveError for an OSError met while saving `size` bytes at path."""
    return SaveError(
        'Could not save %s in %s: %s.\nTo fix it, %s.'
        % (
            printable(os.path.basename(path)),
            printable(os.path.dirname(path) or '.'),
            error.strerror or error,
            _save_fix(error.errno, what, size),
        )
    )


def new_file_mode():
    """The mode open() gives a new file: readable and writable by all, less the umask."""
    umask = os.umask(0o022)  # the only way to read it is to set it, and set it back
    os.umask(umask)
    return 0o666 & ~umask


def missing_folders(folder):
    """The folders of `folder`'s path that do not exist yet, deepest first."""
    missing = []
    while folder and not os.path.lexists(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return missing


def clean_up(temporaries, made_folders):
    """Remove the temporary files (None: none was made) and the folders a failed save made."""
    for temporary in temporaries:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.remove(temporary)
    for folder in made_folders:
        with contextlib.suppress(OSError):  # not empty: another process saved there
            os.rmdir(folder)


def _save_fix(number, what, size):
    if number in (errno.ENOSPC, errno.EDQUOT):
        needs = '%.1f MB' % (size / 1e6) if size >= 1e6 else '%d kB' % max(1, size // 1000)
        return 'free some space there (this file needs %s)' % needs
    if number == errno.EFBIG:
        return 'raise the limit on the size of files (ulimit -f)'
    if number == errno.ENAMETOOLONG:
        return 'choose a shorter name'
    if number in (errno.EACCES, errno.EPERM, errno.EROFS):
        return 'make the folder writable, or choose another folder for %s' % what
    return 'choose another folder for %s' % what


# Showing ------------------------------------------------------------------------------


def printable(text):
    """text with its control characters (escape codes, carriage returns) spelled out."""
    return ''.join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def shown(url):
    """url as it may be shown: printable, and a password in it (scheme://user:password@) as ***."""
    return printable(re.sub(r'(://[^/:@]*:)[^/]*@', r'\1***@', url))


def note(text, start='', end='\n'):
    """Write a line to stderr, if there is one (none with `2>&-`, pythonw, some services)."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.write(start + printable(text) + end)
        sys.stderr.flush()
