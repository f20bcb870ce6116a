"""The pictures of the README, made by nqtrack's own commands on the example register.

    python tools/make_pictures.py            # writes docs/img/*.png

It builds the example register in a temporary folder, writes the dashboard and the report
workbook for 2022 as of 15 November 2022, screenshots the dashboard with headless Chromium
(on a desktop and on a phone), and renders the workbook's per-unit sheet, with its native
chart, to PNG through LibreOffice (to PDF) and pdftoppm. Needs Debian's chromium,
libreoffice-calc and poppler-utils; they are for making pictures, not for the tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
TODAY = "2022-11-15"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]
PER_UNIT_SHEET_PAGE = 3  # the third sheet printed: "Theo đơn vị chủ trì", the table and its chart


def need(program: str, package: str) -> str:
    found = shutil.which(program)
    if not found:
        sys.exit(f"make_pictures: {program} is missing: apt-get install -y {package}")
    return found


def nqtrack(db: Path, *args: str) -> None:
    exe = shutil.which("nqtrack", path=str(Path(sys.executable).parent)) or "nqtrack"
    subprocess.run([exe, "--db", str(db), "--lang", "vi", "--today", TODAY, *args], check=True,
                   stdout=subprocess.DEVNULL)


def screenshot(chromium: str, page: Path, target: Path, width: int, height: int, profile: Path) -> None:
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                    f"--screenshot={target}", page.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    chromium = need("chromium", "chromium")
    soffice = need("soffice", "libreoffice-calc")
    pdftoppm = need("pdftoppm", "poppler-utils")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "demo.db"
        nqtrack(db, "import", str(ROOT / "examples/units.csv"), "--kind", "units", "--create")
        nqtrack(db, "import", str(ROOT / "examples/documents.csv"), "--kind", "documents")
        nqtrack(db, "import", str(ROOT / "examples/tasks.csv"))
        page = work / "bang-dieu-khien.html"
        nqtrack(db, "dashboard", "--output", str(page))
        screenshot(chromium, page, OUT / "dashboard.png", 1280, 1400, work / "profile")
        screenshot(chromium, page, OUT / "dashboard-phone.png", 390, 844, work / "profile-phone")
        book = work / "bao-cao-2022.xlsx"
        nqtrack(db, "report", "--year", "2022", "--output", str(book))
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(work), str(book)], check=True,
                       capture_output=True, timeout=300)
        # A4 landscape at 130 dpi is 1520 x 1075 pixels: the sheet and its chart fill its upper part
        subprocess.run([pdftoppm, "-png", "-r", "130", "-f", str(PER_UNIT_SHEET_PAGE), "-l", str(PER_UNIT_SHEET_PAGE),
                        "-singlefile", "-x", "60", "-y", "80", "-W", "1440", "-H", "620",
                        str(work / "bao-cao-2022.pdf"), str(OUT / "report-workbook")], check=True, timeout=120)
    for name in ("dashboard.png", "dashboard-phone.png", "report-workbook.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
