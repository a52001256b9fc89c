"""Access matrix of the document core, tried by people of the demo province.

Each check acts as a real person of the demo (their user, their company, the
server's access checks on) and does the operation; a denial is the
AccessError the server answers with. The records operated on are made by root
in the person's own agency inside the test's transaction, which is rolled back.
"""
import datetime as dt
import hashlib

import pytest

from trytond import backend
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.mvp_documents.exceptions import (
    AssignmentError, ImmutableError)
from trytond.pool import Pool
from trytond.tests.test_tryton import drop_db, with_transaction
from trytond.transaction import Transaction, without_check_access

import province
from province import acting_as

DENIED = (AccessError, AccessButtonError)

# The people of the demo who hold each role (all of the provincial People's
# Committee office but the oversight, who sits in the Department of Home
# Affairs).
ROLES = {
    'province_admin': 'quantri',
    'agency_admin': 'quantri.tinh',
    'clerk': 'vanthu.tinh',
    'leader': 'lanhdao.tinh',
    'head': 'truongphong.tinh',
    'specialist': 'chuyenvien.tinh',
    'oversight': 'thanhtra.snv',
    }

# R read, C create, W write, D delete; '-' denied. On records of the person's
# own agency; isolation between agencies is tested below.
# - Units, registers: the agency administrator manages the divisions and the
#   registers of their own agency, never deletes (deactivates instead).
# - Incoming documents enter through the clerk (Decree 30/2020, Art. 20-22):
#   only the clerk creates, edits or deletes them while received; everyone
#   else acts through the workflow buttons and wizards.
# - Outgoing documents are drafted, reviewed, approved by the staff.
# - Assignments are made by the Assign wizard only.
# - Files are reached only through the documents that hold them.
MATRIX = """
model                   province_admin agency_admin clerk leader head specialist oversight
mvp.unit                RCWD           RCW-         R---  R---   R--- R---       R---
mvp.register            RCWD           RCW-         R---  R---   R--- R---       R---
mvp.document.type       RCWD           R---         R---  R---   R--- R---       R---
mvp.document.incoming   R---           ----         RCWD  R---   R--- R---       R---
mvp.document.outgoing   R---           ----         RCWD  RCWD   RCWD RCWD       R---
mvp.assignment          R---           ----         R---  R---   R--- R---       R---
mvp.document.file       ----           ----         ----  ----   ---- ----       ----
"""

# Which roles may press each workflow button (the state of the document is
# set so that the button applies).
BUTTONS = """
model                   button     province_admin agency_admin clerk leader head specialist oversight
mvp.document.incoming   enter      -              -            x     -      -    -          -
mvp.document.incoming   reject     -              -            x     -      -    -          -
mvp.document.incoming   assign     -              -            -     x      x    -          -
mvp.document.incoming   forward    -              -            x     x      x    x          -
mvp.document.incoming   start      -              -            x     x      x    x          -
mvp.document.incoming   return_    -              -            x     x      x    x          -
mvp.document.incoming   complete   -              -            x     x      x    x          -
mvp.document.incoming   reopen     -              -            -     x      x    -          -
mvp.document.outgoing   submit     -              -            x     x      x    x          -
mvp.document.outgoing   send_back  -              -            -     x      x    -          -
mvp.document.outgoing   review     -              -            -     x      x    -          -
mvp.document.outgoing   approve    -              -            -     x      -    -          -
mvp.document.outgoing   issue      -              -            x     -      -    -          -
mvp.document.outgoing   distribute -              -            x     -      -    -          -
"""
OPERATIONS = {'R': 'read', 'C': 'create', 'W': 'write', 'D': 'delete'}


def parse_matrix(text):
    header, *rows = text.strip().splitlines()
    roles = header.split()[1:]
    for row in rows:
        model, *perms = row.split()
        for role, perm in zip(roles, perms, strict=True):
            for letter, operation in OPERATIONS.items():
                yield model, role, operation, letter in perm


def parse_buttons(text):
    header, *rows = text.strip().splitlines()
    roles = header.split()[2:]
    for row in rows:
        model, button, *marks = row.split()
        for role, mark in zip(roles, marks, strict=True):
            yield model, button, role, mark == 'x'


@pytest.fixture(scope='module', autouse=True)
def demo_province():
    # The access rules of mvp_documents, on its province alone: its files
    # are not all PDFs that mvp_signing would verify.
    province.activate_demo('mvp_documents')
    yield
    drop_db()


# Each test runs in a transaction rolled back at its end, started again when
# it asks for locks (as the sequences of the registers do).
in_transaction = with_transaction(user=0)


def outcome(operation):
    "Return True when operation succeeds, False when access is denied"
    try:
        operation()
    except DENIED:
        return False
    return True


def ref(xml_id):
    return Pool().get('ir.model.data').get_id('mvp_documents', xml_id)


# Values of a new record of each model in an agency, for the given person.
def unit_values(agency, person):
    return {'name': "Phòng Thử nghiệm", 'code': 'TN', 'kind': 'division',
        'parent': agency.id}


def register_values(agency, person):
    return {'name': "Sổ thử nghiệm", 'company': agency.company.id,
        'direction': 'incoming', 'year': 2099}


def type_values(agency, person):
    return {'name': "Loại thử nghiệm", 'code': 'TN'}


def incoming_values(agency, person):
    return {'company': agency.company.id, 'sender': "Bộ Nội vụ",
        'type': ref('type_cv'), 'abstract': "Về việc thử quyền truy cập"}


def outgoing_values(agency, person):
    return {'company': agency.company.id, 'type': ref('type_cv'),
        'abstract': "Về việc thử quyền truy cập", 'drafter': person.id}


def assignment_values(agency, person):
    Incoming = Pool().get('mvp.document.incoming')
    with without_check_access():
        incoming, = Incoming.create([incoming_values(agency, person)])
    return {'incoming': incoming.id, 'user': person.id, 'role': 'inform'}


def file_values(agency, person):
    data = b'%PDF-1.4 access test ' + str(dt.datetime.now()).encode()
    return {'name': 'test.pdf', 'data': data,
        'digest': hashlib.sha256(data).hexdigest(), 'size': len(data)}


# model: (values of a new record, a field to write and its value)
MODELS = {
    'mvp.unit': (unit_values, 'name', "Phòng Đổi tên"),
    'mvp.register': (register_values, 'name', "Sổ đổi tên"),
    'mvp.document.type': (type_values, 'name', "Loại đổi tên"),
    'mvp.document.incoming': (
        incoming_values, 'abstract', "Trích yếu đã sửa"),
    'mvp.document.outgoing': (
        outgoing_values, 'abstract', "Trích yếu đã sửa"),
    'mvp.assignment': (assignment_values, 'instruction', "Chỉ đạo mới"),
    'mvp.document.file': (file_values, 'name', 'renamed.pdf'),
    }


def agency_of(person):
    Unit = Pool().get('mvp.unit')
    with without_check_access():
        return Unit.agency_of_company(person.company)


@pytest.mark.parametrize(
    'model, role, operation, allowed', list(parse_matrix(MATRIX)),
    ids=lambda v: v if isinstance(v, str) else None)
@in_transaction
def test_matrix(model, role, operation, allowed):
    Model = Pool().get(model)
    values, field, value = MODELS[model]
    person = province.user(ROLES[role])
    agency = agency_of(person)
    if operation != 'create':
        with without_check_access():
            record, = Model.create([values(agency, person)])
    # Made outside of acting_as: the values may need records the person
    # cannot make, such as the incoming document of an assignment.
    new = values(agency, person) if operation == 'create' else None

    with acting_as(ROLES[role]):
        if operation == 'read':
            def operation_():
                found = Model.search([('id', '=', record.id)])
                Model.read([record.id], [field])
                assert found == [record], "readable but not found"
        elif operation == 'create':
            def operation_():
                Model.create([new])
        elif operation == 'write':
            def operation_():
                Model.write([record], {field: value})
        else:
            def operation_():
                Model.delete([record])
        assert outcome(operation_) == allowed


def prepare_button(model, button, person):
    """Return a document of the person's agency in the state where button
    applies, with the person as main handler where one is needed"""
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Assignment = pool.get('mvp.assignment')
    File = pool.get('mvp.document.file')
    agency = agency_of(person)
    today = pool.get('ir.date').today()
    with without_check_access():
        if model == 'mvp.document.incoming':
            state = {
                'enter': 'received', 'reject': 'received',
                'assign': 'registered', 'start': 'assigned',
                'forward': 'in_progress',
                'return_': 'in_progress', 'complete': 'in_progress',
                'reopen': 'done'}[button]
            document, = Incoming.create([{
                        **incoming_values(agency, person), 'state': state}])
            if state in {'assigned', 'in_progress'}:
                Assignment.create([{
                            'incoming': document.id, 'user': person.id,
                            'role': 'main', 'deadline': today}])
        else:
            state = {
                'submit': 'draft', 'send_back': 'review',
                'review': 'review', 'approve': 'approval',
                'issue': 'approved', 'distribute': 'issued'}[button]
            file = File.store('draft.pdf', b'%PDF-1.4 draft')
            document, = Outgoing.create([{
                        **outgoing_values(agency, person), 'state': state,
                        'file': file.id, 'signer': person.id,
                        'note': "Đề nghị sửa lại"}])
    return document


@pytest.mark.parametrize(
    'model, button, role, allowed', list(parse_buttons(BUTTONS)),
    ids=lambda v: v if isinstance(v, str) else None)
@in_transaction
def test_button(model, button, role, allowed):
    Model = Pool().get(model)
    person = province.user(ROLES[role])
    document = prepare_button(model, button, person)
    with acting_as(ROLES[role]):
        assert outcome(
            lambda: getattr(Model, button)([Model(document.id)])) == allowed


# Isolation of agencies, secrecy and oversight on the demo's own documents.

def incoming(abstract_start):
    Incoming = Pool().get('mvp.document.incoming')
    with without_check_access():
        document, = Incoming.search([
                ('abstract', 'ilike', abstract_start + '%'),
                ('company', '=', province.agency('tinh').company.id),
                ])
    return document


def sees(Model, record):
    "Tell whether the acting person finds and reads record"
    found = Model.search([('id', '=', record.id)])
    try:
        Model.read([record.id], ['abstract'])
    except AccessError:
        assert not found, "found but not readable"
        return False
    assert found, "readable but not found"
    return True


@in_transaction
def test_clerk_of_another_agency_sees_nothing():
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    tinh = province.agency('tinh').company
    with without_check_access():
        incomings = Incoming.search([('company', '=', tinh.id)])
        outgoings = Outgoing.search([('company', '=', tinh.id)])
    assert incomings and outgoings
    clerk = province.user('vanthu.snv')
    with without_check_access():
        own, = Incoming.create([incoming_values(agency_of(clerk), clerk)])
    with acting_as('vanthu.snv'):
        assert not Incoming.search([('company', '=', tinh.id)])
        assert not Outgoing.search([('company', '=', tinh.id)])
        for records in [incomings, outgoings]:
            Model = records[0].__class__
            for record in records:
                with pytest.raises(AccessError):
                    Model.read([record.id], ['abstract'])
        # Their own agency's records stay in reach.
        assert Incoming.search([]) == [own]


@in_transaction
def test_clerk_cannot_put_document_in_another_agency():
    Incoming = Pool().get('mvp.document.incoming')
    snv = province.agency('snv')
    with acting_as('vanthu.tinh') as clerk:
        with pytest.raises(AccessError):
            Incoming.create([incoming_values(snv, clerk)])


@in_transaction
def test_assigned_person_of_another_agency_sees_document():
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Assignment = pool.get('mvp.assignment')
    document = incoming("Kế hoạch chuyển đổi số")
    other = province.user('chuyenvien.snv')
    with acting_as('chuyenvien.snv'):
        assert not sees(Incoming, document)
    with without_check_access():
        assignment, = Assignment.create([{
                    'incoming': document.id, 'user': other.id,
                    'role': 'support', 'deadline': document.deadline}])
    assert assignment.company == document.company
    with acting_as('chuyenvien.snv'):
        assert sees(Incoming, document)
        assert Incoming.search([('mine', '=', True)]) == [document]
        assert Assignment.search([('mine', '=', True)]) == [assignment]
        # The other assignments of the document come with it.
        assert len(Assignment.search([('incoming', '=', document.id)])) > 1
        # Being assigned a document is no licence to change it.
        with pytest.raises(AccessError):
            Incoming.write([document], {'abstract': "Sửa"})


@pytest.mark.skipif(
    backend.name != 'postgresql', reason="PostgreSQL's planner")
@pytest.mark.parametrize('login', ['chuyenvien.snv', 'vanthu.tinh'])
@in_transaction
def test_search_under_rules_is_indexed(login):
    """A person's search, their rules in it (own agency or assigned to
    them elsewhere), reads indexes only: the agency's text index and the
    array of their assignments in other agencies, never the table or a
    subquery per document"""
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    cursor = Transaction().connection.cursor()
    with acting_as(login):
        query = Incoming.search(
            [('rec_name', 'ilike', '%chuyen doi so%')], query=True)
    cursor.execute('SET LOCAL enable_seqscan = off')
    cursor.execute('EXPLAIN ' + str(query), query.params)
    plan = '\n'.join(r[0] for r in cursor.fetchall())
    assert 'Seq Scan on mvp_document_incoming' not in plan, plan
    assert 'SubPlan' not in plan, plan
    # The agency's text index (btree_gin) compares integer with integer
    # only: the agencies are sent as the column's type.
    agencies = [line for line in plan.splitlines() if 'company = ANY' in line]
    assert agencies and not any('smallint' in line for line in agencies), plan
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
        (Incoming._table,))
    assert any('gin (company, COALESCE(search_text' in r[0]
        for r in cursor.fetchall())


@pytest.mark.parametrize('login, clearance, visible', [
        ('chuyenvien2.tinh', 'normal', False),
        ('chuyenvien.tinh', 'confidential', True),
        ('truongphong.tinh', 'confidential', True),
        ('vanthu.tinh', 'secret', True),
        ('lanhdao.tinh', 'top_secret', True),
        ])
@in_transaction
def test_confidential_document_by_clearance(
        login, clearance, visible):
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Assignment = pool.get('mvp.assignment')
    document = incoming("Công điện về bảo đảm an ninh")
    assert document.secrecy == 'confidential'
    assert province.user(login).clearance == clearance
    with acting_as(login):
        assert sees(Incoming, document) == visible
        assignments = Assignment.search([('incoming', '=', document.id)])
        assert bool(assignments) == visible


@pytest.mark.parametrize('login, visible', [
        ('chuyenvien.tinh', False),  # confidential
        ('truongphong.tinh', False),  # confidential
        ('vanthu.tinh', True),  # secret
        ('lanhdao.tinh', True),  # top secret
        ])
@in_transaction
def test_secret_document_by_clearance(login, visible):
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    agency = province.agency('tinh')
    person = province.user(login)
    with without_check_access():
        incoming, = Incoming.create([{
                    **incoming_values(agency, person), 'secrecy': 'secret'}])
        outgoing, = Outgoing.create([{
                    **outgoing_values(agency, person), 'secrecy': 'secret'}])
    with acting_as(login):
        assert sees(Incoming, incoming) == visible
        assert sees(Outgoing, outgoing) == visible


@in_transaction
def test_uncleared_main_handler_does_not_see_secret_document():
    "Clearance binds everyone, even a person assigned the document"
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Assignment = pool.get('mvp.assignment')
    document = incoming("Công điện về bảo đảm an ninh")
    person = province.user('chuyenvien2.tinh')
    with without_check_access():
        Assignment.create([{
                    'incoming': document.id, 'user': person.id,
                    'role': 'inform'}])
    with acting_as('chuyenvien2.tinh'):
        assert not sees(Incoming, document)
        assert not Assignment.search([('incoming', '=', document.id)])


@in_transaction
def test_oversight_reads_every_agency():
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Register = pool.get('mvp.register')
    Assignment = pool.get('mvp.assignment')
    with without_check_access():
        incomings = Incoming.search([('secrecy', '=', 'normal')])
        outgoings = Outgoing.search([('secrecy', '=', 'normal')])
        registers = Register.search([])
        assignments = Assignment.search([('incoming.secrecy', '=', 'normal')])
    # Documents of the province office and of the communes it sent to.
    assert len({d.company for d in incomings}) >= 4
    with acting_as('thanhtra.snv') as person:
        assert person.company != incomings[0].company
        assert Incoming.search([]) == incomings
        assert Outgoing.search([]) == outgoings
        assert Register.search([]) == registers
        assert set(Assignment.search([])) == set(assignments)
        Incoming.read([d.id for d in incomings], ['abstract', 'file_data'])


@in_transaction
def test_oversight_writes_nothing():
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Register = pool.get('mvp.register')
    Unit = pool.get('mvp.unit')
    received = incoming("Quyết định ban hành quy chế công tác văn thư")
    registered = incoming("Về việc hướng dẫn xây dựng dự toán")
    with without_check_access():
        draft, = Outgoing.search([('state', '=', 'draft')], limit=1)
        approved, = Outgoing.search([('state', '=', 'approved')], limit=1)
        register, = Register.search([], limit=1)
    tinh = province.agency('tinh')
    with acting_as('thanhtra.snv'):
        for operation in [
                lambda: Incoming.write([received], {'abstract': "Sửa"}),
                lambda: Incoming.delete([received]),
                lambda: Incoming.enter([received]),
                lambda: Incoming.assign([registered]),
                lambda: Outgoing.write([draft], {'abstract': "Sửa"}),
                lambda: Outgoing.delete([draft]),
                lambda: Outgoing.submit([draft]),
                lambda: Outgoing.issue([approved]),
                lambda: Register.write([register], {'name': "Sửa"}),
                lambda: Unit.write([tinh], {'name': "Sửa"}),
                ]:
            assert not outcome(operation)


# A distribution: the recipients' copies are theirs; the sender follows them
# through its deliveries.

def distributed():
    "The demo's decision the province office distributed, and its copies"
    Outgoing = Pool().get('mvp.document.outgoing')
    with without_check_access():
        document, = Outgoing.search([('state', '=', 'distributed')])
        copies = [d.id for d in document.deliveries]
    assert len(copies) >= 3
    return document, copies


@pytest.mark.parametrize('login', ['vanthu.tinh', 'lanhdao.tinh'])
@in_transaction
def test_sender_follows_deliveries_not_copies(login):
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Delivery = pool.get('mvp.document.delivery')
    document, copies = distributed()
    with acting_as(login):
        assert not set(copies) & set(Incoming.search([]))
        for copy in copies:
            with pytest.raises(AccessError):
                Incoming.read([copy], ['abstract'])
        deliveries = Outgoing(document.id).deliveries
        assert {d.id for d in deliveries} == set(copies)
        assert {d.state for d in deliveries} == {'received'}
        assert Delivery.read(copies, ['recipient.rec_name', 'number'])
        # The recipient's handling is not the sender's to read.
        assert 'note' not in Delivery._fields


@pytest.mark.parametrize('login, allowed', [
        ('vanthu.tinh', True),
        ('chuyenvien2.tinh', True),
        ('thanhtra.snv', True),  # oversight
        ('quantri', True),
        ('quantri.tinh', False),  # agency administrator: no documents
        ('vanthu.phohien', False),  # a recipient: its copy, not the list
        ('vanthu.snv', False),
        ])
@in_transaction
def test_who_reads_deliveries(login, allowed):
    Delivery = Pool().get('mvp.document.delivery')
    _, copies = distributed()
    with acting_as(login):
        assert outcome(lambda: Delivery.read(copies, ['state'])) == allowed
        found = []
        outcome(lambda: found.extend(Delivery.search([])))
        assert ({d.id for d in found} >= set(copies)) == allowed


@pytest.mark.parametrize('button', ['enter', 'reject'])
@in_transaction
def test_sender_cannot_register_or_reject_copies(button):
    Incoming = Pool().get('mvp.document.incoming')
    _, copies = distributed()
    with acting_as('vanthu.tinh'):
        assert not outcome(
            lambda: getattr(Incoming, button)(Incoming.browse(copies[:1])))


@in_transaction
def test_delivery_shows_what_the_recipient_did():
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Delivery = pool.get('mvp.document.delivery')
    _, copies = distributed()
    clerk = province.user('vanthu.phohien')
    with without_check_access():
        copy, = Incoming.search([
                ('id', 'in', copies), ('company', '=', clerk.company.id)])
        other, = Incoming.search([
                ('id', 'in', copies), ('company', '!=', clerk.company.id)],
            limit=1)
        Incoming.write([other], {'state': 'rejected', 'note': "Gửi nhầm"})
    with acting_as('vanthu.phohien'):
        Incoming.enter([Incoming(copy.id)])
        number = Incoming(copy.id).number
    with acting_as('vanthu.tinh'):
        registered, rejected = Delivery.browse([copy.id, other.id])
        assert (registered.state, registered.number) == ('registered', number)
        assert registered.recipient == province.agency('phohien')
        assert (rejected.state, rejected.reason) == ('rejected', "Gửi nhầm")


@pytest.mark.parametrize('login', ['vanthu.phohien', 'lanhdao.phohien'])
@in_transaction
def test_commune_opens_what_the_province_distributed(login):
    "As the web client opens the form: the fields and the names they show"
    Incoming = Pool().get('mvp.document.incoming')
    _, copies = distributed()
    with acting_as(login) as person:
        copy, = Incoming.search([('id', 'in', copies)])
        assert copy.company == person.company
        row, = Incoming.read([copy.id], [
                'abstract', 'sender', 'sender_unit.rec_name', 'file_data',
                'company.rec_name', 'type.rec_name'])
        assert row['sender_unit.']['rec_name'].startswith(
            "Ủy ban nhân dân tỉnh")
        assert row['file_data'].startswith(b'%PDF')
        # The province's outgoing document stays the province's.
        with pytest.raises(AccessError):
            Incoming.read([copy.id], ['outgoing.rec_name'])


@in_transaction
def test_commune_clerk_registers_what_arrived():
    Incoming = Pool().get('mvp.document.incoming')
    _, copies = distributed()
    with acting_as('vanthu.phohien'):
        copy, = Incoming.search([('id', 'in', copies)])
        Incoming.enter([copy])
        assert (copy.state, copy.number) == ('registered', 1)


# Reading a document of another agency, as a person assigned to it does, is
# no licence to manage it.

@pytest.mark.parametrize('button, state', [
        ('assign', 'registered'),
        ('reopen', 'done'),
        ('enter', 'received'),
        ])
@in_transaction
def test_assigned_person_of_another_agency_does_not_manage_it(button, state):
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Assignment = pool.get('mvp.assignment')
    tinh = province.agency('tinh')
    login = 'vanthu.snv' if button == 'enter' else 'lanhdao.snv'
    person = province.user(login)
    with without_check_access():
        document, = Incoming.create([{
                    **incoming_values(tinh, person), 'state': state}])
        Assignment.create([{
                    'incoming': document.id, 'user': person.id,
                    'role': 'inform', 'state': 'done'}])
    with acting_as(login):
        assert sees(Incoming, document)
        assert not outcome(
            lambda: getattr(Incoming, button)([Incoming(document.id)]))
    # The people of the agency do.
    with acting_as('vanthu.tinh' if button == 'enter' else 'lanhdao.tinh'):
        assert outcome(
            lambda: getattr(Incoming, button)([Incoming(document.id)]))


@in_transaction
def test_manager_of_another_agency_cannot_assign_through_wizard():
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Assignment = pool.get('mvp.assignment')
    Assign = pool.get('mvp.document.incoming.assign', type='wizard')
    document = incoming("Về việc hướng dẫn xây dựng dự toán")
    other = province.user('lanhdao.snv')
    with without_check_access():
        Assignment.create([{
                    'incoming': document.id, 'user': other.id,
                    'role': 'inform'}])
    with acting_as('lanhdao.snv'), Transaction().set_context(
            active_model=Incoming.__name__, active_id=document.id,
            active_ids=[document.id]):
        session_id, _, _ = Assign.create()
        Assign.execute(session_id, {}, 'start')
        with pytest.raises(AssignmentError):
            Assign.execute(session_id, {'start': {
                        'company': document.company.id,
                        'main': province.user('chuyenvien.tinh').id,
                        'supports': [], 'informed': [],
                        'deadline': dt.date.today() + dt.timedelta(days=5),
                        'instruction': "Xử lý",
                        }}, 'assign')


# A document's thread is read and written as the document is.

@pytest.mark.parametrize('login, allowed', [
        ('lanhdao.tinh', True),
        ('chuyenvien2.tinh', False),  # below the clearance
        ('chuyenvien.snv', False),  # another agency
        ])
@in_transaction
def test_thread_of_document(login, allowed):
    Channel = Pool().get('ir.chat.channel')
    document = incoming("Công điện về bảo đảm an ninh")
    # Called as the server calls them: access checked by Channel itself.
    with acting_as(login), without_check_access():
        assert outcome(lambda: Channel.get(str(document))) == allowed
        assert outcome(
            lambda: Channel.post(str(document), "Ý kiến")) == allowed


@in_transaction
def test_administrator_lists_threads_within_clearance():
    pool = Pool()
    Channel = pool.get('ir.chat.channel')
    secret = incoming("Công điện về bảo đảm an ninh")
    normal = incoming("Về việc hướng dẫn xây dựng dự toán")
    with without_check_access():
        channels = [Channel._get_channel(d) for d in [secret, normal]]
    with acting_as('quantri'):
        found = Channel.search([('id', 'in', [c.id for c in channels])])
        assert [c.resource for c in found] == [normal]
        Channel.read([c.id for c in found], ['resource.rec_name'])


# Signed or issued documents cannot be edited or deleted (Art. 4.6), yet the
# workflow goes on.

@pytest.mark.parametrize('state', ['approved', 'issued', 'distributed'])
@in_transaction
def test_frozen_outgoing(state):
    Outgoing = Pool().get('mvp.document.outgoing')
    with without_check_access():
        document, = Outgoing.search([('state', '=', state)], limit=1)
    for login in ['chuyenvien.tinh', 'vanthu.tinh', 'lanhdao.tinh']:
        with acting_as(login):
            with pytest.raises(ImmutableError):
                Outgoing.write([document], {'abstract': "Sửa"})
            with pytest.raises(ImmutableError):
                Outgoing.write([document], {'file_data': b'%PDF other'})
            with pytest.raises((ImmutableError, AccessError)):
                Outgoing.delete([document])


@pytest.mark.parametrize('state', [
        'registered', 'assigned', 'in_progress', 'done', 'rejected'])
@in_transaction
def test_frozen_incoming(state):
    Incoming = Pool().get('mvp.document.incoming')
    with without_check_access():
        document, = Incoming.search([
                ('state', '=', state), ('secrecy', '=', 'normal')], limit=1)
    with acting_as('vanthu.tinh'):
        with pytest.raises(ImmutableError):
            Incoming.write([document], {'abstract': "Sửa"})
        with pytest.raises(ImmutableError):
            Incoming.delete([document])


@in_transaction
def test_signed_incoming_is_frozen_while_received():
    Incoming = Pool().get('mvp.document.incoming')
    document = incoming("Quyết định ban hành quy chế công tác văn thư")
    with without_check_access():
        Incoming.write([document], {'legal_status': 'valid'})
    with acting_as('vanthu.tinh'):
        with pytest.raises(ImmutableError):
            Incoming.write([document], {'abstract': "Sửa"})
        # Registering it is still the clerk's work.
        Incoming.enter([document])
    assert document.state == 'registered'


@in_transaction
def test_annex_of_frozen_document():
    pool = Pool()
    Outgoing = pool.get('mvp.document.outgoing')
    Annex = pool.get('mvp.document.annex')
    with without_check_access():
        document, = Outgoing.search([('state', '=', 'issued')], limit=1)
    with acting_as('vanthu.tinh'):
        with pytest.raises(ImmutableError):
            Annex.create([{
                        'resource': str(document), 'file_name': 'phu-luc.pdf',
                        'file_data': b'%PDF annex'}])


@in_transaction
def test_workflow_goes_on_through_frozen_documents():
    "The buttons and wizards move frozen documents, as their roles allow"
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Assign = pool.get('mvp.document.incoming.assign', type='wizard')
    Complete = pool.get('mvp.document.incoming.complete', type='wizard')
    document = incoming("Về việc hướng dẫn xây dựng dự toán")
    assert document.state == 'registered'
    specialist = province.user('chuyenvien2.tinh')

    with acting_as('lanhdao.tinh'), Transaction().set_context(
            active_model=Incoming.__name__, active_id=document.id,
            active_ids=[document.id]):
        session_id, _, _ = Assign.create()
        Assign.execute(session_id, {}, 'start')
        Assign.execute(session_id, {'start': {
                    'company': document.company.id,
                    'main': specialist.id, 'supports': [], 'informed': [],
                    'deadline': dt.date.today() + dt.timedelta(days=5),
                    'instruction': "Xử lý",
                    }}, 'assign')
    assert Incoming(document.id).state == 'assigned'
    assert Incoming(document.id).handler == specialist

    with acting_as('chuyenvien2.tinh'), Transaction().set_context(
            active_model=Incoming.__name__, active_id=document.id,
            active_ids=[document.id]):
        Incoming.start([Incoming(document.id)])
        session_id, _, _ = Complete.create()
        Complete.execute(session_id, {}, 'start')
        Complete.execute(
            session_id, {'start': {'note': "Đã xử lý"}}, 'complete')
    assert Incoming(document.id).state == 'done'

    with without_check_access():
        issued, = Outgoing.search([('state', '=', 'issued')], limit=1)
    with acting_as('vanthu.tinh'):
        Outgoing.distribute([issued])
    assert Outgoing(issued.id).state == 'distributed'
    assert {d.recipient for d in Outgoing(issued.id).deliveries} == {
        province.agency(k) for k in ['snv', 'stc']}


@in_transaction
def test_specialist_cannot_start_someone_elses_document():
    Incoming = Pool().get('mvp.document.incoming')
    document = incoming("Kế hoạch chuyển đổi số")
    assert document.handler.login == 'chuyenvien.tinh'
    with acting_as('chuyenvien2.tinh'):
        with pytest.raises(AssignmentError):
            Incoming.start([document])


# The workflow's own fields move by the workflow only: they are read-only in
# the client, which the server does not enforce by itself.

def outgoing_draft(person):
    Outgoing = Pool().get('mvp.document.outgoing')
    with without_check_access():
        document, = Outgoing.create(
            [outgoing_values(agency_of(person), person)])
    return document


def incoming_received(person):
    Incoming = Pool().get('mvp.document.incoming')
    with without_check_access():
        document, = Incoming.create(
            [incoming_values(agency_of(person), person)])
    return document


def register(direction):
    Register = Pool().get('mvp.register')
    with without_check_access():
        register, = Register.search([
                ('company', '=', province.agency('tinh').company.id),
                ('direction', '=', direction), ('secret', '=', False)])
    return register


FORGERIES = [
    ('chuyenvien.tinh', 'mvp.document.outgoing', outgoing_draft,
        lambda: {'state': 'approved'}, 'state'),
    ('chuyenvien.tinh', 'mvp.document.outgoing', outgoing_draft,
        lambda: {'number': 99, 'number_symbol': '99/UBND-TH',
            'issue_date': dt.date.today(),
            'register': register('outgoing').id}, 'number'),
    ('chuyenvien.tinh', 'mvp.document.outgoing', outgoing_draft,
        lambda: {'drafter': province.user('lanhdao.tinh').id}, 'drafter'),
    ('chuyenvien.tinh', 'mvp.document.outgoing', outgoing_draft,
        lambda: {'company': province.agency('snv').company.id}, 'company'),
    ('vanthu.tinh', 'mvp.document.incoming', incoming_received,
        lambda: {'state': 'done'}, 'state'),
    ('vanthu.tinh', 'mvp.document.incoming', incoming_received,
        lambda: {'number': 99, 'register': register('incoming').id,
            'registered_date': dt.date.today()}, 'number'),
    ('vanthu.tinh', 'mvp.document.incoming', incoming_received,
        lambda: {'deadline': dt.date.today()}, 'deadline'),
    ]


def forgery_ids(forgeries):
    return [f'{m.rsplit(".", 1)[-1]}-{n}' for _, m, _, _, n in forgeries]


@pytest.mark.parametrize('login, model, make, values', [
        f[:4] for f in FORGERIES], ids=forgery_ids(FORGERIES))
@in_transaction
def test_workflow_fields_cannot_be_written(login, model, make, values):
    Model = Pool().get(model)
    document = make(province.user(login))
    values = values()
    with acting_as(login):
        with pytest.raises(AccessError):
            Model.write([Model(document.id)], values)


@pytest.mark.parametrize('login, model, make, values', [
        f[:4] for f in FORGERIES if f[4] in {'state', 'number'}],
    ids=forgery_ids([f for f in FORGERIES if f[4] in {'state', 'number'}]))
@in_transaction
def test_workflow_fields_cannot_be_created(login, model, make, values):
    Model = Pool().get(model)
    person = province.user(login)
    new = (outgoing_values if make is outgoing_draft else incoming_values)(
        agency_of(person), person)
    new.update(values())
    with acting_as(login):
        with pytest.raises(AccessError):
            Model.create([new])


@pytest.mark.parametrize('login, model, values', [
        ('vanthu.tinh', 'mvp.document.incoming', incoming_values),
        ('chuyenvien.tinh', 'mvp.document.outgoing', outgoing_values),
        ])
@in_transaction
def test_document_created_with_its_file(login, model, values):
    "As the web client saves a new document: its file in the same call"
    Model = Pool().get(model)
    person = province.user(login)
    new = values(agency_of(person), person)
    new.update({'file_name': 'van-ban.pdf', 'file_data': b'%PDF-1.4 new'})
    with acting_as(login):
        document, = Model.create([new])
        Model.write([document], {'file_data': b'%PDF-1.4 changed'})
        assert Model.read([document.id], ['file_data'])[0]['file_data'] == (
            b'%PDF-1.4 changed')


# Numbering cannot be tampered with: numbers are gap-free and unique
# (Decree 30/2020, Art. 15).

@in_transaction
def test_agency_admin_cannot_renumber_register():
    Sequence = Pool().get('ir.sequence.strict')
    Register = Pool().get('mvp.register')
    with without_check_access():
        register, = Register.search([
                ('company', '=', province.agency('tinh').company.id),
                ('direction', '=', 'incoming'), ('secret', '=', False)])
    assert register.next_number > 1
    with acting_as('quantri.tinh'):
        assert not outcome(lambda: Sequence.write(
                [Sequence(register.sequence.id)], {'number_next': 1}))


@in_transaction
def test_agency_admin_cannot_repoint_used_register():
    Register = Pool().get('mvp.register')
    with without_check_access():
        registers = Register.search([
                ('company', '=', province.agency('tinh').company.id)])
    incoming, = [r for r in registers
        if r.direction == 'incoming' and not r.secret]
    outgoing, = [r for r in registers if r.direction == 'outgoing']
    with acting_as('quantri.tinh'):
        for values in [
                {'sequence': outgoing.sequence.id},
                {'year': incoming.year + 1},
                {'direction': 'outgoing'},
                ]:
            with pytest.raises(AccessError):
                Register.write([Register(incoming.id)], values)


# Units: an agency administrator keeps to their agency.

def divisions(agency):
    return [u for u in agency.children if u.kind == 'division']


@in_transaction
def test_agency_admin_manages_own_divisions():
    Unit = Pool().get('mvp.unit')
    tinh = province.agency('tinh')
    with acting_as('quantri.tinh') as person:
        division, = Unit.create([unit_values(tinh, person)])
        Unit.write([division], {'name': "Phòng Đổi tên"})
        Unit.write(divisions(tinh), {'active': False})


def create_division_of_another_agency(tinh, snv, person):
    Pool().get('mvp.unit').create([unit_values(snv, person)])


def write_division_of_another_agency(tinh, snv, person):
    Pool().get('mvp.unit').write(divisions(snv), {'name': "Sửa"})


def move_own_division_to_another_agency(tinh, snv, person):
    Pool().get('mvp.unit').write(divisions(tinh)[:1], {'parent': snv.id})


def create_agency(tinh, snv, person):
    Pool().get('mvp.unit').create([{
                'name': "Sở mới", 'code': 'SM', 'kind': 'department',
                'identifier': '000.00.99.H31', 'parent': tinh.id}])


def change_own_agency_identifier(tinh, snv, person):
    Pool().get('mvp.unit').write([tinh], {'identifier': '000.00.98.H31'})


@pytest.mark.parametrize('operation', [
        create_division_of_another_agency,
        write_division_of_another_agency,
        move_own_division_to_another_agency,
        create_agency,
        change_own_agency_identifier,
        ], ids=lambda f: f.__name__)
@in_transaction
def test_agency_admin_keeps_to_own_agency_units(operation):
    "The province's own office is the root of the tree, not its owner"
    tinh, snv = province.agency('tinh'), province.agency('snv')
    with acting_as('quantri.tinh') as person:
        with pytest.raises(AccessError):
            operation(tinh, snv, person)


@in_transaction
def test_agency_admin_keeps_to_own_agency_registers():
    Register = Pool().get('mvp.register')
    snv = province.agency('snv')
    with acting_as('quantri.tinh') as person:
        with pytest.raises(AccessError):
            Register.create([register_values(snv, person)])


# People: personal accounts managed within the agency; nobody raises their
# own rights.

def user_values(agency, login, role):
    pool = Pool()
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    with without_check_access():
        party, = Party.create([{'name': login}])
        employee, = Employee.create([{
                    'party': party.id, 'company': agency.company.id}])
    return {
        'login': login, 'name': login,
        'companies': [('add', [agency.company.id])],
        'company': agency.company.id,
        'employees': [('add', [employee.id])], 'employee': employee.id,
        'unit': agency.id,
        'roles': [('create', [{'role': ref(f'role_{role}')}])],
        }


@in_transaction
def test_agency_admin_creates_staff_of_own_agency():
    User = Pool().get('res.user')
    tinh = province.agency('tinh')
    values = user_values(tinh, 'vanthu2.tinh', 'clerk')
    with acting_as('quantri.tinh'):
        user, = User.create([values])
    assert ref('group_clerk') in [g.id for g in User(user.id).groups]


@pytest.mark.parametrize('agency_key, role', [
        ('snv', 'clerk'),  # another agency
        ('tinh', 'admin_province'),  # above their own rights
        ('tinh', 'oversight'),
        ])
@in_transaction
def test_agency_admin_cannot_create_beyond_own_agency(
        agency_key, role):
    User = Pool().get('res.user')
    values = user_values(province.agency(agency_key), 'someone', role)
    with acting_as('quantri.tinh'):
        with pytest.raises(AccessError):
            User.create([values])


@in_transaction
def test_agency_admin_adds_staff_with_unit_only():
    "The staff form: the agency and an employee of it follow the division"
    User = Pool().get('res.user')
    tinh = province.agency('tinh')
    with acting_as('quantri.tinh'):
        user, = User.create([{
                    'login': 'chuyenvien3.tinh', 'name': "Đỗ Văn Hải",
                    'unit': divisions(tinh)[1].id, 'position': "Chuyên viên",
                    'roles': [('create', [{'role': ref('role_specialist')}])],
                    }])
    user = User(user.id)
    assert [c.id for c in user.companies] == [tinh.company.id]
    assert user.company == tinh.company
    assert user.employee.company == tinh.company
    assert user.employee.party.name == "Đỗ Văn Hải"
    assert user.agency == tinh


@in_transaction
def test_agency_admin_cannot_move_staff_to_another_agency():
    User = Pool().get('res.user')
    staff = province.user('chuyenvien2.tinh')
    with acting_as('quantri.tinh'):
        with pytest.raises(AccessError):
            User.write([User(staff.id)], {
                    'unit': divisions(province.agency('snv'))[0].id})
    assert User(staff.id).agency == province.agency('tinh')


@in_transaction
def test_province_admin_moves_staff_with_agency_and_employee():
    User = Pool().get('res.user')
    snv = province.agency('snv')
    staff = province.user('chuyenvien2.tinh')
    before = staff.employee
    with acting_as('quantri'):
        User.write([User(staff.id)], {'unit': divisions(snv)[0].id})
    staff = User(staff.id)
    assert [c.id for c in staff.companies] == [snv.company.id]
    assert [e.company for e in staff.employees] == [snv.company]
    assert staff.employee.party == before.party
    assert type(before)(before.id).end_date is not None


@in_transaction
def test_agency_admin_adds_staff_from_own_agency_form():
    "The agency's staff tab adds people, the agency's own fields stay"
    Unit = Pool().get('mvp.unit')
    User = Pool().get('res.user')
    tinh = province.agency('tinh')
    with acting_as('quantri.tinh'):
        Unit.write([Unit(tinh.id)], {'members': [('create', [{
                            'login': 'vanthu2.tinh', 'name': "Lê Thu",
                            'roles': [('create', [
                                        {'role': ref('role_clerk')}])],
                            }])]})
        with pytest.raises(AccessError):
            Unit.write([Unit(tinh.id)], {'name': "Đổi tên"})
    user, = User.search([('login', '=', 'vanthu2.tinh')])
    assert user.unit == tinh and user.company == tinh.company


@pytest.mark.parametrize('login, allowed', [
        ('chuyenvien2.tinh', True),
        ('vanthu.snv', False),  # another agency
        ('quantri', False),  # the provincial administrator
        ])
@in_transaction
def test_agency_admin_unlocks_own_staff(login, allowed):
    pool = Pool()
    User = pool.get('res.user')
    LoginAttempt = pool.get('res.user.login.attempt')
    with without_check_access():
        for _ in range(6):
            LoginAttempt.add(login)
    target = province.user(login)
    assert target.login_locked
    with acting_as('quantri.tinh'):
        assert outcome(
            lambda: User.unlock_login([User(target.id)])) == allowed
    assert User(target.id).login_locked is not allowed


SELF_RAISES = {
    'role': lambda person: Pool().get('res.user.role').create([{
                'user': person.id, 'role': ref('role_admin_province')}]),
    'roles': lambda person: Pool().get('res.user').write([person], {
            'roles': [('create', [{'role': ref('role_admin_province')}])]}),
    'groups': lambda person: Pool().get('res.user').write([person], {
            'groups': [('add', [ref('group_admin_province')])]}),
    'admin_group': lambda person: Pool().get('res.user').write([person], {
            'groups': [('add', [
                            Pool().get('ir.model.data').get_id(
                                'res', 'group_admin')])]}),
    'companies': lambda person: Pool().get('res.user').write([person], {
            'companies': [('add', [province.agency('snv').company.id])]}),
    'clearance': lambda person: Pool().get('res.user').write([person], {
            'clearance': 'top_secret'}),
    }


@pytest.mark.parametrize('name', SELF_RAISES)
@in_transaction
def test_agency_admin_cannot_raise_own_rights(name):
    User = Pool().get('res.user')
    with acting_as('quantri.tinh') as person:
        assert not outcome(lambda: SELF_RAISES[name](User(person.id)))
    person = User(person.id)
    assert not {ref('group_admin_province'), Pool().get(
            'ir.model.data').get_id('res', 'group_admin')} & {
        g.id for g in person.groups}
    assert person.clearance == 'normal'
    assert len(person.companies) == 1


@pytest.mark.parametrize('login, values', [
        ('quantri', {'password': 'Taken@2026'}),
        ('quantri', {'login': 'quantri.old'}),
        ('quantri', {'active': False}),
        ('quantri', {'clearance': 'top_secret'}),
        # Nobody's clearance goes above the administrator's own (normal):
        # they set their staff's passwords, so they could act as them.
        ('chuyenvien2.tinh', {'clearance': 'secret'}),
        ], ids=lambda v: v if isinstance(v, str) else ','.join(v))
@in_transaction
def test_agency_admin_cannot_take_over_accounts_above_theirs(login, values):
    "The provincial administrator works in an agency too"
    User = Pool().get('res.user')
    target = province.user(login)
    with acting_as('quantri.tinh'):
        with pytest.raises(AccessError):
            User.write([User(target.id)], values)


@in_transaction
def test_agency_admin_cannot_demote_provincial_admin():
    UserRole = Pool().get('res.user.role')
    target = province.user('quantri')
    with without_check_access():
        roles = UserRole.search([('user', '=', target.id)])
    assert roles
    with acting_as('quantri.tinh'):
        for operation in [
                lambda: UserRole.delete(UserRole.browse(roles)),
                lambda: UserRole.write(UserRole.browse(roles), {
                        'role': ref('role_specialist')}),
                ]:
            assert not outcome(operation)


@in_transaction
def test_agency_admin_cannot_give_staff_another_agency():
    User = Pool().get('res.user')
    staff = province.user('chuyenvien2.tinh')
    snv = province.agency('snv').company
    with acting_as('quantri.tinh'):
        with pytest.raises(AccessError):
            User.write([User(staff.id)], {'companies': [('add', [snv.id])]})


@in_transaction
def test_staff_cannot_raise_own_clearance():
    "Preferences are written without access checks: they must hold no rights"
    User = Pool().get('res.user')
    with acting_as('chuyenvien2.tinh') as person, \
            Transaction().set_context(_check_access=False):
        User.set_preferences({'clearance': 'top_secret'})
    assert User(person.id).clearance == 'normal'


@in_transaction
def test_staff_cannot_move_to_another_agency():
    User = Pool().get('res.user')
    snv = province.agency('snv')
    with acting_as('chuyenvien2.tinh') as person, \
            Transaction().set_context(_check_access=False):
        try:
            User.set_preferences({'unit': divisions(snv)[0].id})
        except UserError:
            pass
    assert User(person.id).unit.agency == province.agency('tinh')


# Paths around the rules that Tryton's generic services take (the same
# holes tests/test_outsider.py looks for through the server).

def outgoing_in(key, state, person, **values):
    "An outgoing document of the agency of key in state, made by root"
    Outgoing = Pool().get('mvp.document.outgoing')
    File = Pool().get('mvp.document.file')
    with without_check_access():
        file = File.store('du-thao.pdf', b'%PDF-1.4 ' + key.encode()
            + state.encode())
        document, = Outgoing.create([{
                    **outgoing_values(province.agency(key), person),
                    'state': state, 'file': file.id,
                    'file_name': 'du-thao.pdf', **values}])
    return document


@in_transaction
def test_annex_cannot_take_another_agency_file():
    "Files are reached through their documents: an annex cannot name one"
    Annex = Pool().get('mvp.document.annex')
    clerk = province.user('vanthu.phohien')
    theirs = outgoing_in('tinh', 'issued', province.user('vanthu.tinh'))
    mine = incoming_received(clerk)
    with without_check_access():
        own, = Annex.create([{'resource': str(mine), 'file_name': 'a.pdf',
                    'file_data': b'%PDF-1.4 own annex'}])
    with acting_as('vanthu.phohien'):
        with pytest.raises(AccessError):
            Annex.create([{'resource': str(mine), 'file': theirs.file.id,
                        'file_name': 'lay.pdf'}])
        with pytest.raises(AccessError):
            Annex.write([Annex(own.id)], {'file': theirs.file.id})
        # Uploading is how a file gets in.
        Annex.write([Annex(own.id)], {'file_data': b'%PDF-1.4 new bytes'})


@pytest.mark.parametrize('login, model, make', [
        ('vanthu.snv', 'mvp.document.incoming', 'incoming'),
        ('chuyenvien.snv', 'mvp.document.outgoing', 'outgoing'),
        ])
@in_transaction
def test_copy_reads_only_what_it_may(login, model, make):
    "A copy into one's own agency is no way to read another's document"
    Model = Pool().get(model)
    person = province.user(login)
    owner = province.user('vanthu.tinh')
    source = (incoming_received(owner) if make == 'incoming'
        else outgoing_draft(owner))
    default = {'company': person.company.id}
    if make == 'outgoing':
        default['drafter'] = person.id
    with acting_as(login):
        with pytest.raises(AccessError):
            Model.copy([Model(source.id)], default=default)


@pytest.mark.parametrize('model', [
        'mvp.assignment', 'mvp.document.incoming', 'mvp.document.delivery'])
@in_transaction
def test_export_reads_only_what_it_may(model):
    "export_data checks the rules as read does, through relations too"
    Model = Pool().get(model)
    document = incoming("Kế hoạch chuyển đổi số")
    ids = {
        'mvp.assignment': [a.id for a in document.assignments],
        'mvp.document.incoming': [document.id],
        'mvp.document.delivery': distributed()[1],
        }[model]
    with acting_as('chuyenvien.snv'):
        for id_ in ids:
            with pytest.raises(AccessError):
                Model.export_data([Model(id_)], ['rec_name'])


@pytest.mark.parametrize('operation', ['write', 'delete', 'annex'])
@in_transaction
def test_refusals_name_no_record_of_another_agency(operation):
    "The error of a change to another agency's document names nothing of it"
    pool = Pool()
    Outgoing = pool.get('mvp.document.outgoing')
    Annex = pool.get('mvp.document.annex')
    document = outgoing_in('tinh', 'issued', province.user('vanthu.tinh'))
    with acting_as('vanthu.phohien'):
        with pytest.raises(AccessError) as error:
            if operation == 'write':
                Outgoing.write([Outgoing(document.id)], {'abstract': "Sửa"})
            elif operation == 'delete':
                Outgoing.delete([Outgoing(document.id)])
            else:
                Annex.create([{'resource': str(document),
                            'file_name': 'a.pdf',
                            'file_data': b'%PDF-1.4 annex'}])
    assert document.abstract not in error.value.message


@in_transaction
def test_notification_of_secret_document_carries_nothing_of_it():
    "Who is told of a secret document reads it in the document, logged"
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    document = incoming("Công điện về bảo đảm an ninh")
    assert document.secrecy != 'normal'
    uncleared = province.user('chuyenvien2.tinh')
    transaction = Transaction()
    del transaction.user_notifications[:]
    with without_check_access():
        Incoming._assign([document], uncleared, [], [], dt.date.today(),
            "Chỉ đạo riêng về an ninh")
    notifications = [n for n in transaction.user_notifications
        if getattr(n.user, 'id', n.user) == uncleared.id]
    assert notifications
    for notification in notifications:
        assert document.abstract not in (notification.description or '')
        assert "an ninh" not in (notification.description or '')


def logged(document, event='read'):
    "The log entries of the transaction on document for event"
    return [l for l in Transaction().log_records
        if str(getattr(l, 'resource', '')) == str(document)
        and l.event == event]


def read_rec_name(document):
    Model = document.__class__
    Model.read([document.id], ['rec_name'])


def export(document):
    Model = document.__class__
    Model.export_data([Model(document.id)], ['number'])


def assignment_list(document):
    Assignment = Pool().get('mvp.assignment')
    Assignment.read([a.id for a in document.assignments], ['abstract'])


def thread(document):
    # As the server calls it: access checked by the channel itself.
    with without_check_access():
        Pool().get('ir.chat.channel').get(str(document))


def note(document):
    Note = Pool().get('ir.note')
    with without_check_access():
        note, = Note.create([{'resource': str(document),
                    'message': "Ghi chú mật"}])
    Note.read([note.id], ['message'])


def attachment(document):
    Attachment = Pool().get('ir.attachment')
    with without_check_access():
        attachment, = Attachment.create([{'resource': str(document),
                    'name': 'mat.txt', 'data': b'secret'}])
    Attachment.read([attachment.id], ['data'])


@pytest.mark.parametrize('path, event', [
        (read_rec_name, 'read'),
        (export, 'read'),
        (assignment_list, 'read'),
        (thread, 'read'),
        (note, 'read'),
        (attachment, 'download'),
        ], ids=lambda v: getattr(v, '__name__', v))
@in_transaction
def test_secret_document_read_is_logged_on_every_path(path, event):
    document = incoming("Công điện về bảo đảm an ninh")
    with acting_as('lanhdao.tinh'):
        del Transaction().log_records[:]
        path(document)
        assert logged(document, event)


@in_transaction
def test_annex_cannot_move_into_issued_document():
    Annex = Pool().get('mvp.document.annex')
    clerk = province.user('vanthu.tinh')
    draft = outgoing_in('tinh', 'draft', clerk)
    issued = outgoing_in('tinh', 'issued', clerk)
    theirs = outgoing_in('snv', 'draft', province.user('vanthu.snv'))
    with without_check_access():
        annex, = Annex.create([{'resource': str(draft), 'file_name': 'a.pdf',
                    'file_data': b'%PDF-1.4 annex to move'}])
    with acting_as('vanthu.tinh'):
        with pytest.raises(ImmutableError):
            Annex.write([Annex(annex.id)], {'resource': str(issued)})
        with pytest.raises(AccessError):
            Annex.write([Annex(annex.id)], {'resource': str(theirs)})
    assert Annex(annex.id).resource == draft


@pytest.mark.parametrize('state, frozen', [
        ('draft', False), ('review', False), ('approval', True)])
@in_transaction
def test_file_frozen_once_sent_for_approval(state, frozen):
    "The leader signs the file and annexes that were sent to them"
    pool = Pool()
    Outgoing = pool.get('mvp.document.outgoing')
    Annex = pool.get('mvp.document.annex')
    person = province.user('chuyenvien.tinh')
    document = outgoing_in('tinh', state, person)
    file = document.file
    changes = [
        lambda: Outgoing.write([Outgoing(document.id)], {
                'file_data': b'%PDF-1.4 swapped'}),
        lambda: Annex.create([{'resource': str(document),
                    'file_name': 'them.pdf',
                    'file_data': b'%PDF-1.4 added annex'}]),
        ]
    with acting_as('chuyenvien.tinh'):
        for change in changes:
            if frozen:
                with pytest.raises(ImmutableError):
                    change()
            else:
                change()
        # What the review says is still written.
        if state != 'draft':
            Outgoing.write([Outgoing(document.id)], {'note': "Ý kiến"})
    assert (Outgoing(document.id).file == file) == frozen


@in_transaction
def test_register_of_the_year_stays_open():
    "Closing or renaming the year's register does not start a new series"
    pool = Pool()
    Register = pool.get('mvp.register')
    Incoming = pool.get('mvp.document.incoming')
    current = register('incoming')
    number = current.next_number
    with acting_as('quantri.tinh'):
        with pytest.raises(AccessError):
            Register.write([Register(current.id)], {'active': False})
        Register.write([Register(current.id)], {'name': "Sổ đổi tên"})
    # Closed all the same (by the provincial administrator's tools): the
    # next document is numbered in it.
    with without_check_access():
        Register.write([Register(current.id)], {'active': False})
    document = incoming_received(province.user('vanthu.tinh'))
    with acting_as('vanthu.tinh'):
        Incoming.enter([Incoming(document.id)])
    document = Incoming(document.id)
    assert (document.register, document.number) == (current, number)


@in_transaction
def test_wizard_session_is_its_user_s():
    "Sessions are numbered in sequence: another's is not to run or delete"
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Assign = pool.get('mvp.document.incoming.assign', type='wizard')
    document = incoming("Về việc hướng dẫn xây dựng dự toán")
    context = {'active_model': Incoming.__name__, 'active_id': document.id,
        'active_ids': [document.id]}
    with acting_as('lanhdao.tinh'), Transaction().set_context(context):
        session_id, _, _ = Assign.create()
        Assign.execute(session_id, {'start': {'instruction': "Riêng"}},
            'start')
    with acting_as('truongphong.tinh'), Transaction().set_context(context):
        for attempt in [
                lambda: Assign.execute(session_id, {}, 'start'),
                lambda: Assign.delete(session_id),
                ]:
            with pytest.raises(AccessError):
                attempt()


@in_transaction
def test_what_hangs_on_another_agency_annex_is_closed():
    "Attachments, notes and signatures of an annex are reached as the annex"
    pool = Pool()
    Annex = pool.get('mvp.document.annex')
    Attachment = pool.get('ir.attachment')
    Note = pool.get('ir.note')
    theirs = outgoing_in('snv', 'draft', province.user('vanthu.snv'))
    with without_check_access():
        annex, = Annex.create([{'resource': str(theirs), 'file_name': 'a.pdf',
                    'file_data': b'%PDF-1.4 their annex'}])
        note, = Note.create([{'resource': str(annex), 'message': "Riêng"}])
    for login in ['quantri.tinh', 'vanthu.tinh']:
        with acting_as(login):
            with pytest.raises(AccessError):
                Attachment.create([{'resource': str(annex), 'name': 'x',
                            'data': b'x'}])
            with pytest.raises(AccessError):
                Note.read([note.id], ['message'])
            found = []
            outcome(lambda: found.extend(
                    Note.search([('resource', '=', str(annex))])))
            assert not found


@pytest.mark.parametrize('field', ['reply_to', 'annexes'])
@in_transaction
def test_links_only_to_what_one_reads(field):
    "Linking to a record is no way to reach it, nor to learn its name"
    pool = Pool()
    Outgoing = pool.get('mvp.document.outgoing')
    Annex = pool.get('mvp.document.annex')
    person = province.user('chuyenvien.snv')
    mine = outgoing_draft(person)
    theirs = incoming("Kế hoạch chuyển đổi số")
    with without_check_access():
        annex, = Annex.create([{'resource': str(theirs),
                    'file_name': 'a.pdf', 'file_data': b'%PDF-1.4 theirs'}])
    value = {'reply_to': theirs.id, 'annexes': [('add', [annex.id])]}[field]
    with acting_as('chuyenvien.snv'):
        with pytest.raises(AccessError) as error:
            Outgoing.write([Outgoing(mine.id)], {field: value})
    assert theirs.abstract not in error.value.message
    assert Annex(annex.id).resource == theirs
