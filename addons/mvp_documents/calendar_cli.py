"""``mvp calendar``: working days as a calendar counts them.

Without a database, the calendar is the national one: weekends and Vietnam's
public holidays. With ``-d``, it is the province's calendar of that database,
or an agency's with ``--agency``. Messages are in Vietnamese, the language of
the administrators.
"""
import argparse
import datetime as dt
import os
import sys

from . import worktime

PROG = 'mvp calendar'
WEEKDAYS = [
    "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy",
    "Chủ Nhật"]


def register(subparsers):
    parser = subparsers.add_parser(
        'calendar', help="lịch làm việc: ngày làm việc, ngày nghỉ",
        description="Tính ngày làm việc theo lịch làm việc: lịch quốc gia "
        "(cuối tuần, ngày lễ, Tết), hoặc lịch của tỉnh, của một cơ quan "
        "trong một cơ sở dữ liệu.")
    commands = parser.add_subparsers(dest='calendar_command', metavar='LỆNH')
    commands.required = True

    add_days = commands.add_parser(
        'add-days', help="in ngày sau NGÀY một số ngày làm việc",
        description="In ngày là N ngày làm việc sau NGÀY (không kể NGÀY), "
        "dạng YYYY-MM-DD.")
    add_days.add_argument(
        'day', metavar='NGÀY', type=_date,
        help="ngày bắt đầu, dạng YYYY-MM-DD hoặc DD/MM/YYYY")
    add_days.add_argument(
        'count', metavar='N', type=_count, help="số ngày làm việc")
    _database_arguments(add_days)
    add_days.set_defaults(func=run_add_days)

    days_off = commands.add_parser(
        'holidays', help="liệt kê các ngày nghỉ của một năm",
        description="Liệt kê các ngày nghỉ lễ, Tết, nghỉ bù, nghỉ hoán đổi "
        "của NĂM, và các ngày cuối tuần làm việc bù.")
    days_off.add_argument('year', metavar='NĂM', type=_year, help="năm")
    _database_arguments(days_off)
    days_off.set_defaults(func=run_holidays)


def _database_arguments(parser):
    parser.add_argument(
        '--agency', metavar='MÃ',
        help="mã định danh (như 000.00.31.H31) hoặc tên viết tắt của cơ "
        "quan; cần -d")
    parser.add_argument(
        '-c', '--config', default=os.environ.get('TRYTOND_CONFIG'),
        help="tệp cấu hình trytond (mặc định: $TRYTOND_CONFIG)")
    parser.add_argument(
        '-d', '--database', help="cơ sở dữ liệu có lịch làm việc cần dùng")


def _date(text):
    for format_ in ['%Y-%m-%d', '%d/%m/%Y']:
        try:
            return dt.datetime.strptime(text, format_).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(
        f"ngày không hợp lệ: {text!r} (cần YYYY-MM-DD hoặc DD/MM/YYYY)")


def _count(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"số ngày làm việc không hợp lệ: {text!r} (cần số nguyên >= 0)")
    return value


def _year(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1995 <= value <= 2099:
        raise argparse.ArgumentTypeError(
            f"năm không hợp lệ: {text!r} (từ 1995 đến 2099)")
    return value


def _fail(command, message):
    print(f'{PROG} {command}: {message}', file=sys.stderr)
    return 2


def _calendar(command, args):
    "Return the calendar the arguments name, or the exit status of failing"
    if not args.database:
        if args.agency:
            return None, _fail(command, "--agency cần cơ sở dữ liệu (-d)")
        return worktime.DEFAULT, None
    from trytond import config
    if args.config:
        config.update_etc(os.path.abspath(args.config))
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    try:
        if args.database not in Pool.database_list():
            Pool(args.database).init()
    except Exception as error:
        return None, _fail(command, "không mở được cơ sở dữ liệu "
            f"{args.database!r}: {error}")
    with Transaction().start(args.database, 0, readonly=True):
        pool = Pool()
        Calendar = pool.get('mvp.calendar')
        Unit = pool.get('mvp.unit')
        company = None
        if args.agency:
            units = Unit.search([
                    ('kind', '!=', 'division'),
                    ['OR',
                        ('identifier', '=', args.agency),
                        ('code', '=', args.agency)],
                    ])
            exact = [u for u in units if u.identifier == args.agency]
            units = exact or units
            if not units:
                return None, _fail(command,
                    f"không có cơ quan nào mã {args.agency!r}")
            if len(units) > 1:
                return None, _fail(command,
                    f"nhiều cơ quan viết tắt {args.agency!r}, hãy dùng mã "
                    "định danh: " + ', '.join(
                        f'{u.identifier or "?"} ({u.name})' for u in units))
            unit, = units
            company = unit.company
        return Calendar.working_of(company), None


def run_add_days(args):
    calendar, status = _calendar('add-days', args)
    if status is not None:
        return status
    try:
        day = calendar.add_working_days(args.day, args.count)
    except ValueError as error:
        return _fail('add-days', str(error))
    print(day.isoformat())
    return 0


def run_holidays(args):
    calendar, status = _calendar('holidays', args)
    if status is not None:
        return status
    for day, working, name in calendar.special_days(args.year):
        kind = "làm việc" if working else "nghỉ"
        print(f'{day.isoformat()}  {WEEKDAYS[day.weekday()]:<8}  '
            f'{kind:<8}  {name}'.rstrip())
    return 0
