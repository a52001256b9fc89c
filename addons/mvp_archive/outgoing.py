from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta

from . import metadata, package
from .filing import FilingMixin


class Outgoing(FilingMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.outgoing'

    @classmethod
    @ModelView.button_action('mvp_archive.wizard_outgoing_file_in')
    def file_in(cls, documents):
        pass

    def archive_metadata(self):
        """Decree 30/2020 Appendix VI Part II §I; a document not yet issued
        is a draft, internal to the dossier"""
        Unit = Pool().get('mvp.unit')
        agency = Unit.agency_of_company(self.company)
        issued = self.state in {'issued', 'distributed'}
        to = [package.Recipient(
                metadata.clip(u.name, metadata.ORGAN_NAME), u.identifier)
            for u in self.recipient_agencies()]
        to += [package.Recipient(metadata.clip(line, metadata.ORGAN_NAME))
            for line in (self.external_recipients or '').splitlines()
            if line.strip()]
        return {
            **self._archive_common(),
            'direction': 'outgoing' if issued else 'internal',
            'issued_date': self.issue_date,
            'organ_name': metadata.clip(
                agency.name if agency else self.company.rec_name,
                metadata.ORGAN_NAME),
            'signers': [package.Signer(
                    metadata.clip(self.signer.name, metadata.FULL_NAME))]
            if self.signer and self.signer.name else [],
            'to': to,
            'issued_amount': len(to) if issued and to else None,
            }
