"""Register books (sổ đăng ký văn bản đến / đi) of Decree 30/2020, Appendix IV
§I and §VI, printed for a period: the system's register bound on paper
(Art. 16.2, 22.3)."""
import datetime as dt

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from . import worktime


def day(value):
    "Return a date as written in the books: 05/03/2026"
    if isinstance(value, dt.datetime):
        value = worktime.local_date(value)
    return value.strftime('%d/%m/%Y') if value else ''


class RegisterBook(Report):
    "Register book"
    __name__ = 'mvp.register.book'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        register, = records
        start, end = data.get('start'), data.get('end')
        context['register'] = register
        context['start'], context['end'] = day(start), day(end)
        context['day'] = day
        context['rows'] = getattr(cls, f'_{register.direction}_rows')(
            register, start, end)
        return context

    @classmethod
    def _period(cls, field, start, end):
        domain = []
        if start:
            domain.append((field, '>=', start))
        if end:
            domain.append((field, '<=', end))
        return domain

    @classmethod
    def _incoming_rows(cls, register, start, end):
        Incoming = Pool().get('mvp.document.incoming')
        # The reader's record rules apply: a book shows what she may read.
        documents = Incoming.search([
                ('register', '=', register.id),
                ('number', '!=', None),
                ] + cls._period('registered_date', start, end),
            order=[('number', 'ASC')])
        rows = []
        for document in documents:
            main = [a for a in document.assignments if a.role == 'main']
            rows.append({
                    'received': day(document.received_date),
                    'number': document.number,
                    'sender': document.sender or '',
                    'number_symbol': document.number_symbol or '',
                    'date': day(document.document_date),
                    'type': document.type.name if document.type else '',
                    'abstract': document.abstract,
                    'handler': ', '.join(a.user.name for a in main),
                    'sent': day(main[0].assigned_date) if main else '',
                    'note': document.note or '',
                    })
        return rows

    @classmethod
    def _outgoing_rows(cls, register, start, end):
        Outgoing = Pool().get('mvp.document.outgoing')
        documents = Outgoing.search([
                ('register', '=', register.id),
                ('number', '!=', None),
                ] + cls._period('issue_date', start, end),
            order=[('number', 'ASC')])
        rows = []
        for document in documents:
            recipients = [u.name for u in document.recipients]
            if document.external_recipients:
                recipients.append(document.external_recipients)
            sent = [d.received_date for d in document.deliveries
                if d.received_date]
            rows.append({
                    'number_symbol': document.number_symbol or '',
                    'date': day(document.issue_date),
                    'type': document.type.name if document.type else '',
                    'abstract': document.abstract,
                    'signer': document.signer.name if document.signer else '',
                    'recipients': '; '.join(recipients),
                    'kept_by': (document.department.name
                        if document.department else ''),
                    'copies': '',
                    'sent': day(min(sent)) if sent else '',
                    'note': document.note or '',
                    })
        return rows


class PrintBookStart(ModelView):
    "Print register book"
    __name__ = 'mvp.register.book.print.start'
    __string__ = "Print Register Book"

    register = fields.Many2One('mvp.register', "Register", required=True)
    start = fields.Date("From", required=True)
    end = fields.Date("To", required=True)

    @classmethod
    def default_start(cls):
        today = Pool().get('ir.date').today()
        return today.replace(month=1, day=1)

    @classmethod
    def default_end(cls):
        return Pool().get('ir.date').today()


class PrintBook(Wizard):
    "Print register book"
    __name__ = 'mvp.register.book.print'
    start = StateView('mvp.register.book.print.start',
        'mvp_documents.register_book_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('mvp.register.book')

    def default_start(self, fields):
        context = Transaction().context
        if context.get('active_model') == 'mvp.register' and self.record:
            register = self.record
            return {
                'register': register.id,
                'start': dt.date(register.year, 1, 1),
                'end': min(dt.date(register.year, 12, 31),
                    Pool().get('ir.date').today()),
                }
        return {}

    def do_print_(self, action):
        register = self.start.register
        return action, {
            'id': register.id,
            'ids': [register.id],
            'model': 'mvp.register',
            'start': self.start.start,
            'end': self.start.end,
            }

    def transition_print_(self):
        return 'end'
