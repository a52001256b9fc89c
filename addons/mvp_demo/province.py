"The province's agencies, their divisions and people, and recipient lists"
from trytond.pool import Pool

from .demo import AGENCIES, PASSWORD, PEOPLE, PLACES, POSITIONS


def units(demo):
    "The agencies, each with its company, and their divisions"
    pool = Pool()
    Unit = pool.get('mvp.unit')
    Group = pool.get('mvp.recipient.group')
    province = None
    for key, name, code, kind, identifier, divisions in AGENCIES:
        agency = Unit(
            name=name, code=code, kind=kind, identifier=identifier,
            place=PLACES.get(key), parent=province)
        agency.save()
        province = province or agency
        demo.agencies[key] = agency
        demo.divisions[key] = Unit.create([{
                    'name': n, 'code': c, 'kind': 'division',
                    'parent': agency.id} for n, c in divisions])
    agencies = demo.agencies.values()
    Group(name="Tất cả xã, phường", units=[
            a for a in agencies if a.kind == 'commune']).save()
    Group(name="Các sở, ban, ngành", units=[
            a for a in agencies if a.kind == 'department']).save()


def people(demo):
    "The people of every agency in their roles"
    pool = Pool()
    User = pool.get('res.user')
    Role = pool.get('res.role')
    Lang = pool.get('ir.lang')
    ModelData = pool.get('ir.model.data')
    vi, = Lang.search([('code', '=', 'vi')])
    for login, name, key, division, roles, clearance, _ in PEOPLE:
        agency = demo.agencies[key]
        # the agency's company and an employee come with the unit
        user = User(
            login=login, name=name, password=PASSWORD, language=vi,
            unit=demo.divisions[key][division] if division is not None
            else agency,
            position=POSITIONS.get(login), clearance=clearance,
            roles=[{'role': Role(ModelData.get_id(
                            'mvp_documents', f'role_{r}'))} for r in roles])
        user.save()
        demo.users[login] = user
