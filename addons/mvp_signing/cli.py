"""`mvp verify-pdf` and `mvp sign-external`.

verify-pdf prints one JSON object per signature and exits with
0 when there is at least one signature and all are valid and trusted,
1 when any is not, 3 when the file has no signature, 2 when the file
cannot be read (the message says why, on stderr).

sign-external is the reference external signer: it answers a signing
request (`pades.Prepared.request()`, JSON) with a key from a PKCS#12 file
or a PKCS#11 token, so that the key never reaches the server.
"""
import getpass
import json
import logging
import os
import sys

VALID, INVALID, UNREADABLE, UNSIGNED = 0, 1, 2, 3
SECRET_ENV = 'MVP_SIGNER_SECRET'


def register(subparsers):
    parser = subparsers.add_parser('verify-pdf',
        help="verify the signatures of a PDF",
        description="Verify every signature of a PDF. Prints one JSON object "
        "per signature; exits 0 if all are valid and trusted, 1 if any is "
        "not, 3 if there is no signature, 2 if the file cannot be read.")
    parser.add_argument('file', metavar='FILE')
    parser.add_argument('--trust', metavar='DIR',
        default=os.environ.get('MVP_TRUST_DIR'),
        help="directory of trusted root certificates (PEM or DER); "
        "default $MVP_TRUST_DIR")
    parser.add_argument('--offline', action='store_true',
        help="do not fetch CRLs or OCSP responses; use the embedded ones")
    parser.add_argument('--max-size', type=float, metavar='MB',
        help="refuse larger files (default %d MB)" % 50)
    parser.add_argument('-v', '--verbose', action='store_true',
        help="show pyHanko's diagnostics")
    parser.set_defaults(func=verify_pdf)


def _fail(message, status):
    print('mvp: %s' % message, file=sys.stderr)
    return status


def _quiet(verbose):
    # pyHanko logs every failed check with a traceback; the JSON says it all
    if not verbose:
        for name in ('pyhanko', 'pyhanko_certvalidator'):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def verify_pdf(args):
    from . import pades
    _quiet(args.verbose)
    max_size = pades.MAX_SIZE if args.max_size is None \
        else int(args.max_size * 2 ** 20)
    if not os.path.isfile(args.file):
        return _fail('%s: no such file' % args.file, UNREADABLE)
    try:
        trust = list(pades.load_certs(args.trust)) if args.trust else []
    except pades.Error as e:
        return _fail(str(e), UNREADABLE)
    try:
        report = pades.verify(args.file, trust, fetch=not args.offline,
            max_size=max_size)
    except pades.Unreadable as e:
        return _fail('%s: %s' % (args.file, e), UNREADABLE)
    if not report['signatures']:
        return _fail('%s: no signature' % args.file, UNSIGNED)
    for result in report['signatures']:
        print(json.dumps(result, ensure_ascii=False))
    if report['javascript']:
        print('mvp: %s: the PDF contains JavaScript' % args.file,
            file=sys.stderr)
    if not trust:
        print('mvp: no trust roots given (--trust): no signature can be '
            'trusted', file=sys.stderr)
    return VALID if report['status'] == 'valid' else INVALID


def register_sign_external(subparsers):
    parser = subparsers.add_parser('sign-external',
        help="answer a signing request with a local key (reference "
        "external signer)",
        description="Sign a request prepared by the server (JSON with the "
        "document digest) with a PKCS#12 file or a PKCS#11 token, and "
        "print the answer (JSON) for the server to finish the PDF. The "
        "passphrase or PIN is read from $%s or asked for." % SECRET_ENV)
    parser.add_argument('request', metavar='REQUEST',
        help="request file, - for standard input")
    key = parser.add_mutually_exclusive_group(required=True)
    key.add_argument('--p12', metavar='FILE', help="PKCS#12 key file")
    key.add_argument('--pkcs11', metavar='LIB',
        help="PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so")
    parser.add_argument('--token', help="PKCS#11 token label")
    parser.add_argument('--key', help="PKCS#11 key label")
    parser.add_argument('--raw', action='store_true',
        help="return a raw signature over the signed attributes instead "
        "of a CMS")
    parser.add_argument('-o', '--output', metavar='FILE',
        help="write the answer here instead of standard output")
    parser.set_defaults(func=sign_external)


def _secret(prompt):
    secret = os.environ.get(SECRET_ENV)
    if secret is None:
        secret = getpass.getpass(prompt)
    return secret


def sign_external(args):
    from . import keys, pades
    _quiet(False)
    try:
        if args.request == '-':
            request = json.load(sys.stdin)
        else:
            with open(args.request, encoding='utf-8') as f:
                request = json.load(f)
    except (OSError, ValueError) as e:
        return _fail('cannot read request %s: %s' % (args.request, e),
            UNREADABLE)
    try:
        if args.p12:
            answer = pades.sign_request(request, keys.load_pkcs12(args.p12,
                    _secret('Passphrase for %s: ' % args.p12)), raw=args.raw)
        else:
            if not args.key:
                return _fail('--pkcs11 needs --key', UNREADABLE)
            with keys.open_pkcs11(args.pkcs11, token=args.token,
                    key=args.key, pin=_secret('PIN: ')) as signer:
                answer = pades.sign_request(request, signer, raw=args.raw)
    except (keys.KeyUnavailable, pades.Error) as e:
        return _fail(str(e), INVALID)
    text = json.dumps(answer) + '\n'
    if args.output:
        with open(args.output, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv=None):
    "run these commands without the other modules' (tests, tools)"
    import argparse
    top = argparse.ArgumentParser(prog='mvp')
    subparsers = top.add_subparsers(dest='command', metavar='COMMAND')
    subparsers.required = True
    register(subparsers)
    register_sign_external(subparsers)
    args = top.parse_args(argv)
    return args.func(args) or 0


if __name__ == '__main__':
    sys.exit(main())
