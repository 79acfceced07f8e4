"""workflow-only-latest-tag: not where the target keeps its own release history, nor for caches."""

from tests.helpers import lines

PATH = ".github/workflows/deploy.yml"


def test_heroku_registry_keeps_its_own_releases() -> None:
    files = {
        PATH: """
            on: {push: {branches: [main]}}
            jobs:
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - run: |
                      echo "$HEROKU_API_KEY" | docker login --username=_ --password-stdin registry.heroku.com
                      docker build -t registry.heroku.com/acme-web/web .
                      docker push registry.heroku.com/acme-web/web
                      heroku container:release web --app acme-web
            """
    }
    assert lines(files, "DR305") == []


def test_build_cache_images_are_not_releases() -> None:
    files = {
        PATH: """
            on: {push: {branches: [main]}}
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      registry: ghcr.io
                      username: ${{ github.actor }}
                      password: ${{ secrets.GITHUB_TOKEN }}
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: ghcr.io/acme/api:${{ github.sha }}
                      cache-from: type=registry,ref=ghcr.io/acme/api-cache:latest
                      cache-to: type=registry,ref=ghcr.io/acme/api-cache:latest,mode=max
                  - run: |
                      docker build --cache-from ghcr.io/acme/worker-buildcache \
                        -t ghcr.io/acme/worker-buildcache:latest --target deps .
                      docker push ghcr.io/acme/worker-buildcache:latest
                      docker tag ghcr.io/acme/api:${{ github.sha }} ghcr.io/acme/api:buildcache
                      docker push ghcr.io/acme/api:buildcache
            """
    }
    assert lines(files, "DR305") == []


def test_a_release_image_pushed_only_as_latest_is_still_reported() -> None:
    files = {
        PATH: """
            on: {push: {branches: [main]}}
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/login-action@v3
                    with:
                      registry: ghcr.io
                      username: ${{ github.actor }}
                      password: ${{ secrets.GITHUB_TOKEN }}
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: ghcr.io/acme/api:latest
                      cache-from: type=registry,ref=ghcr.io/acme/api:buildcache
            """
    }
    assert lines(files, "DR305") == [(PATH, 14)]
