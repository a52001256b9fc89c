import shutil
import tempfile
import unittest
from pathlib import Path

from trytond import backend, config
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


def set_archive_directory(directory):
    if not config.has_section('archive'):
        config.add_section('archive')
    config.set('archive', 'directory', directory or '')


def set_backup_directory(directory):
    if not config.has_section('backup'):
        config.add_section('backup')
    # an empty directory is none, as a missing one
    config.set('backup', 'directory', directory or '')


class MvpArchiveTestCase(ModuleTestCase):
    "Test the mvp_archive module"
    module = 'mvp_archive'

    def setUp(self):
        super().setUp()
        self.addCleanup(set_backup_directory,
            config.get('backup', 'directory'))
        self.addCleanup(set_archive_directory,
            config.get('archive', 'directory'))

    @with_transaction()
    def test_backup_scheduled_daily(self):
        "The backup is an ir.cron job of every day"
        Cron = Pool().get('ir.cron')
        cron, = Cron.search([('method', '=', 'mvp.archive.backup|run')])
        self.assertEqual((cron.interval_number, cron.interval_type),
            (1, 'days'))
        self.assertTrue(cron.active)

    @with_transaction()
    def test_backup_failure_notifies(self):
        "A scheduled backup that fails tells the provincial administrators"
        pool = Pool()
        Backup = pool.get('mvp.archive.backup')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        set_backup_directory('')
        Backup.run()
        admin, = User.search([('login', '=', 'admin')])
        notification, = Notification.search([('user', '=', admin.id)])
        self.assertIn('failed', notification.label)
        self.assertIn('[backup] directory', notification.label)

    @unittest.skipUnless(backend.name == 'postgresql',
        "the test database on SQLite lives in memory, no file to back up")
    @with_transaction()
    def test_backup_scheduled(self):
        "The scheduled backup is made and verified, nobody is disturbed"
        pool = Pool()
        Backup = pool.get('mvp.archive.backup')
        Notification = pool.get('res.notification')
        directory = tempfile.mkdtemp(prefix='mvp-backup-')
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        set_backup_directory(directory)
        Backup.run()
        self.assertEqual(
            [n.description for n in Notification.search([])], [])
        archive, = Path(directory).glob('*.tar')
        self.assertTrue(Path(str(archive) + '.sha256').exists())


del ModuleTestCase
