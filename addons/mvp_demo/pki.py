"""The demo PKI and its certificates in the register.

A demo PKI is generated when the demo loads: a root and an issuing
authority named as demonstrations, a personal certificate for each leader
and an organisation certificate for each agency. The keys are written as
PKCS#12 files in the key directory of the configuration (var/pki/ for
`make run`), in a folder named after the database, all opened by
PASSPHRASE, which `mvp db init --demo` prints with the logins; nothing of it
is committed.
"""
import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from trytond.pool import Pool
from trytond.transaction import Transaction

from trytond.modules.mvp_signing.tests import images

from .demo import AGENCIES, PEOPLE

PASSPHRASE = 'KySo@2026'
ROOT_NAME = "Ban Cơ yếu Chính phủ (demo) - Root CA"
ISSUER_NAME = "Cơ quan chứng thực chuyên dùng Chính phủ (demo)"


def key_dir():
    "Where the demo keys go: <database> in the configured key directory"
    from trytond.modules.mvp_signing.certificate import key_directory
    base = key_directory()
    if not base:
        raise RuntimeError("the demo keys need a key directory: set "
            "[mvp_signing] key_directory (make run passes var/pki)")
    return Path(base).resolve() / Transaction().database.name


def _name(common, organisation=None):
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, 'VN')]
    if organisation:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(attributes)


def _certificate(subject, key, issuer, issuer_key, ca, days):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    builder = (x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
            critical=True)
        .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=not ca,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                key.public_key()), critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class DemoPKI:
    "A root, an issuing authority and the certificates they issue"

    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.root_key = _key()
        self.root = _certificate(_name(ROOT_NAME), self.root_key,
            _name(ROOT_NAME), self.root_key, True, 3650)
        self.issuer_key = _key()
        self.issuer = _certificate(_name(ISSUER_NAME), self.issuer_key,
            _name(ROOT_NAME), self.root_key, True, 3650)

    def issue(self, file_name, common, organisation):
        "Issue a signing certificate; write its PKCS#12; (DER, path)"
        key = _key()
        cert = _certificate(_name(common, organisation), key,
            _name(ISSUER_NAME), self.issuer_key, False, 3 * 365)
        path = self.dir / f'{file_name}.p12'
        data = pkcs12.serialize_key_and_certificates(
            file_name.encode(), key, cert, [self.issuer, self.root],
            serialization.BestAvailableEncryption(PASSPHRASE.encode()))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        return cert.public_bytes(serialization.Encoding.DER), str(path)

    @staticmethod
    def der(cert):
        return cert.public_bytes(serialization.Encoding.DER)


def logins():
    "The line printed with the logins: where the keys are, their passphrase"
    return ('*.p12', PASSPHRASE,
        "Tệp khóa ký số demo của lãnh đạo và văn thư, trong "
        + os.path.relpath(key_dir()))


def certificates(demo):
    "Trust the demo PKI; a certificate for each agency and each leader"
    pool = Pool()
    Trust = pool.get('mvp.signing.trust')
    Certificate = pool.get('mvp.signing.certificate')
    pki = DemoPKI(key_dir())
    Trust.create([
            {'certificate': pki.der(pki.root), 'kind': 'root'},
            {'certificate': pki.der(pki.issuer), 'kind': 'intermediate'},
            ])
    to_create = []
    keys = []
    for key, name, *_ in AGENCIES:
        agency = demo.agencies[key]
        der, path = pki.issue(key, name, name)
        to_create.append({
                'kind': 'organisation', 'company': agency.company.id,
                'certificate': der, 'key_storage': 'pkcs12',
                'pkcs12_path': path,
                'image': images.png(images.stamp_image(name)),
                })
        keys.append(key)
    for login, name, key, _division, roles, *_ in PEOPLE:
        if 'leader' not in roles:
            continue
        agency = demo.agencies[key]
        der, path = pki.issue(login, name, agency.name)
        to_create.append({
                'kind': 'personal', 'company': agency.company.id,
                'user': demo.users[login].id, 'certificate': der,
                'key_storage': 'pkcs12', 'pkcs12_path': path,
                'image': images.png(images.signature_image(name)),
                })
        keys.append(login)
    demo.certificates.update(zip(keys, Certificate.create(to_create)))
