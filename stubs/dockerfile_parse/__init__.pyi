# Types for the part of dockerfile-parse (https://github.com/containerbuildsystem/dockerfile-parse,
# which ships no types) that rules/parse/dockerfile.py uses; checked against dockerfile-parse 2.0.
from typing import IO, TypedDict

class StructureEntry(TypedDict):  # type-checking only: not in the runtime package
    instruction: str  # upper case; "COMMENT" for comment lines
    startline: int  # 0-based
    endline: int  # 0-based
    content: str
    value: str

class DockerfileParser:
    def __init__(
        self,
        path: str | None = None,
        cache_content: bool = False,
        env_replace: bool = True,
        parent_env: dict[str, str] | None = None,
        fileobj: IO[bytes] | None = None,
        build_args: dict[str, str] | None = None,
    ) -> None: ...
    @property
    def structure(self) -> list[StructureEntry]: ...
