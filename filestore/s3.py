"""The files of trytond in S3-compatible object storage (MinIO, Ceph, AWS).

    [database]
    class = mvp_filestore.s3.S3FileStore

    [s3]
    # The object store's address; empty for AWS itself.
    endpoint_url = https://minio.example.gov.vn:9000
    bucket = eoffice
    region = us-east-1

The credentials are boto3's own (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY in the environment, or ~/.aws/credentials of the
system user), never in trytond's configuration. Objects are named as the
local file store names its files, PREFIX/ab/cd/ID (the prefix is the
database name), so a file store copied to the bucket with
``aws s3 sync /var/lib/eoffice s3://eoffice`` is read as it was.
"""
import os
import threading

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from trytond import config
from trytond.filestore import FileStore

MISSING = {'404', 'NoSuchKey', 'NotFound'}


class S3FileStore(FileStore):

    def __init__(self):
        self._clients = {}
        self._lock = threading.Lock()

    @property
    def client(self):
        # boto3 clients may be shared by threads but not across a fork:
        # gunicorn forks its workers after loading the application.
        pid = os.getpid()
        with self._lock:
            if pid not in self._clients:
                self._clients[pid] = boto3.session.Session().client('s3',
                    endpoint_url=config.get('s3', 'endpoint_url') or None,
                    region_name=config.get('s3', 'region') or None,
                    config=Config(
                        retries={'mode': 'standard', 'max_attempts': 5},
                        s3={'addressing_style': config.get(
                                's3', 'addressing_style', default='path')}))
            return self._clients[pid]

    @property
    def bucket(self):
        return config.get('s3', 'bucket', default='tryton')

    def _key(self, id, prefix):
        if not id or '/' in id or id.startswith('.') or (
                prefix and ('..' in prefix.split('/') or prefix[0] == '/')):
            raise ValueError('Bad prefix')
        return '/'.join(filter(None, [prefix, id[0:2], id[2:4], id]))

    def _missing(self, error, id):
        code = error.response.get('Error', {}).get('Code')
        if code in MISSING:
            # As the local store: the field logs it and reads no data.
            raise FileNotFoundError(id) from error
        raise error

    def get(self, id, prefix=''):
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=self._key(id, prefix))
        except ClientError as error:
            self._missing(error, id)
        with response['Body'] as body:
            return body.read()

    def size(self, id, prefix=''):
        try:
            response = self.client.head_object(
                Bucket=self.bucket, Key=self._key(id, prefix))
        except ClientError as error:
            self._missing(error, id)
        return response['ContentLength']

    def set(self, data, prefix=''):
        id = self._id(data)
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(id, prefix), Body=data)
        return id

    def delete(self, id, prefix=''):
        self.delete_many([id], prefix)

    def delete_many(self, ids, prefix=''):
        # As the local store: ids without a dash are older ones, which
        # records may still share.
        keys = [{'Key': self._key(i, prefix)} for i in ids if '-' in i]
        for start in range(0, len(keys), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={
                    'Objects': keys[start:start + 1000], 'Quiet': True})
