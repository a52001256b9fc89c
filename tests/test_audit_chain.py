"""The audit log of the demo province: chained per agency, verified, and
browsed by the administrators and oversight.

Entries are made as the server makes them, committed (`committed`); the
tampering with raw SQL happens in a transaction rolled back after
`mvp audit verify`'s check has run in it.
"""
import datetime as dt
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from trytond import backend
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db, with_transaction
from trytond.transaction import Transaction, without_check_access

import province
from province import acting_as
from trytond.modules.mvp_documents.tests.pdf import pdf

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Văn bản mật của Sở Nội vụ về công tác cán bộ"
NORMAL = "Về việc hướng dẫn xây dựng dự toán"

postgresql_only = pytest.mark.skipif(
    backend.name != 'postgresql', reason="PostgreSQL only")
in_transaction = with_transaction(user=0)


def committed(func, login=None):
    "Run func (as the person of login) in a transaction of its own, committed"
    from trytond.modules.mvp_documents.database import run

    def act():
        if login is None:
            return func()
        with acting_as(login):
            return func()
    return run(DB_NAME, act)


def check(sql=None, params=()):
    """Run sql, then the check of `mvp audit verify`, in a transaction rolled
    back; return its exit status and output"""
    from trytond.modules.mvp_documents import audit_cli
    out = io.StringIO()
    with Transaction().start(DB_NAME, 0) as transaction:
        try:
            if sql:
                transaction.connection.cursor().execute(sql, params)
            status = audit_cli.verify(out)
        finally:
            transaction.rollback()
    return status, out.getvalue()


def sql(query):
    "query with the backend's parameter mark"
    return query.replace('%s', '?') if backend.name == 'sqlite' else query


def entries(agency=None, **kwargs):
    "The chained entries of the chain of agency (a unit key), in order"
    Log = Pool().get('ir.model.log')
    company = province.agency(agency).company.id if agency else None
    with without_check_access():
        return Log.search([
                ('agency', '=', company), ('chain_sequence', '!=', None),
                *kwargs.get('domain', [])],
            order=[('chain_sequence', 'ASC')])


def secret_document():
    Incoming = Pool().get('mvp.document.incoming')
    with without_check_access():
        document, = Incoming.search([('abstract', '=', SECRET)])
    return document


def confidential_document():
    "The demo's confidential document of the province office"
    Incoming = Pool().get('mvp.document.incoming')
    with without_check_access():
        document, = Incoming.search([('secrecy', '=', 'confidential')])
    return document


@pytest.fixture(scope='module', autouse=True)
def demo_province():
    province.activate_demo()

    def prepare():
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        ModelData = pool.get('ir.model.data')
        snv = province.agency('snv')
        document, = Incoming.create([{
                    'company': snv.company.id, 'sender': "Bộ Nội vụ",
                    'type': ModelData.get_id('mvp_documents', 'type_cv'),
                    'abstract': SECRET, 'secrecy': 'secret'}])
        return document.id
    committed(prepare)

    def read_secret():
        Incoming = Pool().get('mvp.document.incoming')
        Incoming.read([secret_document().id], ['abstract'])
    committed(read_secret, 'lanhdao.snv')

    def edit():
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        ModelData = pool.get('ir.model.data')
        document, = Incoming.create([{
                    'company': province.agency('snv').company.id,
                    'sender': "Bộ Nội vụ", 'abstract': "Về việc thử",
                    'type': ModelData.get_id('mvp_documents', 'type_cv')}])
        Incoming.write([document], {'abstract': NORMAL + " của Bộ"})
    committed(edit, 'vanthu.snv')

    def read_confidential():
        Incoming = Pool().get('mvp.document.incoming')
        Incoming.read([confidential_document().id], ['abstract'])
    committed(read_confidential, 'lanhdao.tinh')
    yield
    drop_db()


# Chaining, whoever logs

def test_demo_verifies(capsys):
    "`mvp audit verify` on the demo: exit 0, the counts"
    from trytond.modules.mvp_documents import cli
    assert cli.main(['audit', 'verify', '-d', DB_NAME]) == 0
    out = capsys.readouterr().out
    assert "Nhật ký nguyên vẹn:" in out
    assert "Ủy ban nhân dân tỉnh Hưng Yên (cơ quan" in out
    assert "Sở Nội vụ (cơ quan" in out


@in_transaction
def test_read_of_secret_document_chained_in_its_agency():
    chain = entries('snv')
    read, = [e for e in chain if e.event == 'read']
    assert read.user == province.user('lanhdao.snv')
    assert read.agency == province.agency('snv').company
    assert [e.chain_sequence for e in chain] == list(
        range(1, len(chain) + 1))
    assert chain[0].chain_previous is None
    assert all(b.chain_previous == a.chain_hash
        for a, b in zip(chain, chain[1:]))


def model(name):
    return Pool().get(name)


def test_button_and_transition_chained():
    "Tryton's own logging of a button and its transition"
    def draft():
        Outgoing = model('mvp.document.outgoing')
        ModelData = model('ir.model.data')
        tinh = province.agency('tinh')
        document, = Outgoing.create([{
                    'company': tinh.company.id, 'abstract': "Dự thảo thử",
                    'type': ModelData.get_id('mvp_documents', 'type_cv'),
                    'drafter': province.user('chuyenvien.tinh').id,
                    'file_name': 'du-thao.pdf',
                    'file_data': pdf('DEMO', 'Du thao thu')}])
        return document.id
    document = committed(draft, 'chuyenvien.tinh')
    with Transaction().start(DB_NAME, 0):
        before = len(entries('tinh'))

    def submit():
        Outgoing = model('mvp.document.outgoing')
        Outgoing.submit([Outgoing(document)])
    committed(submit, 'chuyenvien.tinh')
    with Transaction().start(DB_NAME, 0):
        added = entries('tinh')[before:]
        assert {(e.event, e.target) for e in added} >= {
            ('button', 'submit'), ('transition', 'state:review')}
        assert {str(e.resource) for e in added} == {
            f'mvp.document.outgoing,{document}'}
    assert check()[0] == 0


def test_deleted_record_keeps_its_agency():
    def draft():
        Outgoing = model('mvp.document.outgoing')
        ModelData = model('ir.model.data')
        document, = Outgoing.create([{
                    'company': province.agency('tinh').company.id,
                    'abstract': "Dự thảo sẽ xóa",
                    'type': ModelData.get_id('mvp_documents', 'type_cv'),
                    'drafter': province.user('chuyenvien.tinh').id}])
        return document.id
    document = committed(draft, 'chuyenvien.tinh')

    def delete():
        Outgoing = model('mvp.document.outgoing')
        Outgoing.delete([Outgoing(document)])
    committed(delete, 'chuyenvien.tinh')
    with Transaction().start(DB_NAME, 0):
        deleted, = entries('tinh', domain=[
                ('resource', '=', f'mvp.document.outgoing,{document}'),
                ('event', '=', 'delete')])
        assert deleted.user == province.user('chuyenvien.tinh')
    assert check()[0] == 0


def test_division_change_in_its_agency():
    "A division has no company of its own: its agency's chain"
    def rename():
        Unit = model('mvp.unit')
        division, = Unit.search([('kind', '=', 'division'),
                ('parent', '=', province.agency('tinh').id),
                ('code', '=', 'TH')])
        Unit.write([division], {'name': "Phòng Tổng hợp - Hành chính"})
        return division.id
    division = committed(rename, 'quantri.tinh')
    with Transaction().start(DB_NAME, 0):
        last = entries('tinh')[-1]
        assert (str(last.resource), last.event) == (
            f'mvp.unit,{division}', 'write')
        with acting_as('quantri.tinh'):
            assert last in visible('quantri.tinh')


def test_created_directly_gets_agency_and_chain():
    "As mvp_signing logs a failed signing: Log.create with 'model,id'"
    def log():
        entry, = model('ir.model.log').create([{
                    'resource': f'mvp.document.incoming,{secret_document().id}',
                    'user': province.user('lanhdao.snv').id,
                    'event': 'download', 'target': 'secret'}])
        return entry.id
    entry = committed(log)
    with Transaction().start(DB_NAME, 0):
        last = entries('snv')[-1]
        assert last.id == entry
        assert last.event == 'download'


def test_record_without_agency_has_its_chain():
    def rename():
        Type = model('mvp.document.type')
        type_, = Type.search([('code', '=', 'QĐ')], limit=1)
        # As the client writes: save() would write without access checks,
        # unlogged.
        Type.write([type_], {'name': type_.name + " (sửa)"})
    committed(rename, 'quantri')
    with Transaction().start(DB_NAME, 0):
        chain = entries()
        assert chain and chain[-1].resource.__name__ == 'mvp.document.type'
        assert chain[-1].event == 'write'
    status, out = check()
    assert status == 0
    assert "Không thuộc cơ quan nào:" in out


@in_transaction
def test_other_models_unchained():
    pool = Pool()
    Log = pool.get('ir.model.log')
    user = province.user('vanthu.tinh')
    entry, = Log.create([{
                'resource': str(user), 'user': user.id, 'event': 'write',
                'target': 'name'}])
    assert (entry.agency, entry.chain_sequence, entry.chain_hash) == (
        None, None, None)


@in_transaction
def test_appends_in_one_transaction_follow_each_other():
    Log = Pool().get('ir.model.log')
    resource = f'mvp.document.incoming,{secret_document().id}'
    user = province.user('lanhdao.snv').id
    first, = Log.create([{'resource': resource, 'user': user,
                'event': 'read', 'target': 'secret'}])
    second, = Log.create([{'resource': resource, 'user': user,
                'event': 'read', 'target': 'secret'}])
    assert second.chain_sequence == first.chain_sequence + 1
    assert second.chain_previous == first.chain_hash


# Tampering with raw SQL

def middle_entry(agency='tinh'):
    with Transaction().start(DB_NAME, 0):
        chain = entries(agency)
        assert len(chain) > 3
        entry = chain[len(chain) // 2]
        return entry.id, entry.chain_sequence, chain[-1].id


def names(out, entry):
    return f"mục {entry} lúc " in out


def test_intact():
    status, out = check()
    assert status == 0, out
    assert "HỎNG" not in out


@pytest.mark.parametrize('column, value', [
        ('target', 'state:done'), ('event', 'delete'), ('user', 1),
        ('create_date', dt.datetime(2026, 1, 1)), ('resource', 'res.user,1'),
        ])
def test_altered(column, value):
    entry, _, _ = middle_entry()
    status, out = check(sql(
            f'UPDATE ir_model_log SET "{column}" = %s WHERE id = %s'),
        (value, entry))
    assert status == 1
    line, = [l for l in out.splitlines() if "HỎNG" in l]
    assert line.startswith("Ủy ban nhân dân tỉnh Hưng Yên (cơ quan ")
    assert names(line, entry) and "đã bị sửa" in line


def test_moved_to_another_agency():
    entry, sequence, _ = middle_entry()
    snv = company_id('snv')
    status, out = check(
        sql('UPDATE ir_model_log SET agency = %s WHERE id = %s'),
        (snv, entry))
    assert status == 1
    broken = [l for l in out.splitlines() if "HỎNG" in l]
    assert len(broken) == 2  # a gap in one chain, an intruder in the other
    assert any(l.startswith("Ủy ban nhân dân tỉnh") and "thiếu mục từ số "
        f"{sequence}" in l for l in broken)


def company_id(key):
    with Transaction().start(DB_NAME, 0):
        return province.agency(key).company.id


def test_inserted():
    tinh = company_id('tinh')
    with Transaction().start(DB_NAME, 0):
        document = secret_document()
    status, out = check(sql(
            'INSERT INTO ir_model_log (resource, event, target, "user", '
            'agency, create_uid, create_date) '
            'VALUES (%s, %s, %s, %s, %s, 0, %s)'),
        (f'mvp.document.incoming,{document.id}', 'read', 'secret', 1, tinh,
            dt.datetime(2026, 12, 1)))
    assert status == 1
    line, = [l for l in out.splitlines() if "HỎNG" in l]
    assert "lúc 2026-12-01 00:00:00.000000: không có trong chuỗi" in line


def test_deleted():
    entry, sequence, _ = middle_entry()
    status, out = check(
        sql('DELETE FROM ir_model_log WHERE id = %s'), (entry,))
    assert status == 1
    line, = [l for l in out.splitlines() if "HỎNG" in l]
    assert f"số {sequence + 1} trong chuỗi: thiếu mục từ số {sequence}" in (
        line)


def test_deleted_last():
    _, _, last = middle_entry()
    status, out = check(
        sql('DELETE FROM ir_model_log WHERE id = %s'), (last,))
    assert status == 1
    line, = [l for l in out.splitlines() if "HỎNG" in l]
    assert names(line, last) and "đã bị xóa" in line


def test_deleted_then_logging_goes_on():
    "The next append continues from the head, so the gap stays visible"
    with Transaction().start(DB_NAME, 0):
        last = entries('snv')[-1].id
    out = io.StringIO()
    from trytond.modules.mvp_documents import audit_cli
    with Transaction().start(DB_NAME, 0) as transaction:
        Log = model('ir.model.log')
        try:
            transaction.connection.cursor().execute(
                sql('DELETE FROM ir_model_log WHERE id = %s'), (last,))
            Log.create([{
                        'resource':
                        f'mvp.document.incoming,{secret_document().id}',
                        'user': 1, 'event': 'read', 'target': 'secret'}])
            assert audit_cli.verify(out) == 1
        finally:
            transaction.rollback()
    line, = [l for l in out.getvalue().splitlines() if "HỎNG" in l]
    assert line.startswith("Sở Nội vụ") and "đã bị xóa" in line


@postgresql_only
def test_command_on_postgresql(tmp_path):
    "The installed command, as an administrator runs it"
    config = tmp_path / 'trytond.conf'
    config.write_text(
        f"[database]\nuri = {os.environ['TRYTOND_DATABASE_URI']}\n")
    command = [str(Path(sys.executable).with_name('mvp')), 'audit', 'verify',
        '-c', str(config), '-d', DB_NAME]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nhật ký nguyên vẹn:" in result.stdout


@postgresql_only
def test_concurrent_appends_keep_one_chain():
    "Several people logging at once in one agency: one chain, no fork"
    threads, rounds = 6, 5
    with Transaction().start(DB_NAME, 0):
        Incoming = model('mvp.document.incoming')
        before = len(entries('tinh'))
        documents = [d.id for d in Incoming.search(
                [('company', '=', province.agency('tinh').company.id)])]
        user = province.user('lanhdao.tinh').id
    barrier = threading.Barrier(threads)
    errors = []

    def work(n):
        try:
            barrier.wait()
            for i in range(rounds):
                with Transaction().start(DB_NAME, 0) as transaction:
                    # The transaction's snapshot is taken before it waits.
                    records = Incoming.browse(documents)
                    Incoming.read(documents[:1], ['abstract'])
                    Incoming.log([records[n % len(records)],
                            records[(n + 1) % len(records)]],
                        'write', 'abstract', user=user)
                    transaction.commit()
        except Exception as e:
            errors.append(e)
    workers = [threading.Thread(target=work, args=(n,))
        for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with Transaction().start(DB_NAME, 0):
        chain = entries('tinh')
        assert len(chain) == before + threads * rounds * 2
        assert [e.chain_sequence for e in chain] == list(
            range(1, len(chain) + 1))
    assert check()[0] == 0


# Browsing the audit

def visible(login, domain=()):
    Log = Pool().get('ir.model.log')
    with acting_as(login):
        logs = Log.search([('resource', 'like', 'mvp.%'), *domain])
        Log.read([l.id for l in logs], ['document', 'agency', 'action'])
    return logs


@in_transaction
def test_agency_admin_sees_own_agency_only():
    tinh = province.agency('tinh').company
    logs = visible('quantri.tinh')
    with without_check_access():
        assert set(logs) == set(entries('tinh'))
    assert logs and all(l.agency == tinh for l in logs)


@in_transaction
def test_agency_admin_sees_who_read_what_without_opening_it():
    "The administrator has no clearance and no access to documents"
    Log = Pool().get('ir.model.log')
    document = confidential_document()
    logs = visible('quantri.tinh', [('event', '=', 'read')])
    assert logs
    with acting_as('quantri.tinh'):
        read = Log.read([l.id for l in logs], ['document', 'action', 'user'])
    assert {r['document'] for r in read} == {
        f"Incoming Document #{document.id}"}
    assert {r['action'] for r in read} == {"Confidential"}
    assert {r['user'] for r in read} == {province.user('lanhdao.tinh').id}


@pytest.mark.parametrize('login', ['thanhtra.snv', 'quantri'])
@in_transaction
def test_oversight_and_province_admin_see_every_agency(login):
    logs = visible(login)
    with without_check_access():
        every = set(entries('tinh')) | set(entries('snv')) | set(entries())
    assert set(logs) == every
    assert any(l.resource == secret_document() for l in logs)


@in_transaction
def test_staff_see_entries_of_what_they_may_read():
    "Tryton's own rule for everybody else"
    logs = visible('vanthu.snv')
    assert {l.event for l in logs} == {'write'}
    assert secret_document() not in {l.resource for l in logs}
    # Not even the deletion of another agency's draft.
    assert all(l.agency == province.agency('snv').company for l in logs)
    with acting_as('vanthu.snv'):
        for log in logs:
            if log.resource:
                Model = log.resource.__class__
                assert Model.search([('id', '=', log.resource.id)])


@pytest.mark.parametrize('login', [
        'quantri', 'quantri.tinh', 'thanhtra.snv', 'vanthu.tinh',
        'lanhdao.tinh'])
@in_transaction
def test_nobody_changes_the_log(login):
    Log = Pool().get('ir.model.log')
    with without_check_access():
        entry = entries('tinh')[-1]
    with acting_as(login):
        with pytest.raises(AccessError):
            Log.write([Log(entry.id)], {'target': 'state:done'})
        with pytest.raises(AccessError):
            Log.delete([Log(entry.id)])
        with pytest.raises(AccessError):
            Log.create([{'resource': str(entry.resource), 'event': 'read',
                        'user': entry.user.id, 'target': 'secret'}])


@in_transaction
def test_filters():
    "By document, person, event and date, as the search bar sends them"
    leader = province.user('lanhdao.snv')
    by_document = visible('thanhtra.snv', [('document', 'ilike', '%dự toán%')])
    assert by_document and all(
        NORMAL in l.resource.abstract for l in by_document)
    # Oversight has no clearance: the secret document is not found by name.
    assert not visible(
        'thanhtra.snv', [('document', 'ilike', '%công tác cán bộ%')])
    by_person = visible('thanhtra.snv', [('user', '=', leader.id)])
    assert by_person and all(l.user == leader for l in by_person)
    by_event = visible('thanhtra.snv', [('event', '=', 'read')])
    assert by_event and all(l.event == 'read' for l in by_event)
    assert not visible('thanhtra.snv', [
            ('create_date', '<', dt.datetime(2000, 1, 1))])
    assert visible('thanhtra.snv', [
            ('create_date', '>=', dt.datetime(2000, 1, 1))])


@pytest.mark.parametrize('login, shown', [
        ('quantri', True), ('quantri.tinh', True), ('thanhtra.snv', True),
        ('vanthu.tinh', False), ('lanhdao.tinh', False)])
@in_transaction
def test_menu(login, shown):
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    ModelData = pool.get('ir.model.data')
    menu = ModelData.get_id('mvp_documents', 'menu_audit')
    with acting_as(login):
        assert bool(Menu.search([('id', '=', menu)])) == shown
