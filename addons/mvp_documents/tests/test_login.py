"""Logins locked by wrong passwords: for the lock window, not the session
timeout; said so with the time left; opened again by an administrator."""
import datetime as dt
import unittest
from contextlib import contextmanager

from trytond import config
from trytond.exceptions import LoginException, RateLimitException
from trytond.modules.mvp_documents import lockout, res
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

NOW = dt.datetime(2026, 12, 1, 9, 0)
WINDOW = dt.timedelta(minutes=15)


def minutes_ago(*minutes):
    return [NOW - dt.timedelta(minutes=m) for m in minutes]


class LockoutTestCase(unittest.TestCase):
    "The arithmetic, without a database"

    def test_not_locked_up_to_max_attempt(self):
        self.assertIsNone(
            lockout.locked_until(minutes_ago(0, 1, 2), 3, WINDOW, NOW))

    def test_locked_until_oldest_counted_leaves(self):
        # the 4 newest of 5 attempts lock; the 4th newest (3 min ago)
        # leaves the window in 12 minutes
        self.assertEqual(
            lockout.locked_until(minutes_ago(3, 0, 2, 1, 4), 3, WINDOW, NOW),
            NOW + dt.timedelta(minutes=12))

    def test_attempts_before_window_ignored(self):
        self.assertIsNone(lockout.locked_until(
                minutes_ago(0, 1, 2, 16, 20, 30), 3, WINDOW, NOW))

    def test_minutes_left_rounded_up(self):
        self.assertEqual(lockout.minutes_left(
                NOW + dt.timedelta(seconds=61), NOW), 2)
        self.assertEqual(lockout.minutes_left(NOW, NOW), 1)


@contextmanager
def session(**options):
    "The [session] options set for the block"
    # lock_window is unset unless configured: its default comes back
    saved = {k: config.get('session', k, default=res.LOCK_WINDOW)
        for k in options}
    for key, value in options.items():
        config.set('session', key, str(value))
    try:
        yield
    finally:
        for key, value in saved.items():
            config.set('session', key, str(value))


class LoginTestCase(unittest.TestCase):
    "Through res.user.get_login, as the server's login calls it"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def person(self):
        User = Pool().get('res.user')
        user, = User.create([{
                    'login': 'chuyenvien', 'name': "Phạm Thu Hà",
                    'password': 'Dung@2026'}])
        return user

    def mistype(self, times):
        User = Pool().get('res.user')
        for _ in range(times):
            self.assertIsNone(
                User.get_login('chuyenvien', {'password': 'Sai@2026'}))

    def locked_message(self, parameters):
        User = Pool().get('res.user')
        with self.assertRaises(LoginException) as raised:
            User.get_login('chuyenvien', parameters)
        name, message, type_ = raised.exception.args[1]
        self.assertEqual((name, type_), ('password', 'password'))
        return message

    @with_transaction()
    def test_locked_with_reason_and_minutes(self):
        "Locked after max_attempt wrong passwords, the message says why"
        User = Pool().get('res.user')
        user = self.person()
        with session(max_attempt=2, lock_window=600, timeout=28800):
            self.mistype(3)
            # as soon as the login is typed, and with the right password
            for parameters in [{}, {'password': 'Dung@2026'}]:
                message = self.locked_message(parameters)
                self.assertIn('"chuyenvien"', message)
                self.assertIn("more than 2 times", message)
                self.assertIn("in 10 minutes", message)
            self.assertTrue(User(user.id).login_locked)

    @with_transaction()
    def test_window_not_session_timeout(self):
        "Attempts older than the lock window no longer count"
        pool = Pool()
        User = pool.get('res.user')
        LoginAttempt = pool.get('res.user.login.attempt')
        user = self.person()
        with session(max_attempt=2, lock_window=600, timeout=28800):
            self.mistype(3)
            table = LoginAttempt.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.create_date],
                    [dt.datetime.now() - dt.timedelta(minutes=11)]))
            self.assertFalse(User(user.id).login_locked)
            self.assertEqual(
                User.get_login('chuyenvien', {'password': 'Dung@2026'}),
                user.id)

    @with_transaction()
    def test_unlock(self):
        User = Pool().get('res.user')
        user = self.person()
        with session(max_attempt=2, lock_window=600):
            self.mistype(3)
            User.unlock_login([user])
            self.assertFalse(User(user.id).login_locked)
            self.assertEqual(
                User.get_login('chuyenvien', {'password': 'Dung@2026'}),
                user.id)

    @with_transaction()
    def test_flood_of_a_network_still_limited(self):
        "Tryton's limit per network stays, over the lock window"
        User = Pool().get('res.user')
        self.person()
        with session(max_attempt=100, max_attempt_ip_network=2,
                lock_window=600), \
                Transaction().set_context(
                    _request={'remote_addr': '10.1.2.3'}):
            self.mistype(3)
            with self.assertRaises(RateLimitException):
                User.get_login('chuyenvien', {'password': 'Dung@2026'})
