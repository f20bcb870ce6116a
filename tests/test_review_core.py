"""core.review: statuses, roll-up of implementing documents, totals (issue 9)."""

from __future__ import annotations

from nqtrack.core.review import COUNTS, FULLY_CARRIED_OUT, IN_PROGRESS, NOT_STARTED, build_review, flatten, totals_by


def doc(id, symbol, parent=None, issuer="TW", doc_type="Nghị quyết", issued="2022-01-01", **counts):
    row = {"id": id, "symbol": symbol, "doc_type": doc_type, "issuer": issuer, "issued_on": issued, "title": None,
           "parent_id": parent}
    row.update(dict.fromkeys(COUNTS, 0))
    row.update(counts)
    return row


ROWS = [
    doc(1, "15-NQ/TW", total=2, done_on_time=1, open_in_time=1),
    doc(2, "1234/QĐ-BTP", parent=1, issuer="BTP", doc_type="Kế hoạch", issued="2022-03-01", total=3, done_late=1, overdue=1, cancelled=1),
    doc(3, "56/KH-BTP", parent=1, issuer="BTP", doc_type="Kế hoạch", issued="2022-02-01", total=2, done_on_time=2),
    doc(4, "82-KL/TW", issued="2022-05-01"),  # no task at all
    doc(5, "10/CT-TTg", issuer="TTg", doc_type="Chỉ thị", issued="2022-04-01", total=2, not_begun=2, open_in_time=2),
]


def test_roll_up_and_status():
    roots = build_review(ROWS)
    assert [d.symbol for d in roots] == ["15-NQ/TW", "10/CT-TTg", "82-KL/TW"]
    parent = roots[0]
    assert [d.symbol for d in parent.children] == ["56/KH-BTP", "1234/QĐ-BTP"]
    assert parent.counts == {"total": 7, "done_on_time": 3, "done_late": 1, "open_in_time": 1, "overdue": 1,
                             "cancelled": 1, "not_begun": 0}
    assert parent.percent_done == 66.6  # 4 done of 6 still to do, cut
    assert parent.status == IN_PROGRESS
    assert parent.children[0].status == FULLY_CARRIED_OUT and parent.children[0].percent_done == 100.0
    assert roots[1].status == NOT_STARTED  # tasks, none begun
    assert roots[2].status == NOT_STARTED and roots[2].percent_done is None  # no task yet
    assert [(d.symbol, d.depth) for d in flatten(roots)] == [
        ("15-NQ/TW", 0), ("56/KH-BTP", 1), ("1234/QĐ-BTP", 1), ("10/CT-TTg", 0), ("82-KL/TW", 0)]


def test_totals_count_each_task_once():
    roots = build_review(ROWS)
    by_issuer = totals_by(roots, "issuer")
    assert [(t["issuer"], t["documents"], t["total"]) for t in by_issuer] == [("BTP", 2, 5), ("TTg", 1, 2), ("TW", 2, 2)]
    assert sum(t["total"] for t in by_issuer) == sum(r["total"] for r in ROWS)
    by_type = totals_by(roots, "doc_type")
    assert [t["doc_type"] for t in by_type] == ["Chỉ thị", "Kế hoạch", "Nghị quyết"]


def test_a_cycle_in_the_data_does_not_loop():
    rows = [doc(1, "A", parent=2, total=1), doc(2, "B", parent=1, total=1)]
    roots = build_review(rows)
    assert sorted(d.symbol for d in flatten(roots)) == ["A", "B"]
    assert sum(d.own["total"] for d in flatten(roots)) == 2
