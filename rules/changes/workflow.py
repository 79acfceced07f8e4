"""Workflows compared for what they do to images: per job, the images built and pushed, their
tags, platforms and registries; per workflow and job, triggers and permissions."""

from __future__ import annotations

from typing import Any

from dockreview.rules.changes import ContainerChange, cached, safe
from dockreview.rules.changes.lines import LineMap, block_end
from dockreview.rules.parse.workflow import Job, Workflow
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.snapshot import Snapshot

KIND = "workflow"
BUILD_PUSH = "docker/build-push-action"
LOGIN_ACTIONS = ("docker/login-action", "aws-actions/amazon-ecr-login", "azure/docker-login",
                 "redhat-actions/podman-login")
Facts = dict[str, dict[str, tuple[str, int]]]  # field -> item -> (value, line)


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    items = []
    for line in value.replace(",", "\n").split("\n"):
        item = line.strip()
        if item and not item.startswith("#"):
            items.append(item)
    return items


def _truthy(value: str | None) -> bool:
    text = (value or "").strip().lower()
    return text in ("true", "yes", "on", "1") or ("${{" in text and text != "${{ false }}")


def _permissions(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, dict):
        return ", ".join(f"{k}: {as_str(v)}" for k, v in sorted(raw.items(), key=lambda kv: str(kv[0])))
    return as_str(raw)


def job_facts(workflow: Workflow, job: Job) -> Facts:
    facts: Facts = {}

    def add(field: str, key: str, value: str, line: int) -> None:
        facts.setdefault(field, {}).setdefault(key, (value, line))

    perms = _permissions(job.permissions)
    if perms is not None:
        add("permissions", "", perms, job.key_line("permissions"))
    pushes = False
    for step in job.steps:
        if step.uses_action(*LOGIN_ACTIONS):
            registry = step.input_value("registry") or ("ecr" if "ecr" in step.uses.name else "docker.io")  # type: ignore[union-attr]
            add("registries", registry, registry, step.input_line("registry"))
        if not step.uses_action(BUILD_PUSH):
            continue
        push = _truthy(step.input_value("push")) or "type=registry" in (step.input_value("outputs") or "")
        pushes = pushes or push
        for tag in _split(step.input_value("tags")):
            add("tags", tag, tag, step.input_line("tags"))
            if push and "/" in tag.split(":", 1)[0] and "." in tag.split("/", 1)[0]:
                host = tag.split("/", 1)[0]
                add("registries", host, host, step.input_line("tags"))
        for platform in _split(step.input_value("platforms")):
            add("platforms", platform, platform, step.input_line("platforms"))
        context = step.input_value("context") or "."
        file = step.input_value("file")
        add("builds", context + (f" ({file})" if file else ""), context + (f" ({file})" if file else ""),
            step.input_line("context") if step.input("context") else step.line)
    if any(step.uses_action(BUILD_PUSH) for step in job.steps):
        add("push", "", "true" if pushes else "false", job.line)
    return facts


def model(workflow: Workflow) -> tuple[Facts, dict[str, tuple[Job, Facts]]]:
    top: Facts = {}
    for event, line in workflow.triggers.items():
        top.setdefault("on", {})[event] = (event, line)
    perms = _permissions(workflow.permissions)
    if perms is not None:
        top["permissions"] = {"": (perms, workflow.permissions_line)}
    return top, {job_id: (job, job_facts(workflow, job)) for job_id, job in workflow.jobs.items()}


def pushes(facts: Facts) -> bool:
    return facts.get("push", {}).get("", ("false", 0))[0] == "true"


def compare_file(base: Snapshot, head: Snapshot, head_path: str | None, base_path: str | None) -> list[
        ContainerChange]:
    old_doc = base.try_document(base_path) if base_path else None
    new_doc = head.try_document(head_path) if head_path else None
    out: list[ContainerChange] = []
    if head_path is None:
        if base_path is not None:
            out.append(ContainerChange(base_path, KIND, "", "file", base_path, None, None, 1, base_path))
        return out
    if base_path is None:
        out.append(ContainerChange(head_path, KIND, "", "file", None, head_path, 1))
        if isinstance(new_doc, Workflow):
            for job_id, (job, facts) in model(new_doc)[1].items():
                if facts:
                    out.append(ContainerChange(head_path, KIND, job_id, "job", None, job_id, job.line))
        return out
    if head_path != base_path:
        out.append(ContainerChange(head_path, KIND, "", "path", base_path, head_path, 1, 1, base_path))
    if not isinstance(old_doc, Workflow) or not isinstance(new_doc, Workflow):
        return out
    old_top, old_jobs = model(old_doc)
    new_top, new_jobs = model(new_doc)
    line_map = cached(head, ("linemap", id(base), base_path, head_path),
                      lambda: LineMap(old_doc.lines, new_doc.lines))

    def diff(name: str, before: Facts, after: Facts, first: int, last: int) -> None:
        for field_name in sorted(set(before) | set(after)):
            b_items, a_items = before.get(field_name, {}), after.get(field_name, {})
            for key in sorted(set(b_items) | set(a_items)):
                b, a = b_items.get(key), a_items.get(key)
                if b is not None and a is not None and b[0] == a[0]:
                    continue
                line = a[1] if a else line_map.anchor(b[1], first, last) if b else None
                out.append(ContainerChange(head_path, KIND, name, field_name, safe(b[0]) if b else None,
                                           safe(a[0]) if a else None, line, b[1] if b else None, base_path, key))

    diff("", old_top, new_top, 1, len(new_doc.lines))
    for job_id, (job, facts) in old_jobs.items():
        if job_id not in new_jobs and facts:
            out.append(ContainerChange(head_path, KIND, job_id, "job", job_id, None, None, job.line, base_path))
    for job_id, (job, facts) in new_jobs.items():
        if job_id not in old_jobs:
            if facts:
                out.append(ContainerChange(head_path, KIND, job_id, "job", None, job_id, job.line))
            continue
        diff(job_id, old_jobs[job_id][1], facts, job.line, block_end(new_doc.lines, job.line))
    return out
