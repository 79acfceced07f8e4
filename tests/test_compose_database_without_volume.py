from tests.helpers import findings, lines

RULE = "DR110"


def test_database_without_volume_fires_on_the_service() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: mariadb:11.4
              mongo:
                image: mongo:7
                volumes:
                  - /data/db
              es:
                image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
                volumes:
                  - ./config:/usr/share/elasticsearch/config
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(2, 3), (7, 9), (8, 3)]
    assert found[0].message == (
        "mariadb service `db` has no named volume at `/var/lib/mysql`: its data lives in the container's "
        "anonymous volume, and `docker compose down` then `up` starts it with an empty database"
    )
    assert "lives in an anonymous volume" in found[1].message


def test_postgres_18_with_the_old_mount_point() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:18-alpine
                volumes:
                  - pgdata:/var/lib/postgresql/data
              latest:
                image: postgres
                volumes:
                  - type: volume
                    source: pgdata2
                    target: /var/lib/postgresql/data
              good:
                image: postgres:18
                volumes:
                  - pgdata3:/var/lib/postgresql
              old:
                image: postgres:17
                volumes:
                  - pgdata4:/var/lib/postgresql/data
              moved:
                image: postgres:18
                environment:
                  PGDATA: /var/lib/postgresql/data/pgdata
                volumes:
                  - pgdata5:/var/lib/postgresql/data
            volumes: {pgdata: {}, pgdata2: {}, pgdata3: {}, pgdata4: {}, pgdata5: {}}
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(5, 9), (9, 9)]
    assert "`postgres:18-alpine` is 18 or later" in found[0].message
    assert "refuses to start" in found[0].message
    assert "`postgres:latest` is 18 or later" in found[1].message
    assert [r.line for r in found[0].related] == [3]


def test_volumes_tmpfs_siblings_redis_cache_and_unknown_images_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            x-db: &db
              image: postgres:16
            services:
              db:
                <<: *db
                volumes: ["db:/var/lib/postgresql"]
              test_db:
                image: mysql:8.4
                tmpfs: /var/lib/mysql
              cache:
                image: redis:7
              custom:
                image: acme/postgres:1.0
              bitnami:
                image: bitnami/postgresql:16
                volumes: ["data:/bitnami/postgresql"]
              later:
                image: mongo:7
            volumes: {db: {}, data: {}}
            """,
        "compose.prod.yaml": "services:\n  later:\n    volumes: ['mongo:/data/db']\nvolumes: {mongo: {}}\n",
    }
    assert lines(files, RULE) == []


def test_redis_told_to_persist_fires() -> None:
    files = {
        "compose.yaml": """
            services:
              queue:
                image: valkey/valkey:8
                command: valkey-server --appendonly yes
            """
    }
    assert lines(files, RULE) == [("compose.yaml", 2)]
