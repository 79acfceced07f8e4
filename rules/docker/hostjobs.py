"""Images whose job is the Docker API or the host: a reverse proxy that reads containers' labels,
a CI runner, a monitoring agent, a host firewall.

For them, the socket mount, the host network, `privileged:` or the host's PID namespace is what
the image is for: a reviewer does not ask to remove it. It is still worth knowing, because the
access stays what it is (root on the host through the API, the host's network), so a finding on
such a service is kept at medium confidence (the check run summary, never inline by default) with
what the image does and what still limits the risk.

The table matches the last component of the image name (`traefik`, `gcr.io/cadvisor/cadvisor`,
`nginxproxy/nginx-proxy`) and a few name prefixes; a service that builds its own image is matched
by the image its Dockerfile starts from.
"""

from __future__ import annotations

from dockreview.rules.parse.compose import expand_defaults
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.values import frozen

SOCKET = "socket"  # a bind mount of the Docker (or Podman, containerd) socket
NETWORK = "network"  # network_mode: host
PRIVILEGED = "privileged"  # privileged: true, root capabilities
NAMESPACE = "namespace"  # pid / ipc / uts: host
MOUNTS = "mounts"  # bind mounts of host system paths (/, /proc, /sys, /var/lib/docker)


@frozen
class HostJob:
    what: str  # what the image does, as "`traefik` {what}"
    needs: frozenset[str]  # which host accesses are its job
    still: str  # why it is still worth knowing, and what limits it


_API = "reads the Docker API to do its job (routing, updates, monitoring or running containers)"
_SOCKET_STILL = ("the socket is still root on the host for anything that runs in it: a filtering socket proxy "
                 "that allows only the calls it needs limits what a compromise can do")
_API_JOB = HostJob(_API, frozenset({SOCKET}), _SOCKET_STILL)
_RUNNER = HostJob("is a CI runner that starts containers for its jobs", frozenset({SOCKET, PRIVILEGED}),
                  "every job it runs can take over the host: run only trusted jobs on it, or use rootless "
                  "or VM-isolated runners")
_METRICS = HostJob("is a host monitoring agent: it reads the host's processes, devices and filesystems",
                   frozenset({SOCKET, NETWORK, PRIVILEGED, NAMESPACE, MOUNTS}),
                   "a compromise of it sees the whole host: mount host paths read-only and keep its port on an "
                   "internal network")
_FIREWALL = HostJob("manages the host's firewall (it bans addresses in the host's iptables)",
                    frozenset({NETWORK, PRIVILEGED}),
                    "it holds the host's network configuration: prefer `cap_add: [NET_ADMIN, NET_RAW]` to "
                    "`privileged: true`")
_DIND = HostJob("is Docker-in-Docker, which needs `privileged:` to run its own daemon",
                frozenset({PRIVILEGED}),
                "a privileged container is root on the host: keep it for CI builds, or use rootless Docker "
                "or a remote builder")

_BY_NAME: dict[str, HostJob] = {
    name: _API_JOB
    for name in (
        "traefik", "watchtower", "portainer", "portainer-ce", "portainer-ee", "agent", "docker-gen",
        "nginx-proxy", "acme-companion", "letsencrypt-nginx-proxy-companion", "dozzle", "autoheal",
        "promtail", "alloy", "vector", "logspout", "diun", "ouroboros", "homepage", "swarm-cronjob",
        "caddy-docker-proxy", "docker-volume-backup", "docker-autoheal", "uptime-kuma", "visualizer",
        "registrator", "fluent-bit", "datadog-agent", "agent7", "coolify", "ofelia", "localstack", "executor",
        "dockerapi",
    )
}
_BY_NAME.update({name: _RUNNER for name in ("runner", "gitlab-runner", "drone-runner-docker", "github-runner",
                                            "actions-runner", "woodpecker-agent", "buildkite-agent")})
_BY_NAME.update({name: _METRICS for name in ("cadvisor", "node-exporter", "netdata", "process-exporter",
                                             "telegraf", "beszel-agent", "glances", "scaphandre")})
_BY_NAME.update({name: _FIREWALL for name in ("fail2ban", "netfilter", "crowdsec-firewall-bouncer")})
_PREFIXES: tuple[tuple[str, HostJob], ...] = (
    ("traefik", _API_JOB), ("portainer", _API_JOB), ("watchtower", _API_JOB), ("localstack", _API_JOB),
    ("gitlab-runner", _RUNNER), ("node-exporter", _METRICS), ("cadvisor", _METRICS),
)
_SUFFIXES: tuple[tuple[str, HostJob], ...] = (("-netfilter", _FIREWALL), ("-fail2ban", _FIREWALL))


def host_job(image: str | None, access: str) -> HostJob | None:
    """What the image does when `access` (SOCKET, NETWORK, ...) is its job; None when it is not."""
    if not image:
        return None
    ref = parse_image(expand_defaults(image))
    last = ref.name.lower().rsplit("/", 1)[-1]
    job = _BY_NAME.get(last) or next((j for p, j in _PREFIXES if last.startswith(p)), None) or next(
        (j for s, j in _SUFFIXES if last.endswith(s)), None
    )
    if job is None and last == "docker" and "dind" in (ref.tag or "").lower():
        job = _DIND
    return job if job is not None and access in job.needs else None


def job_note(image: str, job: HostJob) -> str:
    """The sentence a finding on such a service ends with."""
    return f"; `{image}` {job.what}, so this is its job, but still worth knowing: {job.still}"
