"""GPRO letters benchmark: ms per letter rendered (vs a bare WeasyPrint page with the same text) and the time
to merge a 1,000-letter print batch from stored PDFs.

    .venv/bin/python bench/letters.py [--letters 200] [--batch 1000]

Uses PostgreSQL database `bench_letters` (created if missing; BENCH_LETTERS_DATABASE_URL overrides) and a
throw-away MEDIA_ROOT. Steady state: fonts and letter.css are loaded once, a few warm-up renders are dropped,
then each letter and its bare twin are rendered alternately, so machine load affects both the same way.
Wall and CPU (process) time are both recorded: on a shared machine CPU time is the steadier figure.
The same letter is also rendered untagged, so the cost of PDF/UA tagging is measured apart.
Prints a table and writes bench/results/letters.json (with the load average at start and end). Targets
(2-core machine, issue #16): CPU per letter <= 1.5x the bare page's in the same run, <= 1 s CPU to merge
1,000 stored letters.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_LETTERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_letters")
TARGET_RATIO_CPU = 1.5
TARGET_MERGE_CPU_SECONDS = 1.0

FIRST = ["Maria", "James", "Wei", "Aisha", "Olga", "José", "Priya", "Thomas", "Ελένη", "小明", "Fatima", "Robert"]
LAST = ["Gonzalez", "Smith", "Chen", "Okafor", "Ivanova", "Núñez", "Patel", "O'Brien", "Παππά", "王", "Haddad"]
STREETS = ["Main Street", "Harbor View Drive", "Old Court Road", "Charles Street", "York Road", "Bel Air Road"]
CITIES = [
    ("Towson", "MD", "21204"),
    ("Baltimore", "MD", "21201"),
    ("Frederick", "MD", "21701"),
    ("Dover", "DE", "19901"),
]
JUSTIFICATION = (
    "Our practice is located in a rural part of {city} County where no provider offers high-speed internet "
    "access at a price a small practice can pay. Between January and June 2011 our satellite connection failed "
    "on {days} working days, and our e-prescribing vendor could not transmit prescriptions reliably. We asked "
    "two carriers for a fixed line; both declined to extend service to our building. We therefore could not "
    "e-prescribe for most of the reporting period."
)


def setup_django(media_root: str) -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def _create_database() -> None:
    import psycopg

    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def make_groups(count: int, rng: random.Random):
    from exemptions import models
    from exemptions.identifiers import npi_check_digit

    owner, _ = models.User.objects.get_or_create(email="bench-letters@example.org")
    year = models.AdjustmentYear.objects.get(is_practice=True)
    category = models.HardshipCategory.objects.get(code="rural-internet")
    models.ExemptionRequest.objects.filter(owner=owner).delete()
    groups = []
    for g in range(count):
        city, state, zip_code = rng.choice(CITIES)
        group = models.ExemptionRequest.objects.create(
            owner=owner,
            year=year,
            kind="group",
            status="letter_generated",
            reference=f"HX-2099-B{g:05d}",
            group_name=f"{rng.choice(LAST)} {rng.choice(['Family Medicine', 'Pediatrics', 'Internal Medicine'])} "
            f"Associates, P.A.",
            tin=f"{rng.randint(10, 60)}{rng.randint(1000000, 9999999)}",
            gpro_option=rng.choice(["I", "II"]),
            gpro_program_year=2011,
            contact_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            contact_title="Practice Administrator",
            contact_phone="410-555-0100",
            contact_email=f"admin{g}@example.org",
            address_line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, Suite {rng.randint(100, 400)}",
            city=city,
            state=state,
            zip_code=zip_code,
            justification=JUSTIFICATION.format(city=city, days=rng.randint(12, 60)),
            attested=True,
        )
        group.categories.add(category)
        eps = []
        for i in range(rng.randint(2, 6)):
            base = f"1{rng.randint(0, 99999999):08d}"
            eps.append(
                models.AffectedEP(
                    request=group,
                    position=i,
                    npi=base + npi_check_digit(base),
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}, MD",
                    address_line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                    city=city,
                    state=state,
                    zip_code=zip_code,
                    email=f"ep{g}-{i}@example.org",
                )
            )
        models.AffectedEP.objects.bulk_create(eps)
        models.ExemptionRequest.objects.filter(pk=group.pk).update(ep_count=len(eps))
        group.refresh_from_db()
        groups.append(group)
    return groups


def bare_html(letter_html: str) -> str:
    """The letter's text as plain paragraphs: what WeasyPrint costs without the letter's layout."""
    body = re.sub(r"<svg.*?</svg>", "", letter_html.split("<body>", 1)[1], flags=re.S)
    # The letter sets the CMS address and the facts as lines of one element (white-space: pre/pre-line); the twin
    # keeps one paragraph per line, as when each line was its own element, so a leaner letter markup does not
    # also make its bare twin cheaper (the ratio would then understate the gain).
    body = re.sub(
        r'(<(address|p) class="(?:recipient|facts)">)(.*?)(</\2>)',
        lambda m: m[1] + m[3].replace("\n", "</p>") + m[4],
        body,
        flags=re.S,
    )
    blocks = re.split(r"</(?:p|tr|h1|h2|li|address|div|span)>", body)
    texts = [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", b))).strip() for b in blocks]
    paragraphs = "".join(f"<p>{html.escape(t)}</p>" for t in texts if t)
    return f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title></head><body>{paragraphs}</body></html>'


def bench_render(groups, warmup: int):
    import weasyprint
    from django.template.loader import render_to_string

    from exemptions.documents import letters, pdf
    from exemptions.windows import date_et

    bare_css = weasyprint.CSS(
        string="@page { size: letter; margin: 0.75in } html { font-family: 'DejaVu Sans', 'Droid Sans Fallback'; "
        "font-size: 9pt }",
        font_config=pdf.font_config(),
    )
    today = date_et(groups[0].created_at)
    letter_ms, bare_ms, letter_cpu, bare_cpu, untagged_cpu, stored, pages = [], [], [], [], [], [], []
    for index, group in enumerate(groups):
        context = letters.letter_context(group, letter_date=today, postmark_deadline=today, version=1)
        images = {"qr": context["qr_png"]}
        cpu = time.process_time()
        pdf.render_pdf(
            "pdf/letter.html", context, stylesheet_name="letter", pdf_variant=None, object_streams=False, images=images
        )
        cpu_untagged = (time.process_time() - cpu) * 1000
        cpu = time.process_time()
        pdf.render_pdf("pdf/letter.html", context, stylesheet_name="letter", object_streams=False, images=images)
        cpu_tagged = (time.process_time() - cpu) * 1000
        start, cpu = time.perf_counter(), time.process_time()
        data = letters.letter_pdf(group, letter_date=today, postmark_deadline=today, version=1)
        elapsed_letter = (time.perf_counter() - start) * 1000
        cpu_letter = (time.process_time() - cpu) * 1000
        twin = bare_html(
            render_to_string(
                "pdf/letter.html",
                letters.letter_context(group, letter_date=today, postmark_deadline=today, version=1),
            )
        )
        start, cpu = time.perf_counter(), time.process_time()
        weasyprint.HTML(string=twin).write_pdf(stylesheets=[bare_css], font_config=pdf.font_config())
        elapsed_bare = (time.perf_counter() - start) * 1000
        cpu_bare = (time.process_time() - cpu) * 1000
        if index >= warmup:
            letter_ms.append(elapsed_letter)
            bare_ms.append(elapsed_bare)
            letter_cpu.append(cpu_letter)
            bare_cpu.append(cpu_bare)
            untagged_cpu.append(cpu_tagged - cpu_untagged)
        stored.append(data)
        pages.append(letters.page_count(data))
    return letter_ms, bare_ms, letter_cpu, bare_cpu, untagged_cpu, stored, pages


def store_letters(groups, rendered: list[bytes], batch_size: int):
    """batch_size GroupLetter rows with stored files (the rendered letters reused round-robin)."""
    from django.core.files.base import ContentFile

    from exemptions import models
    from exemptions.documents import letters
    from exemptions.services.render_queue import pdf_sha256 as sha256

    models.GroupLetter.objects.filter(request__in=groups).delete()
    rows = []
    for i in range(batch_size):
        data = rendered[i % len(rendered)]
        group = groups[i % len(groups)]
        letter = models.GroupLetter(
            request=group,
            version=i // len(groups) + 1,
            status="ready",
            sha256=sha256(data),
            page_count=letters.page_count(data),
        )
        letter.file.save("letter.pdf", ContentFile(data), save=False)
        rows.append(letter)
    return models.GroupLetter.objects.bulk_create(rows)


def bench_merge(stored_letters):
    from exemptions import models
    from exemptions.documents import letters
    from exemptions.documents.rendering import print_batch_build

    owner = models.User.objects.get(email="bench-letters@example.org")
    start = time.perf_counter()
    sources = []
    for letter in stored_letters:
        with letter.file.open("rb") as handle:
            sources.append(handle.read())
    read_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    data, page_total = letters.merge_pdfs(sources, cover=None)
    merge_s = time.perf_counter() - start
    merge_cpu_s = time.process_time() - cpu

    batch = models.PrintBatch.objects.create(created_by=owner, include_cover_sheet=True)
    batch.letters.set(stored_letters)
    start = time.perf_counter()
    outcome = print_batch_build(batch_id=batch.pk)
    full_s = time.perf_counter() - start
    batch.refresh_from_db()
    return {
        "read_seconds": read_s,
        "merge_seconds": merge_s,
        "merge_cpu_seconds": merge_cpu_s,
        "merged_pages": page_total,
        "merged_bytes": len(data),
        "service_seconds": full_s,
        "service_outcome": outcome,
        "service_pages": batch.page_count,
    }


def summarize(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "mean": statistics.fmean(ordered),
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200, help="distinct letters rendered (default 200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--batch", type=int, default=1000, help="letters in the merged batch (default 1000)")
    parser.add_argument("--seed", type=int, default=2011)
    args = parser.parse_args()

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-letters-") as media_root:
        setup_django(media_root)
        rng = random.Random(args.seed)
        groups = make_groups(args.letters + args.warmup, rng)
        letter_ms, bare_ms, letter_cpu, bare_cpu, tagging_cpu, rendered, pages = bench_render(groups, args.warmup)
        stored = store_letters(groups, rendered[args.warmup :] or rendered, args.batch)
        merge = bench_merge(stored)
    load_end = os.getloadavg()

    letter, bare = summarize(letter_ms), summarize(bare_ms)
    letter_c, bare_c = summarize(letter_cpu), summarize(bare_cpu)
    ratio = letter["median"] / bare["median"]
    ratio_cpu = letter_c["median"] / bare_c["median"]
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_at_end": [round(x, 2) for x in load_end],
        "letters_rendered": letter["n"],
        "one_page_letters": sum(1 for p in pages[args.warmup :] if p == 1),
        "letter_ms": letter,
        "bare_page_ms": bare,
        "ratio_letter_to_bare": ratio,
        "letter_cpu_ms": letter_c,
        "bare_page_cpu_ms": bare_c,
        "ratio_letter_to_bare_cpu": ratio_cpu,
        "tagging_cpu_ms": summarize(tagging_cpu),
        "batch_letters": args.batch,
        **merge,
        "targets": {"ratio_letter_to_bare_cpu": TARGET_RATIO_CPU, "merge_cpu_seconds": TARGET_MERGE_CPU_SECONDS},
        "targets_met": {
            "ratio_letter_to_bare_cpu": ratio_cpu <= TARGET_RATIO_CPU,
            "merge_cpu_seconds": merge["merge_cpu_seconds"] <= TARGET_MERGE_CPU_SECONDS,
        },
    }
    out = ROOT / "bench" / "results" / "letters.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")

    met = results["targets_met"]
    print(
        f"\nGPRO letters ({letter['n']} letters after {args.warmup} warm-up; load {load_start[0]:.2f} -> {load_end[0]:.2f})"
    )
    print(f"{'measure':44s} {'median':>9s} {'mean':>9s} {'p95':>9s} {'target':>8s}")
    rows = [
        ("portal letter, CPU ms per letter", letter_c),
        ("bare WeasyPrint page, same text, CPU ms", bare_c),
        ("PDF/UA tagging (tagged - untagged), CPU ms", results["tagging_cpu_ms"]),
        ("portal letter, wall ms", letter),
        ("bare page, wall ms", bare),
    ]
    for label, s in rows:
        print(f"{label:44s} {s['median']:9.1f} {s['mean']:9.1f} {s['p95']:9.1f}")
    print(
        f"{'ratio letter / bare page (CPU)':44s} {ratio_cpu:9.2f} {'':19s} {TARGET_RATIO_CPU:8.1f} {_met(met, 'ratio_letter_to_bare_cpu')}"
    )
    print(f"{'ratio letter / bare page (wall)':44s} {ratio:9.2f}")
    print(f"{'read ' + str(args.batch) + ' stored letters, s':44s} {merge['read_seconds']:9.3f}")
    print(
        f"{'merge ' + str(args.batch) + ' letters (pikepdf), CPU s':44s} {merge['merge_cpu_seconds']:9.3f} {'':19s} {TARGET_MERGE_CPU_SECONDS:8.1f} {_met(met, 'merge_cpu_seconds')}"
    )
    print(f"{'merge ' + str(args.batch) + ' letters, wall s':44s} {merge['merge_seconds']:9.3f}")
    print(f"{'print_batch_build (read+hash+cover+merge+store), s':44s} {merge['service_seconds']:9.3f}")
    print(
        f"merged: {merge['merged_pages']} pages, {merge['merged_bytes'] / 1024 / 1024:.1f} MiB; results: {out.relative_to(ROOT)}"
    )


def _met(met: dict, name: str) -> str:
    return "met" if met[name] else "NOT met"


if __name__ == "__main__":
    main()
