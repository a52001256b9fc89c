"""The scheduled backup: `mvp backup create` run by trytond-cron."""
from trytond import config
from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import backup, cli


class Backup(Model):
    "Backup of the database with its file store, verified by restoring it"
    __name__ = 'mvp.archive.backup'
    __string__ = "Backup"

    @classmethod
    def run(cls):
        """Back up this database into [backup] directory, verify the backup
        by restoring it, apply the retention of the configuration; tell
        the administrators when it fails"""
        database = Transaction().database.name
        try:
            db, root = cli.configured()
            directory = config.get('backup', 'directory')
            if not directory:
                raise backup.Error(gettext('mvp_archive.msg_backup_directory'))
            backup.create_verified(
                db, database, root / database, directory, cli.policy())
        except backup.Unverified as e:
            cls.notify_failure(database, '\n'.join(
                    [str(e)] + [str(p) for p in e.problems]))
        except backup.errors() as e:
            cls.notify_failure(database, cli._reason(e))

    @classmethod
    def notify_failure(cls, database, message):
        "Tell the provincial administrators in their bell"
        pool = Pool()
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        group = ModelData.get_id('mvp_documents', 'group_admin_province')
        with without_check_access():
            administrators = User.search([('groups', '=', group)])
            label, *details = gettext('mvp_archive.msg_backup_failed',
                database=database, error=message).split('\n')
            Notification.create([{
                        'user': user.id,
                        'icon': 'tryton-warning',
                        'label': label,
                        'description': '\n'.join(details) or None,
                        } for user in administrators])
