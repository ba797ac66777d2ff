from apirec.plan import make_plan


def test_plan_is_a_function_of_content_hashes():
    old = {"a": ("src", "h1"), "b": ("src", "h2"), "c": ("src", "h3"), "x": ("other", "h9")}
    new = {"a": ("src", "h1"), "b": ("src", "h2-changed"), "d": ("src", "h3"), "e": ("src", "h4")}
    plan = make_plan(old, new, {"src"})
    assert plan.keep == ("a", "x")  # unchanged, and files of sources not re-scanned
    assert plan.compute == ("b", "e")
    assert plan.retag == (("d", "c"),)  # c moved to d: reuse its facts
    assert plan.delete == ("c",)
    assert plan.changed


def test_nothing_changed_is_all_keep():
    old = {"a": ("s", "1"), "b": ("s", "2")}
    plan = make_plan(old, dict(old), {"s"})
    assert plan.keep == ("a", "b") and not plan.changed


def test_first_build_computes_everything():
    plan = make_plan({}, {"a": ("s", "1"), "b": ("s", "2")}, {"s"})
    assert plan.compute == ("a", "b") and not plan.keep and not plan.delete


def test_a_new_c_module_is_extracted_not_given_another_modules_facts():
    # Every C module of one interpreter had the same content hash; a module extracted for the first
    # time on a refresh (one that had failed before: `_curses`) reused `_abc`'s facts as a "moved" file.
    from apirec.indexer.sources import FileItem

    from apirec.build import _item_hash

    def item(module):
        return FileItem(key=f"inspect:{module}", kind="inspect", source="python:stdlib", origin="stdlib",
                        version="3.11.7", module=module, content_hash="py3.11.7")

    old = {"inspect:_abc": ("python:stdlib", _item_hash(item("_abc"), None))}
    new = {f"inspect:{m}": ("python:stdlib", _item_hash(item(m), None)) for m in ("_abc", "_curses")}
    plan = make_plan(old, new, {"python:stdlib"})
    assert plan.compute == ("inspect:_curses",) and plan.keep == ("inspect:_abc",) and not plan.retag
