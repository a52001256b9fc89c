"""Write the legacy copies of corpus.txt; run again after editing it.

    .venv/bin/python addons/mvp_documents/tests/data/vntext/generate.py

corpus.txt is the UTF-8 (NFC) reference. The copies are the bytes a legacy
editor would have saved: TCVN3 and VNI in their 8-bit font encodings, VIQR in
ASCII. TCVN3 has no codes for capital toned vowels: lines in capitals are
written with the lowercase codes, as the capitals fonts (.VnTimeH) were used.
"""
import pathlib

from trytond.modules.mvp_documents.tests import legacy

HERE = pathlib.Path(__file__).resolve().parent
REFERENCE = HERE / 'corpus.txt'
COPIES = {
    'tcvn3': HERE / 'corpus.tcvn3.txt',
    'vni': HERE / 'corpus.vni.txt',
    'viqr': HERE / 'corpus.viqr.txt',
    }


def generate():
    "Return {encoding: bytes} for the reference text"
    text = REFERENCE.read_text(encoding='utf-8')
    return {name: legacy.encode(text, name) for name in COPIES}


def main():
    for name, data in generate().items():
        COPIES[name].write_bytes(data)


if __name__ == '__main__':
    main()
