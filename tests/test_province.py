"""The province the benchmarks generate with SQL, checked against the models.

A small province (12 agencies, 2,000 documents) made by bench/province.py;
then a sample of it read through the models as its people read it, record
rules on: what the SQL wrote is what the models would have written, and each
person sees what the rules give them, no more. PostgreSQL only: the
generator's SQL is PostgreSQL's.
"""
import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction, check_access

pytestmark = pytest.mark.skipif(
    backend.name != 'postgresql', reason="the generator's SQL is PostgreSQL's")

BENCH = Path(__file__).resolve().parent.parent / 'bench'
AGENCIES = 12
COUNT = 2000


def generator():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(
        'bench_province', BENCH / 'province.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


province = generator() if backend.name == 'postgresql' else None


@pytest.fixture(scope='module', autouse=True)
def database():
    drop_db()
    activate_module('mvp_documents')
    with Transaction().start(DB_NAME, 0, context={'language': 'vi'}) as tx:
        units, users = province.people(AGENCIES)
        file_ids = province.files(20)
        type_, = Pool().get('mvp.document.type').search([], limit=1)
        province.generate(tx.connection.cursor(), COUNT, units, users,
            type_.id, file_ids)
        tx.commit()
    yield
    drop_db()


@pytest.fixture
def transaction():
    with Transaction().start(DB_NAME, 0) as tx:
        yield tx
        tx.rollback()


def as_person(login):
    "The context manager of acting as login over RPC, rules on"
    User = Pool().get('res.user')
    user, = User.search([('login', '=', login)])
    transaction = Transaction()

    class Acting:
        def __enter__(self):
            self.stack = [transaction.set_user(user.id),
                transaction.set_context(company=user.company.id,
                    companies=[c.id for c in user.companies]),
                check_access()]
            for manager in self.stack:
                manager.__enter__()
            return user

        def __exit__(self, *exc):
            for manager in reversed(self.stack):
                manager.__exit__(*exc)
    return Acting()


def sql(query, *params):
    cursor = Transaction().connection.cursor()
    cursor.execute(query, params)
    return cursor.fetchall()


def test_counts(transaction):
    "The documents asked for, the people, and work given to handlers"
    incoming, = sql("SELECT count(*) FROM mvp_document_incoming")[0]
    outgoing, = sql("SELECT count(*) FROM mvp_document_outgoing")[0]
    assert incoming + outgoing == COUNT
    assert incoming == int(COUNT * province.INCOMING_SHARE)
    handled, = sql("SELECT count(*) FROM mvp_document_incoming "
        "WHERE state IN ('assigned', 'in_progress', 'done')")[0]
    mains, = sql("SELECT count(*) FROM mvp_assignment WHERE role = 'main'")[0]
    assert mains == handled > 0
    logins, = sql("SELECT count(*) FROM res_user "
        "WHERE login ~ '^[a-z]+[0-9]\\.[0-9]+$' "
        "AND password_hash IS NOT NULL")[0]
    assert logins == AGENCIES * province.STAFF


@pytest.mark.parametrize('model', [
        'mvp.document.incoming', 'mvp.document.outgoing'])
def test_search_text(transaction, model):
    "The search text the SQL wrote is the one the model computes"
    from trytond.modules.mvp_documents.text import search_text
    Document = Pool().get(model)
    documents = Document.search([], order=[('id', 'ASC')])[::23]
    assert len(documents) > 20
    for document in documents:
        assert document.search_text == search_text(
            [getattr(document, f) for f in Document._search_fields]), (
            document.id)


@pytest.mark.parametrize('table,numbered', [
        ('mvp_document_incoming', "state != 'received'"),
        ('mvp_document_outgoing', "state IN ('issued', 'distributed')")])
def test_numbers(transaction, table, numbered):
    """Every numbered document has its number in its agency's register of
    its year, 1 to n without a gap; this year's register gives n + 1"""
    Register = Pool().get('mvp.register')
    rows = sql(f"SELECT register, array_agg(number ORDER BY number) "
        f"FROM {table} WHERE {numbered} GROUP BY register")
    assert None not in {r for r, _ in rows}
    for register_id, numbers in rows:
        assert numbers == list(range(1, len(numbers) + 1)), register_id
        register = Register(register_id)
        if register.year == Pool().get('ir.date').today().year:
            assert register.next_number == len(numbers) + 1
    unnumbered, = sql(f"SELECT count(*) FROM {table} "
        f"WHERE NOT ({numbered}) AND number IS NOT NULL")[0]
    assert unnumbered == 0


def test_files(transaction):
    "Documents share files stored once; each reads back whole"
    Incoming = Pool().get('mvp.document.incoming')
    File = Pool().get('mvp.document.file')
    assert len(File.search([])) == 20
    documents = Incoming.search([], limit=30)
    assert all(d.file for d in documents)
    assert len({d.file for d in documents}) < len(documents)
    sizes = sorted(f.size for f in File.search([]))
    # Most files small, a long tail.
    assert sizes[len(sizes) // 2] < 200_000 < sizes[-1]
    for file in {d.file for d in documents}:
        assert hashlib.sha256(file.data).hexdigest() == file.digest


def test_rules(transaction):
    """A specialist sees their agency's documents of normal secrecy, its
    leader the secret ones too, nobody another agency's"""
    Incoming = Pool().get('mvp.document.incoming')
    company = sql("SELECT company FROM res_user WHERE login = %s",
        province.login('specialist', 0))[0][0]
    normal = {i for i, in sql("SELECT id FROM mvp_document_incoming "
            "WHERE company = %s AND secrecy = 'normal'", company)}
    every = {i for i, in sql("SELECT id FROM mvp_document_incoming "
            "WHERE company = %s", company)}
    assert normal < every
    with as_person(province.login('specialist', 0)):
        assert set(map(int, Incoming.search([]))) == normal
    with as_person(province.login('leader', 0)):
        assert set(map(int, Incoming.search([]))) == every
    with as_person(province.login('specialist', 5)):
        seen = {int(d) for d in Incoming.search([])}
        assert seen and not seen & every


def test_deliveries(transaction):
    """A delivery comes from another agency's distributed document, which
    names the recipient; the sender sees it among its deliveries"""
    Incoming = Pool().get('mvp.document.incoming')
    Outgoing = Pool().get('mvp.document.outgoing')
    delivered = Incoming.search([('outgoing', '!=', None)])
    share = len(delivered) / Incoming.search_count([])
    assert 0.1 < share < province.DELIVERED_SHARE + 0.05
    for incoming in delivered[:20]:
        outgoing = incoming.outgoing
        assert outgoing.state == 'distributed'
        assert outgoing.company != incoming.company
        assert incoming.sender_unit.company == outgoing.company
        assert incoming.number_symbol == outgoing.number_symbol
        recipients = {u.company for u in outgoing.recipients}
        assert incoming.company in recipients
    incoming = delivered[0]
    clerk, = Pool().get('res.user').search([
            ('company', '=', incoming.outgoing.company.id),
            ('login', 'like', 'clerk%')])
    with as_person(clerk.login):
        outgoing, = Outgoing.browse([incoming.outgoing.id])
        assert incoming.id in {d.id for d in outgoing.deliveries}


def test_login(transaction):
    "Every person logs in with the province's password"
    User = Pool().get('res.user')
    login = province.login('clerk', 3)
    user_id = User.get_login(login, {'password': province.PASSWORD})
    assert user_id == User.search([('login', '=', login)])[0].id
