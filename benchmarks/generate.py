#!/usr/bin/env python3
"""Build a deterministic synthetic nqtrack register for benchmarks.

Usage:

    python benchmarks/generate.py --tasks 1000000 --seed 1 benchmarks/data/r1m.db
    python benchmarks/generate.py --tasks 2000 --seed 1 /tmp/small.db --check
    python benchmarks/generate.py --check /tmp/small.db          # check an existing one
    python benchmarks/generate.py --tasks 100000 --seed 2 --csv /tmp/imp   # import files

What it builds (the same seed and size always give the same rows, apart from nothing:
there is no clock in it):

- about 60 units of a ministry, some under a parent (the Tổng cục's Vụ, the Cục's
  Phòng), each with its folded keys in `unit_keys` as `Store.add_unit` writes them;
- about N/200 documents with real-looking symbols (`12-NQ/TW`, `345/QĐ-TTg`,
  `67/KH-BTP`, `30/2020/NĐ-CP`, `7722/VPCP-KSTT`), parsed with `parse_symbol`;
- N tasks assigned on working days from 2017-01-01 to 2026-11-30, in that order
  (task ids follow the assignment date), sources Chính phủ 20 %, Thủ tướng Chính phủ
  25 %, Lãnh đạo Bộ 50 %, Ban Thường vụ Đảng ủy 5 %; ~20 % without a deadline
  (some "Thường xuyên"); 0-3 coordinating units; ~5.5 % extended; completions mostly
  on time, some late; ~1 % open and overdue on 2026-11-22 (more of them recent,
  spread over many months and units) and ~1 % open and not yet due;
- the folded search text of each task in `task_search` (FTS5), where the schema has it;
- a journal of several events per task, as the application writes them: the creation
  event (kind "imported", field NULL, the fingerprint of the first fields as `Store.create_task` makes),
  then one event per changed field (`Store.change_task`): progress (state new →
  in_progress, progress), extensions (kind "extended": deadline, deadline_text),
  completions (kind "completed": state, completed_on, progress → 100, recorded a few
  days after the completion date), pauses, cancellations, notes (kind "note"), and the
  Monday reminders of overdue tasks (kind "reminded", naming the lead unit, one batch per
  Monday, as `Store.record_reminders` writes them; kind "note" in versions without it).
  The current columns of every task equal the last values of its journal, so
  `core.states.fields_as_of` agrees with them.

Rows go through the project's own schema (`Store(path)` runs the migrations) and are
bulk-inserted with sqlite-utils (`store.db[table].insert_all`) in a few
`store.transaction()`s with `PRAGMA synchronous=OFF`; `ANALYZE` runs at the end.

`--check` replays 200 tasks (seeded sample) with `fields_as_of(current, journal,
2026-11-22)` and compares state, deadline and completed_on with the columns; it also
checks the creation snapshots, the deadline texts, the unit keys and the shares, and,
up to 200,000 tasks, runs the application's own `Store.invariant_problems()` (what
`nqtrack check` runs) over every task.

`--csv DIR` writes `units.csv` (Mã đơn vị, Tên đơn vị) and `tasks.csv` (the Vietnamese
headers of an office register) for timing `nqtrack import`: the task rows come from
the same model, dates written day first, states in Vietnamese.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import math
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

GENERATOR_VERSION = 8  # bump when the rows change: run.py rebuilds cached databases
CSV_VERSION = 2  # bump when the import files change (2: the same tasks as the register of that size)

START = date(2017, 1, 1)
END = date(2026, 11, 30)
TODAY = date(2026, 11, 22)  # the benchmark's "today" (`nqtrack --today 2026-11-22`)

OPEN_OVERDUE_SHARE = 0.01  # open and overdue on TODAY
OPEN_NOT_DUE_SHARE = 0.01  # open, with a deadline on or after TODAY
OVERDUE_DECAY_DAYS = 540.0  # older deadlines are less often still open

SOURCES = (("Chính phủ", 20), ("Thủ tướng Chính phủ", 25), ("Lãnh đạo Bộ", 50), ("Ban Thường vụ Đảng ủy", 5))
SRC_CP, SRC_TTG, SRC_LDB, SRC_DU = (s for s, _ in SOURCES)

# -- units ------------------------------------------------------------------------------

# Fields of work: (phrase used in titles, the law that governs it).
AREAS = [
    ("văn thư, lưu trữ", "Luật Lưu trữ"),  # 0
    ("kiểm soát thủ tục hành chính", "Nghị định số 63/2010/NĐ-CP"),
    ("thi đua, khen thưởng", "Luật Thi đua, khen thưởng"),
    ("tổ chức cán bộ", "Luật Cán bộ, công chức"),
    ("đào tạo, bồi dưỡng công chức, viên chức", "Luật Viên chức"),
    ("quản lý tài chính, tài sản công", "Luật Quản lý, sử dụng tài sản công"),  # 5
    ("đầu tư công", "Luật Đầu tư công"),
    ("xử lý vi phạm hành chính", "Luật Xử lý vi phạm hành chính"),
    ("thẩm định văn bản quy phạm pháp luật", "Luật Ban hành văn bản quy phạm pháp luật"),
    ("pháp luật dân sự", "Bộ luật Dân sự"),
    ("pháp luật về doanh nghiệp, đầu tư", "Luật Doanh nghiệp"),  # 10
    ("pháp luật quốc tế", "Luật Điều ước quốc tế"),
    ("hợp tác quốc tế về pháp luật", "Luật Thỏa thuận quốc tế"),
    ("phổ biến, giáo dục pháp luật", "Luật Phổ biến, giáo dục pháp luật"),
    ("hòa giải ở cơ sở", "Luật Hòa giải ở cơ sở"),
    ("tiếp cận thông tin", "Luật Tiếp cận thông tin"),  # 15
    ("phòng, chống tham nhũng", "Luật Phòng, chống tham nhũng"),
    ("tiếp công dân, giải quyết khiếu nại, tố cáo", "Luật Tiếp công dân"),
    ("thanh tra chuyên ngành tư pháp", "Luật Thanh tra"),
    ("kiểm tra văn bản quy phạm pháp luật", "Luật Ban hành văn bản quy phạm pháp luật"),
    ("pháp điển hệ thống quy phạm pháp luật", "Pháp lệnh Pháp điển hệ thống quy phạm pháp luật"),  # 20
    ("chuyển đổi số", "Luật Giao dịch điện tử"),
    ("bảo đảm an toàn thông tin", "Luật An toàn thông tin mạng"),
    ("công chứng", "Luật Công chứng"),
    ("luật sư, tư vấn pháp luật", "Luật Luật sư"),
    ("đấu giá tài sản", "Luật Đấu giá tài sản"),  # 25
    ("giám định tư pháp", "Luật Giám định tư pháp"),
    ("hộ tịch", "Luật Hộ tịch"),
    ("quốc tịch", "Luật Quốc tịch Việt Nam"),
    ("chứng thực", "Nghị định số 23/2015/NĐ-CP"),
    ("trợ giúp pháp lý", "Luật Trợ giúp pháp lý"),  # 30
    ("đăng ký biện pháp bảo đảm", "Luật Đăng ký biện pháp bảo đảm"),
    ("bồi thường nhà nước", "Luật Trách nhiệm bồi thường của Nhà nước"),
    ("theo dõi tình hình thi hành pháp luật", "Nghị định số 59/2012/NĐ-CP"),
    ("thi hành án dân sự", "Luật Thi hành án dân sự"),
    ("thi hành án hành chính", "Luật Tố tụng hành chính"),  # 35
    ("nghiên cứu khoa học pháp lý", "Luật Khoa học và Công nghệ"),
    ("đào tạo các chức danh tư pháp", "Luật Giáo dục đại học"),
    ("thông tin, tuyên truyền pháp luật", "Luật Báo chí"),
    ("xuất bản sách pháp luật", "Luật Xuất bản"),
    ("lý lịch tư pháp", "Luật Lý lịch tư pháp"),  # 40
    ("thừa phát lại", "Nghị định số 08/2020/NĐ-CP"),
    ("quản tài viên", "Luật Phá sản"),
    ("thống kê ngành tư pháp", "Luật Thống kê"),
]

# code, name, parent code, aliases, weight (share of tasks it leads), areas
UNITS = [
    ("VP", "Văn phòng Bộ", None, ("Văn phòng", "VPB"), 8, (0, 1, 2, 43)),
    ("TCCB", "Vụ Tổ chức cán bộ", None, ("Vụ TCCB",), 6, (3, 4, 2)),
    ("KHTC", "Vụ Kế hoạch - Tài chính", None, ("Vụ KHTC",), 5, (5, 6, 43)),
    ("PLHSHC", "Vụ Pháp luật hình sự - hành chính", None, ("Vụ PLHSHC",), 7, (7, 8)),
    ("PLDSKT", "Vụ Pháp luật dân sự - kinh tế", None, ("Vụ PLDSKT",), 7, (9, 10, 8)),
    ("PLQT", "Vụ Pháp luật quốc tế", None, ("Vụ PLQT",), 4, (11, 8)),
    ("HTQT", "Vụ Hợp tác quốc tế", None, ("Vụ HTQT",), 4, (12, 11)),
    ("PBGDPL", "Vụ Phổ biến, giáo dục pháp luật", None, ("Vụ PBGDPL",), 7, (13, 14, 15)),
    ("CVĐCXDPL", "Vụ Các vấn đề chung về xây dựng pháp luật", None, ("Vụ Các vấn đề chung",), 6, (8, 33)),
    ("TTR", "Thanh tra Bộ", None, ("Thanh tra",), 5, (16, 17, 18)),
    ("KTrVB", "Cục Kiểm tra văn bản quy phạm pháp luật", None, ("Cục Kiểm tra văn bản", "Cục KTrVB"), 7, (19, 20)),
    ("CNTT", "Cục Công nghệ thông tin", None, ("Cục CNTT",), 5, (21, 22)),
    ("BTTP", "Cục Bổ trợ tư pháp", None, ("Cục BTTP",), 7, (23, 24, 25, 26, 41, 42)),
    ("HTQTCT", "Cục Hộ tịch, quốc tịch, chứng thực", None, ("Cục HTQTCT",), 6, (27, 28, 29)),
    ("TGPL", "Cục Trợ giúp pháp lý", None, ("Cục TGPL",), 4, (30,)),
    ("ĐKGDBĐ", "Cục Đăng ký quốc gia giao dịch bảo đảm", None, ("Cục Đăng ký",), 3, (31,)),
    ("BTNN", "Cục Bồi thường nhà nước", None, ("Cục BTNN",), 3, (32,)),
    (
        "QLXLVPHC",
        "Cục Quản lý xử lý vi phạm hành chính và theo dõi thi hành pháp luật",
        None,
        ("Cục QLXLVPHC",),
        5,
        (7, 33),
    ),
    ("CTPN", "Cục Công tác phía Nam", None, (), 2, (0, 13)),
    ("TCTHADS", "Tổng cục Thi hành án dân sự", None, ("Tổng cục THADS",), 8, (34, 35)),
    ("VCL", "Viện Chiến lược và Khoa học pháp lý", None, ("Viện Chiến lược",), 3, (36,)),
    ("HVTP", "Học viện Tư pháp", None, (), 3, (37,)),
    ("ĐHLHN", "Trường Đại học Luật Hà Nội", None, ("Đại học Luật",), 2, (37, 36)),
    ("BPLVN", "Báo Pháp luật Việt Nam", None, ("Báo Pháp luật",), 2, (38,)),
    ("TCDCPL", "Tạp chí Dân chủ và Pháp luật", None, (), 1, (38, 36)),
    ("NXBTP", "Nhà xuất bản Tư pháp", None, (), 1, (39,)),
    ("TTLLTP", "Trung tâm Lý lịch tư pháp quốc gia", None, ("Trung tâm Lý lịch",), 2, (40,)),
    ("VPĐU", "Văn phòng Đảng ủy Bộ", None, ("Văn phòng Đảng ủy",), 3, (3, 16)),
    # under the Văn phòng Bộ
    ("VP-TH", "Phòng Tổng hợp", "VP", (), 3, (0, 43)),
    ("VP-HC", "Phòng Hành chính - Văn thư", "VP", (), 2, (0,)),
    ("VP-KSTT", "Phòng Kiểm soát thủ tục hành chính", "VP", (), 3, (1,)),
    ("VP-TĐKT", "Phòng Thi đua - Khen thưởng", "VP", (), 1, (2,)),
    # under the Tổng cục Thi hành án dân sự
    ("NV1", "Vụ Nghiệp vụ 1", "TCTHADS", (), 3, (34,)),
    ("NV2", "Vụ Nghiệp vụ 2", "TCTHADS", (), 3, (34,)),
    ("NV3", "Vụ Nghiệp vụ 3", "TCTHADS", (), 2, (34, 35)),
    ("VPTC", "Văn phòng Tổng cục Thi hành án dân sự", "TCTHADS", ("Văn phòng Tổng cục",), 2, (34, 43)),
    ("TCCB-TC", "Vụ Tổ chức cán bộ Tổng cục Thi hành án dân sự", "TCTHADS", (), 2, (3, 4)),
    ("KHTC-TC", "Vụ Kế hoạch - Tài chính Tổng cục Thi hành án dân sự", "TCTHADS", (), 2, (5, 6)),
    ("KT-TC", "Vụ Kiểm tra Tổng cục Thi hành án dân sự", "TCTHADS", (), 2, (34, 16)),
    ("GQKNTC", "Vụ Giải quyết khiếu nại, tố cáo", "TCTHADS", (), 2, (17, 34)),
    # under the Cục
    ("KTrVB-PĐ", "Phòng Pháp điển", "KTrVB", (), 2, (20,)),
    ("KTrVB-1", "Phòng Kiểm tra văn bản số 1", "KTrVB", (), 2, (19,)),
    ("KTrVB-2", "Phòng Kiểm tra văn bản số 2", "KTrVB", (), 2, (19,)),
    ("CNTT-HT", "Phòng Hạ tầng kỹ thuật", "CNTT", (), 1, (21, 22)),
    ("CNTT-DL", "Trung tâm Dữ liệu", "CNTT", (), 2, (21,)),
    ("BTTP-CC", "Phòng Công chứng", "BTTP", (), 2, (23,)),
    ("BTTP-LS", "Phòng Luật sư", "BTTP", (), 2, (24,)),
    ("BTTP-ĐG", "Phòng Đấu giá tài sản", "BTTP", (), 1, (25,)),
    ("BTTP-GĐ", "Phòng Giám định tư pháp", "BTTP", (), 1, (26,)),
    ("HT-HT", "Phòng Hộ tịch", "HTQTCT", (), 2, (27,)),
    ("HT-QT", "Phòng Quốc tịch", "HTQTCT", (), 1, (28,)),
    ("HT-CT", "Phòng Chứng thực", "HTQTCT", (), 1, (29,)),
    ("TGPL-TT", "Trung tâm Trợ giúp pháp lý nhà nước khu vực phía Bắc", "TGPL", (), 1, (30,)),
    ("ĐKGDBĐ-HCM", "Trung tâm Đăng ký giao dịch, tài sản tại Thành phố Hồ Chí Minh", "ĐKGDBĐ", (), 1, (31,)),
    ("TTR-TCD", "Phòng Tiếp công dân", "TTR", (), 2, (17,)),
    ("TTR-PCTN", "Phòng Phòng, chống tham nhũng", "TTR", (), 2, (16,)),
    ("VCL-TT", "Trung tâm Thông tin khoa học", "VCL", (), 1, (36,)),
    ("HVTP-HCM", "Cơ sở Học viện Tư pháp tại Thành phố Hồ Chí Minh", "HVTP", (), 1, (37,)),
    ("QLXLVPHC-TD", "Phòng Theo dõi thi hành pháp luật", "QLXLVPHC", (), 2, (33,)),
    ("PBGDPL-HG", "Phòng Hòa giải ở cơ sở", "PBGDPL", (), 1, (14,)),
]

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Mai",
    "Tạ",
)
MIDDLE = (
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thu",
    "Thanh",
    "Quang",
    "Ngọc",
    "Xuân",
    "Hồng",
    "Thúy",
    "Kim",
    "Anh",
    "Tuấn",
    "Bảo",
)
GIVEN = (
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Hương",
    "Huyền",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Ngọc",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thành",
    "Trang",
    "Trung",
    "Tuấn",
    "Việt",
    "Yến",
    "Hiếu",
    "Thắng",
    "Nhung",
)
RECORDERS = ("vp.tonghop", "nguyen.thuha", "tran.minhduc", "le.thanhhuong", "pham.quanganh", "import")

# (title template, product)
TEMPLATES = [
    ("Xây dựng Kế hoạch triển khai thi hành {law}", "Kế hoạch"),
    ("Xây dựng Báo cáo tổng kết {k} năm thi hành {law}", "Báo cáo tổng kết"),
    ("Rà soát, đánh giá quy định pháp luật về {area}", "Báo cáo rà soát"),
    ("Tổ chức Hội nghị sơ kết công tác {area} {period} năm {year}", "Hội nghị"),
    ("Xây dựng Đề án nâng cao hiệu quả công tác {area} giai đoạn {year} - {year5}", "Đề án"),
    ("Hướng dẫn, kiểm tra việc thực hiện công tác {area} tại các địa phương", "Công văn hướng dẫn"),
    ("Góp ý dự thảo Nghị định quy định chi tiết một số điều của {law}", "Văn bản góp ý"),
    ("Xây dựng Thông tư hướng dẫn về {area}", "Thông tư"),
    ("Tổng hợp, báo cáo tình hình thực hiện công tác {area} {period} năm {year}", "Báo cáo"),
    ("Đẩy mạnh ứng dụng công nghệ thông tin trong công tác {area}", "Kế hoạch"),
    ("Nghiên cứu, đề xuất sửa đổi, bổ sung {law}", "Báo cáo đề xuất"),
    ("Thực hiện các giải pháp phòng ngừa tiêu cực trong công tác {area}", "Báo cáo"),
    ("Tăng cường tuyên truyền, phổ biến {law}", "Kế hoạch"),
    ("Xây dựng, cập nhật cơ sở dữ liệu về {area}", "Cơ sở dữ liệu"),
    ("Chuẩn bị hồ sơ dự án {law} (sửa đổi) trình Chính phủ", "Hồ sơ dự án luật"),
    ("Tiếp thu, giải trình ý kiến thẩm định dự thảo văn bản về {area}", "Báo cáo giải trình"),
    ("Kiểm tra tình hình thi hành pháp luật về {area} năm {year}", "Báo cáo kiểm tra"),
    ("Đơn giản hóa thủ tục hành chính trong lĩnh vực {area}", "Phương án đơn giản hóa"),
    ("Sơ kết {k} năm thực hiện Chỉ thị về tăng cường công tác {area}", "Báo cáo sơ kết"),
    ("Triển khai thực hiện nhiệm vụ về {area} theo chỉ đạo của Thủ tướng Chính phủ", None),
]
PERIODS = ("6 tháng đầu", "9 tháng", "quý I", "quý III", "")
TASK_NOTES = (
    "Đã có văn bản đôn đốc",
    "Nhiệm vụ phối hợp liên ngành",
    "Đã báo cáo Lãnh đạo Bộ",
    "Chờ ý kiến của các bộ, ngành",
    "Lồng ghép trong Kế hoạch công tác năm",
)
EXTENSION_REASONS = (
    "Theo đề nghị của đơn vị chủ trì, được Lãnh đạo Bộ đồng ý",
    "Chờ ý kiến thẩm định của Bộ Tư pháp",
    "Theo ý kiến chỉ đạo của Thứ trưởng",
    "Gia hạn theo Thông báo kết luận của Lãnh đạo Bộ",
)
REMINDERS = ("Đã có văn bản đôn đốc", "Đôn đốc thực hiện nhiệm vụ quá hạn", "Nhắc việc tại giao ban tuần")

# Document series per source: (symbol format, weight, how many such documents the issuer
# numbers in a year (state style) or a term (party style)); format fields {n} number, {y} year.
# The register holds only some of them, numbered at random within that volume, so
# that numbers look real and a symbol repeats across years only as often as in life.
DOC_SERIES = {
    SRC_CP: [("{n}/NQ-CP", 75, 200), ("{n}/{y}/NĐ-CP", 25, 150)],
    SRC_TTG: [
        ("{n}/QĐ-TTg", 40, 2000),
        ("{n}/CT-TTg", 12, 30),
        ("{n}/{y}/QĐ-TTg", 5, 40),
        ("{n}/CĐ-TTg", 10, 120),
        ("{n}/VPCP-KSTT", 8, 9000),
        ("{n}/VPCP-PL", 7, 9000),
        ("{n}/VPCP-TH", 5, 9000),
        ("{n}/TB-VPCP", 13, 450),
    ],
    SRC_LDB: [
        ("{n}/KH-BTP", 35, 300),
        ("{n}/QĐ-BTP", 20, 3000),
        ("{n}/CTr-BTP", 5, 6),
        ("{n}/TB-BTP", 20, 250),
        ("{n}/CT-BTP", 5, 8),
        ("{n}/BTP-VP", 15, 5000),
    ],
    SRC_DU: [
        ("{n}-NQ/ĐU", 25, 30),
        ("{n}-KL/ĐU", 15, 60),
        ("{n}-CT/ĐU", 5, 10),
        ("{n}-KH/ĐU", 20, 80),
        ("{n}-TB/ĐU", 10, 150),
        ("{n}-NQ/TW", 10, 60),
        ("{n}-KL/TW", 10, 150),
        ("{n}-CT/TW", 5, 40),
    ],
}
DOC_TITLES = (
    "{kind} về {area}",
    "{kind} triển khai thi hành {law}",
    "{kind} về nhiệm vụ trọng tâm năm {year}",
    "{kind} về đẩy mạnh công tác {area}",
    "{kind} phiên họp thường kỳ tháng {month} năm {year}",
)
# Party terms: numbers restart with each congress.
TERMS_DU = (date(2015, 7, 1), date(2020, 7, 1), date(2025, 7, 1))
TERMS_TW = (date(2016, 2, 1), date(2021, 2, 1), date(2026, 2, 1))

# -- helpers ------------------------------------------------------------------------------


def cumulative(weights):
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def pick(rng, cum):
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def month_end(y: int, m: int) -> date:
    return date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def monday_on_or_after(d: date) -> date:
    """Reminders (đôn đốc) go out on Mondays, one run for all the overdue tasks."""
    return d + timedelta(days=(7 - d.weekday()) % 7)


def uniform_day(rng, lo: date, hi: date) -> date:
    span = (hi - lo).days
    return lo + timedelta(days=int(rng.random() * (span + 1))) if span > 0 else lo


# -- the model ------------------------------------------------------------------------------


class Model:
    """Units, documents and the task stream for one (size, seed)."""

    def __init__(self, n_tasks: int, seed: int) -> None:
        from nqtrack.core.symbols import parse_symbol, symbol_key
        from nqtrack.core.text import fold

        self.fold = fold
        self._fold_cache: dict[str, str] = {}
        self.n = n_tasks
        self.seed = seed
        rng = random.Random(f"nqtrack-units-{seed}")
        # units
        self.units = []
        ids = {}
        for i, (code, name, parent, aliases, weight, areas) in enumerate(UNITS, start=1):
            ids[code] = i
            email = f"{fold(code).replace('-', '.').replace(' ', '')}@bo.example.vn" if parent is None else None
            people = sorted(
                {f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(4 + weight * 2)}
            )
            self.units.append(
                {
                    "id": i,
                    "code": code,
                    "name": name,
                    "parent_id": ids.get(parent) if parent else None,
                    "aliases": ";".join(aliases) or None,
                    "email": email,
                    "weight": weight,
                    "areas": areas,
                    "people": people,
                }
            )
        self.unit_cum = cumulative(u["weight"] for u in self.units)
        self.source_cum = cumulative(w for _, w in SOURCES)
        self.template_cum = cumulative([10, 6, 8, 6, 5, 7, 6, 5, 10, 5, 4, 3, 4, 4, 2, 4, 5, 4, 3, 5])
        # working days, a little more work each year
        days, weights = [], []
        d = START
        while d <= END:
            wd = d.weekday()
            w = 1.0 if wd < 5 else (0.06 if wd == 5 else 0.02)
            w *= 1.0 + 0.04 * (d.year - START.year)
            days.append(d)
            weights.append(w)
            d += timedelta(days=1)
        self.days = days
        self.day_cum = cumulative(weights)
        self._build_documents(parse_symbol, symbol_key)
        self._calibrate()

    # documents ---------------------------------------------------------------------

    def _build_documents(self, parse_symbol, symbol_key) -> None:
        rng = random.Random(f"nqtrack-documents-{self.seed}")
        n_docs = max(8, round(self.n / 200))
        drafts = []
        for source, share in SOURCES:
            count = max(2, round(n_docs * share / 100))
            series = DOC_SERIES[source]
            cum = cumulative(w for _, w, _ in series)
            first = START - timedelta(days=40)
            for k in range(count):
                # one early document per source, so that the first tasks have one
                issued = (
                    first + timedelta(days=rng.randrange(0, 10))
                    if k == 0
                    else uniform_day(rng, first, END - timedelta(days=3))
                )
                drafts.append((issued, source, series[pick(rng, cum)]))
        drafts.sort(key=lambda x: (x[0], x[1], x[2][0]))

        def era(fmt: str, issued: date) -> tuple:
            if "/ĐU" in fmt:
                return ("DU", sum(1 for t in TERMS_DU if issued >= t))
            if "/TW" in fmt:
                return ("TW", sum(1 for t in TERMS_TW if issued >= t))
            return ("Y", issued.year)

        # numbers: a sorted random sample of the series' volume in each year or term
        groups: dict[tuple, int] = {}
        for issued, _source, (fmt, _w, _volume) in drafts:
            key = (fmt, era(fmt, issued))
            groups[key] = groups.get(key, 0) + 1
        numbers: dict[tuple, list[int]] = {}
        for (fmt, e), count in sorted(groups.items()):
            volume = next(v for series in DOC_SERIES.values() for f, _w, v in series if f == fmt)
            if count <= volume:
                numbers[(fmt, e)] = sorted(rng.sample(range(1, volume + 1), count), reverse=True)
            else:
                numbers[(fmt, e)] = list(range(count, 0, -1))
        self.docs = []
        self.docs_by_source: dict[str, tuple[list[date], list[int]]] = {s: ([], []) for s, _ in SOURCES}
        upper: list[int] = []  # documents a ministry plan may implement
        for issued, source, (fmt, _w, _volume) in drafts:
            number = numbers[(fmt, era(fmt, issued))].pop()
            symbol_text = fmt.format(n=number if "-" not in fmt.split("/")[0] else f"{number:02d}", y=issued.year)
            parsed = parse_symbol(symbol_text)
            unit = self.units[pick(rng, self.unit_cum)]
            area, law = AREAS[rng.choice(unit["areas"])]
            title = rng.choice(DOC_TITLES).format(
                kind=parsed.type_name or "Văn bản", area=area, law=law, year=issued.year, month=issued.month
            )
            doc_id = len(self.docs) + 1
            parent_id = None
            if source == SRC_LDB and parsed.type_code in ("KH", "CTr") and upper and rng.random() < 0.4:
                parent_id = upper[-1 - int(rng.random() * min(len(upper), 30))]
            if source in (SRC_CP, SRC_TTG, SRC_DU) and parsed.type_code in ("NQ", "QĐ", "CT", "KL"):
                upper.append(doc_id)
            self.docs.append(
                {
                    "id": doc_id,
                    "symbol": parsed.text,
                    "symbol_key": symbol_key(parsed.text),
                    "style": parsed.style,
                    "doc_type": parsed.type_name,
                    "number": parsed.number,
                    "year": parsed.year or issued.year,
                    "issuer": parsed.issuer,
                    "issued_on": issued.isoformat(),
                    "received_on": (issued + timedelta(days=rng.randint(1, 6))).isoformat(),
                    "title": title,
                    "parent_id": parent_id,
                }
            )
            dates, doc_ids = self.docs_by_source[source]
            dates.append(issued)
            doc_ids.append(doc_id)

    def document_for(self, rng, source: str, assigned: date) -> int:
        """A document of `source` issued in the 90 days before the assignment (or the latest)."""
        dates, doc_ids = self.docs_by_source[source]
        hi = bisect.bisect_right(dates, assigned)
        if hi == 0:
            return doc_ids[0]
        lo = bisect.bisect_left(dates, assigned - timedelta(days=90), 0, hi)
        if lo >= hi:
            lo = hi - 1
        return doc_ids[lo + int(rng.random() * (hi - lo))]

    # deadlines, extensions, calibration ---------------------------------------------

    def assigned_day(self, position: float) -> date:
        """The day at `position` (0..1) of the cumulative workload."""
        return self.days[min(len(self.days) - 1, bisect.bisect_left(self.day_cum, position * self.day_cum[-1]))]

    @staticmethod
    def draw_deadline(rng, a: date):
        """(deadline, text as written, recurring) for a task assigned on `a`."""
        r = rng.random()
        if r < 0.20:  # no deadline
            r2 = rng.random()
            if r2 < 0.45:
                return None, None, 0
            if r2 < 0.75:
                return None, "Thường xuyên", 1
            if r2 < 0.88:
                return None, "Hằng năm", 1
            return None, "Không thời hạn", 0
        r = rng.random()
        if r < 0.30:
            span = rng.randint(10, 45)
        elif r < 0.70:
            span = rng.randint(45, 120)
        elif r < 0.92:
            span = rng.randint(120, 270)
        else:
            span = rng.randint(270, 420)
        d = a + timedelta(days=span)
        r = rng.random()
        if r < 0.68:
            return d, dmy(d), 0
        if r < 0.78:
            return d, f"Trước ngày {d.day} tháng {d.month} năm {d.year}", 0
        if r < 0.90:
            e = month_end(d.year, d.month)
            return e, f"Tháng {d.month}/{d.year}", 0
        if r < 0.97:
            q = (d.month - 1) // 3 + 1
            return month_end(d.year, q * 3), f"Quý {('I', 'II', 'III', 'IV')[q - 1]}/{d.year}", 0
        return date(d.year, 12, 31), f"Năm {d.year}", 0

    @staticmethod
    def draw_extension(rng, a: date, d0: date | None):
        """(effective day, new deadline, reason) for ~5.5 % of dated tasks, else None."""
        if d0 is None or rng.random() >= 0.055:
            return None
        lo, hi = a + timedelta(days=1), min(d0 - timedelta(days=1), TODAY - timedelta(days=1))
        if lo > hi:
            return None
        eff = d0 - timedelta(days=1 + int(rng.expovariate(1 / 10)))
        eff = min(max(eff, lo), hi)
        new = d0 + timedelta(days=rng.randint(15, 120))
        return eff, new, rng.choice(EXTENSION_REASONS)

    def _calibrate(self) -> None:
        """Probabilities that give ~1 % open overdue and ~1 % open not yet due."""
        rng = random.Random(f"nqtrack-calibrate-{self.seed}")
        samples = 40000
        weight_sum = 0.0
        future_eligible = future_forced = 0
        for _ in range(samples):
            a = self.assigned_day(rng.random())
            d0, _t, _r = self.draw_deadline(rng, a)
            ext = self.draw_extension(rng, a, d0)
            d = ext[1] if ext else d0
            if d is None:
                continue
            if d < TODAY:
                weight_sum += math.exp(-(TODAY - d).days / OVERDUE_DECAY_DAYS)
            elif a >= TODAY - timedelta(days=2):
                future_forced += 1
            else:
                future_eligible += 1
        self.overdue_scale = OPEN_OVERDUE_SHARE * samples / weight_sum if weight_sum else 0.0
        want = OPEN_NOT_DUE_SHARE * samples - future_forced
        self.open_future_p = max(0.0, min(1.0, want / future_eligible)) if future_eligible else 0.0

    # one task ---------------------------------------------------------------------

    def fold_title(self, title: str) -> str:
        key = self._fold_cache.get(title)
        if key is None:
            key = self._fold_cache[title] = self.fold(title)
        return key

    def tasks(self):
        """Yield (plan, actions) for tasks 1..N in id order; deterministic."""
        rng = random.Random(f"nqtrack-tasks-{self.seed}")
        n = self.n
        one = timedelta(days=1)
        last = TODAY - one
        year_seq: dict[int, int] = {}
        units = self.units
        for i in range(n):
            a = self.assigned_day((i + 0.5) / n)
            seq = year_seq[a.year] = year_seq.get(a.year, 0) + 1
            source = SOURCES[pick(rng, self.source_cum)][0]
            doc_id = self.document_for(rng, source, a) if rng.random() < 0.97 else None
            lead = units[pick(rng, self.unit_cum)]
            coord = set()
            for _ in range((0, 0, 0, 0, 1, 1, 1, 2, 2, 3)[int(rng.random() * 10)]):
                u = units[pick(rng, self.unit_cum)]["id"]
                if u != lead["id"]:
                    coord.add(u)
            area, law = AREAS[lead["areas"][int(rng.random() * len(lead["areas"]))]]
            tmpl, product = TEMPLATES[pick(rng, self.template_cum)]
            title = tmpl.format(
                area=area,
                law=law,
                year=a.year,
                year5=a.year + 5,
                period=PERIODS[int(rng.random() * len(PERIODS))],
                k=(3, 5, 10)[int(rng.random() * 3)],
            )
            title = " ".join(title.split())
            people = lead["people"]
            assignee = people[int(rng.random() * len(people))] if rng.random() < 0.9 else None
            d0, text0, recurring = self.draw_deadline(rng, a)
            ext = self.draw_extension(rng, a, d0)
            d = ext[1] if ext else d0
            note = TASK_NOTES[int(rng.random() * len(TASK_NOTES))] if rng.random() < 0.05 else None
            plan = {
                "id": i + 1,
                "code": f"NV-{a.year}-{seq:06d}",
                "document_id": doc_id,
                "title": title,
                "title_key": self.fold_title(title),
                "source": source,
                "lead_unit_id": lead["id"],
                "coordinating": sorted(coord),
                "assignee": assignee,
                "assigned_on": a,
                "deadline": d0,
                "deadline_text": text0,
                "recurring": recurring,
                "product": product,
                "note": note,
            }
            actions = []  # (effective day, rank, kind, payload)
            if ext:
                actions.append((ext[0], 1, "extend", ext))
            # the outcome as of TODAY
            can_act = a < last  # something can happen between assignment and yesterday
            outcome = "open"
            completed = None
            if can_act and rng.random() < 0.01 and a < TODAY - timedelta(days=30):
                outcome = "cancel"
            elif d is None:
                p_open = 0.12 if a >= TODAY - timedelta(days=730) else 0.01
                if can_act and rng.random() >= p_open:
                    outcome, completed = "done", min(a + timedelta(days=10 + int(rng.expovariate(1 / 90))), last)
            elif d >= TODAY:
                if can_act and rng.random() >= self.open_future_p:
                    lo = max(a, ext[0]) + one if ext else a + one
                    hi = min(d, last)
                    if lo <= hi:
                        outcome = "done"
                        completed = hi - timedelta(days=int(rng.expovariate(1 / 20)))
                        completed = max(completed, lo)
            else:
                p_open = self.overdue_scale * math.exp(-(TODAY - d).days / OVERDUE_DECAY_DAYS)
                if rng.random() >= p_open:
                    outcome = "done"
                    lo = max(a, ext[0]) + one if ext else a + one
                    if rng.random() < 0.22:
                        completed = min(d + timedelta(days=1 + int(rng.expovariate(1 / 30))), last)
                    else:
                        completed = max(d - timedelta(days=int(rng.expovariate(1 / 12))), lo)
            # progress on the way
            end = completed or last
            start_work = None
            if can_act and outcome != "cancel":
                want = 0.6
                if rng.random() < want and a + one < end:
                    start_work = uniform_day(rng, a + one, end - one)
                    actions.append((start_work, 0, "progress", (1 + int(rng.random() * 8)) * 10))
            if outcome == "done":
                actions.append((completed, 4, "complete", completed))
                if d is not None and completed > d and rng.random() < 0.5:
                    day = monday_on_or_after(d + timedelta(days=1 + int(rng.random() * 14)))
                    if day < completed:
                        actions.append((day, 2, "remind", REMINDERS[int(rng.random() * len(REMINDERS))]))
            elif outcome == "cancel":
                actions.append(
                    (
                        uniform_day(rng, a + timedelta(days=10), min(a + timedelta(days=200), last)),
                        4,
                        "cancel",
                        "Không thực hiện nữa theo chỉ đạo của Lãnh đạo Bộ",
                    )
                )
            elif start_work is not None and rng.random() < 0.08 and start_work + one < last:
                actions.append((uniform_day(rng, start_work + one, last), 3, "pause", "Tạm dừng chờ ý kiến chỉ đạo"))
            if outcome == "open" and d is not None and d < TODAY:
                k = 1 + int(rng.random() * 3)
                for j in range(k):
                    day = monday_on_or_after(d + timedelta(days=1 + 30 * j + int(rng.random() * 10)))
                    if day <= last:
                        actions.append((day, 2, "remind", REMINDERS[int(rng.random() * len(REMINDERS))]))
            if can_act and rng.random() < 0.08:
                actions.append(
                    (uniform_day(rng, a + one, end), 2, "note", TASK_NOTES[int(rng.random() * len(TASK_NOTES))])
                )
            actions.sort(key=lambda x: (x[0], x[1]))
            yield plan, actions, rng


# -- from plan to rows -----------------------------------------------------------------------

TASK_FIELDS = (
    "code",
    "document_id",
    "title",
    "source",
    "lead_unit_id",
    "coordinating_units",
    "assignee",
    "assigned_on",
    "deadline",
    "deadline_text",
    "product",
    "state",
    "progress",
    "completed_on",
    "recurring",
    "note",
)
TASK_COLUMNS = (
    "id",
    "code",
    "document_id",
    "title",
    "title_key",
    "source",
    "lead_unit_id",
    "assignee",
    "assigned_on",
    "deadline",
    "original_deadline",
    "deadline_text",
    "product",
    "state",
    "progress",
    "completed_on",
    "recurring",
    "note",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "id",
    "task_id",
    "kind",
    "field",
    "old_value",
    "new_value",
    "effective_on",
    "recorded_at",
    "recorded_by",
    "note",
    "batch_id",
)


def _v(value):
    """How a field's value is written into the journal: the store's own rule."""
    from nqtrack.store.base import journal_value

    return journal_value(value)


def _creation_value(snapshot):
    """What a creation event keeps: the fingerprint of the task's first fields (nqtrack since
    issue 20's journal), else the fields themselves as JSON (the versions before it)."""
    try:
        from nqtrack.store.sql import creation_fingerprint
    except ImportError:
        return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)
    return creation_fingerprint({**snapshot, "voided": 0})


def stamp(day: date, seconds: int, micro: int) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds, microseconds=micro)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds") + "+00:00"


def search_body(plan, document, fold) -> str:
    """Store._search_body: the folded words a search looks through (task's and document's)."""
    words = [plan["title"], plan["code"], plan["note"], plan["product"], plan["assignee"]] + list(document or ())
    return fold(" ".join(str(w) for w in words if w))


def realise(plan, actions, rng, batch_of_month, reminder=None):
    """The task row and its journal (event tuples without ids), as the application writes them.

    `reminder`: None (reminders are notes, kind 'note'), or (unit names by id, batch id of a
    day): a 'reminded' event naming the lead unit, recorded by the Monday's run, as
    `Store.record_reminders` writes them (nqtrack versions that have it)."""
    a = plan["assigned_on"]
    coord = plan["coordinating"]
    snapshot = {
        "code": plan["code"],
        "document_id": plan["document_id"],
        "title": plan["title"],
        "source": plan["source"],
        "lead_unit_id": plan["lead_unit_id"],
        "coordinating_units": ",".join(map(str, coord)) or None,
        "assignee": plan["assignee"],
        "assigned_on": a.isoformat(),
        "deadline": _v(plan["deadline"]),
        "deadline_text": plan["deadline_text"],
        "product": plan["product"],
        "state": "new",
        "progress": None,
        "completed_on": None,
        "recurring": plan["recurring"],
        "note": plan["note"],
    }
    task_id = plan["id"]
    # creation: recorded on the assignment day (or today, for tasks given for later)
    made = stamp(min(a, TODAY), 3600 + int(rng.random() * 30000), int(rng.random() * 1_000_000))
    created_at = iso(made)
    recorder = RECORDERS[int(rng.random() * len(RECORDERS))]
    events = [
        (
            task_id,
            "imported",
            None,
            None,
            _creation_value(snapshot),
            a.isoformat(),
            created_at,
            recorder,
            None,
            batch_of_month(a),
        )
    ]
    cur = {
        "state": "new",
        "progress": None,
        "completed_on": None,
        "deadline": snapshot["deadline"],
        "deadline_text": plan["deadline_text"],
    }
    updated_at = created_at
    prev = made
    for eff, _rank, kind, payload in actions:
        lag = {
            "complete": 1 + int(rng.expovariate(1 / 3)),
            "progress": int(rng.random() * 8),
            "extend": int(rng.random() * 3),
        }.get(kind, 0)
        rec_day = min(eff + timedelta(days=lag), TODAY)
        if kind == "remind" and reminder is not None:
            when = stamp(rec_day, 5400, 0)  # the Monday run, 08:30 local time
        else:
            when = stamp(rec_day, 3600 + int(rng.random() * 30000), int(rng.random() * 1_000_000))
        if when <= prev:
            when = prev + timedelta(seconds=1 + int(rng.random() * 600), microseconds=int(rng.random() * 1000))
        prev = when
        recorded_at = iso(when)
        by = RECORDERS[int(rng.random() * 5)]
        effective = eff.isoformat()
        changes = []
        note = None
        if kind == "progress":
            event_kind = "updated"
            changes = [("state", "in_progress"), ("progress", str(payload))]
        elif kind == "extend":
            event_kind, note = "extended", payload[2]
            changes = [("deadline", payload[1].isoformat()), ("deadline_text", dmy(payload[1]))]
        elif kind == "complete":
            event_kind = "completed"
            changes = [("state", "done"), ("completed_on", effective), ("progress", "100")]
        elif kind == "pause":
            event_kind, note = "updated", payload
            changes = [("state", "paused")]
        elif kind == "cancel":
            event_kind, note = "updated", payload
            changes = [("state", "cancelled")]
        elif kind == "remind" and reminder is not None:
            names, batch_of_day = reminder
            events.append(
                (
                    task_id,
                    "reminded",
                    None,
                    None,
                    None,
                    effective,
                    recorded_at,
                    "vp.tonghop",
                    names[plan["lead_unit_id"]],
                    batch_of_day(eff),
                )
            )
            continue
        else:  # a note (or a reminder, where there is no 'reminded' kind)
            events.append((task_id, "note", None, None, None, effective, recorded_at, by, payload, None))
            continue
        for field, new in changes:
            old = cur[field]
            if old == new:
                continue
            events.append((task_id, event_kind, field, old, new, effective, recorded_at, by, note, None))
            cur[field] = new
            updated_at = recorded_at
    progress = cur["progress"]
    row = (
        task_id,
        plan["code"],
        plan["document_id"],
        plan["title"],
        plan["title_key"],
        plan["source"],
        plan["lead_unit_id"],
        plan["assignee"],
        a.isoformat(),
        cur["deadline"],
        snapshot["deadline"],
        cur["deadline_text"],
        plan["product"],
        cur["state"],
        None if progress is None else int(progress),
        cur["completed_on"],
        plan["recurring"],
        plan["note"],
        created_at,
        updated_at,
    )
    return row, [(task_id, u) for u in coord], events


# -- writing the database ------------------------------------------------------------------


def unit_key_rows(units, fold):
    """Store._unit_keys: the folded name, code and aliases of each unit."""
    rows = []
    for u in units:
        names = [u["name"], u["code"] or ""] + (u["aliases"] or "").split(";")
        for key in sorted({fold(n) for n in names if fold(n)}):
            rows.append({"unit_id": u["id"], "key": key})
    return rows


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def generate(path: str | Path, n_tasks: int, seed: int, *, block: int = 50000, quiet: bool = False) -> dict:
    """Build the register at `path` (replacing it); returns counts and timings."""
    from nqtrack.store.sqlite import SqliteStore as Store

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove(path)
    t0 = time.perf_counter()
    model = Model(n_tasks, seed)
    store = Store(path)
    conn, db = store.conn, store.db
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -2000000")  # 2 GB: the indexes stay in memory while they grow
    conn.execute("PRAGMA temp_store = MEMORY")
    with store.transaction():
        db["units"].insert_all(
            ({k: u[k] for k in ("id", "code", "name", "parent_id", "aliases", "email")} for u in model.units),
            batch_size=500,
        )
        db["unit_keys"].insert_all(unit_key_rows(model.units, model.fold), batch_size=500)
        db["documents"].insert_all(model.docs, batch_size=500)
    batches: dict[tuple, str] = {}
    batch_rng = random.Random(f"nqtrack-batches-{seed}")

    def batch_of_month(d: date) -> str:
        key = (d.year, d.month)
        if key not in batches:
            batches[key] = f"{batch_rng.getrandbits(48):012x}"
        return batches[key]

    # the full-text index the store keeps in step on every write (schema 3 on), if this nqtrack has it
    has_search = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'task_search'").fetchone() is not None
    doc_words = {d["id"]: (d["symbol"], d["doc_type"], d["title"]) for d in model.docs}
    reminder = None
    if hasattr(Store, "record_reminders"):
        names = {u["id"]: u["name"] for u in model.units}
        day_batches: dict[date, str] = {}

        def batch_of_day(d: date) -> str:
            if d not in day_batches:
                day_batches[d] = f"{batch_rng.getrandbits(48):012x}"
            return day_batches[d]

        reminder = (names, batch_of_day)
    counts = {"tasks": 0, "task_units": 0, "events": 0}
    event_id = 0
    stream = model.tasks()
    t_gen = time.perf_counter()
    done = 0
    while done < n_tasks:
        tasks, links, events, bodies = [], [], [], []
        for _ in range(min(block, n_tasks - done)):
            plan, actions, rng = next(stream)
            row, task_links, task_events = realise(plan, actions, rng, batch_of_month, reminder)
            tasks.append(row)
            if has_search:
                bodies.append((plan["id"], search_body(plan, doc_words.get(plan["document_id"]), model.fold)))
            links.extend(task_links)
            for e in task_events:
                event_id += 1
                events.append((event_id, *e))
        with store.transaction():
            db["tasks"].insert_all([TASK_COLUMNS, *tasks], batch_size=1000)
            if links:
                db["task_units"].insert_all([("task_id", "unit_id"), *links], batch_size=1000)
            db["events"].insert_all([EVENT_COLUMNS, *events], batch_size=1000)
            if bodies:
                db["task_search"].insert_all([("rowid", "body"), *bodies], batch_size=1000)
        done += len(tasks)
        counts["tasks"] += len(tasks)
        counts["task_units"] += len(links)
        counts["events"] += len(events)
        if not quiet:
            elapsed = time.perf_counter() - t_gen
            rows = counts["tasks"] + counts["task_units"] + counts["events"]
            print(
                f"  {done:>9,} / {n_tasks:,} tasks  {counts['events']:>10,} events  "
                f"{done / elapsed:>9,.0f} tasks/s  {rows / elapsed:>10,.0f} rows/s",
                file=sys.stderr,
                flush=True,
            )
    t_rows = time.perf_counter() - t_gen
    t1 = time.perf_counter()
    conn.execute("ANALYZE")
    conn.commit()
    t_analyze = time.perf_counter() - t1
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    schema = store.applied_migrations()
    store.close()
    total = time.perf_counter() - t0
    rows = counts["tasks"] + counts["task_units"] + counts["events"]
    result = dict(
        counts,
        units=len(model.units),
        documents=len(model.docs),
        seconds=round(total, 1),
        insert_seconds=round(t_rows, 1),
        analyze_seconds=round(t_analyze, 1),
        rows_per_second=round(rows / t_rows) if t_rows else None,
        tasks_per_second=round(n_tasks / t_rows) if t_rows else None,
        size_bytes=path.stat().st_size,
        seed=seed,
        version=GENERATOR_VERSION,
        schema=schema,
    )
    if not quiet:
        print(
            f"{path}: {counts['tasks']:,} tasks, {counts['events']:,} events, {counts['task_units']:,} "
            f"coordinating links, {len(model.docs):,} documents, {len(model.units)} units in {total:.1f} s "
            f"(rows {t_rows:.1f} s at {result['rows_per_second']:,} rows/s, ANALYZE {t_analyze:.1f} s), "
            f"{result['size_bytes'] / 1e6:,.0f} MB",
            file=sys.stderr,
        )
    return result


# -- checking ------------------------------------------------------------------------------


def check(path: str | Path, sample: int = 200, seed: int = 0) -> list[str]:
    """Replay a sample of tasks against their columns; returns the problems (empty: fine)."""
    from nqtrack.core.dates import parse_deadline
    from nqtrack.core.states import OPEN_STATES, fields_as_of
    from nqtrack.core.text import fold
    from nqtrack.store.base import TASK_FIELDS as STORE_FIELDS
    from nqtrack.store.sqlite import SqliteStore as Store

    problems: list[str] = []
    store = Store(path)
    conn = store.conn
    n = conn.execute("SELECT max(id) FROM tasks").fetchone()[0] or 0
    rng = random.Random(f"check-{seed}")
    ids = sorted(rng.sample(range(1, n + 1), min(sample, n)))
    has_search = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'task_search'").fetchone() is not None
    # from schema 14 the index keeps no copy of the text: its rows are counted in its sizes
    # table, and FTS5 checks its words against the text of every task
    whole = getattr(store, "_search_index_whole", None)
    if has_search:
        indexed = conn.execute("SELECT count(*) FROM task_search_docsize").fetchone()[0]
        if indexed != n:
            problems.append(f"task_search holds {indexed} rows for {n} tasks")
        if whole is not None and not whole():
            problems.append("task_search: FTS5 finds its words unlike the text of the tasks")
    for task_id in ids:
        current = store.task(task_id)
        journal = store.journal(task_id)
        replay = fields_as_of(current, journal, TODAY)
        for field in ("state", "deadline", "completed_on", "progress", "deadline_text"):
            want = current[field] if field != "progress" else (None if current[field] is None else str(current[field]))
            if replay.get(field) != want and not (field == "progress" and replay.get(field) == current[field]):
                problems.append(f"task {task_id}: {field} replays to {replay.get(field)!r}, column {current[field]!r}")
        # the creation snapshot holds the first values
        events = store.task_events(task_id)
        first = events[0]
        if first["kind"] != "imported" or first["field"] is not None or first["effective_on"] != current["assigned_on"]:
            problems.append(f"task {task_id}: first event is not the creation")
        firsts = {}
        for e in events:
            if e["field"] is not None:
                firsts.setdefault(e["field"], e["old_value"])
        try:
            from nqtrack.store.sql import created_with
        except ImportError:  # the versions that kept the first fields whole
            snap = json.loads(first["new_value"])
        else:
            snap, unlike = created_with(first["new_value"], store._journal_fields(task_id), firsts)
            if unlike is not None:
                problems.append(f"task {task_id}: not as its creation event recorded: {unlike}")
            snap.pop("voided", None)
        if set(snap) != set(STORE_FIELDS) - {"voided"}:
            problems.append(f"task {task_id}: snapshot keys {sorted(snap)}")
        if snap["deadline"] != current["original_deadline"] or snap["state"] != "new":
            problems.append(f"task {task_id}: snapshot deadline/state {snap['deadline']}/{snap['state']}")
        if first["recorded_at"] != current["created_at"]:
            problems.append(f"task {task_id}: created_at differs from the creation event")
        changing = [e for e in events if e["field"] is not None]
        if (changing[-1]["recorded_at"] if changing else current["created_at"]) != current["updated_at"]:
            problems.append(f"task {task_id}: updated_at is not the last change")
        if [e["recorded_at"] for e in events] != sorted(e["recorded_at"] for e in events):
            problems.append(f"task {task_id}: events out of recording order")
        if any(e["field"] is not None and e["effective_on"] > TODAY.isoformat() for e in events):
            problems.append(f"task {task_id}: a change takes effect after {TODAY}")
        before = fields_as_of(current, journal, date.fromisoformat(current["assigned_on"]))
        if (before["state"], before["deadline"], before["completed_on"]) != ("new", snap["deadline"], None):
            problems.append(f"task {task_id}: fields on the assignment day {before}")
        if current["title_key"] != fold(current["title"]):
            problems.append(f"task {task_id}: title_key is not fold(title)")
        text = snap["deadline_text"]
        if text is not None:
            parsed = parse_deadline(text)
            if _v(parsed.date) != snap["deadline"] or int(parsed.recurring) != snap["recurring"]:
                problems.append(f"task {task_id}: '{text}' means {parsed.date}, stored {snap['deadline']}")
        coord = ",".join(map(str, store.coordinating_unit_ids(task_id))) or None
        if coord != snap["coordinating_units"]:
            problems.append(f"task {task_id}: coordinating units {coord} vs snapshot {snap['coordinating_units']}")
        if has_search and whole is None:
            found = conn.execute("SELECT body FROM task_search WHERE rowid = ?", [task_id]).fetchone()
            want = (
                store._search_body(
                    current, store._search_documents([current["document_id"]]).get(current["document_id"])
                )
                if hasattr(store, "_search_body")
                else None
            )
            if found is None or (want is not None and found[0] != want):
                problems.append(f"task {task_id}: search text {found and found[0]!r}, the store writes {want!r}")
        if current["state"] == "done" and (
            current["completed_on"] is None or current["completed_on"] > TODAY.isoformat()
        ):
            problems.append(f"task {task_id}: done without a completion date before today")
    # the application's own rules (`nqtrack check`), over every task, where it has them
    if hasattr(store, "invariant_problems") and n <= 200_000:
        t = time.perf_counter()
        found = store.invariant_problems()
        problems += [f"task {task}: {message} (nqtrack check)" for task, message in found]
        print(
            f"nqtrack's invariant_problems() over {n:,} tasks: {len(found)} problems ({time.perf_counter() - t:.1f} s)",
            file=sys.stderr,
        )
    # units: keys as add_unit writes them
    for u in store.list_units():
        keys = {r[0] for r in conn.execute("SELECT key FROM unit_keys WHERE unit_id = ?", [u.id])}
        if keys != store._unit_keys(u):
            problems.append(f"unit {u.code}: keys {sorted(keys)}")
    # shares
    today = TODAY.isoformat()
    total = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    open_states = "('" + "','".join(OPEN_STATES) + "')"
    overdue = conn.execute(
        f"SELECT count(*) FROM tasks WHERE state IN {open_states} AND deadline < ?", [today]
    ).fetchone()[0]
    not_due = conn.execute(
        f"SELECT count(*) FROM tasks WHERE state IN {open_states} AND deadline >= ?", [today]
    ).fetchone()[0]
    months = conn.execute(
        f"SELECT count(DISTINCT substr(deadline, 1, 7)) FROM tasks WHERE state IN {open_states} AND deadline < ?",
        [today],
    ).fetchone()[0]
    units = conn.execute(
        f"SELECT count(DISTINCT lead_unit_id) FROM tasks WHERE state IN {open_states} AND deadline < ?", [today]
    ).fetchone()[0]
    print(
        f"{total:,} tasks: {overdue:,} open and overdue on {today} ({100 * overdue / max(total, 1):.2f} %, "
        f"{months} months, {units} units), {not_due:,} open and not yet due ({100 * not_due / max(total, 1):.2f} %)",
        file=sys.stderr,
    )
    if total >= 2000:
        for label, count in (("overdue", overdue), ("not yet due", not_due)):
            if not 0.005 <= count / total <= 0.02:
                problems.append(f"{label}: {count} of {total} tasks")
    store.close()
    return problems


# -- the import files ----------------------------------------------------------------------

STATE_NAMES_VI = {
    "new": "Chưa thực hiện",
    "in_progress": "Đang thực hiện",
    "done": "Hoàn thành",
    "paused": "Tạm dừng",
    "cancelled": "Hủy",
}
TASK_HEADERS = (
    "Mã nhiệm vụ",
    "Văn bản",
    "Nội dung nhiệm vụ",
    "Nguồn giao",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Người thực hiện",
    "Ngày giao",
    "Thời hạn",
    "Trạng thái",
    "Ngày hoàn thành",
)


def write_import_files(folder: str | Path, n_tasks: int, seed: int) -> tuple[Path, Path]:
    """units.csv and tasks.csv (UTF-8 with BOM) for `nqtrack import`; returns their paths.

    The task rows are the current columns of the register `generate` builds with the same
    size and seed (the same tasks, so that an anchor fed from this file holds what nqtrack's
    register holds): `realise` is called as `generate` calls it, reminders included, since
    they draw on the task's random stream differently."""
    from nqtrack.store.sqlite import SqliteStore as Store

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = Model(n_tasks, seed)
    units_path, tasks_path = folder / "units.csv", folder / "tasks.csv"
    with open(units_path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(("Mã đơn vị", "Tên đơn vị"))
        for u in model.units:
            w.writerow((u["code"], u["name"]))
    names = {u["id"]: u["name"] for u in model.units}
    symbols = {d["id"]: d["symbol"] for d in model.docs}
    reminder = (names, lambda d: None) if hasattr(Store, "record_reminders") else None
    with open(tasks_path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(TASK_HEADERS)
        for plan, actions, rng in model.tasks():
            row, _links, _events = realise(plan, actions, rng, lambda d: None, reminder)
            state, completed = row[13], row[15]
            extended = row[9] != row[10]
            deadline = dmy(date.fromisoformat(row[9])) if extended else (plan["deadline_text"] or "")
            w.writerow(
                (
                    plan["code"],
                    symbols.get(plan["document_id"], ""),
                    plan["title"],
                    plan["source"],
                    names[plan["lead_unit_id"]],
                    "; ".join(names[u] for u in plan["coordinating"]),
                    plan["assignee"] or "",
                    dmy(plan["assigned_on"]),
                    deadline,
                    STATE_NAMES_VI[state],
                    dmy(date.fromisoformat(completed)) if completed else "",
                )
            )
    return units_path, tasks_path


# -- command line ---------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", nargs="?", help="the SQLite file to build (replaced if --force)")
    parser.add_argument("--tasks", type=int, default=2000, help="how many tasks (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--block", type=int, default=50000, help="tasks per transaction (default 50000)")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    parser.add_argument(
        "--check", action="store_true", help="after building (or, for an existing file, instead of it) replay 200 tasks"
    )
    parser.add_argument("--csv", metavar="DIR", help="write units.csv and tasks.csv for `nqtrack import` instead")
    parser.add_argument("--json", action="store_true", help="print the counts and timings as JSON on stdout")
    args = parser.parse_args(argv)
    if args.csv:
        units, tasks = write_import_files(args.csv, args.tasks, args.seed)
        print(f"wrote {units} and {tasks}", file=sys.stderr)
        return 0
    if not args.db:
        parser.error("give the database file (or --csv DIR)")
    exists = os.path.exists(args.db)
    if exists and not (args.force or args.check):
        parser.error(f"{args.db} exists: --force to replace it, --check to check it")
    if not exists or args.force:
        result = generate(args.db, args.tasks, args.seed, block=args.block)
        if args.json:
            print(json.dumps(result))
    if args.check:
        problems = check(args.db)
        for p in problems[:50]:
            print("PROBLEM:", p, file=sys.stderr)
        print(f"check: {'OK' if not problems else f'{len(problems)} problems'}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
