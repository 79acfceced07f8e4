from tests.helpers import findings, lines

RULE = "DR202"


def test_literal_platform_fires_on_the_flag() -> None:
    files = {
        "Dockerfile": (
            "FROM --platform=linux/amd64 golang:1.23 AS build\n"
            "RUN go build -o /app .\n"
            "FROM --platform=linux/amd64 debian:12-slim\n"
            "COPY --from=build /app /app\n"
        )
    }
    builder, final = findings(files, rule=RULE)
    assert (builder.line, builder.column) == (1, 6)
    assert "stage `build`" in builder.message and "emulated" in builder.message
    assert (final.line, final.column) == (3, 6)
    assert "the final stage" in final.message and "exec format error" in final.message


def test_platform_variables_are_fine() -> None:
    files = {
        "Dockerfile": (
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
            "FROM --platform=${TARGETPLATFORM} alpine:3.20\n"
            "FROM alpine:3.20\n"
        )
    }
    assert lines(files, RULE) == []
