"""The files in S3-compatible object storage, against moto's S3 server.

moto's server (from PyPI) is started on 127.0.0.1 for the module; the file
store of mvp_filestore.s3 talks to it over HTTP with boto3 as it would to
MinIO. A document's file saved through the model lands in the bucket, under
the database's name, and reads back; trytond picks the class from its
configuration.
"""
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

from trytond import config
from trytond.model.fields import binary
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from mvp_filestore.s3 import S3FileStore

BIN = Path(sys.executable).parent
BUCKET = 'eoffice-test'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def s3(tmp_path_factory):
    "The URL of a new moto S3 server with the bucket, and its client"
    port = free_port()
    log = tmp_path_factory.mktemp('moto') / 'server.log'
    # moto accepts any credentials; boto3 wants some.
    saved = {k: os.environ.get(k) for k in [
            'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']}
    os.environ.update(AWS_ACCESS_KEY_ID='test', AWS_SECRET_ACCESS_KEY='test')
    server = subprocess.Popen(
        [str(BIN / 'moto_server'), '-H', '127.0.0.1', '-p', str(port)],
        stdout=open(log, 'wb'), stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + '/moto-api/', timeout=1)
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
        client = boto3.client('s3', endpoint_url=url, region_name='us-east-1')
        client.create_bucket(Bucket=BUCKET)
        for option, value in [('endpoint_url', url), ('bucket', BUCKET),
                ('region', 'us-east-1')]:
            if not config.has_section('s3'):
                config.add_section('s3')
            config.set('s3', option, value)
        yield url, client
    finally:
        config.remove_section('s3')
        server.terminate()
        server.wait(10)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def keys(client, prefix=''):
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {o['Key']: o['Size'] for o in listed.get('Contents', [])}


def test_store(s3):
    "Set, get, size and delete, named as the local store names files"
    _, client = s3
    store = S3FileStore()
    data = os.urandom(70_000)
    id_ = store.set(data, prefix='db1')
    assert keys(client, 'db1/') == {
        f'db1/{id_[0:2]}/{id_[2:4]}/{id_}': len(data)}
    assert store.get(id_, prefix='db1') == data
    assert store.size(id_, prefix='db1') == len(data)
    assert store.getmany([id_], prefix='db1') == [data]
    # Another database's prefix does not reach it.
    with pytest.raises(FileNotFoundError):
        store.get(id_, prefix='db2')
    store.delete_many([id_], prefix='db1')
    assert keys(client, 'db1/') == {}
    with pytest.raises(FileNotFoundError):
        store.size(id_, prefix='db1')
    with pytest.raises(ValueError):
        store.get(id_, prefix='../db1')


@pytest.fixture
def database(s3, monkeypatch):
    drop_db()
    activate_module('mvp_documents')
    # What trytond.filestore does at start with [database] class set.
    monkeypatch.setattr(binary, 'filestore', S3FileStore())
    yield
    drop_db()


def test_document_file(s3, database):
    "A document's file lands in the bucket once and reads back"
    _, client = s3
    data = b'%PDF-1.4\n' + os.urandom(200_000)
    with Transaction().start(DB_NAME, 0) as transaction:
        File = Pool().get('mvp.document.file')
        file = File.store('cong-van.pdf', data)
        # The same content again is the same file: one object.
        assert File.store('ban-sao.pdf', data) == file
        transaction.commit()
        file_id = file.file_id
    stored = keys(client, f'{DB_NAME}/')
    assert stored == {
        f'{DB_NAME}/{file_id[0:2]}/{file_id[2:4]}/{file_id}': len(data)}
    with Transaction().start(DB_NAME, 0):
        File = Pool().get('mvp.document.file')
        file = File(file.id)
        assert file.data == data
        assert file.digest == hashlib.sha256(data).hexdigest()
        # Gone from the bucket: the model reads nothing, as from a disk.
        client.delete_object(Bucket=BUCKET, Key=next(iter(stored)))
        assert File(file.id).data is None


def test_configured(s3):
    "trytond takes the class of [database] class"
    url, _ = s3
    result = subprocess.run([sys.executable, '-c',
            "from trytond.filestore import filestore as f; "
            "print(type(f).__module__, type(f).__name__, f.bucket)"],
        env=dict(os.environ,
            TRYTOND_DATABASE__CLASS='mvp_filestore.s3.S3FileStore',
            TRYTOND_S3__ENDPOINT_URL=url, TRYTOND_S3__BUCKET=BUCKET),
        capture_output=True, text=True, check=True)
    assert result.stdout.split() == [
        'mvp_filestore.s3', 'S3FileStore', BUCKET]
