"""The boards of a province's decade of documents, as their people open them.

A new PostgreSQL database with mvp_documents activated gets 300 agencies
(the province office, departments, districts, communes) with three divisions
and nine people each (a clerk, a leader, a head of division, six
specialists), made through the ORM; then N documents (1,000,000 by default:
70 % incoming, 30 % outgoing) over ten years up to today, and the
assignments of the incoming ones, inserted with SQL (INSERT ... SELECT over
generate_series): big agencies get more mail than communes, most work is
done (some of it late), the last weeks' is open and some of it overdue, a
few documents are secret. Then each role's board is opened as the web
client opens it (every figure: its search, then the read of its view's
fields) by a person of the biggest agency, as that person, record rules
on; the provincial board by the oversight of the Department of Home
Affairs. Medians of R openings after a warm-up, in milliseconds, printed
and written to bench/results/boards.txt.

    python bench/boards.py [-n N] [-r R] [--explain] [--out FILE]

The server is TRYTOND_DATABASE_URI when it names PostgreSQL, otherwise a
throwaway cluster made as tests/run.py makes one. CASES at the end lists
what is timed; a case can be added there (the annual statistics, once they
exist).
"""
import argparse
import datetime as dt
import importlib.util
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / 'bench'
AGENCIES = 300
DIVISIONS = 3
SPECIALISTS = 6
# clerk, leader, head, then the specialists
STAFF = 3 + SPECIALISTS
INCOMING_SHARE = 0.7
YEARS = 10


def load_tests_run():
    "tests/run.py, for its throwaway PostgreSQL cluster"
    spec = importlib.util.spec_from_file_location(
        'mvp_tests_run', ROOT / 'tests' / 'run.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_board():
    """The test's opening of a board, as the web client does it, the counts
    of the figures not yet kept from an earlier opening"""
    from trytond.modules.mvp_documents.board import ROWS
    from trytond.modules.mvp_documents.tests.test_board import open_board

    def cold(board, user):
        ROWS.clear()
        return open_board(board, user)
    return cold


def agencies():
    "(name, code, kind) of the province's agencies, biggest first"
    result = [("Ủy ban nhân dân tỉnh", 'UBND', 'province'),
        ("Sở Nội vụ", 'SNV', 'department')]
    result += [(f"Sở {i:02d}", f'S{i:02d}', 'department')
        for i in range(2, 20)]
    result += [(f"Ủy ban nhân dân huyện {i:02d}", 'UBND', 'district')
        for i in range(20, 30)]
    result += [(f"Ủy ban nhân dân xã {i:03d}", 'UBND', 'commune')
        for i in range(30, AGENCIES)]
    return result


def people():
    "Make the agencies, their divisions and people; return the users"
    from trytond.pool import Pool
    pool = Pool()
    Unit = pool.get('mvp.unit')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')

    def role(name):
        return ModelData.get_id('mvp_documents', f'role_{name}')
    province = None
    units = []
    for index, (name, code, kind) in enumerate(agencies()):
        unit, = Unit.create([{
                    'name': name, 'code': code, 'kind': kind,
                    'identifier': f'000.{index // 100:02d}.{index % 100:02d}'
                    '.H31',
                    'parent': province.id if province else None,
                    'children': [('create', [{
                                    'name': f"Phòng {d + 1}",
                                    'code': f'P{d + 1}'}
                                for d in range(DIVISIONS)])],
                    }])
        province = province or unit
        units.append(unit)
    values = []
    for index, unit in enumerate(units):
        divisions = sorted(unit.children, key=lambda u: u.code)
        staff = [('clerk', unit), ('leader', unit), ('head', divisions[0])]
        staff += [('specialist', divisions[s % DIVISIONS])
            for s in range(SPECIALISTS)]
        for number, (kind, where) in enumerate(staff):
            values.append({
                    'login': f'{kind}{number}.{index}',
                    'name': f"{kind.title()} {number} {index}",
                    'companies': [('add', [unit.company.id])],
                    'company': unit.company.id,
                    'unit': where.id,
                    'clearance': 'secret' if kind == 'leader' else 'normal',
                    'roles': [('create', [{'role': role(kind)}])],
                    })
    # Oversight sits in the Department of Home Affairs.
    values.append({
            'login': 'oversight', 'name': "Oversight",
            'companies': [('add', [units[1].company.id])],
            'company': units[1].company.id, 'unit': units[1].id,
            'roles': [('create', [{'role': role('oversight')}])],
            })
    users = User.create(values)
    return units, users


def hashed(seed, modulo):
    "SQL: a stable pseudo-random integer in [0, modulo) of row n"
    return f"(abs(hashtext(n::text || '{seed}')::bigint) % {modulo})"


def generate(cursor, count, units, users, type_id):
    "Insert the documents and assignments with SQL; return the seconds"
    incoming = int(count * INCOMING_SHARE)
    outgoing = count - incoming
    companies = 'ARRAY[%s]' % ','.join(str(u.company.id) for u in units)
    cursor.execute("CREATE TEMPORARY TABLE bench_staff "
        "(company INTEGER, k INTEGER, user_id INTEGER)")
    rows = []
    for index, unit in enumerate(units):
        for k in range(STAFF):
            rows.append((unit.company.id, k, users[index * STAFF + k].id))
    cursor.executemany(
        "INSERT INTO bench_staff VALUES (%s, %s, %s)", rows)
    cursor.execute("CREATE INDEX ON bench_staff (company, k)")
    # Agency of row n: big agencies first, a skewed draw (u^1.6).
    agency = (f"({companies})[1 + floor({AGENCIES} * power("
        f"{hashed('a', 1000000)} / 1000000.0, 1.6))::int]")
    # Received over the years up to now, in the order of n.
    span = YEARS * 365 * 24 * 3600

    def moment(total):
        return (f"(now() AT TIME ZONE 'UTC' - ({span} * (1 - n::float8 / "
            f"{total}) + {hashed('t', 3600)}) * INTERVAL '1 second')")
    received = moment(incoming)
    urgency = ("(ARRAY['normal','normal','normal','normal','normal',"
        "'normal','normal','normal','normal','normal','normal','normal',"
        "'normal','normal','normal','normal','normal','urgent','urgent',"
        "'very_urgent'])[1 + " + hashed('u', 20) + "]")
    secrecy = (f"CASE WHEN {hashed('s', 100)} = 0 THEN 'secret' "
        f"WHEN {hashed('s', 100)} < 3 THEN 'confidential' ELSE 'normal' END")
    started = time.perf_counter()
    # Age in days decides the state: the last two days' mail waits for
    # the clerk or a leader, the last weeks' is being handled, older work
    # is done but for a few stuck.
    cursor.execute(f"""
        INSERT INTO mvp_document_incoming (
            company, type, abstract, number_symbol, sender, urgency,
            secrecy, legal_status, received_date, registered_date, deadline,
            state, create_uid, create_date, search_text)
        SELECT company, {type_id}, 'Công văn số ' || n || ' về việc thử bảng',
            n || '/CV', 'Bộ Nội vụ', urgency, secrecy, 'valid', received,
            CASE WHEN state != 'received' THEN received::date END,
            CASE WHEN state IN ('assigned', 'in_progress', 'done')
                THEN received::date + 14 END,
            state, 0, received,
            'cong van so ' || n || ' ve viec thu bang'
        FROM (
            SELECT n, company, urgency, secrecy, received,
                CASE
                WHEN age < 1 THEN 'received'
                WHEN age < 2 THEN 'registered'
                WHEN age < 40 THEN (ARRAY['assigned', 'in_progress',
                    'in_progress', 'done', 'done'])[1 + {hashed('x', 5)}]
                WHEN {hashed('x', 1000)} < 3 THEN 'in_progress'
                WHEN {hashed('x', 1000)} < 20 THEN 'rejected'
                ELSE 'done' END AS state
            FROM (
                SELECT n, {agency} AS company, {urgency} AS urgency,
                    {secrecy} AS secrecy, {received} AS received,
                    extract(epoch FROM now() AT TIME ZONE 'UTC'
                        - {received}) / 86400 AS age
                FROM generate_series(1, {incoming}) AS n) AS d) AS s""")
    # Main handlers, co-handlers for two in five, a head informed for
    # three in ten; work done took one to twenty days.
    cursor.execute(f"""
        INSERT INTO mvp_assignment (
            incoming, "user", role, deadline, instruction, assigned_date,
            closed_date, late, state, create_uid, create_date)
        SELECT i.id, s.user_id, r.role,
            CASE WHEN r.role != 'inform' THEN i.deadline END,
            'Đề nghị nghiên cứu, tham mưu.', i.received_date + INTERVAL '1 day',
            c.closed,
            CASE WHEN r.role != 'inform' AND i.state = 'done'
                THEN c.closed::date > i.deadline ELSE FALSE END,
            CASE WHEN r.role != 'inform' AND i.state = 'done' THEN 'done'
                ELSE 'open' END,
            0, i.received_date
        FROM mvp_document_incoming AS i
        CROSS JOIN LATERAL (SELECT i.id AS n) AS h
        CROSS JOIN LATERAL (
            SELECT i.received_date + (1 + {hashed('d', 20)})
                * INTERVAL '1 day' AS closed) AS c
        JOIN (VALUES ('main', 0), ('support', 1), ('inform', 2)) AS r (role, k)
            ON r.k = 0 OR (r.k = 1 AND {hashed('c', 5)} < 2)
                OR (r.k = 2 AND {hashed('f', 10)} < 3)
        JOIN bench_staff AS s ON s.company = i.company
            AND s.k = CASE WHEN r.role = 'inform' THEN 2
                ELSE 3 + ({hashed('p', SPECIALISTS)} + r.k) % {SPECIALISTS}
                END
        WHERE i.state IN ('assigned', 'in_progress', 'done')""")
    # Outgoing: drafted by a specialist, signed by the leader; all but the
    # last days' distributed, a few late; the last days' on their way.
    cursor.execute(f"""
        INSERT INTO mvp_document_outgoing (
            company, type, abstract, urgency, secrecy, drafter, signer,
            number, number_symbol, issue_date, send_deadline, sent_date,
            sent_late, state, create_uid, create_date, search_text)
        SELECT company, {type_id}, 'Về việc thử bảng ' || n, urgency,
            secrecy, drafter, signer,
            CASE WHEN state IN ('issued', 'distributed') THEN n END,
            CASE WHEN state IN ('issued', 'distributed') THEN n || '/UBND' END,
            CASE WHEN state IN ('issued', 'distributed') THEN created::date
                END,
            CASE WHEN state IN ('issued', 'distributed')
                THEN created + INTERVAL '20 hours' END,
            CASE WHEN state = 'distributed' THEN created + CASE
                WHEN {hashed('l', 20)} = 0 THEN INTERVAL '2 days'
                ELSE INTERVAL '2 hours' END END,
            state = 'distributed' AND {hashed('l', 20)} = 0,
            state, 0, created, 've viec thu bang ' || n
        FROM (
            SELECT n, o.company, urgency, secrecy, created,
                d.user_id AS drafter, l.user_id AS signer,
                CASE
                WHEN age < 1 THEN (ARRAY['draft', 'review', 'approval',
                    'approved', 'issued'])[1 + {hashed('y', 5)}]
                WHEN age < 3 THEN (ARRAY['issued', 'distributed',
                    'distributed'])[1 + {hashed('y', 3)}]
                ELSE 'distributed' END AS state
            FROM (
                SELECT n, {agency} AS company, {urgency} AS urgency,
                    {secrecy} AS secrecy,
                    {moment(outgoing)} AS created,
                    extract(epoch FROM now() AT TIME ZONE 'UTC'
                        - {moment(outgoing)}) / 86400 AS age
                FROM generate_series(1, {outgoing}) AS n) AS o
            JOIN bench_staff AS d ON d.company = o.company
                AND d.k = 3 + {hashed('q', SPECIALISTS)}
            JOIN bench_staff AS l ON l.company = o.company AND l.k = 1
            ) AS s""")
    return time.perf_counter() - started


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
    from trytond.modules.mvp_documents import database
    if args.reuse:
        return measure(args, args.reuse, None)
    name = f'bench_boards_{os.getpid()}'
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(secrets.token_urlsafe(12) + '\n')
        passfile.flush()
        os.environ['TRYTONPASSFILE'] = passfile.name
        database.create(name)
        start = time.perf_counter()
        database.admin(name, ['ir', 'res', 'mvp_documents'], email='')
        activation = time.perf_counter() - start
    try:
        return measure(args, name, activation)
    finally:
        if args.keep:
            print(f"database {name} kept")
            return
        from trytond import backend
        from trytond.pool import Pool
        Pool.stop(name)
        backend.Database(name).close()
        db = backend.Database()
        db.connect()
        connection = db.get_connection(autocommit=True)
        try:
            db.drop(connection, name)
        finally:
            db.put_connection(connection)
            db.close()


def autocommit(name, sql):
    "Run sql outside a transaction (VACUUM cannot run in one)"
    from trytond import backend
    db = backend.Database(name)
    db.connect()
    connection = db.get_connection(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        db.put_connection(connection)


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
    # The annual statistics of Art. 12.7 go here once they exist.
    ]


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
        with Transaction().start(
                name, 0, context={'language': 'vi'}) as tx:
            start = time.perf_counter()
            units, users = people()
            made = time.perf_counter() - start
            Type = Pool().get('mvp.document.type')
            type_ = Type.search([], limit=1)[0]
            cursor = tx.connection.cursor()
            inserted = generate(cursor, args.count, units, users, type_.id)
            tx.commit()
        start = time.perf_counter()
        for table in ['mvp_document_incoming', 'mvp_assignment',
                'mvp_document_outgoing']:
            autocommit(name, f'VACUUM ANALYZE "{table}"')
        vacuum = time.perf_counter() - start

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
