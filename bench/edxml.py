"""Parsing and validating edXML packets, each with a 1 MB attachment.

(a) the floor: lxml parses the packet into a tree (etree.fromstring) and
    base64 decodes the attachment's text, nothing checked;
(b) our edxml.parse of the same bytes: prolog, limits, every header field
    validated and mapped, the attachment decoded chunk by chunk with its
    SHA-256, into memory;
(c) the same, the attachment decoded into a file (parse(store=DIR)).

COUNT packets (1,000 by default) from ten distinct ones, taken in batches
of 50 with the cases taking turns, so that a passing load weighs on all of
them alike; total and per-packet times, printed and written to
bench/results/edxml.txt.

    python bench/edxml.py [-n COUNT] [--out FILE]
"""
import argparse
import base64
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from importlib.metadata import version

from lxml import etree

from machine import cpu
from trytond.modules.mvp_interop.edxml import NAMESPACE, build, parse
from trytond.modules.mvp_interop.tests import packets

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 1_000_000
BATCH = 50
PAYLOAD = f'{{{NAMESPACE}}}ContentTransferEncoded'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=1000)
    parser.add_argument('--out',
        default=os.path.join(HERE, 'results', 'edxml.txt'))
    args = parser.parse_args(argv)
    sources = [build(packets.document(attachments=1, size=SIZE, seed=s))
        for s in range(1, 11)]
    store = tempfile.mkdtemp(prefix='mvp-bench-edxml-')
    try:
        return run(args, sources, store)
    finally:
        shutil.rmtree(store, True)


def run(args, sources, store):
    def bare(data):
        root = etree.fromstring(data)
        for element in root.iter(PAYLOAD):
            base64.b64decode(element.text)

    def ours(data):
        doc = parse(data)
        assert doc.attachments[0].size == SIZE

    def stored(data):
        doc = parse(data, store=store)
        os.unlink(doc.attachments[0].path)

    cases = [bare, ours, stored]
    for case in cases:            # warm up
        for data in sources:
            case(data)
    spent = [0.0] * len(cases)
    done = 0
    while done < args.count:
        batch = [sources[(done + i) % len(sources)]
            for i in range(min(BATCH, args.count - done))]
        for i, case in enumerate(cases):
            start = time.perf_counter()
            for data in batch:
                case(data)
            spent[i] += time.perf_counter() - start
        done += len(batch)
    a, b, c = (s / args.count * 1000 for s in spent)
    size = sum(map(len, sources)) / len(sources)
    lines = [
        'Parsing edXML packets with one %d-byte attachment (packets of '
        '%.0f bytes); %d packets' % (SIZE, size, args.count),
        '%s; %s, Python %s; lxml %s (libxml2 %s)' % (
            dt.date.today().isoformat(), cpu(), platform.python_version(),
            version('lxml'), '.'.join(map(str, etree.LIBXML_VERSION))),
        'command: python bench/edxml.py -n %d' % args.count,
        '',
        '%-40s%s' % ('', 'ms/packet  packets/s   total s'),
        '(a) lxml tree + base64 decode (bare)    %8.2f   %8.0f   %7.2f' % (
            a, 1000 / a, spent[0]),
        '(b) edxml.parse, in memory              %8.2f   %8.0f   %7.2f'
        '   %.2fx (a)' % (b, 1000 / b, spent[1], b / a),
        '(c) edxml.parse, attachment to a file   %8.2f   %8.0f   %7.2f'
        '   %.2fx (a)' % (c, 1000 / c, spent[2], c / a),
        '',
        'goal: (b) within 3x of (a): %s' % (
            'met' if b <= 3 * a else 'NOT met'),
    ]
    text = '\n'.join(lines) + '\n'
    sys.stdout.write(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
