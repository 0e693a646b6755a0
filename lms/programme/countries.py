"""The programme's member countries, as seed data (the list lives in the database)."""

ASEAN_COUNTRIES = [
    ("BN", "Brunei Darussalam", "文莱"),
    ("KH", "Cambodia", "柬埔寨"),
    ("ID", "Indonesia", "印度尼西亚"),
    ("LA", "Lao PDR", "老挝"),
    ("MY", "Malaysia", "马来西亚"),
    ("MM", "Myanmar", "缅甸"),
    ("PH", "Philippines", "菲律宾"),
    ("SG", "Singapore", "新加坡"),
    ("TH", "Thailand", "泰国"),
    ("VN", "Viet Nam", "越南"),
]
