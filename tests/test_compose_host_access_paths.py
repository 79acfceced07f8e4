"""DR115 compose-host-access: host paths, devices, confinement switched off, the host's cgroups."""

from __future__ import annotations

from dockreview.rules.docker.hostaccess import confinement_off, host_cgroup, host_device, mounted_path
from dockreview.rules.finding import Confidence, Severity

from tests.changes_support import review_pair
from tests.helpers import findings, production_findings

STACK = """
services:
  backup:
    image: ghcr.io/acme/backup:2.3
    volumes:
      - /etc:/host/etc
      - /etc/localtime:/etc/localtime:ro
      - /:/rootfs:ro
      - ${RUN_DIR:-/var/run}:/var/run
      - ./data:/data
      - /srv/backups:/backups
    devices:
      - /dev/sda:/dev/sda
      - /dev/ttyUSB0
    security_opt:
      - apparmor:unconfined
      - no-new-privileges:true
    cgroup: host
"""


def test_each_kind_of_host_access_is_reported_on_its_line() -> None:
    found = findings({"compose.yaml": STACK}, rule="DR115")
    assert [(f.line, f.severity, f.confidence) for f in found] == [
        (5, Severity.ERROR, Confidence.HIGH),  # writable /etc
        (7, Severity.WARNING, Confidence.MEDIUM),  # / read-only: monitoring agents do it on purpose
        (8, Severity.ERROR, Confidence.HIGH),  # /var/run through a default
        (12, Severity.ERROR, Confidence.HIGH),  # a host disk
        (15, Severity.ERROR, Confidence.HIGH),  # AppArmor off
        (17, Severity.ERROR, Confidence.HIGH),  # cgroup: host
    ]
    assert "`/var/run` (which holds the Docker socket)" in found[2].message
    assert "host block device `/dev/sda`" in found[3].message


def test_a_value_from_an_extended_file_is_reported_there() -> None:
    files = {"compose.yaml": "services:\n  app:\n    image: ghcr.io/acme/app:1.0\n"
                             "    extends:\n      file: common.yaml\n      service: base\n",
             "common.yaml": "services:\n  base:\n    security_opt: [\"seccomp=unconfined\"]\n"}
    found = [(f.path, f.line) for f in findings(files, rule="DR115")]
    assert ("common.yaml", 3) in found


def test_dev_stacks_and_harmless_mounts_are_not_reported() -> None:
    assert production_findings({"compose.dev.yaml": STACK}, rule="DR115") == []
    harmless = ("services:\n  app:\n    image: ghcr.io/acme/app:1.0\n    volumes:\n"
                "      - /etc/ssl/certs:/etc/ssl/certs:ro\n      - /etc:/host/etc:ro\n      - /proc:/host/proc:ro\n"
                "    devices: [\"/dev/dri:/dev/dri\"]\n    security_opt: [\"no-new-privileges:true\"]\n")
    assert findings({"compose.yaml": harmless}, rule="DR115") == []


def test_a_moved_service_keeps_its_finding_and_a_new_option_is_new() -> None:
    base = {"compose.yaml": STACK}
    moved = review_pair(base, {"compose.yaml": "include:\n  - backup.yaml\n", "backup.yaml": STACK})
    assert [f for f in moved.findings if f.rule == "DR115"] == []
    added = review_pair(base, {"compose.yaml": STACK.replace("apparmor:unconfined", "seccomp:unconfined")})
    assert [f.line for f in added.findings if f.rule == "DR115"] == [15]


def test_knowledge_answers() -> None:
    assert mounted_path("/", read_only=False) is not None and mounted_path("/", read_only=False).high
    assert mounted_path("/etc/", read_only=False) is not None
    assert mounted_path("/etc", read_only=True) is None
    assert mounted_path("relative/path", read_only=False) is None
    assert host_device("/dev/nvme0n1p2") is not None and host_device("/dev/mapper/vg-root") is not None
    assert host_device("/dev/snd") is None
    assert confinement_off("label:disable") is not None and confinement_off("seccomp=/path/profile.json") is None
    assert host_cgroup("host") is not None and host_cgroup("private") is None
