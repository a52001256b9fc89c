"""Bounded input: hostile files get a clear error, in bounded time and
memory, and nothing of them is stored; revocation data is fetched only for
chains that end at a trust root."""
import asyncio
import os
import signal
import time
import unittest

from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from trytond import config
from trytond.filestore import filestore
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from trytond.modules.mvp_signing import keys, pades, sandbox
from trytond.modules.mvp_signing.tests import hostile, samples
from trytond.modules.mvp_signing.tests import pki as test_pki


def refusal(data, limits=hostile.LIMITS):
    "The reason code pades.verify refuses data with, None if accepted"
    try:
        pades.verify(data, fetch=False, limits=limits)
    except pades.Unreadable as e:
        return e.reason


class HostileFilesTestCase(unittest.TestCase):
    "pades.verify, alone"

    def test_each_refused(self):
        "Each hostile file is refused for what it is"
        for name, (make, reason) in hostile.FILES.items():
            with self.subTest(name):
                self.assertEqual(refusal(make()), reason)

    def test_truncated(self):
        "A signed file cut in half is damaged"
        pki = test_pki.shared()
        signed = pades.sign(samples.pdf(),
            keys.load_pkcs12(pki.p12('leader', b'x'), b'x'))
        self.assertIsNone(refusal(signed))
        self.assertEqual(refusal(hostile.truncated(signed)), 'damaged')

    def test_within_limits(self):
        "Files just within the limits are read"
        limits = pades.Limits(pages=1, objects=5003, signatures=0,
            inflated=2 ** 20)
        self.assertIsNone(refusal(samples.pdf(), limits))
        self.assertIsNone(refusal(hostile.many_objects(), limits))
        self.assertEqual(
            refusal(samples.pdf(pages=2), limits), 'too_many_pages')
        self.assertIsNone(refusal(hostile.bomb(2 ** 20), limits))
        self.assertEqual(
            refusal(hostile.bomb(2 * 2 ** 20), limits), 'too_inflated')
        # a limit raised by the configuration holds for every reading
        report = pades.verify(hostile.pages(5001), fetch=False,
            limits=pades.Limits(pages=6000))
        self.assertEqual((report['status'], report['javascript']),
            ('unsigned', False))
        # streams inflating past one read of the scan, then ending
        self.assertIsNone(refusal(hostile.bomb(3 * 2 ** 20),
                pades.Limits(inflated=4 * 2 ** 20)))


def _spin():
    while True:
        pass


def _address_space():
    "The process's address space, in bytes"
    with open('/proc/self/statm') as f:
        return int(f.read().split()[0]) * os.sysconf('SC_PAGE_SIZE')


def _burn(seconds):
    "Spend seconds of CPU time; the process's id"
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return os.getpid()


class SandboxTestCase(unittest.TestCase):
    "The child process verification runs in"

    def test_result_and_errors(self):
        "Results and exceptions come back as in the caller"
        self.assertEqual(sandbox.run(sum, [[1, 2, 3]]), 6)
        report = sandbox.run(pades.verify, [samples.pdf()], {'fetch': False})
        self.assertEqual(report['status'], 'unsigned')
        with self.assertRaises(pades.Unreadable) as cm:
            sandbox.run(pades.verify, [hostile.garbage()], {'fetch': False})
        self.assertEqual(cm.exception.reason, 'damaged')

    def test_time(self):
        "A child past its time is killed"
        start = time.monotonic()
        with self.assertRaises(sandbox.Limit) as cm:
            sandbox.run(_spin, time=1)
        self.assertEqual(cm.exception.reason, 'time')
        self.assertLess(time.monotonic() - start, 10)

    def test_memory(self):
        "A child asking for more memory than allowed gets none"
        with self.assertRaises(sandbox.Limit) as cm:
            sandbox.run(bytearray, [2 ** 31], memory=2 ** 30)
        self.assertEqual(cm.exception.reason, 'memory')
        self.assertEqual(
            len(sandbox.run(bytearray, [2 ** 20], memory=2 ** 30)), 2 ** 20)

    def test_crash(self):
        "A child that dies is told apart"
        with self.assertRaises(sandbox.Limit) as cm:
            sandbox.run(os.abort)
        self.assertEqual(cm.exception.reason, 'crash')

    def test_reuse(self):
        """A child serves the next call after a good one, never after a
        failed one, and no more than CALLS calls; one gone while idle is
        replaced unseen"""
        first = sandbox.run(os.getpid)
        self.assertNotEqual(first, os.getpid())
        self.assertEqual(sandbox.run(os.getpid), first)
        with self.assertRaises(pades.Unreadable):
            sandbox.run(pades.verify, [hostile.garbage()], {'fetch': False})
        second = sandbox.run(os.getpid)
        self.assertNotEqual(second, first)
        # a call's memory bound is its own: the next call of the same
        # child is not held to it
        bound = sandbox.run(_address_space) + 2 ** 26
        self.assertEqual(len(sandbox.run(
                    bytearray, [2 ** 20], memory=bound)), 2 ** 20)
        self.assertEqual(len(sandbox.run(bytearray, [2 ** 27])), 2 ** 27)
        self.assertEqual(sandbox.run(os.getpid), second)
        os.kill(second, signal.SIGKILL)
        for _ in range(100):
            if not os.path.exists(f'/proc/{second}'):
                break
            time.sleep(0.05)
        third = sandbox.run(os.getpid)
        self.assertNotIn(third, {first, second})
        pids = {sandbox.run(os.getpid) for _ in range(sandbox.CALLS + 1)}
        self.assertEqual(len(pids), 2)

    def test_time_reused(self):
        """A child that served calls still has the whole time for the
        next: the CPU limit counts from each call's start"""
        # more CPU in all than one call may spend (time + 1 s), each call
        # with room to spare on a busy machine
        pid = sandbox.run(os.getpid)
        for _ in range(6):
            self.assertEqual(sandbox.run(_burn, [1.0], time=4), pid)
        with self.assertRaises(sandbox.Limit) as cm:
            sandbox.run(_spin, time=1)
        self.assertEqual(cm.exception.reason, 'time')


class FetchTestCase(unittest.TestCase):
    "Revocation data of anchored chains only"

    def setUp(self):
        self.pki = test_pki.shared()
        self.requests = []
        app = self.pki._late.app

        def counting(environ, start_response):
            self.requests.append(environ['PATH_INFO'])
            return app(environ, start_response)
        self.pki._late.app = counting
        self.addCleanup(setattr, self.pki._late, 'app', app)
        passphrase = b'x'
        self.signed = pades.sign(samples.pdf(), keys.load_pkcs12(
                self.pki.p12('leader', passphrase), passphrase))

    def test_verify(self):
        "Trusting another root, the signer's CRL and OCSP are not asked"
        report = pades.verify(self.signed, [self.pki.cert('stranger')],
            fetch=True)
        self.assertEqual(report['signatures'][0]['reasons'], ['untrusted'])
        self.assertEqual(self.requests, [])
        report = pades.verify(self.signed, [self.pki.cert('root')],
            fetch=True)
        self.assertEqual(report['status'], 'valid')
        self.assertTrue(self.requests)

    def test_fetchers(self):
        "The fetchers refuse certificates whose chain ends elsewhere"
        leader = self.pki.cert('leader')

        async def fetch(root, ocsp=False):
            backend = pades._AnchoredBackend(5)
            context = ValidationContext(trust_roots=[self.pki.cert(root)],
                other_certs=self.pki.chain('leader'), allow_fetching=True,
                fetcher_backend=OwnedFetcherBackend(backend))
            backend.context = context
            fetchers = backend.get_fetchers()
            try:
                if ocsp:
                    return await fetchers.ocsp_fetcher.fetch(leader, None)
                return await fetchers.crl_fetcher.fetch(leader)
            finally:
                await context.aclose()
        with self.assertRaises(CRLFetchError):
            asyncio.run(fetch('stranger'))
        with self.assertRaises(OCSPFetchError):
            asyncio.run(fetch('stranger', ocsp=True))
        self.assertEqual(self.requests, [])
        self.assertTrue(asyncio.run(fetch('root')))
        self.assertTrue(any('crl' in r for r in self.requests))


class UploadTestCase(unittest.TestCase):
    "Hostile uploads through the document models"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_signing')

    def configure(self, section='mvp_signing', **options):
        "Set options of section for the test"
        for option, value in options.items():
            old = config.get(section, option)
            if not config.has_section(section):
                config.add_section(section)
            config.set(section, option, str(value))
            if old is None:
                self.addCleanup(self.unset, section, option)
            else:
                self.addCleanup(config.set, section, option, old)

    @staticmethod
    def unset(section, option):
        config._config.remove_option(section, option)
        config.update_etc([])  # clears the cached values

    def agency(self):
        Unit = Pool().get('mvp.unit')
        unit = Unit(name="Sở Nội vụ", code='SNV', kind='department',
            identifier='000.00.01.H31')
        unit.save()
        return unit

    def upload(self, data, name='x.pdf'):
        """Try to store data as an incoming document; the error message,
        the bytes kept out of the file store when there is one"""
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Type = pool.get('mvp.document.type')
        type_, = Type.search([('code', '=', 'QĐ')], limit=1)
        try:
            Incoming.create([{
                        'company': self.unit.company.id, 'type': type_.id,
                        'abstract': "Văn bản", 'sender': "Ngoài",
                        'file_name': name, 'file_data': data}])
        except Exception as e:
            # the file store is written before the commit: not rolled back
            self.assertFalse(os.path.exists(filestore._filename(
                        filestore._id(data), Transaction().database.name)))
            return getattr(e, 'message', str(e))

    def stored(self):
        """(files, signatures): what an upload stores before the error of a
        later step would roll the transaction back"""
        pool = Pool()
        return (pool.get('mvp.document.file').search([], count=True),
            pool.get('mvp.signature').search([], count=True))

    def assertNothingStored(self, before):
        self.assertEqual(self.stored(), before)

    @with_transaction()
    def test_hostile_uploads(self):
        "Each hostile file gets its message; nothing is stored"
        self.configure(max_pages=500, max_objects=2000, max_signatures=20,
            max_inflated=64 * 2 ** 20)
        self.unit = self.agency()
        before = self.stored()
        messages = {
            'too_many_pages': 'more pages than the server reads',
            'too_many_objects': 'more objects than the server reads',
            'too_many_signatures': 'more signatures than the server checks',
            'too_inflated': 'would expand far beyond its size',
            'damaged': 'is damaged and cannot be read',
            }
        for name, (make, reason) in hostile.FILES.items():
            with self.subTest(name):
                message = self.upload(make(), f'{name}.pdf')
                self.assertIn(f'"{name}.pdf"', message or '')
                self.assertIn(messages[reason], message)
        self.assertNothingStored(before)
        self.assertIsNone(self.upload(samples.pdf()))
        self.assertEqual(self.stored()[0], before[0] + 1)

    @with_transaction()
    def test_sandbox_limits(self):
        "Past the sandbox's time or memory, the file is refused"
        self.unit = self.agency()
        before = self.stored()
        # pyHanko reads the 8 MB string of the catalog in about a minute
        self.configure(verify_time=2)
        start = time.monotonic()
        self.assertIn('could not be checked in the time allowed',
            self.upload(hostile.big_string()) or '')
        self.assertLess(time.monotonic() - start, 30)
        # not a byte more than the sandbox holds when it starts: the
        # string does not fit
        self.configure(verify_time=30, verify_memory=1)
        self.assertIn('needs more memory',
            self.upload(hostile.big_string()) or '')
        self.assertNothingStored(before)

    @with_transaction()
    def test_too_large(self):
        "Files over max_file_size are refused, PDF or not, before a parse"
        self.unit = self.agency()
        before = self.stored()
        self.configure('mvp_documents', max_file_size=2 ** 20)
        for name in ['scan.pdf', 'letter.docx']:
            with self.subTest(name):
                message = self.upload(bytes(2 ** 20 + 1), name)
                self.assertIn(f'"{name}" is too large (1.0 MB)', message)
                self.assertIn('at most 1.0 MB', message)
        self.assertNothingStored(before)
        # and the files of the certificate register
        Trust = Pool().get('mvp.signing.trust')
        from trytond.modules.mvp_documents.exceptions import FileSizeError
        with self.assertRaises(FileSizeError) as cm:
            Trust.create([{'certificate': bytes(2 ** 20 + 1)}])
        self.assertIn('"Certificate" is too large', cm.exception.message)
        self.assertIsNone(self.upload(bytes(2 ** 20), 'letter.docx'))
        self.assertEqual(self.stored()[0], before[0] + 1)
