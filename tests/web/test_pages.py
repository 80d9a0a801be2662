"""The web pages over HTTP (FastAPI's test client, https so that Secure cookies are kept), on
SQLite and PostgreSQL: sign-in with CSRF and rate limit, security headers, no outside host and
no inline script or style in any page or asset, both languages throughout, and the Council
rights on every page (a lower-cleared user sees neither a hidden document, nor its title, nor
a count that betrays it).

The Council world (tests/security/world.py) files real public texts under SYNTHETIC titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from econsec.api import create_app
from econsec.web import guard, i18n, pages
from tests.security.world import (
    BACKENDS,
    PAPER,
    PASSWORD,
    World,
    backend,
    build_world,
    signatures,
)

PEOPLE = ("rita", "lena", "nils", "olly")
PAGES = (
    "/web/",
    "/web/data",
    "/web/councils",
    "/web/councils/council-a",
    "/web/search?q=council",
    "/web/protect",
)
STATIC = sorted(p.name for p in (pages.HERE / "static").iterdir())


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("web")
    with backend(request.param, folder) as url:
        built = build_world(url, folder, passwords=True, people=PEOPLE)
        yield built
        built.close()


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[Any]:
    # The sign-in rate limit is tested on its own (test_sign_in_is_rate_limited_per_address).
    settings = world.settings.model_copy(update={"sign_in_per_minute": 10_000})
    application = create_app(settings, warm_screener=False)
    with TestClient(application, base_url="https://testserver"):
        application.state.security.hasher = world.security.hasher
        yield application


def client(app: Any, language: str | None = None) -> TestClient:
    """A browser of its own (cookies), optionally with a language chosen."""
    browser = TestClient(app, base_url="https://testserver")
    if language:
        browser.cookies.set(i18n.COOKIE, language)
    return browser


def csrf(browser: TestClient) -> str:
    """The CSRF token the browser holds (fetching a page to get one if needed)."""
    if not browser.cookies.get(guard.CSRF_COOKIE):
        browser.get("/web/login")
    token = browser.cookies.get(guard.CSRF_COOKIE)
    assert token
    return token


def signed_in(app: Any, name: str, language: str | None = None) -> TestClient:
    browser = client(app, language)
    answer = browser.post(
        "/web/login",
        data={"name": name, "password": PASSWORD, "csrf": csrf(browser), "next": "/web/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert browser.cookies.get(pages.SESSION_COOKIE)
    if language:  # chosen in this browser after signing in (over the user's remembered one)
        browser.cookies.delete(i18n.COOKIE)
        browser.cookies.set(i18n.COOKIE, language)
    return browser


class Page(HTMLParser):
    """What a browser would fetch and run from a page, and its visible text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.inline: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if values.get(name):
                self.fetches.append(str(values[name]))
        if tag == "script" and not values.get("src"):
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style>")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{tag} {name}=")
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def outside(urls: list[str]) -> list[str]:
    """URLs pointing anywhere but this site."""
    return [
        u
        for u in urls
        if re.match(r"^\s*([a-z][a-z0-9+.-]*:)?//", u, re.I) and "testserver" not in u
    ]


# -- sign-in ---------------------------------------------------------------------------------------


def test_every_page_needs_sign_in(app: Any) -> None:
    browser = client(app)
    for page in (*PAGES, "/web/audit", "/web/documents/1", "/web/documents/1/content"):
        answer = browser.get(page, follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/web/login?next=/web/")
    assert browser.get("/", follow_redirects=False).headers["location"] == "/web/"


def test_sign_in_needs_the_csrf_token(app: Any) -> None:
    browser = client(app)
    csrf(browser)
    for token in ("", "forged-token-of-the-same-length-000000000000"):
        answer = browser.post(
            "/web/login", data={"name": "rita", "password": PASSWORD, "csrf": token}
        )
        assert answer.status_code == 403
        assert not browser.cookies.get(pages.SESSION_COOKIE)


def test_sign_in_sets_secure_cookies_and_sign_out_ends_the_session(app: Any, world: World) -> None:
    browser = client(app)
    answer = browser.post(
        "/web/login",
        data={"name": "rita", "password": PASSWORD, "csrf": csrf(browser), "next": "/web/data"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/web/data"
    (cookie,) = [
        c for c in answer.headers.get_list("set-cookie") if c.startswith("econsec_session=")
    ]
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= set(flags)
    token = browser.cookies.get(pages.SESSION_COOKIE)
    assert world.security.resolve(str(token)) is not None
    assert browser.get("/web/data").status_code == 200
    out = browser.post("/web/logout", data={"csrf": csrf(browser)}, follow_redirects=False)
    assert out.headers["location"] == "/web/login"
    assert world.security.resolve(str(token)) is None


def test_a_wrong_password_is_refused_in_the_page(app: Any) -> None:
    browser = client(app, "ja")
    answer = browser.post(
        "/web/login", data={"name": "rita", "password": "not-the-password", "csrf": csrf(browser)}
    )
    assert answer.status_code == 401
    assert "サインインできません" in answer.text
    assert not browser.cookies.get(pages.SESSION_COOKIE)


def test_sign_in_is_rate_limited_per_address(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state, "sign_in_limit", guard.RateLimit(limit=3, window=60))
    browser = client(app)
    token = csrf(browser)
    codes = [
        browser.post(
            "/web/login", data={"name": "nobody-here", "password": "x" * 12, "csrf": token}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "\\\\evil", "web"])
def test_no_open_redirect_after_sign_in(app: Any, target: str) -> None:
    browser = client(app)
    answer = browser.post(
        "/web/login",
        data={"name": "rita", "password": PASSWORD, "csrf": csrf(browser), "next": target},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/web/"


# -- headers, assets, outside hosts ----------------------------------------------------------------


def test_pages_and_assets_carry_the_security_headers(app: Any) -> None:
    browser = signed_in(app, "rita")
    for url in (*PAGES, "/web/login", *(f"/web/static/{name}" for name in STATIC)):
        answer = browser.get(url)
        assert answer.status_code == 200, url
        policy = answer.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        if not url.startswith("/web/static/"):
            assert answer.headers["cache-control"] == "no-store"


def test_no_page_or_asset_refers_to_an_outside_host_or_runs_inline_code(app: Any) -> None:
    browser = signed_in(app, "ada")
    seen = set()
    for url in (*PAGES, "/web/audit", f"/web/documents/{1}", "/web/login"):
        answer = browser.get(url)
        assert answer.status_code == 200, url
        page = Page(answer.text)
        assert not outside(page.fetches), (url, outside(page.fetches))
        assert not page.inline, (url, page.inline)
        seen.update(u.split("?")[0] for u in page.fetches if u.startswith("/web/static/"))
    assert seen == {f"/web/static/{name}" for name in STATIC}  # every asset is used
    for name in STATIC:
        body = browser.get(f"/web/static/{name}").text
        assert not re.search(
            r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", body.split("*/", 1)[-1], re.I
        ), name
        if name.endswith(".css"):
            assert "@import" not in body, name
        # Scripts may fetch only this site (the CSP's connect-src 'self' enforces it too).
        assert not re.search(r"fetch\(\s*[\"'](https?:)?//", body), name


# -- languages -------------------------------------------------------------------------------------


def test_every_message_has_a_japanese_translation() -> None:
    catalogue = i18n.translations("ja")
    untranslated = [m for m in i18n.messages() if catalogue.gettext(m) == m and m != "econsec"]
    assert not untranslated
    for message in i18n.messages():
        translated = catalogue.gettext(message)
        assert sorted(re.findall(r"%\(\w+\)s", translated)) == sorted(
            re.findall(r"%\(\w+\)s", message)
        )


@pytest.mark.parametrize("url", [*PAGES, "/web/audit", "/web/documents/1", "/web/login"])
def test_japanese_throughout(app: Any, url: str) -> None:
    """Every message of the page is in Japanese: no English message id shows as text."""
    browser = signed_in(app, "ada", "ja")
    if url == "/web/login":
        browser = client(app, "ja")
    answer = browser.get(url)
    assert answer.status_code == 200
    assert '<html lang="ja">' in answer.text
    shown = Page(answer.text).text
    english = {m for m in i18n.messages() if re.search(r"[A-Za-z]{3}", m) and m != "econsec"}
    leftovers = [t for t in shown if t in english or t.rstrip(":") in english]
    assert not leftovers, leftovers
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", " ".join(shown))


def test_the_language_switch_is_remembered(app: Any) -> None:
    browser = signed_in(app, "rita")
    assert "Workspace council-a" in browser.get("/web/councils/council-a").text
    answer = browser.post(
        "/web/language",
        data={"language": "ja", "csrf": csrf(browser), "next": "/web/councils/council-a"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/web/councils/council-a"
    assert browser.cookies.get(i18n.COOKIE) == "ja"
    again = browser.get("/web/councils/council-a").text
    assert "ワークスペース council-a" in again and "極秘" in again
    # Numbers and dates in the language's form.
    assert re.search(r"\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2} UTC", again)
    assert browser.post("/web/language", data={"language": "ja"}).status_code == 403  # no token
    # Remembered with the user: another browser shows Japanese from sign-in on.
    assert app.state.security.language("rita") == "ja"
    elsewhere = signed_in(app, "rita")
    assert elsewhere.cookies.get(i18n.COOKIE) == "ja"
    assert "ワークスペース council-a" in elsewhere.get("/web/councils/council-a").text
    elsewhere.post("/web/language", data={"language": "en", "csrf": csrf(elsewhere)})
    assert app.state.security.language("rita") == "en"


def test_the_browser_language_is_the_default(app: Any) -> None:
    assert i18n.choose(None, "ja-JP,ja;q=0.9,en;q=0.8") == "ja"
    assert i18n.choose(None, "fr-FR,en;q=0.5") == "en"
    assert i18n.choose("en", "ja") == "en"
    browser = client(app)
    browser.headers["accept-language"] = "ja,en;q=0.5"
    assert "サインイン" in browser.get("/web/login").text


# -- rights on every page --------------------------------------------------------------------------


def masked(html: str, doc_id: int) -> str:
    """A page with the CSRF token and the document id blanked out."""
    html = re.sub(r'name="csrf" value="[^"]*"', 'name="csrf" value=""', html)
    return re.sub(rf"(documents/|document ){doc_id}(?!\d)", r"\1ID", html)


def hidden_strings(world: World, name: str) -> list[str]:
    """Titles and code words of what ``name`` may not see (their content words are checked
    in the search results, where a snippet could carry them)."""
    return [s for k in world.hidden(name) for s in (PAPER[k].title, PAPER[k].codeword)]


def results(html: str) -> str:
    """The search results list of a search page."""
    start = html.find('<ol class="results">')
    return html[start : html.find("</ol>", start)] if start >= 0 else ""


@pytest.mark.parametrize("name", ["lena", "nils", "rita", "olly"])
def test_pages_show_only_what_the_user_may_see(app: Any, world: World, name: str) -> None:
    browser = signed_in(app, name)
    visible = world.visible(name)
    canaries = [c.casefold() for c in hidden_strings(world, name)]
    texts = []
    for url in (*PAGES, "/web/search?q=council+paper"):
        answer = browser.get(url)
        texts.append(answer.text)
    listing = browser.get("/web/councils/council-a")
    if any(PAPER[k].workspace == "council-a" for k in visible):
        assert listing.status_code == 200
        count = len([k for k in visible if PAPER[k].workspace == "council-a"])
        assert f"Documents you may see: {count}<" in listing.text
        for key in visible:
            assert PAPER[key].title in listing.text
    else:
        assert listing.status_code == 404
    for key in world.hidden(name):
        doc_id = world.id(key)
        ghost = world.ghost(doc_id)
        for suffix in ("", "/content"):
            got = browser.get(f"/web/documents/{doc_id}{suffix}")
            want = browser.get(f"/web/documents/{ghost}{suffix}")
            assert got.status_code == want.status_code == 404
            assert masked(got.text, doc_id) == masked(want.text, ghost)
            texts.append(got.text)
        for word in signatures()[key]:
            found = browser.get(f"/web/search?q={word}")
            assert "Documents found: 0<" in found.text
            assert results(found.text) == '<ol class="results">\n'
            words = signatures()[key]
            assert not [w for w in words if w in results(browser.get("/web/search?q=council").text)]
            texts.append(found.text.replace(f'value="{word}"', ""))  # the query's own echo
    everything = "\n".join(texts).casefold()
    assert not [c for c in canaries if c in everything]


def test_upload_download_and_banner(app: Any, world: World) -> None:
    browser = signed_in(app, "rita")
    data = Path(world.data["A3"] and PAPER["A3"].path).read_bytes()
    answer = browser.post(
        "/web/councils/council-a/documents",
        data={
            "title": "Uploaded from the web (synthetic)",
            "level": "secret",
            "csrf": csrf(browser),
        },
        files={"file": ("PROVENANCE.md", data, "text/markdown")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = browser.get(answer.headers["location"])
    assert page.text.count('class="banner level-secret"') == 2  # above and below the content
    doc_id = int(answer.headers["location"].rsplit("/", 1)[1])
    download = browser.get(f"/web/documents/{doc_id}/content")
    assert download.content == data
    assert download.headers["cache-control"] == "no-store"
    # lena (internal) sees neither the document nor a count that betrays it.
    lena = signed_in(app, "lena")
    before = world.visible("lena")
    listing = lena.get("/web/councils/council-a").text
    assert "Uploaded from the web" not in listing
    assert f"Documents you may see: {len([k for k in before if k.startswith('A')])}<" in listing
    assert lena.get(f"/web/documents/{doc_id}").status_code == 404
    # Above one's own clearance, or without the token: refused, nothing stored.
    for level, token in (("top_secret", csrf(browser)), ("public", "")):
        refused = browser.post(
            "/web/councils/council-a/documents",
            data={"title": "Refused (synthetic)", "level": level, "csrf": token},
            files={"file": ("x.md", data, "text/markdown")},
        )
        assert refused.status_code == 403
    assert "Refused (synthetic)" not in browser.get("/web/councils/council-a").text


def test_the_audit_page_is_for_admins_and_is_audited(app: Any, world: World) -> None:
    assert signed_in(app, "rita").get("/web/audit").status_code == 403
    head = world.head()
    page = signed_in(app, "ada").get("/web/audit")
    assert page.status_code == 200
    assert "The chain is intact" in page.text
    actions = [e["action"] for e in world.audit_since(head)]
    assert "audit.read" in actions


def test_the_data_page_lists_every_dataset_with_provenance(app: Any) -> None:
    page = signed_in(app, "rita", "ja").get("/web/data")
    catalogue = app.state.catalogue
    for status in catalogue.status():
        assert status.spec.name in page.text
        assert status.spec.licence.split(" ")[0] in page.text
    assert "未読込" in page.text
