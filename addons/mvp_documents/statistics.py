"""Annual statistics of Art. 12.7, per agency and for the province.

Each figure is one aggregate query (GROUP BY), never a query per record,
so that the provincial figures of a decade's documents stay quick."""
import datetime as dt
import io

from sql import Literal, Null
from sql.aggregate import Count, Min
from sql.conditionals import Case

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from . import worktime

DIMENSIONS = ['type', 'urgency', 'field_of_work']


def companies_allowed(company=None):
    """Return the agencies the user may count: all for the provincial
    administrators and oversight, her own otherwise; None means all"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    transaction = Transaction()
    if not transaction.user or transaction.user == 0:
        wide = True
    else:
        groups = set(User.get_groups())
        wide = bool(groups & {
                ModelData.get_id('mvp_documents', 'group_admin_province'),
                ModelData.get_id('mvp_documents', 'group_oversight')})
    own = None if wide else {
        c.id for c in User(transaction.user).companies}
    if company is not None:
        company = int(company)
        return {company} & own if own is not None else {company}
    return own


def _where(table, companies):
    if companies is None:
        return Literal(True)
    if not companies:
        return Literal(False)
    return table.company.in_(list(companies))


def figures(year, companies=None):
    """Return the figures of the year for the agencies (None: all) as
    {name: [(company id, key, count), ...]}

    This is the function the board benchmark times."""
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Assignment = pool.get('mvp.assignment')
    Delivery = pool.get('mvp.document.delivery')
    cursor = Transaction().connection.cursor()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    result = {}
    for name, Model, date in [
            ('incoming', Incoming, 'registered_date'),
            ('outgoing', Outgoing, 'issue_date')]:
        table = Model.__table__()
        where = (_where(table, companies)
            & (getattr(table, date) >= first) & (getattr(table, date) <= last))
        for dimension in DIMENSIONS:
            column = getattr(table, dimension)
            cursor.execute(*table.select(
                    table.company, column, Count(),
                    where=where, group_by=[table.company, column]))
            result[f'{name}_{dimension}'] = sorted(
                cursor, key=lambda r: (r[0], str(r[1])))

    # Processing of incoming documents: the main handlers' assignments.
    incoming = Incoming.__table__()
    assignment = Assignment.__table__()
    today = pool.get('ir.date').today()
    state = Case(
        ((assignment.state == 'done') & (assignment.late == Literal(True)),
            'late'),
        (assignment.state == 'done', 'on_time'),
        ((assignment.deadline != Null) & (assignment.deadline < today),
            'overdue'),
        else_='pending')
    # Grouped outside: PostgreSQL does not match a CASE of parameters in
    # GROUP BY with the same CASE in the select.
    handled = assignment.join(
        incoming, condition=assignment.incoming == incoming.id).select(
        incoming.company.as_('company'), state.as_('state'),
        where=_where(incoming, companies)
        & (assignment.role == 'main')
        & assignment.state.in_(['open', 'done'])
        & (incoming.registered_date >= first)
        & (incoming.registered_date <= last))
    cursor.execute(*handled.select(
            handled.company, handled.state, Count(),
            group_by=[handled.company, handled.state]))
    result['processing'] = sorted(cursor)

    # Sent electronically within Art. 4.2: first sending against the issue
    # day, grouped by both so that the working calendar is applied per pair.
    outgoing = Outgoing.__table__()
    delivery = Delivery.__table__()
    first_sent = delivery.select(
        delivery.outgoing, Min(delivery.create_date).as_('sent'),
        group_by=[delivery.outgoing])
    cursor.execute(*outgoing.join(first_sent, 'LEFT',
            condition=first_sent.outgoing == outgoing.id).select(
            outgoing.company, outgoing.issue_date, first_sent.sent,
            Count(),
            where=_where(outgoing, companies)
            & (outgoing.issue_date >= first) & (outgoing.issue_date <= last),
            group_by=[outgoing.company, outgoing.issue_date, first_sent.sent]))
    Calendar = pool.get('mvp.calendar')
    rows = list(cursor)
    calendars = Calendar.of_companies({
            pool.get('company.company')(r[0]) for r in rows})
    working = {c: (k.working() if k else worktime.DEFAULT)
        for c, k in calendars.items()}
    sent = {}
    for company, issued, first_send, count in rows:
        if isinstance(issued, str):
            issued = dt.date.fromisoformat(issued)
        if isinstance(first_send, str):
            first_send = dt.datetime.fromisoformat(first_send)
        if first_send is None:
            key = 'not_sent'
        else:
            limit = working[company].send_deadline(
                dt.datetime.combine(issued, dt.time(12), worktime.TZ))
            moment = first_send.replace(tzinfo=dt.timezone.utc)
            key = 'within' if moment <= limit else 'late'
        sent[company, key] = sent.get((company, key), 0) + count
    result['sending'] = sorted((c, k, n) for (c, k), n in sent.items())
    return result


def tables(year, companies=None):
    """Return the figures as titled tables of labelled rows, for the PDF
    and the spreadsheet"""
    pool = Pool()
    Company = pool.get('company.company')
    Incoming = pool.get('mvp.document.incoming')
    Type = pool.get('mvp.document.type')
    Field = pool.get('mvp.document.field')
    data = figures(year, companies)
    names = {c.id: c.rec_name for c in Company.browse(
            {r[0] for rows in data.values() for r in rows})}
    urgency = dict(Incoming.fields_get(['urgency'])['urgency']['selection'])
    labels = {
        'type': lambda k: Type(k).name if k else '',
        'urgency': lambda k: urgency.get(k, k or ''),
        'field_of_work': lambda k: Field(k).name if k else '',
        }
    result = []
    for key, rows in data.items():
        dimension = key.split('_', 1)[-1]
        label = labels.get(dimension, lambda k: k)
        result.append((key, [(names[c], label(k), n) for c, k, n in rows]))
    return result


class StatisticsStart(ModelView):
    "Annual statistics"
    __name__ = 'mvp.statistics.start'
    __string__ = "Annual Statistics"

    year = fields.Integer("Year", required=True)
    company = fields.Many2One(
        'company.company', "Agency",
        help="Leave empty for all the agencies you oversee.")
    format = fields.Selection([
            ('pdf', "PDF"),
            ('xlsx', "Spreadsheet"),
            ], "Format", required=True)

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_format(cls):
        return 'pdf'


class StatisticsWizard(Wizard):
    "Annual statistics"
    __name__ = 'mvp.statistics'
    start = StateView('mvp.statistics.start',
        'mvp_documents.statistics_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('mvp.statistics.report')

    def do_print_(self, action):
        return action, {
            'year': self.start.year,
            'company': self.start.company.id if self.start.company else None,
            'format': self.start.format,
            }

    def transition_print_(self):
        return 'end'


class StatisticsReport(Report):
    "Annual statistics"
    __name__ = 'mvp.statistics.report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['year'] = data['year']
        context['tables'] = tables(
            data['year'], companies_allowed(data.get('company')))
        context['titles'], context['keys'] = TITLES, KEYS
        return context

    @classmethod
    def execute(cls, ids, data):
        if data.get('format') != 'xlsx':
            return super().execute(ids, data)
        return ('xlsx', spreadsheet(data['year'], tables(
                    data['year'], companies_allowed(data.get('company')))),
            False, f"thong-ke-{data['year']}")


TITLES = {
    'incoming_type': "Văn bản đến theo loại",
    'incoming_urgency': "Văn bản đến theo độ khẩn",
    'incoming_field_of_work': "Văn bản đến theo lĩnh vực",
    'outgoing_type': "Văn bản đi theo loại",
    'outgoing_urgency': "Văn bản đi theo độ khẩn",
    'outgoing_field_of_work': "Văn bản đi theo lĩnh vực",
    'processing': "Tình hình giải quyết văn bản đến",
    'sending': "Văn bản đi gửi điện tử theo Điều 4.2",
    }
KEYS = {
    'on_time': "Đúng hạn", 'late': "Quá hạn", 'overdue': "Đang quá hạn",
    'pending': "Đang giải quyết", 'within': "Đúng thời hạn gửi",
    'not_sent': "Chưa gửi",
    }


def spreadsheet(year, tables):
    "Return the tables as an xlsx workbook, one sheet per figure"
    from openpyxl import Workbook
    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, rows in tables:
        sheet = workbook.create_sheet(key[:31])
        sheet.append([f"{TITLES[key]} — năm {year}"])
        sheet.append(["Cơ quan", "Phân loại", "Số lượng"])
        for agency, label, count in rows:
            sheet.append([agency, KEYS.get(label, label), count])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
