from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta

from . import metadata, package
from .filing import FilingMixin


class Incoming(FilingMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.incoming'

    @classmethod
    @ModelView.button_action('mvp_archive.wizard_incoming_file_in')
    def file_in(cls, documents):
        pass

    def archive_metadata(self):
        "Decree 30/2020 Appendix VI Part II §II"
        Assignment = Pool().get('mvp.assignment')
        selection = Assignment.fields_get(['role', 'state'])
        roles = dict(selection['role']['selection'])
        states = dict(selection['state']['selection'])
        places, trace = [], []
        for assignment in sorted(self.assignments, key=lambda a: (
                    a.assigned_date or a.create_date, a.id)):
            if assignment.role in {'main', 'support'} and (
                    assignment.user.name not in places):
                places.append(assignment.user.name)
            trace.append(' '.join(filter(None, [
                            assignment.assigned_date.strftime(
                                '%d/%m/%Y %H:%M')
                            if assignment.assigned_date else None,
                            assignment.assigned_by.name + ' →'
                            if assignment.assigned_by else None,
                            f'{assignment.user.name} '
                            f'({roles.get(assignment.role)}):',
                            assignment.instruction,
                            f'[{states.get(assignment.state)}]',
                            assignment.note])))
        return {
            **self._archive_common(),
            'direction': 'incoming',
            'issued_date': self.document_date,
            'organ_name': metadata.clip(self.sender, metadata.ORGAN_NAME),
            'arrival_date': self.registered_date or (
                self.received_date.date() if self.received_date else None),
            'arrival_number': self.number,
            'signers': [package.Signer(
                    metadata.clip(self.signer, metadata.FULL_NAME))]
            if self.signer else [],
            'to_places': metadata.clip(
                '; '.join(places), metadata.TO_PLACES) or None,
            'trace_headers': '\n'.join(trace) or None,
            'due_date': self.deadline,
            }
