"""Words the linking test data is made of: surnames by frequency, given-name characters, roads and compounds.

Surnames and given-name characters are the platform's (`yiwang.core.names`, shared with the demo city).
"""

from __future__ import annotations

# Characters that sound like a given-name character and get typed for it (同音字): the generator's typos.
HOMOPHONE_CHARACTERS = (
    "玮维炜卫莉丽立力利铭鸣名敏闽菁晶靖敬婧骅桦君钧峻珺洁婕捷韬滔彬滨宾斌潮钢纲萍苹晖徽朋菲霏妃"
    "馨欣昕雨语羽昊皓楷锴剑坚帆凡煦隆琳霖智芝冬锋枫丰靓诚城辰臣瑞锐择毫娅雅燕艳妍研婷霆颖莹盈"
)

# Uyghur and other names written with a middle dot between given name and father's name (买买提·艾力).
MINORITY_GIVEN_NAMES = (
    "买买提", "艾力", "阿不都", "吐尔逊", "热合曼", "努尔", "古丽", "阿依古丽", "帕提古丽", "迪丽努尔",
    "伊力哈木", "艾克拜尔", "阿布来提", "肉孜", "玉素甫", "依明", "卡德尔", "米吉提", "塔依尔", "阿依努尔",
)  # fmt: skip
# How departments write the middle dot: the right one, look-alikes, a full stop, a space, or nothing.
MIDDLE_DOT_VARIANTS = ("·", "•", "・", "．", ".", " ", "")

# Mobile prefixes (13x–19x) in rough proportion to their use.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182", "183", "184",
    "185", "186", "187", "188", "189", "191", "198",
)  # fmt: skip

PROVINCE_NAME, CITY_NAME, CITY_SHORT_NAME = "河南省", "明湖市", "明湖"
# The districts of the fictional city 明湖市 (GB/T 2260 form), with the share of people living in each.
DISTRICTS: tuple[tuple[str, str, float], ...] = (
    ("419802", "清河区", 0.30),
    ("419803", "东湖区", 0.30),
    ("419804", "西山区", 0.20),
    ("419805", "南城区", 0.20),
)
ROAD_WORDS = (
    "人民", "解放", "建设", "中山", "文化", "和平", "胜利", "光明", "朝阳", "长江", "黄河", "滨河", "清源",
    "文昌", "府前", "新华", "东湖", "望湖", "翠屏", "西山", "青峰", "松林", "南关", "迎宾", "科技", "学府",
    "工业", "花园", "公园", "车站", "体育", "纬一", "纬二", "经三", "经五", "金水", "农业", "丰产", "商都",
    "紫荆", "桐柏", "嵩山", "伏牛", "淮河", "洛河", "明湖", "柳园", "东风", "红旗", "育才",
)  # fmt: skip
ROAD_KINDS = ("路", "路", "路", "路", "街", "大道")
COMPOUND_WORDS = (
    "锦绣", "翠湖", "安居", "幸福", "阳光", "金桥", "紫荆", "丁香", "玉兰", "枫林", "银杏", "学府", "滨江",
    "湖畔", "书香", "荷花", "梧桐", "兰亭", "清泉", "永安", "长青", "盛世", "华庭", "怡景", "明珠", "御园",
    "丽水", "碧水", "蓝湾", "春晖", "秋实", "凤凰", "龙湖", "鹤鸣", "燕园", "杏林", "桂园", "樱花", "海棠",
    "芙蓉", "牡丹", "星光", "未来", "智慧", "科苑", "创新", "和谐", "建业", "正商", "绿城",
)  # fmt: skip
COMPOUND_KINDS = ("小区", "小区", "花园", "家园", "苑", "新村")
VILLAGE_WORDS = (
    "柳庄", "王庄", "李营", "张湾", "刘寨", "陈岗", "杨楼", "赵集", "黄店", "吴桥", "周寨", "孙庄", "马营",
    "朱楼", "郭店", "何庄", "高集", "林湾", "郑岗", "梁寨",
)  # fmt: skip
TOWN_WORDS = ("城关", "古城", "白沙", "河口", "龙泉", "石桥", "新店", "杨庄")

# Enterprises: trade names (字号) of two or three characters, a line of business and a legal form.
TRADE_NAME_CHARACTERS = (
    "鑫华宏瑞德盛源泰恒达通丰祥兴嘉伟博远景润金天顺安康永昌隆新海宇汇佳诚信中正众和百福乐美惠明晟旺益万利腾创启云卓越锦"
)
COMPANY_BUSINESSES = (
    "商贸", "科技", "建筑工程", "物流", "餐饮管理", "农业开发", "电子科技", "机械制造", "文化传媒", "医药",
    "房地产开发", "环保科技", "信息技术", "食品", "服装", "家居", "汽车销售服务", "装饰工程", "物业服务",
    "教育咨询", "新能源科技", "建材", "印务", "旅行社",
)  # fmt: skip
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
