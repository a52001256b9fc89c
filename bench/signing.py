"""Signing and verification speed, on one 1 MB, 20-page PDF.

(a) floor: SHA-256 of the bytes plus one RSA-2048 signature;
(b) pyHanko's plain `signers.sign_pdf`, B-B, key already in memory;
(c) our signing path with a PKCS#12 key: the call the server makes when a
    leader signs (Decree 30 personal appearance), then invisible; and the
    server's whole step in a database (c'): that call, the verification of
    the result, storing the file and the signature records, the approval;
(d) our `pades.verify` against pyHanko's bare `validate_pdf_signature`, and
    the server's verification of a received document (d'): verify, store
    the signature records, set the legal status.

Medians over N runs after a warm-up, the cases taking turns; printed and
written to bench/results/signing.txt. (c') and (d') run in a SQLite
database in memory with mvp_signing activated (about 10 s to set up).

    python bench/signing.py [-n N] [--out FILE]
"""
import argparse
import atexit
import datetime as dt
import hashlib
import io
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from importlib.metadata import version

from machine import cpu

# The model's cases run in a throwaway database, set before trytond loads.
os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
os.environ.setdefault('DB_NAME', ':memory:')
if 'TRYTOND_DATABASE__PATH' not in os.environ:
    # the file store of the signed files
    os.environ['TRYTOND_DATABASE__PATH'] = _files = tempfile.mkdtemp(
        prefix='mvp-bench-')
    atexit.register(shutil.rmtree, _files, True)
# the key files of the throwaway PKI, made under the temporary directory
os.environ.setdefault(
    'TRYTOND_MVP_SIGNING__KEY_DIRECTORY', tempfile.gettempdir())

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from trytond.modules.mvp_signing import appearance, keys, pades
from trytond.modules.mvp_signing.tests import images, pki, samples

HERE = os.path.dirname(os.path.abspath(__file__))
PASSPHRASE = 'bench'


def medians_ms(funcs, runs, warmup=3):
    """Median wall time of each function, in ms.

    The functions take turns, run after run, so that a passing load on the
    machine weighs on all of them alike and the ratios hold.
    """
    for func in funcs:
        for _ in range(warmup):
            func()
    times = [[] for _ in funcs]
    for _ in range(runs):
        for func, spent in zip(funcs, times):
            start = time.perf_counter()
            func()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 for spent in times]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--runs', type=int, default=50)
    parser.add_argument('--out',
        default=os.path.join(HERE, 'results', 'signing.txt'))
    args = parser.parse_args(argv)

    test_pki = pki.LoopbackPKI()
    try:
        with model_database():
            return run(test_pki, args)
    finally:
        test_pki.close()


class model_database:
    "A transaction on a database with mvp_signing, rolled back at the end"

    def __enter__(self):
        from trytond.tests.test_tryton import DB_NAME, activate_module
        from trytond.transaction import Transaction
        activate_module('mvp_signing')
        # the configuration is a singleton: creating it locks its table
        self.transaction = Transaction().start(DB_NAME, 0,
            _lock_tables=['mvp_signing_configuration'])
        self.transaction.__enter__()

    def __exit__(self, *exc):
        self.transaction.rollback()
        self.transaction.__exit__(*exc)


def model_cases(test_pki, p12, pdf, signed, count):
    """(c') and (d'): the server's signing step, count times, each on its own
    document awaiting approval; its verification of a received document"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Unit = pool.get('mvp.unit')
    User = pool.get('res.user')
    Trust = pool.get('mvp.signing.trust')
    Certificate = pool.get('mvp.signing.certificate')
    Outgoing = pool.get('mvp.document.outgoing')
    Incoming = pool.get('mvp.document.incoming')
    Type = pool.get('mvp.document.type')
    Configuration = pool.get('mvp.signing.configuration')
    # offline, as (d): the test PKI's responders are not serving
    Configuration.create([{'fetch': False}])
    agency = Unit(name=pki.AGENCY, code='UBND', kind='province',
        identifier='000.00.00.H31')
    agency.save()
    leader = User(login='leader', name=pki.LEADER,
        companies=[agency.company], company=agency.company)
    leader.save()
    Trust.create([{'certificate': test_pki.cert('root').dump()}])
    certificate, = Certificate.create([{
                'kind': 'personal', 'company': agency.company.id,
                'user': leader.id, 'certificate': test_pki.cert(
                    'leader').dump(),
                'key_storage': 'pkcs12', 'pkcs12_path': p12,
                'image': images.png(images.signature_image(
                        pki.LEADER))}])
    type_, = Type.search([], limit=1)
    documents = Outgoing.create([{
                'company': agency.company.id, 'type': type_.id,
                'abstract': 'Bench %d' % i, 'drafter': leader.id,
                'signer': leader.id, 'state': 'approval',
                'file_name': 'bench.pdf', 'file_data': pdf,
                } for i in range(count)])
    received, = Incoming.create([{
                'company': agency.company.id, 'type': type_.id,
                'abstract': 'Bench', 'sender': 'Bench',
                'file_name': 'signed.pdf', 'file_data': signed}])
    assert received.legal_status == 'valid', received.legal_status
    todo = iter(documents)

    def sign_step():
        document = next(todo)
        with Transaction().set_user(leader.id):
            Outgoing._check_signing([document], certificate, 'personal')
            with certificate.signer(PASSPHRASE) as signer:
                Outgoing.sign_and_approve([document], certificate, signer)
        assert document.state == 'approved'

    def verify_step():
        Incoming.verify([received])
    return sign_step, verify_step


def run(test_pki, args):
    pdf = samples.pdf(pages=20, size=1_000_000)
    p12 = test_pki.p12('leader', PASSPHRASE.encode())
    root = test_pki.cert('root')
    rsa_key = test_pki.keys['leader']
    plain = signers.SimpleSigner.load_pkcs12(p12,
        passphrase=PASSPHRASE.encode())
    # the server keeps the signature image as PNG bytes
    image = images.png(images.signature_image(pki.LEADER))

    def floor():
        digest = hashlib.sha256(pdf).digest()
        rsa_key.sign(digest, padding.PKCS1v15(), hashes.SHA256())

    def pyhanko_plain():
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        signers.sign_pdf(writer,
            signers.PdfSignatureMetadata(field_name='Signature'),
            signer=plain)

    def ours():
        return pades.sign(pdf, keys.load_pkcs12(p12, PASSPHRASE))

    def ours_visible():
        # as Outgoing._personal calls it
        return pades.sign(pdf, keys.load_pkcs12(p12, PASSPHRASE),
            field='personal', appearance=appearance.Personal(image),
            location=pki.AGENCY)

    signed = ours()
    vc_roots = [root]
    runs = args.runs
    model_sign, model_verify = model_cases(test_pki, p12, pdf, signed,
        runs + 3)

    def bare():
        reader = PdfFileReader(io.BytesIO(signed))
        status = validate_pdf_signature(reader.embedded_signatures[0],
            ValidationContext(trust_roots=vc_roots))
        assert status.bottom_line

    def our_verify():
        report = pades.verify(signed, vc_roots, fetch=False)
        assert report['status'] == 'valid'

    a, b, c, c_invisible, c_model, d_bare, d_ours, d_model = medians_ms([
            floor, pyhanko_plain, ours_visible, ours, model_sign, bare,
            our_verify, model_verify], runs)

    lines = [
        'Signing and verification, 1 PDF of %d bytes, 20 pages; '
        'median of %d runs (ms)' % (len(pdf), runs),
        '%s; %s, Python %s; pyHanko %s, cryptography %s' % (
            dt.date.today().isoformat(), cpu(), platform.python_version(),
            version('pyhanko'), version('cryptography')),
        'command: python bench/signing.py -n %d' % runs,
        '',
        '(a) floor: sha256 + one RSA-2048 signature   %8.2f' % a,
        '(b) pyHanko sign_pdf, in-memory key, B-B      %8.2f' % b,
        '(c) our signing path, PKCS#12 key, B-B,       %8.2f'
        '   %.1fx faster than (b)' % (c, b / c),
        '    Decree 30 personal appearance, as the server calls it',
        '    the same, invisible                       %8.2f'
        '   %.1fx faster than (b)' % (c_invisible, b / c_invisible),
        "(c') the server's whole signing step          %8.2f"
        '   (c) + %.2f: verify the result, store, approve'
        % (c_model, c_model - c),
        '(d) pyHanko validate_pdf_signature (bare)     %8.2f' % d_bare,
        '    pades.verify (offline, same roots)        %8.2f'
        '   %.2fx the bare validation' % (d_ours, d_ours / d_bare),
        "(d') the server's verification of a document  %8.2f"
        '   (d) + %.2f: trust from the database, store'
        % (d_model, d_model - d_ours),
        '',
        'goals: (c) < 25 ms and >= 4x faster than (b): %s; '
        '(d) within 2x of bare: %s' % (
            'met' if c < 25 and b / c >= 4 else 'NOT met',
            'met' if d_ours <= 2 * d_bare else 'NOT met'),
    ]
    text = '\n'.join(lines) + '\n'
    sys.stdout.write(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
