from .contact import identity


def portal(request):
    return identity()
