"""Paged and stat-free folder listings over real HTTP, on the local manager and a generic one."""

from __future__ import annotations

import json

import pytest
from jupyter_server_contents import AsyncLargeFileManager


@pytest.fixture
def folder(jp_root_dir, make_notebook):
    d = jp_root_dir / "many"
    d.mkdir()
    for i in range(23):
        (d / f"f{i:02d}.txt").write_text("x" * i)
    (d / "b.ipynb").write_text(json.dumps(make_notebook()))
    (d / "sub").mkdir()
    (d / ".hidden").write_text("h")
    (d / "__pycache__").mkdir()
    (d / "Zeta.txt").write_text("z")
    (d / "\u00e9t\u00e9.txt").write_text("e")
    return d


async def pages(contents, path, **params):
    """Every page of a paged listing, following next_cursor."""
    out = []
    cursor = None
    for _ in range(100):
        query = dict(params)
        if cursor:
            query["cursor"] = cursor
        code, model, _ = await contents("GET", path, params=query)
        assert code == 200, model
        out.append(model)
        cursor = model["next_cursor"]
        if cursor is None:
            return out
    raise AssertionError("the cursor never ended")


async def test_without_parameters_the_answer_is_as_before(contents, folder):
    code, model, _ = await contents("GET", "many")
    assert code == 200 and "next_cursor" not in model
    assert len(model["content"]) == 27
    assert all(m["last_modified"] and "size" in m for m in model["content"])


async def test_pages_cover_the_listing_once_in_name_order(contents, folder):
    _, full, _ = await contents("GET", "many")
    by_name = {m["name"]: m for m in full["content"]}
    got = await pages(contents, "many", page_size="5")
    assert [len(p["content"]) for p in got] == [5, 5, 5, 5, 5, 2]
    names = [m["name"] for p in got for m in p["content"]]
    assert names == sorted(by_name)
    assert names[:2] == ["Zeta.txt", "b.ipynb"] and names[-1] == "\u00e9t\u00e9.txt"
    for p in got:
        assert p["type"] == "directory" and p["path"] == "many" and p["format"] == "json"
        for entry in p["content"]:
            assert entry == by_name[entry["name"]]


async def test_stat_zero_gives_names_and_types(contents, folder):
    got = await pages(contents, "many", stat="0", page_size="100")
    assert len(got) == 1
    entries = {m["name"]: m for m in got[0]["content"]}
    assert all(set(m) == {"name", "path", "type"} for m in entries.values())
    assert entries["sub"]["type"] == "directory" and entries["b.ipynb"]["type"] == "notebook"
    assert entries["f03.txt"] == {"name": "f03.txt", "path": "many/f03.txt", "type": "file"}
    assert ".hidden" not in entries and "__pycache__" not in entries
    # stat=0 alone: the whole folder, sorted, in one answer.
    code, model, _ = await contents("GET", "many", params={"stat": "0"})
    assert [m["name"] for m in model["content"]] == sorted(entries) and model["next_cursor"] is None


async def test_changes_between_pages_neither_repeat_nor_skip_stable_entries(contents, folder):
    code, first, _ = await contents("GET", "many", params={"page_size": "10"})
    seen = [m["name"] for m in first["content"]]
    (folder / "f00.txt").unlink()           # already listed
    (folder / "f15.txt").unlink()           # not listed yet: gone
    (folder / "a-new.txt").write_text("n")  # sorts before the cursor: not listed
    (folder / "zz-new.txt").write_text("n")  # sorts after it: listed
    rest = await pages(contents, "many", page_size="10", cursor=first["next_cursor"])
    names = seen + [m["name"] for p in rest for m in p["content"]]
    assert len(names) == len(set(names))
    assert "f15.txt" not in names and "zz-new.txt" in names and "a-new.txt" not in names
    assert names == sorted(names)


async def test_a_page_of_the_root_and_of_an_empty_folder(contents, folder, jp_root_dir):
    (jp_root_dir / "empty").mkdir()
    code, model, _ = await contents("GET", "empty", params={"page_size": "3"})
    assert code == 200 and model["content"] == [] and model["next_cursor"] is None
    code, model, _ = await contents("GET", "", params={"page_size": "1"})
    assert code == 200 and [m["name"] for m in model["content"]] == ["empty"] and model["next_cursor"]


@pytest.mark.parametrize(("params", "words"), [
    ({"page_size": "0"}, "Invalid page_size '0'"),
    ({"page_size": "-3"}, "Invalid page_size"),
    ({"page_size": "ten"}, "Invalid page_size 'ten'"),
    ({"page_size": "10001"}, "from 1 to 10000"),
    ({"page_size": ""}, "Invalid page_size"),
    ({"cursor": "not a cursor!"}, "Invalid cursor"),
    ({"cursor": "e30"}, "Invalid cursor"),  # {} in base64
    ({"cursor": ""}, "Invalid cursor"),
    ({"stat": "no"}, "Invalid stat 'no'"),
    ({"page_size": "2", "content": "0"}, "need content=1"),
    ({"page_size": "2", "type": "file"}, "folders only"),
])
async def test_bad_parameters_are_400(contents, folder, params, words):
    code, body, _ = await contents("GET", "many", params=params)
    assert code == 400 and words in body["message"] and body["reason"] is None


async def test_a_cursor_from_another_folder_or_a_file_is_refused(contents, folder):
    code, model, _ = await contents("GET", "many", params={"page_size": "2"})
    code, body, _ = await contents("GET", "", params={"cursor": model["next_cursor"]})
    assert code == 400 and "Invalid cursor" in body["message"]
    code, body, _ = await contents("GET", "many/f01.txt", params={"page_size": "2"})
    assert code == 400 and "not a directory" in body["message"]
    code, body, _ = await contents("GET", "missing", params={"page_size": "2"})
    assert code == 404


class ManagerWithoutPaging(AsyncLargeFileManager):
    """A manager that knows nothing of pages: the handler pages its full listing."""

    list_directory_page = None


class TestGenericManager:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"contents_manager_class": ManagerWithoutPaging}}

    async def test_pages_and_stat_zero_work_the_same(self, contents, folder, jp_serverapp):
        assert type(jp_serverapp.contents_manager) is ManagerWithoutPaging
        _, full, _ = await contents("GET", "many")
        got = await pages(contents, "many", page_size="4")
        assert [m["name"] for p in got for m in p["content"]] == sorted(m["name"] for m in full["content"])
        got = await pages(contents, "many", page_size="50", stat="0")
        assert all(set(m) == {"name", "path", "type"} for m in got[0]["content"])
