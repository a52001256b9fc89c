"""Reminders: before a deadline, once it has passed, each morning's digest,
and the clerks' sending deadline of Art. 4.2.

Scheduled actions (trytond-cron) find what to tell whom; each reminder is
remembered (mvp.reminder, one per person and event), so that none is sent
twice however often they run. It goes to the bell (res.notification) of
those who chose it in their preferences, and to the email of those who
chose it there, through an email template and the task queue
(trytond-worker), so that a mail server down delays the mail and nothing
else. Digests go out on the working days of the person's agency.

The abstract of a document that is not of normal secrecy reaches the bell
only of a person cleared for it, and never an email: mailboxes are outside
the system (Art. 4.6).
"""
import datetime as dt
from collections import defaultdict

from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from . import worktime
from .document import SECRECY

KINDS = [
    ('due_soon', "Work Due Soon"),
    ('overdue', "Work Overdue"),
    ('digest', "Daily Digest"),
    ('send', "Sending Deadline"),
    ]
EMAIL = ['digest']


def clearance_allows(user, document):
    "Whether user may read what document says"
    keys = [k for k, _ in SECRECY]
    return keys.index(document.secrecy) <= keys.index(
        user.clearance or 'normal')


class Reminder(ModelSQL, ModelView):
    "Reminder sent to a person, kept so that none is sent twice"
    __name__ = 'mvp.reminder'
    __string__ = "Reminder"

    user = fields.Many2One(
        'res.user', "Person", required=True, readonly=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    event = fields.Char(
        "Event", required=True, readonly=True,
        help="What the reminder is about: a person gets one per event.")
    resource = fields.Reference(
        "Document", selection=[
            (None, ''),
            ('mvp.document.incoming', "Incoming Document"),
            ('mvp.document.outgoing', "Outgoing Document"),
            ], readonly=True)
    subject = fields.Char("Subject", readonly=True)
    body = fields.Text(
        "Body", readonly=True,
        help="What the email says: never the abstract of a document that "
        "is not of normal secrecy.")
    notified = fields.Boolean("In the Bell", readonly=True)
    emailed = fields.DateTime("Emailed", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('event_unique', Unique(t, t.user, t.event),
                'mvp_documents.msg_reminder_event_unique'),
            ]
        cls._order.insert(0, ('create_date', 'DESC'))

    @classmethod
    def default_notified(cls):
        return False

    @classmethod
    @without_check_access
    def remind(cls):
        "Remind the work due soon and overdue, and the sends due or late"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Outgoing = pool.get('mvp.document.outgoing')
        Lang = pool.get('ir.lang')
        now = dt.datetime.now()
        today = pool.get('ir.date').today()
        work = Assignment.search([
                ('state', '=', 'open'),
                ('role', '!=', 'inform'),
                ('deadline_state', 'in', ['due_soon', 'overdue']),
                ])
        sends = Outgoing.search([
                ('state', '=', 'issued'),
                ('send_deadline', '!=', None),
                ])
        events = []
        for assignment in work:
            document = assignment.incoming
            state = assignment.deadline_state
            events.append((assignment.user, state,
                    f'{state}:{assignment.id}:{assignment.deadline}',
                    document, lambda lang, d=document, a=assignment, s=state:
                    gettext(f'mvp_documents.msg_reminder_{s}',
                        document=d.number or '',
                        deadline=lang.strftime(a.deadline))))
        clerks = Outgoing.staff(
            {o.company for o in sends}, 'group_clerk')
        for document in sends:
            deadline = document.send_deadline.replace(
                tzinfo=dt.timezone.utc).astimezone(worktime.TZ)
            if document.send_deadline < now:
                late = 'late'
            elif deadline.date() == today:
                late = 'due'
            else:
                continue
            for clerk in clerks[document.company.id]:
                events.append((clerk, 'send', f'send_{late}:{document.id}',
                        document, lambda lang, d=document, l=late,
                        t=deadline: gettext(
                            f'mvp_documents.msg_reminder_send_{l}',
                            document=d.number_symbol or '',
                            deadline=lang.strftime(t, '%H:%M %d/%m/%Y'))))
        return cls._send(events, Lang)

    @classmethod
    @without_check_access
    def send_digests(cls):
        "Tell each person, once a working day, what waits for them"
        pool = Pool()
        User = pool.get('res.user')
        Calendar = pool.get('mvp.calendar')
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        today = pool.get('ir.date').today()
        users = User.search([
                ('groups', 'in', [ModelData.get_id('mvp_documents', g)
                        for g in ['group_clerk', 'group_leader', 'group_head',
                            'group_specialist']]),
                ('company', '!=', None),
                ])
        calendars = {c: (k.working() if k else worktime.DEFAULT)
            for c, k in Calendar.of_companies(
                {u.company for u in users}).items()}
        counts = cls._digest_counts(users)
        events = []
        for user in users:
            # On the working days of the person's agency.
            if not calendars[user.company.id].is_working_day(today):
                continue
            lines = counts.get(user.id)
            if not lines:
                continue
            events.append((user, 'digest', f'digest:{today}', None,
                    lambda lang, lines=lines: '\n'.join(
                        gettext(f'mvp_documents.msg_digest_{key}',
                            **{k: lang.format_number(v)
                                for k, v in values.items()})
                        for key, values in lines)))
        return cls._send(events, Lang, title='mvp_documents.msg_digest_title',
            date=today)

    @classmethod
    def _digest_counts(cls, users):
        """Return for each person the lines of their digest: [(key,
        values)], only of what is not zero, from the boards' counts"""
        pool = Pool()
        Work = pool.get('mvp.board.work')
        Agency = pool.get('mvp.board.agency')
        Outgoing = pool.get('mvp.document.outgoing')
        ModelData = pool.get('ir.model.data')
        work = defaultdict(lambda: defaultdict(int))
        agencies = {}
        with Transaction().set_context(board='province'):
            for row in Work.search([]):
                for name in ['overdue', 'due_soon', 'total']:
                    work[row.user.id][name] += getattr(row, name)
            for row in Agency.search([]):
                agencies[row.company.id] = row
        outgoing = Outgoing.__table__()
        cursor = Transaction().connection.cursor()
        waiting = defaultdict(int)
        for state, column in [
                ('approval', outgoing.signer), ('review', outgoing.reviewer)]:
            cursor.execute(*outgoing.select(column, Count(),
                    where=(outgoing.state == state) & (column != None),  # noqa: E711
                    group_by=[column]))
            for user_id, count in cursor:
                waiting[user_id] += count

        def group(xml_id):
            return ModelData.get_id('mvp_documents', xml_id)
        clerk, leader, head = map(
            group, ['group_clerk', 'group_leader', 'group_head'])
        members = {u.id: {g.id for g in u.groups} for u in users}
        result = {}
        for user in users:
            lines = []
            mine = work.get(user.id)
            if mine and mine['total']:
                lines.append(('work', dict(mine)))
            agency = agencies.get(user.company.id)
            groups = members[user.id]
            if agency and clerk in groups and (
                    agency.to_register or agency.to_send):
                lines.append(('clerk', {
                            'to_register': agency.to_register,
                            'to_send': agency.to_send,
                            'late_sends': agency.late_sends}))
            if agency and groups & {leader, head} and agency.to_assign:
                lines.append(('to_assign', {'to_assign': agency.to_assign}))
            if waiting.get(user.id):
                lines.append(('waiting', {'waiting': waiting[user.id]}))
            if lines:
                result[user.id] = lines
        return result

    @classmethod
    def _send(cls, events, Lang, title=None, **variables):
        """Remember and send the reminders of events not sent yet:
        (user, kind, event, document, text(lang)); return the reminders"""
        pool = Pool()
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        if not events:
            return []
        known = {(r.user.id, r.event) for r in cls.search([
                    ('event', 'in', list({e[2] for e in events})),
                    ])}
        reminders, notifications, by_email = [], [], []
        for user, kind, event, document, text in events:
            if (user.id, event) in known or not user.active:
                continue
            known.add((user.id, event))
            language = user.language.code if user.language else None
            with Transaction().set_context(language=language):
                lang = Lang.get(language)
                label = text(lang)
                if title:
                    subject = gettext(title, **{
                            k: lang.strftime(v) if isinstance(v, dt.date)
                            else v for k, v in variables.items()})
                    label, body = subject, label
                else:
                    subject, body = label, ''
                    if document is not None:
                        secret = document.secrecy != 'normal'
                        body = gettext(
                            'mvp_documents.msg_reminder_secret')
                        description = (document.abstract
                            if clearance_allows(user, document) else body)
                        if not secret:
                            body = document.abstract
            reminder = cls(user=user, kind=kind, event=event,
                resource=document, subject=subject, body=body)
            if kind in (user.reminders or []):
                reminder.notified = True
                values = dict(user=user.id, label=label,
                    icon='tryton-warning' if kind in {'overdue', 'send'}
                    else 'tryton-notification')
                if document is not None:
                    values.update(description=description,
                        model=document.__name__, records=f'[{document.id}]')
                else:
                    values.update(description=body,
                        action=User.board(user))
                notifications.append(Notification(**values))
            if kind in (user.reminders_email or []) and user.email:
                by_email.append(reminder)
            reminders.append(reminder)
        cls.save(reminders)
        Notification.save(notifications)
        if by_email:
            cls.__queue__.send_email(by_email)
        return reminders

    @classmethod
    @without_check_access
    def send_email(cls, reminders):
        "Send the reminders by email, with the email template"
        pool = Pool()
        Email = pool.get('ir.email')
        Template = pool.get('ir.email.template')
        ModelData = pool.get('ir.model.data')
        template = Template(ModelData.get_id(
                'mvp_documents', 'email_template_reminder'))
        for reminder in reminders:
            if reminder.emailed:
                continue
            user = reminder.user
            language = user.language.code if user.language else None
            with Transaction().set_context(language=language):
                values = Template(template.id).get(reminder)
            if not values.get('to'):
                continue
            Email.send(
                to=', '.join(values['to']), subject=values.get('subject', ''),
                body=values.get('body', ''), record=(cls.__name__, reminder.id))
            reminder.emailed = dt.datetime.now()
        cls.save(reminders)


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    reminders = fields.MultiSelection(
        KINDS, "Reminders in the Bell",
        help="What the system reminds you of in the bell.")
    reminders_email = fields.MultiSelection(
        KINDS, "Reminders by Email",
        help="What it also sends to your email address. The abstract of a "
        "document that is not of normal secrecy never goes by email.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields += ['reminders', 'reminders_email']

    @classmethod
    def __register__(cls, module):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        new = not cls.__table_handler__(module).column_exist('reminders')
        super().__register__(module)
        if new:
            # Everyone had the reminders once they came.
            cursor.execute(*table.update(
                    [table.reminders, table.reminders_email],
                    [cls.reminders.sql_format(cls.default_reminders()),
                        cls.reminders_email.sql_format(
                            cls.default_reminders_email())]))

    @classmethod
    def default_reminders(cls):
        return [k for k, _ in KINDS]

    @classmethod
    def default_reminders_email(cls):
        return list(EMAIL)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('mvp.reminder|remind', "Remind Deadlines"),
                ('mvp.reminder|send_digests', "Send Daily Digests"),
                ])
