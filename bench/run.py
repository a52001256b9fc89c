"""Run every benchmark of bench/ in turn, each writing its bench/results/ file.

    python bench/run.py [NAME...] [-- ARGS...]

NAME is a script of bench/ without .py (all of them by default); ARGS after
-- are passed to each, e.g. `make bench ARGS="load -- -n 1000000"`. The
benchmarks run one after the other: on two cores, any two at once would
measure each other.
"""
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


NOT_BENCHMARKS = {'run', 'machine', 'province', 'locustfile'}


def benchmarks():
    return sorted(
        p.stem for p in HERE.glob('*.py') if p.stem not in NOT_BENCHMARKS)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    extra = []
    if '--' in argv:
        argv, extra = argv[:argv.index('--')], argv[argv.index('--') + 1:]
    names = argv or benchmarks()
    unknown = set(names) - set(benchmarks())
    if unknown:
        print("unknown benchmark: %s (there are: %s)" % (
                ', '.join(sorted(unknown)), ', '.join(benchmarks())),
            file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        start = time.monotonic()
        status = subprocess.call(
            [sys.executable, str(HERE / f'{name}.py'), *extra],
            cwd=HERE.parent)
        print(f"== bench/{name}.py: exit {status} in "
            f"{time.monotonic() - start:.0f} s", flush=True)
        if status:
            failed.append(name)
    if failed:
        print("failed: " + ', '.join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
