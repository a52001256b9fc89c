"""`mvp edxml parse` and `mvp edxml build`, for administrators and
integrators.

parse prints one JSON object: the header fields and the attachments (name,
type, size, SHA-256, and the files inside a zipped one), exit 0; a packet it
refuses exits 2 with the reason on stderr and as JSON
(``{"refused": ...}``) on stdout.

build reads a JSON description (as parse prints it, attachments given by
``file`` or ``data_base64``: see ``edxml.jsonform``) and writes the packet.
"""
import json
import os
import sys

OK, REFUSED = 0, 2


def register(subparsers):
    parser = subparsers.add_parser('edxml',
        help="read and write edXML packets (QCVN 102:2016)",
        description="Read and write the packets of the national document "
        "exchange axis.")
    commands = parser.add_subparsers(dest='edxml', metavar='ACTION')
    commands.required = True
    read = commands.add_parser('parse', help="show a packet as JSON",
        description="Print the packet's header and attachments as one JSON "
        "object; exit 2 with the reason if the packet is refused.")
    read.add_argument('file', metavar='FILE')
    read.add_argument('--lang', choices=['en', 'vi'], default='en',
        help="language of the reason a packet is refused")
    read.set_defaults(func=parse)
    write = commands.add_parser('build', help="write a packet from JSON",
        description="Write the packet a JSON description gives (the form "
        "`mvp edxml parse` prints, attachments by file or data_base64).")
    write.add_argument('json', metavar='JSON', help="the description, - for "
        "standard input")
    write.add_argument('-o', '--output', metavar='FILE', required=True)
    write.add_argument('--lang', choices=['en', 'vi'], default='en')
    write.set_defaults(func=build)


def _refuse(name, error, lang):
    reason = error.text(lang)
    print(f'mvp: {name}: {reason}', file=sys.stderr)
    print(json.dumps({'refused': {
                'message_id': error.message_id, 'element': error.path,
                'reason': reason}}, ensure_ascii=False))
    return REFUSED


def parse(args):
    from .edxml import PacketError, parse as read
    from .edxml.jsonform import dump
    from .edxml.unzip import members
    if not os.path.isfile(args.file):
        print(f'mvp: {args.file}: no such file', file=sys.stderr)
        return REFUSED
    try:
        packet = read(args.file)
        result = dump(packet)
        for attachment, shown in zip(
                getattr(packet, 'attachments', ()),
                result.get('attachments', ())):
            if attachment.zipped:
                shown['files'] = [
                    {'name': m.name, 'size': m.size, 'sha256': m.sha256}
                    for m in members(attachment, keep=False)]
    except PacketError as e:
        return _refuse(args.file, e, args.lang)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return OK


def build(args):
    from .edxml import PacketError, build as write
    from .edxml.jsonform import load
    try:
        if args.json == '-':
            data, base = json.load(sys.stdin), os.getcwd()
        else:
            with open(args.json, encoding='utf-8') as f:
                data = json.load(f)
            base = os.path.dirname(os.path.abspath(args.json))
    except OSError as e:
        print(f'mvp: {args.json}: {e.strerror}', file=sys.stderr)
        return REFUSED
    except json.JSONDecodeError as e:
        print(f'mvp: {args.json}: not JSON: {e}', file=sys.stderr)
        return REFUSED
    try:
        write(load(data, base), args.output)
    except PacketError as e:
        return _refuse(args.json, e, args.lang)
    return OK
