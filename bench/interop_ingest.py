"""Ingesting edXML packets into PostgreSQL as incoming documents.

N packets (1,000 by default) from an agency on the axis, each carrying one
signed PDF of about 1 MB (each signed on its own, so each file is new to
the database and verified), go through the connector's two steps as the
server runs them, the axis left out:

(a) storing each packet raw and queuing its processing, as the poll does
    once it has fetched it (``Inbox.store``, the bytes in the file store),
    a transaction each;
(b) running the queued tasks that process them as trytond-worker runs
    them (``trytond.worker.run_task``: ``Inbox.process`` in a transaction
    of its own, retried on a conflict; parse, recognise duplicates, verify
    the signatures with mvp_signing, create the incoming document with its
    file and its signature records, queue the status 01 for the sender),
    by P processes at once (the worker's processes; 2 by default, the
    cores of this machine).

The result is checked: N incoming documents, N files, N valid signatures.
Printed and written to bench/results/interop_ingest.txt.

    python bench/interop_ingest.py [-n N] [-p P] [--out FILE] [--profile DIR]

--profile writes each process's cProfile statistics of (b) to DIR.

The server is TRYTOND_DATABASE_URI when it names PostgreSQL, otherwise a
throwaway cluster made as tests/run.py makes one.
"""
import argparse
import datetime as dt
import importlib.util
import multiprocessing
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / 'bench'
GOAL = 20           # packets a second
SIZE = 1_000_000
OFFICE = '000.00.00.G22'
PROVINCE = '000.00.00.H31'


def load_tests_run():
    spec = importlib.util.spec_from_file_location(
        'mvp_tests_run', ROOT / 'tests' / 'run.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def packets(count, pki, passphrase):
    "count packets of a signed 1 MB PDF each, built in memory"
    from trytond.modules.mvp_interop import edxml
    from trytond.modules.mvp_interop.status import now_vn
    from trytond.modules.mvp_signing import keys, pades
    from trytond.modules.mvp_signing.tests import samples
    path = os.path.join(pki.dir, 'bench-leader.p12')
    with open(path, 'wb') as f:
        f.write(pki.arch.package_pkcs12('leader', password=passphrase))
    signer = keys.load_pkcs12(path, passphrase)
    base = samples.pdf(pages=4, size=SIZE)
    today = dt.date.today()
    for n in range(count):
        signed = pades.sign(base, signer)
        yield edxml.build(edxml.Document(
                sender=edxml.Organ(OFFICE, name="Văn phòng Chính phủ"),
                recipients=(edxml.Organ(PROVINCE),),
                document_id=f'{OFFICE},{today:%Y/%m/%d},{n + 1}/VPCP-KSTT',
                code_number=str(n + 1), code_notation='VPCP-KSTT',
                promulgation_date=today, type_name='Công văn',
                subject=f"Về việc triển khai văn bản số {n + 1}",
                signer=edxml.Signer(full_name='Nguyễn Văn Ánh'),
                traces=(edxml.Trace(OFFICE, now_vn()),),
                attachments=(edxml.Attachment(
                        name=f'{n + 1}-VPCP-KSTT.pdf', data=signed,
                        content_type='application/pdf'),)))


def setup(name, pki):
    "The province office, its connection, the trusted root; the account"
    from trytond.modules.mvp_documents.database import run
    from trytond.pool import Pool

    def create():
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Account = pool.get('mvp.interop.account')
        Trust = pool.get('mvp.signing.trust')
        Configuration = pool.get('mvp.signing.configuration')
        unit, = Unit.create([{
                    'name': "Ủy ban nhân dân tỉnh Hưng Yên", 'code': 'UBND',
                    'kind': 'province', 'identifier': PROVINCE}])
        account, = Account.create([{
                    'company': unit.company.id, 'url': 'http://127.0.0.1:9',
                    'system_id': PROVINCE, 'secret': 'bench'}])
        Trust.create([{'certificate': pki.cert('root').dump(),
                    'kind': 'root'}])
        configuration = Configuration(1)
        # Revocation data is not fetched: what is timed is this system,
        # not the certification authority's answers.
        configuration.fetch = False
        configuration.save()
        return account.id
    return run(name, create)


def store(name, account_id, data):
    """(a): the raw packets stored and their processing queued, as the
    poll does, a transaction each; the tasks' ids"""
    from trytond.modules.mvp_documents.database import run
    from trytond.pool import Pool

    def one(n, packet):
        pool = Pool()
        Account = pool.get('mvp.interop.account')
        Inbox = pool.get('mvp.interop.inbox')
        stored = Inbox.store(Account(account_id), {
                'doc_id': f'bench-{n}', 'sender': OFFICE, 'kind': 'edoc'},
            packet)
        task, = Inbox.__queue__.process([stored])
        return task
    return [run(name, lambda: one(n, p)) for n, p in enumerate(data)]


def process(name, uri, tasks, ready, done, profile=None):
    """(b): one process's share of the queued tasks, each run as
    trytond-worker runs it (its transaction, retried on conflicts), once
    every process has loaded its pool"""
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.worker import run_task
    with Transaction().start(name, 0, readonly=True):
        Pool(name).init()
    ready.wait()
    cpu = time.process_time()
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    for task in tasks:
        run_task(name, task)
    if profile:
        profiler.disable()
        profiler.dump_stats(os.path.join(profile, f'{os.getpid()}.prof'))
    done.put((len(tasks), time.process_time() - cpu))


def check(name, count):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(name, 0, readonly=True):
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        File = pool.get('mvp.document.file')
        Signature = pool.get('mvp.signature')
        Inbox = pool.get('mvp.interop.inbox')
        documents = Incoming.search([('interop_id', '!=', None)])
        valid = Incoming.search([('legal_status', '=', 'valid')])
        result = {
            'documents': len(documents),
            'valid': len(valid),
            'files': File.search_count([]),
            'signatures': Signature.search_count([('status', '=', 'valid')]),
            'refused': Inbox.search_count([('state', '!=', 'done')]),
            }
    expected = {'documents': count, 'valid': count, 'files': count,
        'signatures': count, 'refused': 0}
    if result != expected:
        raise SystemExit(f"wrong result: {result}, expected {expected}")
    return result


def run(args, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond.modules.mvp_documents import database
    from trytond.modules.mvp_signing.tests import pki as test_pki
    name = f'bench_ingest_{os.getpid()}'
    pki = test_pki.LoopbackPKI()
    try:
        with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
            passfile.write(secrets.token_urlsafe(12) + '\n')
            passfile.flush()
            os.environ['TRYTONPASSFILE'] = passfile.name
            database.create(name)
            database.admin(name, ['ir', 'res', 'mvp_interop'], email='')
        account = setup(name, pki)
        start = time.perf_counter()
        data = list(packets(args.count, pki, b'bench'))
        built = time.perf_counter() - start
        size = sum(len(d) for d in data) / len(data)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        ids = store(name, account, data)
        stored = time.perf_counter() - start
        del data
        shares = [ids[i::args.processes] for i in range(args.processes)]
        from trytond import backend
        backend.Database(name).close()
        context = multiprocessing.get_context('spawn')
        ready = context.Barrier(args.processes + 1)
        done = context.Queue()
        workers = [context.Process(target=process,
                args=(name, uri, share, ready, done, args.profile))
            for share in shares]
        for worker in workers:
            worker.start()
        ready.wait()
        start = time.perf_counter()
        results = [done.get() for _ in workers]
        processed = time.perf_counter() - start
        count = sum(n for n, _ in results)
        seconds = sum(c for _, c in results)
        for worker in workers:
            worker.join()
        load = (load, os.getloadavg()[0])
        result = check(name, args.count)
        assert count == args.count
        return report(args, size, built, stored, processed, seconds,
            result, load)
    finally:
        pki.close()
        drop(name)


def drop(name):
    from trytond import backend
    from trytond.pool import Pool
    try:
        Pool.stop(name)
    except Exception:
        pass
    backend.Database(name).close()
    db = backend.Database()
    db.connect()
    connection = db.get_connection(autocommit=True)
    try:
        db.drop(connection, name)
    finally:
        db.put_connection(connection)
        db.close()


def report(args, size, built, stored, processed, seconds, result, load):
    import lxml
    from importlib.metadata import version
    n = args.count
    total = stored + processed
    rate = n / total
    lines = [
        f"Ingesting {n} edXML packets of {size:.0f} bytes (one signed PDF "
        f"of about {SIZE} bytes each) into PostgreSQL",
        f"{dt.date.today()}; {cpu()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; trytond {version('trytond')}, "
        f"pyHanko {version('pyhanko')}, lxml {lxml.__version__}",
        f"command: python bench/interop_ingest.py -n {n} -p "
        f"{args.processes}",
        f"load average (1 min) when it started and ended: {load[0]:.1f}, "
        f"{load[1]:.1f}",
        "",
        f"{'':44}{'ms/packet':>10}{'packets/s':>11}{'total s':>10}",
        f"{'(a) store raw, queue its task':44}"
        f"{stored / n * 1000:>10.2f}{n / stored:>11.0f}{stored:>10.2f}",
        f"{f'(b) run the tasks, {args.processes} processes':44}"
        f"{processed / n * 1000:>10.2f}{n / processed:>11.0f}"
        f"{processed:>10.2f}",
        f"{'(a) + (b)':44}{total / n * 1000:>10.2f}{rate:>11.1f}"
        f"{total:>10.2f}",
        f"{'    CPU of the processes (PostgreSQL apart)':44}"
        f"{seconds / n * 1000:>10.2f}",
        "",
        f"result: {result['documents']} incoming documents, "
        f"{result['files']} files, {result['signatures']} valid signatures"
        f", {result['refused']} refused",
        f"(building the packets, signing each PDF: {built:.1f} s, not "
        "counted)",
        f"goal: (a) + (b) at least {GOAL} packets a second: "
        + ("met" if rate >= GOAL else "NOT met"),
        ]
    text = '\n'.join(lines) + '\n'
    print(text, end='')
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0 if rate >= GOAL else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=1000)
    parser.add_argument('-p', '--processes', type=int, default=2)
    parser.add_argument('--out',
        default=str(HERE / 'results' / 'interop_ingest.txt'))
    parser.add_argument('--profile', metavar='DIR')
    args = parser.parse_args(argv)
    files = tempfile.mkdtemp(prefix='mvp-bench-ingest-')
    os.environ['TRYTOND_DATABASE__PATH'] = files
    # Tasks go to the queue's table, as with trytond-worker, not run here.
    os.environ['TRYTOND_QUEUE__WORKER'] = 'True'
    try:
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        if uri.startswith('postgresql'):
            return run(args, uri)
        with load_tests_run().throwaway_cluster() as uri:
            return run(args, uri)
    finally:
        shutil.rmtree(files, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
