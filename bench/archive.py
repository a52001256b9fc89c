"""Archival packages and backups: how long they take.

Packages: a dossier of COUNT documents, each one generated PDF of about
1 MB (an incompressible image per page, as a scan) with its signature
evidence, in files as the filestore keeps them.

(a) floor: copying the package's payload (originals, PDF/A renditions,
    metadata) with shutil.copyfile and hashing it with hashlib.file_digest;
(b) `package.build`, the PDF/A renditions made already (as the models keep
    them once made): copy and hash every file, the metadata, the BagIt
    manifests;
(c) `package.verify` of that package: every checksum, the metadata;
(d) `package.build` converting every PDF with Ghostscript, once.

Backups of the demo province (`mvp db init --demo`), on SQLite and on
PostgreSQL (the server of TRYTOND_DATABASE_URI, or a throwaway cluster as
tests/run.py makes one): `backup.create`, `backup.verify` (restore into a
scratch database, compare, drop) and `backup.restore` into a new database.

Medians over RUNS runs, the cases taking turns; printed and written to
bench/results/archive.txt.

    python bench/archive.py [-n COUNT] [-r RUNS] [--out FILE]
"""
import argparse
import datetime as dt
import hashlib
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from trytond.modules.mvp_archive import backup, package  # noqa: E402
from trytond.modules.mvp_signing.tests import samples  # noqa: E402

EVIDENCE = {'status': 'valid', 'signatures': [{'signer': "Trần Văn Hùng",
            'intact': True, 'trusted': True, 'valid': True}]}


def medians(funcs, runs):
    "Median seconds of each function, the functions taking turns"
    spent = [[] for _ in funcs]
    for _ in range(runs):
        for func, times in zip(funcs, spent):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in spent]


def dossier(sources, renditions=None):
    documents = []
    for n, source in enumerate(sources, 1):
        documents.append(package.Document(ordinal=n, direction='outgoing',
                type_name="Quyết định", subject=f"Văn bản số {n} của hồ sơ",
                code_number=str(n), code_notation='QĐ-UBND',
                issued_date=dt.date(2026, 1, 1) + dt.timedelta(days=n),
                organ_name="Ủy ban nhân dân tỉnh Hưng Yên",
                files=[package.File(f"Quyết định {n}.pdf", path=source,
                        evidence=EVIDENCE,
                        pdfa=renditions[n - 1] if renditions else None)]))
    return package.Dossier(package.FileCode('000.00.00.H31', 2026,
            '01.VP'), "Hồ sơ bench", documents, retention=None)


def payload(path):
    return sorted(p for p in (path / 'data').rglob('*') if p.is_file())


def packages(args, work):
    sources = work / 'filestore'
    sources.mkdir()
    paths = []
    for n in range(args.count):
        path = sources / f'{n:04d}'
        path.write_bytes(samples.pdf(pages=4, size=1_000_000, seed=n))
        paths.append(path)
    source_bytes = sum(p.stat().st_size for p in paths)

    start = time.perf_counter()
    converted = package.build(dossier(paths), work / 'converted')
    conversion = time.perf_counter() - start
    cache = work / 'renditions'
    cache.mkdir()
    renditions = []
    for n in range(1, args.count + 1):
        target = cache / f'{n:04d}.pdf'
        shutil.copyfile(converted.path / 'data' / 'documents'
            / f'{n:03d}' / '01.pdfa.pdf', target)
        renditions.append(target)
    files = payload(converted.path)
    package_bytes = sum(p.stat().st_size for p in files)
    runs = {'n': 0}

    def floor():
        target = work / 'floor'
        target.mkdir()
        for n, path in enumerate(files):
            shutil.copyfile(path, target / str(n))
            with open(target / str(n), 'rb') as f:
                hashlib.file_digest(f, 'sha256')
        shutil.rmtree(target)

    def build():
        runs['n'] += 1
        out = work / f'build{runs["n"]}'
        built = package.build(dossier(paths, renditions), out,
            convert_pdf=False)
        runs['last'] = built

    def verify():
        assert package.verify(runs['last'].path) == []
        shutil.rmtree(runs['last'].path.parent)

    floor_s, build_s, verify_s = medians([floor, build, verify], args.runs)
    shutil.rmtree(converted.path.parent)
    return {
        'count': args.count, 'source_bytes': source_bytes,
        'package_bytes': package_bytes, 'files': len(files),
        'floor': floor_s, 'build': build_s, 'verify': verify_s,
        'conversion': conversion, 'tool': package.tool(),
        }


def mvp(*args, env):
    result = subprocess.run([sys.executable, '-m',
            'trytond.modules.mvp_documents.cli', *map(str, args)],
        capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.stderr)


def load_tests_run():
    "tests/run.py, for its throwaway PostgreSQL cluster"
    spec = importlib.util.spec_from_file_location(
        'mvp_tests_run', ROOT / 'tests' / 'run.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def backups(args, work, uri):
    "Back up, verify and restore the demo province on the backend of uri"
    path = work / 'db'
    path.mkdir()
    conf = work / 'trytond.conf'
    conf.write_text(f'[database]\nuri = {uri}\npath = {path}\n'
        'language = vi\n')
    env = dict(os.environ, TRYTOND_CONFIG=str(conf),
        TRYTONPASSFILE=str(work / 'admin-password'))
    env.pop('TRYTOND_DATABASE__PATH', None)
    name = 'demo_bench'
    mvp('db', 'init', '-c', conf, '-d', name, '--demo', env=env)
    db = backup.backend(uri, path)
    out = work / 'backups'
    made = []

    def create():
        # the name holds the time, to the second: one a second each run
        made.append(backup.create(db, name, path / name, out,
                now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                + dt.timedelta(seconds=len(made))))

    def verify():
        assert backup.verify(made[-1], db) == []

    def restore():
        target = f'{name}_restored'
        assert backup.restore(made[-1], db, target, path / target) == []
        db.drop(target)
        shutil.rmtree(path / target)

    try:
        create_s, verify_s, restore_s = medians([create, verify, restore],
            args.runs)
        data = backup.manifest(made[-1])
        return {
            'size': made[-1].stat().st_size,
            'tables': len(data['tables']), 'rows': sum(
                data['tables'].values()),
            'files': sum(1 for m in data['members']
                if m.startswith('filestore/')),
            'create': create_s, 'verify': verify_s, 'restore': restore_s,
            }
    finally:
        if db.name == 'postgresql':
            db.drop(name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=200)
    parser.add_argument('-r', '--runs', type=int, default=5)
    parser.add_argument('--out', default=str(HERE / 'results' / 'archive.txt'))
    args = parser.parse_args(argv)
    # the machine may be shared: say how busy it was
    args.load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix='mvp-bench-archive-') as tmp:
        work = Path(tmp)
        (work / 'package').mkdir()
        pk = packages(args, work / 'package')
        (work / 'sqlite').mkdir()
        sqlite = backups(args, work / 'sqlite', 'sqlite://')
        (work / 'postgresql').mkdir()
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        tests_run = load_tests_run()
        if bindir := tests_run.pg_bindir():
            # pg_dump and pg_restore of the server's version
            os.environ['PATH'] = bindir + os.pathsep + os.environ['PATH']
        if uri.startswith('postgresql'):
            pg = backups(args, work / 'postgresql', uri)
        else:
            with tests_run.throwaway_cluster() as uri:
                pg = backups(args, work / 'postgresql', uri)
    report(args, pk, sqlite, pg)
    return 0


def report(args, pk, sqlite, pg):
    mb = 1e6
    ratio_build = pk['build'] / pk['floor']
    ratio_verify = pk['verify'] / pk['floor']
    lines = [
        f"Archival packages and backups; median of {args.runs} runs (s)",
        f"{dt.date.today()}; {cpu()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {pk['tool']}",
        f"command: python bench/archive.py -n {args.count} -r {args.runs}",
        f"load average (1 min) at the start {args.load:.1f}, at the end "
        f"{os.getloadavg()[0]:.1f}",
        "",
        f"package of {pk['count']} documents, {pk['source_bytes'] / mb:.0f} "
        f"MB of PDF; the package: {pk['files']} files, "
        f"{pk['package_bytes'] / mb:.0f} MB (originals, PDF/A renditions, "
        "evidence, metadata)",
        f"(a) floor: copy + SHA-256 of the payload   {pk['floor']:7.2f}",
        f"(b) build, renditions made already          {pk['build']:7.2f}"
        f"   {ratio_build:.2f}x the floor",
        f"(c) verify                                  {pk['verify']:7.2f}"
        f"   {ratio_verify:.2f}x the floor",
        f"(d) build converting every PDF to PDF/A     "
        f"{pk['conversion']:7.2f}   once, {os.cpu_count()} Ghostscript "
        "processes at once",
        "",
        ]
    for label, b in (('SQLite', sqlite), ('PostgreSQL', pg)):
        lines += [
            f"backup of the demo province on {label}: {b['tables']} tables, "
            f"{b['rows']} rows, {b['files']} files, archive "
            f"{b['size'] / mb:.1f} MB",
            f"    create                                  {b['create']:7.2f}",
            f"    verify (scratch restore, compare, drop) {b['verify']:7.2f}",
            f"    restore into a new database, compare    "
            f"{b['restore']:7.2f}",
            ]
    met = 'met' if max(ratio_build, ratio_verify) < 3 else 'NOT met'
    lines += ["", f"goal: (b) and (c) under 3x the floor: {met}"]
    text = '\n'.join(lines) + '\n'
    print(text, end='')
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)


if __name__ == '__main__':
    sys.exit(main())
