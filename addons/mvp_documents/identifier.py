"""Electronic identifier codes of agencies (mã định danh).

QCVN 102:2016 and Decision 20/2020/QĐ-TTg give codes such as ``000.00.00.H53``:
three lower levels of digit groups, zero-filled when unused, then the level-1
code, a letter and two digits (H for provincial People's Committees, G for
ministries...). The structure is inferred from codes seen on the national axis
(see shared/standards/identifiers-signatures.md); Decision 09/2025 allows
longer codes, so storage is sized for 35 characters and only the shape is
checked here, never the meaning of lower groups.
"""
import re

_CODE = re.compile(r'\d{3}\.\d{2}\.\d{2}\.[A-K]\d{2}')
MAX_LENGTH = 35


def is_valid(code):
    "Tell whether code has the shape of an agency identifier"
    return bool(code) and len(code) <= MAX_LENGTH and bool(
        _CODE.fullmatch(code))

