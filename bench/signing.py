"""Signing and verification speed, on one 1 MB, 20-page PDF.

(a) floor: SHA-256 of the bytes plus one RSA-2048 signature;
(b) pyHanko's plain `signers.sign_pdf`, B-B, key already in memory;
(c) our `pades.sign` with a PKCS#12 key (invisible, then with the Decree 30
    personal appearance);
(d) our `pades.verify` against pyHanko's bare `validate_pdf_signature`.

Medians over N runs after a warm-up, the cases taking turns; printed and
written to bench/results/signing.txt.

    python bench/signing.py [-n N] [--out FILE]
"""
import argparse
import datetime as dt
import hashlib
import io
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from trytond.modules.mvp_signing import appearance, keys, pades
from trytond.modules.mvp_signing.tests import pki, samples

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


def cpu():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--runs', type=int, default=50)
    parser.add_argument('--out',
        default=os.path.join(HERE, 'results', 'signing.txt'))
    args = parser.parse_args(argv)

    test_pki = pki.LoopbackPKI()
    try:
        return run(test_pki, args)
    finally:
        test_pki.close()


def run(test_pki, args):
    pdf = samples.pdf(pages=20, size=1_000_000)
    p12 = test_pki.p12('leader', PASSPHRASE.encode())
    root = test_pki.cert('root')
    rsa_key = test_pki.keys['leader']
    plain = signers.SimpleSigner.load_pkcs12(p12,
        passphrase=PASSPHRASE.encode())
    image = appearance.signature_image(pki.LEADER)

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
        return pades.sign(pdf, keys.load_pkcs12(p12, PASSPHRASE),
            field='leader', appearance=appearance.Personal(image,
                box=(350, 120, 550, 210)))

    signed = ours()
    vc_roots = [root]

    def bare():
        reader = PdfFileReader(io.BytesIO(signed))
        status = validate_pdf_signature(reader.embedded_signatures[0],
            ValidationContext(trust_roots=vc_roots))
        assert status.bottom_line

    def our_verify():
        report = pades.verify(signed, vc_roots, fetch=False)
        assert report['status'] == 'valid'

    runs = args.runs
    a, b, c, c2, d_bare, d_ours = medians_ms([floor, pyhanko_plain, ours,
            ours_visible, bare, our_verify], runs)

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
        '(c) pades.sign, PKCS#12 key, B-B, invisible   %8.2f'
        '   %.1fx faster than (b)' % (c, b / c),
        '    pades.sign, with Decree 30 appearance     %8.2f'
        '   %.1fx faster than (b)' % (c2, b / c2),
        '(d) pyHanko validate_pdf_signature (bare)     %8.2f' % d_bare,
        '    pades.verify (offline, same roots)        %8.2f'
        '   %.2fx the bare validation' % (d_ours, d_ours / d_bare),
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
