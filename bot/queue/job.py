"""The job: what a webhook delivery asks a worker to do, as it travels through the queue (JSON)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

JobKind = Literal["review", "recheck", "rerun", "merge_group"]


@dataclass(slots=True)
class Job:
    kind: JobKind
    installation_id: int
    owner: str
    repo: str
    pr: int | None
    head_sha: str | None
    delivery_id: str
    event: str
    comment_id: int | None = None
    requested_by: str | None = None
    check_run_id: int | None = None
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    enqueued_at: float = field(default_factory=time.time)
    attempts: int = 0  # how many times the job failed and was put back for a later try
    # `pull_request.updated_at` of the delivery: of two deliveries for one pull request, the later
    # one names the newer head, whatever order they arrive in (GitHub does not keep the order).
    updated_at: str | None = None
    retry_reason: str | None = None  # why the previous attempt failed (public wording, no internals)
    base_sha: str | None = None  # a merge group: the commit its change is reviewed against

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def pr_key(self) -> str:
        return f"{self.owner}/{self.repo}#{self.pr if self.pr is not None else self.head_sha}"

    def dumps(self) -> str:
        # Every field is a plain value: no deep copy (dataclasses.asdict cost 0.1 ms per webhook delivery).
        return json.dumps({name: getattr(self, name) for name in self.__dataclass_fields__}, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | bytes) -> Job:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a job is a JSON object")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def log_fields(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "delivery_id": self.delivery_id, "repo": self.full_name, "pr": self.pr,
                "head_sha": self.head_sha, "kind": self.kind, "attempts": self.attempts}
