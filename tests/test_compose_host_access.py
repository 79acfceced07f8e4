"""DR105 host network, DR106 privileged, DR107 Docker socket, DR108 host namespaces."""

from textwrap import dedent

from dockreview.rules import Finding, Snapshot, review
from dockreview.rules.classify import FileType
from dockreview.rules.finding import Severity

from tests.helpers import findings, production_lines


def compose_findings(files: dict[str, str], rule: str) -> list[Finding]:
    """Review only the compose files (a Dockerfile in `files` is context, not a target)."""
    snapshot = Snapshot.from_mapping({path: dedent(text).lstrip("\n") for path, text in files.items()})
    report = review(snapshot, paths=snapshot.files_of(FileType.COMPOSE))
    assert not [e for e in report.errors if "internal error" in e.message], report.errors
    return [f for f in report.findings if f.rule == rule]


def test_host_network_fires_and_mentions_ignored_ports() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                image: ghcr.io/acme/api:1.0
                network_mode: "host"
                ports:
                  - "8000:8000"
              vpn_client:
                image: ghcr.io/acme/app:1.0
                network_mode: "service:vpn"
              vpn:
                image: ghcr.io/acme/vpn:1.0
            """
    }
    [finding] = findings(files, rule="DR105")
    assert (finding.line, finding.column) == (4, 19)
    assert "can no longer reach it as `api`" in finding.message and "`ports:` are ignored" in finding.message
    assert production_lines({"docker-compose.local.yml": files["compose.yaml"]}, "DR105") == []


def test_privileged_and_root_capabilities() -> None:
    files = {
        "compose.yaml": """
            x-priv: &priv
              privileged: true
            services:
              dind:
                image: docker:27-dind
                <<: *priv
              agent:
                image: ghcr.io/acme/agent:1.0
                cap_add: [NET_ADMIN, SYS_ADMIN]
              all:
                image: ghcr.io/acme/agent:1.0
                cap_add:
                  - ALL
              fine:
                image: ghcr.io/acme/agent:1.0
                privileged: false
                cap_add: [NET_BIND_SERVICE]
            """
    }
    found = findings(files, rule="DR106")
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (2, "service `dind` runs privileged"),
        (9, "service `agent` adds `SYS_ADMIN`, which is close to root on the host"),
        (13, "service `all` adds every capability"),
    ]


def test_docker_socket_short_and_long_syntax_and_read_only() -> None:
    files = {
        "compose.yaml": """
            services:
              app:
                image: ghcr.io/acme/app:1.0
                volumes:
                  - /var/run/docker.sock:/var/run/docker.sock:ro
              runner:
                image: ghcr.io/acme/ci:1.0
                volumes:
                  - type: bind
                    source: ${DOCKER_SOCK:-/run/docker.sock}
                    target: /var/run/docker.sock
              traefik:
                image: traefik:v3.1
                volumes:
                  - "/var/run/docker.sock:/var/run/docker.sock:ro"
              socket-proxy:
                image: tecnativa/docker-socket-proxy:0.2
                volumes:
                  - /var/run/docker.sock:/var/run/docker.sock:ro
              data:
                image: ghcr.io/acme/app:1.0
                volumes:
                  - ./docker.sock.d:/etc/app
            """
    }
    found = findings(files, rule="DR107")
    assert [(f.line, f.column, f.severity) for f in found] == [
        (5, 9, Severity.ERROR),
        (9, 9, Severity.ERROR),
        (15, 9, Severity.WARNING),
    ]
    assert "`:ro` does not help" in found[0].message
    assert "`:ro`" not in found[1].message
    assert found[0].message.startswith("service `app` mounts the Docker socket")


def test_built_service_is_judged_by_its_base_image() -> None:
    files = {
        "compose.yaml": """
            services:
              proxy:
                build: ./proxy
                volumes:
                  - /var/run/docker.sock:/tmp/docker.sock:ro
            """,
        "proxy/Dockerfile": "FROM nginxproxy/nginx-proxy:1.6-alpine\nCOPY x /x\n",
    }
    [finding] = compose_findings(files, "DR107")
    assert finding.severity is Severity.WARNING


def test_host_namespaces() -> None:
    files = {
        "compose.yaml": """
            services:
              agent:
                image: ghcr.io/acme/agent:1.0
                pid: host
                ipc: host
                uts: host
                userns_mode: host
              sidecar:
                image: ghcr.io/acme/agent:1.0
                pid: "service:agent"
                ipc: shareable
            """
    }
    found = findings(files, rule="DR108")
    assert [f.line for f in found] == [4, 5, 6, 7]
    assert "sees and can signal every process on the host" in found[0].message
    assert production_lines({"tests/compose.yaml": files["compose.yaml"]}, "DR108") == []
