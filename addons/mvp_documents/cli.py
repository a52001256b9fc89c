"""The administrators' command ``mvp``.

Each sub-command lives with the module that owns it and is found through the
``mvp.commands`` entry point group: an entry point names a function
``register(subparsers)`` that adds its parser and sets ``func`` on it; ``func``
receives the parsed arguments and returns the exit status.
"""
import argparse
import sys
from importlib.metadata import entry_points


def parser():
    top = argparse.ArgumentParser(
        prog='mvp', description="Provincial e-office administration")
    subparsers = top.add_subparsers(dest='command', metavar='COMMAND')
    subparsers.required = True
    for ep in sorted(
            entry_points(group='mvp.commands'), key=lambda e: e.name):
        ep.load()(subparsers)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == '__main__':
    sys.exit(main())
