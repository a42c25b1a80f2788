"""PDF rendering with WeasyPrint: print stylesheets and fonts loaded once per process, no outside fetches.

Documents render from Django templates (autoescape on) under templates/pdf/ with their own small print
stylesheet from static/css/pdf/ (never Bootstrap: big frameworks are WeasyPrint's slow path). The URL fetcher
only serves the portal's own static files, so user text such as <img src="http://169.254.169.254/"> or
file:///etc/passwd fetches nothing, plus the images a render hands over itself ("portal-image:<name>", e.g. a
letter's QR code as a small PNG): never data: URLs, never anything named by user text.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
IMAGE_SCHEME = "portal-image"


def _weasyprint():
    import weasyprint  # imported lazily: 0.5 s, only in processes that render

    return weasyprint


class StaticOnlyFetcher:
    """Builds a WeasyPrint URLFetcher that refuses everything but files under static/."""

    @classmethod
    @functools.cache
    def instance(cls):
        from weasyprint.urls import URLFetcher

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                parsed = urlparse(url)
                if parsed.scheme == "file":
                    path = Path(unquote(parsed.path)).resolve()
                    if path.is_relative_to(STATIC_DIR) and path.is_file():
                        return super().fetch(url, headers)
                raise ValueError(f"blocked URL in PDF: {url[:80]}")

        return _Fetcher(allowed_protocols={"file"}, allow_redirects=False)

    @classmethod
    def with_images(cls, images: dict[str, bytes]):
        """The same fetcher, also answering "portal-image:<name>" from `images` (PNG bytes) for this render only:
        a raster image is far cheaper for WeasyPrint than an inline SVG it must parse, lay out and draw."""
        from weasyprint.urls import URLFetcherResponse

        static_only = cls.instance()
        prefix = IMAGE_SCHEME + ":"

        class _WithImages(type(static_only)):
            def fetch(self, url, headers=None):
                if url.startswith(prefix) and url[len(prefix) :] in images:
                    return URLFetcherResponse(
                        url, body=images[url[len(prefix) :]], headers={"Content-Type": "image/png"}
                    )
                return static_only.fetch(url, headers)

        return _WithImages(allowed_protocols={"file", IMAGE_SCHEME}, allow_redirects=False)


@functools.cache
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def stylesheet(name: str):
    """Parsed once per process and reused (re-parsing costs ~45% per document)."""
    wp = _weasyprint()
    return wp.CSS(
        filename=str(STATIC_DIR / "css" / "pdf" / f"{name}.css"),
        font_config=font_config(),
        url_fetcher=StaticOnlyFetcher.instance(),
    )


def render_pdf(
    template: str,
    context: dict,
    *,
    stylesheet_name: str,
    pdf_variant: str | None = "pdf/ua-1",
    object_streams: bool = True,
    images: dict[str, bytes] | None = None,
) -> bytes:
    """Render templates/pdf/<template> to PDF bytes (tagged PDF/UA by default, fonts embedded).

    object_streams=False writes every object plainly (streams still compressed): qpdf opens such a file ~5x
    faster, which a print batch of a thousand stored letters feels. Asking pydyf for it directly costs nothing;
    re-saving WeasyPrint's output with pikepdf cost ~3 ms CPU a letter.
    images: PNG bytes the template shows as <img src="portal-image:<name>">.
    """
    wp = _weasyprint()
    html = render_to_string(template, context)
    fetcher = StaticOnlyFetcher.with_images(images) if images else StaticOnlyFetcher.instance()
    document = wp.HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    if not object_streams:
        options["finisher"] = _without_object_streams
    return document.write_pdf(stylesheets=[stylesheet(stylesheet_name)], font_config=font_config(), **options)


def _without_object_streams(_document, pdf) -> None:
    """WeasyPrint's finisher hook: its `compress` flag means "object streams" to pydyf's writer (the streams
    themselves were compressed when built), so the writer is asked for plain objects instead."""
    write = pdf.write
    pdf.write = lambda output, version, identifier, _compress: write(output, version, identifier, False)
