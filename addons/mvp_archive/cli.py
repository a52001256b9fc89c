"""`mvp archive` and `mvp backup`.

    mvp archive verify PACKAGE [--checksum SHA256]

checks an archival submission package against its manifest and metadata,
prints what is wrong and exits 0 when it is intact, 1 when it is not, 2 when
PACKAGE is not a package.

    mvp archive export -c CONFIG -d DB (--dossier CODE | --closed) -o DIR

writes into DIR the package of the closed dossier CODE, or of every closed
dossier not yet submitted, and records each package (checksum, date) on its
dossier, which is then submitted to the archive; each dossier in a
transaction of its own. It prints each package's path and checksum and exits
0 when every package was written, 1 when one was not (the message says why).

    mvp backup create -c CONFIG -d DB [-o DIR] [--keep-daily N ...]
    mvp backup verify -c CONFIG BACKUP
    mvp backup restore -c CONFIG -d DB BACKUP

create backs up the database with its filestore into one archive, verifies
it by restoring it into a scratch database, then removes the older backups
the retention policy does not keep; verify restores a backup into a scratch
database and compares; restore restores into a new database DB. They exit 0
when all went well, 1 when not (the message says why), 2 when BACKUP is not
a backup. The defaults come from the configuration's [backup] section:
directory, keep_daily (7), keep_weekly (4), keep_monthly (12).
"""
import os
import sys
from pathlib import Path

INTACT, DAMAGED, NOT_PACKAGE = 0, 1, 2
OK, FAILED, NOT_BACKUP = 0, 1, 2


def _fail(message, status):
    print('mvp: %s' % message, file=sys.stderr)
    return status


def register_archive(subparsers):
    parser = subparsers.add_parser('archive',
        help="archival submission packages (nộp lưu)",
        description="Archival submission packages of work dossiers.")
    actions = parser.add_subparsers(dest='action', metavar='ACTION')
    actions.required = True
    verify = actions.add_parser('verify',
        help="check a package against its manifest and metadata",
        description="Check an archival submission package: every file "
        "against the manifest, the metadata against the schema and the "
        "manifest. Prints what is wrong; exits 0 when the package is "
        "intact, 1 when it is not, 2 when it is not a package.")
    verify.add_argument('package', metavar='PACKAGE',
        help="the package's directory")
    verify.add_argument('--checksum', metavar='SHA256',
        help="the package's checksum as recorded when it was built")
    verify.set_defaults(func=archive_verify)

    export = actions.add_parser('export',
        help="write the packages of closed dossiers",
        description="Write the archival submission package of closed "
        "dossiers into DIR and record each on its dossier, which is then "
        "submitted to the archive. Exits 0 when every package was written, "
        "1 when one was not.")
    export.add_argument('-c', '--config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="trytond configuration file (default: $TRYTOND_CONFIG)")
    export.add_argument('-d', '--database', required=True)
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument('--dossier', metavar='CODE', action='append',
        help="the code of a closed dossier, e.g. "
        "000.00.01.H31.2026.01.TCCB (may be repeated)")
    which.add_argument('--closed', action='store_true',
        help="every closed dossier not yet submitted")
    export.add_argument('-o', '--directory', metavar='DIR', required=True,
        help="where the packages go")
    export.set_defaults(func=archive_export)


def archive_verify(args):
    from . import package
    try:
        problems = package.verify(args.package, args.checksum)
    except package.NotAPackage as e:
        return _fail('%s is not an archival package (%s)' % (
                args.package, e), NOT_PACKAGE)
    for problem in problems:
        print(problem)
    if problems:
        return _fail('%s: %d problem(s)' % (args.package, len(problems)),
            DAMAGED)
    print('%s: intact, checksum %s' % (args.package,
            package.checksum(args.package)))
    return INTACT


def archive_export(args):
    from trytond import config
    if args.config:
        if not os.path.isfile(args.config):
            return _fail("no configuration file %s" % args.config, FAILED)
        config.update_etc(os.path.abspath(args.config))
    from trytond.pool import Pool

    from trytond.modules.mvp_documents.database import run
    try:
        if args.database not in Pool.database_list():
            Pool(args.database).init()
        found = run(args.database, lambda: _closed(args.dossier))
    except Exception as e:
        return _fail('%s: %s' % (args.database, _reason(e)), FAILED)
    status = OK
    for code in found.get('refused', []):
        status = _fail(code, FAILED)
    directory = Path(args.directory)
    for id_, code in found['closed']:
        result = run(args.database, lambda: _export(id_, directory))
        if isinstance(result, str):
            status = _fail('%s: %s' % (code, result), FAILED)
        else:
            print('%s: %s, %d files, %.1f MB, checksum %s' % (
                    code, result['path'], result['files'],
                    result['size'] / 1e6, result['checksum']))
    if not found['closed'] and status == OK:
        print('no closed dossier to export')
    return status


def _closed(codes):
    "(id, code) of the closed dossiers named, or of all; what is refused"
    from trytond.pool import Pool
    Dossier = Pool().get('mvp.archive.dossier')
    if not codes:
        dossiers = Dossier.search([('state', '=', 'closed')],
            order=[('code', 'ASC'), ('id', 'ASC')])
        return {'closed': [(d.id, d.code) for d in dossiers]}
    closed, refused = [], []
    for code in codes:
        dossiers = Dossier.search([('code', '=', code)])
        if not dossiers:
            refused.append('no dossier has the code %s' % code)
        for dossier in dossiers:
            if dossier.state == 'closed':
                closed.append((dossier.id, dossier.code))
            else:
                refused.append('%s is %s, not closed: only closed dossiers '
                    'are exported' % (code, dossier.state))
    return {'closed': closed, 'refused': refused}


def _export(id_, directory):
    "Build and record the package of dossier id_; its figures or the error"
    from trytond.pool import Pool
    Dossier = Pool().get('mvp.archive.dossier')
    result = Dossier.build_packages([id_], directory)[Dossier(id_)]
    if isinstance(result, str):
        return result
    return {'path': str(result.path), 'files': result.files,
        'size': result.size, 'checksum': result.checksum}


def register_backup(subparsers):
    parser = subparsers.add_parser('backup',
        help="back up, verify and restore a database with its files",
        description="Back up a database with its filestore, verify backups "
        "by restoring them, restore them.")
    actions = parser.add_subparsers(dest='action', metavar='ACTION')
    actions.required = True

    def common(action):
        action.add_argument('-c', '--config',
            default=os.environ.get('TRYTOND_CONFIG'),
            help="trytond configuration file (default: $TRYTOND_CONFIG)")

    create = actions.add_parser('create',
        help="back up a database and its filestore, verify, prune",
        description="Back up the database and its filestore into one "
        "archive, verify it by restoring it into a scratch database, then "
        "remove the older backups the retention policy does not keep.")
    common(create)
    create.add_argument('-d', '--database', required=True)
    create.add_argument('-o', '--directory', metavar='DIR',
        help="where backups go (default: [backup] directory)")
    for period, default in (('daily', 7), ('weekly', 4), ('monthly', 12)):
        create.add_argument(f'--keep-{period}', type=int, metavar='N',
            help=f"keep the newest backup of each of the last N "
            f"{'days' if period == 'daily' else period[:-2] + 's'} "
            f"(default: [backup] keep_{period} or {default})")
    create.set_defaults(func=backup_create)

    verify = actions.add_parser('verify',
        help="restore a backup into a scratch database and compare",
        description="Restore a backup into a scratch database and "
        "filestore, compare their row counts and file checksums with the "
        "backup's manifest, remove them.")
    common(verify)
    verify.add_argument('backup', metavar='BACKUP')
    verify.set_defaults(func=backup_verify)

    restore = actions.add_parser('restore',
        help="restore a backup into a new database",
        description="Restore a backup into the new database DB and its "
        "filestore, and compare them with the backup's manifest; nothing "
        "is left behind when they differ.")
    common(restore)
    restore.add_argument('-d', '--database', required=True)
    restore.add_argument('backup', metavar='BACKUP')
    restore.set_defaults(func=backup_restore)


def _configure(args):
    "trytond's configuration: the database backend and the filestore root"
    from trytond import config

    from . import backup
    if args.config:
        if not os.path.isfile(args.config):
            raise backup.Error("no configuration file %s" % args.config)
        config.update_etc(os.path.abspath(args.config))
    return configured()


def configured():
    "The database backend and the filestore root trytond is configured with"
    from trytond import config

    from . import backup
    if config.get('database', 'class'):
        raise backup.Error("the filestore class %s is configured: only "
            "trytond's own filestore is backed up" % config.get(
                'database', 'class'))
    path = config.get('database', 'path')
    return backup.backend(config.get('database', 'uri'), path), Path(path)


def policy(args=None):
    "The retention policy: the arguments', else the configuration's"
    from trytond import config

    from . import backup
    defaults = backup.Policy()

    def keep(period):
        given = getattr(args, f'keep_{period}', None)
        if given is not None:
            return given
        return config.getint('backup', f'keep_{period}',
            default=getattr(defaults, period))
    return backup.Policy(**{period: keep(period)
            for period in ('daily', 'weekly', 'monthly')})


def notify_failure(database, message):
    """Tell the administrators that a backup of database failed: on
    standard error, which cron mails to its owner, and in the bell of the
    provincial administrators when the database can be reached"""
    print('mvp: the backup of %r failed: %s' % (database, message),
        file=sys.stderr)
    try:
        from trytond.pool import Pool

        from trytond.modules.mvp_documents.database import run
        if database not in Pool.database_list():
            Pool(database).init()
        run(database, lambda: Pool().get('mvp.archive.backup').notify_failure(
                database, message))
    except Exception as e:
        print('mvp: the administrators could not be told in the database: '
            '%s' % _reason(e), file=sys.stderr)


def _reason(error):
    if isinstance(error, OSError) and error.strerror:
        return ' '.join(filter(None, (error.filename, error.strerror)))
    return str(error).strip() or type(error).__name__


def backup_create(args):
    from trytond import config

    from . import backup
    try:
        db, root = _configure(args)
        directory = args.directory or config.get('backup', 'directory')
        if not directory:
            raise backup.Error("no directory for backups: give -o DIR or "
                "set [backup] directory")
        made = backup.create_verified(db, args.database,
            root / args.database, directory, policy(args))
    except backup.Unverified as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        notify_failure(args.database, str(e))
        return FAILED
    except backup.errors() as e:
        notify_failure(args.database, _reason(e))
        return FAILED
    data = backup.manifest(made.archive)
    print('%s: %s, %.1f MB; made in %.1f s, verified by restoring it in '
        '%.1f s' % (made.archive, backup.summary(data),
            made.archive.stat().st_size / 1e6, made.made, made.verified))
    for path in made.removed:
        print('removed by the retention policy: %s' % path)
    return OK


def backup_verify(args):
    from . import backup
    try:
        db, _ = _configure(args)
        problems = backup.verify(args.backup, db)
        data = backup.manifest(args.backup)
    except backup.NotABackup as e:
        return _fail(str(e), NOT_BACKUP)
    except backup.errors() as e:
        return _fail(_reason(e), FAILED)
    for problem in problems:
        print(problem)
    if problems:
        return _fail('%s: %d problem(s)' % (args.backup, len(problems)),
            FAILED)
    print('%s: restores as it was made (%s, backed up %s)' % (
            args.backup, backup.summary(data), data['created']))
    return OK


def backup_restore(args):
    from . import backup
    try:
        db, root = _configure(args)
        problems = backup.restore(args.backup, db, args.database,
            root / args.database)
        data = backup.manifest(args.backup)
    except backup.NotABackup as e:
        return _fail(str(e), NOT_BACKUP)
    except backup.errors() as e:
        return _fail(_reason(e), FAILED)
    for problem in problems:
        print(problem)
    if problems:
        return _fail('%s: not restored: %d problem(s)' % (
                args.backup, len(problems)), FAILED)
    print('%s restored into %r (%s, backed up %s)' % (args.backup,
            args.database, backup.summary(data), data['created']))
    return OK
