"""`python -m bench.serve ours|baseline PORT`: one skill under waitress, as in production.

Both go through `skill.server.serve` (server_settings(), verification off). Ours is the
product's own app (`create_app(verify=False)`, store from SKILL_DB); the baseline brings
its factory.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    which, port = argv[0], int(argv[1])
    from skill.server import serve

    if which == "ours":
        return serve("127.0.0.1", port, verify=False)
    from bench.baseline_skill import create_app

    return serve("127.0.0.1", port, verify=False, app_factory=create_app)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
