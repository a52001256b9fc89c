"""The boards of a province's decade of documents, as their people open them.

A new PostgreSQL database with mvp_documents activated gets 300 agencies
(the province office, departments, districts, communes) with three divisions
and nine people each (a clerk, a leader, a head of division, six
specialists), made through the ORM; then N documents (1,000,000 by default), their
assignments, deliveries, register numbers and files, as bench/province.py
makes a province's decade. Then each role's board is opened as the web
client opens it (every figure: its search, then the read of its view's
fields) by a person of the biggest agency, as that person, record rules
on; the provincial board by the oversight of the Department of Home
Affairs. Medians of R openings after a warm-up, in milliseconds, printed
and written to bench/results/boards.txt.

    python bench/boards.py [-n N] [-r R] [--explain] [--out FILE]

The server is TRYTOND_DATABASE_URI when it names PostgreSQL, otherwise a
throwaway cluster made as tests/run.py makes one. CASES at the end lists
what is timed; a case can be added there. The annual statistics (Art. 12.7)
are printed as the leader and the oversight print them: the report of the
current year as PDF, their own agency's and every agency's.
"""
import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from machine import cpu
from province import activate, build, drop, load_tests_run

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / 'bench'


def open_board():
    """The test's opening of a board, as the web client does it, the counts
    of the figures not yet kept from an earlier opening"""
    from trytond.modules.mvp_documents.board import ROWS
    from trytond.modules.mvp_documents.tests.test_board import open_board

    def cold(board, user):
        ROWS.clear()
        return open_board(board, user)
    return cold


def median_ms(func, runs, warmup=2):
    for _ in range(warmup):
        func()
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def run(args, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    if args.reuse:
        return measure(args, args.reuse, None)
    name = f'bench_boards_{os.getpid()}'
    activation = activate(name)
    try:
        return measure(args, name, activation)
    finally:
        if args.keep:
            print(f"database {name} kept")
        else:
            drop(name)


def as_person(login, func):
    "Run func() as the person of login, access checked"
    from trytond.pool import Pool
    from trytond.transaction import Transaction, check_access
    User = Pool().get('res.user')
    user, = User.search([('login', '=', login)])
    transaction = Transaction()
    with transaction.set_user(user.id), transaction.set_context(
            company=user.company.id), check_access():
        return func(user)


def explain(board, user):
    "Print the plan of each figure's search, for finding missing indexes"
    from trytond.pool import Pool
    from trytond.pyson import PYSONDecoder
    from trytond.transaction import Transaction

    from trytond.modules.mvp_documents.tests.test_board import board_actions
    pool = Pool()
    Action = pool.get('ir.action.act_window')
    cursor = Transaction().connection.cursor()
    for name in board_actions(board):
        action = Action.get(name)
        Model = pool.get(action['res_model'])
        env = dict(Transaction().context, _user=user.id)
        env['context'] = env
        decoder = PYSONDecoder(env)
        with Transaction().set_context(
                decoder.decode(action['pyson_context'] or '{}')):
            query = Model.search(
                decoder.decode(action['pyson_domain']),
                order=decoder.decode(action['pyson_order']),
                limit=action['limit'] or 1000, query=True)
            cursor.execute('EXPLAIN ANALYZE ' + str(query), query.params)
            print(f'-- {name}')
            print('\n'.join(r[0] for r in cursor.fetchall()))


# (label, board, login of the person who opens it)
CASES = [
    ("clerk's board", 'act_board_clerk', 'clerk0.0'),
    ("specialist's board", 'act_board_specialist', 'specialist3.0'),
    ("leader's board", 'act_board_leader', 'leader1.0'),
    ("head of division's board", 'act_board_leader', 'head2.0'),
    ("provincial board (oversight)", 'act_board_province', 'oversight'),
    ("annual statistics (leader)", 'statistics', 'leader1.0'),
    ("annual statistics, all (oversight)", 'statistics', 'oversight'),
    ]


def print_statistics(user):
    "The annual statistics of this year as PDF, as the wizard prints them"
    from trytond.pool import Pool
    Report = Pool().get('mvp.statistics.report', type='report')
    extension, content, _, _ = Report.execute([], {
            'year': dt.date.today().year, 'company': None, 'format': 'pdf'})
    assert extension == 'pdf' and content
    return [extension]


def measure(args, name, activation):
    from trytond import __version__ as trytond_version
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(name).init()
    if activation is None:
        # A database kept by an earlier run.
        with Transaction().start(name, 0):
            pool = Pool()
            units = pool.get('mvp.unit').search([('kind', '!=', 'division')])
            users = pool.get('res.user').search([('login', '!=', 'admin')])
        activation = made = inserted = vacuum = 0
    else:
        units, users, spent = build(name, args.count)
        made, inserted, vacuum = (
            spent['people'], spent['documents'], spent['vacuum'])

    board_open = open_board()
    results = []
    with Transaction().start(name, 0) as transaction:
        cursor = transaction.connection.cursor()
        counts = {}
        for table in ['mvp_document_incoming', 'mvp_assignment',
                'mvp_document_outgoing']:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table], = cursor.fetchone()
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))")
        size, = cursor.fetchone()
        for label, board, login in CASES:
            def case(user):
                if board == 'statistics':
                    return median_ms(
                        lambda: print_statistics(user), args.runs), 1
                if args.explain:
                    explain(board, user)
                return median_ms(
                    lambda: board_open(board, user), args.runs), len(
                    board_open(board, user))
            spent, figures = as_person(login, case)
            results.append((label, login, figures, spent))
        cursor.execute('SHOW server_version')
        server = cursor.fetchone()[0]

    lines = [
        "Boards of %d documents on PostgreSQL %s, opened as their people "
        "(record rules on); median of %d openings (ms)" % (
            args.count, server.split()[0], args.runs),
        '%s; %s, %d cores, Python %s; trytond %s' % (
            dt.date.today().isoformat(), cpu(), os.cpu_count(),
            platform.python_version(), trytond_version),
        'command: python bench/boards.py -n %d -r %d' % (
            args.count, args.runs),
        '',
        'set-up: modules activated in %.0f s; %d agencies, %d people made '
        'through the ORM in %.0f s; rows inserted with SQL in %.0f s '
        '(%s incoming, %s assignments, %s outgoing), VACUUM ANALYZE %.0f s; '
        'database %s' % (
            activation, len(units), len(users), made, inserted,
            f"{counts['mvp_document_incoming']:,}",
            f"{counts['mvp_assignment']:,}",
            f"{counts['mvp_document_outgoing']:,}", vacuum, size),
        '',
        'each figure searched then read as the web client does; the whole '
        'board:',
        '%-32s %-16s %7s %9s' % ('board', 'person', 'figures', 'ms'),
        ]
    for label, login, figures, spent in results:
        lines.append('%-32s %-16s %7d %9.1f' % (
                label, login, figures, spent))
    text_out = '\n'.join(lines) + '\n'
    sys.stdout.write(text_out)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text_out)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=1_000_000)
    parser.add_argument('-r', '--runs', type=int, default=11)
    parser.add_argument('--explain', action='store_true',
        help="print the plan of each figure's search")
    parser.add_argument('--keep', action='store_true',
        help="keep the database (with TRYTOND_DATABASE_URI)")
    parser.add_argument('--reuse', metavar='DATABASE',
        help="time the boards of a database kept by --keep")
    parser.add_argument('--out', default=str(HERE / 'results' / 'boards.txt'))
    args = parser.parse_args(argv)

    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        return run(args, uri)
    with load_tests_run().throwaway_cluster() as uri:
        return run(args, uri)


if __name__ == '__main__':
    sys.exit(main())
