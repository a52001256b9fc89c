"""Backups of a database and its filestore, verified by restoring them.

A backup is one tar file, ``<database>-<UTC time>.tar``, holding

    database.dump     pg_dump's custom format (PostgreSQL), or
    database.sqlite   a copy made with SQLite's online backup API
    filestore/...     trytond's files of the database (<path>/<database>/)
    manifest.json     written last, so that a cut archive has none: the
                      backend, the row count of every table as dumped, the
                      SHA-256 and size of every member

and beside it ``<name>.sha256`` in sha256sum's format, to check copies kept
elsewhere with standard tools. A backup is verified by restoring it into a
scratch database and a scratch filestore and comparing their row counts and
file checksums with the manifest (`verify`); `restore` does the same into
the database named, and removes what it made if anything differs.

The counts come from the snapshot the dump is taken from (PostgreSQL's
exported snapshot, SQLite's copy). The filestore is copied after the
database: a file added meanwhile is kept, unused; one deleted meanwhile
(trytond deletes a record's file with it) would be missing.

Plain Python, no ORM: `SQLite` and `PostgreSQL` speak to the database
server directly; `keep` is the retention rule.
"""
import datetime as dt
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

FORMAT = 'mvp-eoffice-backup'
VERSION = 1
MANIFEST = 'manifest.json'
FILESTORE = 'filestore/'
SUFFIX = '.tar'
CHECKSUM_SUFFIX = '.sha256'
TIME_FORMAT = '%Y%m%dT%H%M%SZ'
CHUNK = 1 << 20

MESSAGES = {
    'missing': "%(what)s is in the manifest but not in the backup.",
    'extra': "%(what)s is in the backup but not in its manifest.",
    'altered': "%(what)s differs from the manifest (SHA-256 %(found)s, "
        "expected %(expected)s).",
    'rows': "Table %(what)s has %(found)s rows restored, %(expected)s "
        "backed up.",
    'table_missing': "Table %(what)s was backed up but is not restored.",
    'table_extra': "Table %(what)s is restored but was not backed up.",
    'archive': "The archive's SHA-256 is %(found)s, not %(expected)s as "
        "written beside it in %(what)s.",
    'restore': "The database could not be restored: %(found)s",
    }


class Error(Exception):
    "a backup, restore or verification could not be done"


class NotABackup(Error):
    pass


class Unverified(Error):
    "the backup made does not restore as it was made"

    def __init__(self, archive, problems):
        super().__init__(f"the backup {archive} does not restore as it was "
            f"made ({len(problems)} problem(s))")
        self.archive = archive
        self.problems = problems


def errors():
    "What a backup, restore or verification may fail with"
    try:
        from psycopg import Error as PostgreSQLError
    except ImportError:
        PostgreSQLError = Error
    return (Error, OSError, sqlite3.Error, tarfile.TarError,
        PostgreSQLError)


@dataclass(frozen=True, order=True)
class Problem:
    what: str
    code: str
    found: str = ''
    expected: str = ''

    def __str__(self):
        return MESSAGES[self.code] % {'what': self.what,
            'found': self.found, 'expected': self.expected}


# -- databases ---------------------------------------------------------------

class SQLite:
    "trytond's SQLite databases: <directory>/<name>.sqlite"
    name = 'sqlite'
    member = 'database.sqlite'

    def __init__(self, directory):
        self.directory = Path(directory)

    def file(self, database):
        return self.directory / f'{database}.sqlite'

    def exists(self, database):
        return self.file(database).exists()

    def dump(self, database, target):
        "Copy database to target; return its row counts"
        if not self.exists(database):
            raise Error(f"the database {database!r} does not exist "
                f"({self.file(database)})")
        source = _readonly(self.file(database))
        copy = sqlite3.connect(target)
        try:
            # a consistent copy even while the server writes
            source.backup(copy)
            return _sqlite_counts(copy)
        finally:
            copy.close()
            source.close()

    def restore(self, database, source):
        target = self.file(database)
        partial = target.with_name(f'.{target.name}.{uuid.uuid4().hex}')
        try:
            shutil.copyfile(source, partial)
            partial.rename(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def counts(self, database):
        connection = _readonly(self.file(database))
        try:
            return _sqlite_counts(connection)
        finally:
            connection.close()

    def drop(self, database):
        file = self.file(database)
        for suffix in ('', '-wal', '-shm', '-journal'):
            file.with_name(file.name + suffix).unlink(missing_ok=True)


def _readonly(path):
    return sqlite3.connect(
        'file:%s?mode=ro' % urllib.parse.quote(str(path)), uri=True)


def _sqlite_counts(connection):
    tables = [name for name, in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {table: connection.execute(
            'SELECT COUNT(*) FROM "%s"' % table.replace('"', '""')
            ).fetchone()[0] for table in tables}


class PostgreSQL:
    """The databases of the server of trytond's URI; pg_dump and
    pg_restore come from the PATH, and must be as new as the server"""
    name = 'postgresql'
    member = 'database.dump'

    def __init__(self, uri):
        self.uri = urllib.parse.urlparse(uri)

    def _params(self, database):
        "libpq's parameters for database, as trytond connects, and password"
        from psycopg.conninfo import conninfo_to_dict
        params = conninfo_to_dict(self.uri._replace(scheme='postgresql',
                path='/' + urllib.parse.quote(database)).geturl())
        return params, params.pop('password', None)

    def _conninfo(self, database):
        from psycopg.conninfo import make_conninfo
        return make_conninfo(**self._params(database)[0])

    def _env(self):
        env = os.environ.copy()
        password = self._params('postgres')[1]
        if password:
            # not on the command line, where ps shows it
            env['PGPASSWORD'] = password
        return env

    def connect(self, database='postgres', autocommit=False):
        import psycopg
        params, password = self._params(database)
        if password:
            params['password'] = password
        return psycopg.connect(**params, autocommit=autocommit)

    def exists(self, database):
        with self.connect(autocommit=True) as connection:
            return bool(connection.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s',
                    (database,)).fetchone())

    def dump(self, database, target):
        "pg_dump database into target; return its row counts"
        if not self.exists(database):
            raise Error(f"the database {database!r} does not exist")
        with self.connect(database) as connection:
            connection.execute(
                'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
            snapshot, = connection.execute(
                'SELECT pg_export_snapshot()').fetchone()
            # the dump and the counts see the same snapshot
            counts = _pg_counts(connection)
            self._run('pg_dump', '--format=custom', f'--snapshot={snapshot}',
                f'--file={target}', f'--dbname={self._conninfo(database)}')
            connection.rollback()
        return counts

    def restore(self, database, source):
        from psycopg import sql
        with self.connect(autocommit=True) as connection:
            connection.execute(sql.SQL(
                    "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'"
                    ).format(sql.Identifier(database)))
        try:
            self._run('pg_restore', '--no-owner', '--no-privileges',
                '--exit-on-error', f'--jobs={min(os.cpu_count() or 1, 4)}',
                f'--dbname={self._conninfo(database)}', str(source))
        except BaseException:
            self.drop(database)
            raise

    def counts(self, database):
        with self.connect(database) as connection:
            return _pg_counts(connection)

    def drop(self, database):
        from psycopg import sql
        with self.connect(autocommit=True) as connection:
            connection.execute(sql.SQL('DROP DATABASE IF EXISTS {}').format(
                    sql.Identifier(database)))

    def _run(self, *command):
        try:
            result = subprocess.run(command, env=self._env(),
                capture_output=True, text=True, errors='replace',
                stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise Error(f"{command[0]} is not installed (Debian package "
                "postgresql-client)")
        if result.returncode:
            lines = result.stderr.strip().splitlines()
            raise Error(f"{command[0]} failed: "
                + (lines[-1] if lines else f"status {result.returncode}"))


def _pg_counts(connection):
    from psycopg import sql
    tables = connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
        "('pg_catalog', 'information_schema') "
        "ORDER BY table_schema, table_name").fetchall()
    counts = {}
    for schema, table in tables:
        key = table if schema == 'public' else f'{schema}.{table}'
        counts[key], = connection.execute(sql.SQL(
                'SELECT COUNT(*) FROM {}.{}').format(
                sql.Identifier(schema), sql.Identifier(table))).fetchone()
    return counts


def backend(uri, path):
    "The database backend of trytond's [database] uri and path"
    scheme = uri.split(':', 1)[0]
    if scheme == 'sqlite':
        return SQLite(path)
    if scheme.startswith('postgresql'):
        return PostgreSQL(uri)
    raise Error(f"unsupported database URI {scheme}:")


# -- the archive -------------------------------------------------------------

def _sha256(path):
    with open(path, 'rb') as f:
        return hashlib.file_digest(f, 'sha256').hexdigest()


class _HashingWriter:
    "A file that hashes what is written through it"

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data):
        self.digest.update(data)
        return self.file.write(data)


class _HashingReader:
    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _files(root):
    "The files under root, as sorted POSIX paths relative to it"
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix()
        for p in root.rglob('*') if p.is_file() and not p.is_symlink())


def archive_name(database, when):
    return f'{database}-{when.strftime(TIME_FORMAT)}{SUFFIX}'


def create(db, database, filestore, directory, now=None):
    """Back up database (on the backend db) and its filestore directory
    into a new archive in directory; return the archive's path.

    The archive is written under a hidden name and renamed once complete.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / archive_name(database, now)
    if target.exists():
        raise Error(f"{target} exists already")
    partial = directory / f'.{target.name}.partial'
    members = {}
    try:
        with tempfile.TemporaryDirectory(dir=directory,
                prefix='.mvp-backup-') as tmp:
            dump = Path(tmp, db.member)
            counts = db.dump(database, dump)
            with open(partial, 'wb') as out:
                writer = _HashingWriter(out)
                with tarfile.open(fileobj=writer, mode='w|',
                        format=tarfile.PAX_FORMAT) as tar:
                    members[db.member] = _add(tar, dump, db.member)
                    dump.unlink()
                    for relative in _files(filestore):
                        name = FILESTORE + relative
                        members[name] = _add(
                            tar, Path(filestore, relative), name)
                    manifest = json.dumps({
                            'format': FORMAT, 'version': VERSION,
                            'database': database, 'backend': db.name,
                            'created': now.isoformat(),
                            'tables': counts, 'members': members,
                            }, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(manifest)
                    info.mtime = int(now.timestamp())
                    info.mode = 0o644
                    tar.addfile(info, io.BytesIO(manifest))
                out.flush()
                os.fsync(out.fileno())
        partial.rename(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    Path(str(target) + CHECKSUM_SUFFIX).write_text(
        f'{writer.digest.hexdigest()}  {target.name}\n')
    return target


@dataclass
class Made:
    "a backup made and verified: seconds to make it, to verify it"
    archive: Path
    made: float
    verified: float
    removed: list


def create_verified(db, database, filestore, directory, policy, now=None):
    """Back up database and its filestore into directory, verify the backup
    by restoring it into a scratch database, then remove the older backups
    the policy does not keep; return a Made.

    A backup that does not restore as it was made is renamed .failed, so
    that the retention leaves it out, and Unverified raised."""
    start = time.monotonic()
    archive = create(db, database, filestore, directory, now)
    made = time.monotonic()
    problems = verify(archive, db)
    if problems:
        failed = archive.with_name(archive.name + '.failed')
        archive.rename(failed)
        Path(str(archive) + CHECKSUM_SUFFIX).unlink(missing_ok=True)
        raise Unverified(failed, problems)
    verified = time.monotonic()
    removed = prune(directory, database, policy)
    return Made(archive, made - start, verified - made, removed)


def summary(data):
    "What a backup's manifest holds, in a few words"
    rows = sum(data['tables'].values())
    files = sum(1 for n in data['members'] if n.startswith(FILESTORE))
    return '%d tables, %d rows, %d files' % (len(data['tables']), rows, files)


def _add(tar, path, name):
    "Add the file at path as name; return its SHA-256 and size"
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ''
    with open(path, 'rb') as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {'sha256': reader.digest.hexdigest(), 'size': info.size}


def manifest(archive):
    "The manifest of the backup at archive; NotABackup if it has none"
    try:
        with tarfile.open(archive, 'r:') as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise NotABackup(f"{archive} has no {MANIFEST}: it is not "
                    "a backup, or was cut short")
            data = json.load(tar.extractfile(member))
    except (OSError, tarfile.TarError, ValueError) as e:
        raise NotABackup(f"{archive} is not a backup: {e}")
    if not isinstance(data, dict) or data.get('format') != FORMAT:
        raise NotABackup(f"{archive} is not a backup of this system")
    if data.get('version') != VERSION:
        raise NotABackup(f"{archive} is a backup of version "
            f"{data.get('version')}, this system reads {VERSION}")
    return data


def _safe(name):
    normal = posixpath.normpath(name)
    return normal == name and not name.startswith(('/', '../')) \
        and name != '..'


def restore(archive, db, database, filestore, keep=True):
    """Restore the backup at archive into database (on db) and the
    filestore directory, then compare them with the manifest; return the
    problems found. With problems, or keep False, what was made is
    removed. Error when the database or the filestore exist already."""
    archive = Path(archive)
    data = manifest(archive)
    if data['backend'] != db.name:
        raise Error(f"{archive} is a backup of a {data['backend']} "
            f"database, not {db.name}")
    if db.exists(database):
        raise Error(f"the database {database!r} exists already")
    filestore = Path(filestore)
    if filestore.exists() and any(filestore.iterdir()):
        raise Error(f"the filestore {filestore} exists already")
    problems = _check_archive(archive)
    made = False
    try:
        with tempfile.TemporaryDirectory(dir=archive.parent,
                prefix='.mvp-restore-') as tmp, \
                tarfile.open(archive, 'r:') as tar:
            seen = set()
            members = data['members']
            for member in tar:
                name = member.name
                if name == MANIFEST:
                    continue
                if name not in members or not member.isfile() \
                        or not _safe(name):
                    problems.append(Problem(name, 'extra'))
                    continue
                seen.add(name)
                if name == db.member:
                    target = Path(tmp, db.member)
                elif name.startswith(FILESTORE):
                    target = filestore / name[len(FILESTORE):]
                else:
                    problems.append(Problem(name, 'extra'))
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, 'wb') as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
            problems += [Problem(name, 'missing')
                for name in members if name not in seen]
            dump = Path(tmp, db.member)
            if dump.exists():
                expected = members[db.member]['sha256']
                found = _sha256(dump)
                if found != expected:
                    problems.append(Problem(db.member, 'altered',
                            found, expected))
                else:
                    try:
                        db.restore(database, dump)
                        made = True
                    except Error as e:
                        problems.append(Problem(database, 'restore', str(e)))
        if made:
            problems += _compare_counts(db.counts(database), data['tables'])
        problems += _compare_files(filestore, {
                name[len(FILESTORE):]: value
                for name, value in data['members'].items()
                if name.startswith(FILESTORE)})
    except BaseException:
        _remove(db, database, filestore, made)
        raise
    if problems or not keep:
        _remove(db, database, filestore, made)
    return sorted(set(problems))


def _remove(db, database, filestore, made):
    if made:
        db.drop(database)
    shutil.rmtree(filestore, ignore_errors=True)


def verify(archive, db, scratch=None):
    """Restore the backup at archive into a scratch database and a scratch
    filestore, compare, remove them; return the problems found"""
    data = manifest(archive)
    scratch_name = '%s_verify_%s' % (data['database'][:40],
        uuid.uuid4().hex[:8])
    with tempfile.TemporaryDirectory(dir=Path(archive).parent,
            prefix='.mvp-verify-') as tmp:
        if isinstance(db, SQLite):
            # the scratch database goes with the scratch filestore
            db = SQLite(tmp)
        return restore(archive, db, scratch_name, Path(tmp, 'filestore'),
            keep=False)


def _check_archive(archive):
    "The archive against the checksum written beside it, if any"
    beside = Path(str(archive) + CHECKSUM_SUFFIX)
    if not beside.exists():
        return []
    expected = beside.read_text().split()[0].lower()
    found = _sha256(archive)
    if found != expected:
        return [Problem(beside.name, 'archive', found, expected)]
    return []


def _compare_counts(found, expected):
    problems = []
    for table, count in expected.items():
        if table not in found:
            problems.append(Problem(table, 'table_missing'))
        elif found[table] != count:
            problems.append(Problem(table, 'rows', str(found[table]),
                    str(count)))
    problems += [Problem(t, 'table_extra') for t in found
        if t not in expected]
    return problems


def _compare_files(root, expected):
    "The files under root against expected {relative path: {sha256, size}}"
    problems = []
    present = set(_files(root))
    for relative, value in expected.items():
        what = FILESTORE + relative
        if relative not in present:
            continue  # reported as missing from the archive
        found = _sha256(Path(root, relative))
        if found != value['sha256']:
            problems.append(Problem(what, 'altered', found,
                    value['sha256']))
    problems += [Problem(FILESTORE + r, 'extra') for r in present
        if r not in expected]
    return problems


# -- retention ---------------------------------------------------------------

@dataclass
class Policy:
    "How many backups to keep: the newest of each of the last N days, ISO " \
        "weeks and months that have one"
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def keep(times, policy):
    """The times of the backups to keep: for each period of the policy, the
    newest backup of each of its last N periods that have one; always the
    newest of all"""
    times = sorted(times, reverse=True)
    kept = set(times[:1])
    for count, period in (
            (policy.daily, lambda t: t.date()),
            (policy.weekly, lambda t: t.isocalendar()[:2]),
            (policy.monthly, lambda t: (t.year, t.month))):
        periods = set()
        for t in times:
            if len(periods) >= count:
                break
            if period(t) not in periods:
                periods.add(period(t))
                kept.add(t)
    return kept


def backups(directory, database):
    "The backups of database in directory, as {time: path}"
    pattern = re.compile(re.escape(database) + r'-(\d{8}T\d{6}Z)'
        + re.escape(SUFFIX))
    found = {}
    for path in Path(directory).iterdir():
        match = pattern.fullmatch(path.name)
        if match:
            when = dt.datetime.strptime(match.group(1), TIME_FORMAT
                ).replace(tzinfo=dt.timezone.utc)
            found[when] = path
    return found


def prune(directory, database, policy):
    "Remove the backups of database the policy does not keep; return them"
    found = backups(directory, database)
    kept = keep(found, policy)
    removed = []
    for when, path in sorted(found.items()):
        if when not in kept:
            path.unlink()
            Path(str(path) + CHECKSUM_SUFFIX).unlink(missing_ok=True)
            removed.append(path)
    return removed
