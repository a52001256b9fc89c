"""Register numbers under concurrent registration, on PostgreSQL.

Clerks register documents at the same time, each request in its own
transaction, run as trytond's dispatcher runs it: started again with the
locks it asked for or when its register was numbered meanwhile
(TransactionError), retried after a lock it could not take
(DatabaseOperationalError). The numbers of a register must come out gap-free
and duplicate-free (Decree 30/2020, Art. 15 and 22), and restart at 1 with the
year's register; each register numbers under a lock of its own, so no
request fails for another's. The concurrent tests need PostgreSQL; the others
run on both databases.
"""
import datetime as dt
import threading
import time
from collections import Counter
from unittest.mock import patch

import pytest

from trytond import backend, config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.modules.mvp_documents.database import run
from trytond.transaction import Transaction, TransactionError, check_access

concurrent = pytest.mark.skipif(
    backend.name != 'postgresql',
    reason="concurrent transactions need PostgreSQL: SQLite serialises "
    "every writer on one database lock")

THREADS = 8
PER_THREAD = 10
ATTEMPTS = 20  # of a person pressing the button again after an error


@pytest.fixture(scope='module', autouse=True)
def database():
    drop_db()
    activate_module('mvp_documents')
    yield
    drop_db()


def new_agency(code):
    """Return an agency of its own, with a clerk, and no register yet: as on
    1 January, the first registration opens the year's register"""
    def create():
        pool = Pool()
        Unit = pool.get('mvp.unit')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        unit = Unit(
            name=f"Sở Thử nghiệm {code}", code='STN', kind='department',
            identifier=f'000.00.{code}.H31')
        unit.save()
        clerk = User(
            login=f'vanthu.{code}', name=f"Văn thư {code}",
            companies=[unit.company], company=unit.company, unit=unit,
            clearance='secret',
            roles=[{'role': ModelData.get_id(
                            'mvp_documents', 'role_clerk')}])
        clerk.save()
        return unit.company.id, clerk.id
    return as_root(create)


def open_registers(company):
    "Open the year's registers as the first registration of the year would"
    def open_():
        pool = Pool()
        Register = pool.get('mvp.register')
        today = pool.get('ir.date').today()
        for direction in ['incoming', 'outgoing']:
            for secret in [False, True]:
                Register.find(company, direction, today, secret=secret)
    as_root(open_)


def request(user, company, func, stats=None):
    """Run func() as one request of user, committed, as the dispatcher runs
    an RPC call: retried on TransactionError and DatabaseOperationalError"""
    retry = config.getint('database', 'retry')
    count = 0
    extras = {}
    while True:
        if count:
            time.sleep(0.02 * count)
        with Transaction().start(
                DB_NAME, user, context={'company': company},
                **extras) as transaction:
            try:
                with check_access():
                    result = func()
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)
                if stats is not None:
                    stats['restarted'] += 1
                continue
            except backend.DatabaseOperationalError:
                if count < retry:
                    transaction.rollback()
                    count += 1
                    if stats is not None:
                        stats['retried'] += 1
                    continue
                raise
            transaction.commit()
            return result


def as_root(func):
    "Run func() as the system, restarting it when it needs a table lock"
    return run(DB_NAME, func)


def user_id(login):
    def find():
        User = Pool().get('res.user')
        user, = User.search([('login', '=', login)])
        return user.id
    return as_root(find)


def new_incoming(company, count, secrecy='normal'):
    "Create count received documents; return their ids"
    def create():
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        ModelData = pool.get('ir.model.data')
        type_ = ModelData.get_id('mvp_documents', 'type_cv')
        return [d.id for d in Incoming.create([{
                        'company': company, 'sender': "Bộ Nội vụ",
                        'type': type_, 'abstract': f"Văn bản {i}",
                        'secrecy': secrecy,
                        } for i in range(count)])]
    return as_root(create)


def new_approved_outgoing(company, drafter, count):
    "Create count approved outgoing documents; return their ids"
    def create():
        pool = Pool()
        Outgoing = pool.get('mvp.document.outgoing')
        ModelData = pool.get('ir.model.data')
        type_ = ModelData.get_id('mvp_documents', 'type_qd')
        return [d.id for d in Outgoing.create([{
                        'company': company, 'type': type_,
                        'abstract': f"Quyết định {i}", 'drafter': drafter,
                        'state': 'approved',
                        } for i in range(count)])]
    return as_root(create)


def enter(document_id):
    "The clerk's Enter in Register button on one document"
    def func():
        Incoming = Pool().get('mvp.document.incoming')
        document = Incoming(document_id)
        Incoming.enter([document])
        return document.number
    return func


def issue(document_id):
    "The clerk's Issue button on one document"
    def func():
        Outgoing = Pool().get('mvp.document.outgoing')
        document = Outgoing(document_id)
        Outgoing.issue([document])
        return document.number
    return func


def numbers(model, ids):
    "Return {register id: sorted numbers} of documents, as root"
    def read():
        Model = Pool().get(model)
        result = {}
        for document in Model.browse(ids):
            result.setdefault(document.register.id, []).append(
                document.number)
        return {k: sorted(v) for k, v in result.items()}
    return as_root(read)


def run_concurrently(user, company, actions):
    """Run each action as a request of its own, from THREADS threads started
    together; return the statistics of the retries"""
    return run_clerks([
            (user, company, actions[i::THREADS]) for i in range(THREADS)])


def run_clerks(clerks):
    """Run each clerk's actions [(user, company, actions)], each a request
    of its own, one thread a clerk, started together; return the statistics
    of the retries"""
    stats = Counter()
    errors = []
    barrier = threading.Barrier(len(clerks))

    def work(user, company, chunk):
        try:
            barrier.wait()
            for action in chunk:
                for attempt in range(ATTEMPTS):
                    try:
                        request(user, company, action, stats)
                    except backend.DatabaseOperationalError:
                        # The lock was still taken after the retries of
                        # Transaction.start, which the dispatcher does not
                        # catch: the person sees an error and tries again.
                        stats['failed'] += 1
                        if attempt == ATTEMPTS - 1:
                            raise
                        continue
                    break
        except Exception as exception:
            errors.append(exception)

    threads = [threading.Thread(target=work, args=c) for c in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return stats


def assert_series(series, *sizes):
    "Each register's numbers are 1..n, no gap, no duplicate"
    assert sorted(len(v) for v in series.values()) == sorted(sizes)
    for register, values in series.items():
        assert values == list(range(1, len(values) + 1)), (register, values)


def register_concurrently(company, clerk, record_property, label):
    "8 clerks' requests at once, some of them confidential documents"
    total = THREADS * PER_THREAD
    secret = total // 5
    normal_ids = new_incoming(company, total - secret)
    secret_ids = new_incoming(company, secret, secrecy='confidential')
    stats = run_concurrently(
        clerk, company, [enter(i) for i in normal_ids + secret_ids])
    series = numbers('mvp.document.incoming', normal_ids + secret_ids)
    assert_series(series, total - secret, secret)
    # Requests that failed on a lock are no error of numbering, but the
    # person saw one: kept in the JUnit report.
    name = f'registrations_{label}'
    record_property(name, total)
    for key in ['restarted', 'retried', 'failed']:
        record_property(f'{name}_{key}', stats[key])


@concurrent
def test_concurrent_registration(record_testsuite_property):
    "One series per register, each 1..n"
    company, clerk = new_agency('51')
    open_registers(company)
    register_concurrently(
        company, clerk, record_testsuite_property, 'register_open')


@concurrent
def test_concurrent_first_registrations_of_the_year(
        record_testsuite_property):
    "The first registrations race to open the year's registers"
    company, clerk = new_agency('52')
    register_concurrently(
        company, clerk, record_testsuite_property, 'first_of_year')


@concurrent
def test_concurrent_issue():
    "Issuing at once: the outgoing register's numbers are 1..n too"
    company, clerk = new_agency('53')
    open_registers(company)
    ids = new_approved_outgoing(company, clerk, THREADS * PER_THREAD)
    run_concurrently(clerk, company, [issue(i) for i in ids])
    assert_series(numbers('mvp.document.outgoing', ids), len(ids))


AGENCIES = 8
CLERKS = 2  # of each agency
PER_CLERK = 8  # requests, registering and issuing in turn


@concurrent
def test_agencies_number_at_once(record_testsuite_property):
    """16 clerks of 8 agencies register and issue at once: every register
    1..n, and no request fails or even retries on a lock"""
    clerks, incoming, outgoing = [], [], []
    for agency in range(AGENCIES):
        code = f'{60 + agency}'
        company, clerk = new_agency(code)
        open_registers(company)
        for i in range(CLERKS):
            login = f'vanthu.{code}.{i}'
            if i:
                clerk = copy_clerk(clerk, login)
            half = PER_CLERK // 2
            entered = new_incoming(company, half)
            issued = new_approved_outgoing(company, clerk, half)
            incoming += entered
            outgoing += issued
            actions = [a for pair in zip(
                    map(enter, entered), map(issue, issued)) for a in pair]
            clerks.append((clerk, company, actions))
    stats = run_clerks(clerks)
    size = CLERKS * PER_CLERK // 2
    assert_series(numbers('mvp.document.incoming', incoming),
        *[size] * AGENCIES)
    assert_series(numbers('mvp.document.outgoing', outgoing),
        *[size] * AGENCIES)
    assert stats['failed'] == stats['retried'] == 0, stats
    record_testsuite_property(
        'agencies_restarted', stats['restarted'])


def copy_clerk(clerk, login):
    "Another clerk of the agency of clerk"
    def copy():
        User = Pool().get('res.user')
        other, = User.copy([User(clerk)], default={
                'login': login, 'name': login})
        return other.id
    return as_root(copy)


def test_rolled_back_registration_takes_no_number():
    company, clerk = new_agency('54')
    first, second, third = new_incoming(company, 3)
    number = request(clerk, company, enter(first))

    def enter_then_fail():
        enter(second)()
        raise RuntimeError("the request fails after the number was taken")
    with pytest.raises(RuntimeError):
        request(clerk, company, enter_then_fail)

    assert request(clerk, company, enter(third)) == number + 1

    def state():
        Incoming = Pool().get('mvp.document.incoming')
        document = Incoming(second)
        return document.state, document.number
    assert as_root(state) == ('received', None)


def test_new_year_restarts_at_one():
    "The first registration of a year opens its register, numbered from 1"
    Date = Pool(DB_NAME).get('ir.date')
    today = as_root(lambda: Pool().get('ir.date').today())
    company, clerk = new_agency('55')
    ids = new_incoming(company, 4)
    assert [request(clerk, company, enter(i)) for i in ids[:2]] == [1, 2]

    new_year = dt.date(today.year + 1, 1, 1)
    # ir.date.today is the clock every registration reads.
    with patch.object(Date, 'today', classmethod(
                lambda cls, timezone=None: new_year)):
        assert [request(clerk, company, enter(i)) for i in ids[2:]] == [1, 2]

    def registers():
        Incoming = Pool().get('mvp.document.incoming')
        return [(d.register.year, d.registered_date)
            for d in Incoming.browse(ids)]
    assert as_root(registers) == [(today.year, today)] * 2 + [
        (new_year.year, new_year)] * 2
