from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.parse.dockerfile import Dockerfile, Stage
from dockreview.rules.rule import Context, Hit, Kind, Rule


class HardcodedPlatform(Rule[Dockerfile]):
    """
    ## What it does
    Finds `FROM --platform=linux/amd64` (or any other literal platform) that pins a stage to one
    CPU architecture. `--platform=$BUILDPLATFORM` and `--platform=$TARGETPLATFORM` (the
    cross-compilation pattern) and other variables are fine.

    Not reported: `--platform=linux` (it names the OS; the architecture stays the build's), and
    digest-pinned stages that run nothing and are only copied from (`COPY --from=xx`), such as
    helper images. Confidence: high; low for a tag-pinned stage that runs nothing (only the files
    copied from it are affected).

    ## Why is this bad?
    The image is built for one architecture whatever the machine or the `--platform` the build
    asks for. On ARM hosts (Apple Silicon laptops, Graviton and Ampere servers, Raspberry Pi) the
    stage runs under QEMU emulation: builds get many times slower and some programs crash under
    emulation. When the final stage is pinned, an ARM server gets an amd64 image that only runs
    emulated, or fails with `exec format error`; when a builder stage is pinned, the binaries it
    compiles are amd64 binaries copied into an image for another architecture.

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 golang:1.23 AS build
    RUN go build -o /out/app .
    FROM --platform=linux/amd64 gcr.io/distroless/static-debian12
    COPY --from=build /out/app /app
    ```

    Use instead:
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    FROM gcr.io/distroless/static-debian12
    COPY --from=build /out/app /app
    ```

    ## How to fix
    Remove the flag and choose platforms when building (`docker buildx build --platform
    linux/amd64,linux/arm64`, `platforms:` in `docker/build-push-action` or compose). For builder
    stages, use `--platform=$BUILDPLATFORM` and cross-compile for `$TARGETPLATFORM`. If a
    dependency really exists only for amd64, keep the pin and suppress this finding with a comment
    saying so.
    """

    code = "DR202"
    slug = "dockerfile-hardcoded-platform"
    category = Category.ARCHITECTURE
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "Stage pinned to one CPU architecture"
    fix = "Drop the literal `--platform` and choose platforms at build time, or use `$BUILDPLATFORM` for builders"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        final = doc.final_stage
        for stage in doc.stages:
            flag = stage.instruction.flag("platform")
            if flag is None or not flag.value or "$" in flag.value or "{{" in flag.value:
                continue
            if "/" not in flag.value:
                continue  # `linux` names the OS only; the architecture is still the build's
            confidence = Confidence.HIGH
            if stage is not final and _runs_nothing(doc, stage):
                if "@sha256:" in stage.base:
                    continue  # a pinned file source: nothing runs emulated
                confidence = Confidence.LOW
            if stage is final:
                effect = (
                    f"the image is `{flag.value}` only: other architectures (ARM servers, Apple Silicon) run it "
                    "under emulation or fail with `exec format error`"
                )
            elif confidence is Confidence.LOW:
                effect = (
                    f"this stage runs nothing, but the files copied from it are the `{flag.value}` ones whatever "
                    "platform the image is built for (binaries among them will not run elsewhere)"
                )
            else:
                effect = (
                    f"on other architectures this stage runs emulated, and what it compiles is for `{flag.value}` "
                    "whatever platform the image is built for"
                )
            name = f"stage `{stage.alias}`" if stage.alias else ("the final stage" if stage is final else "a stage")
            yield Hit(
                line=flag.line,
                column=flag.column,
                message=f"`--platform={flag.value}` pins {name} to one architecture: {effect}",
                evidence=f"{stage.name}:{flag.value}",
                confidence=confidence,
            )


def _runs_nothing(doc: Dockerfile, stage: Stage) -> bool:
    """No RUN in the stage and no stage built `FROM` it: it is only a source of `COPY --from` files."""
    if any(i.keyword in ("RUN", "ONBUILD") for i in stage.instructions):
        return False
    names = {stage.name.lower(), str(stage.index)}
    return not any(other.base.lower() in names for other in doc.stages if other is not stage)
