"""Fix texts that fit the finding they come with."""

from tests.helpers import findings


def test_cap_add_only_service_is_not_told_to_remove_privileged() -> None:
    files = {
        "compose.yaml": """
            services:
              fuse:
                image: ghcr.io/acme/rclone:1.68.1
                cap_add:
                  - SYS_ADMIN
              debug:
                image: ghcr.io/acme/tools:2.0.1
                cap_add: [SYS_PTRACE]
              box:
                image: ghcr.io/acme/box:1.0.0
                privileged: true
            """
    }
    found = {f.line: f for f in findings(files, rule="DR106")}
    assert "privileged" not in found[5].fix and "SYS_ADMIN" in found[5].fix
    assert "privileged" not in found[8].fix and "SYS_PTRACE" in found[8].fix
    assert "privileged: true" in found[11].fix


def test_local_action_path_without_dot_slash_gets_a_local_fix() -> None:
    files = {
        ".github/workflows/ci.yml": """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - uses: .github/actions/setup
                  - uses: ./.github/actions/build
            """
    }
    [finding] = findings(files, rule="DR307")
    assert finding.line == 6
    assert finding.fix == "Write the local action as `./.github/actions/setup`"
    assert "SHA" not in finding.fix
