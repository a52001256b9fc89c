"""The archive of the province office: its retention schedule, its file
plan, and dossiers open (the documents done filed in it), closed and
submitted to the archive with their package."""
import datetime as dt

from trytond.pool import Pool

from trytond.modules.mvp_documents.tests.pdf import pdf

from .demo import acting

# (reference, category, years or None for permanent)
RETENTION = [
    ('1', "Hồ sơ tổ chức, cán bộ", None),
    ('2', "Hồ sơ hội nghị, hội thảo", 10),
    ('3', "Công văn trao đổi", 5),
    ]
# (code, title, retention reference, division index or None)
PLAN = [
    ('01.TCCB', "Hồ sơ bổ nhiệm cán bộ lãnh đạo", '1', 1),
    ('02.TCCB', "Hồ sơ hội nghị tổng kết năm", '2', 1),
    ('03.VP', "Công văn trao đổi về công tác văn thư, lưu trữ", '3', 0),
    ]


def dossiers(demo):
    """The province office's archive, the incoming document done and the
    decision distributed filed in the specialist's open dossier"""
    users = demo.users
    filed = [d for d in demo.documents
        if d.state in {'done', 'distributed'}]
    archive(demo.agencies['tinh'], users['vanthu.tinh'],
        users['chuyenvien.tinh'], filed)


def archive(agency, clerk, specialist, documents=()):
    """Give agency (an mvp.unit) its retention schedule, last year's file
    plan copied into this year's, the specialist's open dossier holding
    documents (incoming or outgoing records of the agency), a closed
    dossier and one submitted to the archive with its package (Ghostscript
    converts its files: a few seconds). Runs in the current transaction as
    the clerk and the specialist (res.user); returns the dossiers open,
    closed and submitted."""
    pool = Pool()
    Retention = pool.get('mvp.archive.retention')
    Plan = pool.get('mvp.archive.plan')
    Line = pool.get('mvp.archive.plan.line')
    Dossier = pool.get('mvp.archive.dossier')
    Entry = pool.get('mvp.archive.dossier.document')
    today = pool.get('ir.date').today()
    divisions = [u for u in agency.children if u.kind == 'division']
    with acting(clerk):
        retention = {reference: r for (reference, _, _), r in zip(
                RETENTION, Retention.create([{
                            'company': agency.company.id,
                            'reference': reference,
                            'name': name,
                            'permanent': years is None,
                            'years': years,
                            } for reference, name, years in RETENTION]))}
        last, = Plan.create([{
                    'company': agency.company.id,
                    'year': today.year - 1,
                    'lines': [('create', [{
                                    'sequence': n,
                                    'code': code,
                                    'title': title,
                                    'retention': retention[reference].id,
                                    'division': divisions[division].id
                                    if division is not None
                                    and division < len(divisions) else None,
                                    } for n, (code, title, reference,
                                    division) in enumerate(PLAN, 1)])],
                    }])
        plan, = Plan.browse(Plan.copy_forward([last])['res_id'])
        Line.write(list(plan.lines[:1]), {'responsible': specialist.id})
    with acting(specialist):
        open_, = Dossier.browse(
            Line.open_dossier([plan.lines[0]])['res_id'])
        if documents:
            Entry.file_documents(open_, list(documents))
    with acting(clerk):
        closed, submitted = Dossier.browse(
            Line.open_dossier(list(plan.lines[1:]))['res_id'])
        for dossier, title in [
                (closed, "Biên bản hội nghị tổng kết năm"),
                (submitted, "Công văn trả lời về công tác lưu trữ")]:
            Entry.create([{
                        'dossier': dossier.id,
                        'title': title,
                        'date': today - dt.timedelta(days=30),
                        'file_name': 'ghi-chu.pdf',
                        'file_data': pdf('DEMO', title),
                        }])
        Dossier.close([closed, submitted])
        Dossier.build_packages([submitted])
    return Dossier.browse([open_, closed, submitted])
