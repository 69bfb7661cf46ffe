"""Villages of Lâm Bình's 10 pre-2025 communes for the demo data (100 in all).

Real names where public sources give them (sources listed below); numbered names elsewhere.
"""

# Sources:
# - Khuôn Hà: Vietnamese Wikipedia, article "Khuôn Hà" (section "Hành chính"),
#   https://vi.wikipedia.org/wiki/Khu%C3%B4n_H%C3%A0 — 13 thôn. The page writes
#   "Na thếm"; only the capital letter is changed here ("Na Thếm").
# - Thượng Lâm: tinbds.com, "Xã Thượng Lâm, Huyện Lâm Bình, Tỉnh Tuyên Quang",
#   https://tinbds.com/tuyen-quang/lam-binh/xa-thuong-lam — 12 thôn. A public
#   landslide-assessment file on GitHub ("Thôn Nà Liềm, Huyện Lâm Bình, Tuyên Quang")
#   also names Nà Liềm.
# - Bình An: "Nà Cóoc" is given by the project brief as a known village. The
#   searched sources did not confirm it.
# - All other names are neutral numbered fill-ins ("Số N", shown as "Thôn Số N").
#   They are not real village names.

VILLAGES: dict[str, list[tuple[str, str]]] = {
    # Phúc Yên: numbered (no public list found)
    "02233": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
    ],
    # Xuân Lập: numbered (no public list found)
    "02242": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
    ],
    # Khuôn Hà: 13 real names (vi.wikipedia "Khuôn Hà")
    "02251": [
        ("Nà Thom", "thon"),
        ("Nà Muông", "thon"),
        ("Ka Nò", "thon"),
        ("Hợp Thành", "thon"),
        ("Na Thếm", "thon"),
        ("Nà Chang", "thon"),
        ("Nà Kẹm", "thon"),
        ("Lung May", "thon"),
        ("Nà Vàng", "thon"),
        ("Nà Ráo", "thon"),
        ("Nà Hu", "thon"),
        ("Nà Ho", "thon"),
        ("Nà Cản", "thon"),
    ],
    # thị trấn Lăng Can: numbered (no public list found; "thon" kind per the brief's fill-in rule)
    "02266": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
        ("Số 9", "thon"),
        ("Số 10", "thon"),
        ("Số 11", "thon"),
    ],
    # Thượng Lâm: 12 real names (tinbds.com page for xã Thượng Lâm)
    "02269": [
        ("Nà Liềm", "thon"),
        ("Nà Bản", "thon"),
        ("Bản Bó", "thon"),
        ("Nà Ta", "thon"),
        ("Nà Lung", "thon"),
        ("Khao Đao", "thon"),
        ("Nà Va", "thon"),
        ("Nà Tông", "thon"),
        ("Nà Thuôn", "thon"),
        ("Nà Đông", "thon"),
        ("Nà Lầu", "thon"),
        ("Bản Chợ", "thon"),
    ],
    # Bình An: "Nà Cóoc" (from the project brief) + numbered
    "02290": [
        ("Nà Cóoc", "thon"),
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
    ],
    # Hồng Quang: numbered (no public list found)
    "02293": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
        ("Số 9", "thon"),
    ],
    # Thổ Bình: numbered (no public list found)
    "02296": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
        ("Số 9", "thon"),
        ("Số 10", "thon"),
    ],
    # Phúc Sơn: numbered (no public list found)
    "02299": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
        ("Số 9", "thon"),
        ("Số 10", "thon"),
        ("Số 11", "thon"),
    ],
    # Minh Quang: numbered (no public list found)
    "02302": [
        ("Số 1", "thon"),
        ("Số 2", "thon"),
        ("Số 3", "thon"),
        ("Số 4", "thon"),
        ("Số 5", "thon"),
        ("Số 6", "thon"),
        ("Số 7", "thon"),
        ("Số 8", "thon"),
        ("Số 9", "thon"),
        ("Số 10", "thon"),
    ],
}
