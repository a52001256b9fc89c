"""Document number and symbol (số, ký hiệu) per Decree 30/2020, Appendix I §II.3.

The number is the ordinal in the agency's register for the year, with a
leading zero below 10. The symbol joins the abbreviation of the document type
and of the issuing agency with '-'; a công văn has no type abbreviation and
takes the drafting unit's abbreviation after the agency's instead. Legal
normative documents also carry the year between number and symbol
(Law 80/2015, Art. 8), as in '17/2026/QĐ-UBND'.
"""


def symbol(agency, type_code=None, unit=None):
    parts = [type_code, agency] if type_code else [agency, unit]
    return '-'.join(p for p in parts if p)


def number_symbol(value, agency, type_code=None, unit=None, year=None):
    """Return the number and symbol of a document.

    >>> number_symbol(17, 'UBND', 'QĐ', year=2026)
    '17/2026/QĐ-UBND'
    >>> number_symbol(5, 'UBND', unit='VX')
    '05/UBND-VX'
    """
    head = f'{value:02d}/{year}' if year else f'{value:02d}'
    return f'{head}/{symbol(agency, type_code, unit)}'
