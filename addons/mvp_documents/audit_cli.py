"""``mvp audit verify``: check the hash chains of the audit log.

    mvp audit verify -c CONFIG -d DB

walks the chain of each agency's audit entries (and the chain of the entries
without agency) and checks each entry against its content, the entry before
it and the heads recorded by the appends. It prints each chain's number of
entries and head; exit status 0 when every chain is intact, 1 when an entry
was altered, inserted or deleted outside the application, naming the first
such entry of each broken chain (id, agency, date). Keep the printed heads
elsewhere: a chain rewritten from an entry on, heads included, shows only
against them.

Messages are in Vietnamese, the language of the administrators.
"""
import os
import sys

from . import audit

MESSAGES = {
    audit.ALTERED: "mục {entry} lúc {date}, số {sequence} trong chuỗi: "
        "nội dung đã bị sửa ngoài ứng dụng (mã băm không khớp)",
    audit.RELINKED: "mục {entry} lúc {date}, số {sequence} trong chuỗi: "
        "đã bị sửa cả mã băm, mục sau nó ghi một mã băm khác",
    audit.UNCHAINED: "mục {entry} lúc {date}: không có trong chuỗi, "
        "đã được thêm ngoài ứng dụng",
    audit.DUPLICATE: "mục {entry} lúc {date} trùng số {sequence} với một "
        "mục khác: đã được chèn ngoài ứng dụng",
    audit.MISSING: "trước mục {entry} lúc {date}, số {sequence} trong "
        "chuỗi: thiếu mục từ số {detail}, đã bị xóa",
    audit.UNSEALED: "mục {entry} lúc {date}, số {sequence} trong chuỗi: "
        "nằm sau đầu chuỗi đã ghi (số {detail}), đã được thêm ngoài ứng dụng",
    audit.TRUNCATED: "mục {entry} lúc {date}, số {sequence} trong chuỗi, "
        "mục cuối cùng đã ghi, không còn: các mục sau số {detail} đã bị xóa",
    }


def register(subparsers):
    parser = subparsers.add_parser(
        'audit', help="nhật ký: kiểm tra tính toàn vẹn",
        description="Nhật ký truy cập và thay đổi (Điều 4.6).")
    commands = parser.add_subparsers(dest='audit_command', metavar='LỆNH')
    commands.required = True
    verify = commands.add_parser(
        'verify', help="kiểm tra chuỗi băm của nhật ký",
        description="Kiểm tra chuỗi băm nhật ký của từng cơ quan. Mã thoát "
        "0 khi mọi chuỗi nguyên vẹn, 1 khi có mục bị sửa, chèn hoặc xóa "
        "ngoài ứng dụng (nêu mục đầu tiên của mỗi chuỗi hỏng).")
    verify.add_argument(
        '-c', '--config', default=os.environ.get('TRYTOND_CONFIG'),
        help="tệp cấu hình trytond (mặc định: $TRYTOND_CONFIG)")
    verify.add_argument(
        '-d', '--database', required=True, help="tên cơ sở dữ liệu")
    verify.set_defaults(func=run_verify)


def run_verify(args):
    from trytond import config
    if args.config:
        config.update_etc(os.path.abspath(args.config))
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    if args.database not in Pool.database_list():
        Pool(args.database).init()
    with Transaction().start(args.database, 0, readonly=True):
        return verify(sys.stdout)


def verify(out):
    "Print the state of each chain to out; return the exit status"
    from trytond.pool import Pool
    pool = Pool()
    Log = pool.get('ir.model.log')
    Company = pool.get('company.company')
    chains = entries = broken = 0
    for agency, count, problem, head in Log.verify_chains():
        chains += 1
        entries += count
        name = (f'{Company(agency).rec_name} (cơ quan {agency})'
            if agency is not None else "Không thuộc cơ quan nào")
        if problem:
            broken += 1
            print(f"{name}: {count} mục, HỎNG: " + MESSAGES[problem.kind].format(
                    entry=problem.entry, sequence=problem.sequence,
                    detail=problem.detail,
                    date=audit.date_text(problem.date) if problem.date
                    else "?"), file=out)
        else:
            top = f", đầu chuỗi số {head.sequence} {head.hash}" if head else ""
            print(f"{name}: {count} mục nguyên vẹn{top}", file=out)
    if broken:
        print(f"Nhật ký bị can thiệp: {broken}/{chains} chuỗi hỏng, "
            f"{entries} mục.", file=out)
        return 1
    print(f"Nhật ký nguyên vẹn: {entries} mục trong {chains} chuỗi.", file=out)
    return 0
