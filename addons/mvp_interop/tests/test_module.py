from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction, check_access


def person(login, unit, role):
    "A user of unit's agency with the role (xml id in mvp_documents)"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user, = User.create([{
                'login': login, 'name': login,
                'companies': [('add', [unit.company.id])],
                'company': unit.company.id, 'unit': unit.id,
                'roles': [('create', [{
                                'role': ModelData.get_id(
                                    'mvp_documents', role)}])],
                }])
    return user


def acting(user):
    transaction = Transaction()
    return (transaction.set_user(user.id),
        transaction.set_context(company=user.company.id), check_access())


class MvpInteropTestCase(ModuleTestCase):
    "Test the mvp_interop module"
    module = 'mvp_interop'

    @with_transaction()
    def test_connection_for_administrators(self):
        """Each agency's administrator keeps its own connection to the axis
        and reads its secret key; nobody else reads either"""
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Account = pool.get('mvp.interop.account')
        FieldAccess = pool.get('ir.model.field.access')
        ours, theirs = Unit.create([{
                    'name': name, 'kind': 'department', 'identifier': code,
                    } for name, code in [
                    ("Sở Nội vụ", '000.00.01.H31'),
                    ("Sở Tài chính", '000.00.03.H31')]])
        mine, other = Account.create([{
                    'company': unit.company.id, 'url': 'https://axis',
                    'system_id': unit.identifier, 'secret': f's-{unit.id}',
                    } for unit in [ours, theirs]])
        admin = person('quantri.snv', ours, 'role_admin_agency')
        clerk = person('vanthu.snv', ours, 'role_clerk')
        leader = person('lanhdao.snv', ours, 'role_leader')

        a, b, c = acting(admin)
        with a, b, c:
            self.assertEqual(Account.search([]), [mine])
            self.assertEqual(
                Account.read([mine.id], ['secret'])[0]['secret'],
                f's-{ours.id}')
            self.assertTrue(FieldAccess.check('mvp.interop.account',
                    ['secret'], 'read', raise_exception=False))
            with self.assertRaises(AccessError):
                Account.read([other.id], ['url'])
            Account.write([mine], {'secret': 'new'})
        for user in [clerk, leader]:
            a, b, c = acting(user)
            with self.subTest(user=user.login), a, b, c:
                with self.assertRaises(AccessError):
                    Account.search([])
                # should they ever read the connection, not its key
                self.assertFalse(FieldAccess.check('mvp.interop.account',
                        ['secret'], 'read', raise_exception=False))
        self.assertEqual(Account(mine.id).secret, 'new')

    @with_transaction()
    def test_directory_for_everyone_kept_by_the_province(self):
        "Everyone picks agencies of the directory; only the province keeps it"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Peer = pool.get('mvp.interop.peer')
        unit, = Unit.create([{'name': "Sở Nội vụ", 'kind': 'department',
                    'identifier': '000.00.01.H31'}])
        peer, = Peer.create([{'code': '000.00.00.G22',
                    'name': "Văn phòng Chính phủ"}])
        for role in ['role_clerk', 'role_admin_agency']:
            user = person(f'user.{role}', unit, role)
            a, b, c = acting(user)
            with self.subTest(role=role), a, b, c:
                self.assertEqual(Peer.search([('rec_name', 'ilike',
                                '%van phong chinh phu%')]), [peer])
                with self.assertRaises(AccessError):
                    Peer.write([peer], {'name': "Khác"})

    @with_transaction()
    def test_peer_code_checked(self):
        Peer = Pool().get('mvp.interop.peer')
        with self.assertRaises(Exception):
            Peer.create([{'code': 'not a code', 'name': "X"}])


del ModuleTestCase
