"""Search without marks on a province-sized table of incoming documents.

N incoming documents (200,000 by default) are generated with SQL in a new
PostgreSQL database with mvp_documents activated; their search_text is built
in SQL from the folded forms of the same words, checked against the model's
own on a sample. Then the client's searches are timed through the ORM, as
root (no record rules), with the pg_trgm GIN index and without it (dropped
in a transaction that is rolled back): medians of R runs, in milliseconds.
Printed and written to bench/results/search.txt.

    python bench/search.py [-n N] [-r R] [--out FILE]

The server is TRYTOND_DATABASE_URI when it names PostgreSQL, otherwise a
throwaway cluster made as tests/run.py makes one.
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

# Words of abstracts: "<kind> số <n> <subject> <object> <place>".
KINDS = ["Quyết định", "Kế hoạch", "Báo cáo", "Công văn", "Tờ trình",
    "Thông báo", "Hướng dẫn", "Giấy mời", "Chỉ thị", "Nghị quyết"]
SUBJECTS = ["về việc tổ chức", "về việc triển khai", "về việc tăng cường",
    "về việc phê duyệt", "về việc góp ý", "về việc kiểm tra",
    "về việc báo cáo", "về việc điều chỉnh", "về việc bổ nhiệm",
    "về việc đôn đốc", "về việc thành lập", "về việc hỗ trợ"]
OBJECTS = ["công tác phòng chống thiên tai", "kế hoạch đầu tư công",
    "chương trình chuyển đổi số", "cải cách hành chính",
    "công tác thi đua khen thưởng", "quy hoạch sử dụng đất",
    "tiêm chủng mở rộng", "an toàn giao thông", "phòng cháy chữa cháy",
    "xây dựng nông thôn mới", "giảm nghèo bền vững", "bảo vệ môi trường",
    "quản lý thị trường", "đào tạo bồi dưỡng cán bộ", "tuyển dụng viên chức",
    "công tác dân tộc", "phát triển du lịch", "an ninh trật tự",
    "thu ngân sách nhà nước", "giải quyết khiếu nại tố cáo",
    "hội nghị sơ kết sáu tháng", "đại hội thể dục thể thao",
    "kiểm định chất lượng giáo dục", "bảo hiểm y tế học sinh",
    "chăm sóc sức khỏe người cao tuổi",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "lễ hội đền Hùng", "mùa mưa bão", "dịch tả lợn châu Phi",
    "trồng rừng thay thế"]
PLACES = ["trên địa bàn tỉnh", "tại huyện Tam Đảo", "tại thành phố Vĩnh Yên",
    "năm 2026", "giai đoạn 2026-2030", "tại xã Đạo Trù", "quý I năm 2026",
    "tại huyện Lập Thạch", "trong toàn ngành", "tại các cơ quan, đơn vị"]
SENDERS = ["UBND tỉnh", "Sở Nội vụ", "Sở Tài chính", "Sở Giáo dục và Đào tạo",
    "Sở Y tế", "Văn phòng UBND tỉnh", "Bộ Nội vụ", "Sở Tư pháp",
    "UBND huyện Tam Đảo", "Sở Kế hoạch và Đầu tư"]
CODES = ["QĐ-UBND", "KH-UBND", "BC-SNV", "SNV-VP", "TTr-STC", "TB-VP",
    "HD-SGDĐT", "GM-SYT", "CT-UBND", "NQ-HĐND"]

# (label, domain) timed with search(limit=100) in the default order, as the
# client's list asks for its first page, and with search_count.
QUERIES = [
    ("common: 'quyet dinh' (1 in 10)",
        [('rec_name', 'ilike', '%quyet dinh%')]),
    ("issue: 'quyet dinh so 17'",
        [('rec_name', 'ilike', '%quyet dinh so 17%')]),
    ("rare: 'chuyen doi so tai xa dao tru'",
        [('rec_name', 'ilike', '%chuyen doi so tai xa dao tru%')]),
    ("field clause: abstract 'tiem chung'",
        [('abstract', 'ilike', '%tiem chung%')]),
    ("none: 'khong co van ban nay'",
        [('rec_name', 'ilike', '%khong co van ban nay%')]),
    ]


def load_tests_run():
    "tests/run.py, for its throwaway PostgreSQL cluster"
    spec = importlib.util.spec_from_file_location(
        'mvp_tests_run', ROOT / 'tests' / 'run.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sql_array(words):
    return 'ARRAY[%s]' % ', '.join(
        "'%s'" % w.replace("'", "''") for w in words)


def pick(array, length, seed):
    "SQL picking a word of array by a hash of the row number"
    return (f"({array})"
        f"[1 + abs(hashtext(n::text || '{seed}')::bigint) % {length}]")


def generate(cursor, count, company, type_):
    "Insert count incoming documents with SQL; return the seconds spent"
    from trytond.modules.mvp_documents import vntext

    def pair(words, seed):
        return (pick(sql_array(words), len(words), seed),
            pick(sql_array([vntext.fold(w) for w in words]), len(words),
                seed))
    kind, kind_f = pair(KINDS, 'k')
    subject, subject_f = pair(SUBJECTS, 's')
    object_, object_f = pair(OBJECTS, 'o')
    place, place_f = pair(PLACES, 'p')
    sender, sender_f = pair(SENDERS, 'f')
    code, code_f = pair(CODES, 'c')
    number = "(1 + abs(hashtext(n::text || 'n')::bigint) % 2000)"
    abstract = (f"{kind} || ' số ' || {number} || ' ' || {subject} || ' ' "
        f"|| {object_} || ' ' || {place}")
    abstract_f = (f"{kind_f} || ' so ' || {number} || ' ' || {subject_f} "
        f"|| ' ' || {object_f} || ' ' || {place_f}")
    symbol = f"{number} || '/' || {code}"
    symbol_f = f"{number} || '/' || {code_f}"
    urgency = ("(ARRAY['normal','normal','normal','normal','normal',"
        "'normal','normal','urgent','very_urgent','flash'])"
        "[1 + abs(hashtext(n::text || 'u')::bigint) % 10]")
    start = time.perf_counter()
    cursor.execute(f"""
        INSERT INTO mvp_document_incoming (
            company, type, abstract, number_symbol, sender, urgency,
            secrecy, legal_status, received_date, state, create_uid,
            create_date, search_text)
        SELECT {company}, {type_}, {abstract}, {symbol}, {sender},
            {urgency}, 'normal', 'unsigned',
            TIMESTAMP '2026-01-01' + n * INTERVAL '2 minutes', 'received',
            0, now(),
            {abstract_f} || E'\\n' || {symbol_f} || E'\\n' || {sender_f}
        FROM generate_series(1, {count}) AS n""")
    return time.perf_counter() - start


def median_ms(func, runs, warmup=2):
    for _ in range(warmup):
        func()
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def trigram_index(cursor, table):
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
        (table,))
    found = [(n, d) for n, d in cursor.fetchall()
        if 'search_text' in d and 'gin_trgm_ops' in d]
    if not found:
        raise SystemExit(f"no trigram index on {table}.search_text")
    return found[0]


def run(args, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond.modules.mvp_documents import database
    name = f'bench_search_{os.getpid()}'
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


def measure(args, name, activation):
    from trytond import __version__ as trytond_version
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from trytond.modules.mvp_documents import text

    Pool(name).init()
    with Transaction().start(name, 0) as transaction:
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Type = pool.get('mvp.document.type')
        Incoming = pool.get('mvp.document.incoming')
        unit = Unit(name="Sở Nội vụ", code='SNV', kind='department',
            identifier='000.00.01.H31')
        unit.save()
        type_ = Type.search([], limit=1)[0]
        cursor = transaction.connection.cursor()
        table = Incoming._table
        index_name, index_def = trigram_index(cursor, table)
        cursor.execute(f'DROP INDEX "{index_name}"')
        insert = generate(cursor, args.count, unit.company.id, type_.id)
        start = time.perf_counter()
        cursor.execute(index_def)
        build = time.perf_counter() - start
        transaction.commit()

        # The SQL-built search_text is the one the model computes.
        cursor.execute(
            f'SELECT abstract, number_symbol, sender, search_text '
            f'FROM "{table}" WHERE id % 997 = 0')
        for *values, stored in cursor.fetchall():
            assert text.search_text(values) == stored, (values, stored)

    cursor_autocommit(name, 'VACUUM ANALYZE "%s"' % table)

    with Transaction().start(name, 0) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size(%s)), "
            "pg_size_pretty(pg_relation_size(%s))", (table, index_name))
        table_size, index_size = cursor.fetchone()
        Incoming = Pool().get('mvp.document.incoming')
        results = []
        for label, domain in QUERIES:
            row = [label, Incoming.search_count(domain)]
            for indexed in [True, False]:
                if not indexed:
                    cursor.execute(f'DROP INDEX "{index_name}"')
                row.append(median_ms(
                    lambda: Incoming.search(domain, limit=100), args.runs))
                row.append(median_ms(
                    lambda: Incoming.search_count(domain), args.runs))
                if not indexed:
                    transaction.rollback()
            results.append(row)
        cursor.execute('SHOW server_version')
        server = cursor.fetchone()[0]

    lines = [
        'Search without marks, %d incoming documents on PostgreSQL %s; '
        'median of %d runs (ms)' % (args.count, server.split()[0], args.runs),
        '%s; %s, %d cores, Python %s; trytond %s' % (
            dt.date.today().isoformat(), cpu(), os.cpu_count(),
            platform.python_version(), trytond_version),
        'command: python bench/search.py -n %d -r %d' % (
            args.count, args.runs),
        '',
        'set-up: modules activated in %.0f s; rows inserted with SQL in '
        '%.1f s; table %s; GIN pg_trgm index on search_text built in '
        '%.1f s, %s' % (activation, insert, table_size, build, index_size),
        '',
        'first 100 in list order (search) and count (search_count), '
        'as root:',
        '%-40s %7s | %9s %9s | %9s %9s' % (
            'query', 'found', 'indexed', 'count', 'no index', 'count'),
        ]
    for label, found, search_i, count_i, search_n, count_n in results:
        lines.append('%-40s %7d | %9.1f %9.1f | %9.1f %9.1f' % (
                label, found, search_i, count_i, search_n, count_n))
    text_out = '\n'.join(lines) + '\n'
    sys.stdout.write(text_out)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text_out)
    return 0


def cursor_autocommit(name, sql):
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=200_000)
    parser.add_argument('-r', '--runs', type=int, default=11)
    parser.add_argument('--out', default=str(HERE / 'results' / 'search.txt'))
    args = parser.parse_args(argv)

    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        return run(args, uri)
    with load_tests_run().throwaway_cluster() as uri:
        return run(args, uri)


if __name__ == '__main__':
    sys.exit(main())
