"""Issue 19's acceptance on a real PostgreSQL server: the rights are the server's.

Login roles with passwords connect over loopback URLs: a secretariat, a leader and one unit
user for each of 16 units (the first five are the acceptance's five units). A unit role,
through nqtrack and through psql, cannot read a task it neither leads nor coordinates,
cannot update another unit's task, change a deadline or void; a leader writes nothing;
16 processes, one per unit user, record on their own tasks while the secretariat confirms
and approves. Needs NQTRACK_TEST_PG (in CI a missing server fails, as every PostgreSQL test).
"""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support import Cli, run_nqtrack

pytestmark = pytest.mark.postgresql_only

UNITS = 16
PASSWORD = "mat-khau-thu"  # a test server's throw-away password


class Register:
    """One database on the test server, and a login role per person."""

    def __init__(self, server, admin_url: str) -> None:
        self.server, self.admin_url = server, admin_url
        self.name = server.new_database()
        self.owner_url = server.location(self.name)
        self.prefix = f"t{os.getpid()}_"
        self.logins: list[str] = []

    def url(self, login: str) -> str:
        parts = urlsplit(self.owner_url)
        host = f"{parts.hostname}:{parts.port or 5432}"
        return urlunsplit((parts.scheme, f"{login}:{PASSWORD}@{host}", parts.path, "", ""))

    def login(self, who: str) -> str:
        return self.prefix + who

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def cli(self, who: str | None = None) -> Cli:
        return Cli(self.owner_url if who is None else self.url(self.login(who)))

    def psql(self, who: str, sql: str) -> subprocess.CompletedProcess:
        return subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", "-d", self.url(self.login(who)),
                               "-c", sql], capture_output=True, text=True, timeout=60)

    def close(self) -> None:
        self.server._drop(self.name)
        for login in self.logins:
            self.admin(f'DROP ROLE IF EXISTS "{login}"')


@pytest.fixture(scope="module")
def register(pg_server):
    reg = Register(pg_server, pg_server.url)
    try:
        owner = reg.cli()
        # the README's set-up: the secretariat's login, its rights to add users
        secretariat = reg.login("vanphong")
        reg.logins.append(secretariat)
        owner("user", "add", secretariat, "--role", "secretariat")
        reg.admin(f"ALTER ROLE \"{secretariat}\" CREATEROLE PASSWORD '{PASSWORD}'")
        reg.admin(f'GRANT nqtrack_secretariat, nqtrack_leader, nqtrack_unit TO "{secretariat}" WITH ADMIN OPTION')
        office = reg.cli("vanphong")
        for i in range(1, UNITS + 1):
            office("unit", "add", f"Đơn vị {i}", "--code", f"U{i}")
        for i in range(1, UNITS + 1):
            helper = i % UNITS + 1
            office("assign", f"Nhiệm vụ chính của đơn vị {i}", "--lead", f"U{i}", "--with", f"U{helper}",
                   "--due", "30/11/2022", "--code", f"A{i}", today="2022-10-01")
            office("assign", f"Nhiệm vụ thứ hai của đơn vị {i}", "--lead", f"U{i}", "--due", "15/12/2022",
                   "--code", f"B{i}", today="2022-10-01")
        for who, role, unit in [("lanhdao", "leader", None)] + [(f"dv{i}", "unit", f"U{i}")
                                                                  for i in range(1, UNITS + 1)]:
            login = reg.login(who)
            reg.logins.append(login)
            office("user", "add", login, "--role", role, *(["--unit", unit] if unit else []))
            reg.admin(f"ALTER ROLE \"{login}\" PASSWORD '{PASSWORD}'")
        yield reg
    finally:
        reg.close()


def register_state(reg: Register) -> str:
    """Every task and journal row, as the owner reads them: to compare before and after."""
    import psycopg

    with psycopg.connect(reg.owner_url) as conn:
        tasks = conn.execute("SELECT * FROM tasks ORDER BY id").fetchall()
        events = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
        units = conn.execute("SELECT * FROM units ORDER BY id").fetchall()
    return repr((tasks, events, units))


def task_codes(cli: Cli) -> set[str]:
    return {t["code"] for t in json.loads(cli("list", "--format", "json").stdout)}


def test_the_roles_are_the_servers(register):
    listed = json.loads(register.cli("vanphong")("user", "list", "--format", "json").stdout)
    assert {u["login"]: u["role"] for u in listed}[register.login("dv3")] == "unit"
    done = register.psql("dv3", "SELECT rolcanlogin, pg_has_role(session_user, 'nqtrack_unit', 'MEMBER') "
                                "FROM pg_roles WHERE rolname = session_user")
    assert done.stdout.strip() == "t|t"


def test_a_unit_reads_only_the_tasks_it_leads_or_coordinates(register):
    # unit 2 leads A2 and B2, and coordinates A1 (A1's helper is U2)
    assert task_codes(register.cli("dv2")) == {"A1", "A2", "B2"}
    refused = register.cli("dv2")("show", "A5", expect=4)  # the server hides it: no such task, for this role
    assert refused.output == "Error: unknown task: 'A5'\n"
    seen = register.psql("dv2", "SELECT code FROM tasks ORDER BY code")
    assert seen.stdout.split() == ["A1", "A2", "B2"]
    hidden = register.psql("dv2", "SELECT count(*) FROM events WHERE task_id = (SELECT 5)")
    assert hidden.stdout.strip() == "0"
    assert register.psql("dv2", "SELECT count(*) FROM register_keys").returncode != 0  # the secret: secretariat only


@pytest.mark.parametrize(("who", "args", "expected"), [
    # another unit's task: the server hides it (no such task, for this role)
    ("dv1", ("update", "A2", "--progress", "50"), "unknown task: 'A2'"),
    ("dv1", ("update", "A1", "--deadline", "31/12/2022", "--reason", "x"), "a unit cannot change a deadline"),
    ("dv1", ("void", "A1", "--reason", "nhầm"), "this is for the secretariat to do"),
    ("dv2", ("update", "A1", "--progress", "50"), "task 1 is led by Đơn vị 1, not by Đơn vị 2"),  # it coordinates
    ("lanhdao", ("update", "A1", "--progress", "50"), "a leader reads the register and writes nothing"),
])
def test_a_refusal_through_nqtrack_is_one_line_and_writes_nothing(register, who, args, expected):
    before = register_state(register)
    refused = register.cli(who)(*args, expect=4 if expected.startswith("unknown") else 77)
    assert refused.output.startswith("Error: ") and expected in refused.output and refused.output.count("\n") == 1
    in_vietnamese = register.cli(who)(*args, lang="vi", expect=refused.exit_code)
    assert in_vietnamese.output.startswith("Lỗi: ") and in_vietnamese.output.count("\n") == 1
    assert register_state(register) == before


def test_what_nqtrack_would_not_stop_the_server_refuses_in_one_line(register, monkeypatch):
    """nqtrack's own checks bypassed (a client that skips them): the server's refusal is
    the one line, exit 77, nothing written."""
    from nqtrack.core import rights

    before = register_state(register)
    monkeypatch.setattr(rights, "require_secretariat", lambda actor: None)  # an edited copy of nqtrack
    refused = register.cli("dv1")("unit", "add", "Vụ mới", "--code", "VM", expect=77)
    assert refused.output == "Error: the database server refused this: your role may not do it (nothing was written)\n"
    assert register_state(register) == before


@pytest.mark.parametrize(("who", "sql"), [
    ("dv1", "UPDATE tasks SET deadline = '2023-01-31' WHERE code = 'A1'"),
    ("dv1", "UPDATE tasks SET voided = 1 WHERE code = 'A1'"),
    ("dv1", "UPDATE tasks SET lead_unit_id = 2 WHERE code = 'A1'"),
    ("dv1", "INSERT INTO events(task_id, kind, field, old_value, new_value, effective_on, recorded_at, "
            "recorded_by) VALUES (3, 'updated', 'progress', NULL, '90', '2022-11-15', 'x', 'x')"),  # 3: A2
    ("dv1", "INSERT INTO events(task_id, kind, field, old_value, new_value, effective_on, recorded_at, "
            "recorded_by) SELECT id, 'extended', 'deadline', NULL, '2023-01-31', '2022-11-15', 'x', 'x' FROM tasks "
            "WHERE code = 'A1'"),
    ("dv1", "DELETE FROM events"),
    ("dv1", "UPDATE events SET note = 'sửa'"),
    ("vanphong", "UPDATE events SET note = 'sửa'"),
    ("vanphong", "DELETE FROM events"),
    ("lanhdao", "UPDATE tasks SET progress = 10"),
])
def test_a_refusal_through_psql_writes_nothing(register, who, sql):
    before = register_state(register)
    done = register.psql(who, sql)
    assert done.returncode != 0 and ("permission denied" in done.stderr or "row-level security" in done.stderr)
    assert register_state(register) == before


def test_an_update_of_a_task_the_unit_cannot_see_changes_no_row(register):
    before = register_state(register)
    assert register.psql("dv1", "UPDATE tasks SET progress = 99 WHERE code = 'A5'").stdout == "UPDATE 0\n"
    assert register_state(register) == before


def test_sixteen_units_record_at_once_while_the_secretariat_confirms(register):
    env = {"NQTRACK_TODAY": "2022-11-15", "NQTRACK_TEST_CLOCK": "2022-11-15", "NQTRACK_LANG": "en"}
    office = register.cli("vanphong")
    office("update", "B1", "--state", "done", "--on", "10/11/2022", "--propose")
    office("request-extension", "B2", "--to", "31/12/2022", "--reason", "Chờ số liệu")
    procs = [subprocess.Popen(
        [*_nqtrack(), "--db", register.url(register.login(f"dv{i}")), "update", f"A{i}", "--progress",
         str(10 + i), "--note", f"Đơn vị {i} báo cáo", "--by", "gia-mao"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(1, UNITS + 1)]
    confirmed = run_nqtrack("--db", register.url(register.login("vanphong")), "confirm", "B1", env=env)
    approved = run_nqtrack("--db", register.url(register.login("vanphong")), "approve", "B2", env=env)
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(code == 0 for _, _, code in results), results
    assert confirmed.returncode == 0 and approved.returncode == 0, (confirmed.stderr, approved.stderr)
    tasks = {t["code"]: t for t in json.loads(office("list", "--format", "json").stdout)}
    for i in range(1, UNITS + 1):  # no update lost, none on another unit's task
        assert tasks[f"A{i}"]["progress"] == 10 + i
        journal = json.loads(office("show", f"A{i}", "--format", "json").stdout)["history"]
        mine = [e for e in journal if e.get("field") == "progress"]
        assert [e["recorded_by"] for e in mine] == [register.login(f"dv{i}")]
    assert tasks["B1"]["state"] == "done" and tasks["B2"]["deadline"] == "2022-12-31"
    import psycopg

    with psycopg.connect(register.owner_url) as conn:
        by = conn.execute("SELECT DISTINCT recorded_by FROM events WHERE recorded_at >= "
                          "(SELECT min(recorded_at) FROM events WHERE kind = 'proposed')").fetchall()
    assert "gia-mao" not in {row[0] for row in by}
    assert {row[0] for row in by} <= {register.login(f"dv{i}") for i in range(1, UNITS + 1)} | {
        register.login("vanphong")}
    assert office("check").stdout == "All checks passed.\n"


def _nqtrack() -> list[str]:
    from tests.support import nqtrack_executable

    return nqtrack_executable()


def test_the_readme_set_up_runs_word_for_word(pg_server):
    """README, 'Many units, one register': the PostgreSQL set-up block, run line by line
    (the host is the test server; the database and role names get this run's prefix)."""
    import re
    import shlex
    from pathlib import Path

    import psycopg

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**On PostgreSQL** each user is a login role"):]
    block = re.search(r"```sh\n(.*?)\n```", section, re.S)[1]
    prefix = f"i19b{os.getpid()}_"
    server = urlsplit(pg_server.url)
    names = ("so_nhiem_vu", "so_owner", "vanphong", "lan")
    text = re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: prefix + m[1], block)
    text = text.replace("@localhost/", f"@{server.hostname}:{server.port or 5432}/")
    roles = [prefix + n for n in names[1:]]

    def clean() -> None:
        with psycopg.connect(pg_server.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {prefix}so_nhiem_vu WITH (FORCE)")
            for role in reversed(roles):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')

    clean()
    outputs = []
    try:
        for line in text.splitlines():
            argv = shlex.split(line)
            if argv[0] == "psql":
                where = [] if "-d" in argv else ["-d", pg_server.url]
                done = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", *where, *argv[1:]],
                                      capture_output=True, text=True, timeout=60)
                assert done.returncode == 0, (line, done.stderr)
            else:
                assert argv[:2] == ["nqtrack", "--db"], line
                outputs.append(Cli(argv[2])(*argv[3:]).stdout)
        assert outputs[-2] == f"User {prefix}lan added: unit, Văn phòng.\n"
        assert outputs[-1] == "2022-11-15: nothing is overdue and nothing falls due in the next 7 days.\n"
        lan = Cli(re.search(r"postgresql://\S*lan:\S+", text)[0])
        refused = lan("unit", "add", "Vụ Pháp chế", expect=None)
        assert refused.exit_code == 77 and refused.output.count("\n") == 1
    finally:
        clean()


def test_what_a_unit_and_a_leader_run_works_under_their_roles(register):
    """Besides the obvious writes: proposals, requests, an assignee (the search index), the
    marks of every transaction, the reports' temporary tables, info, list, show."""
    unit = register.cli("dv4")
    assert unit("update", "B4", "--state", "done", "--on", "10/11/2022", "--product", "Báo cáo 4").stdout.startswith(
        "Task 8: completion on 2022-11-10 proposed")
    unit("request-extension", "A4", "--to", "31/12/2022", "--reason", "Chờ ý kiến")
    unit("assign", "A4", "--to", "Chị Hoa")
    journal = json.loads(register.cli("vanphong")("show", "A4", "--format", "json").stdout)["history"]
    assert [(e["kind"], e["recorded_by"]) for e in journal[-2:]] == [
        ("extension_requested", register.login("dv4")), ("reassigned", register.login("dv4"))]
    assert [t["code"] for t in json.loads(unit("list", "--search", "Hoa", "--format", "json").stdout)] == ["A4"]
    overdue = json.loads(unit("overdue", "--format", "json", today="2022-12-05").stdout)
    assert sorted(t["code"] for t in overdue["tasks"]) == ["A3", "A4"]  # A3: it coordinates; B4 proposed done
    assert [(r["code"], r["request"]) for r in overdue["awaiting"]] == [("B4", "completion"),
                                                                      ("A4", "extension")]
    report = json.loads(unit("report", "--from", "01/10/2022", "--to", "30/11/2022", "--format", "json").stdout)
    assert report["workload"]["completed"] == 0  # the proposal awaits the secretariat
    assert "tasks" in unit("info").stdout.lower()
    refused = unit("check", expect=77)  # it would find the tasks it cannot see missing
    assert refused.output == "Error: check reads the whole register: a unit user sees only its own tasks\n"
    leader = register.cli("lanhdao")
    assert len(json.loads(leader("list", "--format", "json").stdout)) == 2 * UNITS
    assert leader("check").stdout == "All checks passed.\n"
    assert leader("report", "--month", "2022-11", "--format", "json").exit_code == 0


def test_the_secretariat_does_the_rest_of_its_work_under_its_own_role(register, tmp_path):
    """The secretariat's login role (not the owner) imports a file, corrects, voids, undoes,
    urges the units and backs the register up; every event is recorded under its role."""
    office = register.cli("vanphong")
    tasks = tmp_path / "giao-viec.csv"
    tasks.write_text("Mã nhiệm vụ,Tên nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn\n"
                     "N1,Nhiệm vụ nhập từ tệp thứ nhất,U1,U2,30/11/2022\n"
                     "N2,Nhiệm vụ nhập từ tệp thứ hai,U3,,15/12/2022\n", encoding="utf-8")
    imported = office("import", str(tasks), today="2022-11-01").output
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 rejected." in imported
    office("edit", "N1", "--title", "Nhiệm vụ nhập từ tệp, đã sửa", today="2022-11-02")
    office("void", "N2", "--reason", "Nhập trùng", today="2022-11-02")
    office("undo", "N2", today="2022-11-02")  # the void undone: N2 is back
    assert {"N1", "N2"} <= task_codes(office)
    notices = tmp_path / "don-doc"
    office("remind", "--output-dir", str(notices), today="2022-12-05")
    assert any(notices.iterdir())
    backup = tmp_path / "sao-luu.db"
    office("backup", str(backup), today="2022-12-05")
    assert backup.stat().st_size > 0
    for code in ("N1", "N2"):
        journal = json.loads(office("show", code, "--format", "json").stdout)["history"]
        assert {e["recorded_by"] for e in journal} == {register.login("vanphong")}, journal
    # a unit sees the imported task it leads, and only the ones it leads or helps
    assert "N1" in task_codes(register.cli("dv1")) and "N2" not in task_codes(register.cli("dv1"))
    assert office("check").stdout == "All checks passed.\n"


def test_the_figures_kept_are_the_secretariats_and_never_a_units(register):
    """The report's counts kept in the register (issue 20): a unit's report neither reads
    nor keeps them (its rows are not everyone's); a leader reads them and keeps none; the
    secretariat keeps them; through psql a unit reads nothing of them and writes none, and
    the events it writes itself are numbered by the server."""
    import psycopg

    def kept() -> int:
        with psycopg.connect(register.owner_url) as conn:
            return conn.execute("SELECT count(*) FROM figure_cache").fetchone()[0]

    def changes() -> int:
        with psycopg.connect(register.owner_url) as conn:
            return conn.execute("SELECT coalesce(max(id), 0) FROM figure_changes").fetchone()[0]

    args = ("report", "--year", "2022", "--format", "json")
    unit = register.cli("dv5")
    before = kept()
    mine = json.loads(unit(*args).stdout)
    assert kept() == before
    leader = json.loads(register.cli("lanhdao")(*args).stdout)
    assert kept() == before
    office = json.loads(register.cli("vanphong")(*args).stdout)
    assert kept() > before and office == leader
    assert json.loads(register.cli("lanhdao")(*args).stdout) == office  # now read from what is kept
    assert json.loads(unit(*args).stdout) == mine
    assert mine["workload"]["total"] < office["workload"]["total"]
    for sql in ("SELECT count(*) FROM figure_cache",
                "INSERT INTO figure_cache VALUES ('k', '2022-10-31', 999999, '[]', 'x')",
                "DELETE FROM figure_changes"):
        assert register.psql("dv5", sql).returncode != 0, sql
    assert register.psql("lanhdao", "INSERT INTO figure_cache VALUES ('k', '2022-10-31', 999999, '[]', 'x')"
                         ).returncode != 0
    seen = changes()
    task = register.psql("dv5", "SELECT id FROM tasks WHERE code = 'B5'").stdout.strip()
    done = register.psql("dv5", "INSERT INTO events(task_id, kind, field, old_value, new_value, effective_on, "
                                f"recorded_at, recorded_by) VALUES ({task}, 'note', NULL, NULL, 'ghi chú', "
                                "'2022-10-03', '2022-10-03T00:00:00+00:00', 'x')")
    assert done.returncode == 0, done.stderr
    assert changes() == seen + 1
