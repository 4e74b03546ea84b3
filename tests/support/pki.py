"""A certificate authority for tests, made at test time: a root, an intermediate and
leaf certificates shaped the way Alexa's are, so `skill.verify` can be exercised end to
end without Amazon's real chain or network access.

The certificates carry what cryptography's web-PKI server verifier demands of a real
chain (key usages, key identifiers, serverAuth, a SAN), so a test that passes here is
not passing because the verifier was lenient. RSA keys are slow to make: each one is
made once per test session.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNING_NAME = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


@functools.cache
def _key(role: str) -> rsa.RSAPrivateKey:
    """A 2048-bit key per role ("trusted/root", ...): the role only keys the cache."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Recovery Coach Tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ski(key: rsa.RSAPrivateKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(digital_signature: bool = True) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=not digital_signature,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _root(key: rsa.RSAPrivateKey, common_name: str, now: datetime) -> x509.Certificate:
    name = _name(common_name)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(_ski(key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _intermediate(
    key: rsa.RSAPrivateKey,
    common_name: str,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    now: datetime,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(issuer), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def _leaf(
    key: rsa.RSAPrivateKey,
    name: str,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    usage: x509.KeyUsage | None = None,
    with_usage: bool = True,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(issuer), critical=False)
    )
    if with_usage:
        builder = builder.add_extension(usage or _leaf_usage(), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class TestPKI:
    """A root, an intermediate under it, and a leaf for echo-api.amazon.com under that."""

    __test__ = False  # a helper, not a test class, wherever it is imported

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    intermediate_key: rsa.RSAPrivateKey
    role: str  # names this authority's keys in the per-session key cache

    def chain_pem(self, leaf: x509.Certificate | None = None) -> bytes:
        """What Amazon serves at the certificate URL: the leaf, then the intermediate."""
        certificates = (leaf or self.leaf, self.intermediate)
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)

    def sign(self, body: bytes, key: rsa.RSAPrivateKey | None = None) -> str:
        """The Signature-256 header for `body`, made with the leaf's key unless told."""
        signature = (key or self.leaf_key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def leaf_with(
        self,
        *,
        name: str = SIGNING_NAME,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        usage: str = "signing",
    ) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        """Another leaf from the same intermediate (expired, not yet valid, wrong name; with
        `usage` "encipherment" only, or "none" for no key usage at all)."""
        now = datetime.now(UTC)
        # Defaults that keep the validity period the right way round whatever one end is.
        if not_before is None:
            not_before = min(now, not_after or now) - timedelta(days=1)
        if not_after is None:
            not_after = max(now, not_before) + timedelta(days=30)
        key = _key(f"{self.role}/other-leaf")
        leaf = _leaf(
            key,
            name,
            self.intermediate,
            self.intermediate_key,
            not_before,
            not_after,
            usage=_leaf_usage(digital_signature=usage == "signing"),
            with_usage=usage != "none",
        )
        return leaf, key


def _make_pki(role: str) -> TestPKI:
    now = datetime.now(UTC)
    root_key, intermediate_key, leaf_key = (_key(f"{role}/{k}") for k in ("root", "ca", "leaf"))
    root = _root(root_key, f"{role} root CA", now)
    intermediate = _intermediate(intermediate_key, f"{role} intermediate CA", root, root_key, now)
    leaf = _leaf(
        leaf_key,
        SIGNING_NAME,
        intermediate,
        intermediate_key,
        now - timedelta(days=1),
        now + timedelta(days=30),
    )
    return TestPKI(root, intermediate, leaf, leaf_key, intermediate_key, role)


@functools.cache
def make_test_pki() -> TestPKI:
    """The authority the verifier under test trusts (named so pytest does not run it)."""
    return _make_pki("trusted")


@functools.cache
def other_pki() -> TestPKI:
    """An unrelated authority with a look-alike chain, trusted by nobody."""
    return _make_pki("untrusted")


def signed_headers(pki: TestPKI, body: bytes, url: str = CERT_URL) -> dict[str, str]:
    """The headers Alexa would send with `body`, signed by `pki`'s leaf."""
    return {
        "SignatureCertChainUrl": url,
        "Signature-256": pki.sign(body),
        "Content-Type": "application/json; charset=utf-8",
    }
