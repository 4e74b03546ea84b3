"""A real web-service process whose verifier trusts the tests' certificate authority.

    python -m tests.support.signed_server ROOT_PEM CHAIN_PEM --listen-fd FD

Only the verifier's trust roots and certificate source differ from production; the
server, the app, the checks (SKILL_ID required) and the skill are the production ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cryptography import x509

from skill.server import serve
from skill.verify import ApplicationIdVerifier, SignatureVerifier, TimestampVerifier
from skill.webservice import configured_skill_id, create_app
from tests.support.pki import CERT_URL


def main(root_pem: str, chain_pem: str, option: str, fd: str) -> int:
    assert option == "--listen-fd"
    root = x509.load_pem_x509_certificate(Path(root_pem).read_bytes())
    chain = Path(chain_pem).read_bytes()

    def fetch(url: str) -> bytes:
        if url != CERT_URL:
            raise OSError(f"no certificate at {url}")
        return chain

    def app():  # type: ignore[no-untyped-def]
        verifiers = [
            SignatureVerifier(trust_roots=[root], fetch=fetch),
            TimestampVerifier(),
            ApplicationIdVerifier(configured_skill_id()),
        ]
        return create_app(verifiers=verifiers)

    return serve("127.0.0.1", 0, verify=True, app_factory=app, listen_fd=int(fd))


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
