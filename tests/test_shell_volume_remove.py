from dockreview.rules.finding import Severity

from tests.helpers import findings, lines

RULE = "DR403"


def test_volume_rm_and_remove_fire_with_names() -> None:
    files = {
        "update.sh": """
            docker compose stop db
            docker volume rm -f shop_pgdata shop_redis
            for v in $(docker volume ls -q --filter name=shop_); do docker volume remove "$v"; done
            """
    }
    result = findings(files, rule=RULE)
    assert [(f.line, f.column, f.severity) for f in result] == [(2, 15, Severity.WARNING), (3, 71, Severity.WARNING)]
    assert "`shop_pgdata`, `shop_redis`" in result[0].message
    assert "`$v`" in result[1].message


def test_near_misses() -> None:
    files = {
        "update.sh": """
            docker volume ls
            docker volume inspect shop_pgdata
            docker volume create shop_pgdata
            docker volume rm
            echo "remove it with docker volume rm shop_pgdata"
            docker rm -v old-container
            """
    }
    assert lines(files, RULE) == []
