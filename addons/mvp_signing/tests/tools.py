"Helpers for the scenarios: the test PKI's certificates in the register"
import os

from proteus import Model

from trytond import config

from trytond.modules.mvp_signing.tests import images
from trytond.modules.mvp_signing.tests import pki as test_pki

PASSPHRASE = 'mật khẩu ký số'


def trust_root(pki, label='root', config=None):
    "Trust the test PKI's root"
    Trust = Model.get('mvp.signing.trust', config=config)
    trust = Trust(certificate=pki.cert(label).dump(), kind='root')
    trust.save()
    return trust


def register(pki, label, agency, user=None, passphrase=PASSPHRASE,
        external=False, config=None):
    """Register the certificate of label for the agency, its key in a
    PKCS#12 file (or with an external signer): a personal one when user is
    given, else the agency's"""
    Certificate = Model.get('mvp.signing.certificate', config=config)
    Company = Model.get('company.company', config=config)
    User = Model.get('res.user', config=config)
    certificate = Certificate(
        kind='personal' if user else 'organisation',
        company=Company(agency.company.id))
    if user:
        certificate.user = User(user.id)
        certificate.image = images.png(images.signature_image(user.name))
    else:
        certificate.image = images.png(images.stamp_image(agency.name))
    certificate.certificate = pki.cert(label).dump()
    if external:
        certificate.key_storage = 'external'
    else:
        certificate.key_storage = 'pkcs12'
        certificate.pkcs12_path = p12(pki, label, passphrase)
    certificate.save()
    return certificate


def p12(pki, label, passphrase=PASSPHRASE):
    """A PKCS#12 file of label's key of its own, in the key directory of
    the configuration; its path"""
    path = os.path.join(config.get('mvp_signing', 'key_directory'),
        f'register-{label}.p12')
    with open(path, 'wb') as f:
        f.write(pki.arch.package_pkcs12(
                label, password=passphrase.encode()))
    return path


def shared_pki():
    return test_pki.shared()
