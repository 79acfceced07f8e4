"""The shell parser on bash syntax: compound commands, words as the shell splits them, positions,
here-documents, and syntax errors that cost only the broken statement."""

from textwrap import dedent

from dockreview.rules.parse.shell import Command, ShellSource, find_commands


def found(text: str) -> list[Command]:
    return find_commands(dedent(text).lstrip("\n"))


def lines(text: str) -> list[tuple[int, list[str]]]:
    return [(c.line, c.argv) for c in found(text)]


def test_compound_commands_tests_and_arithmetic() -> None:
    text = """
        [[ -n "$(docker ps -q)" && $MODE == prod ]] && docker compose down
        (( count = $(docker volume ls -q | wc -l) + 1 ))
        case "$1" in
          up|start) docker compose up -d ;;
          *) { docker compose ps; } ;;
        esac
        function clean { (cd /srv && docker system prune -f) || ! docker info; }
        until docker info >/dev/null 2>&1; do sleep 1; done
        for ((i = 0; i < 3; i++)); do docker pull "img:$i"; done
        """
    assert lines(text) == [
        (1, ["docker", "ps", "-q"]),
        (1, ["docker", "compose", "down"]),
        (2, ["docker", "volume", "ls", "-q"]),
        (2, ["wc", "-l"]),
        (4, ["docker", "compose", "up", "-d"]),
        (5, ["docker", "compose", "ps"]),
        (7, ["cd", "/srv"]),
        (7, ["docker", "system", "prune", "-f"]),
        (7, ["docker", "info"]),
        (8, ["docker", "info"]),
        (8, ["sleep", "1"]),
        (9, ["docker", "pull", "img:$i"]),
    ]
    assert {c.function for c in found(text) if c.line == 7} == {"clean"}


def test_substitutions_run_their_commands_before_the_command_using_them() -> None:
    assert lines("""
        docker rm -f $(docker ps -aq) `docker ps -q` <(docker images -q)
        """) == [
        (1, ["docker", "ps", "-aq"]),
        (1, ["docker", "ps", "-q"]),
        (1, ["docker", "images", "-q"]),
        (1, ["docker", "rm", "-f", "$(docker ps -aq)", "`docker ps -q`", "<(docker images -q)"]),
    ]


def test_words_after_quote_removal_and_concatenation() -> None:
    [command] = found("""
        DOCKER_BUILDKIT=1 docker run -v "$PWD"/data:'/data' --name=web"-"1 a\\ b $'x' \\
          -e "A=\\"q\\"" $IMAGE:$TAG-amd64 >/dev/null -d 2>&1
        """)
    assert command.argv == ["docker", "run", "-v", "$PWD/data:/data", "--name=web-1", "a b", "x", "-e", 'A="q"',
                            "$IMAGE:$TAG-amd64", "-d"]
    assert (command.line, command.end_line) == (1, 2)


def test_positions_are_lines_and_columns_of_the_first_word() -> None:
    commands = found("""
        cd /srv && \\
          sudo docker compose down
        if true; then docker ps; fi
        """)
    assert [(c.line, c.column, c.argv[0]) for c in commands] == [(1, 1, "cd"), (2, 3, "docker"), (3, 4, "true"),
                                                                 (3, 15, "docker")]
    # Non-ASCII text before a command: the column counts characters, not bytes.
    [_, docker] = find_commands("echo 'é'; docker ps")
    assert docker.column == 11
    source = ShellSource("ci.yml", "echo a\n  docker ps", 1, "workflow run step", line_map=[20, 21])
    assert [(c.line, c.column) for c in source.commands()] == [(20, 1), (21, 3)]


def test_assignments_and_declarations() -> None:
    text = """
        COMPOSE="docker compose -p shop" TAG=1
        export DC="docker compose"
        FOO=bar $COMPOSE down -v
        $DC ps
        readonly X=$(docker ps -q)
        """
    assert lines(text) == [
        (2, ["export", "DC=docker compose"]),
        (3, ["docker", "compose", "-p", "shop", "down", "-v"]),
        (4, ["docker", "compose", "ps"]),
        (5, ["docker", "ps", "-q"]),
        (5, ["readonly", "X=$(docker ps -q)"]),
    ]


def test_heredocs_to_remote_and_local_shells() -> None:
    text = """
        ssh -T deploy@prod bash -s <<'EOF'
          docker compose down -v
        EOF
        sudo sh <<EOF && docker ps
        docker volume prune -f
        EOF
        cat <<EOF > compose.override.yml
        $(docker ps)
        EOF
        """
    assert [(c.line, c.end_line, c.argv, c.remote) for c in found(text)] == [
        (1, 1, ["ssh", "-T", "deploy@prod", "bash", "-s"], False),
        (1, 1, ["bash", "-s"], True),
        (2, 2, ["docker", "compose", "down", "-v"], True),
        (4, 4, ["sh"], False),
        (5, 5, ["docker", "volume", "prune", "-f"], False),
        (4, 4, ["docker", "ps"], False),
        (7, 7, ["cat"], False),
    ]


def test_a_broken_statement_costs_only_itself() -> None:
    # tree-sitter-bash fails on `[ "$a" '<' "$b" ]`; the file after it is still read, in its function.
    text = """
        docker compose pull
        reset() {
          if [ "$a" '<' "$b" ]; then
            docker system prune -af
          fi
          docker volume rm data
        }
        docker compose up -d
        """
    assert [(c.line, c.argv, c.function) for c in found(text)] == [
        (1, ["docker", "compose", "pull"], ""),
        (4, ["docker", "system", "prune", "-af"], "reset"),
        (6, ["docker", "volume", "rm", "data"], "reset"),
        (8, ["docker", "compose", "up", "-d"], ""),
    ]


def test_a_broken_line_opening_a_heredoc_skips_its_body() -> None:
    text = """
        docker ps
        cat <<EOF ) oops
        docker volume prune -f
        EOF
        docker images
        """
    argvs = [c.argv for c in found(text)]
    assert ["docker", "volume", "prune", "-f"] not in argvs
    assert argvs[0] == ["docker", "ps"] and argvs[-1] == ["docker", "images"]


def test_a_broken_statement_in_a_real_script_keeps_the_commands_after_it() -> None:
    # The grammar gives up on the whole rest of the file after its first error unless it is re-read.
    text = "docker ps\n" + 'if [ "$a" \'<\' "$b" ]; then\n  echo\nfi\n' + "docker compose down -v\n" * 500
    commands = find_commands(text)
    assert commands[0].argv == ["docker", "ps"]
    assert sum(c.argv == ["docker", "compose", "down", "-v"] for c in commands) == 500


def test_hostile_nesting_and_size_are_bounded() -> None:
    for text in [
        "$(" * 5000 + "docker ps" + ")" * 5000,
        "(" * 50_000 + "docker ps",
        "{ " * 50_000,
        "if x; then\n" * 10_000 + "docker ps\n",
        "a ) b\n" * 20_000,
        "echo 'x\n" * 50_000,
        "docker ps && \\\n" * 30_000,
        'bash -c "' * 2000 + "docker ps",
    ]:
        commands = find_commands(text)
        assert isinstance(commands, list) and len(commands) <= 20_000
    assert len(find_commands("docker ps\n" * 30_000)) == 20_000


def test_each_argv_word_has_its_file_line_and_column() -> None:
    source = ShellSource("deploy.sh", 'DC="docker compose"\n$DC \\\n  down -v\nsudo -E docker  ps', 5, "script")
    assert [(c.argv, c.positions) for c in source.commands()] == [
        (["docker", "compose", "down", "-v"], [(6, 1), (6, 1), (7, 3), (7, 8)]),
        (["docker", "ps"], [(8, 9), (8, 17)]),
    ]


def test_text_dense_with_syntax_errors_is_read_in_parts() -> None:
    # Error recovery is slow on such text: a parse that runs too long is cancelled and each half of the
    # text parsed on its own (how far it gets depends on the machine's speed); what comes out is sound.
    commands = find_commands("a ) b\n" * 150_000 + "docker ps\n")
    assert all(c.argv in (["a", "b"], ["b"], ["docker", "ps"]) for c in commands)
    assert [c.argv for c in find_commands("docker ps\n")] == [["docker", "ps"]]  # the parser starts afresh
