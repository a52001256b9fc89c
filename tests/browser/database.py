"""The database of a test server, read directly: what is really stored,
whatever the server answers over RPC."""
import sqlite3
import threading
from urllib.parse import urlsplit

# Tables every request or login writes to.
BOOKKEEPING = {'ir_session', 'res_user_login_attempt', 'ir_cache'}


class Tables:
    "Read-only access to the tables of a server's database"

    def __init__(self, database, path=None, uri=None):
        self.lock = threading.Lock()
        if uri and uri.startswith('postgresql'):
            import psycopg
            parts = urlsplit(uri)
            self.connection = psycopg.connect(
                parts._replace(path=f'/{database}').geturl(),
                autocommit=True)
            self.postgresql = True
        else:
            self.connection = sqlite3.connect(
                f'file:{path / "db" / database}.sqlite?mode=ro', uri=True,
                check_same_thread=False)
            self.postgresql = False

    def close(self):
        self.connection.close()

    def query(self, sql):
        "The rows of sql as dictionaries"
        with self.lock:
            cursor = self.connection.cursor()
            try:
                cursor.execute(sql)
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
            finally:
                cursor.close()

    def names(self):
        "The names of the tables"
        if self.postgresql:
            rows = self.query("SELECT table_name AS name "
                "FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
        else:
            rows = self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r['name'] for r in rows}

    def rows(self, table):
        return self.query(f'SELECT * FROM "{table}"')

    def columns(self, table):
        if self.postgresql:
            rows = self.query("SELECT column_name AS name "
                "FROM information_schema.columns "
                f"WHERE table_name = '{table}'")
        else:
            rows = self.query(f'PRAGMA table_info("{table}")')
        return {r['name'] for r in rows}

    def snapshot(self, tables):
        """What tells a change of each table: its rows, last id and last
        change"""
        result = {}
        for table, columns in tables.items():
            dates = [f'MAX({c})' for c in ['write_date', 'create_date']
                if c in columns]
            row, = self.query(f'SELECT COUNT(*) AS count, MAX(id) AS id'
                + ''.join(f', {d}' for d in dates) + f' FROM "{table}"')
            result[table] = tuple(str(v) for v in row.values())
        return result
