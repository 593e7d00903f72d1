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
import time
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


def is_permanent(error: BaseException) -> bool:
    """A page fetch failure that repeats on every try (a refused address, a 4xx other than
    408/429): work that hits it fails at once instead of retrying."""
    return isinstance(error, (RefusedError, PageRejectedError))


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


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, IPv4-compatible), which is where a
    translating network delivers it: `64:ff9b::a9fe:a9fe` is 169.254.169.254 behind NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or address in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not _is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def resolve_checked(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to; refuses names resolving to private, loopback or link-local space."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise InputError(f"cannot resolve host {host!r}: {error.strerror}", field="url") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise InputError(f"host {host!r} has no addresses", field="url")
    if not allow_private:
        blocked = [str(a) for a in addresses if not _is_public(a)]
        if blocked:
            raise RefusedError(
                f"refusing to fetch {host!r}: it resolves to a non-public address ({', '.join(blocked)}); "
                "set BRIEFING_ALLOW_PRIVATE_URLS=true to allow it",
                field="url",
            )
    return str(addresses[0])


def _check_url(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) URL: {url!r}", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise InputError(f"bad port in URL {url!r}", field="url") from error
    return parts.scheme, parts.hostname, port


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


def _pinned_request(client: httpx.Client, url: str, settings: Settings) -> httpx.Request:
    _, host, port = _check_url(url)
    pinned = pin_url(url, resolve_checked(host, port, allow_private=settings.allow_private_urls), port)
    return client.build_request(
        "GET",
        pinned.url,
        headers={"Host": pinned.host_header, "User-Agent": USER_AGENT},
        extensions=pinned.extensions,
    )


def _read_limited(response: httpx.Response, settings: Settings, deadline: float) -> bytes:
    too_big = f"the page is larger than the {settings.fetch_max_bytes}-byte limit"
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.fetch_max_bytes:
        raise InputError(too_big, field="url")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > settings.fetch_max_bytes:
            raise InputError(too_big, field="url")
        if time.monotonic() > deadline:
            raise UpstreamError(f"fetching took longer than {settings.fetch_timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(url: str, settings: Settings) -> FetchedPage:
    """Fetch a page and extract its article text; InputError for what the caller can fix."""
    deadline = time.monotonic() + settings.fetch_timeout
    timeout = httpx.Timeout(settings.fetch_timeout)
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            request = _pinned_request(client, current, settings)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException as error:
                message = f"fetching {current} timed out after {settings.fetch_timeout:g} s"
                raise UpstreamError(message) from error
            except httpx.HTTPError as error:
                raise UpstreamError(f"fetching {current} failed: {error}") from error
            try:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    error_type: type[InputError | UpstreamError] = UpstreamError
                    if response.status_code in RETRYABLE_4XX:
                        error_type = InputError
                    elif response.status_code < 500:
                        error_type = PageRejectedError
                    raise error_type(f"{current} answered HTTP {response.status_code}", field="url")
                try:
                    body = _read_limited(response, settings, deadline)
                except httpx.HTTPError as error:
                    raise UpstreamError(f"reading {current} failed: {error}") from error
                return _page(url, current, response, body)
            finally:
                response.close()
    raise InputError(f"{url} redirected more than {MAX_REDIRECTS} times", field="url")


def _page(url: str, final_url: str, response: httpx.Response, body: bytes) -> FetchedPage:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    charset = response.charset_encoding or "utf-8"
    try:
        decoded = body.decode(charset, errors="replace")
    except LookupError:
        decoded = body.decode("utf-8", errors="replace")
    if content_type in ("text/html", "application/xhtml+xml", ""):
        text, title = html_to_text(decoded, final_url)
        html: str | None = decoded
    elif content_type.startswith("text/"):
        text, title, html = decoded.strip(), None, None
    else:
        raise InputError(f"{final_url} is {content_type}, not an HTML or text page", field="url")
    if not text:
        raise InputError(f"no article text found at {final_url}", field="url")
    return FetchedPage(url, final_url, response.status_code, content_type or "text/html", text, title, html)


async def afetch_url(url: str, settings: Settings) -> FetchedPage:
    """`fetch_url` off the event loop."""
    return await asyncio.to_thread(fetch_url, url, settings)
