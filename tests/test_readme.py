"""The README's two quick-start commands are what CI and a newcomer run."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from tests.support import nqtrack_executable

ROOT = Path(__file__).resolve().parent.parent


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_ci_runs_the_readme_test_command_word_for_word():
    ci_lines = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    test_command = sh_blocks()[1].strip()
    assert test_command in ci_lines


def test_quick_start_main_job_runs_on_the_examples(tmp_path):
    command = sh_blocks()[0].strip()
    steps = [s.strip() for s in command.split("&&")]
    assert steps[0] == "python3 -m venv .venv" and steps[1].startswith(".venv/bin/pip install")
    outputs = []
    for step in steps[2:]:
        argv = shlex.split(step)
        assert argv[0] == ".venv/bin/nqtrack"
        argv = [str(tmp_path / a) if a == "demo.db" else str(ROOT / a) if a.startswith("examples/") else a for a in argv[1:]]
        result = subprocess.run(nqtrack_executable() + argv, capture_output=True, cwd=tmp_path, timeout=120,
                                env={"PATH": "/usr/bin:/bin", "NQTRACK_LANG": "vi"})
        assert result.returncode == 0, (step, result.stderr.decode())
        outputs.append(result.stdout.decode())
    assert "220 dòng: 220 tạo mới" in outputs[2]
    assert outputs[3].startswith("Ngày 15/11/2022: 38 nhiệm vụ quá hạn, trong đó 35 nhiệm vụ chuyển từ các tháng trước")
