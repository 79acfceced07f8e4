from dockreview.rules.finding import Confidence, Severity

from tests.helpers import findings, lines, lowered, production_lines

RULE = "DR117"


def test_public_admin_uis_fire_on_the_ui_port_with_a_loopback_suggestion() -> None:
    files = {
        "compose.yaml": """
            services:
              adminer:
                image: adminer:4.8.1
                ports:
                  - "8080:8080"
              phpmyadmin:
                image: phpmyadmin/phpmyadmin:5
                ports:
                  - 0.0.0.0:8081:80   # for the support team
              pma:
                image: phpmyadmin
                ports: ["8082:80"]
              pgadmin:
                image: dpage/pgadmin4:8
                ports:
                  - target: 80
                    published: 5050
              mongo-express:
                image: mongo-express:1.0
                ports: ["8083:8081"]
              commander:
                image: ghcr.io/mirror/rediscommander/redis-commander:latest
                ports: ["8084:8081"]
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(5, 9), (9, 9), (12, 5), (16, 9), (20, 5), (23, 5)]
    assert found[0].message == (
        "Adminer service `adminer` publishes its web UI (port 8080) on every interface of the host, past the "
        "host firewall: anyone who reaches the server gets a login page to the databases it can reach, and "
        "their data to whoever gets in; bind it to `127.0.0.1:8080:8080` and use an SSH tunnel, or remove the "
        "port and serve it through the reverse proxy with authentication"
    )
    assert found[0].suggestion == '      - "127.0.0.1:8080:8080"'
    assert found[1].suggestion == "      - 127.0.0.1:8081:80   # for the support team"
    assert found[1].message.startswith("phpMyAdmin service `phpmyadmin` publishes its web UI (port 80)")
    assert "(as host port 8081)" in found[1].message
    assert found[3].suggestion is None  # long syntax: left to a human
    assert found[3].message.startswith("pgAdmin service `pgadmin`")
    assert "MongoDB" in found[4].message and "Redis server" in found[5].message
    assert {(f.severity, f.confidence) for f in found} == {(Severity.WARNING, Confidence.HIGH)}


def test_only_the_port_the_tool_serves_its_ui_on_fires() -> None:
    files = {
        "compose.yaml": """
            services:
              adminer:
                image: adminer
                ports:
                  - "9000:9000"
                  - "8080:8080/udp"
                  - "8080"
              pgadmin:
                image: dpage/pgadmin4
                environment:
                  PGADMIN_LISTEN_PORT: 5050
                ports:
                  - "80:80"
                  - "5050:5050"
              kafka-ui:
                image: provectuslabs/kafka-ui:v0.7.2
                ports: ["8080-8081:8080-8081"]
            """
    }
    found = findings(files, rule=RULE)
    assert [f.line for f in found] == [7, 14, 17]
    assert "(on a random host port)" in found[0].message and found[0].suggestion is None
    assert found[2].message.startswith("Kafka UI service `kafka-ui`")


def test_look_alike_images_and_unrelated_services_do_not_fire_but_built_services_named_like_a_tool_do() -> None:
    files = {
        "compose.yaml": """
            services:
              theme:
                image: acme/adminer-theme:2
                ports: ["8080:8080"]
              phpmyadmin:
                image: nginx:1.27
                ports: ["80:80"]
              pgadmin:
                build: ./pgadmin
                ports: ["5050:80"]
              own:
                image: acme/adminer:1
                ports: ["8081:8080"]
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.confidence) for f in found] == [(10, Confidence.MEDIUM), (13, Confidence.MEDIUM)]


def test_published_debuggers_listening_on_every_interface_are_errors() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                build: .
                command: node --inspect=0.0.0.0:9229 server.js
                ports:
                  - "3000:3000"
                  - "9229:9229"
              worker:
                build: .
                environment:
                  NODE_OPTIONS: --inspect-brk=0.0.0.0
                ports: ["9230:9229"]
              py:
                build: .
                command: ["python", "-m", "debugpy", "--listen", "0.0.0.0:5678", "-m", "app"]
                ports: ["5678:5678"]
              java:
                image: eclipse-temurin:21
                environment:
                  - JAVA_TOOL_OPTIONS=-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005
                ports: ["5005:5005"]
              go:
                build: .
                entrypoint: dlv exec /app --headless --listen=:2345 --api-version=2
                ports: ["2345:2345"]
            """
    }
    found = findings(files, rule=RULE)
    assert [f.line for f in found] == [7, 12, 16, 21, 25]
    assert found[0].message == (
        "service `api` starts the Node.js inspector on all of the container's addresses (`--inspect=0.0.0.0:9229` "
        "in `command`) and publishes its port 9229 on every interface of the host, past the host firewall: anyone "
        "who reaches the server can run code in the container; drop the debugger from production, or bind the "
        "port to `127.0.0.1:9229:9229` and use an SSH tunnel"
    )
    assert found[0].suggestion == '      - "127.0.0.1:9229:9229"'
    assert [r.line for r in found[0].related] == [4]
    assert "`--inspect-brk=0.0.0.0` in `NODE_OPTIONS`" in found[1].message and "(as host port 9230)" in found[1].message
    assert "debugpy" in found[2].message and "`--listen 0.0.0.0:5678` in `command`" in found[2].message
    assert "JDWP" in found[3].message and "`JAVA_TOOL_OPTIONS`" in found[3].message
    assert [r.line for r in found[3].related] == [20]
    assert "Delve" in found[4].message and "`--listen=:2345` in `entrypoint`" in found[4].message
    assert {(f.severity, f.confidence) for f in found} == {(Severity.ERROR, Confidence.HIGH)}


def test_debuggers_on_loopback_or_not_published_and_bound_ports_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              loopback:
                build: .
                command: node --inspect=9229 server.js
                ports: ["9229:9229"]
              unpublished:
                build: .
                command: node --inspect=0.0.0.0:9229 server.js
                ports: ["3000:3000"]
                expose: ["9229"]
              bound:
                build: .
                command: node --inspect=0.0.0.0:9229 server.js
                ports:
                  - "127.0.0.1:9229:9229"
                  - "${DEBUG_ADDR}:9230:9229"
                  - target: 9229
                    host_ip: 127.0.0.1
                    published: 9231
              java:
                build: .
                environment:
                  JAVA_OPTS: -agentlib:jdwp=transport=dt_socket,server=y,address=5005
                ports: ["5005:5005"]
              client:
                build: .
                environment:
                  JAVA_OPTS: -agentlib:jdwp=transport=dt_socket,server=n,address=0.0.0.0:5005
                ports: ["5005:5005"]
              py:
                build: .
                command: python -m debugpy --listen 5678 -m app
                ports: ["5678:5678"]
              adminer:
                image: adminer
                ports: ["127.0.0.1:8080:8080", "[::1]:8081:8080"]
              hostnet:
                image: adminer
                network_mode: host
                ports: ["8080:8080"]
            """
    }
    assert lines(files, RULE) == []


def test_development_files_are_reported_at_a_lower_confidence() -> None:
    files = {
        "compose.override.yaml": """
            services:
              adminer:
                image: adminer
                ports: ["8080:8080"]
            """,
        "tests/compose.yaml": """
            services:
              api:
                build: .
                command: node --inspect=0.0.0.0:9229 server.js
                ports: ["9229:9229"]
            """,
    }
    found = findings(files, rule=RULE)
    assert sorted((f.path, f.line) for f in found) == [("compose.override.yaml", 4), ("tests/compose.yaml", 5)]
    assert all(lowered(f) and f.confidence is not Confidence.HIGH for f in found)
    assert production_lines(files, RULE) == []


def test_a_debugger_port_inside_a_published_range_or_behind_a_variable_host_port_fires() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                build: .
                command: sh -c "node --inspect=0.0.0.0:9230 a.js & node --inspect=0.0.0.0:9230 b.js"
                ports:
                  - "9200-9229:9200-9229"
                  - "9230-9239:9230-9239"
                  - "${DEBUG_PORTS}:9230"
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.suggestion) for f in found] == [
        (7, '      - "127.0.0.1:9230-9239:9230-9239"'),
        (8, '      - "127.0.0.1:${DEBUG_PORTS}:9230"'),  # whatever the host port, on every interface
    ]


def test_a_change_that_newly_publishes_an_admin_ui_is_one_finding() -> None:
    from tests.changes_support import review_pair

    base = "services:\n  adminer:\n    image: adminer:4.8.1\n    ports:\n      - \"127.0.0.1:8080:8080\"\n"
    head = base.replace("127.0.0.1:8080:8080", "8080:8080")
    rules = [f.rule for f in review_pair({"compose.yaml": base}, {"compose.yaml": head}).findings]
    assert rules == ["DR117"]


def test_a_less_sure_finding_never_speaks_for_a_surer_one() -> None:
    """`acme/adminer` is only probably Adminer (medium): DR153 at high stays, so that naming a service
    like an admin tool cannot lower what the check concludes."""
    from tests.changes_support import review_pair

    base = "services:\n  adminer:\n    image: acme/adminer:4.8.1\n    ports:\n      - \"127.0.0.1:8080:8080\"\n"
    head = base.replace("127.0.0.1:8080:8080", "8080:8080")
    found = {(f.rule, str(f.confidence)) for f in review_pair({"compose.yaml": base}, {"compose.yaml": head}).findings}
    assert found == {("DR117", "medium"), ("DR153", "high")}
