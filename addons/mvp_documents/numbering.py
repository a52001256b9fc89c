"""Document number and symbol (số, ký hiệu) per Decree 30/2020, Appendix I §II.3.

The number is the ordinal in the agency's register for the year, with a
leading zero below 10. The symbol joins the abbreviation of the document type
and of the issuing agency with '-'; a công văn has no type abbreviation and
takes the drafting unit's abbreviation after the agency's instead. Legal
normative documents also carry the year between number and symbol
(Law 80/2015, Art. 8), as in '17/2026/QĐ-UBND'.

The place and date of issue (địa danh và thời gian ban hành, Appendix I
§II.4) are written in full, days below 10 and the months January and
February with a leading zero.
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


def dated(date, place=None):
    """Return the place and date of issue as written on a document.

    >>> import datetime as dt
    >>> dated(dt.date(2026, 12, 1), 'Hưng Yên')
    'Hưng Yên, ngày 01 tháng 12 năm 2026'
    >>> dated(dt.date(2027, 2, 25))
    'ngày 25 tháng 02 năm 2027'
    >>> dated(dt.date(2027, 3, 5), 'Phố Hiến')
    'Phố Hiến, ngày 05 tháng 3 năm 2027'
    """
    month = f'{date.month:02d}' if date.month < 3 else str(date.month)
    text = f'ngày {date.day:02d} tháng {month} năm {date.year}'
    return f'{place}, {text}' if place else text
