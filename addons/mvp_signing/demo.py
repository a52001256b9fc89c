"""Demo certificates and signed demo documents.

A demo PKI is generated when the demo loads: a root and an issuing
authority named as demonstrations, a personal certificate for each leader
and an organisation certificate for each agency. The keys are written as
PKCS#12 files in the key directory of the configuration (var/pki/ for
`make run`), in a folder named after the database, all opened by
PASSPHRASE, which `mvp db init --demo` prints with the logins; nothing of it
is committed. The province's approved document then carries the leader's
signature, and the issued and distributed ones the agency's too, so that the
communes receive the decision signed and valid.
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

from . import appearance

PASSPHRASE = 'KySo@2026'
ROOT_NAME = "Ban Cơ yếu Chính phủ (demo) - Root CA"
ISSUER_NAME = "Cơ quan chứng thực chuyên dùng Chính phủ (demo)"


def key_dir():
    "Where the demo keys go: <database> in the configured key directory"
    from .certificate import key_directory
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


def load():
    """Give the demo leaders and agencies certificates and sign the demo
    documents, once. Returns what to print with the logins."""
    from trytond.modules.mvp_documents import demo
    pool = Pool()
    Trust = pool.get('mvp.signing.trust')
    directory = key_dir()
    logins = [('*.p12', PASSPHRASE,
            "Tệp khóa ký số demo của lãnh đạo và văn thư, trong "
            + os.path.relpath(directory))]
    if Trust.search([('name', '=', ROOT_NAME)]):
        return logins
    pki = DemoPKI(directory)
    Trust.create([
            {'certificate': pki.der(pki.root), 'kind': 'root'},
            {'certificate': pki.der(pki.issuer), 'kind': 'intermediate'},
            ])
    certificates = _register(pki, demo)
    _sign_documents(demo, certificates)
    return logins


def _register(pki, demo):
    "Certificates of the demo's leaders and agencies, by login and agency key"
    pool = Pool()
    Certificate = pool.get('mvp.signing.certificate')
    Unit = pool.get('mvp.unit')
    User = pool.get('res.user')
    agencies = {}
    to_create = []
    keys = []
    for key, name, _code, _kind, identifier, _ in demo.AGENCIES:
        unit, = Unit.search([('identifier', '=', identifier)])
        agencies[key] = unit
        der, path = pki.issue(key, name, name)
        to_create.append({
                'kind': 'organisation', 'company': unit.company.id,
                'certificate': der, 'key_storage': 'pkcs12',
                'pkcs12_path': path,
                'image': appearance.png(appearance.stamp_image(name)),
                })
        keys.append(key)
    for login, name, key, _division, roles, *_ in demo.PEOPLE:
        if 'leader' not in roles:
            continue
        user, = User.search([('login', '=', login)])
        der, path = pki.issue(login, name, agencies[key].name)
        to_create.append({
                'kind': 'personal', 'company': agencies[key].company.id,
                'user': user.id, 'certificate': der, 'key_storage': 'pkcs12',
                'pkcs12_path': path,
                'image': appearance.png(appearance.signature_image(name)),
                })
        keys.append(login)
    return dict(zip(keys, Certificate.create(to_create)))


def _sign_documents(demo, certificates):
    """Sign the province's documents past approval as the flow would have:
    the leader's signature, then the agency's with the number"""
    pool = Pool()
    Outgoing = pool.get('mvp.document.outgoing')
    Incoming = pool.get('mvp.document.incoming')
    personal = certificates['lanhdao.tinh']
    seal = certificates['tinh']
    documents = Outgoing.search([
            ('company', '=', seal.company.id),
            ('state', 'in', ['approved', 'issued', 'distributed']),
            ], order=[('id', 'ASC')])
    with personal.signer(PASSPHRASE) as signer:
        Outgoing._store_signed([(d, *Outgoing._personal(d, personal, signer))
                for d in documents])
    issued = Outgoing.browse([d for d in documents if d.state != 'approved'])
    with seal.signer(PASSPHRASE) as signer:
        Outgoing._store_signed([signed for d in issued
                for signed in Outgoing._organisation(d, seal, signer)])
    # The deliveries share the distributed file: verified once for all.
    deliveries = [i for d in Outgoing.browse(issued) for i in d.deliveries]
    for document in Outgoing.browse(issued):
        if document.deliveries:
            Incoming.write(list(document.deliveries),
                {'file': document.file.id})
    return deliveries
