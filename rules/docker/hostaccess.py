"""What on the host a container reaches beyond the Docker socket: host paths mounted into it, host
devices, security options that switch confinement off, and the host's cgroup namespace.

One answer each, with the consequence for messages; `None` when the thing is not host access.
"""

from __future__ import annotations

import posixpath
import re

from dockreview.rules.lazyre import lazy
from dockreview.rules.values import frozen


@frozen
class HostAccess:
    what: str  # "the host's root filesystem", "host block device /dev/sda", ...
    consequence: str  # what a compromised container can then do
    high: bool = True  # False: read-only or often intended (monitoring agents): a weaker claim


# Host directories whose bind mount hands the container the host, writable or not.
_ALWAYS = {
    "/": ("the host's root filesystem", "it reads every secret on the host (SSH keys, /etc/shadow, "
          "other containers' data) and, when writable, takes the host over"),
    "/var/run": ("`/var/run` (which holds the Docker socket)", "it can drive the Docker API and so start "
                 "a privileged container: root on the host"),
    "/run": ("`/run` (which holds the Docker socket)", "it can drive the Docker API and so start a "
             "privileged container: root on the host"),
    "/var/lib/docker": ("Docker's data directory", "it reads and rewrites every container's filesystem "
                        "and volumes"),
}
# Host directories that are root on the host when writable (read-only mounts are often intended).
_WRITABLE = {
    "/etc": ("the host's `/etc`", "it can add users, sudoers and cron jobs: root on the host"),
    "/root": ("root's home directory", "it can plant SSH keys and shell start-up files for root"),
    "/boot": ("the host's `/boot`", "it can replace the kernel or boot configuration"),
    "/proc": ("the host's `/proc`", "it can change kernel settings and reach every process on the host"),
    "/sys": ("the host's `/sys`", "it can change kernel and device settings of the host"),
    "/dev": ("the host's `/dev`", "it gets raw access to the host's disks and devices"),
    "/lib/modules": ("the host's kernel modules", "it can load code into the host's kernel"),
    "/usr": ("the host's `/usr`", "it can replace programs the host runs as root"),
    "/bin": ("the host's `/bin`", "it can replace programs the host runs as root"),
    "/sbin": ("the host's `/sbin`", "it can replace programs the host runs as root"),
}
_BLOCK_DEVICE = lazy(r"^/dev/(?:sd[a-z]+\d*|nvme\d+(?:n\d+)?(?:p\d+)?|vd[a-z]+\d*|xvd[a-z]+\d*|hd[a-z]+\d*|"
                           r"mmcblk\d+(?:p\d+)?|md\d+|dm-\d+|loop\d+|mapper/.+|disk/.+|mem|kmem|port)$")
_CONFINEMENT_OFF = {
    "seccomp": "the seccomp filter, which blocks dangerous system calls",
    "apparmor": "the AppArmor profile",
    "label": "SELinux labelling",
}


def mounted_path(source: str, read_only: bool) -> HostAccess | None:
    """A bind mount of host path `source` (absolute, as resolved)."""
    if not source.startswith("/"):
        return None
    path = posixpath.normpath(source)
    path = "/" if path in ("/", "//") else path.rstrip("/")
    if path in _ALWAYS:
        what, consequence = _ALWAYS[path]
        return HostAccess(what, consequence, high=not read_only or path != "/")
    if path in _WRITABLE and not read_only:
        what, consequence = _WRITABLE[path]
        return HostAccess(what, consequence)
    return None


def host_device(source: str) -> HostAccess | None:
    """A `devices:` entry whose host side is a disk, raw memory or I/O ports."""
    path = posixpath.normpath(source.split(":", 1)[0]) if source.startswith("/") else ""
    if not _BLOCK_DEVICE.match(path):
        return None
    if path in ("/dev/mem", "/dev/kmem", "/dev/port"):
        return HostAccess(f"host device `{path}`", "it reads and writes the host's physical memory or I/O ports")
    return HostAccess(f"host block device `{path}`", "it reads and rewrites the host's disk below every "
                      "permission check")


def confinement_off(option: str) -> HostAccess | None:
    """A `security_opt` entry that switches a confinement off (`seccomp:unconfined`,
    `apparmor=unconfined`, `label:disable`)."""
    match = re.match(r"\s*([A-Za-z-]+)\s*[:=]\s*(\S*)", option)
    if match is None:
        return None
    name, value = match.group(1).lower(), match.group(2).lower()
    if (name in ("seccomp", "apparmor") and value == "unconfined") or (name == "label" and value == "disable"):
        return HostAccess(f"`security_opt: {option.strip()}`", f"it turns off {_CONFINEMENT_OFF[name]}, so a "
                          "kernel or runtime bug is one step from the host")
    return None


def host_cgroup(value: str) -> HostAccess | None:
    if value.strip().lower() != "host":
        return None
    return HostAccess("the host's cgroup namespace", "it sees and can change the resource limits of every "
                      "container and service on the host")


__all__ = ["HostAccess", "confinement_off", "host_cgroup", "host_device", "mounted_path"]
