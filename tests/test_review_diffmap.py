from dockreview.bot.review.diffmap import DiffMap, parse_patch

PATCH = """@@ -1,5 +1,6 @@
 services:
   db:
-    image: postgres:15
+    image: postgres:16
+    restart: always
     environment:
       POSTGRES_USER: app
@@ -20,4 +21,3 @@ services:
   cache:
     image: redis
-    ports:
-      - "6379:6379"
+    ports: []
\\ No newline at end of file"""


def test_hunks_commentable_and_added_lines() -> None:
    hunks = parse_patch(PATCH)
    assert [(h.new_start, h.new_count) for h in hunks] == [(1, 6), (21, 3)]
    diff = DiffMap.from_patches({"compose.yaml": PATCH})
    file = diff.get("compose.yaml")
    assert file is not None
    assert file.added == {3, 4, 23}
    assert file.commentable == {1, 2, 3, 4, 5, 6, 21, 22, 23}
    assert file.hunk_of(22) == hunks[1]
    assert file.hunk_of(10) is None


def test_multi_line_must_stay_in_one_hunk() -> None:
    diff = DiffMap.from_patches({"compose.yaml": PATCH})
    assert diff.can_comment("compose.yaml", 2, 5)
    assert not diff.can_comment("compose.yaml", 5, 21)  # spans two hunks
    assert not diff.can_comment("compose.yaml", 6, 7)  # 7 is not shown
    assert not diff.can_comment("compose.yaml", 4, 3)
    assert not diff.can_comment("other.yaml", 1)


def test_no_newline_marker_on_both_sides() -> None:
    patch = (
        "@@ -1,2 +1,2 @@\n FROM alpine\n-RUN a\n\\ No newline at end of file\n+RUN b\n\\ No newline at end of file\n"
    )
    [hunk] = parse_patch(patch)
    assert hunk.added == {2}
    assert DiffMap.from_patches({"Dockerfile": patch}).get("Dockerfile").commentable == {1, 2}


def test_deletions_only_and_removed_file() -> None:
    only_deleted = "@@ -3,2 +2,0 @@\n-RUN a\n-RUN b\n"
    removed = "@@ -1,2 +0,0 @@\n-FROM alpine\n-RUN x\n"
    diff = DiffMap.from_pull_files(
        [
            {"filename": "Dockerfile", "status": "modified", "patch": only_deleted},
            {"filename": "old/Dockerfile", "status": "removed", "patch": removed},
        ]
    )
    assert diff.get("Dockerfile").commentable == frozenset()
    assert diff.get("old/Dockerfile").commentable == frozenset()
    change = diff.change()
    assert change.lines == {"Dockerfile": set()}
    assert change.deleted == {"old/Dockerfile"}


def test_omitted_counts_and_empty_context_line() -> None:
    patch = "@@ -1 +1 @@\n-a\n+b\n@@ -10,3 +10,3 @@\n x\n\n-y\n+z\n"
    hunks = parse_patch(patch)
    assert [(h.new_start, h.new_count, set(h.added)) for h in hunks] == [(1, 1, {1}), (10, 3, {12})]


def test_change_for_added_renamed_and_patchless_files() -> None:
    diff = DiffMap.from_pull_files(
        [
            {"filename": "compose.yaml", "status": "added", "patch": "@@ -0,0 +1,2 @@\n+services:\n+  a: {}\n"},
            {"filename": "huge/compose.yaml", "status": "added"},  # too large: no patch
            {
                "filename": "deploy/Dockerfile",
                "status": "renamed",
                "previous_filename": "Dockerfile",
                "patch": "@@ -1,2 +1,2 @@\n FROM alpine:3.19\n-RUN a\n+RUN b\n",
            },
            {"filename": "moved.yml", "status": "renamed", "previous_filename": "was.yml"},  # pure rename
            {"filename": "logo.png", "status": "modified"},  # binary
        ]
    )
    change = diff.change()
    assert change.lines == {
        "compose.yaml": None,
        "huge/compose.yaml": None,
        "deploy/Dockerfile": {2},
        "moved.yml": set(),
        "logo.png": set(),
    }
    assert change.renames == {"deploy/Dockerfile": "Dockerfile", "moved.yml": "was.yml"}
    assert diff.without_patch() == ["huge/compose.yaml", "logo.png", "moved.yml"]
    assert not diff.can_comment("huge/compose.yaml", 1)
    assert diff.can_comment("compose.yaml", 1, 2)


def test_crlf_and_text_before_first_hunk_ignored() -> None:
    patch = "diff --git a/x b/x\r\n@@ -1,1 +1,2 @@\r\n a\r\n+b\r\n"
    [hunk] = parse_patch(patch)
    assert (hunk.new_start, hunk.new_count, set(hunk.added)) == (1, 2, {2})
    assert parse_patch(None) == ()
    assert parse_patch("") == ()
