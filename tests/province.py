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

MODULE = 'mvp_demo'
CACHE_NAME = f'{MODULE}--demo-province'


def activate_demo():
    "Make the test database a fresh copy of the demo province"
    drop_db()
    if restore_db_cache(CACHE_NAME):
        return
    activate_module(MODULE)
    from trytond.modules.mvp_demo import demo
    demo.load_database(DB_NAME, close=True)
    backup_db_cache(CACHE_NAME)


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
