"""``mvp serve``: the production processes of one host.

The server is trytond's WSGI application under gunicorn (one process per
core: Python runs one thread at a time), with ``trytond-cron`` (scheduled
actions) and ``trytond-worker`` (the ``ir.queue`` tasks, ``[queue] worker =
True``) as processes of their own, all on the same configuration and
database. The processes keep no state of their own: a reverse proxy
(``config/nginx.conf``) may balance several hosts running this. If one of
them ends, the others are stopped and the command exits with an error, for
the service manager (systemd) to start it again.
"""
import os
import signal
import subprocess
import sys
from pathlib import Path

GUNICORN_CONF = Path(__file__).resolve().parents[2] / 'config' / (
    'gunicorn.conf.py')


def register(subparsers):
    parser = subparsers.add_parser(
        'serve', help="chạy máy chủ sản xuất: gunicorn, trytond-cron, "
        "trytond-worker",
        description="Chạy máy chủ (ứng dụng WSGI của trytond dưới "
        "gunicorn, mỗi lõi một tiến trình), trytond-cron và trytond-worker "
        "trên cùng cấu hình và cơ sở dữ liệu, sau một reverse proxy HTTPS.")
    parser.add_argument(
        '-c', '--config', required=True, metavar='TỆP',
        help="tệp cấu hình trytond, ví dụ config/production.conf")
    parser.add_argument(
        '-d', '--database', required=True, metavar='CSDL',
        help="tên cơ sở dữ liệu PostgreSQL")
    parser.add_argument(
        '--bind', default='127.0.0.1:8000', metavar='ĐỊA_CHỈ:CỔNG',
        help="nơi gunicorn lắng nghe, sau proxy (mặc định %(default)s)")
    parser.add_argument(
        '--workers', type=int, metavar='N',
        help="số tiến trình gunicorn (mặc định: số lõi)")
    parser.add_argument(
        '--gunicorn-config', default=str(GUNICORN_CONF), metavar='TỆP',
        help="tệp cấu hình gunicorn (mặc định config/gunicorn.conf.py)")
    parser.set_defaults(func=run)


def commands(args):
    "{name: argv} of the processes"
    bin_ = Path(sys.executable).parent
    config = os.path.abspath(args.config)
    gunicorn = [str(bin_ / 'gunicorn'), '-c', args.gunicorn_config,
        '--bind', args.bind]
    if args.workers:
        gunicorn += ['--workers', str(args.workers)]
    return {
        'gunicorn': gunicorn + ['trytond.application:app'],
        'cron': [str(bin_ / 'trytond-cron'), '-c', config,
            '-d', args.database],
        'worker': [str(bin_ / 'trytond-worker'), '-c', config,
            '-d', args.database],
        }


def run(args):
    env = dict(os.environ,
        TRYTOND_CONFIG=os.path.abspath(args.config),
        TRYTOND_DATABASE_NAMES=args.database)
    processes, asked = {}, []

    def stop(*_):
        # Each its process group: trytond-cron and trytond-worker fork.
        for process in processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def ask(*_):
        asked.append(True)
        stop()
    signal.signal(signal.SIGTERM, ask)
    signal.signal(signal.SIGINT, ask)
    try:
        for name, argv in commands(args).items():
            processes[name] = subprocess.Popen(
                argv, env=env, start_new_session=True)
            print(f"{name}: pid {processes[name].pid}", flush=True)
        # The first to end ends the others.
        pid, status = os.wait()
        for name, process in processes.items():
            if process.pid == pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                if not asked:
                    print(f"{name} ended ({process.returncode}), stopping "
                        "the others", file=sys.stderr, flush=True)
        stop()
    finally:
        stop()
        for process in processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return 0 if asked else 1
