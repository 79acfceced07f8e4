"""Images whose job is the Docker API or the host (`rules/docker/hostjobs.py`): their socket, host
network, privileged, host-namespace and host-mount findings are medium confidence, with what the
image does and why it is still worth knowing; the same access on any other service stays high."""

from __future__ import annotations

from dockreview.rules.docker.hostjobs import NETWORK, PRIVILEGED, SOCKET, host_job
from dockreview.rules.finding import Confidence, Severity

from tests.helpers import findings


def _one(compose: str, rule: str) -> tuple[Confidence, Severity, str]:
    [found] = findings({"compose.yaml": compose}, rule=rule)
    return found.confidence, found.severity, found.message


def test_a_reverse_proxy_on_the_socket_is_medium_with_why_it_still_matters() -> None:
    compose = """
    services:
      traefik:
        image: traefik:v3.1
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
    """
    confidence, severity, message = _one(compose, "DR107")
    assert (confidence, severity) == (Confidence.MEDIUM, Severity.WARNING)
    assert "`traefik:v3.1` reads the Docker API" in message and "still worth knowing" in message
    assert "socket proxy" in message


def test_the_own_application_on_the_socket_stays_high() -> None:
    compose = """
    services:
      api:
        image: acme/api:1.4.2
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock
    """
    confidence, severity, message = _one(compose, "DR107")
    assert (confidence, severity) == (Confidence.HIGH, Severity.ERROR)
    assert "still worth knowing" not in message


def test_a_host_monitoring_agent_in_the_hosts_pid_namespace_and_mounting_root() -> None:
    compose = """
    services:
      node-exporter:
        image: quay.io/prometheus/node-exporter:v1.8.2
        pid: host
        network_mode: host
        volumes:
          - /:/host:ro,rslave
    """
    for rule in ("DR108", "DR105", "DR115"):
        confidence, _, message = _one(compose, rule)
        assert confidence is Confidence.MEDIUM and "host monitoring agent" in message, rule


def test_a_host_firewall_runs_privileged_on_the_host_network() -> None:
    compose = """
    services:
      netfilter:
        image: ghcr.io/acme/netfilter:1.6
        privileged: true
        network_mode: host
    """
    for rule in ("DR106", "DR105"):
        confidence, _, message = _one(compose, rule)
        assert confidence is Confidence.MEDIUM and "firewall" in message, rule


def test_the_same_access_on_an_ordinary_image_stays_high() -> None:
    compose = """
    services:
      web:
        image: nginx:1.27.2
        privileged: true
        network_mode: host
        pid: host
    """
    for rule in ("DR106", "DR105", "DR108"):
        assert _one(compose, rule)[0] is Confidence.HIGH, rule


def test_an_access_that_is_not_the_images_job_is_not_excused() -> None:
    assert host_job("traefik:v3.1", SOCKET) is not None
    assert host_job("traefik:v3.1", PRIVILEGED) is None  # a proxy needs the API, not privileges
    assert host_job("docker:27-dind", PRIVILEGED) is not None
    assert host_job("docker:27-cli", PRIVILEGED) is None
    assert host_job("gcr.io/cadvisor/cadvisor:v0.49.1", NETWORK) is not None
    assert host_job(None, SOCKET) is None
