"""Why a packet is refused, as a message id, the element at fault and values.

The message ids are the ids of the module's ``ir.message`` records
(``message.xml``), so the model layer shows ``gettext('mvp_interop.' + id,
**params)`` in the user's language; without a database, ``PacketError.text``
reads the same catalogues (message.xml for English, locale/vi.po for
Vietnamese), so each text is written once.
"""
import functools
from pathlib import Path

MALFORMED = 'msg_edxml_malformed'
ENCODING = 'msg_edxml_encoding'
DOCTYPE = 'msg_edxml_doctype'
TOO_LARGE = 'msg_edxml_too_large'
TOO_DEEP = 'msg_edxml_too_deep'
TOO_MANY_ELEMENTS = 'msg_edxml_too_many_elements'
TEXT_TOO_LONG = 'msg_edxml_text_too_long'
TEXT_INVALID = 'msg_edxml_text_invalid'
ROOT = 'msg_edxml_root'
MISSING = 'msg_edxml_missing'
REPEATED = 'msg_edxml_repeated'
DATE = 'msg_edxml_date'
TIMESTAMP = 'msg_edxml_timestamp'
NUMBER = 'msg_edxml_number'
BOOLEAN = 'msg_edxml_boolean'
CHOICE = 'msg_edxml_choice'
ORGAN_ID = 'msg_edxml_organ_id'
BASE64 = 'msg_edxml_base64'
ATTACHMENT_TOO_LARGE = 'msg_edxml_attachment_too_large'
TOO_MANY_ATTACHMENTS = 'msg_edxml_too_many_attachments'
ATTACHMENT_MISSING = 'msg_edxml_attachment_missing'
CONTENT_ID_REPEATED = 'msg_edxml_content_id_repeated'
ZIP_INVALID = 'msg_edxml_zip_invalid'
ZIP_BOMB = 'msg_edxml_zip_bomb'
JSON = 'msg_edxml_json'

HERE = Path(__file__).resolve().parent.parent


class PacketError(ValueError):
    """A packet (or a description to build one from) that cannot be used.

    ``message_id`` names the reason, ``path`` the element at fault
    (``edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId``), and
    ``params`` the values the message quotes.
    """

    def __init__(self, message_id, path='', **params):
        self.message_id = message_id
        self.path = path
        self.params = {'element': path or '-', **params}
        super().__init__(self.text())

    def text(self, language='en'):
        "The message in language ('en' or 'vi'), its values filled in"
        template = _catalogue(language).get(self.message_id) \
            or _catalogue('en').get(self.message_id, self.message_id)
        try:
            return template % self.params
        except (KeyError, ValueError, TypeError):
            return template

    def __reduce__(self):
        return (_rebuild, (self.message_id, self.path, self.params))


def _rebuild(message_id, path, params):
    params = {k: v for k, v in params.items() if k != 'element'}
    return PacketError(message_id, path, **params)


@functools.cache
def _catalogue(language):
    "message id -> text, from message.xml (en) or locale/<language>.po"
    if language == 'en':
        from lxml import etree
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        tree = etree.parse(str(HERE / 'message.xml'), parser)
        return {
            r.get('id'): r.findtext('field[@name="text"]')
            for r in tree.iterfind('.//record[@model="ir.message"]')}
    import polib
    path = HERE / 'locale' / f'{language}.po'
    if not path.exists():
        return {}
    prefix = 'model:ir.message,text:'
    return {
        e.msgctxt[len(prefix):]: e.msgstr
        for e in polib.pofile(str(path))
        if (e.msgctxt or '').startswith(prefix) and e.msgstr
        and 'fuzzy' not in e.flags}
