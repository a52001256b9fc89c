"""Backups: the archive, its verification and the retention rule, then a
real trytond database (the demo province, on the backend of the test run:
SQLite, or PostgreSQL under tests/run.py --db postgresql) backed up with
`mvp backup create`, restored into another database and compared."""
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import textwrap
import uuid
from pathlib import Path

import pytest

from trytond.modules.mvp_archive import backup

UTC = dt.timezone.utc


def small_database(directory, name='src'):
    "A SQLite database of two tables and a filestore of three files"
    connection = sqlite3.connect(Path(directory, f'{name}.sqlite'))
    connection.executescript('''
        CREATE TABLE document (id INTEGER PRIMARY KEY, subject TEXT);
        CREATE TABLE "odd ""name""" (id INTEGER PRIMARY KEY);
        INSERT INTO document (subject) VALUES ('Quyết định'), ('Công văn');
        INSERT INTO "odd ""name""" DEFAULT VALUES;
        ''')
    connection.commit()
    connection.close()
    store = Path(directory, name)
    for n, data in enumerate([b'one', b'two' * 1000, b'']):
        path = store / f'{n:02d}' / 'ab' / f'file-{n}'
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
    return store


@pytest.fixture
def made(tmp_path):
    db = backup.SQLite(tmp_path)
    store = small_database(tmp_path)
    archive = backup.create(db, 'src', store, tmp_path / 'backups',
        now=dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    return db, archive


def test_archive(made):
    "The archive holds the database, the files and a manifest, last"
    db, archive = made
    assert archive.name == 'src-20261201T020000Z.tar'
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == 'database.sqlite' and names[-1] == 'manifest.json'
    assert len(names) == 5
    data = backup.manifest(archive)
    assert data['tables'] == {'document': 2, 'odd "name"': 1}
    assert data['members']['filestore/01/ab/file-1'] == {
        'sha256': hashlib.sha256(b'two' * 1000).hexdigest(), 'size': 3000}
    digest, name = Path(str(archive) + '.sha256').read_text().split()
    assert name == archive.name
    assert digest == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_verify(made):
    "Verifying restores into a scratch database and leaves nothing"
    db, archive = made
    before = sorted(archive.parent.parent.rglob('*'))
    assert backup.verify(archive, db) == []
    assert sorted(archive.parent.parent.rglob('*')) == before


def test_restore(made, tmp_path):
    db, archive = made
    assert backup.restore(archive, db, 'copy', tmp_path / 'copy') == []
    assert db.counts('copy') == db.counts('src')
    assert (tmp_path / 'copy/01/ab/file-1').read_bytes() == b'two' * 1000
    assert (tmp_path / 'copy/02/ab/file-2').read_bytes() == b''
    with pytest.raises(backup.Error, match='exists already'):
        backup.restore(archive, db, 'copy', tmp_path / 'other')
    db.drop('copy')
    with pytest.raises(backup.Error, match='filestore .* exists already'):
        backup.restore(archive, db, 'copy', tmp_path / 'copy')


def flip(archive, member):
    "Change one byte of member's data inside the archive"
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    with open(archive, 'r+b') as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 1]))


def test_damaged(made, tmp_path):
    "A changed file is found, and the restore leaves nothing behind"
    db, archive = made
    flip(archive, 'filestore/01/ab/file-1')
    problems = backup.verify(archive, db)
    assert sorted(p.code for p in problems) == ['altered', 'archive']
    assert backup.restore(archive, db, 'copy', tmp_path / 'copy')
    assert not db.exists('copy') and not (tmp_path / 'copy').exists()


def test_damaged_database(made):
    db, archive = made
    Path(str(archive) + '.sha256').unlink()
    flip(archive, 'database.sqlite')
    problems = backup.verify(archive, db)
    assert [(p.what, p.code) for p in problems] == [
        ('database.sqlite', 'altered')]


def test_rows_compared(tmp_path, monkeypatch):
    "Row counts that differ from the manifest's are reported"
    db = backup.SQLite(tmp_path)
    store = small_database(tmp_path)
    counts = db.dump

    def more(database, target):
        found = counts(database, target)
        found['document'] += 1
        return found
    monkeypatch.setattr(db, 'dump', more)
    archive = backup.create(db, 'src', store, tmp_path / 'out')
    problems = backup.verify(archive, db)
    assert [str(p) for p in problems] == [
        "Table document has 2 rows restored, 3 backed up."]


def test_not_a_backup(made, tmp_path):
    db, archive = made
    cut = tmp_path / 'cut.tar'
    with tarfile.open(archive) as tar:
        end = tar.getmember('manifest.json').offset
    cut.write_bytes(archive.read_bytes()[:end])
    with pytest.raises(backup.NotABackup, match='has no manifest.json'):
        backup.verify(cut, db)
    other = tmp_path / 'other.tar'
    other.write_bytes(b'not a tar' * 100)
    with pytest.raises(backup.NotABackup):
        backup.verify(other, db)


def times(*texts):
    return [dt.datetime.fromisoformat(t).replace(tzinfo=UTC) for t in texts]


def test_keep():
    "The newest backup of each of the last days, weeks and months kept"
    daily = [dt.datetime(2026, 12, 20, 3, tzinfo=UTC) - dt.timedelta(days=n)
        for n in range(90)]
    extra = times('2026-12-20T12:00')  # twice on the last day
    kept = backup.keep(daily + extra, backup.Policy(7, 4, 3))
    assert sorted(kept) == sorted(times(
            # the last 7 days, the newest of the 20th
            '2026-12-20T12:00', '2026-12-19T03:00', '2026-12-18T03:00',
            '2026-12-17T03:00', '2026-12-16T03:00', '2026-12-15T03:00',
            '2026-12-14T03:00',
            # Sundays ending the 3 ISO weeks before (the week of the 14th
            # to the 20th is kept already)
            '2026-12-13T03:00', '2026-12-06T03:00', '2026-11-29T03:00',
            # the last day of November and October
            '2026-11-30T03:00', '2026-10-31T03:00'))
    assert backup.keep([], backup.Policy()) == set()
    assert backup.keep(daily[:1], backup.Policy(0, 0, 0)) == set(daily[:1])


def test_prune(tmp_path):
    "Only the backups of the database the policy leaves are removed"
    for name in ['src-20261201T020000Z.tar', 'src-20261201T030000Z.tar',
            'src-20261130T020000Z.tar', 'other-20261101T020000Z.tar',
            'src-20261101T020000Z.tar.failed', 'notes.txt']:
        (tmp_path / name).write_text('x')
    (tmp_path / 'src-20261201T020000Z.tar.sha256').write_text('x')
    removed = backup.prune(tmp_path, 'src', backup.Policy(1, 0, 0))
    assert sorted(p.name for p in removed) == [
        'src-20261130T020000Z.tar', 'src-20261201T020000Z.tar']
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'notes.txt', 'other-20261101T020000Z.tar',
        'src-20261101T020000Z.tar.failed', 'src-20261201T030000Z.tar']


# -- a real trytond database --------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]


def mvp(*args, env):
    return subprocess.run([sys.executable, '-m',
            'trytond.modules.mvp_documents.cli', *map(str, args)],
        capture_output=True, text=True, env=env, cwd=ROOT)


READ_FILES = textwrap.dedent('''
    import hashlib, json, sys
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    name = sys.argv[1]
    Pool(name).init()
    with Transaction().start(name, 0, readonly=True):
        pool = Pool()
        File = pool.get('mvp.document.file')
        Incoming = pool.get('mvp.document.incoming')
        print(json.dumps({
            'files': sorted(hashlib.sha256(f.data).hexdigest()
                for f in File.search([])),
            'incoming': sorted(i.abstract for i in Incoming.search([])),
            }))
    ''')


def read(name, env):
    "What trytond reads of the database name: its files and documents"
    result = subprocess.run([sys.executable, '-c', READ_FILES, name],
        capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def counts(uri, path, name):
    "Row counts per table, read apart from backup.py"
    if uri.startswith('sqlite'):
        connection = sqlite3.connect(Path(path, f'{name}.sqlite'))
        tables = [t for t, in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
    else:
        import psycopg
        connection = psycopg.connect(uri.rstrip('/') + '/' + name)
        tables = [t for t, in connection.execute(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public'")]
    try:
        return {t: connection.execute(
                f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def files(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(
            p.read_bytes()).hexdigest()
        for p in Path(root).rglob('*') if p.is_file()}


@pytest.fixture
def server(tmp_path):
    "A configuration on the test run's backend, its databases dropped after"
    uri = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
    path = tmp_path / 'db'
    path.mkdir()
    conf = tmp_path / 'trytond.conf'
    conf.write_text(f'[database]\nuri = {uri}\npath = {path}\n'
        'language = vi\n')
    env = dict(os.environ, TRYTOND_CONFIG=str(conf),
        TRYTONPASSFILE=str(tmp_path / 'admin-password'))
    env.pop('TRYTOND_DATABASE__PATH', None)
    suffix = uuid.uuid4().hex[:8]
    names = {'source': f'mvp_bk_{suffix}', 'copy': f'mvp_bk_copy_{suffix}'}
    yield uri, path, conf, env, names
    if not uri.startswith('sqlite'):
        db = backup.PostgreSQL(uri)
        for name in names.values():
            db.drop(name)


def test_database(server, tmp_path):
    """The demo province backed up, verified, restored into another
    database: the same rows, the same files, read by trytond"""
    uri, path, conf, env, names = server
    source, copy = names['source'], names['copy']
    result = mvp('db', 'init', '-c', conf, '-d', source, '--demo', env=env)
    assert result.returncode == 0, result.stderr
    backups = tmp_path / 'backups'

    result = mvp('backup', 'create', '-c', conf, '-d', source, '-o',
        backups, env=env)
    assert result.returncode == 0, result.stderr
    assert 'verified by restoring it' in result.stdout
    archive, = backups.glob('*.tar')

    result = mvp('backup', 'verify', '-c', conf, archive, env=env)
    assert result.returncode == 0, result.stderr

    result = mvp('backup', 'restore', '-c', conf, '-d', copy, archive,
        env=env)
    assert result.returncode == 0, result.stderr
    assert counts(uri, path, copy) == counts(uri, path, source)
    restored = files(path / copy)
    assert len(restored) > 10 and restored == files(path / source)
    original = read(source, env)
    assert original['files'] and original['incoming']
    assert read(copy, env) == original

    # once more: the copy exists, it is not touched
    result = mvp('backup', 'restore', '-c', conf, '-d', copy, archive,
        env=env)
    assert result.returncode == 1
    assert 'exists already' in result.stderr
    assert read(copy, env) == original

    flip(archive, next(m for m in backup.manifest(archive)['members']
            if m.startswith('filestore/')))
    result = mvp('backup', 'verify', '-c', conf, archive, env=env)
    assert result.returncode == 1
    assert 'differs from the manifest' in result.stdout
    result = mvp('backup', 'verify', '-c', conf, conf, env=env)
    assert result.returncode == 2

    result = mvp('backup', 'create', '-c', conf, '-d', 'missing', '-o',
        backups, env=env)
    assert result.returncode == 1
    assert "the backup of 'missing' failed" in result.stderr
