from trytond.pool import Pool


def register():
    pass
