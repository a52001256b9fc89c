"""The demo province in the test database, and acting as one of its people.

Loading the demo takes seconds, so the loaded database is kept in trytond's
DB_CACHE (as trytond keeps a database with its modules activated) and restored
by the next test module that asks for it.
"""
from contextlib import contextmanager

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, backup_db_cache, drop_db, restore_db_cache)
from trytond.transaction import Transaction, check_access, without_check_access


def activate_demo(module='mvp_demo'):
    """Make the test database a fresh copy of the demo province: the whole
    of it, or what the demo builds with module alone (the steps of module
    and of those it depends on)"""
    drop_db()
    cache = f'{module}--demo-province'
    if restore_db_cache(cache):
        return
    activate_module(module)
    from trytond.modules.mvp_demo import demo
    demo.load_database(DB_NAME, close=True)
    backup_db_cache(cache)


def user(login):
    "Return the user of login"
    User = Pool().get('res.user')
    with without_check_access():
        user, = User.search([('login', '=', login)])
    return user


def agency(key):
    "Return the agency unit of the demo named by its key, e.g. 'snv'"
    from trytond.modules.mvp_demo import demo
    Unit = Pool().get('mvp.unit')
    identifier, = [a[4] for a in demo.AGENCIES if a[0] == key]
    with without_check_access():
        unit, = Unit.search([('identifier', '=', identifier)])
    return unit


@contextmanager
def acting_as(login):
    """Act as the person of login, as the server does for their requests:
    their user, their current company and access checked"""
    person = user(login)
    transaction = Transaction()
    with transaction.set_user(person.id), \
            transaction.set_context(
                company=person.company.id if person.company else None), \
            check_access():
        yield person
