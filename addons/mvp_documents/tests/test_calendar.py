"""``mvp calendar``, on the national calendar and on a database's."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from trytond.modules.mvp_documents.cli import main

MVP = Path(sys.executable).parent / 'mvp'


def test_add_days_across_tet():
    result = subprocess.run(
        [MVP, 'calendar', 'add-days', '2026-02-11', '10'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert (result.returncode, result.stdout) == (0, '2026-03-04\n')


def test_add_days_in_vietnamese_date_format(capsys):
    assert main(['calendar', 'add-days', '13/02/2026', '1']) == 0
    assert capsys.readouterr().out == '2026-02-23\n'


def test_holidays_of_a_year(capsys):
    assert main(['calendar', 'holidays', '2026']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['2026-01-01', 'Thứ', 'Năm', 'nghỉ', 'Tết',
        'Dương', 'lịch']
    assert '2026-02-17  Thứ Ba    nghỉ      Tết Nguyên Đán' in lines
    assert any(line.startswith('2026-08-22  Thứ Bảy   làm việc')
        for line in lines)
    assert len(lines) == 15


@pytest.mark.parametrize('argv', [
        ['add-days', '2026-02-30', '1'],
        ['add-days', '2026-02-03', '-1'],
        ['add-days', '2026-02-03', 'mười'],
        ['holidays', '26'],
        ])
def test_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(['calendar', *argv])
    assert exit_.value.code == 2
    assert 'không hợp lệ' in capsys.readouterr().err


def test_agency_needs_a_database(capsys):
    assert main(['calendar', 'add-days', '2026-02-03', '1',
            '--agency', 'SXD']) == 2
    assert '-d' in capsys.readouterr().err


@pytest.fixture
def database():
    "The test database with a province calendar and an agency's, committed"
    activate_module('mvp_documents')
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Calendar = pool.get('mvp.calendar')
        Unit = pool.get('mvp.unit')
        agency, = Unit.create([{
                    'name': "Sở Xây dựng", 'code': 'SXD', 'kind': 'department',
                    'identifier': '000.00.12.H31'}])
        province = Calendar.province()
        Calendar.write([province], {'days': [('create', [{
                            'date': dt.date(2027, 3, 8), 'kind': 'off',
                            'name': "Nghỉ theo quyết định của tỉnh"}])]})
        Calendar.create([{'agency': agency.id, 'days': [('create', [{
                            'date': dt.date(2027, 3, 9), 'kind': 'off'}])]}])
        transaction.commit()
    yield DB_NAME
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Calendar = pool.get('mvp.calendar')
        Day = pool.get('mvp.calendar.day')
        Unit = pool.get('mvp.unit')
        Day.delete(Day.search([]))
        Calendar.delete(Calendar.search([('agency', '!=', None)]))
        Unit.delete(Unit.search([('code', '=', 'SXD')]))
        transaction.commit()


def test_add_days_in_a_database(database, capsys):
    friday = ['calendar', 'add-days', '2027-03-05', '1', '-d', database]
    assert main(friday) == 0
    assert capsys.readouterr().out == '2027-03-09\n'
    for agency in ['SXD', '000.00.12.H31']:
        assert main([*friday, '--agency', agency]) == 0
        assert capsys.readouterr().out == '2027-03-10\n'


def test_holidays_in_a_database(database, capsys):
    assert main(['calendar', 'holidays', '2027', '-d', database,
            '--agency', 'SXD']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ('2027-03-08  Thứ Hai   nghỉ      Nghỉ theo quyết định của tỉnh'
        in lines)
    assert '2027-03-09  Thứ Ba    nghỉ' in lines


def test_unknown_agency(database, capsys):
    assert main(['calendar', 'add-days', '2027-03-05', '1', '-d', database,
            '--agency', 'KHONG']) == 2
    assert "'KHONG'" in capsys.readouterr().err
