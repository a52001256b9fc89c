# gunicorn for trytond's WSGI application (mvp serve passes the bind address
# and trytond reads TRYTOND_CONFIG and TRYTOND_DATABASE_NAMES).
import multiprocessing

# Python runs one thread at a time: a process per core for the work, a few
# threads each to overlap the waits on PostgreSQL and on the network.
workers = multiprocessing.cpu_count()
worker_class = 'gthread'
threads = 4
# Reports, archival packages and large uploads take their time.
timeout = 300
graceful_timeout = 30
# A worker starts afresh after this many requests, against slow leaks.
max_requests = 10000
max_requests_jitter = 1000
# Behind the reverse proxy on the same host: trust its X-Forwarded-* only
# (trytond reads them with [web] num_proxies = 1).
forwarded_allow_ips = '127.0.0.1'
accesslog = '-'
