"""Names (in Latin script and in each country's own script) and jobs for the demo trainees."""

# Countries whose names are built from a given name and a family name: (latin, native) pairs.
GIVEN_AND_FAMILY = {
    "TH": (
        [("Somchai", "สมชาย"), ("Suda", "สุดา"), ("Niran", "นิรันดร์"), ("Kanya", "กัญญา"), ("Prasert", "ประเสริฐ"),
         ("Malee", "มาลี"), ("Anong", "อนงค์"), ("Wichai", "วิชัย")],
        [("Wongsawat", "วงศ์สวัสดิ์"), ("Srisuk", "ศรีสุข"), ("Chaiyaporn", "ชัยพร"), ("Thongdee", "ทองดี"),
         ("Rattanakul", "รัตนกุล"), ("Boonmee", "บุญมี")],
        "given-family",
    ),
    "KH": (
        [("Dara", "ដារា"), ("Sophea", "សុភា"), ("Vanna", "វណ្ណា"), ("Bopha", "បុប្ផា"), ("Rith", "រិទ្ធ"),
         ("Sreyneang", "ស្រីនាង"), ("Visal", "វិសាល")],
        [("Sok", "សុខ"), ("Chan", "ចាន់"), ("Kim", "គីម"), ("Heng", "ហេង"), ("Ly", "លី"), ("Meas", "មាស")],
        "family-given",
    ),
    "LA": (
        [("Bounmy", "ບຸນມີ"), ("Souksavanh", "ສຸກສະຫວັນ"), ("Noy", "ນ້ອຍ"), ("Khamla", "ຄຳລາ"), ("Vilay", "ວິໄລ"),
         ("Somphone", "ສົມພອນ")],
        [("Phommachanh", "ພົມມະຈັນ"), ("Sisouk", "ສີສຸກ"), ("Vongsa", "ວົງສາ"), ("Keomany", "ແກ້ວມະນີ"),
         ("Inthavong", "ອິນທະວົງ")],
        "given-family",
    ),
    "MM": (
        [("Aung", "အောင်"), ("Thandar", "သန္တာ"), ("Zaw", "ဇော်"), ("Ei", "အိ"), ("Kyaw", "ကျော်"), ("Hnin", "နှင်း"),
         ("Myo", "မျိုး"), ("Su", "စု")],
        [("Kyaw", "ကျော်"), ("Win", "ဝင်း"), ("Min", "မင်း"), ("Phyu", "ဖြူ"), ("Zin", "ဇင်"), ("Wai", "ဝေ"),
         ("Thant", "သန့်"), ("Mon", "မွန်")],
        "burmese",
    ),
    "VN": (
        [("Anh", "Anh"), ("Hung", "Hùng"), ("Lan", "Lan"), ("Thao", "Thảo"), ("Dung", "Dũng"), ("Huong", "Hương"),
         ("Quang", "Quang"), ("Ngoc", "Ngọc")],
        [("Nguyen Van", "Nguyễn Văn"), ("Tran Thi", "Trần Thị"), ("Le Minh", "Lê Minh"), ("Pham Duc", "Phạm Đức"),
         ("Hoang Thi", "Hoàng Thị"), ("Vu Quoc", "Vũ Quốc")],
        "family-given",
    ),
}

# Countries whose demo names are listed whole: (latin, native or None).
WHOLE_NAMES = {
    "ID": [("Budi Santoso", None), ("Siti Rahayu", None), ("Agus Pratama", None), ("Dewi Lestari", None),
           ("Rudi Hidayat", None), ("Putri Wijaya", None), ("Eko Saputra", None), ("Rina Kusuma", None),
           ("Hendra Gunawan", None), ("Fitri Handayani", None), ("Yusuf Maulana", None), ("Ayu Permata", None)],
    "MY": [("Ahmad bin Ismail", None), ("Nurul Huda binti Hassan", None), ("Tan Wei Ming", "陈伟明"),
           ("Lim Mei Ling", "林美玲"), ("Kavitha Raman", None), ("Mohd Faizal bin Omar", None),
           ("Wong Siew Lan", "黄秀兰"), ("Siti Aishah binti Yusof", None), ("Lee Chong Wei", "李宗伟")],
    "PH": [("Maria Santos", None), ("Jose Reyes", None), ("Ana Cruz", None), ("Mark Bautista", None),
           ("Grace Garcia", None), ("Paolo Mendoza", None), ("Liza Villanueva", None), ("Ramon Aquino", None),
           ("Joy Dela Rosa", None), ("Carlo Ramos", None)],
    "SG": [("Tan Li Hua", "陈丽华"), ("Lee Jun Jie", "李俊杰"), ("Siti Aminah", None), ("Rajesh Kumar", None),
           ("Ng Hui Min", "黄慧敏"), ("Wong Kai Wen", "王凯文")],
    "BN": [("Awang Ahmad Salleh", None), ("Nur Aisyah Abdullah", None), ("Mohd Hafiz Rahman", None),
           ("Siti Rahmah Hamid", None), ("Azman Yusof", None)],
}

ORGANISATIONS = [
    "National telecommunications regulator", "Ministry of ICT", "State telecom operator", "Mobile network operator",
    "Provincial ICT department", "Internet service provider", "National cybersecurity agency",
    "Universal service fund office", "Satellite communications company", "Broadcasting authority",
]

# The type of each demo organisation, for the report's "who took part" breakdown.
ORGANISATION_TYPES = {
    "National telecommunications regulator": "government", "Ministry of ICT": "government",
    "State telecom operator": "business", "Mobile network operator": "business",
    "Provincial ICT department": "government", "Internet service provider": "business",
    "National cybersecurity agency": "government", "Universal service fund office": "government",
    "Satellite communications company": "business", "Broadcasting authority": "government",
}

POSITIONS = {
    "technician": ["Network engineer", "Transmission technician", "NOC engineer", "RF planning engineer",
                   "Fibre field technician", "Security analyst"],
    "middle_manager": ["Head of licensing section", "Deputy director, spectrum", "Roll-out project manager",
                       "Head of quality of service", "Regional network manager", "Policy analyst, team lead"],
    "high_manager": ["Director-General", "Chief technology officer", "Commissioner", "Director of policy",
                     "Chief information security officer"],
}
