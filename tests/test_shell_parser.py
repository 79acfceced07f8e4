"""The shell parser: every command a shell would run, with file lines; never text that is not run."""

from textwrap import dedent

from dockreview.rules.parse.shell import ShellSource, find_commands, parse_script
from hypothesis import given
from hypothesis import strategies as st


def commands(text: str, first_line: int = 1) -> list[tuple[int, list[str]]]:
    source = ShellSource("x.sh", dedent(text).lstrip("\n"), first_line, "script")
    return [(c.line, c.argv) for c in source.commands()]


def argvs(text: str) -> list[list[str]]:
    return [argv for _, argv in commands(text)]


def test_lists_pipes_and_continuations_with_lines() -> None:
    text = """
        set -e
        docker compose pull && docker compose \\
          -f prod.yml \\
          down -v || echo failed; docker ps | grep web
        """
    assert commands(text) == [
        (1, ["set", "-e"]),
        (2, ["docker", "compose", "pull"]),
        (2, ["docker", "compose", "-f", "prod.yml", "down", "-v"]),
        (4, ["echo", "failed"]),
        (4, ["docker", "ps"]),
        (4, ["grep", "web"]),
    ]


def test_first_line_and_line_map_give_file_lines() -> None:
    found = commands("docker ps\n\ndocker images\n", first_line=10)
    assert found == [(10, ["docker", "ps"]), (12, ["docker", "images"])]
    source = ShellSource("ci.yml", "docker ps\ndocker images", 1, "workflow run step", line_map=[7, 9])
    assert [c.line for c in source.commands()] == [7, 9]


def test_compound_commands_functions_and_substitutions() -> None:
    text = """
        deploy() {
          for f in a b; do docker volume rm "$f"; done
          if true; then (cd /srv && docker compose up -d); fi
          while read -r id; do docker rm "$id"; done < ids.txt
        }
        ids=$(docker ps -q)
        """
    found = find_commands(dedent(text).lstrip("\n"))
    assert [(c.line, c.argv, c.function) for c in found] == [
        (2, ["docker", "volume", "rm", "$f"], "deploy"),
        (3, ["true"], "deploy"),
        (3, ["cd", "/srv"], "deploy"),
        (3, ["docker", "compose", "up", "-d"], "deploy"),
        (4, ["read", "-r", "id"], "deploy"),
        (4, ["docker", "rm", "$id"], "deploy"),
        (6, ["docker", "ps", "-q"], ""),
    ]


def test_wrappers_and_assignments_are_unwrapped() -> None:
    assert argvs("""
        sudo -u deploy docker compose down
        env -i HOME=/root COMPOSE_FILE=prod.yml docker compose down
        nohup docker compose up &
        FOO=1 BAR=2 exec docker compose logs
        docker volume ls -q | xargs -r -n 1 docker volume inspect
        timeout -s KILL 60 docker compose stop
        command docker compose ps
        command -v docker
        """) == [
        ["docker", "compose", "down"],
        ["docker", "compose", "down"],
        ["docker", "compose", "up"],
        ["docker", "compose", "logs"],
        ["docker", "volume", "ls", "-q"],
        ["docker", "volume", "inspect"],
        ["docker", "compose", "stop"],
        ["docker", "compose", "ps"],
        ["command", "-v", "docker"],
    ]


def test_sh_c_bash_c_and_eval_are_parsed_recursively() -> None:
    found = commands("""
        bash -c 'docker compose down -v'
        sudo sh -ec "cd /srv && docker system prune -f"
        eval "docker volume rm cache"
        bash deploy.sh
        """)
    assert (1, ["docker", "compose", "down", "-v"]) in found
    assert (2, ["docker", "system", "prune", "-f"]) in found
    assert (3, ["docker", "volume", "rm", "cache"]) in found
    assert (4, ["bash", "deploy.sh"]) in found


def test_ssh_remote_command_is_parsed_and_marked_remote() -> None:
    text = """
        ssh -i key.pem -p 2222 deploy@prod.example.com 'cd /srv/app &&
          docker compose down -v'
        ssh prod docker compose ps
        """
    found = find_commands(dedent(text).lstrip("\n"))
    remote = [(c.line, c.argv) for c in found if c.remote]
    assert remote == [(1, ["cd", "/srv/app"]), (2, ["docker", "compose", "down", "-v"]),
                      (3, ["docker", "compose", "ps"])]


def test_heredoc_fed_to_ssh_or_a_shell_is_run_but_cat_heredoc_is_not() -> None:
    text = """
        cat > notes.txt <<'EOF'
        docker compose down -v
        EOF
        ssh deploy@prod <<'REMOTE'
          cd /srv/app
          docker compose down --volumes
        REMOTE
        bash -s <<EOF
        docker volume prune -f
        EOF
        cat <<-EOF | tee x
        \tdocker system prune --volumes
        \tEOF
        echo done
        """
    found = find_commands(dedent(text).lstrip("\n"))
    assert [(c.line, c.argv, c.remote) for c in found] == [
        (1, ["cat"], False),
        (4, ["ssh", "deploy@prod"], False),
        (5, ["cd", "/srv/app"], True),
        (6, ["docker", "compose", "down", "--volumes"], True),
        (8, ["bash", "-s"], False),
        (9, ["docker", "volume", "prune", "-f"], False),
        (11, ["cat"], False),
        (11, ["tee", "x"], False),
        (14, ["echo", "done"], False),
    ]


def test_comments_echo_printf_and_strings_are_not_commands() -> None:
    found = argvs("""
        # docker compose down -v
        echo "run docker compose down -v to reset"   # docker volume rm x
        printf '%s\\n' 'docker system prune --volumes'
        MESSAGE="docker volume prune"
        """)
    assert found == [
        ["echo", "run docker compose down -v to reset"],
        ["printf", "%s\\n", "docker system prune --volumes"],
    ]


def test_github_expressions_keep_parsing_and_come_back_in_argv() -> None:
    text = """
        docker login -u ${{ github.actor }} -p ${{ secrets.GITHUB_TOKEN }} ghcr.io
        echo "${{ toJSON(github.event) }}" | jq . && docker compose down
        """
    assert argvs(text) == [
        ["docker", "login", "-u", "${{ github.actor }}", "-p", "${{ secrets.GITHUB_TOKEN }}", "ghcr.io"],
        ["echo", "${{ toJSON(github.event) }}"],
        ["jq", "."],
        ["docker", "compose", "down"],
    ]


def test_syntax_bashlex_rejects_still_gives_every_command() -> None:
    text = """
        if [[ "$ENV" == prod ]]; then
          docker compose down -v
        fi
        count=$(( $(docker ps -q | wc -l) + 1 ))
        case "$1" in
          reset|nuke) docker volume prune -af ;;
          *) time docker compose up -d ;;
        esac
        reset() {
          [[ -n "$FORCE" ]] || exit 1
          docker system prune --volumes
        }
        """
    found = commands(text)
    assert (2, ["docker", "compose", "down", "-v"]) in found
    assert (4, ["docker", "ps", "-q"]) in found
    assert (6, ["docker", "volume", "prune", "-af"]) in found
    assert (7, ["docker", "compose", "up", "-d"]) in found
    assert (11, ["docker", "system", "prune", "--volumes"]) in found
    assert not any(argv[0] in ("reset", "nuke", "[[", "*", "]]", "1") for _, argv in found)
    [source] = parse_script(dedent(text).lstrip("\n"), "x.sh").shell_sources()
    functions = {c.line: c.function for c in source.commands()}
    assert functions[11] == "reset"


def test_simple_variables_holding_a_command_are_expanded() -> None:
    assert argvs("""
        DC="docker compose -f docker-compose.prod.yml"
        $DC down -v
        ${DC} up -d
        """) == [
        ["docker", "compose", "-f", "docker-compose.prod.yml", "down", "-v"],
        ["docker", "compose", "-f", "docker-compose.prod.yml", "up", "-d"],
    ]
    # A name given two values (or a computed one) is left alone.
    assert argvs("""
        D=docker
        D=true
        $D volume prune
        """)[-1] == ["$D", "volume", "prune"]


def test_parse_script_gives_one_source() -> None:
    [source] = parse_script("docker ps\n", "deploy.sh").shell_sources()
    assert (source.path, source.first_line, source.origin) == ("deploy.sh", 1, "script")
    assert [c.argv for c in source.commands()] == [["docker", "ps"]]
    assert source.commands() is source.commands()  # cached


def test_huge_input_is_bounded() -> None:
    text = "docker ps && \\\n" * 20_000 + "if [[ x ]]; then\n" * 2000
    found = find_commands(text)
    assert found and len(found) <= 20_000


SHELLISH = st.lists(
    st.sampled_from(
        [*"abc -\n\t'\"{}[]()&|;<>#$`\\=*!~", "docker", " compose", " down", " -v", "<<EOF\n", "\nEOF\n", "$((",
         "[[", "]]", "${{", "}}", "ssh h ", "bash -c ", "sudo ", "case ", " in ", "esac", "if ", "then", "fi", "é"]
    ),
    max_size=120,
).map("".join)


@given(SHELLISH)
def test_commands_never_raise(text: str) -> None:
    for command in ShellSource("x.sh", text, 3, "script").commands():
        assert 3 <= command.line <= command.end_line
        assert command.argv


@given(st.text(max_size=300))
def test_commands_never_raise_on_any_text(text: str) -> None:
    assert isinstance(ShellSource("x.sh", text, 1, "script").commands(), list)


def test_the_parser_reads_only_ascii_and_words_keep_their_text() -> None:
    # tree-sitter-bash can crash the process on some non-ASCII input (a pull request's bytes):
    # it reads an ASCII copy of the same length, and the words come from the original text.
    text = "docker run -e GRÜSSE=ça-va \udce9 ghcr.io/acme/app:1\n"
    (command,) = ShellSource("x.sh", text, 1, "script").commands()
    assert command.argv[:4] == ["docker", "run", "-e", "GRÜSSE=ça-va"]
    assert command.argv[5] == "ghcr.io/acme/app:1"  # the lone surrogate is one word (read back replaced)
