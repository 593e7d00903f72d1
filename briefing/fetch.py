"""Safe URL fetching and HTML → article text.

A server that fetches URLs for its callers must not become a way into the network behind it:
every address a name resolves to must be public (unless `allow_private_urls`), the connection
goes to the address that was checked (no second DNS lookup to rebind), redirects are checked
hop by hop, and size and time are capped.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from briefing.config import Settings
from briefing.errors import InputError, RefusedError, UpstreamError

# 4xx answers that may pass if tried again (a timeout, a rate limit); any other 4xx is the page's
# server refusing this URL, the same way on every try.
RETRYABLE_4XX = frozenset({408, 429})


class PageRejectedError(InputError):
    """The page's server refused it (a 4xx other than 408/429): fetching it again cannot help."""


class BadURLError(InputError):
    """The URL itself cannot be fetched (not http(s), a bad port, a host name no resolver takes):
    it is the same URL on every try, so fetching it again cannot help."""


def is_permanent(error: BaseException) -> bool:
    """A page fetch failure that repeats on every try (a refused address, a URL that is not
    http(s) or not well formed, a 4xx other than 408/429): work that hits it fails at once
    instead of retrying."""
    return isinstance(error, (RefusedError, PageRejectedError, BadURLError))


MAX_REDIRECTS = 5
USER_AGENT = "briefing/0.1 (+article fetcher)"


@dataclass(frozen=True)
class FetchedPage:
    url: str
    final_url: str
    status_code: int
    content_type: str
    text: str
    title: str | None = None
    html: str | None = None


def html_to_text(html: str, url: str | None = None) -> tuple[str, str | None]:
    """Main article text and title of an HTML page (trafilatura, with its baseline as fallback)."""
    import trafilatura  # imported lazily: it is slow to import and only some paths need it

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_recall=True)
    if not text:
        _, text, _ = trafilatura.baseline(html)
    if not text:
        # trafilatura takes a fragment ("<p>The council voted.</p>", or plain words sent as
        # text/html) for no page at all; what a browser would show is then the text.
        text = visible_text(html)
    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = metadata.title if metadata is not None else None
    return (text or "").strip(), title


class _VisibleText(HTMLParser):
    """Text outside markup, scripts, styles and the head; a line break at each block element."""

    HIDDEN = frozenset({"script", "style", "template", "noscript", "head", "title", "textarea", "select"})
    BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "tr",
            "td",
            "th",
            "table",
            "section",
            "article",
            "blockquote",
            "pre",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "footer",
            "aside",
            "main",
            "figure",
            "hr",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a browser shows for `html` (no extraction of the main article: the fallback)."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT (RFC 2765): ::ffff:0:a.b.c.d
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # local-use NAT64 (RFC 8215): never public


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, IPv4-compatible), which is where a
    translating network delivers it: `64:ff9b::a9fe:a9fe` is 169.254.169.254 behind NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or address in IPV4_COMPATIBLE or address in IPV4_TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address in LOCAL_NAT64:
            return False  # its IPv4 address sits where the local translator's prefix says
        embedded = _embedded_ipv4(address)
        if embedded is not None and not _is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def resolve_checked(host: str, port: int, *, allow_private: bool, field: str = "url") -> str:
    """The address to connect to; refuses names resolving to private, loopback or link-local space."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise InputError(f"cannot resolve host {host!r}: {error.strerror}", field=field) from error
    except UnicodeError:
        raise BadURLError(f"{host[:80]!r} is not a valid host name", field=field) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise InputError(f"host {host!r} has no addresses", field=field)
    if not allow_private:
        blocked = [str(a) for a in addresses if not _is_public(a)]
        if blocked:
            raise RefusedError(
                f"refusing to fetch {host!r}: it resolves to a non-public address ({', '.join(blocked)}); "
                "set BRIEFING_ALLOW_PRIVATE_URLS=true to allow it",
                field=field,
            )
    return str(addresses[0])


def check_host(url: str, field: str = "url") -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL whose host a resolver can take (InputError if not)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadURLError(f"not an http(s) URL: {url[:200]!r}", field=field)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise BadURLError(f"bad port in URL {url[:200]!r}", field=field) from error
    host = parts.hostname
    if ":" not in host and not _valid_name(host.rstrip(".")):  # an IPv6 literal has colons
        raise BadURLError(f"{host[:80]!r} is not a valid host name", field=field)
    return parts.scheme, host, port


def _valid_name(name: str) -> bool:
    """A host name (or IPv4 address) a resolver takes: labels of 1 to 63 characters, IDNA-encodable."""
    if len(name) > MAX_HOST or any(not 0 < len(label) <= MAX_LABEL for label in name.split(".")):
        return False
    try:
        name.encode("idna")
    except UnicodeError:
        return False
    return True


MAX_LABEL = 63  # characters of one part of a host name (RFC 1035)
MAX_HOST = 253


@dataclass(frozen=True)
class PinnedURL:
    """A URL whose host name is replaced by the address that was checked, so the connection goes
    where the check looked (no second DNS answer can redirect it); `Host` and TLS SNI keep the name."""

    url: str
    host_header: str
    extensions: dict[str, str]


def pin_url(url: str, address: str, port: int) -> PinnedURL:
    parts = urlsplit(url)
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    ip_host = f"[{address}]" if ":" in address else address
    return PinnedURL(
        url=parts._replace(netloc=f"{userinfo}{ip_host}:{port}").geturl(),
        host_header=parts.netloc.rsplit("@", 1)[-1],
        extensions={"sni_hostname": parts.hostname or ""} if parts.scheme == "https" else {},
    )


async def pin_checked(url: str, settings: Settings, *, field: str = "url") -> PinnedURL:
    """`url` checked (http(s), a valid host resolving to a public address unless allowed) and pinned
    to the address that passed (the DNS lookup runs off the event loop)."""
    _, host, port = check_host(url, field)
    address = await asyncio.to_thread(
        resolve_checked, host, port, allow_private=settings.allow_private_urls, field=field
    )
    return pin_url(url, address, port)


@dataclass(frozen=True)
class Fetched:
    """What `get_checked` fetched: the last hop's status, headers and (capped) body."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str  # the URL of the last hop, after redirects
    charset: str | None = None


async def get_checked(
    url: str,
    settings: Settings,
    *,
    field: str = "url",
    what: str = "the page",
    headers: dict[str, str] | None = None,
) -> Fetched:
    """The one safe GET for every outbound fetch (article pages, feeds).

    Every hop is checked and pinned (`pin_checked`), redirects are followed by hand (at most
    `MAX_REDIRECTS`, each to an http(s) URL), the body is capped at `fetch_max_bytes`, and one
    deadline of `fetch_timeout` covers all of it, connection, headers, redirects and body: a
    server that drips its headers a byte at a time cannot hold a fetch past it. A 4xx or 5xx
    answer is returned with an empty body, for the caller to judge.
    """
    try:
        async with asyncio.timeout(settings.fetch_timeout):
            return await _get(url, settings, field, what, headers or {})
    except TimeoutError:
        raise UpstreamError(f"fetching {what} {url} took longer than {settings.fetch_timeout:g} s") from None


async def _get(url: str, settings: Settings, field: str, what: str, headers: dict[str, str]) -> Fetched:
    current = url
    timeout = httpx.Timeout(settings.fetch_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            pinned = await pin_checked(current, settings, field=field)
            try:
                request = client.build_request(
                    "GET",
                    pinned.url,
                    headers={"User-Agent": USER_AGENT, **headers, "Host": pinned.host_header},
                    extensions=pinned.extensions,
                )
            except httpx.InvalidURL as error:  # a control character in the path, say
                raise BadURLError(
                    f"{field}: {current[:200]!r} cannot be fetched: {error}", field=field
                ) from None
            try:
                response = await client.send(request, stream=True)
            except httpx.TimeoutException as error:
                message = f"fetching {current} timed out after {settings.fetch_timeout:g} s"
                raise UpstreamError(message) from error
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
                raise InputError(f"cannot fetch {current[:200]!r}: {error}", field=field) from error
            except httpx.HTTPError as error:
                raise UpstreamError(f"fetching {current} failed: {type(error).__name__}: {error}") from error
            try:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code >= 300:
                    return Fetched(response.status_code, response.headers, b"", current)
                try:
                    body = await _read_limited(response, settings, what, field)
                except httpx.HTTPError as error:
                    raise UpstreamError(
                        f"reading {current} failed: {type(error).__name__}: {error}"
                    ) from error
                return Fetched(
                    response.status_code, response.headers, body, current, response.charset_encoding
                )
            finally:
                await response.aclose()
    raise InputError(f"{url} redirected more than {MAX_REDIRECTS} times", field=field)


async def _read_limited(response: httpx.Response, settings: Settings, what: str, field: str) -> bytes:
    too_big = f"{what} is larger than the {settings.fetch_max_bytes}-byte limit"
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.fetch_max_bytes:
        raise InputError(too_big, field=field)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > settings.fetch_max_bytes:
            raise InputError(too_big, field=field)
        chunks.append(chunk)
    return b"".join(chunks)


async def afetch_url(url: str, settings: Settings) -> FetchedPage:
    """Fetch a page and extract its article text; InputError for what the caller can fix."""
    fetched = await get_checked(url, settings, field="url", what="the page")
    if fetched.status >= 400:
        error_type: type[InputError | UpstreamError] = UpstreamError
        if fetched.status in RETRYABLE_4XX:
            error_type = InputError
        elif fetched.status < 500:
            error_type = PageRejectedError
        raise error_type(f"{fetched.url} answered HTTP {fetched.status}", field="url")
    if fetched.status >= 300:
        raise UpstreamError(f"{fetched.url} answered HTTP {fetched.status} without a Location to follow")
    return await asyncio.to_thread(_page, url, fetched)  # HTML extraction is CPU work


def fetch_url(url: str, settings: Settings) -> FetchedPage:
    """`afetch_url` for code with no event loop (scripts, tests)."""
    return asyncio.run(afetch_url(url, settings))


def _page(url: str, fetched: Fetched) -> FetchedPage:
    content_type = fetched.headers.get("content-type", "").split(";")[0].strip().lower()
    charset = fetched.charset or "utf-8"
    try:
        decoded = fetched.body.decode(charset, errors="replace")
    except LookupError:
        decoded = fetched.body.decode("utf-8", errors="replace")
    if content_type in ("text/html", "application/xhtml+xml", ""):
        text, title = html_to_text(decoded, fetched.url)
        html: str | None = decoded
    elif content_type.startswith("text/"):
        text, title, html = decoded.strip(), None, None
    else:
        raise InputError(f"{fetched.url} is {content_type}, not an HTML or text page", field="url")
    if not text:
        raise InputError(f"no article text found at {fetched.url}", field="url")
    return FetchedPage(url, fetched.url, fetched.status, content_type or "text/html", text, title, html)
