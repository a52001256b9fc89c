"""Paths around the record rules that Tryton's generic services leave open.

- `copy` reads its sources with the checks off, and `export_data`
  evaluates the rules in Python, which misjudges rules through relations
  (an assignment's rules are its document's): both check the rules first,
  as `read` does.
- Errors raised while a change is checked name the record: the rules are
  checked before, so that a record closed to someone tells them nothing.
- A record is linked only to records its writer may read: Tryton checks
  a link against its field's domain, and its error names the record
  linked to.
- Attachments, notes and signatures check the rules of the record they
  hang on; an annex has none of its own, its document's decide: access to
  what hangs on an annex is access to the annex.
"""
import copy
from collections import defaultdict

from trytond.ir.resource import ResourceAccessMixin
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access, without_check_access


def checked():
    "Tell whether the current call is checked (a person over RPC)"
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


class RuleCheckMixin:
    """Copy and export only what the user may read, change only what the
    rules allow before saying why not, link only to what one reads"""
    __slots__ = ()

    @classmethod
    def check_read(cls, records):
        "Raise AccessError unless the user may read records"
        if checked():
            cls.read([r.id for r in records if r.id is not None and r.id >= 0],
                ['id'])

    @classmethod
    def check_rules(cls, records, mode):
        """Raise AccessError unless the rules let the user change records;
        callable where the checks are off (check_modification)"""
        with check_access():
            Pool().get('ir.rule').check(
                cls.__name__, [r.id for r in records if r.id >= 0], mode)

    @classmethod
    def check_links(cls, vlist):
        "Raise AccessError unless the values link to records the user reads"
        if not checked():
            return
        pool = Pool()
        targets = defaultdict(set)
        for values in vlist:
            for name, value in values.items():
                field = cls._fields.get(name)
                if field is None or isinstance(field, fields.Function):
                    continue
                if field._type in {'many2one', 'one2one'}:
                    if isinstance(value, int) and value >= 0:
                        targets[field.get_target()].add(value)
                elif field._type == 'reference' and value:
                    model, id_ = (value.split(',') if isinstance(value, str)
                        else value)
                    if int(id_) >= 0:
                        targets[pool.get(model)].add(int(id_))
                elif field._type in {'one2many', 'many2many'}:
                    for action, *args in value or []:
                        if action in {'add', 'set'}:
                            targets[field.get_target()].update(
                                i for i in args[0] if i >= 0)
        for Target, ids in targets.items():
            Target.read(list(ids), ['id'])

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        if external and mode in {'write', 'delete'}:
            # Tryton checks the rules after: the errors would name them.
            cls.check_rules(records, mode)
        super().check_modification(
            mode, records, values=values, external=external)

    @classmethod
    def create(cls, vlist):
        cls.check_links(vlist)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        cls.check_links(args[1::2])
        super().write(*args)

    @classmethod
    def copy(cls, records, default=None):
        cls.check_read(records)
        return super().copy(records, default=default)

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        cls.check_read(records)
        return super().export_data(records, fields_names, header=header)


class ResourceCheckMixin:
    """A record on a resource that checks its own access (an annex) is
    reached as that resource is"""
    __slots__ = ()

    @classmethod
    def check_access(cls, ids, mode='read'):
        super().check_access(ids, mode=mode)
        if not checked():
            return
        resources = defaultdict(set)
        with without_check_access():
            for record in cls.browse(ids):
                resource = record.resource
                if (isinstance(resource, ResourceAccessMixin)
                        and resource.id is not None and resource.id >= 0):
                    resources[resource.__class__].add(resource.id)
        for Resource, resource_ids in resources.items():
            Resource.check_access(list(resource_ids), mode={
                    'create': 'write', 'delete': 'write'}.get(mode, mode))


def readable(model, ids):
    """The ids among ids of model the user may read, by the access and the
    rules; callable in getters, which run with the checks off"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    with check_access():
        if not ModelAccess.check(model, 'read', raise_exception=False):
            return set()
        return {r.id for r in pool.get(model).search(
                [('id', 'in', list(ids))])}


def logging_reads(Model, names):
    """Make the RPC methods names of Model write: they log what they read
    (a read-only transaction cannot save the log)"""
    for name in names:
        rpc = Model.__rpc__[name] = copy.copy(Model.__rpc__[name])
        rpc.readonly = False


def document_of(record):
    "The document record is or hangs on (an annex's), or None"
    Annex = Pool().get('mvp.document.annex')
    if isinstance(record, Annex):
        record = record.resource
    if record is not None and 'secrecy' in getattr(record, '_fields', {}):
        return record


def log_documents(records, event):
    "Log event on the secret documents among records (Art. 4.6)"
    documents = defaultdict(list)
    with without_check_access():
        for record in records:
            document = document_of(record)
            if document is not None:
                documents[document.__class__].append(document)
        for Document, found in documents.items():
            Document._log_access(list(set(found)), event)
