"""A PostgreSQL cluster of its own on 127.0.0.1, to stop and start again.

Made from Debian's binaries as tests/run.py makes its throwaway one (as the
system user mvp-pg when run as root), removed on close.
"""
import os
import shutil
import subprocess
import tempfile

from run import PG_USER, free_port, pg_bindir


class Cluster:

    def __init__(self):
        import pwd
        self.bindir = pg_bindir()
        if not self.bindir:
            raise OSError("PostgreSQL is not installed")
        self.as_user = []
        self.tmp = tempfile.mkdtemp(prefix='mvp-exchange-pg-')
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(PG_USER)
            except KeyError:
                subprocess.run(['useradd', '--system', '--no-create-home',
                        '--shell', '/usr/sbin/nologin', PG_USER], check=True)
            self.as_user = ['runuser', '-u', PG_USER, '--']
            shutil.chown(self.tmp, PG_USER, PG_USER)
        self.data = os.path.join(self.tmp, 'data')
        self.port = free_port()
        self._run('initdb', '-D', self.data, '-U', 'postgres', '-A', 'trust',
            '-E', 'UTF8', '--no-locale', stdout=subprocess.DEVNULL)
        self.start()

    @property
    def uri(self):
        return f'postgresql://postgres@127.0.0.1:{self.port}/'

    def _run(self, *cmd, **kwargs):
        # cwd: the postgres user may not enter the caller's directory
        return subprocess.run(
            self.as_user + [os.path.join(self.bindir, cmd[0]), *cmd[1:]],
            cwd=self.tmp, check=True, **kwargs)

    def start(self):
        options = ' '.join([
                '-c listen_addresses=127.0.0.1', f'-p {self.port}',
                f'-k {self.tmp}', '-c fsync=off', '-c synchronous_commit=off',
                '-c full_page_writes=off'])
        self._run('pg_ctl', 'start', '-w', '-D', self.data, '-o', options,
            '-l', os.path.join(self.tmp, 'server.log'),
            stdout=subprocess.DEVNULL)

    def stop(self, mode='fast'):
        self._run('pg_ctl', 'stop', '-w', '-D', self.data, '-m', mode,
            stdout=subprocess.DEVNULL)

    def close(self):
        try:
            self.stop('immediate')
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)
