"""A province's decade of documents in PostgreSQL, for the benchmarks.

300 agencies (the province office, departments, districts, communes) with
three divisions and nine people each (a clerk, a leader, a head of division,
six specialists) and the oversight of the Department of Home Affairs are made
through the ORM, each person a login with PASSWORD; then N documents (70 %
incoming, 30 % outgoing) over ten years up to today are inserted with SQL
(INSERT ... SELECT over generate_series), with what the models would have
made of them:

- big agencies get more mail than communes; most work is done (some of it
  late), the last weeks' is open and some of it overdue, a few documents are
  confidential or secret;
- each registered incoming document and each issued outgoing one has its
  number in its agency's register of its year (past years' registers are
  rows; this year's are made by the model, their sequences moved past the
  numbers taken);
- incoming documents are assigned to a main handler, often co-handlers, and
  a head informed;
- outgoing documents are drafted by a specialist and signed by the leader;
  three in ten of the incoming documents are deliveries of an outgoing one
  of another agency of the province, which names it among its recipients;
- every document holds a file: a few hundred distinct files stored through
  the model (its filestore, one copy per content however many documents hold
  it, as mvp.document.file keeps them), most of them tens of kilobytes, a
  few of several megabytes.

    python bench/province.py [-n N] [--agencies A] [--database NAME]

makes the database NAME on the server of TRYTOND_DATABASE_URI and keeps it
(bench/load.py loads its own). bench/boards.py and bench/load.py build
their provinces with build().
"""
import argparse
import hashlib
import importlib.util
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

from search import CODES, KINDS, OBJECTS, PLACES, SENDERS, SUBJECTS

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = 300
DIVISIONS = 3
SPECIALISTS = 6
# clerk, leader, head, then the specialists
STAFF = 3 + SPECIALISTS
INCOMING_SHARE = 0.7
DELIVERED_SHARE = 0.3
YEARS = 10
FILES = 400
# The password of every person of a generated province: a benchmark's, not
# a secret.
PASSWORD = 'Bench-province-2026'


def load_tests_run():
    "tests/run.py, for its throwaway PostgreSQL cluster"
    spec = importlib.util.spec_from_file_location(
        'mvp_tests_run', ROOT / 'tests' / 'run.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def agencies(count=AGENCIES):
    "(name, code, kind) of the province's agencies, biggest first"
    result = [("Ủy ban nhân dân tỉnh", 'UBND', 'province'),
        ("Sở Nội vụ", 'SNV', 'department')]
    result += [(f"Sở {i:02d}", f'S{i:02d}', 'department')
        for i in range(2, 20)]
    result += [(f"Ủy ban nhân dân huyện {i:02d}", 'UBND', 'district')
        for i in range(20, 30)]
    result += [(f"Ủy ban nhân dân xã {i:03d}", 'UBND', 'commune')
        for i in range(30, count)]
    return result[:count]


def login(kind, index):
    "The login of the person of kind at agency index, e.g. clerk0.4"
    number = {'clerk': 0, 'leader': 1, 'head': 2}.get(kind, 3)
    return f'{kind}{number}.{index}'


def people(count=AGENCIES):
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
    for index, (name, code, kind) in enumerate(agencies(count)):
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
            'companies': [('add', [units[min(1, len(units) - 1)].company.id])],
            'company': units[min(1, len(units) - 1)].company.id,
            'unit': units[min(1, len(units) - 1)].id,
            'roles': [('create', [{'role': role('oversight')}])],
            })
    users = User.create(values)
    # One hash for all: hashing 2,700 passwords would take minutes.
    cursor = Pool().get('res.user').__table__()
    from trytond.transaction import Transaction
    Transaction().connection.cursor().execute(*cursor.update(
            [cursor.password_hash], [User.hash_password(PASSWORD)],
            where=cursor.id.in_([u.id for u in users])))
    return units, users


def hashed(seed, modulo):
    "SQL: a stable pseudo-random integer in [0, modulo) of row n"
    return f"(abs(hashtext(n::text || '{seed}')::bigint) % {modulo})"


def file_sizes(count, seed=13):
    """Sizes of the distinct files: scans of a page or two, tens of KB for
    most, a long tail to several MB"""
    draw = random.Random(seed)
    return [min(int(draw.lognormvariate(11, 1.0)), 8 << 20) + 1024
        for _ in range(count)]


def files(count=FILES):
    "Store count distinct files through the model; return their ids"
    from trytond.pool import Pool
    File = Pool().get('mvp.document.file')
    ids = []
    for index, size in enumerate(file_sizes(count)):
        # Incompressible, as scans are; a PDF's header for the viewers.
        seed = hashlib.sha256(b'%d' % index).digest()
        data = b'%PDF-1.4\n' + (seed * (size // 32 + 1))[:size]
        ids.append(File.store(f'van-ban-{index}.pdf', data).id)
    return ids


def sql_array(words):
    return 'ARRAY[%s]' % ', '.join(
        "'%s'" % w.replace("'", "''") for w in words)


def words(seed_prefix):
    """SQL of (abstract, symbol, sender) of row n and of their folded forms,
    the vocabulary of bench/search.py"""
    from trytond.modules.mvp_documents import vntext

    def pair(values, seed):
        seed = seed_prefix + seed
        pick = (f"[1 + abs(hashtext(n::text || '{seed}')::bigint) "
            f"% {len(values)}]")
        return (f"({sql_array(values)}){pick}",
            f"({sql_array([vntext.fold(w) for w in values])}){pick}")
    kind, kind_f = pair(KINDS, 'k')
    subject, subject_f = pair(SUBJECTS, 's')
    object_, object_f = pair(OBJECTS, 'o')
    place, place_f = pair(PLACES, 'p')
    sender, sender_f = pair(SENDERS, 'f')
    code, code_f = pair(CODES, 'c')
    number = f"(1 + abs(hashtext(n::text || '{seed_prefix}n')::bigint) % 2000)"
    abstract = (f"{kind} || ' số ' || {number} || ' ' || {subject} || ' ' "
        f"|| {object_} || ' ' || {place}")
    abstract_f = (f"{kind_f} || ' so ' || {number} || ' ' || {subject_f} "
        f"|| ' ' || {object_f} || ' ' || {place_f}")
    symbol = f"{number} || '/' || {code}"
    symbol_f = f"lower({number} || '/' || {code_f})"
    return (abstract, symbol, sender), (abstract_f, symbol_f, sender_f)


def generate(cursor, count, units, users, type_id, file_ids=None):
    """Insert the documents, assignments, deliveries and register numbers
    with SQL; return the seconds spent"""
    incoming = int(count * INCOMING_SHARE)
    outgoing = count - incoming
    agencies = len(units)
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
    cursor.execute("CREATE TEMPORARY TABLE bench_agency "
        "(company INTEGER PRIMARY KEY, unit INTEGER, name VARCHAR)")
    cursor.executemany("INSERT INTO bench_agency VALUES (%s, %s, %s)",
        [(u.company.id, u.id, u.name) for u in units])
    file_ids = file_ids or [None]
    files = 'ARRAY[%s]::INTEGER[]' % ','.join(
        'NULL' if f is None else str(f) for f in file_ids)
    # Agency of row n: big agencies first, a skewed draw (u^1.6).
    agency = (f"({companies})[1 + floor({agencies} * power("
        f"{hashed('a', 1000000)} / 1000000.0, 1.6))::int]")
    file = f"({files})[1 + {hashed('g', len(file_ids))}]"
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
    (abstract, symbol, sender), (abstract_f, symbol_f, sender_f) = words('')
    (o_abstract, o_symbol, _), (o_abstract_f, _, _) = words('o')
    started = time.perf_counter()
    # Outgoing first, deliveries point at them. Drafted by a specialist,
    # signed by the leader; all but the last days' distributed, a few late;
    # the last days' on their way.
    cursor.execute(f"""
        INSERT INTO mvp_document_outgoing (
            company, type, abstract, urgency, secrecy, drafter, signer,
            number_symbol, issue_date, send_deadline, sent_date,
            sent_late, state, file, file_name, create_uid, create_date,
            search_text)
        SELECT company, {type_id}, abstract, urgency,
            secrecy, drafter, signer,
            NULL,
            CASE WHEN state IN ('issued', 'distributed') THEN created::date
                END,
            CASE WHEN state IN ('issued', 'distributed')
                THEN created + INTERVAL '20 hours' END,
            CASE WHEN state = 'distributed' THEN created + CASE
                WHEN {hashed('l', 20)} = 0 THEN INTERVAL '2 days'
                ELSE INTERVAL '2 hours' END END,
            state = 'distributed' AND {hashed('l', 20)} = 0,
            state, file, 'du-thao.pdf', 0, created, abstract_f
        FROM (
            SELECT n, o.company, urgency, secrecy, created,
                d.user_id AS drafter, l.user_id AS signer,
                {o_abstract} AS abstract, {o_abstract_f} AS abstract_f,
                {file} AS file,
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
    cursor.execute("SELECT min(id) FROM mvp_document_outgoing")
    first_outgoing, = cursor.fetchone()
    # Age in days decides the state: the last two days' mail waits for
    # the clerk or a leader, the last weeks' is being handled, older work
    # is done but for a few stuck. Deliveries come from the outgoing
    # document of about the same moment, another agency's.
    cursor.execute(f"""
        INSERT INTO mvp_document_incoming (
            company, type, abstract, number_symbol, sender, sender_unit,
            outgoing, urgency, secrecy, legal_status, received_date,
            registered_date, deadline, state, file, file_name, create_uid,
            create_date, search_text)
        SELECT d.company, {type_id}, d.abstract, d.symbol,
            COALESCE(a.name, d.sender), a.unit, o.id, d.urgency, d.secrecy,
            'valid', d.received,
            CASE WHEN d.state != 'received' THEN d.received::date END,
            CASE WHEN d.state IN ('assigned', 'in_progress', 'done')
                THEN d.received::date + 14 END,
            d.state, COALESCE(o.file, d.file), 'van-ban.pdf', 0, d.received,
            d.abstract_f || E'\\n' || d.symbol_f || E'\\n' || d.sender_f
        FROM (
            SELECT n, company, urgency, secrecy, received, abstract,
                abstract_f, symbol, symbol_f, sender, sender_f, file,
                CASE WHEN {hashed('r', 100)} < {int(DELIVERED_SHARE * 100)}
                    THEN {first_outgoing} + floor(
                        (n - 1)::float8 * {outgoing} / {incoming})::int
                    END AS delivered,
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
                    {abstract} AS abstract, {abstract_f} AS abstract_f,
                    {symbol} AS symbol, {symbol_f} AS symbol_f,
                    {sender} AS sender, {sender_f} AS sender_f,
                    {file} AS file,
                    extract(epoch FROM now() AT TIME ZONE 'UTC'
                        - {received}) / 86400 AS age
                FROM generate_series(1, {incoming}) AS n) AS d) AS d
        LEFT JOIN mvp_document_outgoing AS o ON o.id = d.delivered
            AND o.state = 'distributed' AND o.company != d.company
        LEFT JOIN bench_agency AS a ON a.company = o.company""")
    # What a delivery needs: the recipient among the outgoing's, the
    # sender's name folded as the model folds it.
    cursor.execute("""
        INSERT INTO "mvp_document_outgoing-mvp_unit" (
            outgoing, unit, create_uid, create_date)
        SELECT DISTINCT i.outgoing, a.unit, 0, i.received_date
        FROM mvp_document_incoming AS i
        JOIN bench_agency AS a ON a.company = i.company
        WHERE i.outgoing IS NOT NULL""")
    # Those on their way go to the province office, or from it to the
    # Department of Home Affairs.
    cursor.execute("""
        INSERT INTO "mvp_document_outgoing-mvp_unit" (
            outgoing, unit, create_uid, create_date)
        SELECT o.id, a.unit, 0, o.create_date
        FROM mvp_document_outgoing AS o
        JOIN bench_agency AS a ON a.company = (
            SELECT company FROM bench_agency WHERE company != o.company
            ORDER BY company LIMIT 1)
        WHERE o.state != 'distributed'""")
    # Main handlers, co-handlers for two in five, a head informed for
    # three in ten; work done took one to twenty days.
    cursor.execute(f"""
        INSERT INTO mvp_assignment (
            incoming, company, "user", role, deadline, instruction,
            assigned_date, closed_date, late, state, create_uid, create_date)
        SELECT i.id, i.company, s.user_id, r.role,
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
    numbers(cursor)
    deliveries(cursor)
    return time.perf_counter() - started


def deliveries(cursor):
    """Deliveries bear the number and symbol their outgoing document was
    issued with, and their search text the sender agency's name"""
    from trytond.modules.mvp_documents import vntext
    cursor.execute("SELECT company, name FROM bench_agency")
    rows = [(vntext.fold(name), company) for company, name in cursor]
    cursor.execute("CREATE TEMPORARY TABLE bench_folded "
        "(company INTEGER PRIMARY KEY, folded VARCHAR)")
    cursor.executemany(
        "INSERT INTO bench_folded (folded, company) VALUES (%s, %s)", rows)
    cursor.execute("""
        UPDATE mvp_document_incoming AS i
        SET number_symbol = o.number_symbol,
            search_text = split_part(i.search_text, E'\\n', 1) || E'\\n'
            || lower(o.number_symbol) || E'\\n' || f.folded
        FROM mvp_document_outgoing AS o
        JOIN bench_folded AS f ON f.company = o.company
        WHERE i.outgoing = o.id""")


def numbers(cursor):
    """Number the registered documents in their agency's register of their
    year, in the order they came: the past years' registers as rows, this
    year's through the model"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Register = Pool().get('mvp.register')
    year = Pool().get('ir.date').today().year
    cursor.execute("SELECT company FROM bench_agency")
    companies = [c for c, in cursor]
    with Transaction().set_context(language='vi'):
        from trytond.i18n import gettext
        from trytond.modules.mvp_documents.registers import REGISTER_NAMES
        names = {k: gettext(v, year='%s') for k, v in REGISTER_NAMES.items()}
    # This year's (normal and secret, both ways) with their sequences.
    Register.create([{
                'company': company, 'direction': direction, 'year': year,
                'secret': secret, 'name': name.replace('%s', str(year))}
            for company in companies
            for (direction, secret), name in names.items()])
    for (direction, secret), name in names.items():
        cursor.execute("""
            INSERT INTO mvp_register (
                name, company, direction, year, secret, active, create_uid,
                create_date)
            SELECT replace(%s, '%%s', y::text), a.company, %s, y, %s, TRUE,
                0, now()
            FROM bench_agency AS a
            CROSS JOIN generate_series(%s::int, %s::int) AS y""",
            (name, direction, secret, year - YEARS, year - 1))
    for table, direction, date, numbered in [
            ('mvp_document_incoming', 'incoming', 'received_date',
                "state != 'received'"),
            ('mvp_document_outgoing', 'outgoing', 'create_date',
                "state IN ('issued', 'distributed')")]:
        cursor.execute(f"""
            UPDATE {table} AS d
            SET register = n.register, number = n.number
            FROM (
                SELECT d.id, r.id AS register, row_number() OVER (
                    PARTITION BY r.id ORDER BY d.{date}, d.id) AS number
                FROM {table} AS d
                JOIN mvp_register AS r ON r.company = d.company
                    AND r.direction = '{direction}'
                    AND r.year = extract(year FROM d.{date})::int
                    AND r.secret = (d.secrecy != 'normal')
                WHERE d.{numbered}) AS n
            WHERE d.id = n.id""")
        # This year's sequences give the next number.
        cursor.execute(f"""
            UPDATE ir_sequence_strict AS s
            SET number_next_internal = m.number + 1
            FROM (SELECT register, max(number) AS number FROM {table}
                WHERE register IS NOT NULL GROUP BY register) AS m
            JOIN mvp_register AS r ON r.id = m.register
            WHERE s.id = r.sequence""")
    # Outgoing number and symbol as the model writes them: n/code.
    cursor.execute("""
        UPDATE mvp_document_outgoing AS o
        SET number_symbol = o.number || '/' || u.code,
            search_text = o.search_text || E'\\n'
                || lower(o.number || '/' || u.code)
        FROM bench_agency AS a JOIN mvp_unit AS u ON u.id = a.unit
        WHERE a.company = o.company AND o.number IS NOT NULL""")


def build(name, count, agencies=AGENCIES, file_count=FILES):
    """Fill the database name (modules activated) with a province of count
    documents; return the seconds of each step and the rows made"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool(name).init()
    spent = {}
    with Transaction().start(name, 0, context={'language': 'vi'}) as tx:
        start = time.perf_counter()
        units, users = people(agencies)
        spent['people'] = time.perf_counter() - start
        start = time.perf_counter()
        file_ids = files(min(file_count, max(10, count // 100)))
        spent['files'] = time.perf_counter() - start
        spent['file_count'] = len(file_ids)
        Type = Pool().get('mvp.document.type')
        type_ = Type.search([], limit=1)[0]
        cursor = tx.connection.cursor()
        spent['documents'] = generate(
            cursor, count, units, users, type_.id, file_ids)
        tx.commit()
    start = time.perf_counter()
    for table in ['mvp_document_incoming', 'mvp_assignment',
            'mvp_document_outgoing', 'mvp_register', 'mvp_document_file',
            'res_user']:
        autocommit(name, f'VACUUM ANALYZE "{table}"')
    spent['vacuum'] = time.perf_counter() - start
    return units, users, spent


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


def activate(name):
    "Create the database name with mvp_documents; return the seconds"
    from trytond.modules.mvp_documents import database
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(secrets.token_urlsafe(12) + '\n')
        passfile.flush()
        os.environ['TRYTONPASSFILE'] = passfile.name
        database.create(name)
        start = time.perf_counter()
        database.admin(name, ['ir', 'res', 'mvp_documents'], email='')
        return time.perf_counter() - start


def drop(name):
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=100_000)
    parser.add_argument('--agencies', type=int, default=AGENCIES)
    parser.add_argument('--database', default='province')
    args = parser.parse_args(argv)
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql'):
        parser.error("TRYTOND_DATABASE_URI must name a PostgreSQL server")
    activation = activate(args.database)
    _, users, spent = build(args.database, args.count, args.agencies)
    # As config/README.md says for production.
    autocommit(
        args.database, f'ALTER DATABASE "{args.database}" SET jit = off')
    print(f"database {args.database}: activated in {activation:.0f} s, "
        + ', '.join(f'{k} {v:.0f} s' for k, v in spent.items()
            if k != 'file_count')
        + f"; {len(users)} logins, password {PASSWORD}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
