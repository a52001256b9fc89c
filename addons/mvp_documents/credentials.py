"""Passwords and the second factor, in plain Python.

Password policy beyond Tryton's (length, forbidden list, not the login nor
the name as a whole): enough different characters, and neither the login
nor the name inside it. The second factor is TOTP (RFC 6238: 30-second
steps, 6 digits, SHA-1, as every authenticator app reads it), by pyotp;
its enrolment QR code is drawn by segno.
"""
import datetime as dt
import io
import re

import pyotp
import segno

from .vntext import fold

# RFC 6238's step; a code of the step before or after is accepted too, for
# clocks a little apart.
STEP = 30
WINDOW = 1


def _squeezed(text):
    "text folded, without what is not a letter or a digit"
    return re.sub(r'[\W_]+', '', fold(text or ''))


def password_problem(password, login=None, name=None, entropy=0.0):
    """What is wrong with password, as a code, or None: 'entropy' when it
    has too few different characters (their share below entropy, Tryton's
    former [password] entropy), 'login' or 'name' when it contains them,
    diacritics, case, spaces and punctuation aside.

    >>> password_problem('Demo@2026', 'vanthu.tinh', 'Nguyễn Thị Lan', 0.6)
    >>> password_problem('aaaaaaaa11', entropy=0.6)
    'entropy'
    >>> password_problem('Vanthu.Tinh#1', 'vanthu.tinh')
    'login'
    >>> password_problem('NguyenThiLan!9', 'vanthu', 'Nguyễn Thị Lan')
    'name'
    """
    if password and entropy and len(set(password)) / len(password) < entropy:
        return 'entropy'
    squeezed = _squeezed(password)
    for code, text in [('login', login), ('name', name)]:
        text = _squeezed(text)
        if len(text) >= 3 and text in squeezed:
            return code
    return None


def new_secret():
    "A random TOTP secret of 160 bits, base32, as RFC 4226 recommends"
    return pyotp.random_base32(32)


def grouped(secret):
    """The secret in groups of four, as people type it

    >>> grouped('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')
    'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP'
    """
    return ' '.join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalized(secret):
    "secret as typed or grouped, back to base32; None when it is not one"
    secret = re.sub(r'\s+', '', secret or '').upper()
    return secret if re.fullmatch(r'[A-Z2-7]{26,}', secret) else None


def provisioning_uri(secret, login, issuer):
    "The otpauth:// URI authenticator apps read from the QR code"
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=issuer)


def qr_png(uri):
    "The QR code of uri, as PNG bytes"
    out = io.BytesIO()
    segno.make(uri, error='m').save(out, kind='png', scale=6, border=2)
    return out.getvalue()


def accepted_step(secret, code, last_step=None, now=None):
    """The time step code is valid for (within WINDOW steps of now), None
    when it is not valid or its step is not after last_step: a code is used
    once.

    >>> secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
    >>> now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)
    >>> code = pyotp.TOTP(secret).at(now)
    >>> step = accepted_step(secret, code, now=now)
    >>> step == int(now.timestamp()) // STEP
    True
    >>> accepted_step(secret, code, last_step=step, now=now) is None
    True
    >>> accepted_step(secret, '000000', now=now) is None
    True
    """
    code = re.sub(r'\s+', '', code or '')
    if not secret or not re.fullmatch(r'\d{6}', code):
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in range(current - WINDOW, current + WINDOW + 1):
        if (last_step is None or step > last_step) and totp.verify(
                code, for_time=step * STEP, valid_window=0):
            return step
    return None
