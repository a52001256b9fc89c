"""A throw-away PKI for tests and benchmarks, generated at run time.

Keys are fresh RSA-2048 keys written to a temporary directory; certomancer
issues the certificates and, once `serve()` is called, answers CRL, OCSP and
RFC 3161 requests on 127.0.0.1. Nothing here is ever committed.
"""
import atexit
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ARCH = 'mvp'
AGENCY = 'UBND tỉnh Thử Nghiệm'
# The identifier code the agency's certificate carries (organizationIdentifier):
# the scenarios' province has it.
AGENCY_ID = '000.00.00.H31'
LEADER = 'Nguyễn Văn Ánh'
DEPUTY = 'Trần Thị Bích Ngọc'
SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so'

# label: (common name, organisational unit)
ENTITIES = {
    'root': ('Ban Cơ yếu Thử nghiệm Root CA', None),
    'interm': ('Ban Cơ yếu Thử nghiệm Issuing CA', None),
    'ocsp': ('OCSP Thử nghiệm', None),
    'tsa': ('TSA Thử nghiệm', None),
    'leader': (LEADER, 'Lãnh đạo'),
    'deputy': (DEPUTY, 'Lãnh đạo'),
    'agency': (AGENCY, None),
    'revoked': ('Trần Thị Bình', 'Văn thư'),
    'expired': ('Lê Văn Cường', 'Văn thư'),
    'stranger': ('Stranger Root CA', None),
}


def _iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%S+0000')


def _key_usage(*usages, critical=True):
    return {
        'id': 'key_usage', 'critical': critical,
        'smart-value': {'schema': 'key-usage', 'params': list(usages)}}


def _config(key_dir, url):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    long = {'valid-from': _iso(now - dt.timedelta(days=365)),
        'valid-to': _iso(now + dt.timedelta(days=3650))}
    ca = [
        {'id': 'basic_constraints', 'critical': True,
            'value': {'ca': True}},
        _key_usage('digital_signature', 'key_cert_sign', 'crl_sign')]
    person = [
        _key_usage('digital_signature', 'non_repudiation'),
        {'id': 'crl_distribution_points', 'smart-value': {
            'schema': 'crl-dist-url',
            'params': {'crl-repo-names': ['interm']}}},
        {'id': 'authority_information_access', 'smart-value': {
            'schema': 'aia-urls',
            'params': {'ocsp-responder-names': ['interm']}}}]
    certs = {
        'root': {'subject': 'root', 'subject-key': 'root', 'issuer': 'root',
            'authority-key': 'root', 'validity': long, 'extensions': ca},
        'stranger': {'subject': 'stranger', 'subject-key': 'stranger',
            'issuer': 'stranger', 'authority-key': 'stranger',
            'validity': long, 'extensions': ca},
        'interm': {'issuer': 'root', 'validity': long, 'extensions': ca + [
            {'id': 'crl_distribution_points', 'smart-value': {
                'schema': 'crl-dist-url',
                'params': {'crl-repo-names': ['root']}}}]},
        'ocsp': {'issuer': 'interm', 'validity': long, 'extensions': [
            _key_usage('digital_signature'),
            {'id': 'extended_key_usage', 'critical': True,
                'value': ['ocsp_signing']},
            {'id': 'ocsp_no_check'}]},
        'tsa': {'issuer': 'root', 'validity': long, 'extensions': [
            _key_usage('digital_signature'),
            {'id': 'extended_key_usage', 'critical': True,
                'value': ['time_stamping']},
            {'id': 'crl_distribution_points', 'smart-value': {
                'schema': 'crl-dist-url',
                'params': {'crl-repo-names': ['root']}}}]},
        'leader': {'issuer': 'interm', 'validity': long,
            'extensions': person},
        'deputy': {'issuer': 'interm', 'validity': long,
            'extensions': person},
        'agency': {'issuer': 'interm', 'validity': long,
            'extensions': person},
        'revoked': {'issuer': 'interm', 'validity': long,
            'extensions': person, 'revocation': {
                'revoked-since': _iso(now - dt.timedelta(days=1)),
                'reason': 'key_compromise'}},
        'expired': {'issuer': 'interm', 'extensions': person, 'validity': {
            'valid-from': _iso(now - dt.timedelta(days=300)),
            'valid-to': _iso(now - dt.timedelta(days=1))}},
        }
    entities = {}
    for label, (cn, ou) in ENTITIES.items():
        entities[label] = {'common-name': cn}
        if ou:
            entities[label]['organizational-unit-name'] = ou
    entities['agency']['organization-identifier'] = AGENCY_ID
    return {
        'external-url-prefix': url,
        'keysets': {ARCH: {'path-prefix': key_dir, 'keys': {
            label: {'path': label + '.key.pem'} for label in ENTITIES}}},
        'pki-architectures': {ARCH: {
            'keyset': ARCH,
            'entity-defaults': {'country-name': 'VN',
                'organization-name': AGENCY},
            'entities': entities,
            'certs': certs,
            'services': {
                'ocsp': {'interm': {'for-issuer': 'interm',
                    'responder-cert': 'ocsp', 'signing-key': 'ocsp'}},
                'crl-repo': {
                    'root': {'for-issuer': 'root', 'signing-key': 'root',
                        'simulated-update-schedule': 'P30D'},
                    'interm': {'for-issuer': 'interm',
                        'signing-key': 'interm',
                        'simulated-update-schedule': 'P7D'}},
                'time-stamping': {'tsa': {'signing-key': 'tsa',
                    'signing-cert': 'tsa'}},
                },
            }},
        }


PAST = dt.timedelta(days=100)


class _Late:
    """WSGI app whose targets are set once the port is known.

    Requests under /past/ go to services that believe it is PAST ago: a TSA
    there proves signatures made before a certificate expired or was
    revoked.
    """
    app = past = None

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path.startswith('/past/'):
            environ = dict(environ, PATH_INFO=path[len('/past'):])
            return self.past(environ, start_response)
        return self.app(environ, start_response)


class LoopbackPKI:
    "Keys, certificates and loopback services of a test PKI"

    def __init__(self, directory=None):
        from certomancer.registry import CertomancerConfig
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log(self, *args):
                pass
        self.dir = directory or tempfile.mkdtemp(prefix='mvp-pki-')
        key_dir = os.path.join(self.dir, 'keys')
        os.makedirs(key_dir, exist_ok=True)
        self.keys = {}
        for label in ENTITIES:
            key = rsa.generate_private_key(public_exponent=65537,
                key_size=2048)
            self.keys[label] = key
            with open(os.path.join(key_dir, label + '.key.pem'), 'wb') as f:
                f.write(key.private_bytes(serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()))
        # Bind first: the URLs baked into the certificates need the port.
        self._late = _Late()
        self._server = make_server('127.0.0.1', 0, self._late,
            threaded=True, request_handler=Quiet)
        self.url = 'http://127.0.0.1:%d' % self._server.server_port
        config = CertomancerConfig(_config(key_dir, self.url),
            key_search_dir=self.dir)
        self.arch = config.get_pki_arch(ARCH)
        self._thread = None

    def serve(self):
        "Answer CRL, OCSP and TSA requests on loopback until `close()`"
        from certomancer.integrations.animator import (
            Animator, AnimatorArchStore)
        if self._thread is None:
            store = AnimatorArchStore({ARCH: self.arch})
            self._late.app = Animator(store, with_web_ui=False)
            self._late.past = Animator(store, with_web_ui=False,
                at_time=dt.datetime.now(dt.timezone.utc) - PAST)
            self._thread = threading.Thread(
                target=self._server.serve_forever, daemon=True)
            self._thread.start()
        return self

    def close(self):
        if self._thread is not None:
            self._server.shutdown()
            self._thread = None
        self._server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def tsa_url(self):
        return '%s/%s/tsa/tsa' % (self.url, ARCH)

    @property
    def past_tsa_url(self):
        "a TSA whose clock is PAST behind"
        return '%s/past/%s/tsa/tsa' % (self.url, ARCH)

    def cert(self, label):
        "asn1crypto certificate"
        return self.arch.get_cert(label)

    def chain(self, label):
        "issuer certificates of `label`, root excluded"
        return [self.cert(c) for c in self.arch.get_chain(label)
            if c != 'root']

    def pem(self, label):
        from asn1crypto import pem
        return pem.armor('CERTIFICATE', self.cert(label).dump())

    def trust_dir(self, *labels):
        "a directory holding the given roots as PEM files, as --trust takes"
        path = tempfile.mkdtemp(prefix='trust-', dir=self.dir)
        for label in labels or ('root',):
            with open(os.path.join(path, label + '.pem'), 'wb') as f:
                f.write(self.pem(label))
        return path

    def p12(self, label, passphrase):
        "write a PKCS#12 file with key, certificate and issuers; its path"
        data = self.arch.package_pkcs12(label, password=passphrase)
        path = os.path.join(self.dir, '%s.p12' % label)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def softhsm(self, label, pin='1234', token='mvp'):
        """Create a SoftHSM2 token holding `label`'s key and certificate.

        Returns the SOFTHSM2_CONF path; the caller must export it before the
        PKCS#11 library is first loaded in the process.
        """
        import pkcs11
        from pkcs11 import Attribute, CertificateType, ObjectClass
        from pkcs11.util.rsa import decode_rsa_private_key
        token_dir = os.path.join(self.dir, 'tokens')
        os.makedirs(token_dir, exist_ok=True)
        conf = os.path.join(self.dir, 'softhsm2.conf')
        with open(conf, 'w') as f:
            f.write('directories.tokendir = %s\n'
                'objectstore.backend = file\nlog.level = ERROR\n' % token_dir)
        env = dict(os.environ, SOFTHSM2_CONF=conf)
        subprocess.run(['softhsm2-util', '--init-token', '--free',
                '--label', token, '--pin', pin, '--so-pin', pin + pin],
            env=env, check=True, capture_output=True)
        os.environ['SOFTHSM2_CONF'] = conf
        der = self.keys[label].private_bytes(serialization.Encoding.DER,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption())
        lib = pkcs11.lib(SOFTHSM)
        lib.reinitialize()
        with lib.get_token(token_label=token).open(
                rw=True, user_pin=pin) as session:
            attrs = decode_rsa_private_key(der)
            attrs.update({Attribute.LABEL: label, Attribute.ID: b'\x01',
                Attribute.TOKEN: True, Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False, Attribute.SIGN: True})
            session.create_object(attrs)
            for ident, cert_label in [(b'\x01', label)] + [
                    (bytes([i + 2]), c) for i, c in enumerate(
                        self.arch.get_chain(label))]:
                cert = self.cert(cert_label)
                session.create_object({
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.VALUE: cert.dump(),
                    Attribute.SUBJECT: cert.subject.dump(),
                    Attribute.ISSUER: cert.issuer.dump(),
                    Attribute.SERIAL_NUMBER: cert['tbs_certificate'][
                        'serial_number'].dump(),
                    Attribute.LABEL: str(cert_label), Attribute.ID: ident,
                    Attribute.TOKEN: True})
        return conf


_shared = None


def shared():
    "one PKI per process, services running, removed at exit"
    global _shared
    if _shared is None:
        _shared = LoopbackPKI().serve()
        atexit.register(_shared.close)
    return _shared
