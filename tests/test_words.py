"""No ERP words on the e-office's screens, on the demo province.

Agencies keep no accounts: no currency on the agency's form nor after the
user's name, no tax identifiers, no "company"; years and register numbers
show without thousands separator (2026, not 2.026); the parties of Tryton
are for administrators. The words of the web client itself (title bar) are
checked in the real client by tests/test_staff.py.
"""
from lxml import etree

import pytest

from trytond.pool import Pool
from trytond.tests.test_tryton import drop_db, with_transaction

from trytond.modules.mvp_documents.database import MODULES

import province
from province import acting_as


@pytest.fixture(scope='module', autouse=True)
def demo_province():
    province.activate_demo()
    yield
    drop_db()


in_transaction = with_transaction(user=0)


def view_fields(model, view_id):
    "{name: (field type, attributes)} of the fields shown by a view"
    Model = Pool().get(model)
    view = Model.fields_view_get(view_id=view_id)
    arch = etree.fromstring(view['arch'])
    return {e.get('name'): (view['fields'][e.get('name')]['type'], e.attrib)
        for e in arch.iter('field') if e.get('name') in view['fields']}


@in_transaction
def test_agency_company_speaks_no_money():
    pool = Pool()
    Company = pool.get('company.company')
    ModelData = pool.get('ir.model.data')
    form = ModelData.get_id('company', 'company_view_form')
    with acting_as('quantri'):
        shown = view_fields('company.company', form)
    assert not {'currency', 'tax_identifiers'} & set(shown)
    # The currency the company module requires, in Vietnamese
    assert {c.currency.name for c in Company.search([])} == {"Đồng Việt Nam"}


@in_transaction
def test_unit_form_without_company():
    ModelData = Pool().get('ir.model.data')
    form = ModelData.get_id('mvp_documents', 'unit_view_form')
    with acting_as('quantri'):
        assert 'company' not in view_fields('mvp.unit', form)


@pytest.mark.parametrize('login', ['vanthu.tinh', 'quantri.tinh', 'quantri'])
@in_transaction
def test_status_bar_without_currency(login):
    User = Pool().get('res.user')
    with acting_as(login) as person:
        preferences = User.get_preferences()
    assert preferences['status_bar'] == person.name


@pytest.mark.parametrize('login, shown', [
        ('vanthu.tinh', False),
        ('chuyenvien.phohien', False),
        ('quantri.tinh', False),
        ('quantri', True),
        ])
@in_transaction
def test_party_menu_for_administrators(login, shown):
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    ModelData = pool.get('ir.model.data')
    party = ModelData.get_id('party', 'menu_party')
    with acting_as(login):
        menus = Menu.search([('id', '=', party)])
    assert bool(menus) is shown


@in_transaction
def test_years_and_numbers_without_thousands_separator():
    "Every year and register number our views show reads 2026, not 2.026"
    pool = Pool()
    View = pool.get('ir.ui.view')
    checked, grouped = [], []
    for view in View.search([
                ('module', 'in', MODULES), ('type', 'in', ['form', 'tree']),
                ('inherit', '=', None)]):
        for name, (type_, attributes) in view_fields(
                view.model, view.id).items():
            if type_ == 'integer' and (name in {'year', 'number'}
                    or name.endswith(('_year', '_number'))):
                checked.append(f'{view.model}:{view.name}:{name}')
                if attributes.get('grouping') != '0':
                    grouped.append(checked[-1])
    assert grouped == []
    assert 'mvp.register:register_list:year' in checked
