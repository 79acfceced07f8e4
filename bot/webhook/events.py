"""Event routing: the job a webhook delivery asks the worker to do, built from the payload without any API call."""

from __future__ import annotations

from typing import Any

from dockreview.bot.queue.job import Job

REVIEW_ACTIONS = {"opened", "synchronize", "reopened", "ready_for_review"}
RECHECK_COMMAND = "/recheck"
RECHECK_ASSOCIATIONS = {"OWNER", "MEMBER", "COLLABORATOR"}


class BadPayload(ValueError):
    """The payload does not have the shape GitHub sends for this event."""


def _get(data: Any, *path: str, kind: type | tuple[type, ...] = object, required: bool = True) -> Any:
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            if required:
                raise BadPayload(f"missing {'.'.join(path)}")
            return None
        node = node[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wrong = node is not None and (not isinstance(node, kind) or (isinstance(node, bool) and bool not in kinds))
    if wrong or (node is None and required):  # JSON true/false is no number: bool is an int subclass
        if required:
            raise BadPayload(f"{'.'.join(path)} has the wrong type")
        return None
    return node


def _repo(payload: Any) -> tuple[str, str]:
    full = _get(payload, "repository", "full_name", kind=str)
    owner, _, name = full.partition("/")
    if not owner or not name:
        raise BadPayload("repository.full_name is not owner/name")
    return owner, name


def _installation(payload: Any) -> int:
    value = _get(payload, "installation", "id", kind=int)
    if isinstance(value, bool):
        raise BadPayload("installation.id has the wrong type")
    return int(value)


def job_for(event: str, payload: Any, delivery_id: str, app_id: str | None = None) -> Job | None:
    """The job a delivery asks for, None when dockreview ignores it. Raises BadPayload for bad shapes."""
    if not isinstance(payload, dict):
        raise BadPayload("payload is not a JSON object")
    action = payload.get("action") if isinstance(payload.get("action"), str) else None  # a list is unhashable
    if event == "pull_request":
        retargeted = action == "edited" and isinstance(_get(payload, "changes", "base", required=False), dict)
        if action not in REVIEW_ACTIONS and not retargeted:  # a new base: a new diff, config and result
            return None
        owner, repo = _repo(payload)
        pr = _get(payload, "pull_request", "number", kind=int)
        head = _get(payload, "pull_request", "head", "sha", kind=str)
        updated = _get(payload, "pull_request", "updated_at", kind=str, required=False)
        return Job("review", _installation(payload), owner, repo, pr, head, delivery_id, event,
                   updated_at=updated[:40] if updated else None)
    if event == "issue_comment":
        if action != "created" or not _get(payload, "issue", "pull_request", kind=dict, required=False):
            return None
        body = _get(payload, "comment", "body", kind=str, required=False) or ""
        if body.strip().lower() != RECHECK_COMMAND:
            return None
        user_type = _get(payload, "comment", "user", "type", kind=str, required=False)
        if user_type == "Bot":
            return None
        association = _get(payload, "comment", "author_association", kind=str, required=False)
        if association is not None and association not in RECHECK_ASSOCIATIONS:
            return None  # an outsider's /recheck costs no job (the worker checks write permission too)
        owner, repo = _repo(payload)
        return Job(
            "recheck", _installation(payload), owner, repo,
            _get(payload, "issue", "number", kind=int), None, delivery_id, event,
            comment_id=_get(payload, "comment", "id", kind=int),
            requested_by=_get(payload, "comment", "user", "login", kind=str),
        )
    if event == "merge_group":
        if action != "checks_requested":
            return None
        owner, repo = _repo(payload)
        return Job("merge_group", _installation(payload), owner, repo, None,
                   _get(payload, "merge_group", "head_sha", kind=str), delivery_id, event,
                   base_sha=_get(payload, "merge_group", "base_sha", kind=str))
    if event in ("check_run", "check_suite"):
        if action != "rerequested":
            return None
        node = _get(payload, event, kind=dict)
        owner_app = _get(node, "app", "id", kind=int, required=False)
        if app_id and owner_app is not None and str(owner_app) != str(app_id):
            return None  # another App's check
        if event == "check_run" and node.get("name") not in (None, "dockreview"):
            return None
        owner, repo = _repo(payload)
        prs = node.get("pull_requests")
        first = prs[0] if isinstance(prs, list) and prs else None
        number = first.get("number") if isinstance(first, dict) else None
        if number is None and event == "check_run":
            external = str(node.get("external_id") or "").split(":")[0]  # "<pr>:<job id>": worker/check_run.py
            number = int(external) if external.isdigit() else None
            base = external.removeprefix("merge-group@")  # a merge group's run: worker/merge_group.py
            if base != external and len(base) == 40:
                return Job("merge_group", _installation(payload), owner, repo, None,
                           _get(node, "head_sha", kind=str), delivery_id, event, base_sha=base)
        return Job(
            "rerun", _installation(payload), owner, repo,
            number if type(number) is int else None,
            _get(node, "head_sha", kind=str), delivery_id, event,
            check_run_id=node.get("id") if event == "check_run" and type(node.get("id")) is int else None,
        )
    return None
