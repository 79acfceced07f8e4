"""Compose's merge rules, one per field (resolution-facts.md 1.4), each winning value keeping its file and line."""

from __future__ import annotations

from compose_model_support import project, where
from dockreview.rules.model.compose import ComposeProject, Service

BASE = """
services:
  app:
    image: app:1
    build: ./app
    command: ["serve", "--port", "80"]
    entrypoint: /entry.sh
    environment:
      A: "1"
      B: "2"
    labels:
      - team=core
    ports:
      - "8080:80"
      - "127.0.0.1:9000:9000"
    volumes:
      - ./src:/src
      - cache:/cache
    devices:
      - /dev/ttyUSB0:/dev/ttyUSB0
    secrets: [token]
    cap_add: [NET_ADMIN]
    profiles: [web]
    expose: ["80"]
    env_file: [a.env]
    extra_hosts: ["db:10.0.0.1"]
    security_opt: ["no-new-privileges:true"]
    dns: 8.8.8.8
    depends_on: [db]
    networks: [front]
    healthcheck:
      test: ["CMD", "curl", "http://localhost"]
      interval: 10s
    logging:
      driver: json-file
      options:
        max-size: 10m
    ulimits:
      nofile:
        soft: 1024
        hard: 2048
    deploy:
      resources:
        limits:
          memory: 512M
  db:
    image: postgres:16
"""

OVERRIDE = """
services:
  app:
    image: app:2
    build:
      target: prod
    command: ["serve", "--port", "8080"]
    environment:
      - B=20
      - C=30
    labels:
      tier: backend
    ports:
      - "8080:80"
      - "9090:80"
    volumes:
      - data:/src
    devices:
      - /dev/ttyUSB1:/dev/ttyUSB0
    secrets:
      - source: other
        target: token
    cap_add: [NET_ADMIN, SYS_TIME]
    profiles: [web, admin]
    expose: ["80", "81"]
    env_file: [a.env, b.env]
    extra_hosts: ["db:10.0.0.1", "cache:10.0.0.2"]
    security_opt: ["no-new-privileges:true"]
    dns: [1.1.1.1]
    depends_on:
      db:
        condition: service_healthy
    networks:
      back:
        aliases: [api]
    healthcheck:
      test: ["CMD", "wget", "-q", "http://localhost"]
    logging:
      options:
        max-file: "3"
    ulimits:
      nofile:
        soft: 4096
    deploy:
      resources:
        limits:
          cpus: "0.5"
"""


def merged() -> tuple[ComposeProject, Service]:
    found = project({"compose.yaml": BASE, "compose.override.yaml": OVERRIDE, "a.env": "", "b.env": ""})
    return found, found.services["app"]


def test_scalars_are_replaced_where_the_override_writes_them() -> None:
    _, app = merged()
    assert app.image is not None and app.image.text == "app:2" and where(app.image.origin) == (
        "compose.override.yaml", 3)
    assert app.entrypoint is not None and app.entrypoint.text == "/entry.sh" and where(app.entrypoint.origin) == (
        "compose.yaml", 6)
    assert app.files == ("compose.yaml", "compose.override.yaml") and where(app.origin) == ("compose.yaml", 2)


def test_command_and_healthcheck_test_are_replaced_whole() -> None:
    _, app = merged()
    assert app.command is not None and app.command.argv == ("serve", "--port", "8080")
    assert app.healthcheck is not None and app.healthcheck.test == ("CMD", "wget", "-q", "http://localhost")
    assert app.healthcheck.interval is not None and app.healthcheck.interval.text == "10s"  # the rest merges


def test_environment_labels_and_build_merge_by_key() -> None:
    _, app = merged()
    env = {k: v.value.text for k, v in app.environment.items() if v.value}
    assert env == {"A": "1", "B": "20", "C": "30"}
    assert where(app.environment["B"].origin) == ("compose.override.yaml", 8)
    assert where(app.environment["A"].origin) == ("compose.yaml", 8)
    assert {k: v.value.text for k, v in app.labels.items() if v.value} == {"team": "core", "tier": "backend"}
    assert app.build is not None and app.build.context == "app" and app.build.target is not None
    assert app.build.target.text == "prod" and where(app.build.target.origin) == ("compose.override.yaml", 5)


def test_ports_dedup_by_binding_volumes_devices_secrets_by_target() -> None:
    _, app = merged()
    assert [p.key for p in app.ports] == ["0.0.0.0:8080:80/tcp", "127.0.0.1:9000:9000/tcp",
                                         "0.0.0.0:9090:80/tcp"]
    assert where(app.ports[0].origin) == ("compose.override.yaml", 13)  # the later duplicate wins, in place
    assert [(m.target, m.type, m.source) for m in app.volumes] == [("/src", "volume", "data"),
                                                                   ("/cache", "volume", "cache")]
    assert [(d.source, d.target) for d in app.devices] == [("/dev/ttyUSB1", "/dev/ttyUSB0")]
    assert [(s.source, s.target) for s in app.secrets] == [("other", "/run/secrets/token")]


def test_lists_append_and_dedup_by_value() -> None:
    _, app = merged()
    assert [c.text for c in app.cap_add] == ["NET_ADMIN", "SYS_TIME"]
    assert [p.text for p in app.profiles] == ["web", "admin"]
    assert [e.text for e in app.expose] == ["80", "81"]
    assert [r.path for r in app.env_files] == ["a.env", "b.env"]
    assert [h.text for h in app.extra_hosts] == ["db:10.0.0.1", "cache:10.0.0.2"]
    assert [s.text for s in app.security_opt] == ["no-new-privileges:true", "no-new-privileges:true"]  # plain append
    assert app.raw("dns") is not None and app.raw("dns").value == ["8.8.8.8", "1.1.1.1"]  # type: ignore[union-attr]


def test_depends_on_and_networks_merge_by_name() -> None:
    _, app = merged()
    db = app.depends_on["db"]
    assert (db.service, db.condition, db.required) == ("db", "service_healthy", True)
    assert where(db.origin) == ("compose.override.yaml", 30)  # where the condition is set
    assert app.networks is not None and sorted(app.networks) == ["back", "front"]
    assert app.networks["back"].aliases == ("api",)


def test_logging_ulimits_deploy() -> None:
    _, app = merged()
    logging = app.raw("logging")
    assert logging is not None and logging.value == {"driver": "json-file",
                                                     "options": {"max-size": "10m", "max-file": "3"}}
    assert app.raw("ulimits").value == {"nofile": {"soft": 4096}}  # type: ignore[union-attr]
    assert app.deploy is not None and app.deploy.limits.memory.text == "512M"  # type: ignore[union-attr]
    assert app.deploy.limits.cpus is not None and where(app.deploy.limits.cpus.origin) == (
        "compose.override.yaml", 46)


def test_logging_with_another_driver_is_replaced() -> None:
    found = project({
        "compose.yaml": "services:\n  a:\n    image: a\n    logging:\n      driver: json-file\n"
                        "      options: {max-size: 10m}\n",
        "compose.override.yaml": "services:\n  a:\n    logging:\n      driver: syslog\n",
    })
    assert found.services["a"].raw("logging").value == {"driver": "syslog"}  # type: ignore[union-attr]


def test_reset_and_override_tags() -> None:
    found = project({
        "compose.yaml": """
            services:
              web:
                image: web
                ports: ["8080:80", "8443:443"]
                environment: {A: "1", B: "2"}
                command: run
            """,
        "compose.override.yaml": """
            services:
              web:
                ports: !override ["9443:443"]
                environment: !reset {}
                command: !reset null
            """,
    })
    web = found.services["web"]
    assert [p.binding for p in web.ports] == ["0.0.0.0:9443"] and where(web.ports[0].origin) == (
        "compose.override.yaml", 3)
    assert web.environment == {} and web.command is None


def test_anchors_merge_keys_and_several_documents() -> None:
    found = project({
        "compose.yaml": """
            version: "3.9"
            x-defaults: &defaults
              restart: unless-stopped
              environment: &env
                TZ: UTC
            services:
              a:
                <<: *defaults
                image: a
              b:
                <<: *defaults
                image: b
                environment:
                  <<: *env
                  EXTRA: "1"
            ---
            services:
              c:
                image: c
              a:
                image: a:2
            """,
    })
    a, b = found.services["a"], found.services["b"]
    assert a.restart is not None and where(a.restart.origin) == ("compose.yaml", 3)
    assert a.image is not None and a.image.text == "a:2" and where(a.image.origin) == ("compose.yaml", 21)
    assert {k: v.value.text for k, v in b.environment.items() if v.value} == {"TZ": "UTC", "EXTRA": "1"}
    assert set(found.services) == {"a", "b", "c"}


def test_security_relevant_keys_are_modelled() -> None:
    found = project({
        "compose.yaml": """
            services:
              agent:
                image: agent
                privileged: true
                read_only: "true"
                init: true
                cap_add: [SYS_ADMIN]
                cap_drop: [ALL]
                devices: ["/dev/fuse"]
                security_opt: ["apparmor:unconfined", "seccomp:unconfined"]
                cgroup: host
                pid: host
                ipc: host
                userns_mode: host
                network_mode: host
                extra_hosts:
                  host.docker.internal: host-gateway
                sysctls:
                  net.core.somaxconn: 1024
                volumes:
                  - /var/run/docker.sock:/var/run/docker.sock:ro
                  - type: bind
                    source: ~/.ssh
                    target: /root/.ssh
                  - type: tmpfs
                    target: /tmp
                  - /cache
            """,
    })
    agent = found.services["agent"]
    assert agent.privileged is not None and agent.privileged.value and where(agent.privileged.origin) == (
        "compose.yaml", 4)
    assert agent.read_only is not None and agent.read_only.value and agent.init is not None
    assert [c.text for c in agent.cap_add] == ["SYS_ADMIN"] and [c.text for c in agent.cap_drop] == ["ALL"]
    assert [(d.source, d.target) for d in agent.devices] == [("/dev/fuse", "/dev/fuse")]
    assert [s.text for s in agent.security_opt] == ["apparmor:unconfined", "seccomp:unconfined"]
    assert all(v is not None and v.text == "host" for v in (agent.cgroup, agent.pid, agent.ipc, agent.userns_mode,
                                                           agent.network_mode))
    assert [h.text for h in agent.extra_hosts] == ["host.docker.internal=host-gateway"]
    assert agent.sysctls["net.core.somaxconn"].value.text == "1024"  # type: ignore[union-attr]
    assert [(m.type, m.source, m.target, m.read_only, m.in_repository) for m in agent.volumes] == [
        ("bind", "/var/run/docker.sock", "/var/run/docker.sock", True, False),
        ("bind", "~/.ssh", "/root/.ssh", False, False),
        ("tmpfs", None, "/tmp", False, False),
        ("anonymous", None, "/cache", False, False),
    ]
    assert agent.networks is None
