"Helpers for the scenarios: a small agency and its people, through proteus"
from proteus import Model

ROLES = {
    'clerk': "Clerk",
    'leader': "Leader",
    'head': "Head of Division",
    'specialist': "Specialist",
    'admin_agency': "Agency Administrator",
    'admin_province': "Provincial Administrator",
    'oversight': "Oversight",
    }


def create_agency(name, code, identifier, kind='department', parent=None,
        divisions=(), config=None):
    "Create an agency unit (its company comes with it) and its divisions"
    Unit = Model.get('mvp.unit', config=config)
    agency = Unit(
        name=name, code=code, kind=kind, identifier=identifier,
        parent=parent)
    for division_name, division_code in divisions:
        agency.children.new(
            name=division_name, code=division_code, kind='division')
    agency.save()
    return agency


def create_person(login, name, agency, roles, unit=None,
        clearance='normal', config=None):
    "Create a person of the agency with the roles (keys of ROLES)"
    User = Model.get('res.user', config=config)
    Role = Model.get('res.role', config=config)
    Company = Model.get('company.company', config=config)
    user = User(login=login, name=name, clearance=clearance)
    company = Company(agency.company.id)
    user.companies.append(company)
    user.company = company
    user.unit = unit or agency
    for role in roles:
        role, = Role.find([('name', '=', ROLES[role])])
        user.roles.new(role=role)
    user.save()
    return user


def pdf(text='DEMO'):
    "A small real PDF file"
    from trytond.modules.mvp_documents.tests.pdf import pdf
    return pdf(text)
