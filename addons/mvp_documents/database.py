"""The ``mvp db`` command: create or upgrade an e-office database.

    mvp db init -c CONFIG -d NAME [--demo]

creates the database when it does not exist, initialises or upgrades it with
the e-office modules and their dependencies, loads their Vietnamese
translations and makes Vietnamese the default language. ``--demo`` also
activates mvp_demo, which builds the demonstration province, and prints its
logins. Running it again upgrades.

The admin password of a new database is read from the file named by
TRYTONPASSFILE; the file is created with a random password when missing.
"""
import logging
import os
import secrets
import sys
from pathlib import Path

from .core_locale import LANGUAGE

# Our modules, the one list of them (the tests and the CLI read it); the
# last, DEMO, builds the demonstration province and is activated only by
# --demo, never in production.
MODULES = ['mvp_documents', 'mvp_signing', 'mvp_interop', 'mvp_archive',
    'mvp_demo']
DEMO = MODULES[-1]

logger = logging.getLogger(__name__)


def register(subparsers):
    parser = subparsers.add_parser(
        'db', help="create or upgrade a database",
        description="Create or upgrade an e-office database.")
    actions = parser.add_subparsers(dest='action', metavar='ACTION')
    actions.required = True
    init = actions.add_parser(
        'init', help="create or upgrade a database with the e-office modules",
        description=__doc__.split('\n\n', 2)[2].split('\n\n')[0])
    init.add_argument(
        '-c', '--config', default=os.environ.get('TRYTOND_CONFIG'),
        help="trytond configuration file (default: $TRYTOND_CONFIG)")
    init.add_argument(
        '-d', '--database', required=True, help="database name")
    init.add_argument(
        '--demo', action='store_true',
        help="load the demonstration data and print its logins")
    init.add_argument(
        '--email', default='',
        help="the admin's email address for a new database")
    init.add_argument(
        '-v', '--verbose', action='store_true', help="log trytond's progress")
    init.set_defaults(func=run_init)


def run_init(args):
    # trytond reads its configuration when its modules are first imported.
    from trytond import config
    if args.config:
        config.update_etc(os.path.abspath(args.config))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format='%(asctime)s %(levelname)s %(name)s %(message)s')

    name = args.database
    new = create(name)
    if new:
        password_file()
    print(f"{'Initialising' if new else 'Upgrading'} database {name!r}",
        flush=True)
    # -l vi loads the modules' vi.po even on a database whose default
    # language is not yet Vietnamese (a configuration without
    # "language = vi"); the language record itself comes from mvp_documents.
    modules = [m for m in MODULES if args.demo or m != DEMO]
    admin(name, ['ir', 'res', *modules], languages=[LANGUAGE],
        email=args.email if new else None)
    load_core_translations(name)
    set_default_language(name)
    if args.demo:
        logins = load_demo(name)
        print("Demonstration logins (login, password, role):")
        width = max((len(login) for login, _, _ in logins), default=0)
        for login, password, role in logins:
            print(f"  {login:<{width}}  {password}  {role}")
    return 0


def create(name):
    "Create the database if missing; return whether it is new"
    from trytond import backend
    from trytond.config import get

    if backend.name == 'sqlite':
        # trytond only opens an existing file; an empty one is a new database
        path = Path(get('database', 'path'), name + '.sqlite')
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch()
    else:
        database = backend.Database()
        database.connect()
        connection = database.get_connection(autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s', (name,))
                if not cursor.fetchone():
                    database.create(connection, name)
        finally:
            database.put_connection(connection)
            database.close()
    database = backend.Database(name)
    database.connect()
    return not database.test()


def password_file():
    "Make sure TRYTONPASSFILE names a file holding the admin password"
    path = os.environ.get('TRYTONPASSFILE')
    if not path:
        sys.exit("Set TRYTONPASSFILE to the file of the admin password "
            "(it is created when missing)")
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as file:
            file.write(secrets.token_urlsafe(12) + '\n')
        print(f"admin password written to {path}")


def admin(name, update, languages=(), email=None):
    "Run trytond-admin on the database"
    from trytond import admin as trytond_admin
    from trytond.commandline import get_parser_admin

    argv = ['-d', name, '-u', *update, '--activate-dependencies']
    if languages:
        argv += ['-l', *languages]
    options = get_parser_admin().parse_args(argv)
    options.indexes = True
    # An empty string stops trytond-admin from asking for it.
    options.email = email
    trytond_admin.run(options)


def load_core_translations(name):
    "Load the Vietnamese of Tryton's own modules, which ship none"
    from trytond.transaction import Transaction

    from trytond.modules.mvp_documents import core_locale

    with Transaction().start(name, 0) as transaction:
        core_locale.load(LANGUAGE)
        transaction.commit()


def set_default_language(name):
    "Make Vietnamese the language of new users and of the main tables"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    with Transaction().start(name, 0) as transaction:
        Configuration = Pool().get('ir.configuration')
        configuration = Configuration(1)
        if configuration.language != LANGUAGE:
            configuration.language = LANGUAGE
            configuration.save()
        transaction.commit()


def run(name, func, user=0, **extras):
    """Run func() on database name in a committed transaction of its own,
    started again holding the table locks it asks for (as trytond's
    dispatcher does for a request)"""
    from trytond.transaction import Transaction, TransactionError
    while True:
        with Transaction().start(name, user, **extras) as transaction:
            try:
                result = func()
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)
                continue
            transaction.commit()
            return result


def load_demo(name):
    "Build the demonstration province; return its (login, password, role)"
    from trytond.pool import Pool

    from trytond.modules.mvp_demo import demo

    Pool(name).init()
    return demo.load_database(name)
