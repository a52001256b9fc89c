import os
import shutil
import unittest

from trytond import config
from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from trytond.modules.mvp_signing import pades
from trytond.modules.mvp_signing.exceptions import (
    CertificateError, SigningError)
from trytond.modules.mvp_signing.tests import pki as test_pki
from trytond.modules.mvp_signing.tests import samples, tools


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
        unit = Unit(name=test_pki.AGENCY, code='SNV', kind='department',
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
        path = tools.p12(pki, 'agency', 'KySo@2026')
        unit = Unit(name=test_pki.AGENCY, code='UBND', kind='province',
            identifier=test_pki.AGENCY_ID)
        unit.save()
        certificate, = Certificate.create([{
                    'kind': 'organisation', 'company': unit.company.id,
                    'certificate': pki.cert('agency').dump(),
                    'key_storage': 'pkcs12', 'pkcs12_path': path,
                    }])
        with self.assertRaises(SigningError) as cm:
            with certificate.signer('wrong'):
                pass
        message, description = cm.exception.args[1][:2]
        self.assertEqual(description, gettext('mvp_signing.msg_key_secret'))
        self.assertNotIn(os.path.dirname(path), message + description)
        # the file gone since registration: named inside the key directory
        os.rename(path, path + '.moved')
        self.addCleanup(os.rename, path + '.moved', path)
        with self.assertRaises(SigningError) as cm:
            with certificate.signer('KySo@2026'):
                pass
        self.assertEqual(cm.exception.message, gettext(
                'mvp_signing.msg_key_file_not_found',
                path=os.path.basename(path)))
        self.assertNotIn(os.path.dirname(path), cm.exception.message)

    @with_transaction()
    def test_key_file_from_configuration(self):
        "Key files are taken from the configured key directory only"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Certificate = pool.get('mvp.signing.certificate')
        pki = test_pki.shared()
        keys_dir = config.get('mvp_signing', 'key_directory')
        unit = Unit(name=test_pki.AGENCY, code='UBND', kind='province',
            identifier=test_pki.AGENCY_ID)
        unit.save()
        inside = tools.p12(pki, 'agency')
        outside = os.path.join(pki.dir, 'outside.p12')
        shutil.copy(inside, outside)
        link = os.path.join(keys_dir, 'link.p12')
        os.symlink(outside, link)
        self.addCleanup(os.remove, link)

        def register(path):
            return Certificate.create([{
                        'kind': 'organisation', 'company': unit.company.id,
                        'certificate': pki.cert('agency').dump(),
                        'key_storage': 'pkcs12', 'pkcs12_path': path}])[0]
        for path, message in [
                (outside, 'outside the key directory'),
                ('../' + os.path.relpath(outside, keys_dir),
                    'outside the key directory'),
                ('link.p12', 'outside the key directory'),
                ('/etc/hostname', 'outside the key directory'),
                ('.', 'outside the key directory'),
                ('missing.p12', 'no key file'),
                ]:
            with self.subTest(path=path):
                with self.assertRaises(CertificateError) as cm:
                    register(path)
                self.assertIn(message, cm.exception.message)
        # inside, by its absolute path: kept relative to the directory
        certificate = register(inside)
        self.assertEqual(
            certificate.pkcs12_path, os.path.basename(inside))
        with certificate.signer(tools.PASSPHRASE) as signer:
            self.assertEqual(
                signer.signing_cert.dump(), pki.cert('agency').dump())
        # a file turned into a link out afterwards is refused when signing
        os.replace(inside, inside + '.old')
        self.addCleanup(os.replace, inside + '.old', inside)
        os.symlink(outside, inside)
        self.addCleanup(os.remove, inside)
        with self.assertRaises(SigningError) as cm:
            with certificate.signer(tools.PASSPHRASE):
                pass
        self.assertIn('outside the key directory', cm.exception.message)
        # without a key directory no key file is used
        config.set('mvp_signing', 'key_directory', '')
        self.addCleanup(config.set, 'mvp_signing', 'key_directory', keys_dir)
        with self.assertRaises(SigningError) as cm:
            with certificate.signer(tools.PASSPHRASE):
                pass
        self.assertIn('no key directory', cm.exception.message)

    @with_transaction()
    def test_pkcs11_library_from_configuration(self):
        "Only the configured PKCS#11 libraries are loaded"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Certificate = pool.get('mvp.signing.certificate')
        pki = test_pki.shared()
        unit = Unit(name=test_pki.AGENCY, code='UBND', kind='province',
            identifier=test_pki.AGENCY_ID)
        unit.save()
        self.assertIn((test_pki.SOFTHSM, test_pki.SOFTHSM),
            Certificate.get_pkcs11_libraries())
        for library in ['/tmp/evil.so', '/usr/lib/softhsm/../evil.so']:
            with self.subTest(library=library):
                with self.assertRaises(CertificateError) as cm:
                    Certificate.create([{
                                'kind': 'organisation',
                                'company': unit.company.id,
                                'certificate': pki.cert('agency').dump(),
                                'key_storage': 'pkcs11',
                                'pkcs11_library': library,
                                'pkcs11_key': 'agency'}])
                self.assertIn('not one of those the server configuration '
                    'allows', cm.exception.message)
        certificate, = Certificate.create([{
                    'kind': 'organisation', 'company': unit.company.id,
                    'certificate': pki.cert('agency').dump(),
                    'key_storage': 'pkcs11',
                    'pkcs11_library': test_pki.SOFTHSM,
                    'pkcs11_key': 'agency'}])
        # the configuration no longer allows it: nothing is loaded
        allowed = config.get('mvp_signing', 'pkcs11_libraries')
        config.set('mvp_signing', 'pkcs11_libraries', '/usr/lib/other.so')
        self.addCleanup(config.set, 'mvp_signing', 'pkcs11_libraries',
            allowed)
        with self.assertRaises(SigningError) as cm:
            with certificate.signer('2468'):
                pass
        self.assertIn(test_pki.SOFTHSM, cm.exception.message)

    @with_transaction()
    def test_certificate_subject_of_agency(self):
        "A certificate is registered only for the agency or person it names"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        User = pool.get('res.user')
        Certificate = pool.get('mvp.signing.certificate')
        pki = test_pki.shared()
        other = Unit(name="Sở Tài chính", code='STC', kind='department',
            identifier='000.00.03.H31')
        other.save()
        # the test PKI's certificates name UBND tỉnh Thử Nghiệm: not the
        # Department of Finance (each refused one stays in the test's
        # transaction: a certificate of its own each)
        with self.assertRaises(CertificateError) as cm:
            Certificate.create([{
                        'kind': 'organisation', 'company': other.company.id,
                        'certificate': pki.cert('tsa').dump(),
                        'key_storage': 'external'}])
        self.assertIn('is not one of the agency Sở Tài chính',
            cm.exception.message)
        # by its identifier code, whatever the name
        province = Unit(name="Ủy ban nhân dân tỉnh Hưng Yên", code='UBND',
            kind='province', identifier=test_pki.AGENCY_ID)
        province.save()
        seal, = Certificate.create([{
                    'kind': 'organisation', 'company': province.company.id,
                    'certificate': pki.cert('agency').dump(),
                    'key_storage': 'external'}])
        # by the name, written out or abbreviated
        for name, identifier in [
                ("Ủy ban nhân dân tỉnh Thử Nghiệm", '000.00.00.H32'),
                ("UBND TINH THU NGHIEM", '000.00.00.H33')]:
            unit = Unit(name=name, code='UBND', kind='province',
                identifier=identifier)
            unit.save()
            Certificate.create([{
                        'kind': 'organisation', 'company': unit.company.id,
                        'certificate': pki.cert('deputy').dump(),
                        'key_storage': 'external'}])
            Certificate.delete(Certificate.search([
                        ('company', '=', unit.company.id)]))
        leader = User(login='lanhdao', name=test_pki.LEADER,
            companies=[province.company], company=province.company)
        leader.save()
        stranger = User(login='nguoingoai', name=test_pki.ENTITIES[
                'expired'][0], companies=[other.company],
            company=other.company)
        stranger.save()
        # a person's certificate given to someone else
        with self.assertRaises(CertificateError) as cm:
            Certificate.create([{
                        'kind': 'personal', 'company': province.company.id,
                        'user': leader.id,
                        'certificate': pki.cert('revoked').dump(),
                        'key_storage': 'external'}])
        self.assertIn('not to ' + test_pki.LEADER, cm.exception.message)
        # to its holder, who works elsewhere
        with self.assertRaises(ValidationError):
            Certificate.create([{
                        'kind': 'personal', 'company': province.company.id,
                        'user': stranger.id,
                        'certificate': pki.cert('expired').dump(),
                        'key_storage': 'external'}])
        personal, = Certificate.create([{
                    'kind': 'personal', 'company': province.company.id,
                    'user': leader.id,
                    'certificate': pki.cert('leader').dump(),
                    'key_storage': 'external'}])
        # moving the holder away flags the certificate, it stays registered
        User.write([leader], {'companies': [('remove', [province.company.id]),
                        ('add', [other.company.id])],
                'company': other.company.id})
        self.assertTrue(personal.revocation_requested)
        self.assertEqual(seal.kind, 'organisation')

    @with_transaction()
    def test_expiry(self):
        "Certificates past their validity are marked expired, and cannot sign"
        import datetime as dt
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Certificate = pool.get('mvp.signing.certificate')
        pki = test_pki.shared()
        unit = Unit(name=test_pki.AGENCY, code='STC', kind='department',
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


del ModuleTestCase
