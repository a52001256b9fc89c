"""Tryton file stores of the e-office beyond the local disk.

Not a Tryton module: trytond loads the class named by ``[database] class``
when it starts (``trytond.filestore``), before any module.
"""
