from tests.helpers import findings, lines, production_lines

RULE = "DR109"


def test_published_database_ports_fire_with_loopback_suggestion() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:16
                ports:
                  - "5432:5432"
                  - 0.0.0.0:5433:5432   # replica
                  - '5434'
              cache:
                image: bitnami/redis:7.2
                ports:
                  - target: 6379
                    published: 6379
              search:
                build: ./es
                ports: ["${ES_PORT:-9200}:9200"]
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(5, 9), (6, 9), (7, 9), (11, 9)]
    assert found[0].message == (
        "postgres service `db` publishes port 5432 on every interface of the host, past the host firewall: "
        "the database is reachable from the internet"
    )
    assert found[0].suggestion == '      - "127.0.0.1:5432:5432"'
    assert found[1].suggestion == "      - 127.0.0.1:5433:5432   # replica"
    assert "(as host port 5433)" in found[1].message
    assert "(on a random host port)" in found[2].message and found[2].suggestion is None
    assert found[3].suggestion is None  # long syntax: left to a human


def test_service_name_is_used_only_for_built_services() -> None:
    files = {
        "compose.yaml": """
            services:
              redis:
                build: ./redis
                ports: ["6379:6379"]
              mongo:
                image: mongo-express:1.0
                ports: ["8081:8081"]
            """
    }
    assert lines(files, RULE) == [("compose.yaml", 4)]


def test_bound_ports_expose_other_services_and_dev_files_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:16
                ports:
                  - "127.0.0.1:5432:5432"
                  - "${BIND_ADDR}:5433:5432"
                  - "${DB_PORT:-127.0.0.1:5434}:5432"
                  - target: 5432
                    host_ip: 127.0.0.1
                    published: 5435
                expose: ["5432"]
              web:
                image: nginx:1.27
                ports: ["80:80"]
              hostnet:
                image: redis:7
                network_mode: host
            """,
        "compose.override.yaml": "services:\n  db:\n    image: postgres:16\n    ports: ['5432:5432']\n",
    }
    assert production_lines(files, RULE) == []
