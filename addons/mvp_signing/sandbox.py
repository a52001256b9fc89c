"""Run a function on hostile input in a child process, bounded in time and
memory.

A PDF is parsed by pure Python code that a crafted file can send into deep
recursion, huge allocations or long loops; in a child process of its own,
limited by `resource` and killed at the deadline, it costs the server a
process, not its memory or its threads. Children are forked from a small
server process (started at the first call, with the parsing code imported
once), so a call costs a fork, not an interpreter start; forking the
server itself is not safe, its other threads may hold locks.

A child serves up to CALLS calls of one caller, one at a time, each under
its own bounds, and none after a call that failed, raised or went past a
bound: a fresh child's first touches of its memory cost as much as
verifying a 1 MB file. What a call leaves is data of a pure Python parser,
not code; the next call starts from its own arguments.
"""
import atexit
import gc
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from multiprocessing.connection import Client, Listener

__all__ = ['Limit', 'run']

PRELOAD = 'trytond.modules.mvp_signing.pades'
CALLS = 100
IDLE = 4  # children kept waiting, by caller process
RETIRE = 2 ** 19  # KiB: a child that grew to 512 MiB serves no more


class Limit(Exception):
    """the child went past a bound; `reason` says which: 'time' (killed at
    the deadline), 'memory' (allocation refused) or 'crash' (it died)"""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


class _Zygote:
    "The process the children are forked from"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='mvp-sandbox-')
        self.address = os.path.join(self.dir, 'socket')
        self.key = os.urandom(32)
        self.process = subprocess.Popen(
            [sys.executable, '-c', 'from trytond.modules.mvp_signing '
                'import sandbox; sandbox._serve()', self.address],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.process.stdin.write(self.key)
        self.process.stdin.flush()
        # ready once listening
        if self.process.stdout.read(1) != b'.':
            raise RuntimeError('the sandbox server did not start')

    def alive(self):
        return self.process.poll() is None

    def close(self):
        # its standard input closing stops it
        self.process.stdin.close()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


_zygote = None
_lock = threading.Lock()


def _get_zygote():
    global _zygote
    with _lock:
        if _zygote is None or not _zygote.alive():
            _zygote = _Zygote()
            atexit.register(_zygote.close)
        return _zygote


def _serve():
    "The zygote: fork a child for each connection, until stdin closes"
    __import__(PRELOAD)
    # what the children inherit is not theirs to collect
    gc.freeze()
    address = sys.argv[1]
    key = sys.stdin.buffer.read(32)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    # gone with the server: its end of standard input closes
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)),
        daemon=True).start()
    with Listener(address, family='AF_UNIX', authkey=key) as listener:
        sys.stdout.buffer.write(b'.')
        sys.stdout.buffer.flush()
        while True:
            try:
                conn = listener.accept()
            except Exception:
                continue  # a caller without the key
            if os.fork() == 0:
                try:
                    _child(conn)
                finally:
                    os._exit(0)
            conn.close()


def _child(conn):
    conn.send(os.getpid())
    # a core dump would hold the documents of every call it served
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    memory_hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    while True:
        try:
            func, args, kwargs, memory, cpu = conn.recv()
        except EOFError:
            return  # the caller is gone
        usage = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(usage.ru_utime + usage.ru_stime)
        resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu, cpu_hard))
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory_hard))
        try:
            result = ('ok', func(*args, **kwargs))
        except MemoryError:
            result = ('limit', 'memory')
        except BaseException as e:
            result = ('error', e)
        del func, args, kwargs
        resource.setrlimit(resource.RLIMIT_AS, (memory_hard, memory_hard))
        try:
            conn.send(result)
        except Exception:
            # a result or exception that does not pickle: its text then
            conn.send(('error', RuntimeError(traceback.format_exc())))
            return
        if result[0] != 'ok':
            return
        del result
        # what the call left, cycles of the parser included, is not the
        # next call's to carry
        gc.collect()
        if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > RETIRE:
            return


class _Child:
    "A forked child, its connection and the calls it served"

    def __init__(self, zygote):
        self.conn = Client(zygote.address, family='AF_UNIX',
            authkey=zygote.key)
        self.pid = self.conn.recv()
        self.calls = 0

    def close(self):
        self.conn.close()


_idle = []  # this process's children waiting for a call
_owner = None  # the process they belong to


def _take():
    "An idle child of this process, or a new one; whether it is new"
    global _owner
    zygote = _get_zygote()
    with _lock:
        if _owner != os.getpid():
            # forked: the children of the parent answer the parent
            _idle.clear()
            _owner = os.getpid()
        if _idle:
            return _idle.pop(), False
    return _Child(zygote), True


def _call(child, request, time):
    "status, value of request in child; Limit past time or when it died"
    try:
        child.conn.send(request)
    except OSError:
        child.close()
        raise
    try:
        if not child.conn.poll(time):
            # still running: its pid is its own
            os.kill(child.pid, signal.SIGKILL)
            raise Limit('no result within %s s' % time, 'time')
        return child.conn.recv()
    except (EOFError, OSError):
        raise Limit('the child process died', 'crash')
    finally:
        child.calls += 1


def run(func, args=(), kwargs=None, *, time=60, memory=None):
    """func(*args, **kwargs) in a child process: its result, or the
    exception it raised. Limit when it takes longer than time seconds
    (wall clock, and as much CPU time), allocates more than memory bytes of
    address space or dies. func, its arguments and result must pickle."""
    request = (func, tuple(args), kwargs or {}, memory, int(time) + 1)
    while True:
        child, new = _take()
        try:
            status, value = _call(child, request, time)
            break
        except OSError:
            if new:
                raise
            # an idle child gone meanwhile: the call goes to another
        except BaseException:
            child.close()
            raise
    if status == 'limit' and not new:
        # what an earlier call left may count: a fresh child decides
        child.close()
        child = _Child(_get_zygote())
        try:
            status, value = _call(child, request, time)
        except BaseException:
            child.close()
            raise
    if status == 'ok' and child.calls < CALLS:
        with _lock:
            if len(_idle) < IDLE:
                _idle.append(child)
                child = None
    if child is not None:
        child.close()
    if status == 'ok':
        return value
    if status == 'limit':
        raise Limit('memory limit reached', value)
    raise value
