"""workflow-unpinned-container-image: matrix `include:` images are checked too."""

from tests.helpers import lines

PATH = ".github/workflows/ci.yml"


def test_matrix_include_images() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    db: [postgres:16.4]
                    include:
                      - db: mysql:latest
                      - db: mariadb:11.4
                      - os: windows-latest
                services:
                  db:
                    image: ${{ matrix.db }}
                steps:
                  - run: make test
            """
    }
    assert lines(files, "DR309") == [(PATH, 9)]
