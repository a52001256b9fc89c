import os
import unittest

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, activate_module, backup_db_cache, drop_db,
    restore_db_cache, with_transaction)

from trytond.modules.mvp_signing import pades
from trytond.modules.mvp_signing.exceptions import SigningError
from trytond.modules.mvp_signing.tests import pki as test_pki
from trytond.modules.mvp_signing.tests import samples


class MvpSigningTestCase(ModuleTestCase):
    "Test the mvp_signing module"
    module = 'mvp_signing'

    @unittest.skipUnless(os.path.exists(test_pki.SOFTHSM), "no SoftHSM2")
    @with_transaction()
    def test_pkcs11_certificate(self):
        "A certificate whose key is on a token signs once given its PIN"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Certificate = pool.get('mvp.signing.certificate')
        Trust = pool.get('mvp.signing.trust')
        pki = test_pki.shared()
        pki.softhsm('agency', pin='2468', token='mvp-register')
        unit = Unit(name="Sở Nội vụ", code='SNV', kind='department',
            identifier='000.00.01.H31')
        unit.save()
        Trust.create([{'certificate': pki.cert('root').dump()}])
        certificate, = Certificate.create([{
                    'kind': 'organisation', 'company': unit.company.id,
                    'certificate': pki.cert('agency').dump(),
                    'key_storage': 'pkcs11',
                    'pkcs11_library': test_pki.SOFTHSM,
                    'pkcs11_token': 'mvp-register',
                    'pkcs11_key': 'agency',
                    }])
        with certificate.signer('2468') as signer:
            signed = pades.sign(samples.pdf(), signer)
        report = pades.verify(signed, [pki.cert('root')], fetch=False)
        self.assertEqual(report['status'], 'valid')
        self.assertEqual(
            report['signatures'][0]['signer'], test_pki.AGENCY)
        with self.assertRaises(SigningError) as cm:
            with certificate.signer('0000'):
                pass
        self.assertEqual(cm.exception.args[1][1],
            gettext('mvp_signing.msg_key_secret'))
        # a token key that is not the registered certificate's
        other, = Certificate.create([{
                    'kind': 'organisation', 'company': unit.company.id,
                    'certificate': pki.cert('deputy').dump(),
                    'key_storage': 'pkcs11',
                    'pkcs11_library': test_pki.SOFTHSM,
                    'pkcs11_token': 'mvp-register',
                    'pkcs11_key': 'agency',
                    }])
        with self.assertRaises(SigningError) as cm:
            with other.signer('2468'):
                pass
        self.assertIn('does not belong', cm.exception.message)

    @with_transaction()
    def test_key_errors_say_why_without_paths(self):
        "A key that does not open: why, in a message of ours, no path"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Certificate = pool.get('mvp.signing.certificate')
        pki = test_pki.shared()
        path = pki.p12('agency', b'KySo@2026')
        unit = Unit(name="Sở Khoa học và Công nghệ", code='SKHCN',
            kind='department', identifier='000.00.02.H31')
        unit.save()
        certificate, = Certificate.create([{
                    'kind': 'organisation', 'company': unit.company.id,
                    'certificate': pki.cert('agency').dump(),
                    'key_storage': 'pkcs12', 'pkcs12_path': path,
                    }])
        for key_path, secret, reason in [
                (path, 'wrong', 'msg_key_secret'),
                (path + '.moved', 'KySo@2026', 'msg_key_missing'),
                ]:
            certificate.pkcs12_path = key_path
            certificate.save()
            with self.assertRaises(SigningError) as cm:
                with certificate.signer(secret):
                    pass
            message, description = cm.exception.args[1][:2]
            self.assertEqual(
                description, gettext(f'mvp_signing.{reason}'))
            self.assertNotIn(os.path.dirname(path), message + description)

    @with_transaction()
    def test_expiry(self):
        "Certificates past their validity are marked expired, and cannot sign"
        import datetime as dt
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Certificate = pool.get('mvp.signing.certificate')
        pki = test_pki.shared()
        unit = Unit(name="Sở Tài chính", code='STC', kind='department',
            identifier='000.00.03.H31')
        unit.save()
        current, expired = Certificate.create([{
                    'kind': 'organisation', 'company': unit.company.id,
                    'certificate': pki.cert(label).dump(),
                    'key_storage': 'external',
                    } for label in ['agency', 'expired']])
        self.assertEqual((current.status, expired.status),
            ('active', 'expired'))
        self.assertTrue(current.can_sign)
        Certificate.write([current], {
                'valid_to': dt.datetime.utcnow() - dt.timedelta(hours=1)})
        self.assertFalse(current.can_sign)
        Certificate.update_expired()
        self.assertEqual(current.status, 'expired')

    @with_transaction()
    def test_too_large(self):
        "A file over the limit is refused before it is read"
        from trytond.modules.mvp_signing.exceptions import VerificationError
        from trytond.modules.mvp_signing.signature import check
        data = b'%PDF-1.7\n' + bytes(pades.MAX_SIZE)
        with self.assertRaises(VerificationError) as cm:
            check(data, 'huge.pdf')
        self.assertIn('too large', cm.exception.message)
        self.assertIsNone(check(b'PK\x03\x04 a word file', 'letter.docx'))

    @with_transaction()
    def test_certificate_parse(self):
        "Certificates are read from DER or PEM; anything else is refused"
        pool = Pool()
        Trust = pool.get('mvp.signing.trust')
        pki = test_pki.shared()
        trust, = Trust.create([{'certificate': pki.pem('root')}])
        self.assertEqual(bytes(trust.certificate), pki.cert('root').dump())
        self.assertEqual(trust.name, 'Ban Cơ yếu Thử nghiệm Root CA')
        from trytond.modules.mvp_signing.exceptions import CertificateError
        with self.assertRaises(CertificateError):
            Trust.create([{'certificate': b'not a certificate'}])
        # a person's certificate is no authority
        with self.assertRaises(CertificateError):
            Trust.create([{'certificate': pki.cert('leader').dump()}])


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


del ModuleTestCase
