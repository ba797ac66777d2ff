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
