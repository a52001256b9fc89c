"""The demo province: `mvp db init --demo` on a fresh SQLite database
builds it, and what it builds went through each module's flow."""
import os
import sqlite3
import subprocess
import sys
import unittest
from collections import Counter
from pathlib import Path

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, activate_module, backup_db_cache, drop_db,
    restore_db_cache, with_transaction)

from trytond.modules.mvp_archive import package
from trytond.modules.mvp_demo import demo
from trytond.modules.mvp_demo.documents import INCOMING, OUTGOING

LEADERS = sum('leader' in p[4] for p in demo.PEOPLE)


class MvpDemoTestCase(ModuleTestCase):
    "Test the mvp_demo module"
    module = 'mvp_demo'


class CommandTestCase(unittest.TestCase):
    "`mvp db init --demo` on a fresh SQLite database"

    def test_init_demo(self):
        "It prints the logins and builds the province, every state of it"
        import tempfile
        with tempfile.TemporaryDirectory(prefix='mvp-demo-') as tmp:
            conf = Path(tmp, 'trytond.conf')
            conf.write_text(f'[database]\nuri = sqlite://\npath = {tmp}\n'
                'language = vi\n')
            env = dict(os.environ, TRYTONPASSFILE=str(Path(tmp, 'admin')))
            env.pop('TRYTOND_DATABASE__PATH', None)
            env.pop('TRYTOND_DATABASE__URI', None)
            mvp = Path(sys.executable).parent / 'mvp'
            result = subprocess.run(
                [mvp, 'db', 'init', '-c', conf, '-d', 'demo', '--demo'],
                env=env, capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            for login, *_ in demo.PEOPLE:
                self.assertIn(f'  {login} ', result.stdout)
            self.assertIn(demo.PASSWORD, result.stdout)

            db = sqlite3.connect(Path(tmp, 'demo.sqlite'))
            try:
                def count(sql):
                    return db.execute(sql).fetchone()[0]

                def states(table, where='1=1'):
                    return Counter(dict(db.execute(
                                f'SELECT state, COUNT(*) FROM "{table}" '
                                f'WHERE {where} GROUP BY state')))
                self.assertEqual(count("SELECT state FROM ir_module "
                        "WHERE name = 'mvp_demo'"), 'activated')
                self.assertEqual(count(
                        "SELECT COUNT(*) FROM mvp_unit "
                        "WHERE kind != 'division'"), len(demo.AGENCIES))
                self.assertEqual(count(
                        "SELECT COUNT(*) FROM res_user "
                        "WHERE login NOT IN ('root', 'admin')"), len(demo.PEOPLE))
                self.assertEqual(
                    states('mvp_document_outgoing'),
                    Counter(s for *_, s in OUTGOING))
                communes = sum(a[3] == 'commune' for a in demo.AGENCIES)
                # the communes received the decision; the office the rest
                self.assertEqual(
                    states('mvp_document_incoming', 'outgoing IS NOT NULL'),
                    Counter(received=communes))
                self.assertEqual(
                    states('mvp_document_incoming', 'outgoing IS NULL'),
                    Counter(s for *_, s in INCOMING))
                self.assertEqual(count(
                        "SELECT COUNT(*) FROM mvp_signing_certificate"),
                    len(demo.AGENCIES) + LEADERS)
                self.assertEqual(states('mvp_archive_dossier'),
                    Counter(open=1, closed=1, submitted=1))
            finally:
                db.close()

            # again: an upgrade, the province left as it was
            result = subprocess.run(
                [mvp, 'db', 'init', '-c', conf, '-d', 'demo', '--demo'],
                env=env, capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            db = sqlite3.connect(Path(tmp, 'demo.sqlite'))
            try:
                self.assertEqual(db.execute(
                        "SELECT COUNT(*) FROM mvp_unit").fetchone()[0],
                    len(demo.AGENCIES) + sum(
                        len(a[5]) for a in demo.AGENCIES))
            finally:
                db.close()


class DemoTestCase(unittest.TestCase):
    "What the demo built, through the models"

    @classmethod
    def setUpClass(cls):
        drop_db()
        name = 'mvp_demo--demo'
        if restore_db_cache(name):
            return
        activate_module('mvp_demo')
        demo.load_database(DB_NAME, close=True)
        backup_db_cache(name)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_certificates(self):
        "Every leader and every agency can sign with a demo certificate"
        pool = Pool()
        Certificate = pool.get('mvp.signing.certificate')
        Trust = pool.get('mvp.signing.trust')
        certificates = Certificate.search([])
        self.assertEqual(
            sorted(c.kind for c in certificates),
            ['organisation'] * len(demo.AGENCIES) + ['personal'] * LEADERS)
        self.assertTrue(all(c.can_sign for c in certificates))
        self.assertEqual(
            sorted(t.kind for t in Trust.search([])),
            ['intermediate', 'root'])

    @with_transaction()
    def test_distributed_decision(self):
        "The communes receive the province's decision signed and valid"
        pool = Pool()
        Outgoing = pool.get('mvp.document.outgoing')
        distributed, = Outgoing.search([('state', '=', 'distributed')])
        self.assertEqual(
            [(s.signer, s.status) for s in distributed.signatures],
            [("Trần Văn Hùng", 'valid'),
                ("Ủy ban nhân dân tỉnh Hưng Yên", 'valid')])
        Incoming = pool.get('mvp.document.incoming')
        deliveries = Incoming.search([('outgoing', '=', distributed.id)])
        self.assertTrue(deliveries)
        for delivery in deliveries:
            self.assertEqual(delivery.legal_status, 'valid')
            self.assertEqual(delivery.file, distributed.file)
            self.assertEqual(len(delivery.signatures), 2)
        approved, = Outgoing.search([('state', '=', 'approved')])
        self.assertEqual(
            [s.signer for s in approved.signatures], ["Trần Văn Hùng"])
        # documents from outside the system are unsigned
        self.assertEqual(
            {d.legal_status for d in Incoming.search([
                        ('outgoing', '=', None)])}, {'unsigned'})

    @with_transaction()
    def test_archive(self):
        "The province office's dossiers: open with the work done, closed, "
        "submitted with a package that verifies"
        pool = Pool()
        Dossier = pool.get('mvp.archive.dossier')
        User = pool.get('res.user')
        specialist, = User.search([('login', '=', 'chuyenvien.tinh')])
        open_, closed, submitted = Dossier.search([], order=[('id', 'ASC')])
        self.assertEqual([d.state for d in [open_, closed, submitted]],
            ['open', 'closed', 'submitted'])
        self.assertEqual(open_.responsible, specialist)
        self.assertEqual(open_.code, '%s.%s.01.TCCB' % (
                demo.PROVINCE, pool.get('ir.date').today().year))
        self.assertEqual(
            sorted(e.document.state for e in open_.documents),
            ['distributed', 'done'])
        self.assertEqual(package.verify(
                submitted.package_path, submitted.package_checksum), [])


del ModuleTestCase
