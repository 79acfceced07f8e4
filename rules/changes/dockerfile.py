"""Dockerfiles compared stage by stage: base image and platform of each stage, and what the image
runs as (user, entrypoint, command, exposed ports, healthcheck, and the ENV of the stages the
default build ships: the final stage and the stages it is built FROM). Stages are matched by alias; an
unnamed last stage is `final`, other unnamed stages keep their index.

The base is compared as the Dockerfile model resolves it with the ARG defaults: `FROM ${NODE_IMAGE}`
with `ARG NODE_IMAGE=node:22-alpine` is the same base as `FROM node:22-alpine`, and a base changed
only through its `ARG` default is a changed base, anchored on that ARG line."""

from __future__ import annotations

from dockreview.rules.changes import ContainerChange, cached, safe
from dockreview.rules.changes.lines import LineMap
from dockreview.rules.docker.secrets import MASK, is_secret_name
from dockreview.rules.model.dockerfile import DockerfileModel
from dockreview.rules.parse.dockerfile import Dockerfile, Stage
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import frozen

KIND = "dockerfile"


@frozen
class Fact:
    value: str
    line: int
    # (variable, value, line) of each ARG the value is made from, in this file: a changed base is
    # shown on the ARG whose value changed, not on the first one it uses
    uses: tuple[tuple[str, str | None, int], ...] = ()

    def changed_line(self, before: Fact | None) -> int:
        """The line that makes this value differ from `before`: of the ARGs whose value changed, the
        innermost (`ARG BUILD_FROM=alpine:${ALPINE_VERSION}`: the `ALPINE_VERSION` line)."""
        old = {name: value for name, value, _line in before.uses} if before is not None else {}
        changed = [(len(value or ""), line) for name, value, line in self.uses if name not in old or old[name] != value]
        return min(changed)[1] if changed else self.line


StageFacts = dict[str, dict[str, Fact]]


def stage_name(doc: Dockerfile, stage: Stage) -> str:
    if stage.alias:
        return stage.alias
    return "final" if stage is doc.final_stage else str(stage.index)


def stage_facts(doc: Dockerfile, stage: Stage, resolved: DockerfileModel | None = None) -> StageFacts:
    base = Fact(stage.base, stage.line)
    if resolved is not None and stage.index < len(resolved.stages):
        value = resolved.stages[stage.index].base
        uses = tuple((use.name, use.value, use.origin.line) for use in value.variables
                     if use.origin is not None and use.origin.path == doc.path)
        base = Fact(value.text or stage.base, uses[0][2] if uses else stage.line, uses)
    fields: StageFacts = {"base": {"": base}}
    if stage.platform:
        fields["platform"] = {"": Fact(stage.platform, stage.line)}
    for keyword, name in (("USER", "user"), ("ENTRYPOINT", "entrypoint"), ("CMD", "cmd"),
                          ("HEALTHCHECK", "healthcheck")):
        last = stage.last(keyword)
        if last is not None:
            fields[name] = {"": Fact(last.command_text() if keyword != "USER" else last.rest.strip(), last.line)}
    exposed: dict[str, Fact] = {}
    for expose in stage.all("EXPOSE"):
        for port in expose.arguments:
            key = port if "/" in port else f"{port}/tcp"
            exposed[key] = Fact(key, expose.line)
    if exposed:
        fields["expose"] = exposed
    if resolved is not None and stage.index < len(resolved.stages):
        # images read by `COPY --from=<image>` and `RUN --mount=...,from=<image>`: paired by repository,
        # so a new tag of the same image is one changed row
        images: dict[str, Fact] = {}
        for ref in resolved.stages[stage.index].references:
            if ref.kind != "from" and ref.stage is None and ref.name and "$" not in ref.name:
                images.setdefault(parse_image(ref.name).repository, Fact(ref.name, ref.origin.line))
        if images:
            fields["copies from image"] = images
        if stage.index in resolved.image().shipped:  # the environment every container of the image starts with
            env = {name: Fact(f"{name}={MASK if is_secret_name(name) else value.raw}", value.origin.line)
                   for name, value in resolved.stages[stage.index].env.items()}
            if env:
                fields["env"] = env
    return fields


def model(doc: Dockerfile) -> dict[str, tuple[Stage, StageFacts]]:
    resolved = DockerfileModel(doc) if doc.stages else None
    return {stage_name(doc, s): (s, stage_facts(doc, s, resolved)) for s in doc.stages}


def compare_file(base: Snapshot, head: Snapshot, head_path: str | None, base_path: str | None) -> list[
        ContainerChange]:
    old_doc = base.try_document(base_path) if base_path else None
    new_doc = head.try_document(head_path) if head_path else None
    out: list[ContainerChange] = []
    if head_path is None and base_path is not None:
        out.append(ContainerChange(base_path, KIND, "", "file", base_path, None, None, 1, base_path))
        return out
    if head_path is None:
        return out
    if base_path is None:
        out.append(ContainerChange(head_path, KIND, "", "file", None, head_path, 1))
        if isinstance(new_doc, Dockerfile):
            for name, (stage, _facts) in model(new_doc).items():
                out.append(ContainerChange(head_path, KIND, name, "stage", None, safe(stage.base), stage.line))
        return out
    if head_path != base_path:
        out.append(ContainerChange(head_path, KIND, "", "path", base_path, head_path, 1, 1, base_path))
    if not isinstance(old_doc, Dockerfile) or not isinstance(new_doc, Dockerfile):
        return out
    old, new = model(old_doc), model(new_doc)
    line_map = cached(head, ("linemap", id(base), base_path, head_path),
                      lambda: LineMap(old_doc.lines, new_doc.lines))
    for name, (stage, _facts) in old.items():
        if name not in new:
            anchor = _stage_anchor(line_map, stage.line, new_doc)
            out.append(ContainerChange(head_path, KIND, name, "stage", safe(stage.base), None, anchor, stage.line,
                                       base_path))
    for name, (stage, _facts) in new.items():
        if name not in old:
            out.append(ContainerChange(head_path, KIND, name, "stage", None, safe(stage.base), stage.line))
    for name in new:
        if name not in old:
            continue
        (_old_stage, old_facts), (new_stage, new_facts) = old[name], new[name]
        last_line = new_stage.instructions[-1].last_line if new_stage.instructions else new_stage.line
        for field_name in sorted(set(old_facts) | set(new_facts)):
            before, after = old_facts.get(field_name, {}), new_facts.get(field_name, {})
            for key in sorted(set(before) | set(after)):
                b, a = before.get(key), after.get(key)
                if b is not None and a is not None and b.value == a.value:
                    continue
                line = a.changed_line(b) if a else line_map.anchor(b.line, new_stage.line, last_line) if b else None
                out.append(ContainerChange(head_path, KIND, name, field_name, safe(b.value) if b else None,
                                           safe(a.value) if a else None, line, b.line if b else None, base_path,
                                           key))
    return out


def _stage_anchor(line_map: LineMap, base_line: int, doc: Dockerfile) -> int | None:
    line, _survived = line_map.head_position(base_line)
    return line_map.anchor(base_line, 1, len(doc.lines)) if line else None
