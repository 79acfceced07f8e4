from tests.helpers import findings, lines

RULE = "DR112"


def test_field_note_proxy_pass_to_a_service_on_another_network() -> None:
    files = {
        "compose.yaml": """
            services:
              nginx:
                image: nginx:1.27
                volumes:
                  - ./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro
                networks:
                  - portfolio_network
              frontend:
                image: ghcr.io/acme/frontend:2.0
              backend:
                image: ghcr.io/acme/backend:2.0
                networks: [portfolio_network]
            networks:
              portfolio_network:
            """,
        "nginx/default.conf": """
            upstream api_upstream {
                server backend:8000;
            }
            server {
                listen 80;
                # proxy_pass http://commented:1;
                location / {
                    proxy_pass http://frontend:3000;
                }
                location /api/ {
                    proxy_pass http://api_upstream;
                }
            }
            """,
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == ("compose.yaml", 8, 3)
    assert finding.message == (
        "`nginx` reaches `frontend` by name (`proxy_pass http://frontend:3000;` in nginx/default.conf), but "
        "`nginx` is only on `portfolio_network` and `frontend` only on `default`: the name does not resolve "
        "and every request fails (a proxy answers 502)"
    )
    assert [(r.path, r.line, r.column) for r in finding.related] == [("nginx/default.conf", 8, 27)]


def test_environment_urls_host_keys_aliases_and_host_mode() -> None:
    files = {
        "compose.yaml": """
        services:
          api:
            image: ghcr.io/acme/api:1.0
            networks: [back]
            environment:
              - DATABASE_URL=postgres://app:${PW}@db:5432/app
              - CACHE_HOST=cache-alias:6379
              - SEARCH_URL=http://search:9200
          db:
            image: postgres:16
            networks:
              data:
          cache:
            image: redis:7
            networks:
              other:
                aliases: [cache-alias]
          search:
            image: opensearchproject/opensearch:2
            network_mode: host
        networks: {back: {}, data: {}, other: {}}
        """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.related[0].line) for f in found] == [(11, 6), (15, 7), (20, 8)]
    assert "`api` reaches `cache` by name (its `CACHE_HOST`)" in found[1].message
    assert "`search` uses the host's network, where service names do not exist" in found[2].message


def test_shared_networks_service_mode_siblings_and_depends_on_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              proxy:
                image: caddy:2.8
                volumes: ["./Caddyfile:/etc/caddy/Caddyfile"]
                networks: [web, default]
                depends_on: [isolated]
              app:
                image: ghcr.io/acme/app:1.0
              sidecar:
                image: ghcr.io/acme/sidecar:1.0
                network_mode: "service:app"
                environment:
                  UPSTREAM: http://proxy:80
              isolated:
                image: ghcr.io/acme/isolated:1.0
                networks: [internal]
              later:
                image: ghcr.io/acme/later:1.0
                networks: [internal]
                environment:
                  TARGET: http://app:8080
                  EXTERNAL: https://api.example.com
            networks: {web: {}, internal: {}}
            """,
        "compose.prod.yaml": "services:\n  later:\n    networks: [internal, default]\n",
        "Caddyfile": "example.com {\n    reverse_proxy app:8080\n}\n",
    }
    assert lines(files, RULE) == []
