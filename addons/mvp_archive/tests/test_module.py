import shutil
import tempfile
import unittest
from pathlib import Path

from trytond import backend, config
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from trytond.modules.mvp_archive import package
from trytond.modules.mvp_archive.tests import tools


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

    @unittest.skipUnless(shutil.which('gs'), "Ghostscript is not installed")
    @with_transaction()
    def test_demo(self):
        "The archive of an agency for the demonstration"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        User = pool.get('res.user')
        Role = pool.get('res.role')
        ModelData = pool.get('ir.model.data')
        directory = tempfile.mkdtemp(prefix='mvp-archive-')
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        set_archive_directory(directory)
        agency, = Unit.create([{
                    'name': "Sở Nội vụ", 'code': 'SNV', 'kind': 'department',
                    'identifier': '000.00.01.H31',
                    'children': [('create', [
                                {'name': "Văn phòng Sở", 'code': 'VP'},
                                {'name': "Phòng Công chức, viên chức",
                                    'code': 'CCVC'}])],
                    }])
        office, civil = agency.children

        def person(login, role, unit):
            user, = User.create([{
                        'login': login, 'name': login,
                        'companies': [('add', [agency.company.id])],
                        'company': agency.company.id, 'unit': unit.id,
                        'roles': [('create', [{'role': Role(ModelData.get_id(
                                            'mvp_documents',
                                            f'role_{role}')).id}])],
                        }])
            return user
        clerk = person('vanthu', 'clerk', office)
        specialist = person('chuyenvien', 'specialist', civil)

        open_, closed, submitted = tools.demo(agency, clerk, specialist)

        self.assertEqual([d.state for d in [open_, closed, submitted]],
            ['open', 'closed', 'submitted'])
        self.assertEqual(open_.responsible, specialist)
        self.assertEqual(open_.code, '000.00.01.H31.%s.01.TCCB' % (
                pool.get('ir.date').today().year))
        self.assertEqual(package.verify(
                submitted.package_path, submitted.package_checksum), [])
        self.assertEqual(Path(submitted.package_path).parent,
            Path(directory) / Transaction().database.name)

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
