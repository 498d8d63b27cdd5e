"""Microsoft's official SDK against the fake: clients reaching it in-process or over a server.

Each fixture yields ``(fake, base_url)``; the fake pages at 3 rows, so every unbounded read
(``list``, FetchXML, ``query.sql``) follows next links.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_dataverse import FakeDataverse

pytest.importorskip("PowerPlatform.Dataverse.client")

PAGE = 3


def fake() -> FakeDataverse:
    """A fresh fake whose pages hold :data:`PAGE` rows."""
    return FakeDataverse(max_page_size=PAGE)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert and key files), made with cryptography."""
    x509 = pytest.importorskip("cryptography.x509")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture(params=["intercept", "serve"])
def reach(
    request: pytest.FixtureRequest,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FakeDataverse, str]]:
    """The fake and the base URL a ``DataverseClient`` uses: intercepted, or a local HTTPS server.

    ``DataverseClient`` refuses plain HTTP, so the server speaks TLS with a test certificate
    that the client's ``requests`` trusts through ``REQUESTS_CA_BUNDLE``.
    """
    dv = fake()
    if request.param == "intercept":
        with dv.intercept():
            yield dv, dv.url
        return
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    with dv.serve(ssl_context=context) as server:
        assert server.url.startswith("https://127.0.0.1:")
        yield dv, server.url


@pytest.fixture(params=["intercept", "serve"])
def reach_async(request: pytest.FixtureRequest) -> Iterator[tuple[FakeDataverse, str]]:
    """The fake and the base URL an ``AsyncDataverseClient`` uses: intercepted, or a server.

    The async client (aiohttp) takes plain HTTP, so the server here is ``http://``.
    """
    dv = fake()
    if request.param == "intercept":
        with dv.intercept():
            yield dv, dv.url
        return
    with dv.serve() as server:
        yield dv, server.url
