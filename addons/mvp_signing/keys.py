"""Where a signing key lives: a PKCS#12 file or a PKCS#11 token.

Both give a pyHanko `Signer`; the external (interrupted) case needs no key
here and is handled in `pades`.
"""
import collections
import hashlib
import hmac
import os
import threading

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import (
    get_pyca_cryptography_hash, process_pss_params)

__all__ = ['KeyUnavailable', 'KeyPathError', 'KeySigner', 'key_file',
    'load_pkcs12', 'forget', 'open_pkcs11']


class KeyUnavailable(Exception):
    """the key cannot be used; the message says why for the log, `reason`
    as a code for people: 'missing' (no key file where said), 'secret'
    (wrong passphrase or PIN), 'damaged' (no usable key in the file),
    'token' (no such token or key on it), 'pin_locked' (the token's PIN is
    locked), 'unsupported' (a key type we do not sign with)"""

    def __init__(self, message, reason='damaged'):
        super().__init__(message)
        self.reason = reason


class KeyPathError(ValueError):
    """a key file the configuration does not allow; `reason` says why:
    'no_directory' (no key directory configured), 'outside' (the path
    leads out of it, through '..' or a symbolic link) or 'not_found'"""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def key_file(path, directory):
    """(real path, path relative to directory) of the key file `path`,
    taken relative to `directory`, the key directory of the server
    configuration; an absolute path inside it is taken too. KeyPathError
    if there is no directory, if the path resolves outside it or to no
    file.
    """
    if not directory:
        raise KeyPathError('no key directory is configured', 'no_directory')
    root = os.path.realpath(directory)
    real = os.path.realpath(os.path.join(root, path))
    if real == root or os.path.commonpath([root, real]) != root:
        raise KeyPathError('%s is outside the key directory' % path,
            'outside')
    if not os.path.isfile(real):
        raise KeyPathError('%s is not a file of the key directory' % path,
            'not_found')
    return real, os.path.relpath(real, root)


def _asn1(cert):
    return x509.Certificate.load(
        cert.public_bytes(serialization.Encoding.DER))


class KeySigner(Signer):
    """Signer over a private key parsed once.

    pyHanko's SimpleSigner re-parses (and re-checks) the DER key on every
    signature, which costs far more than the RSA operation itself.
    """

    def __init__(self, key, cert, others=(), prefer_pss=False):
        self._key = key
        super().__init__(signing_cert=cert,
            cert_registry=SimpleCertificateStore.from_certs(list(others)),
            prefer_pss=prefer_pss)

    @property
    def signature_size(self):
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.key_size // 8
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            # DER ECDSA signature: two integers, each possibly one byte longer
            return 2 * ((self._key.key_size + 7) // 8 + 3) + 2
        return 114

    async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
        if dry_run:
            # sizing the signature container needs the length only
            return bytes(self.signature_size)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data, digest_algorithm):
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        name = mechanism['algorithm'].native
        key = self._key
        if name == 'rsassa_pss':
            pad, algo = process_pss_params(mechanism['parameters'])
            return key.sign(data, pad, algo)
        algo = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), algo)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(algo))
        if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
            return key.sign(data)
        raise KeyUnavailable(
            'unsupported key type: %s' % type(key).__name__, 'unsupported')


# Loaded PKCS#12 signers, keyed by file identity and a keyed hash of the
# passphrase: a cache hit proves the caller knew the passphrase, and the
# passphrase itself is kept nowhere.
_cache = collections.OrderedDict()
_cache_size = 16
_lock = threading.Lock()
_pepper = os.urandom(32)


def load_pkcs12(path, passphrase):
    """The signer in the PKCS#12 file at `path`.

    Parsing and decrypting happen once per file version (path, inode, size,
    mtime) and passphrase; later calls return the same signer.
    """
    if isinstance(passphrase, str):
        passphrase = passphrase.encode('utf-8')
    try:
        st = os.stat(path)
    except OSError as e:
        raise KeyUnavailable('cannot read key file %s: %s'
            % (path, e.strerror), 'missing')
    tag = hmac.new(_pepper, passphrase or b'', hashlib.sha256).digest()
    ident = (os.path.realpath(path), st.st_ino, st.st_size, st.st_mtime_ns,
        tag)
    with _lock:
        signer = _cache.get(ident)
        if signer is not None:
            _cache.move_to_end(ident)
            return signer
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise KeyUnavailable('cannot read key file %s: %s'
            % (path, e.strerror), 'missing')
    try:
        key, cert, others = pkcs12.load_key_and_certificates(
            data, passphrase or None)
    except (ValueError, TypeError):
        raise KeyUnavailable('cannot open %s: wrong passphrase or not a '
            'PKCS#12 file' % path, 'secret')
    if key is None or cert is None:
        raise KeyUnavailable('%s holds no key and certificate' % path)
    signer = KeySigner(key, _asn1(cert), [_asn1(c) for c in others])
    with _lock:
        _cache[ident] = signer
        while len(_cache) > _cache_size:
            _cache.popitem(last=False)
    return signer


def forget():
    "drop every cached key, e.g. when a certificate is revoked"
    with _lock:
        _cache.clear()


class open_pkcs11:
    """Signer on a PKCS#11 token (an HSM, a USB token, SoftHSM2).

    Use as a context manager; the session closes on exit::

        with open_pkcs11(lib, token='mvp', pin='1234', key='leader') as s:
            pades.sign(pdf, s, ...)
    """

    def __init__(self, lib, *, pin, key, token=None, slot=None, cert=None):
        self.lib, self.pin, self.key = lib, pin, key
        self.token, self.slot, self.cert = token, slot, cert
        self.session = None

    def __enter__(self):
        from pkcs11 import PKCS11Error
        from pkcs11.exceptions import (
            PinIncorrect, PinInvalid, PinLenRange, PinLocked)
        from pyhanko.config.errors import ConfigurationError
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as p11
        try:
            self.session = p11.open_pkcs11_session(self.lib,
                slot_no=self.slot,
                token_criteria=TokenCriteria(label=self.token)
                if self.token else None,
                user_pin=self.pin)
            signer = p11.PKCS11Signer(self.session, key_label=self.key,
                cert_label=self.cert or self.key, other_certs_to_pull=None)
            # fetch the certificate now, so that a wrong label fails here
            signer.signing_cert
        except (PKCS11Error, PyHankoSigningError, ConfigurationError,
                OSError) as e:
            self.__exit__()
            if isinstance(e, PinLocked):
                reason = 'pin_locked'
            elif isinstance(e, (PinIncorrect, PinInvalid, PinLenRange)):
                reason = 'secret'
            else:
                reason = 'token'
            raise KeyUnavailable('PKCS#11 token: %s' % (
                str(e) or type(e).__name__), reason)
        return signer

    def __exit__(self, *exc):
        if self.session is not None:
            self.session.close()
            self.session = None
