from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool

from . import package


class Rendition(ModelSQL, ModelView):
    """The PDF/A rendition of a stored file, made once for the archive by
    Ghostscript and used again by every package that holds the file"""
    __name__ = 'mvp.archive.rendition'
    __string__ = "PDF/A Rendition"
    _rec_name = 'format'

    original = fields.Many2One(
        'mvp.document.file', "Original", required=True, readonly=True,
        ondelete='CASCADE')
    rendition = fields.Many2One(
        'mvp.document.file', "Rendition", required=True, readonly=True,
        ondelete='RESTRICT')
    format = fields.Char("Format", readonly=True)
    tool = fields.Char("Made By", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('original_unique', Unique(t, t.original),
                'mvp_archive.msg_rendition_unique'),
            ]

    @classmethod
    def keep(cls, sources, built):
        """Store the renditions converted for the package built; sources
        gives the original mvp.document.file of each (ordinal, number)"""
        File = Pool().get('mvp.document.file')
        made = {}
        for key, path in built.renditions.items():
            original = sources[key]
            if original.id in made or cls.search(
                    [('original', '=', original.id)]):
                continue
            name = original.name.rsplit('.', 1)[0] + '.pdfa.pdf'
            rendition = File.store(name, path.read_bytes())
            made[original.id] = {
                'original': original.id,
                'rendition': rendition.id,
                'format': f'PDF/A-{package.pdfa(path)}',
                'tool': package.tool(),
                }
        return cls.create(list(made.values()))
