import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, activate_module, backup_db_cache, drop_db,
    restore_db_cache, with_transaction)
from trytond.transaction import Transaction


class MvpSigningTestCase(ModuleTestCase):
    "Test the mvp_signing module"
    module = 'mvp_signing'


class DemoTestCase(unittest.TestCase):
    "The demo's certificates and signed documents"

    @classmethod
    def setUpClass(cls):
        drop_db()
        name = 'mvp_signing--demo'
        if restore_db_cache(name):
            return
        activate_module('mvp_signing')
        from trytond.modules.mvp_documents import demo
        cls.logins = demo.load_database(DB_NAME, close=True)
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
        from trytond.modules.mvp_documents import demo
        leaders = sum('leader' in p[4] for p in demo.PEOPLE)
        certificates = Certificate.search([])
        self.assertEqual(
            sorted(c.kind for c in certificates),
            ['organisation'] * len(demo.AGENCIES) + ['personal'] * leaders)
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
        self.assertTrue(distributed.deliveries)
        for delivery in distributed.deliveries:
            self.assertEqual(delivery.legal_status, 'valid')
            self.assertEqual(delivery.file, distributed.file)
            self.assertEqual(len(delivery.signatures), 2)
        approved, = Outgoing.search([('state', '=', 'approved')])
        self.assertEqual(
            [s.signer for s in approved.signatures], ["Trần Văn Hùng"])
        # documents from outside the system are unsigned
        Incoming = pool.get('mvp.document.incoming')
        self.assertEqual(
            {d.legal_status for d in Incoming.search([
                        ('outgoing', '=', None)])}, {'unsigned'})


del ModuleTestCase
