"""The load test's two baselines, served by the same gunicorn, settings and middleware as the portal.

Mounted only by bench/load/urls.py (bench/load/settings.py), never by the portal's own URLconf.
(a) trivial: the ceiling of this stack on this machine.
(b) minimal_write: a logged-in, CSRF-checked POST that inserts one row in a transaction: the floor of any
    submit. Its table (bench_write) is created by bench/load/run.py, not by a migration.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.views.decorators.http import require_POST


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
def minimal_write(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_write (user_id, note, created_at) VALUES (%s, %s, now())",
            [request.user.pk, request.POST.get("note", "")[:100]],
        )
    return HttpResponse("saved", content_type="text/plain")
