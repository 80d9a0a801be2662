"""The browser harness on what the app serves today: Swagger UI on ``/docs`` (vendored under
``econsec/api/static``) rendered by headless Chromium, with and without a strict
Content-Security-Policy, and a self-test that the request guard catches outside hosts.

The static check (no browser) reads every file of every ``StaticFiles`` mount and every HTML page
the app serves without sign-in, and fails on any reference a browser would fetch from another
host: ``src``/``href``/``srcset``/``poster``/``data``/``action`` attributes, ``<meta refresh>``,
``<style>`` and ``style=""`` CSS, and ``url()``/``@import`` in stylesheets. Links a user follows
(``<a href>``), namespace URIs and URLs in comments or inside ``data:`` URLs are not fetches. What
JavaScript fetches is checked at run time, in Chromium, by the ``page`` fixture's guard.
"""

from __future__ import annotations

import json
import re
import struct
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.staticfiles import StaticFiles

from tests.browser.conftest import PageLog, is_outside

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

#: The policy /docs must work under: scripts, styles and connections from the app only.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OPERATION_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


# -- helpers -----------------------------------------------------------------------------------


def operation_count(spec: dict[str, Any]) -> int:
    """How many operation blocks Swagger UI renders: one per operation and tag (untagged ones go
    under "default")."""
    return sum(
        max(1, len(operation.get("tags", [])))
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in OPERATION_METHODS
    )


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (asserting the signature)."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR", "PNG without an IHDR chunk first"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def wait_for_operations(page: Page, expected: int) -> None:
    page.wait_for_selector(".opblock", state="visible", timeout=30_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.opblock').length === n", arg=expected, timeout=30_000
    )


def assert_clean(log: PageLog) -> None:
    """Nothing left the app, nothing failed, nothing was logged as an error."""
    assert log.outside == [], log.outside
    assert log.failed == [], log.failed
    assert log.http_errors == [], log.http_errors
    assert log.console_errors == [], log.console_errors
    assert log.page_errors == [], log.page_errors


# -- Swagger UI in Chromium --------------------------------------------------------------------


@pytest.mark.browser
def test_docs_render_offline(
    page: Page, page_log: PageLog, live_server: str, tmp_path: Path
) -> None:
    expected = operation_count(get_json(f"{live_server}/openapi.json"))
    assert expected >= 20

    response = page.goto("/docs")
    assert response is not None and response.status == 200
    wait_for_operations(page, expected)
    assert "econsec" in page.locator(".info .title").inner_text()
    assert page.evaluate("typeof window.ui.specSelectors.specJson") == "function"

    fetched = page_log.paths()
    for path in (
        "/docs",
        "/static/swagger-ui/swagger-ui.css",
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/swagger-ui/init.js",
        "/openapi.json",
    ):
        assert path in fetched, (path, fetched)
    assert_clean(page_log)

    shot = tmp_path / "docs.png"
    data = page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size == len(data) > 10_000
    width, height = png_size(shot.read_bytes())
    viewport = page.viewport_size
    assert viewport is not None and width == viewport["width"]
    assert height > 720  # the full operations list is longer than one screen


@pytest.mark.browser
def test_docs_work_under_a_strict_csp(page: Page, page_log: PageLog, live_server: str) -> None:
    """Swagger UI renders and calls the API with no inline script or style and no outside
    source: the app's own policy (if any) plus STRICT_CSP, both enforced."""
    served: dict[str, str] = {}

    def with_policy(route: Route) -> None:
        response = route.fetch()
        headers = dict(response.headers)
        served.update(headers)
        own = headers.get("content-security-policy")
        headers["content-security-policy"] = f"{own}, {STRICT_CSP}" if own else STRICT_CSP
        route.fulfill(response=response, headers=headers)

    page.route(f"{live_server}/docs", with_policy)
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.goto("/docs")
    wait_for_operations(page, operation_count(get_json(f"{live_server}/openapi.json")))
    assert served.get("x-content-type-options") == "nosniff"

    # Run GET /health from the page: expand it, "Try it out", "Execute", read the answer.
    health = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/health"])')
    health.locator(".opblock-summary").click()
    assert "health" in page.evaluate("window.location.hash")  # deepLinking ran
    health.locator("button.try-out__btn").click()
    health.locator("button.execute").click()
    answer = health.locator(".live-responses-table tr.response")
    answer.wait_for(timeout=30_000)
    assert answer.locator(".response-col_status").inner_text().strip() == "200"
    body = json.loads(answer.locator("pre.microlight code").first.inner_text())
    assert body["status"] == "ok", body

    assert page.evaluate("window.__cspViolations") == []
    assert "/health" in page_log.paths()
    assert_clean(page_log)


@pytest.mark.browser
def test_guard_blocks_and_records_outside_requests(
    page: Page, page_log: PageLog, live_server: str
) -> None:
    """The harness itself: a page on the app's origin that pulls a script, an image and a fetch
    from elsewhere has all three recorded and aborted before they reach the network."""
    outside = [
        "https://cdn.example.invalid/library.js",
        "http://203.0.113.7/pixel.png",
        "https://api.example.invalid/data.json",
    ]
    html = (
        f'<!doctype html><title>t</title><script src="{outside[0]}"></script>'
        f'<img src="{outside[1]}"><p id="own">own page</p>'
    )
    page.route(
        f"{live_server}/harness-self-test",
        lambda route: route.fulfill(body=html, content_type="text/html"),
    )
    page.goto("/harness-self-test")
    assert page.locator("#own").inner_text() == "own page"
    result = page.evaluate(f"fetch('{outside[2]}').then(() => 'sent', () => 'blocked')")
    assert result == "blocked"
    assert sorted(page_log.outside) == sorted(outside)
    assert page_log.paths() == ["/harness-self-test"]
    page_log.outside.clear()  # expected here; in any other test they fail it


# -- static check: what a browser would fetch from the served pages and assets ----------------

#: Elements and the attributes through which a browser fetches a URL (while loading the page).
FETCH_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "link": ("href", "imagesrcset"),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # SVG
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
#: Attributes naming where the page sends data or resolves URLs against: never another host,
#: but not assets to load either.
TARGET_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "form": ("action",),
    "input": ("formaction",),
    "button": ("formaction",),
    "base": ("href",),
    "a": ("ping",),
    "area": ("ping",),
}
#: <link rel> values that only describe a relation: nothing is fetched.
NON_FETCHING_RELS = frozenset(
    {"alternate", "author", "bookmark", "canonical", "external", "help", "license", "me", "next"}
    | {"nofollow", "noopener", "noreferrer", "prev", "search", "tag"}
)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_STRING = r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'"""
CSS_URL = re.compile(rf"""url\(\s*(?:{_CSS_STRING}|([^"'()\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(rf"@import\s+(?:{_CSS_STRING})", re.I)
META_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'"\s]+)""", re.I)


def css_references(css: str) -> list[str]:
    """The URLs a stylesheet (or a style attribute) makes the browser fetch: url() and
    @import targets, outside comments. Every ``url(`` must parse, so nothing slips past."""
    css = CSS_COMMENT.sub("", css)
    found = [next(g for g in m.groups() if g is not None) for m in CSS_URL.finditer(css)]
    unparsed = len(re.findall(r"url\(", css, re.I)) - len(found)
    assert unparsed == 0, f"{unparsed} url(...) value(s) the check could not read"
    found += [next(g for g in m.groups() if g is not None) for m in CSS_IMPORT.finditer(css)]
    return [url.strip() for url in found]


def srcset_urls(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


@dataclass
class References:
    """What an HTML (or SVG) document refers to: URLs it ``loads`` (assets), URLs it submits data
    to or resolves against (``targets``), and pages it ``links`` to (followed only by a user)."""

    loads: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class ReferenceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = References()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        wanted = FETCH_ATTRIBUTES.get(tag, ())
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels and rels <= NON_FETCHING_RELS:
            wanted = ("imagesrcset",)
        for name in wanted:
            value = values.get(name, "").strip()
            if value:
                self.found.loads += srcset_urls(value) if name.endswith("srcset") else [value]
        for name in TARGET_ATTRIBUTES.get(tag, ()):
            value = values.get(name, "").strip()
            if value:
                self.found.targets += value.split() if name == "ping" else [value]
        if tag in ("a", "area") and values.get("href", "").strip():
            self.found.links.append(values["href"].strip())
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.loads += META_REFRESH_URL.findall(values.get("content", ""))
        if "style" in values:
            self.found.loads += css_references(values["style"])
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.loads += css_references(data)


def html_references(html: str) -> References:
    parser = ReferenceParser()
    parser.feed(html)
    parser.close()
    return parser.found


@dataclass(frozen=True)
class Fetched:
    url: str  # after same-origin redirects
    status: int
    content_type: str
    body: bytes


def fetch(url: str, base_url: str) -> Fetched:
    """GET ``url`` following redirects, failing on a redirect that leaves the app."""

    class SameOrigin(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            assert not is_outside(newurl, base_url), f"{req.full_url} redirects to {newurl}"
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(SameOrigin)
    try:
        with opener.open(url, timeout=30) as response:
            content_type = response.headers.get("content-type", "")
            return Fetched(response.geturl(), response.status, content_type, response.read())
    except urllib.error.HTTPError as exc:
        return Fetched(exc.geturl(), exc.code, exc.headers.get("content-type", ""), exc.read())


def flat_routes(app: FastAPI) -> list[Any]:
    """The app's routes with included routers expanded. FastAPI 0.165 keeps an included router as
    one entry of ``app.routes`` and offers ``fastapi.routing.iter_route_contexts`` (whose items
    forward attributes to the effective route); older versions list every route directly."""
    expand = getattr(fastapi.routing, "iter_route_contexts", None)
    return list(expand(app.routes)) if expand is not None else list(app.routes)


def page_routes(app: FastAPI) -> list[str]:
    """GET routes without path parameters that may answer with a page: outside the OpenAPI
    schema, or declared with an HTML response."""
    found = []
    for route in flat_routes(app):
        if not isinstance(getattr(route, "original_route", route), APIRoute):
            continue  # mounts and Starlette's own routes (/openapi.json) are not pages
        path, methods = route.path, route.methods or ()
        if "GET" not in methods or "{" in path:
            continue
        response_class = getattr(route, "response_class", None)
        response_class = getattr(response_class, "value", response_class)  # Default(...)
        is_html = isinstance(response_class, type) and issubclass(response_class, HTMLResponse)
        if not getattr(route, "include_in_schema", True) or is_html:
            found.append(path)
    return found


def static_files(app: FastAPI) -> list[str]:
    """The URL path of every file of every StaticFiles mount."""
    found = []
    for route in flat_routes(app):
        mounted = getattr(route, "app", None)
        if isinstance(mounted, StaticFiles):
            for folder in (Path(d) for d in mounted.all_directories):
                for file in sorted(folder.rglob("*")):
                    if file.is_file():
                        found.append(f"{route.path}/{file.relative_to(folder).as_posix()}")
    return found


def test_served_pages_and_assets_refer_to_no_outside_host(
    live_app: FastAPI, live_server: str
) -> None:
    """Pages: every GET route that may answer HTML, and the app's pages they link to (followed
    without signing in). Assets: what those pages load, and every static file; each must be
    served (200), and stylesheets, HTML and SVG are read for further references."""
    problems: list[str] = []
    done: set[str] = set()
    pages: list[str] = []
    queue: list[tuple[str, str, bool]] = []  # (URL, who referred to it, is an asset)

    def refer(source: str, reference: str, *, asset: bool | None) -> None:
        """``asset`` True: loaded; False: a page a user may open; None: a submit target."""
        target = urljoin(source, reference).split("#")[0]
        if urlsplit(target).scheme not in ("http", "https", "ws", "wss"):
            return  # data:, blob:, javascript:, mailto:, tel:
        if is_outside(target, live_server):
            if asset is not False:  # links to other sites are fine; loads and submits are not
                problems.append(f"{source} refers to {target}")
        elif asset is not None:
            queue.append((target, source, asset))

    def read_html(url: str, body: bytes) -> None:
        found = html_references(body.decode("utf-8"))
        for reference in found.loads:
            refer(url, reference, asset=True)
        for reference in found.targets:
            refer(url, reference, asset=None)
        for reference in found.links:
            refer(url, reference, asset=False)

    queue += [(live_server + path, "app routes", False) for path in page_routes(live_app)]
    queue += [(live_server + path, "static files", True) for path in static_files(live_app)]
    while queue:
        url, source, asset = queue.pop(0)
        if url in done:
            continue
        done.add(url)
        assert len(done) < 1000, "more than 1000 URLs: is a page generating links?"
        answer = fetch(url, live_server)
        done.add(answer.url)
        kind = answer.content_type.split(";")[0].strip()
        if not asset:  # a page: only what answers without sign-in is checked
            if answer.status == 200 and kind == "text/html" and answer.url not in pages:
                pages.append(answer.url)
                read_html(answer.url, answer.body)
            continue
        if answer.status != 200:
            problems.append(f"{url} (from {source}) answers {answer.status}")
        elif kind == "text/css" or url.endswith(".css"):
            for reference in css_references(answer.body.decode("utf-8")):
                refer(url, reference, asset=True)
        elif kind in ("text/html", "image/svg+xml") or url.endswith((".html", ".htm", ".svg")):
            read_html(url, answer.body)
        # scripts, images, fonts, licence texts: served, nothing more to follow

    assert f"{live_server}/docs" in pages, pages
    assert f"{live_server}/static/swagger-ui/swagger-ui-bundle.js" in done
    assert problems == [], "\n".join(problems)


def test_the_reference_check_sees_only_fetches() -> None:
    """The checker on hand-written input: it must catch what a browser would fetch from another
    host and ignore what it would not (links, namespaces, comments, data: URLs)."""
    html = """<!doctype html><html><head>
      <link rel="stylesheet" href="//cdn.example.invalid/a.css">
      <link rel="canonical" href="https://example.invalid/page">
      <link rel="alternate stylesheet" href="https://example.invalid/alt.css">
      <meta http-equiv="refresh" content="5; url=https://example.invalid/next">
      <style>/* https://example.invalid/comment.png */ p { background: url('https://x.invalid/p.png') }</style>
    </head><body>
      <a href="https://www.meti.go.jp/">METI</a>
      <svg xmlns="http://www.w3.org/2000/svg"><use href="https://example.invalid/s.svg#i"/></svg>
      <img src="/static/own.png" srcset="/own-1x.png 1x, https://example.invalid/2x.png 2x">
      <div style="background-image: url(data:image/png;base64,AAAA)"></div>
      <form action="https://example.invalid/collect"></form>
    </body></html>"""  # noqa: E501
    assert html_references(html) == References(
        loads=[
            "//cdn.example.invalid/a.css",
            "https://example.invalid/alt.css",
            "https://example.invalid/next",
            "https://x.invalid/p.png",
            "https://example.invalid/s.svg#i",
            "/static/own.png",
            "/own-1x.png",
            "https://example.invalid/2x.png",
            "data:image/png;base64,AAAA",
        ],
        targets=["https://example.invalid/collect"],
        links=["https://www.meti.go.jp/"],
    )
    css = (
        '@import "https://fonts.example.invalid/f.css"; /* url(https://no.invalid/) */\n'
        'a { background: url("data:image/svg+xml;charset=utf-8,<svg xmlns=\\"http://www.w3.org/'
        '2000/svg\\"/>") } b { src: url(/static/font.woff2) }'
    )
    assert css_references(css) == [
        'data:image/svg+xml;charset=utf-8,<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>',
        "/static/font.woff2",
        "https://fonts.example.invalid/f.css",
    ]
    base = "http://127.0.0.1:8000"
    assert not is_outside("http://127.0.0.1:8000/docs", base)
    assert not is_outside("ws://127.0.0.1:8000/socket", base)
    for url in ("http://localhost:8000/docs", "https://127.0.0.1:8000/", "http://127.0.0.1:80/"):
        assert is_outside(url, base), url
