#!/usr/bin/env python3
"""Generate the bundled example data of nqtrack (units, documents, tasks).

The data is fictitious but shaped like the task register of a ministry in 2022:
about twenty units, a dozen documents (party resolutions and conclusions,
government decrees, the Prime Minister's decisions and letters, the ministry's
own implementing plans) and 220 tasks with the usual mix of dated deadlines,
deadlines written as text, tasks without deadline, extensions, late and on-time
completions, and an overdue backlog as of 15/11/2022.

Standard library only and deterministic: `random.Random(2022)` drives every
choice, so running this script again rewrites byte-identical files.

    python examples/make_examples.py

writes units.csv, documents.csv and tasks.csv next to this file, in UTF-8 with
BOM ("utf-8-sig"), comma separated, quoted by the csv module where needed.
Dates are dd/mm/yyyy.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2022
N_TASKS = 220
FIRST_ASSIGNED = date(2022, 1, 5)
LAST_ASSIGNED = date(2022, 11, 30)
# The day the register "was exported": nothing is completed after it.
SNAPSHOT = date(2022, 11, 15)
SOON_END = date(2022, 11, 25)
# Open tasks past a dated deadline at the snapshot, and open tasks due soon after it.
OVERDUE_OPEN = 36
SOON_OPEN = 10
# Titles that appear under two documents (the import matches rows by document + title).
MAX_SHARED_TITLES = 3

ST_DONE = "Hoàn thành"
ST_DOING = "Đang thực hiện"
ST_NEW = "Chưa thực hiện"
ST_PAUSED = "Tạm dừng"
ST_CANCELLED = "Hủy"

SRC_CP = "Chính phủ"
SRC_TTG = "Thủ tướng Chính phủ"
SRC_LDB = "Lãnh đạo Bộ"
SRC_DU = "Ban Thường vụ Đảng ủy"

# --------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------
# code, name, parent code, aliases, base weight (how many tasks it leads),
# laws it drafts or follows, fields of work ("công tác ..."), own task titles.
UNITS = [
    dict(
        code="VP", name="Văn phòng Bộ", parent="", aliases=["Văn phòng", "VPB"], weight=8,
        laws=["Luật Lưu trữ"],
        fields=["văn thư, lưu trữ", "kiểm soát thủ tục hành chính", "thi đua, khen thưởng",
                "theo dõi, đôn đốc thực hiện nhiệm vụ được giao"],
        own=["Xây dựng Báo cáo công tác tư pháp 6 tháng đầu năm 2022",
             "Xây dựng Báo cáo công tác tư pháp năm 2022 và nhiệm vụ trọng tâm năm 2023",
             "Tổng hợp, xây dựng Chương trình công tác năm 2023 của Bộ",
             "Tổ chức Hội nghị triển khai công tác tư pháp năm 2023",
             "Xây dựng Quy chế làm việc của Bộ (sửa đổi)",
             "Chuẩn bị nội dung làm việc của Lãnh đạo Bộ với các địa phương",
             "Tổ chức Lễ kỷ niệm 77 năm Ngày truyền thống ngành Tư pháp",
             "Triển khai Hệ thống quản lý văn bản và điều hành của Bộ"],
    ),
    dict(
        code="TCCB", name="Vụ Tổ chức cán bộ", parent="", aliases=["Vụ TCCB"], weight=6,
        laws=["Luật Cán bộ, công chức và Luật Viên chức"],
        fields=["tổ chức cán bộ", "đào tạo, bồi dưỡng công chức, viên chức", "quy hoạch cán bộ"],
        own=["Xây dựng Đề án vị trí việc làm của các đơn vị thuộc Bộ",
             "Rà soát, sửa đổi quyết định quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của các đơn vị thuộc Bộ",
             "Xây dựng Kế hoạch tinh giản biên chế giai đoạn 2022 - 2026",
             "Rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý nhiệm kỳ 2021 - 2026",
             "Tổ chức đánh giá, xếp loại chất lượng công chức, viên chức năm 2022"],
    ),
    dict(
        code="KHTC", name="Vụ Kế hoạch - Tài chính", parent="", aliases=["Vụ KHTC"], weight=5,
        laws=["Luật Quản lý, sử dụng tài sản công"],
        fields=["quản lý tài chính, tài sản công", "đầu tư công", "thống kê ngành tư pháp"],
        own=["Xây dựng dự toán ngân sách nhà nước năm 2023 của Bộ",
             "Xây dựng Kế hoạch đầu tư công trung hạn giai đoạn 2021 - 2025 của Bộ",
             "Thẩm định quyết toán ngân sách năm 2021 của các đơn vị dự toán trực thuộc",
             "Đẩy nhanh tiến độ giải ngân vốn đầu tư công năm 2022",
             "Xây dựng Báo cáo thống kê ngành tư pháp 6 tháng đầu năm 2022"],
    ),
    dict(
        code="PLHSHC", name="Vụ Pháp luật hình sự - hành chính", parent="", aliases=["Vụ PLHSHC"], weight=9,
        laws=["Luật Xử lý vi phạm hành chính", "Bộ luật Hình sự", "Luật Tổ chức chính quyền địa phương",
              "Luật Đặc xá"],
        fields=["xử lý vi phạm hành chính", "thẩm định văn bản trong lĩnh vực hình sự, hành chính"],
        own=["Góp ý dự thảo Nghị định quy định xử phạt vi phạm hành chính trong lĩnh vực bổ trợ tư pháp",
             "Nghiên cứu, đề xuất hoàn thiện pháp luật về xử lý vi phạm hành chính đối với người chưa thành niên"],
    ),
    dict(
        code="PLDSKT", name="Vụ Pháp luật dân sự - kinh tế", parent="", aliases=["Vụ PLDSKT"], weight=9,
        laws=["Bộ luật Dân sự", "Luật Doanh nghiệp", "Luật Đầu tư theo phương thức đối tác công tư",
              "Luật Đất đai"],
        fields=["hoàn thiện thể chế kinh tế thị trường", "thẩm định văn bản trong lĩnh vực dân sự, kinh tế"],
        own=["Nghiên cứu, xây dựng Đề án hoàn thiện thể chế về quyền sở hữu trí tuệ",
             "Rà soát quy định pháp luật chồng chéo, mâu thuẫn trong lĩnh vực đầu tư, kinh doanh"],
    ),
    dict(
        code="HTQT", name="Vụ Hợp tác quốc tế", parent="", aliases=["Vụ HTQT"], weight=4,
        laws=["Luật Thỏa thuận quốc tế", "Luật Điều ước quốc tế"],
        fields=["hợp tác quốc tế về pháp luật", "quản lý chương trình, dự án hỗ trợ phát triển chính thức"],
        own=["Xây dựng Kế hoạch đoàn ra, đoàn vào năm 2023 của Bộ",
             "Chuẩn bị nội dung Phiên họp Ủy ban hỗn hợp về hợp tác pháp luật Việt Nam - Lào",
             "Xây dựng Báo cáo thực hiện Công ước La Hay về tống đạt giấy tờ"],
    ),
    dict(
        code="PBGDPL", name="Vụ Phổ biến, giáo dục pháp luật", parent="", aliases=["Vụ PBGDPL"], weight=8,
        laws=["Luật Phổ biến, giáo dục pháp luật", "Luật Hòa giải ở cơ sở", "Luật Tiếp cận thông tin"],
        fields=["phổ biến, giáo dục pháp luật", "hòa giải ở cơ sở", "xây dựng cấp xã đạt chuẩn tiếp cận pháp luật"],
        own=["Tổ chức các hoạt động hưởng ứng Ngày Pháp luật nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2022",
             "Tổ chức Cuộc thi tìm hiểu pháp luật trực tuyến năm 2022",
             "Xây dựng Đề án tăng cường ứng dụng công nghệ thông tin trong phổ biến, giáo dục pháp luật giai đoạn 2022 - 2027"],
    ),
    dict(
        code="TTR", name="Thanh tra Bộ", parent="", aliases=["Thanh tra"], weight=5,
        laws=["Luật Thanh tra", "Luật Phòng, chống tham nhũng", "Luật Tiếp công dân"],
        fields=["phòng, chống tham nhũng", "tiếp công dân, giải quyết khiếu nại, tố cáo",
                "thanh tra chuyên ngành tư pháp"],
        own=["Xây dựng Kế hoạch thanh tra năm 2023 của Bộ",
             "Thanh tra việc chấp hành pháp luật trong hoạt động công chứng tại một số địa phương",
             "Thanh tra trách nhiệm thực hiện pháp luật về phòng, chống tham nhũng tại các đơn vị thuộc Bộ"],
    ),
    dict(
        code="KTrVB", name="Cục Kiểm tra văn bản quy phạm pháp luật", parent="",
        aliases=["Cục Kiểm tra văn bản", "Cục KTrVB"], weight=8,
        laws=["Luật Ban hành văn bản quy phạm pháp luật"],
        fields=["kiểm tra văn bản quy phạm pháp luật", "pháp điển hệ thống quy phạm pháp luật",
                "rà soát, hệ thống hóa văn bản quy phạm pháp luật"],
        own=["Kiểm tra văn bản quy phạm pháp luật do các bộ, cơ quan ngang bộ ban hành năm 2022",
             "Công bố kết quả hệ thống hóa văn bản quy phạm pháp luật kỳ 2019 - 2023",
             "Cập nhật Bộ pháp điển trên Cổng thông tin điện tử pháp điển"],
    ),
    dict(
        code="CNTT", name="Cục Công nghệ thông tin", parent="", aliases=["Cục CNTT"], weight=4,
        laws=["Luật Giao dịch điện tử"],
        fields=["chuyển đổi số", "bảo đảm an toàn thông tin", "ứng dụng công nghệ thông tin"],
        own=["Nâng cấp Cổng Dịch vụ công của Bộ",
             "Xây dựng Kiến trúc Chính phủ điện tử của Bộ phiên bản 2.0",
             "Kết nối Hệ thống thông tin báo cáo của Bộ với Hệ thống thông tin báo cáo Chính phủ",
             "Triển khai Cơ sở dữ liệu quốc gia về pháp luật",
             "Triển khai giải pháp giám sát an toàn thông tin cho hệ thống thông tin của Bộ"],
    ),
    dict(
        code="BTTP", name="Cục Bổ trợ tư pháp", parent="", aliases=["Cục BTTP"], weight=7,
        laws=["Luật Công chứng", "Luật Luật sư", "Luật Đấu giá tài sản", "Luật Giám định tư pháp",
              "Luật Trọng tài thương mại"],
        fields=["công chứng", "luật sư", "đấu giá tài sản", "giám định tư pháp", "thừa phát lại",
                "quản tài viên"],
        own=["Xây dựng Đề án phát triển đội ngũ luật sư phục vụ hội nhập quốc tế",
             "Xây dựng cơ sở dữ liệu công chứng toàn quốc"],
    ),
    dict(
        code="TCTHADS", name="Tổng cục Thi hành án dân sự", parent="", aliases=["Tổng cục THADS"], weight=8,
        laws=["Luật Thi hành án dân sự"],
        fields=["thi hành án dân sự", "theo dõi thi hành án hành chính",
                "thu hồi tài sản trong các vụ án hình sự về tham nhũng, kinh tế"],
        own=["Giao chỉ tiêu, nhiệm vụ công tác thi hành án dân sự năm 2023",
             "Xây dựng Báo cáo của Chính phủ về công tác thi hành án năm 2022 trình Quốc hội"],
    ),
    dict(
        code="NV1", name="Vụ Nghiệp vụ 1", parent="TCTHADS", aliases=[], weight=3,
        laws=[],
        fields=["tổ chức thi hành án dân sự", "xử lý tài sản thi hành án"],
        own=["Hướng dẫn giải quyết các vụ việc thi hành án dân sự phức tạp, kéo dài",
             "Rà soát, phân loại án tồn đọng có điều kiện thi hành"],
    ),
    dict(
        code="VPTC", name="Văn phòng Tổng cục Thi hành án dân sự", parent="TCTHADS",
        aliases=["Văn phòng Tổng cục"], weight=2,
        laws=[],
        fields=["thống kê thi hành án dân sự", "cải cách hành chính trong hệ thống thi hành án dân sự"],
        own=["Tổng hợp báo cáo thống kê thi hành án dân sự 6 tháng đầu năm 2022"],
    ),
    dict(
        code="VCL", name="Viện Chiến lược và Khoa học pháp lý", parent="", aliases=["Viện Chiến lược"], weight=4,
        laws=[],
        fields=["nghiên cứu khoa học pháp lý", "quản lý đề tài khoa học cấp Bộ"],
        own=["Nghiên cứu, xây dựng Chiến lược xây dựng và hoàn thiện hệ thống pháp luật đến năm 2030, định hướng đến năm 2045",
             "Thực hiện đề tài khoa học cấp Bộ về hoàn thiện pháp luật về bồi thường nhà nước",
             "Tổ chức Hội thảo khoa học về Nhà nước pháp quyền xã hội chủ nghĩa Việt Nam trong giai đoạn mới"],
    ),
    dict(
        code="BPLVN", name="Báo Pháp luật Việt Nam", parent="", aliases=["Báo Pháp luật"], weight=2,
        laws=[],
        fields=["thông tin, tuyên truyền về công tác tư pháp"],
        own=["Mở chuyên mục tuyên truyền về xây dựng Nhà nước pháp quyền",
             "Tuyên truyền kết quả công tác tư pháp năm 2022",
             "Thực hiện loạt bài về cải cách thủ tục hành chính trong lĩnh vực tư pháp"],
    ),
    dict(
        code="DHLHN", name="Trường Đại học Luật Hà Nội", parent="", aliases=["Trường ĐH Luật Hà Nội"], weight=2,
        laws=[],
        fields=["đào tạo cử nhân luật", "nghiên cứu khoa học pháp lý trong nhà trường"],
        own=["Đổi mới chương trình đào tạo cử nhân luật theo định hướng ứng dụng",
             "Tổ chức Hội thảo khoa học quốc tế về pháp luật thương mại quốc tế"],
    ),
    dict(
        code="HVTP", name="Học viện Tư pháp", parent="", aliases=[], weight=2,
        laws=[],
        fields=["đào tạo các chức danh tư pháp", "bồi dưỡng nghiệp vụ công chứng, luật sư"],
        own=["Tổ chức khóa đào tạo nghề công chứng năm 2022",
             "Xây dựng chương trình bồi dưỡng nghiệp vụ cho chấp hành viên"],
    ),
    dict(
        code="NXBTP", name="Nhà xuất bản Tư pháp", parent="", aliases=["NXB Tư pháp"], weight=1,
        laws=[],
        fields=["xuất bản sách pháp luật"],
        own=["Xuất bản bộ sách hỏi - đáp pháp luật cho đồng bào dân tộc thiểu số",
             "Xuất bản sách chuyên khảo về hoàn thiện thể chế kinh tế thị trường"],
    ),
    dict(
        code="DUB", name="Đảng ủy Bộ", parent="", aliases=["Đảng ủy"], weight=2,
        laws=[],
        fields=["xây dựng Đảng", "kiểm tra, giám sát của Đảng", "dân vận"],
        own=["Xây dựng Báo cáo kiểm điểm tập thể Ban Thường vụ Đảng ủy năm 2022",
             "Tổ chức Hội nghị học tập, quán triệt Nghị quyết Hội nghị Trung ương 5 khóa XIII",
             "Kiểm tra việc thực hiện quy chế làm việc tại các chi bộ trực thuộc",
             "Tổ chức đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2022"],
    ),
    dict(
        code="XDPL", name="Vụ Các vấn đề chung về xây dựng pháp luật", parent="",
        aliases=["Vụ Các vấn đề chung", "Vụ CVĐCXDPL"], weight=7,
        laws=["Luật Ban hành văn bản quy phạm pháp luật"],
        fields=["thẩm định văn bản quy phạm pháp luật", "xây dựng, hoàn thiện thể chế",
                "theo dõi thi hành pháp luật"],
        own=["Xây dựng Chương trình xây dựng văn bản quy phạm pháp luật năm 2023 của Bộ",
             "Xây dựng Đề nghị của Chính phủ về Chương trình xây dựng luật, pháp lệnh năm 2023"],
    ),
]
UNIT_BY_CODE = {u["code"]: u for u in UNITS}

# Legal domains: fields that laws regulate and localities carry out. Only these
# go into titles about legal texts, Thông tư or the localities.
DOMAIN_FIELDS = [
    "kiểm soát thủ tục hành chính", "xử lý vi phạm hành chính", "phổ biến, giáo dục pháp luật",
    "hòa giải ở cơ sở", "xây dựng cấp xã đạt chuẩn tiếp cận pháp luật", "phòng, chống tham nhũng",
    "tiếp công dân, giải quyết khiếu nại, tố cáo", "kiểm tra văn bản quy phạm pháp luật",
    "công chứng", "luật sư", "đấu giá tài sản", "giám định tư pháp", "thừa phát lại", "quản tài viên",
    "thi hành án dân sự", "theo dõi thi hành án hành chính", "tổ chức thi hành án dân sự",
    "xử lý tài sản thi hành án", "theo dõi thi hành pháp luật",
]

# --------------------------------------------------------------------------
# Task title templates
# --------------------------------------------------------------------------
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
TARGET_GROUPS = ["đồng bào dân tộc thiểu số", "người lao động trong các doanh nghiệp",
                 "thanh niên, học sinh, sinh viên", "người dân ở khu vực biên giới, hải đảo",
                 "người đang chấp hành án phạt tù", "cán bộ, công chức cấp xã", "phụ nữ và trẻ em"]
# Who a law is presented to.
LAW_AUDIENCES = ["cán bộ, công chức, viên chức", "người dân và doanh nghiệp", "cán bộ, công chức cấp xã",
                 "đội ngũ báo cáo viên, tuyên truyền viên pháp luật"]

# Titles built from a law ("Luật ...") ...
LAW_TEMPLATES = [
    "Xây dựng Báo cáo tổng kết {n} năm thi hành {law}",
    "Hoàn thiện dự thảo Nghị định quy định chi tiết một số điều của {law}",
    "Xây dựng dự thảo Thông tư hướng dẫn thi hành {law}",
    "Nghiên cứu, đề xuất sửa đổi, bổ sung {law}",
    "Xây dựng Hồ sơ đề nghị xây dựng {law} (sửa đổi)",
    "Đánh giá tác động chính sách trong đề nghị xây dựng {law} (sửa đổi)",
    "Tổ chức lấy ý kiến góp ý dự án {law} (sửa đổi)",
    "Biên soạn tài liệu giới thiệu {law}",
    "Rà soát văn bản quy định chi tiết {law}",
    "Theo dõi tình hình thi hành {law} năm 2022",
    "Tổ chức Hội thảo lấy ý kiến về dự thảo {law} (sửa đổi)",
    "Tiếp thu, giải trình ý kiến thẩm tra dự án {law} (sửa đổi)",
]
# ... from a field of work, any field ...
FIELD_TEMPLATES = [
    "Tổ chức Hội nghị sơ kết công tác {f} 6 tháng đầu năm 2022",
    "Tổ chức Hội nghị tổng kết công tác {f} năm 2022",
    "Xây dựng Báo cáo kết quả công tác {f} năm 2022",
    "Xây dựng Đề án nâng cao hiệu quả công tác {f} giai đoạn 2022 - 2025",
    "Xây dựng Kế hoạch công tác {f} năm 2023",
    "Tổ chức tập huấn nghiệp vụ {f} cho cán bộ, công chức",
    "Nghiên cứu, đề xuất giải pháp tháo gỡ khó khăn, vướng mắc trong công tác {f}",
    "Ứng dụng công nghệ thông tin trong công tác {f}",
    "Tổ chức Tọa đàm chuyên đề về {f}",
    "Kiểm tra việc thực hiện nhiệm vụ về {f} tại các đơn vị thuộc Bộ",
    "Xây dựng Quy chế phối hợp trong công tác {f}",
    "Xây dựng Báo cáo chuyên đề về {f} trình Lãnh đạo Bộ",
]
# ... or from a legal domain.
DOMAIN_TEMPLATES = [
    "Rà soát, hệ thống hóa văn bản quy phạm pháp luật về {f}",
    "Kiểm tra công tác {f} tại các địa phương",
    "Hướng dẫn, đôn đốc các địa phương triển khai công tác {f}",
    "Khảo sát, đánh giá thực trạng công tác {f} tại một số bộ, ngành, địa phương",
    "Xây dựng cơ sở dữ liệu về {f}",
    "Xây dựng Thông tư quy định về {f}",
]
# Party committee work reads better with its own few templates.
PARTY_TEMPLATES = [
    "Tổ chức Hội nghị sơ kết công tác {f} 6 tháng đầu năm 2022",
    "Xây dựng Báo cáo kết quả công tác {f} năm 2022",
    "Xây dựng Kế hoạch công tác {f} năm 2023",
    "Tổ chức sinh hoạt chuyên đề về {f}",
]
SKIP = {  # template: words in the field that make it read badly
    "Ứng dụng công nghệ thông tin trong công tác {f}": ("công nghệ thông tin", "chuyển đổi số", "an toàn thông tin",
                                                      "thống kê", "Đảng", "dân vận"),
    "Tổ chức tập huấn nghiệp vụ {f} cho cán bộ, công chức": ("đào tạo", "nghiên cứu", "quản lý đề tài", "xuất bản",
                                                              "thông tin, tuyên truyền", "quy hoạch", "thể chế"),
    "Rà soát, hệ thống hóa văn bản quy phạm pháp luật về {f}": ("văn bản", "theo dõi"),
    "Xây dựng Thông tư quy định về {f}": ("kiểm tra văn bản", "theo dõi thi hành án"),
}
# Titles any document can give, about the document itself.
DOC_TEMPLATES = [
    "Xây dựng Báo cáo kết quả thực hiện {label}",
    "Tổ chức quán triệt, phổ biến {label} tại đơn vị",
    "Xây dựng Báo cáo sơ kết việc thực hiện {label}",
    "Tự kiểm tra việc thực hiện {label} tại đơn vị",
]

# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------
# Each document: its register fields, the label its tasks quote, the task
# sources it feeds (with weights), and how its tasks are made:
#   topics   (unit, template) pairs that belong to this document; unit "*" is any
#            unit (the template quotes it as {unit}), "LAW*" any unit with laws
#   p_topic  how often a task is drawn from the topics
#   units    the units that lead its other tasks (None: all)
#   kinds    which general templates those other tasks use
ALL_KINDS = ("law", "field", "domain", "own", "doc")
DOCUMENTS = [
    dict(
        symbol="07-NQ/ĐUK", type="Nghị quyết", issued=date(2017, 8, 31),
        issuer="Đảng ủy Khối các cơ quan Trung ương",
        title="Về nâng cao chất lượng sinh hoạt chi bộ trong Đảng bộ Khối các cơ quan Trung ương",
        implements="", label="Nghị quyết số 07-NQ/ĐUK", sources={SRC_DU: 1},
        p_topic=1.0, units=["DUB"], kinds=("doc",),
        topics=[("DUB", "Kiểm tra việc thực hiện Nghị quyết số 07-NQ/ĐUK tại các chi bộ trực thuộc"),
                ("DUB", "Hướng dẫn sinh hoạt chi bộ chuyên đề năm 2022"),
                ("DUB", "Sơ kết 5 năm thực hiện Nghị quyết số 07-NQ/ĐUK"),
                ("TCCB", "Rà soát, kiện toàn cấp ủy các chi bộ trực thuộc"),
                ("*", "Nâng cao chất lượng sinh hoạt Chi bộ {unit}")],
    ),
    dict(
        symbol="25-KH/ĐU", type="Kế hoạch", issued=date(2022, 1, 12), issuer="Đảng ủy Bộ",
        title="Kế hoạch tiếp tục thực hiện Nghị quyết số 07-NQ/ĐUK về nâng cao chất lượng sinh hoạt chi bộ năm 2022",
        implements="07-NQ/ĐUK", label="Kế hoạch số 25-KH/ĐU", sources={SRC_DU: 2},
        p_topic=0.8, units=["DUB"], kinds=("field", "own", "doc"),
        topics=[("DUB", "Tổ chức sinh hoạt chi bộ chuyên đề về {f}"),
                ("TCCB", "Rà soát, bổ sung quy hoạch cấp ủy nhiệm kỳ 2020 - 2025"),
                ("*", "Tổ chức sinh hoạt chuyên đề tại Chi bộ {unit}"),
                ("*", "Xây dựng Báo cáo tự đánh giá chất lượng sinh hoạt Chi bộ {unit}")],
    ),
    dict(
        symbol="15-NQ/TW", type="Nghị quyết", issued=date(2022, 1, 20), issuer="Bộ Chính trị",
        title="Về tiếp tục đổi mới, nâng cao chất lượng công tác xây dựng và thi hành pháp luật, "
              "đáp ứng yêu cầu phát triển đất nước trong giai đoạn mới",
        implements="", label="Nghị quyết số 15-NQ/TW", sources={SRC_LDB: 1},
        p_topic=0.5, units=["XDPL", "KTrVB", "VCL", "PLHSHC", "PLDSKT", "PBGDPL"], kinds=("law", "doc"),
        topics=[("VP", "Tổ chức quán triệt, triển khai Nghị quyết số 15-NQ/TW trong toàn ngành"),
                ("XDPL", "Xây dựng Kế hoạch của Bộ thực hiện Nghị quyết số 15-NQ/TW"),
                ("VCL", "Nghiên cứu, đề xuất định hướng hoàn thiện hệ thống pháp luật theo Nghị quyết số 15-NQ/TW"),
                ("BPLVN", "Tuyên truyền về Nghị quyết số 15-NQ/TW trên Báo Pháp luật Việt Nam"),
                ("XDPL", "Đề xuất nội dung Chương trình hành động của Chính phủ thực hiện Nghị quyết số 15-NQ/TW")],
    ),
    dict(
        symbol="1234/QĐ-BTP", type="Quyết định", issued=date(2022, 3, 15), issuer="Bộ Tư pháp",
        title="Ban hành Kế hoạch thực hiện Nghị quyết số 15-NQ/TW của Bộ Chính trị về tiếp tục đổi mới, "
              "nâng cao chất lượng công tác xây dựng và thi hành pháp luật",
        implements="15-NQ/TW", label="Kế hoạch ban hành kèm theo Quyết định số 1234/QĐ-BTP",
        sources={SRC_LDB: 3}, p_topic=0.25,
        units=["XDPL", "KTrVB", "VCL", "PLHSHC", "PLDSKT", "PBGDPL", "BTTP", "TCTHADS", "HTQT", "TTR", "CNTT"],
        kinds=("law", "domain", "doc"),
        topics=[("KTrVB", "Xây dựng Đề án nâng cao hiệu quả công tác kiểm tra, xử lý văn bản quy phạm pháp luật"),
                ("XDPL", "Nghiên cứu, đề xuất cơ chế kiểm soát quyền lực trong xây dựng pháp luật"),
                ("XDPL", "Tổng kết thực tiễn thi hành Luật Ban hành văn bản quy phạm pháp luật"),
                ("CNTT", "Xây dựng Cổng Pháp luật quốc gia"),
                ("VCL", "Tổ chức Hội thảo khoa học về đổi mới quy trình xây dựng pháp luật"),
                ("TCCB", "Xây dựng Đề án nâng cao năng lực đội ngũ làm công tác xây dựng pháp luật"),
                ("LAW*", "Đánh giá tình hình thi hành {law} để đề xuất hoàn thiện")],
    ),
    dict(
        symbol="82-KL/TW", type="Kết luận", issued=date(2020, 7, 29), issuer="Ban Bí thư",
        title="Về tiếp tục thực hiện Chỉ thị số 32-CT/TW về tăng cường sự lãnh đạo của Đảng trong công tác "
              "phổ biến, giáo dục pháp luật, nâng cao ý thức chấp hành pháp luật của cán bộ, nhân dân",
        implements="", label="Kết luận số 82-KL/TW", sources={SRC_LDB: 1},
        p_topic=0.8, units=["PBGDPL"], kinds=("field", "domain", "doc"),
        topics=[("PBGDPL", "Đổi mới hình thức phổ biến, giáo dục pháp luật cho {g}"),
                ("PBGDPL", "Xây dựng Báo cáo sơ kết 2 năm thực hiện Kết luận số 82-KL/TW"),
                ("LAW*", "Tổ chức phổ biến, giới thiệu {law} cho {a}")],
    ),
    dict(
        symbol="210/KH-BTP", type="Kế hoạch", issued=date(2022, 1, 24), issuer="Bộ Tư pháp",
        title="Kế hoạch triển khai thực hiện Kết luận số 82-KL/TW của Ban Bí thư năm 2022",
        implements="82-KL/TW", label="Kế hoạch số 210/KH-BTP", sources={SRC_LDB: 2},
        p_topic=0.75, units=["PBGDPL"], kinds=("field", "domain", "doc"),
        topics=[("PBGDPL", "Đổi mới hình thức phổ biến, giáo dục pháp luật cho {g}"),
                ("PBGDPL", "Tổ chức tập huấn kỹ năng phổ biến pháp luật cho báo cáo viên pháp luật trung ương"),
                ("BPLVN", "Tuyên truyền việc thực hiện Kết luận số 82-KL/TW trên Báo Pháp luật Việt Nam"),
                ("NXBTP", "Biên soạn, xuất bản tài liệu phổ biến pháp luật cho {g}"),
                ("CNTT", "Nâng cấp Cổng thông tin phổ biến, giáo dục pháp luật quốc gia"),
                ("HVTP", "Lồng ghép nội dung phổ biến, giáo dục pháp luật vào chương trình đào tạo các chức danh tư pháp"),
                ("DHLHN", "Tổ chức Cuộc thi tìm hiểu pháp luật cho sinh viên năm 2022"),
                ("LAW*", "Tổ chức phổ biến, giới thiệu {law} cho {a}")],
    ),
    dict(
        symbol="2114/QĐ-TTg", type="Quyết định", issued=date(2021, 12, 16), issuer="Thủ tướng Chính phủ",
        title="Ban hành Kế hoạch thực hiện Kết luận số 19-KL/TW của Bộ Chính trị và Đề án Định hướng "
              "Chương trình xây dựng pháp luật nhiệm kỳ Quốc hội khóa XV",
        implements="", label="Quyết định số 2114/QĐ-TTg", sources={SRC_TTG: 3},
        p_topic=0.1, units=["PLHSHC", "PLDSKT", "BTTP", "TCTHADS", "TTR", "PBGDPL", "XDPL", "HTQT", "TCCB", "KHTC", "CNTT"],
        kinds=("law",),
        topics=[("XDPL", "Tổng hợp tình hình thực hiện Chương trình xây dựng pháp luật nhiệm kỳ Quốc hội khóa XV"),
                ("XDPL", "Đề xuất điều chỉnh Chương trình xây dựng luật, pháp lệnh năm 2022")],
    ),
    dict(
        symbol="42/2014/QĐ-TTg", type="Quyết định", issued=date(2014, 7, 27), issuer="Thủ tướng Chính phủ",
        title="Ban hành Quy chế theo dõi, đôn đốc, kiểm tra việc thực hiện nhiệm vụ do Chính phủ, "
              "Thủ tướng Chính phủ giao",
        implements="", label="Quyết định số 42/2014/QĐ-TTg", sources={SRC_TTG: 1},
        p_topic=1.0, units=["VP"], kinds=("doc",),
        topics=[("VP", "Xây dựng Báo cáo tình hình thực hiện nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao quý {q}/2022"),
                ("VP", "Cập nhật kết quả thực hiện nhiệm vụ trên Hệ thống theo dõi nhiệm vụ của Chính phủ quý {q}/2022"),
                ("VP", "Kiểm tra tình hình thực hiện nhiệm vụ được giao tại các đơn vị thuộc Bộ"),
                ("VP", "Rà soát nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao còn tồn đọng"),
                ("VP", "Sửa đổi Quy chế theo dõi, đôn đốc việc thực hiện nhiệm vụ do Lãnh đạo Bộ giao"),
                ("CNTT", "Nâng cấp phần mềm theo dõi nhiệm vụ của Bộ"),
                ("*", "Báo cáo kết quả thực hiện nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao của {unit} quý {q}/2022")],
    ),
    dict(
        symbol="7722/VPCP-KSTT", type="Công văn", issued=date(2021, 10, 21), issuer="Văn phòng Chính phủ",
        title="V/v đẩy mạnh cải cách thủ tục hành chính, số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        implements="", label="Công văn số 7722/VPCP-KSTT", sources={SRC_TTG: 2},
        p_topic=1.0, units=["VP"], kinds=("doc",),
        topics=[("BTTP", "Rà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực {f}"),
                ("BTTP", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính trong lĩnh vực {f}"),
                ("BTTP", "Cung cấp dịch vụ công trực tuyến toàn trình trong lĩnh vực {f}"),
                ("TCTHADS", "Rà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực thi hành án dân sự"),
                ("TCTHADS", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính trong lĩnh vực thi hành án dân sự"),
                ("VP", "Cắt giảm, đơn giản hóa quy định liên quan đến hoạt động kinh doanh thuộc phạm vi quản lý của Bộ"),
                ("VP", "Công bố danh mục thủ tục hành chính được sửa đổi, bổ sung năm 2022"),
                ("VP", "Kiểm tra việc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại các đơn vị thuộc Bộ"),
                ("VP", "Báo cáo tình hình, kết quả thực hiện cải cách thủ tục hành chính quý {q}/2022"),
                ("CNTT", "Cung cấp dịch vụ công trực tuyến toàn trình đối với thủ tục cấp Phiếu lý lịch tư pháp"),
                ("CNTT", "Tích hợp dịch vụ công của Bộ lên Cổng Dịch vụ công quốc gia"),
                ("CNTT", "Xây dựng kho dữ liệu điện tử của tổ chức, cá nhân trên Cổng Dịch vụ công của Bộ"),
                ("PBGDPL", "Rà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực hòa giải ở cơ sở")],
    ),
    dict(
        symbol="30/2020/NĐ-CP", type="Nghị định", issued=date(2020, 3, 5), issuer="Chính phủ",
        title="Về công tác văn thư", implements="", label="Nghị định số 30/2020/NĐ-CP",
        sources={SRC_CP: 2}, p_topic=1.0, units=["VP"], kinds=("doc",),
        topics=[("VP", "Rà soát, sửa đổi Quy chế công tác văn thư của Bộ"),
                ("VP", "Hướng dẫn lập hồ sơ và giao nộp hồ sơ, tài liệu vào Lưu trữ cơ quan"),
                ("VP", "Chỉnh lý tài liệu tồn đọng giai đoạn 2010 - 2015"),
                ("VP", "Xây dựng Danh mục hồ sơ năm 2023 của Bộ"),
                ("VP", "Kiểm tra công tác văn thư, lưu trữ tại các đơn vị thuộc Bộ"),
                ("VP", "Tổ chức tập huấn nghiệp vụ văn thư, lưu trữ cho cán bộ, công chức"),
                ("VP", "Xây dựng Báo cáo kết quả công tác văn thư, lưu trữ năm 2022"),
                ("VP", "Số hóa tài liệu lưu trữ của Bộ giai đoạn 2015 - 2020"),
                ("CNTT", "Triển khai chữ ký số trong gửi, nhận văn bản điện tử"),
                ("CNTT", "Kết nối Hệ thống quản lý văn bản của Bộ với Trục liên thông văn bản quốc gia"),
                ("CNTT", "Nâng cấp Hệ thống quản lý văn bản và điều hành đáp ứng yêu cầu của Nghị định số 30/2020/NĐ-CP"),
                ("VPTC", "Hướng dẫn công tác văn thư trong hệ thống thi hành án dân sự")],
    ),
    dict(
        symbol="09/2019/NĐ-CP", type="Nghị định", issued=date(2019, 1, 24), issuer="Chính phủ",
        title="Quy định về chế độ báo cáo của cơ quan hành chính nhà nước", implements="",
        label="Nghị định số 09/2019/NĐ-CP", sources={SRC_CP: 2}, p_topic=1.0, units=["VP"], kinds=("doc",),
        topics=[("VP", "Rà soát, chuẩn hóa chế độ báo cáo định kỳ thuộc phạm vi quản lý của Bộ"),
                ("VP", "Xây dựng Quyết định công bố danh mục chế độ báo cáo định kỳ của Bộ"),
                ("VP", "Kiểm tra việc thực hiện chế độ báo cáo tại các đơn vị thuộc Bộ"),
                ("VP", "Tổng hợp, xây dựng Báo cáo kinh tế - xã hội ngành tư pháp quý {q}/2022"),
                ("KHTC", "Cập nhật chỉ tiêu thống kê ngành tư pháp lên Hệ thống thông tin báo cáo Chính phủ"),
                ("KHTC", "Xây dựng Thông tư quy định chế độ báo cáo thống kê ngành tư pháp"),
                ("KHTC", "Xây dựng Báo cáo thống kê ngành tư pháp năm 2022"),
                ("CNTT", "Bảo đảm vận hành Hệ thống thông tin báo cáo của Bộ"),
                ("CNTT", "Xây dựng phần mềm báo cáo thống kê ngành tư pháp trực tuyến"),
                ("VPTC", "Số hóa chế độ báo cáo thống kê thi hành án dân sự"),
                ("VPTC", "Tổng hợp báo cáo thống kê thi hành án dân sự năm 2022"),
                ("VP", "Hướng dẫn các đơn vị thực hiện chế độ báo cáo theo Nghị định số 09/2019/NĐ-CP"),
                ("VP", "Xây dựng Báo cáo chuyên đề về chế độ báo cáo quý {q}/2022 gửi Văn phòng Chính phủ"),
                ("KHTC", "Rà soát hệ thống chỉ tiêu thống kê ngành tư pháp"),
                ("CNTT", "Xây dựng bảng điều khiển chỉ tiêu ngành tư pháp phục vụ chỉ đạo, điều hành")],
    ),
    dict(
        symbol="01/NQ-CP", type="Nghị quyết", issued=date(2022, 1, 8), issuer="Chính phủ",
        title="Về nhiệm vụ, giải pháp chủ yếu thực hiện Kế hoạch phát triển kinh tế - xã hội và "
              "Dự toán ngân sách nhà nước năm 2022",
        implements="", label="Nghị quyết số 01/NQ-CP", sources={SRC_CP: 5},
        p_topic=0.15, units=None, kinds=ALL_KINDS,
        topics=[("KHTC", "Đẩy nhanh tiến độ giải ngân vốn đầu tư công năm 2022"),
                ("VP", "Xây dựng Chương trình hành động của Bộ thực hiện Nghị quyết số 01/NQ-CP"),
                ("TCTHADS", "Phấn đấu hoàn thành chỉ tiêu thi hành xong về việc và về tiền năm 2022"),
                ("BTTP", "Tháo gỡ vướng mắc trong đấu giá quyền sử dụng đất"),
                ("PLDSKT", "Rà soát, tháo gỡ vướng mắc về thể chế trong thực hiện Chương trình phục hồi và phát triển kinh tế - xã hội")],
    ),
    dict(
        symbol="01/CTr-BTP", type="Chương trình", issued=date(2022, 1, 4), issuer="Bộ Tư pháp",
        title="Chương trình công tác năm 2022 của Bộ Tư pháp", implements="",
        label="Chương trình công tác năm 2022 của Bộ", sources={SRC_LDB: 6},
        p_topic=0.0, units=None, kinds=ALL_KINDS, topics=[],
    ),
]
DOC_BY_SYMBOL = {d["symbol"]: d for d in DOCUMENTS}

SOURCE_WEIGHTS = [(SRC_CP, 24), (SRC_TTG, 24), (SRC_LDB, 47), (SRC_DU, 5)]

# What a task must produce, read from how its title begins, else from a word in it.
PRODUCT_BY_START = [
    ("Xây dựng Báo cáo", "Báo cáo"), ("Báo cáo", "Báo cáo"), ("Tổng hợp", "Báo cáo"),
    ("Xây dựng Hồ sơ đề nghị", "Hồ sơ đề nghị xây dựng luật"), ("Xây dựng Đề án", "Đề án"),
    ("Xây dựng Kế hoạch", "Kế hoạch"), ("Xây dựng dự thảo Thông tư", "Dự thảo Thông tư"),
    ("Xây dựng Thông tư", "Dự thảo Thông tư"), ("Hoàn thiện dự thảo Nghị định", "Dự thảo Nghị định"),
    ("Góp ý", "Công văn góp ý"), ("Biên soạn", "Tài liệu"), ("Khảo sát", "Báo cáo kết quả khảo sát"),
    ("Tự kiểm tra", "Báo cáo tự kiểm tra"), ("Kiểm tra", "Báo cáo kết quả kiểm tra"),
    ("Thanh tra", "Kết luận thanh tra"), ("Nghiên cứu, đề xuất", "Tờ trình"), ("Đề xuất", "Tờ trình"),
    ("Đánh giá tác động", "Báo cáo đánh giá tác động chính sách"), ("Đánh giá", "Báo cáo"),
    ("Tiếp thu, giải trình", "Báo cáo tiếp thu, giải trình"), ("Tổ chức lấy ý kiến", "Báo cáo tổng hợp ý kiến"),
    ("Tổ chức Hội nghị", "Hội nghị"), ("Tổ chức Hội thảo", "Kỷ yếu hội thảo"),
    ("Tổ chức Tọa đàm", "Báo cáo kết quả tọa đàm"), ("Tổ chức tập huấn", "Lớp tập huấn"),
    ("Tổ chức quán triệt", "Hội nghị quán triệt"), ("Tổ chức Cuộc thi", "Cuộc thi"),
    ("Tổ chức phổ biến", "Hội nghị phổ biến pháp luật"), ("Tổ chức sinh hoạt", "Biên bản sinh hoạt chi bộ"),
    ("Tổ chức khóa", "Khóa đào tạo"), ("Tổ chức Lễ", "Lễ kỷ niệm"), ("Hướng dẫn", "Văn bản hướng dẫn"),
    ("Rà soát, sửa đổi", "Quyết định ban hành"), ("Rà soát", "Báo cáo rà soát"),
    ("Sửa đổi", "Quyết định ban hành"), ("Công bố", "Quyết định ban hành"),
    ("Xuất bản", "Ấn phẩm"), ("Tuyên truyền", "Tin, bài tuyên truyền"), ("Mở chuyên mục", "Chuyên mục"),
    ("Thực hiện loạt bài", "Tin, bài tuyên truyền"), ("Thực hiện đề tài", "Đề tài khoa học"),
    ("Cập nhật", "Báo cáo"), ("Theo dõi", "Báo cáo"), ("Giao chỉ tiêu", "Quyết định ban hành"),
    ("Đổi mới hình thức", "Báo cáo"), ("Ứng dụng công nghệ thông tin", "Phần mềm"), ("Tháo gỡ", "Báo cáo"),
    ("Đẩy nhanh", "Báo cáo"), ("Nâng cao chất lượng", "Báo cáo"), ("Nghiên cứu, xây dựng Chiến lược", "Dự thảo Chiến lược"),
    ("Tổng kết thực tiễn", "Báo cáo tổng kết"), ("Tổ chức các hoạt động", "Báo cáo"),
]
PRODUCT_BY_WORD = [
    ("quy chế", "Quyết định ban hành"), ("chương trình", "Quyết định ban hành"),
    ("danh mục", "Quyết định ban hành"), ("kế hoạch", "Kế hoạch"), ("đề án", "Đề án"),
    ("cơ sở dữ liệu", "Cơ sở dữ liệu"), ("phần mềm", "Phần mềm"), ("cổng", "Hệ thống thông tin"),
    ("hệ thống thông tin", "Hệ thống thông tin"), ("hệ thống quản lý", "Hệ thống thông tin"),
    ("chữ ký số", "Hệ thống thông tin"), ("kho dữ liệu", "Hệ thống thông tin"),
    ("dịch vụ công", "Dịch vụ công trực tuyến"), ("số hóa", "Báo cáo"), ("tài liệu", "Tài liệu"),
]
OTHER_PRODUCTS = ["Báo cáo", "Tờ trình", "Quyết định ban hành", "Công văn", "Báo cáo"]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Phan",
            "Đinh", "Trịnh", "Mai", "Lương"]
MALE_MIDDLE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Mạnh", "Tuấn", "Xuân"]
MALE_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng",
              "Trung", "Tuấn", "Việt", "Hiếu", "Khánh", "Thành"]
FEMALE_MIDDLE = ["Thị", "Thu", "Thị Bích", "Thị Thanh", "Minh", "Thị Hồng", "Phương", "Thị Thu", "Ngọc"]
FEMALE_GIVEN = ["Ngọc", "Hà", "Lan", "Hương", "Linh", "Mai", "Trang", "Thảo", "Hạnh", "Yến", "Thủy",
                "Nhung", "Huyền", "Giang", "Anh"]

NOTES_DONE = ["Đã trình Lãnh đạo Bộ", "Sản phẩm đã gửi Văn phòng Chính phủ", "Lồng ghép với Chương trình công tác năm 2022"]
NOTES_OPEN = ["Đang lấy ý kiến các bộ, ngành", "Chờ ý kiến của Văn phòng Chính phủ", "Đã có văn bản đôn đốc",
              "Đơn vị đề nghị điều chỉnh thời hạn"]
NOTE_LOCAL = "Phối hợp với UBND các tỉnh, thành phố"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def dmy(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def month_end(y: int, m: int) -> date:
    return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)


def weekday_between(rng: random.Random, lo: date, hi: date) -> date:
    """A working day (Mon-Fri) in [lo, hi]; any day if the range holds none."""
    days = [lo + timedelta(i) for i in range((hi - lo).days + 1)]
    work = [d for d in days if d.weekday() < 5]
    return rng.choice(work or days)


def weighted(rng: random.Random, pairs):
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def make_person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(SURNAMES)} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def product_for(rng: random.Random, title: str) -> str:
    for start, product in PRODUCT_BY_START:
        if title.startswith(start):
            return product
    low = title.lower()
    for word, product in PRODUCT_BY_WORD:
        if word in low:
            return product
    return rng.choice(OTHER_PRODUCTS)


# Titles that belong to a stretch of the year (title fragment, first day, last day).
TIMING = [
    ("6 tháng đầu năm 2022", date(2022, 5, 15), date(2022, 7, 15)),
    ("Kế hoạch của Bộ thực hiện Nghị quyết số 15-NQ/TW", FIRST_ASSIGNED, date(2022, 2, 28)),
    ("Chương trình hành động của Chính phủ thực hiện", FIRST_ASSIGNED, date(2022, 4, 30)),
    ("Chương trình hành động của Bộ thực hiện", FIRST_ASSIGNED, date(2022, 3, 31)),
    ("điều chỉnh Chương trình xây dựng luật, pháp lệnh năm 2022", FIRST_ASSIGNED, date(2022, 9, 30)),
    ("Theo dõi tình hình thi hành", FIRST_ASSIGNED, date(2022, 9, 30)),
    ("Lễ kỷ niệm 77 năm Ngày truyền thống", FIRST_ASSIGNED, date(2022, 7, 31)),
    ("năm 2023", date(2022, 8, 1), LAST_ASSIGNED),
    ("Sơ kết", date(2022, 4, 1), LAST_ASSIGNED),
    ("sơ kết", date(2022, 4, 1), LAST_ASSIGNED),
]
CLOSING = ("tổng kết công tác", "Báo cáo kết quả", "Báo cáo công tác", "kiểm điểm", "xếp loại",
           "Báo cáo thống kê", "báo cáo thống kê", "chỉ tiêu thi hành xong")


def fits(title: str, assigned: date, doc) -> bool:
    """Whether a title makes sense for a task of this document given on that day."""
    for fragment, first, last in TIMING:
        if fragment in title and not first <= assigned <= last:
            return False
    if "năm 2022" in title and any(c in title for c in CLOSING) and assigned < date(2022, 8, 1):
        return False
    return not ("quán triệt" in title and assigned > max(doc["issued"], FIRST_ASSIGNED) + timedelta(days=90))


# --------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------
def text_deadline(rng: random.Random, assigned: date) -> tuple[str, date]:
    """A deadline written as text, with the date it means."""
    kinds = ["month", "quarter", "before", "year"]
    while True:
        kind = rng.choice(kinds)
        if kind == "month":
            d = assigned + timedelta(days=rng.randint(20, 110))
            return f"Tháng {d.month}/{d.year}", month_end(d.year, d.month)
        if kind == "quarter":
            d = assigned + timedelta(days=rng.randint(25, 120))
            q = (d.month - 1) // 3 + 1
            return f"Quý {ROMAN[q]}/{d.year}", month_end(d.year, q * 3)
        if kind == "before":
            d = assigned + timedelta(days=rng.randint(20, 110))
            day = rng.choice([10, 15, 20, 25, 30])
            if day > month_end(d.year, d.month).day:
                continue
            when = date(d.year, d.month, day)
            if when <= assigned + timedelta(days=14):
                continue
            return f"trước ngày {day} tháng {when.month} năm {when.year}", when
        if assigned <= date(2022, 10, 31):
            return "Năm 2022", date(2022, 12, 31)


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------
class TitleMaker:
    """Draws (lead unit, title) pairs that fit a document and a day."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.by_doc = {d["symbol"]: [] for d in DOCUMENTS}  # titles used per document
        self.used = []  # titles used anywhere
        self.shared = 0  # titles deliberately given by two documents

    def unit_for(self, spec: str, pool=None) -> str:
        rng = self.rng
        if spec == "*":
            pool = [u["code"] for u in UNITS if u["code"] != "DUB"]
        elif spec == "LAW*":
            pool = [u["code"] for u in UNITS if u["laws"]]
        else:
            return spec
        return weighted(rng, [(c, UNIT_BY_CODE[c]["weight"]) for c in pool])

    def topic(self, doc, assigned):
        rng = self.rng
        spec, template = rng.choice(doc["topics"])
        code = self.unit_for(spec)
        unit = UNIT_BY_CODE[code]
        q = ROMAN[(assigned.month - 1) // 3 + 1]
        title = template.format(f=rng.choice(unit["fields"]), g=rng.choice(TARGET_GROUPS), q=q,
                                a=rng.choice(LAW_AUDIENCES),
                                law=rng.choice(unit["laws"] or ["?"]), unit=unit["name"])
        return code, title, "{" not in template

    def general(self, doc, broad=False):
        rng = self.rng
        pool = doc["units"] or [u["code"] for u in UNITS if u["code"] != "DUB"]
        if broad:  # the document's own pool ran dry: let its units give their usual work
            doc = dict(doc, kinds=ALL_KINDS)
        code = weighted(rng, [(c, UNIT_BY_CODE[c]["weight"]) for c in pool])
        unit = UNIT_BY_CODE[code]
        kinds = [k for k in doc["kinds"]
                 if (k != "law" or unit["laws"]) and (k != "own" or unit["own"])
                 and (k != "domain" or any(f in DOMAIN_FIELDS for f in unit["fields"]))]
        kind = weighted(rng, [(k, {"law": 4, "field": 4, "domain": 2, "own": 2, "doc": 0.7}[k]) for k in kinds])
        if kind == "doc":
            return code, rng.choice(DOC_TEMPLATES).format(label=doc["label"]), False
        if kind == "own":
            return code, rng.choice(unit["own"]), True
        if kind == "law":
            return code, rng.choice(LAW_TEMPLATES).format(law=rng.choice(unit["laws"]), n=rng.choice([3, 5, 10])), False
        if kind == "domain":
            template = rng.choice(DOMAIN_TEMPLATES)
            field = rng.choice([f for f in unit["fields"] if f in DOMAIN_FIELDS])
        else:
            template = rng.choice(PARTY_TEMPLATES if code == "DUB" else FIELD_TEMPLATES)
            field = rng.choice(unit["fields"])
        if any(s in field for s in SKIP.get(template, ())):
            return None
        return code, template.format(f=field), False

    def draw(self, doc, assigned):
        for attempt in range(600):
            if attempt >= 300:
                got = self.general(doc, broad=True)
            elif doc["topics"] and self.rng.random() < doc["p_topic"]:
                got = self.topic(doc, assigned)
            else:
                got = self.general(doc)
            if got is None:
                continue
            code, title, fixed = got
            if title in self.by_doc[doc["symbol"]]:
                continue
            if title in self.used:
                # The same work is now and then given by two documents; allow a few.
                if fixed or self.shared >= MAX_SHARED_TITLES or self.rng.random() > 0.2:
                    continue
                self.shared += 1
            if not fits(title, assigned, doc):
                continue
            self.by_doc[doc["symbol"]].append(title)
            self.used.append(title)
            return code, title
        raise RuntimeError(f"no fresh title for {doc['symbol']} on {assigned}")


def build(rng: random.Random):
    # Staff of each unit, drawn once so that names recur within a unit.
    staff = {}
    for u in UNITS:
        names, size = [], rng.randint(2, 4)
        while len(names) < size:
            name = make_person(rng)
            if name not in names:
                names.append(name)
        staff[u["code"]] = names

    docs_by_source = {}
    for d in DOCUMENTS:
        for src, w in d["sources"].items():
            docs_by_source.setdefault(src, []).append((d["symbol"], w))

    titles = TitleMaker(rng)
    span = (LAST_ASSIGNED - FIRST_ASSIGNED).days + 1
    working_days = [FIRST_ASSIGNED + timedelta(i) for i in range(span)]
    working_days = [d for d in working_days if d.weekday() < 5]

    tasks = []
    for i in range(N_TASKS):
        source = weighted(rng, SOURCE_WEIGHTS)
        doc = DOC_BY_SYMBOL[weighted(rng, docs_by_source[source])]
        earliest = max(FIRST_ASSIGNED, doc["issued"] + timedelta(days=3))
        if i == 0:  # the register opens on the first working day after the programme
            source, doc, assigned = SRC_LDB, DOC_BY_SYMBOL["01/CTr-BTP"], FIRST_ASSIGNED
        elif i == 1:
            assigned = LAST_ASSIGNED
        else:
            assigned = rng.choice([d for d in working_days if d >= earliest])

        unit_code, title = titles.draw(doc, assigned)

        others = [u["code"] for u in UNITS if u["code"] != unit_code]
        n_coord = weighted(rng, [(0, 30), (1, 35), (2, 25), (3, 10)])
        coordinating = rng.sample(others, n_coord)

        assignee = rng.choice(staff[unit_code]) if rng.random() < 0.8 else ""

        # Deadline: ~70 % a date, ~10 % text, ~20 % none.
        r = rng.random()
        deadline_text, deadline = "", None
        if r < 0.70:
            lo, hi = assigned + timedelta(days=15), assigned + timedelta(days=120)
            soon_lo, soon_hi = max(lo, SNAPSHOT), min(hi, SOON_END)
            if soon_lo <= soon_hi and rng.random() < 0.2:
                deadline = weekday_between(rng, soon_lo, soon_hi)
            else:
                deadline = weekday_between(rng, lo, hi)
            deadline_text = dmy(deadline)
        elif r < 0.80:
            deadline_text, deadline = text_deadline(rng, assigned)
        else:
            deadline_text = rng.choice(["", "", "Không thời hạn", "Thường xuyên"])

        tasks.append(dict(
            source=source, document=doc["symbol"], title=title, unit=unit_code,
            coordinating=coordinating, assignee=assignee, assigned=assigned,
            deadline_text=deadline_text, deadline=deadline,
            dated=deadline is not None and deadline_text == dmy(deadline),
            extended=None,
        ))

    # Extensions: ~8 % of dated tasks, mostly those whose first deadline fell
    # before the snapshot (extensions are asked for when work runs late).
    dated = [t for t in tasks if t["dated"]]
    n_ext = round(len(dated) * 0.08)
    past = [t for t in dated if t["deadline"] < SNAPSHOT]
    future = [t for t in dated if t["deadline"] >= SNAPSHOT]
    for t in rng.sample(past, n_ext - 2) + rng.sample(future, 2):
        t["extended"] = weekday_between(rng, t["deadline"] + timedelta(days=10), t["deadline"] + timedelta(days=60))

    # States, completion dates and notes. A few tasks are cancelled or paused;
    # of the others, a fixed number stay open past their dated deadline (the
    # overdue backlog as of the snapshot) and a fixed number of those due in
    # the ten days after it are still open; the rest follow chance.
    special = [t for t in tasks if t["assigned"] <= SNAPSHOT - timedelta(days=30) and not t["extended"]]
    cancelled = rng.sample(special, 3)
    paused = rng.sample([t for t in special if not any(t is c for c in cancelled)], 4)
    for t in cancelled:
        t["state"] = ST_CANCELLED
    for t in paused:
        t["state"] = ST_PAUSED
    live = [t for t in tasks if "state" not in t]
    for t in live:
        t["due"] = t["extended"] or t["deadline"]
    past_dated = [t for t in live if t["dated"] and t["due"] < SNAPSHOT]
    soon_dated = [t for t in live if t["dated"] and SNAPSHOT <= t["due"] <= SOON_END]
    stay_open = rng.sample(past_dated, OVERDUE_OPEN) + rng.sample(soon_dated, min(SOON_OPEN, len(soon_dated)))
    for t in live:
        due, g = t["due"], t["assigned"]
        age = (SNAPSHOT - g).days
        if g > SNAPSHOT or any(t is o for o in stay_open):
            done = False
        elif t["dated"] and due <= SOON_END:
            done = True
        elif due is None:
            done = rng.random() < (0.6 if age > 60 else 0.2)
        elif due < SNAPSHOT:  # a deadline written as text, already passed
            done = rng.random() < 0.7
        else:
            done = rng.random() < 0.5 * age / max(1, (due - g).days)
        if done:
            t["state"] = ST_DONE
            if due is None:
                t["completed"] = weekday_between(rng, g + timedelta(days=min(7, age)),
                                                 min(g + timedelta(days=150), SNAPSHOT))
            elif due < SNAPSHOT and rng.random() < 0.3:
                t["completed"] = weekday_between(rng, due + timedelta(days=1),
                                                 min(due + timedelta(days=45), SNAPSHOT))
            else:
                hi = min(due, SNAPSHOT)
                lo = g + timedelta(days=max(3, int((hi - g).days * 0.4)))
                t["completed"] = weekday_between(rng, min(lo, hi), hi)
        elif g > SNAPSHOT:
            t["state"] = ST_NEW if rng.random() < 0.75 else ST_DOING
        elif age < 20:
            t["state"] = ST_NEW if rng.random() < 0.6 else ST_DOING
        else:
            t["state"] = ST_DOING if rng.random() < 0.8 else ST_NEW
    for t in tasks:
        t.setdefault("completed", None)
        if t["state"] == ST_CANCELLED:
            t["note"] = rng.choice(["Không thực hiện do thay đổi chủ trương",
                                    "Lồng ghép vào nhiệm vụ khác theo chỉ đạo của Lãnh đạo Bộ"])
        elif t["state"] == ST_PAUSED:
            t["note"] = rng.choice(["Tạm dừng theo chỉ đạo của Lãnh đạo Bộ",
                                    "Chờ cấp có thẩm quyền cho ý kiến về chủ trương"])
        elif t["extended"]:
            t["note"] = rng.choice([
                "Gia hạn theo ý kiến chỉ đạo của Thứ trưởng",
                f"Gia hạn theo đề nghị của đơn vị ngày {dmy(t['deadline'])}",
                "Gia hạn do chờ ý kiến góp ý của các bộ, ngành",
            ])
        elif rng.random() < 0.08:
            notes = NOTES_DONE if t["state"] == ST_DONE else NOTES_OPEN
            t["note"] = NOTE_LOCAL if "địa phương" in t["title"] else rng.choice(notes)
        else:
            t["note"] = ""

    # Order the register by the day of assignment, then number it.
    order = sorted(range(len(tasks)), key=lambda k: (tasks[k]["assigned"], k))
    tasks = [tasks[k] for k in order]
    for n, t in enumerate(tasks, 1):
        t["stt"] = n
        t["code"] = f"NV-2022-{n:04d}"
        t["product"] = product_for(rng, t["title"])

    # How the lead unit is written: mostly its name, a few aliases, a few
    # typed with another case or without accents (to exercise matching).
    for t in tasks:
        t["unit_written"] = UNIT_BY_CODE[t["unit"]]["name"]
    with_alias = [t for t in tasks if UNIT_BY_CODE[t["unit"]]["aliases"]]
    alias_rows = rng.sample(with_alias, 6)
    for t in alias_rows:
        t["unit_written"] = rng.choice(UNIT_BY_CODE[t["unit"]]["aliases"])
    # The spelling the documentation quotes comes first.
    tccb = [t for t in tasks if t["unit"] == "TCCB" and t["unit_written"] == "Vụ Tổ chức cán bộ"]
    variant_rows = [tccb[-1]] if tccb else []
    rest = [t for t in tasks if t["unit_written"] == UNIT_BY_CODE[t["unit"]]["name"]
            and not any(t is v for v in variant_rows)]
    variant_rows += rng.sample(rest, 6 - len(variant_rows))
    variants = [
        fold,                        # "vu to chuc can bo"
        str.upper,                   # "VỤ KẾ HOẠCH - TÀI CHÍNH"
        str.lower,                   # "cục công nghệ thông tin"
        lambda s: fold(s).title(),   # "Thanh Tra Bo"
        fold,
        str.lower,
    ]
    for t, f in zip(variant_rows, variants, strict=False):
        t["unit_written"] = f(UNIT_BY_CODE[t["unit"]]["name"])
    return tasks


def check(tasks) -> None:
    """The rules the data promises; the script refuses to write data that breaks them."""
    names = {}
    for u in UNITS:
        for key in [u["code"], u["name"], *u["aliases"]]:
            k = fold(key)
            assert k not in names or names[k] == u["code"], f"ambiguous unit key {key!r}"
            names[k] = u["code"]
        assert not u["parent"] or u["parent"] in UNIT_BY_CODE
        assert ";" not in u["name"] and not any(";" in a for a in u["aliases"])
    for d in DOCUMENTS:
        assert not d["implements"] or d["implements"] in DOC_BY_SYMBOL
    codes = [t["code"] for t in tasks]
    assert len(set(codes)) == len(codes) == N_TASKS
    seen = set()
    for t in tasks:
        key = (t["document"], t["title"])
        assert key not in seen, key
        seen.add(key)
        assert "{" not in t["title"] and "?" not in t["title"], t["title"]
        assert FIRST_ASSIGNED <= t["assigned"] <= LAST_ASSIGNED
        assert t["assigned"] >= DOC_BY_SYMBOL[t["document"]]["issued"]
        assert names[fold(t["unit_written"])] == t["unit"]
        if t["dated"]:
            assert 15 <= (t["deadline"] - t["assigned"]).days <= 120
        if t["extended"]:
            assert t["dated"] and t["extended"] > t["deadline"]
        if t["state"] == ST_DONE:
            assert t["assigned"] <= t["completed"] <= SNAPSHOT
        else:
            assert t["completed"] is None
    open_dated = [t for t in tasks if t["dated"] and t["state"] in (ST_NEW, ST_DOING)]
    assert sum((t["extended"] or t["deadline"]) < SNAPSHOT for t in open_dated) == OVERDUE_OPEN
    assert sum(SNAPSHOT <= (t["extended"] or t["deadline"]) <= SOON_END for t in open_dated) == SOON_OPEN
    assert min(t["assigned"] for t in tasks) == FIRST_ASSIGNED
    assert max(t["assigned"] for t in tasks) == LAST_ASSIGNED


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([nfc(h) for h in header])
        for row in rows:
            w.writerow([nfc(str(v)) for v in row])


def main() -> None:
    rng = random.Random(SEED)
    tasks = build(rng)
    check(tasks)

    write_csv(HERE / "units.csv", ["Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Tên khác"],
              [[u["code"], u["name"], u["parent"], ";".join(u["aliases"])] for u in UNITS])
    write_csv(HERE / "documents.csv",
              ["Số ký hiệu", "Loại văn bản", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Thực hiện văn bản"],
              [[d["symbol"], d["type"], dmy(d["issued"]), d["issuer"], d["title"], d["implements"]]
               for d in DOCUMENTS])
    write_csv(HERE / "tasks.csv",
              ["STT", "Mã nhiệm vụ", "Văn bản", "Nội dung nhiệm vụ", "Nguồn giao", "Đơn vị chủ trì",
               "Đơn vị phối hợp", "Người thực hiện", "Ngày giao", "Thời hạn", "Thời hạn gia hạn", "Sản phẩm",
               "Trạng thái", "Ngày hoàn thành", "Ghi chú"],
              [[t["stt"], t["code"], t["document"], t["title"], t["source"], t["unit_written"],
                "; ".join(UNIT_BY_CODE[c]["name"] for c in t["coordinating"]), t["assignee"],
                dmy(t["assigned"]), t["deadline_text"], dmy(t["extended"]), t["product"], t["state"],
                dmy(t["completed"]), t["note"]] for t in tasks])
    print(f"wrote units.csv ({len(UNITS)}), documents.csv ({len(DOCUMENTS)}), tasks.csv ({len(tasks)})")


if __name__ == "__main__":
    main()
