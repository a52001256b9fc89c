"""`mvp archive export`: the packages of closed dossiers written from the
database, the signature evidence of their files taken from the verification
stored when the files arrived, recorded on the dossiers and found intact by
`mvp archive verify`.

The document is signed by the leader of mvp_signing's test PKI; the PDF/A
renditions are made by the real Ghostscript once and used again.
"""
import contextlib
import datetime as dt
import io
import json
import shutil
import tempfile
import unittest
from pathlib import Path

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from trytond.modules.mvp_archive import package
from trytond.modules.mvp_documents import cli as mvp
from trytond.modules.mvp_signing import keys, pades
from trytond.modules.mvp_signing.tests import pki as test_pki
from trytond.modules.mvp_signing.tests import samples

PASSPHRASE = 'bí mật'


def run(*argv):
    "mvp's exit status, standard output and error"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = mvp.main([str(a) for a in argv])
        except SystemExit as e:
            status = e.code
    return status, out.getvalue(), err.getvalue()


@unittest.skipUnless(shutil.which('gs'), "Ghostscript is not installed")
class ExportTestCase(unittest.TestCase):
    "mvp archive export"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('mvp_archive')
        cls.pki = test_pki.shared()
        path = cls.pki.p12('leader', PASSPHRASE.encode())
        cls.signed = pades.sign(samples.pdf(pages=2, size=20_000),
            keys.load_pkcs12(path, PASSPHRASE))
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Unit = pool.get('mvp.unit')
            Trust = pool.get('mvp.signing.trust')
            agency, = Unit.create([{
                        'name': "Sở Nội vụ", 'code': 'SNV',
                        'kind': 'department',
                        'identifier': '000.00.01.H31',
                        }])
            cls.company = agency.company.id
            Trust.create([{'certificate': cls.pki.cert('root').dump()}])
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        # the next test module starts from a database of its own
        drop_db()

    def setUp(self):
        self.out = Path(tempfile.mkdtemp(prefix='mvp-export-'))
        self.addCleanup(shutil.rmtree, self.out, ignore_errors=True)

    def closed_dossier(self, notation):
        "A closed dossier holding an incoming document signed by the leader"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Incoming = pool.get('mvp.document.incoming')
            Type = pool.get('mvp.document.type')
            Dossier = pool.get('mvp.archive.dossier')
            Entry = pool.get('mvp.archive.dossier.document')
            letter, = Type.search([('code', '=', None)], limit=1)
            incoming, = Incoming.create([{
                        'company': self.company,
                        'sender': "Ủy ban nhân dân xã Mễ Sở",
                        'number_symbol': '12/UBND-VP',
                        'document_date': dt.date(2026, 3, 2),
                        'type': letter.id,
                        'abstract': "Đề nghị bổ nhiệm cán bộ",
                        'file_name': 'de-nghi.pdf',
                        'file_data': self.signed,
                        }])
            dossier, = Dossier.create([{
                        'company': self.company,
                        'year': 2026,
                        'notation': notation,
                        'title': "Hồ sơ bổ nhiệm cán bộ",
                        'permanent': True,
                        }])
            Entry.file_documents(dossier, [incoming])
            Dossier.close([dossier])
            transaction.commit()
            return dossier.id, dossier.code

    def read(self, id_):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Dossier = Pool().get('mvp.archive.dossier')
            dossier = Dossier(id_)
            return {f: getattr(dossier, f) for f in [
                    'state', 'package_path', 'package_checksum',
                    'package_error', 'package_files']}

    def test_export_closed(self):
        "Every closed dossier is exported, recorded and found intact"
        id_, code = self.closed_dossier('01.TCCB')

        status, out, err = run('archive', 'export', '-d', DB_NAME,
            '--closed', '-o', self.out)

        self.assertEqual(status, 0, err)
        dossier = self.read(id_)
        self.assertEqual(dossier['state'], 'submitted')
        self.assertEqual(Path(dossier['package_path']), self.out / code)
        self.assertIn(dossier['package_checksum'], out)
        status, out, err = run('archive', 'verify', dossier['package_path'],
            '--checksum', dossier['package_checksum'])
        self.assertEqual(status, 0, out + err)

        # the signature as verified when the document arrived
        document = self.out / code / 'data' / 'documents' / '001'
        evidence = json.loads((document / '01.evidence.json').read_text())
        self.assertEqual(evidence['status'], 'valid')
        signature, = evidence['signatures']
        self.assertTrue(signature['intact'] and signature['trusted'])
        self.assertEqual(signature['result'], 'valid')
        self.assertEqual(package.pdfa(document / '01.pdfa.pdf'), '2B')
        self.assertEqual((document / '01.pdf').read_bytes(), self.signed)

        # nothing left to export; a submitted dossier is not exported again
        status, out, err = run('archive', 'export', '-d', DB_NAME,
            '--closed', '-o', self.out)
        self.assertEqual((status, out.strip()), (0,
                'no closed dossier to export'))
        status, out, err = run('archive', 'export', '-d', DB_NAME,
            '--dossier', code, '-o', self.out)
        self.assertEqual(status, 1)
        self.assertIn('not closed', err)
        status, out, err = run('archive', 'export', '-d', DB_NAME,
            '--dossier', '000.00.01.H31.2026.99.XX', '-o', self.out)
        self.assertEqual(status, 1)
        self.assertIn('no dossier has the code', err)

    def test_rendition_kept(self):
        "A file converted once is not converted again"
        first, _ = self.closed_dossier('02.TCCB')
        second, code = self.closed_dossier('03.TCCB')
        for id_ in [first, second]:
            with Transaction().start(DB_NAME, 0, readonly=True):
                code_ = Pool().get('mvp.archive.dossier')(id_).code
            status, _, err = run('archive', 'export', '-d', DB_NAME,
                '--dossier', code_, '-o', self.out)
            self.assertEqual(status, 0, err)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Rendition = Pool().get('mvp.archive.rendition')
            rendition, = Rendition.search([])
            kept = bytes(rendition.rendition.data)
        self.assertEqual((self.out / code / 'data' / 'documents' / '001'
                / '01.pdfa.pdf').read_bytes(), kept)

    def test_failure_recorded(self):
        "A package that cannot be written leaves the dossier closed, saying why"
        id_, code = self.closed_dossier('04.TCCB')
        (self.out / code).mkdir()

        status, out, err = run('archive', 'export', '-d', DB_NAME,
            '--dossier', code, '-o', self.out)

        self.assertEqual(status, 1)
        dossier = self.read(id_)
        self.assertEqual(dossier['state'], 'closed')
        self.assertIn(str(self.out / code), dossier['package_error'])
        self.assertIn(dossier['package_error'], err)
        self.assertEqual(list((self.out / code).iterdir()), [])
